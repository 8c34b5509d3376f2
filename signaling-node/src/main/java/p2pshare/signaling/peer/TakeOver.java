package p2pshare.signaling.peer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.Ids;
import p2pshare.cluster.PeerRecord;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.ops.SignalingMetrics.ResumeOutcome;
import p2pshare.signaling.protocol.ClientMessage;

/**
 * Makes this node a resumed peer's home: the peer record names this node, the room index lists it
 * here, the room's other nodes learn of it, then the welcome. {@code handed} is the old node's
 * handover answer, or null when that node is gone (then the counter continues from the client's
 * lastSeq and recovered is false).
 */
final class TakeOver {
  private static final Logger LOG = LoggerFactory.getLogger(TakeOver.class);

  /** A fence lost with a dying node stops holding messages after this long. */
  static final long FENCE_TIMEOUT_MS = RoomService.FENCE_TIMEOUT_MS;

  /** What the client asked for and where to answer it. */
  record Request(
      PeerRecord record,
      ClientMessage.Join join,
      PeerConnection connection,
      Consumer<LocalPeer> beforeWelcome) {}

  private final RoomDeps deps;
  private final Leaving leaving;

  TakeOver(RoomDeps deps, Leaving leaving) {
    this.deps = deps;
    this.leaving = leaving;
  }

  Future<LocalPeer> run(LocalPeer peer, Request request, JsonObject handed) {
    String token = Ids.randomId();
    String tokenHash = Ids.sha256Hex(token);
    peer.tokenHash(tokenHash);
    Future<LocalPeer> takenOver =
        claimHere(peer, request, tokenHash)
            .compose(
                result ->
                    result.full()
                        ? leaving.abandon(peer, false).transform(x -> FlowOutcomes.roomFull())
                        : announce(peer, request, handed, result)
                            .compose(v -> deps.membership().putToken(tokenHash, peer.peerId()))
                            .compose(v -> FlowOutcomes.stillHere(peer))
                            .map(v -> welcome(peer, request, handed, result, token)));
    return takenOver.onFailure(e -> leaving.abandonIfPending(peer));
  }

  /** The peer record names this node (next epoch, new token), then the room index lists it here. */
  private Future<RoomMembers.JoinResult> claimHere(
      LocalPeer peer, Request request, String tokenHash) {
    PeerRecord record = request.record();
    return deps.membership()
        .putPeer(peer.peerId(), record.movedTo(deps.nodeId(), tokenHash))
        .compose(
            v ->
                deps.membership()
                    .join(
                        request.join().room(),
                        peer.peerId(),
                        new RoomMembers.Member(deps.nodeId(), record.meta()),
                        deps.env().maxPeersPerRoom()));
  }

  /** Updates this node's view and tells the room's other nodes that the peer lives here now. */
  private Future<Void> announce(
      LocalPeer peer, Request request, JsonObject handed, RoomMembers.JoinResult result) {
    String peerId = peer.peerId();
    PeerRecord record = request.record();
    String room = request.join().room();
    if (handed != null) {
      Map<String, String> nodes = nodesOf(result.others());
      peer.context().runOnContext(v -> peer.awaitFences(nodes.values()));
    }
    deps.local().joined(peer, result.others(), result.version(), deps.nodeId());
    Future<Void> told;
    // Its node died (no handover answer, or already dropped from the room index): the others got
    // peer-left from their death watchers, so they must see it join again — also when the janitor
    // has not cleaned the room index yet.
    if (handed == null || !result.wasMember()) {
      told =
          deps.router()
              .announceJoined(room, peerId, record.meta(), result.others(), result.version());
    } else {
      told =
          deps.router()
              .announceMoved(
                  room, peerId, record.meta(), record.nodeId(), result.others(), result.version());
    }
    if (handed != null) {
      deps.router().sendFence(record.nodeId(), peerId);
      deps.vertx()
          .setTimer(FENCE_TIMEOUT_MS, t -> peer.context().runOnContext(v -> peer.releaseFences()));
    }
    return told;
  }

  /** Writes the welcome with what the old node handed over, and counts the resume. */
  private LocalPeer welcome(
      LocalPeer peer,
      Request request,
      JsonObject handed,
      RoomMembers.JoinResult result,
      String token) {
    boolean recovered = handed != null && handed.getBoolean("recovered", false);
    deps.welcomes()
        .write(
            peer,
            request.connection(),
            result.others(),
            token,
            recovered,
            handedReplay(handed),
            () -> activate(peer, request.join(), handed));
    request.beforeWelcome().accept(peer);
    deps.metrics().resume(recovered ? ResumeOutcome.RECOVERED : ResumeOutcome.UNRECOVERED);
    LOG.info(
        "resumed node={} room={} peer={} from={} recovered={}",
        deps.nodeId(),
        Ids.logHash(request.join().room()),
        peer.peerId(),
        request.record().nodeId(),
        recovered);
    return peer;
  }

  /** What the old node held after the client's lastSeq, to replay. */
  private static List<String> handedReplay(JsonObject handed) {
    List<String> out = new ArrayList<>();
    if (handed == null) {
      return out;
    }
    JsonArray ring = handed.getJsonArray("ring");
    long from = handed.getLong("from");
    for (int i = 0; i < ring.size(); i++) {
      String text = ring.getString(i);
      if (new JsonObject(text).getLong("seq") > from) {
        out.add(text);
      }
    }
    return out;
  }

  /** Continues the old node's counter and ring, or the client's lastSeq when nothing was handed. */
  private static void activate(LocalPeer peer, ClientMessage.Join join, JsonObject handed) {
    if (handed == null) {
      peer.activateFresh(join.lastSeq() == null ? 0 : join.lastSeq());
    } else {
      peer.activate(handed.getLong("seq"), handed.getJsonArray("ring"));
    }
  }

  private static Map<String, String> nodesOf(Map<String, RoomMembers.Member> members) {
    Map<String, String> out = new HashMap<>();
    members.forEach((id, m) -> out.put(id, m.nodeId()));
    return out;
  }
}
