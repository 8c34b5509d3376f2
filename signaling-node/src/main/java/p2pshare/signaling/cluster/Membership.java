package p2pshare.signaling.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.DeadNodeJanitor;
import p2pshare.cluster.OrphanExpiry;
import p2pshare.cluster.PeerOwnership;
import p2pshare.cluster.PeerRecord;
import p2pshare.cluster.RoomMembers;

/**
 * Room membership in Hazelcast, the cluster's source of truth. Every call is asynchronous and
 * completes on the caller's Vert.x context; membership changes go through entry processors.
 */
public final class Membership {
  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, String> peers;
  private final IMap<String, RoomMembers.Members> rooms;
  private final IMap<String, String> tokens;

  public Membership(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.peers = hazelcast.getMap(ClusterNames.PEERS_MAP);
    this.rooms = hazelcast.getMap(ClusterNames.ROOM_MEMBERS_MAP);
    this.tokens = hazelcast.getMap(ClusterNames.RESUME_TOKENS_MAP);
  }

  public Future<Void> putPeer(String peerId, PeerRecord record) {
    return onContext(peers.setAsync(peerId, record.toJson()));
  }

  public Future<PeerRecord> getPeer(String peerId) {
    return onContext(peers.getAsync(peerId))
        .map(json -> json == null ? null : PeerRecord.fromJson(json));
  }

  public Future<Void> removePeer(String peerId) {
    return onContext(peers.removeAsync(peerId)).mapEmpty();
  }

  /** Removes the peer's record only while {@code ownerNode} still owns it. */
  public Future<Boolean> removePeerIfOwner(String peerId, String ownerNode) {
    return onContext(peers.submitToKey(peerId, new PeerOwnership.RemoveIfOwner(ownerNode)));
  }

  /** Confirms that {@code ownerNode} still owns the peer, taking it back if it was orphaned. */
  public Future<PeerOwnership.Claim> claim(String peerId, String ownerNode) {
    return onContext(peers.submitToKey(peerId, new PeerOwnership.ClaimIfOwner(ownerNode)));
  }

  /**
   * Makes a peer of {@code ownerNode} an orphan, resumable until {@code until} (epoch ms); the
   * cluster removes it after that ({@link OrphanExpiry}).
   */
  public Future<Boolean> markOrphan(String peerId, String ownerNode, long until) {
    return onContext(peers.submitToKey(peerId, new DeadNodeJanitor.MarkOrphan(ownerNode, until)))
        .compose(
            marked ->
                marked
                    ? onContext(OrphanExpiry.schedule(hazelcast, peerId, until)).map(true)
                    : Future.succeededFuture(false));
  }

  public Future<RoomMembers.JoinResult> join(
      String room, String peerId, RoomMembers.Member member, int maxPeers) {
    return onContext(rooms.submitToKey(room, new RoomMembers.Join(peerId, member, maxPeers)));
  }

  /**
   * Removes a peer from its room if {@code ownerNode} still owns it there; the result is the
   * remaining members and the room version, or null if nothing changed.
   */
  public Future<RoomMembers.LeaveResult> leave(String room, String peerId, String ownerNode) {
    return onContext(rooms.submitToKey(room, new RoomMembers.Leave(peerId, ownerNode)));
  }

  public Future<RoomMembers.Members> members(String room) {
    return onContext(rooms.getAsync(room)).map(m -> m == null ? new RoomMembers.Members() : m);
  }

  public Future<Void> putToken(String tokenHash, String peerId) {
    return onContext(tokens.setAsync(tokenHash, peerId));
  }

  /** Takes a token out of the map: only one caller can ever get its peer id. */
  public Future<String> consumeToken(String tokenHash) {
    return onContext(tokens.removeAsync(tokenHash));
  }

  public Future<Void> revokeToken(String tokenHash) {
    if (tokenHash == null) {
      return Future.succeededFuture();
    }
    return onContext(tokens.removeAsync(tokenHash)).mapEmpty();
  }

  /** Completes on the caller's context (Hazelcast's response thread hands the result there). */
  private <T> Future<T> onContext(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }
}
