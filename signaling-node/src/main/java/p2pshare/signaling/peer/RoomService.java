package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import p2pshare.cluster.EnvConfig;
import p2pshare.signaling.cluster.Membership;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.protocol.ClientMessage;
import p2pshare.signaling.protocol.JsonText;
import p2pshare.signaling.protocol.ProtocolException;
import p2pshare.signaling.turn.TurnCredentials;

/**
 * Joins, resumes, relays and leaves, each flow in its own class: {@link FreshJoin}, {@link Resume}
 * (with {@link TakeOver} and, on the old node, {@link HandOverAnswer}), {@link Relay} and {@link
 * Leaving}. Every flow that changes membership goes through Hazelcast first and only then tells the
 * other nodes, which acknowledge before the joiner's welcome is written: so a message sent after a
 * welcome always finds the new peer.
 */
public final class RoomService {
  /** A fence lost with a dying node stops holding messages after this long. */
  public static final long FENCE_TIMEOUT_MS = 3_000;

  private final FreshJoin freshJoin;
  private final Resume resume;
  private final HandOverAnswer handOverAnswer;
  private final Relay relay;
  private final Leaving leaving;

  public RoomService(
      Vertx vertx,
      EnvConfig env,
      Membership membership,
      NodeRouter router,
      LocalPeers local,
      SignalingMetrics metrics,
      NodeFence fence) {
    WelcomeWriter welcomes =
        new WelcomeWriter(
            env.nodeId(),
            new TurnCredentials(env.turnUrls(), env.turnSecret(), env.turnTtlS()),
            local);
    RoomDeps deps = new RoomDeps(vertx, env, membership, router, local, metrics, welcomes, fence);
    this.leaving = new Leaving(deps);
    this.freshJoin = new FreshJoin(deps, leaving);
    this.resume = new Resume(deps, new TakeOver(deps, leaving));
    this.handOverAnswer = new HandOverAnswer(deps);
    this.relay = new Relay(local, router);
  }

  /** A fresh join: a new peer id, added to the room unless it is full. */
  public Future<LocalPeer> join(
      ClientMessage.Join join, PeerConnection connection, Consumer<LocalPeer> beforeWelcome) {
    return freshJoin.join(join, connection, beforeWelcome);
  }

  /** A resume with a token: here, from another live node, or as an orphan of a dead node. */
  public Future<LocalPeer> resume(
      ClientMessage.Join join, PeerConnection connection, Consumer<LocalPeer> beforeWelcome) {
    return resume.resume(join, connection, beforeWelcome);
  }

  /** The old node's side of a handover (see {@link HandOverAnswer}). */
  public Future<JsonObject> handOverTo(JsonObject request) {
    return handOverAnswer.answer(request);
  }

  /** Relays a signal to one peer of the sender's room. */
  public void signal(LocalPeer from, String to, JsonText data) throws ProtocolException {
    relay.signal(from, to, data);
  }

  /** Relays a broadcast to every other peer of the sender's room. */
  public void broadcast(LocalPeer from, JsonText data) {
    relay.broadcast(from, data);
  }

  /** The socket dropped: the peer stays in the room for the resume window. */
  public void dropped(LocalPeer peer, PeerConnection connection) {
    leaving.dropped(peer, connection);
  }

  /** The peer leaves for good: out of the room, the others told, its token revoked. */
  public Future<Void> leave(LocalPeer peer) {
    return leaving.leave(peer);
  }
}
