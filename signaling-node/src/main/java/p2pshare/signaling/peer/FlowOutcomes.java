package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.Callable;
import p2pshare.signaling.protocol.ErrorCode;
import p2pshare.signaling.protocol.ProtocolException;

/** The outcomes the room flows share: refusals with their error codes, and peer-context hops. */
final class FlowOutcomes {
  private FlowOutcomes() {}

  /** A join the node's fence cut short (the peer ended while joining) gets no welcome. */
  static Future<Void> stillHere(LocalPeer peer) {
    return peer.state() == LocalPeer.State.GONE ? fenced() : Future.succeededFuture();
  }

  /** While fenced this node owns no peer: the client asks the balancer again, as on a drain. */
  static <T> Future<T> fenced() {
    return Future.failedFuture(
        new ProtocolException(
            ErrorCode.DRAINING, "this node is rejoining the cluster; ask the balancer again"));
  }

  static <T> Future<T> badResume() {
    return Future.failedFuture(
        new ProtocolException(ErrorCode.BAD_RESUME, "resume token invalid or expired"));
  }

  static <T> Future<T> roomFull() {
    return Future.failedFuture(new ProtocolException(ErrorCode.ROOM_FULL, "the room is full"));
  }

  /** Runs {@code work} on the peer's own context (its state is only touched there). */
  static <T> Future<T> onPeerContext(LocalPeer peer, Callable<T> work) {
    Promise<T> promise = Promise.promise();
    peer.context()
        .runOnContext(
            v -> {
              try {
                promise.complete(work.call());
              } catch (Exception e) {
                promise.fail(e);
              }
            });
    return promise.future();
  }
}
