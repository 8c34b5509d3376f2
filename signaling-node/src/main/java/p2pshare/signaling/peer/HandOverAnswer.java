package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import p2pshare.signaling.cluster.NodeRouter;

/**
 * The old node's side of a handover: stop owning the peer, answer with its counter and ring,
 * forward anything that still arrives here to the new node for the resume window.
 */
final class HandOverAnswer {
  private final RoomDeps deps;

  HandOverAnswer(RoomDeps deps) {
    this.deps = deps;
  }

  Future<JsonObject> answer(JsonObject request) {
    String peerId = request.getString("peerId");
    String newNode = request.getString("node");
    Long lastSeq = request.getLong("lastSeq");
    LocalPeer peer = deps.local().get(peerId);
    if (peer == null && deps.fence().gaveUp(peerId)) {
      return Future.failedFuture(new NodeRouter.GivenUp());
    }
    if (peer == null || peer.state() != LocalPeer.State.ACTIVE) {
      return Future.failedFuture("unknown peer");
    }
    return FlowOutcomes.onPeerContext(
        peer,
        () -> {
          long from = peer.replayFrom(lastSeq);
          JsonObject answer =
              new JsonObject()
                  .put("seq", peer.seq())
                  .put("from", from)
                  .put("recovered", peer.ring().holdsAllAfter(from))
                  .put("ring", peer.ring().toJson());
          peer.end((short) 4000, "resumed elsewhere");
          deps.local().unregister(peer, newNode);
          deps.vertx()
              .setTimer(deps.env().resumeWindowS() * 1000L, t -> deps.local().forgetMove(peerId));
          return answer;
        });
  }
}
