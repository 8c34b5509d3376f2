package p2pshare.cluster;

import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The room index (room → peerId → {@link Member}) and the entry processors that change it. Each
 * processor runs atomically on the key's partition owner, so concurrent joins are serialised per
 * room: the joiner sees exactly the peers that joined before it, and those peers learn of it from
 * the joiner's node — every pair meets exactly once.
 */
public final class RoomMembers {
  private RoomMembers() {}

  /** One member of a room: the node its socket is on and its opaque meta (JSON text). */
  public record Member(String nodeId, String meta) implements Serializable {}

  /** The map value: insertion-ordered peerId → member. */
  public static final class Members extends LinkedHashMap<String, Member> {
    public Members() {}

    public Members(Map<String, Member> other) {
      super(other);
    }
  }

  /**
   * What a join saw: whether the room was full, whether the peer was a member already (a move, not
   * a join), and the other members at that moment.
   */
  public record JoinResult(boolean full, boolean wasMember, Members others)
      implements Serializable {}

  /** Adds a peer (or moves it to another node) unless the room is full. */
  public record Join(String peerId, Member member, int maxPeers)
      implements EntryProcessor<String, Members, JoinResult> {
    @Override
    public JoinResult process(Map.Entry<String, Members> entry) {
      Members members = entry.getValue() == null ? new Members() : entry.getValue();
      Members others = new Members(members);
      others.remove(peerId);
      boolean wasMember = members.containsKey(peerId);
      if (!wasMember && members.size() >= maxPeers) {
        return new JoinResult(true, false, others);
      }
      members.put(peerId, member);
      entry.setValue(members);
      return new JoinResult(false, wasMember, others);
    }
  }

  /** Removes a peer; returns the members that remain (to tell them), or null if it was not in. */
  public record Leave(String peerId) implements EntryProcessor<String, Members, Members> {
    @Override
    public Members process(Map.Entry<String, Members> entry) {
      Members members = entry.getValue();
      if (members == null || members.remove(peerId) == null) {
        return null;
      }
      entry.setValue(members.isEmpty() ? null : members);
      return new Members(members);
    }
  }

  /** Removes every peer of a dead node; returns their ids. */
  public record DropNode(String nodeId)
      implements EntryProcessor<String, Members, ArrayList<String>> {
    @Override
    public ArrayList<String> process(Map.Entry<String, Members> entry) {
      Members members = entry.getValue();
      ArrayList<String> dropped = new ArrayList<>();
      if (members == null) {
        return dropped;
      }
      members
          .entrySet()
          .removeIf(
              e -> {
                boolean dead = e.getValue().nodeId().equals(nodeId);
                if (dead) {
                  dropped.add(e.getKey());
                }
                return dead;
              });
      if (!dropped.isEmpty()) {
        entry.setValue(members.isEmpty() ? null : members);
      }
      return dropped;
    }
  }
}
