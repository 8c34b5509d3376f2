package p2pshare.signaling.peer;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.Ids;
import p2pshare.cluster.PeerRecord;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.protocol.ClientMessage;

/**
 * A fresh join: a new peer id, added to the room unless it is full. Hazelcast first, then the other
 * nodes (which acknowledge), then the welcome: a message sent after a welcome finds the newcomer.
 */
final class FreshJoin {
  private static final Logger LOG = LoggerFactory.getLogger(FreshJoin.class);

  private final RoomDeps deps;
  private final Leaving leaving;

  FreshJoin(RoomDeps deps, Leaving leaving) {
    this.deps = deps;
    this.leaving = leaving;
  }

  Future<LocalPeer> join(
      ClientMessage.Join join, PeerConnection connection, Consumer<LocalPeer> beforeWelcome) {
    if (deps.fence().fenced()) {
      return FlowOutcomes.fenced();
    }
    Context context = deps.vertx().getOrCreateContext();
    String nodeId = deps.nodeId();
    String peerId = Ids.randomId();
    String meta = join.meta() == null ? null : join.meta().encode();
    String token = Ids.randomId();
    String tokenHash = Ids.sha256Hex(token);
    LocalPeer peer = new LocalPeer(peerId, join.room(), meta, context, LocalPeer.State.PENDING);
    peer.tokenHash(tokenHash);
    // Reachable before the room index lists it: a peer-joined aimed at it by a later joiner (whose
    // entry processor may return before ours) is buffered, not dropped, and its room view exists.
    deps.local().register(peer);
    deps.local().addLocal(peer);
    // The peer record and the token go out together with the room's entry processor (one round
    // trip, not three); the welcome waits for all of them, so a resume right after it finds both.
    Future<Void> recordAndToken =
        Future.all(
                deps.membership()
                    .putPeer(peerId, new PeerRecord(join.room(), nodeId, meta, tokenHash, 1, 0)),
                deps.membership().putToken(tokenHash, peerId))
            .mapEmpty();
    Future<LocalPeer> joined =
        deps.membership()
            .join(
                join.room(),
                peerId,
                new RoomMembers.Member(nodeId, meta),
                deps.env().maxPeersPerRoom())
            .compose(
                result -> {
                  if (result.full()) {
                    return recordAndToken
                        .eventually(() -> leaving.abandon(peer, false))
                        .transform(x -> FlowOutcomes.roomFull());
                  }
                  deps.local().joined(peer, result.others(), result.version(), nodeId);
                  return recordAndToken
                      .compose(
                          v ->
                              deps.router()
                                  .announceJoined(
                                      join.room(), peerId, meta, result.others(), result.version()))
                      .compose(v -> FlowOutcomes.stillHere(peer))
                      .map(
                          v -> {
                            // A fresh join restores no session: recovered is false (PROTOCOL.md).
                            deps.welcomes()
                                .write(
                                    peer,
                                    connection,
                                    result.others(),
                                    token,
                                    false,
                                    List.of(),
                                    () -> peer.activateFresh(0));
                            beforeWelcome.accept(peer);
                            LOG.info(
                                "joined node={} room={} peer={}",
                                nodeId,
                                Ids.logHash(join.room()),
                                peerId);
                            return peer;
                          });
                });
    return joined.onFailure(e -> leaving.abandonIfPending(peer));
  }
}
