package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Consumer;
import p2pshare.cluster.Ids;
import p2pshare.cluster.PeerRecord;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.ops.SignalingMetrics.ResumeOutcome;
import p2pshare.signaling.protocol.ClientMessage;
import p2pshare.signaling.protocol.ErrorCode;
import p2pshare.signaling.protocol.ProtocolException;

/**
 * A resume with a token, by where the peer lives: here (same node, new socket), on another live
 * node (a handover), or nowhere (an orphan of a dead node). The last two end in a {@link TakeOver}.
 */
final class Resume {
  private final RoomDeps deps;
  private final TakeOver takeOver;

  Resume(RoomDeps deps, TakeOver takeOver) {
    this.deps = deps;
    this.takeOver = takeOver;
  }

  Future<LocalPeer> resume(
      ClientMessage.Join join, PeerConnection connection, Consumer<LocalPeer> beforeWelcome) {
    if (deps.fence().fenced()) {
      return FlowOutcomes.fenced();
    }
    Future<LocalPeer> resumed =
        deps.membership()
            .consumeToken(Ids.sha256Hex(join.resume()))
            .compose(
                peerId ->
                    peerId == null
                        ? FlowOutcomes.<Found>badResume()
                        : deps.membership().getPeer(peerId).map(r -> new Found(peerId, r)))
            .compose(found -> resumeFound(found, join, connection, beforeWelcome));
    return resumed.onFailure(
        e -> {
          if (e instanceof ProtocolException p && p.code() == ErrorCode.BAD_RESUME) {
            deps.metrics().resume(ResumeOutcome.REJECTED);
          }
        });
  }

  private record Found(String peerId, PeerRecord record) {}

  private Future<LocalPeer> resumeFound(
      Found found,
      ClientMessage.Join join,
      PeerConnection connection,
      Consumer<LocalPeer> beforeWelcome) {
    PeerRecord record = found.record();
    if (record == null || !record.room().equals(join.room())) {
      return FlowOutcomes.badResume();
    }
    if (record.orphaned()) {
      return record.orphanUntil() < System.currentTimeMillis()
          ? FlowOutcomes.badResume()
          : takeOver.run(
              pendingHere(found.peerId(), record, join),
              new TakeOver.Request(record, join, connection, beforeWelcome),
              null);
    }
    if (record.nodeId().equals(deps.nodeId())) {
      return resumeHere(found.peerId(), record, join, connection, beforeWelcome);
    }
    return handOver(found.peerId(), record, join, connection, beforeWelcome);
  }

  /** The peer lives here: a new token, and the new socket replays what the ring still holds. */
  private Future<LocalPeer> resumeHere(
      String peerId,
      PeerRecord record,
      ClientMessage.Join join,
      PeerConnection connection,
      Consumer<LocalPeer> beforeWelcome) {
    LocalPeer peer = deps.local().get(peerId);
    if (peer == null || peer.state() != LocalPeer.State.ACTIVE) {
      return FlowOutcomes.badResume();
    }
    String token = Ids.randomId();
    String tokenHash = Ids.sha256Hex(token);
    return deps.membership()
        .putToken(tokenHash, peerId)
        .compose(v -> deps.membership().putPeer(peerId, record.withToken(tokenHash)))
        .compose(v -> deps.membership().members(join.room()))
        .compose(
            members -> {
              RoomMembers.Members others = new RoomMembers.Members(members);
              others.remove(peerId);
              RoomView view = deps.local().view(join.room());
              if (view != null) {
                // The view is then at least as new as the list the welcome carries.
                view.applySnapshot(members, members.version(), node -> true);
              }
              return FlowOutcomes.onPeerContext(
                  peer,
                  () -> {
                    peer.tokenHash(tokenHash);
                    long from = peer.replayFrom(join.lastSeq());
                    boolean recovered = peer.ring().holdsAllAfter(from);
                    deps.welcomes()
                        .write(
                            peer,
                            connection,
                            others,
                            token,
                            recovered,
                            peer.ring().after(from),
                            () -> {});
                    beforeWelcome.accept(peer);
                    deps.metrics()
                        .resume(recovered ? ResumeOutcome.RECOVERED : ResumeOutcome.UNRECOVERED);
                    return peer;
                  });
            });
  }

  /** Asks the old node for the peer's counter and ring, then takes the peer over. */
  private Future<LocalPeer> handOver(
      String peerId,
      PeerRecord record,
      ClientMessage.Join join,
      PeerConnection connection,
      Consumer<LocalPeer> beforeWelcome) {
    // Registered (PENDING, buffering) before the old node lets go: what it forwards right after
    // its answer may arrive here before the answer's continuation runs, and must not be dropped.
    LocalPeer peer = pendingHere(peerId, record, join);
    TakeOver.Request request = new TakeOver.Request(record, join, connection, beforeWelcome);
    return deps.router()
        .requestHandover(record.nodeId(), peerId, join.lastSeq())
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return takeOver.run(peer, request, ar.result());
              }
              if (ar.cause() instanceof ReplyException re
                  && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
                  && re.failureCode() != NodeRouter.GivenUp.FAILURE_CODE) {
                peer.end((short) 1000, "bad resume");
                deps.local().unregister(peer, null);
                return FlowOutcomes.badResume();
              }
              // The old node does not answer: it is dead or dying, so nothing can be recovered.
              return takeOver.run(peer, request, null);
            });
  }

  /** A peer that is about to be taken over here, buffering what it is sent until then. */
  private LocalPeer pendingHere(String peerId, PeerRecord record, ClientMessage.Join join) {
    LocalPeer existing = deps.local().get(peerId);
    if (existing != null) {
      existing.end((short) 4000, "resumed elsewhere");
      deps.local().unregister(existing, deps.nodeId());
    }
    LocalPeer peer =
        new LocalPeer(
            peerId,
            join.room(),
            record.meta(),
            deps.vertx().getOrCreateContext(),
            LocalPeer.State.PENDING);
    deps.local().register(peer);
    deps.local().addLocal(peer);
    return peer;
  }
}
