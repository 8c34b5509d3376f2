package p2pshare.signaling.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import p2pshare.cluster.RoomMembers;

/**
 * This node's cached membership of one room that has local peers, a cache of the room's record in
 * Hazelcast. Each peer's entry carries the room version of the last change applied to it; an older
 * event or snapshot never overwrites a newer one (last writer wins per peer, removals kept as
 * tombstones), so events may arrive in any order, twice, or late and the view still converges.
 */
public final class RoomView {
  /**
   * A removal is remembered this long (versions follow the wall clock in µs), so a stale event
   * still in flight cannot bring the peer back.
   */
  static final long TOMBSTONE_TTL_MS = 60_000;

  /** What this node knows of one peer of the room: present or not, as of room {@code version}. */
  private record Entry(String nodeId, String meta, boolean present, long version) {}

  /** The present members (peerId → nodeId), read lock-free on the relay path. */
  private final Map<String, String> members = new ConcurrentHashMap<>();

  private final Map<String, Entry> entries = new HashMap<>();
  private final Set<String> localPeers = ConcurrentHashMap.newKeySet();

  /**
   * The newest snapshot applied: a peer it did not list and this view has no entry for was not a
   * member then, so an event about it older than this is stale.
   */
  private long floor;

  /**
   * Applies one change of the record: {@code peerId} is (or is no longer) a member on {@code
   * nodeId} as of {@code version}. Returns true if the view changed.
   */
  public synchronized boolean apply(
      String peerId, String nodeId, String meta, boolean present, long version) {
    Entry old = entries.get(peerId);
    if (old == null ? version < floor : old.version() >= version) {
      return false;
    }
    // A removal keeps what was known of the peer's meta (a resume's welcome may list it again).
    String kept = meta == null && old != null ? old.meta() : meta;
    entries.put(peerId, new Entry(nodeId, kept, present, version));
    if (present) {
      members.put(peerId, nodeId);
    } else {
      members.remove(peerId);
    }
    return old == null || old.present() != present || !old.nodeId().equals(nodeId);
  }

  /**
   * Applies a snapshot of the record: its members as they are at {@code version}, and every peer
   * this view holds at an older version that the record no longer lists is gone. Members on nodes
   * that {@code liveNode} rejects are not revived (their node died; the janitor removes them from
   * the record). Returns the peers whose presence changed.
   */
  public synchronized List<String> applySnapshot(
      Map<String, RoomMembers.Member> record, long version, Predicate<String> liveNode) {
    List<String> changed = new ArrayList<>();
    record.forEach(
        (id, m) -> {
          if (!liveNode.test(m.nodeId())) {
            if (markGone(id)) {
              changed.add(id);
            }
          } else if (apply(id, m.nodeId(), m.meta(), true, m.since())) {
            changed.add(id);
          }
        });
    long pruneBelow = (System.currentTimeMillis() - TOMBSTONE_TTL_MS) * 1000;
    for (Map.Entry<String, Entry> e : new ArrayList<>(entries.entrySet())) {
      Entry old = e.getValue();
      if (record.containsKey(e.getKey()) || old.version() >= version) {
        continue;
      }
      if (old.present()) {
        entries.put(e.getKey(), new Entry(old.nodeId(), old.meta(), false, version));
        members.remove(e.getKey());
        changed.add(e.getKey());
      } else if (old.version() < pruneBelow) {
        entries.remove(e.getKey());
      }
    }
    floor = Math.max(floor, version);
    return changed;
  }

  /**
   * Marks every peer of a dead node as gone, keeping its version: any later record change (a resume
   * elsewhere) overrides it. Returns the peers that were present.
   */
  public synchronized List<String> nodeGone(String deadNode) {
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, Entry> e : new ArrayList<>(entries.entrySet())) {
      if (e.getValue().nodeId().equals(deadNode) && markGone(e.getKey())) {
        gone.add(e.getKey());
      }
    }
    return gone;
  }

  /** A present peer becomes absent at the version it had: any later record change overrides it. */
  private boolean markGone(String peerId) {
    Entry old = entries.get(peerId);
    if (old == null || !old.present()) {
      return false;
    }
    entries.put(peerId, new Entry(old.nodeId(), old.meta(), false, old.version()));
    members.remove(peerId);
    return true;
  }

  public String nodeOf(String peerId) {
    return members.get(peerId);
  }

  public synchronized String metaOf(String peerId) {
    Entry e = entries.get(peerId);
    return e == null ? null : e.meta();
  }

  public boolean isMember(String peerId) {
    return members.containsKey(peerId);
  }

  /** The present members, peerId → nodeId. */
  public Map<String, String> members() {
    return members;
  }

  public Set<String> localPeers() {
    return localPeers;
  }
}
