package p2pshare.cluster;

import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The room index (room → {@link Members}) and the entry processors that change it. Each processor
 * runs atomically on the key's partition owner, so changes of one room are serialised: the joiner
 * sees exactly the peers that joined before it, and those peers learn of it from the joiner's node
 * — every pair meets exactly once. Every change bumps the room's {@link Members#version()}, so
 * nodes can order the events they hear and tell a stale snapshot from a newer one.
 */
public final class RoomMembers {
  private RoomMembers() {}

  /**
   * One member of a room: the node its socket is on, its opaque meta (JSON text), and the room
   * version at which it was added or last moved.
   */
  public record Member(String nodeId, String meta, long since) implements Serializable {
    public Member(String nodeId, String meta) {
      this(nodeId, meta, 0L);
    }

    Member at(long version) {
      return new Member(nodeId, meta, version);
    }
  }

  /** The map value: insertion-ordered peerId → member, and the room's version. */
  public static final class Members extends LinkedHashMap<String, Member> {
    private static final long serialVersionUID = 2L;
    private long version;

    public Members() {}

    public Members(Map<String, Member> other) {
      super(other);
      if (other instanceof Members m) {
        version = m.version;
      }
    }

    /** Bumped by every change; 0 for a room that has never had members. */
    public long version() {
      return version;
    }

    /** Sets the version read back from the cluster ({@link CompactValues}). */
    void version(long version) {
      this.version = version;
    }

    /**
     * Advances the version: strictly up, and at least the wall clock (µs), so a room whose entry
     * was removed while empty and is made again still orders after everything seen before.
     */
    long bump() {
      version = Math.max(version + 1, wallClockMicros());
      return version;
    }
  }

  /** Microseconds since the epoch, the floor of every new version. */
  static long wallClockMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  /**
   * What a join saw: whether the room was full, whether the peer was a member already (a move, not
   * a join), the other members just before it, and the room version its join produced.
   */
  public record JoinResult(boolean full, boolean wasMember, Members others, long version)
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
        return new JoinResult(true, false, others, members.version());
      }
      long version = members.bump();
      members.put(peerId, member.at(version));
      entry.setValue(members);
      return new JoinResult(false, wasMember, others, version);
    }
  }

  /** What a leave did: the members that remain (to tell them) and the version it produced. */
  public record LeaveResult(Members remaining, long version) implements Serializable {}

  /**
   * Removes a peer, but only while {@code ownerNode} still owns it: a node that was cut off never
   * removes a peer that has moved on. Returns null when nothing changed.
   */
  public record Leave(String peerId, String ownerNode)
      implements EntryProcessor<String, Members, LeaveResult> {
    @Override
    public LeaveResult process(Map.Entry<String, Members> entry) {
      Members members = entry.getValue();
      Member member = members == null ? null : members.get(peerId);
      if (member == null || !member.nodeId().equals(ownerNode)) {
        return null;
      }
      members.remove(peerId);
      long version = members.bump();
      entry.setValue(members.isEmpty() ? null : members);
      return new LeaveResult(new Members(members), version);
    }
  }

  /** What dropping a node did: the ids removed and the version it produced. */
  public record DropResult(ArrayList<String> dropped, long version) implements Serializable {
    public static DropResult none() {
      return new DropResult(new ArrayList<>(), 0);
    }
  }

  /** Removes every peer of a dead node; returns their ids. */
  public record DropNode(String nodeId) implements EntryProcessor<String, Members, DropResult> {
    @Override
    public DropResult process(Map.Entry<String, Members> entry) {
      Members members = entry.getValue();
      if (members == null) {
        return DropResult.none();
      }
      ArrayList<String> dropped = new ArrayList<>();
      members.forEach(
          (id, m) -> {
            if (m.nodeId().equals(nodeId)) {
              dropped.add(id);
            }
          });
      if (dropped.isEmpty()) {
        return new DropResult(dropped, members.version());
      }
      dropped.forEach(members::remove);
      long version = members.bump();
      entry.setValue(members.isEmpty() ? null : members);
      return new DropResult(dropped, version);
    }
  }
}
