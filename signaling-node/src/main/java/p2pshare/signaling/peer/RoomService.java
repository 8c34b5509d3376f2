package p2pshare.signaling.peer;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.Ids;
import p2pshare.cluster.PeerRecord;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.cluster.Membership;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.ops.SignalingMetrics.ResumeOutcome;
import p2pshare.signaling.protocol.ClientMessage;
import p2pshare.signaling.protocol.ErrorCode;
import p2pshare.signaling.protocol.PeerEvent;
import p2pshare.signaling.protocol.ProtocolException;
import p2pshare.signaling.protocol.ServerMessages;
import p2pshare.signaling.turn.TurnCredentials;

/**
 * Joins, resumes, relays and leaves. Every flow that changes membership goes through Hazelcast
 * first and only then tells the other nodes, which acknowledge before the joiner's welcome is
 * written: so a message sent after a welcome always finds the new peer.
 */
public final class RoomService {
  private static final Logger LOG = LoggerFactory.getLogger(RoomService.class);

  /** A fence lost with a dying node stops holding messages after this long. */
  public static final long FENCE_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final EnvConfig env;
  private final Membership membership;
  private final NodeRouter router;
  private final LocalPeers local;
  private final SignalingMetrics metrics;
  private final WelcomeWriter welcomes;
  private final NodeFence fence;

  public RoomService(
      Vertx vertx,
      EnvConfig env,
      Membership membership,
      NodeRouter router,
      LocalPeers local,
      SignalingMetrics metrics,
      NodeFence fence) {
    this.fence = fence;
    this.vertx = vertx;
    this.env = env;
    this.membership = membership;
    this.router = router;
    this.local = local;
    this.metrics = metrics;
    this.welcomes =
        new WelcomeWriter(
            env.nodeId(),
            new TurnCredentials(env.turnUrls(), env.turnSecret(), env.turnTtlS()),
            local);
  }

  private String nodeId() {
    return env.nodeId();
  }

  /** A fresh join: a new peer id, added to the room unless it is full. */
  public Future<LocalPeer> join(
      ClientMessage.Join join, PeerConnection connection, Consumer<LocalPeer> beforeWelcome) {
    if (fence.fenced()) {
      return fenced();
    }
    Context context = vertx.getOrCreateContext();
    String peerId = Ids.randomId();
    String meta = join.meta() == null ? null : join.meta().encode();
    String token = Ids.randomId();
    String tokenHash = Ids.sha256Hex(token);
    LocalPeer peer = new LocalPeer(peerId, join.room(), meta, context, LocalPeer.State.PENDING);
    peer.tokenHash(tokenHash);
    // Reachable before the room index lists it: a peer-joined aimed at it by a later joiner (whose
    // entry processor may return before ours) is buffered, not dropped, and its room view exists.
    local.register(peer);
    local.addLocal(peer);
    // The peer record and the token go out together with the room's entry processor (one round
    // trip, not three); the welcome waits for all of them, so a resume right after it finds both.
    Future<Void> recordAndToken =
        Future.all(
                membership.putPeer(
                    peerId, new PeerRecord(join.room(), nodeId(), meta, tokenHash, 1, 0)),
                membership.putToken(tokenHash, peerId))
            .mapEmpty();
    Future<LocalPeer> joined =
        membership
            .join(
                join.room(), peerId, new RoomMembers.Member(nodeId(), meta), env.maxPeersPerRoom())
            .compose(
                result -> {
                  if (result.full()) {
                    return recordAndToken
                        .eventually(() -> abandon(peer, false))
                        .transform(
                            x ->
                                Future.failedFuture(
                                    new ProtocolException(
                                        ErrorCode.ROOM_FULL, "the room is full")));
                  }
                  local.joined(peer, result.others(), result.version(), nodeId());
                  return recordAndToken
                      .compose(
                          v ->
                              router.announceJoined(
                                  join.room(), peerId, meta, result.others(), result.version()))
                      .compose(v -> stillHere(peer))
                      .map(
                          v -> {
                            // A fresh join restores no session: recovered is false (PROTOCOL.md).
                            welcomes.write(
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
                                nodeId(),
                                Ids.logHash(join.room()),
                                peerId);
                            return peer;
                          });
                });
    return joined.onFailure(
        e -> {
          if (peer.state() == LocalPeer.State.PENDING) {
            abandon(peer, true);
          }
        });
  }

  /**
   * A join that did not complete: the peer is no longer this node's, nor (if listed) the room's.
   */
  private Future<Void> abandon(LocalPeer peer, boolean wasListed) {
    peer.end((short) 1011, "join failed");
    local.unregister(peer, null);
    Future<Void> out =
        Future.join(
                membership.removePeerIfOwner(peer.peerId(), nodeId()),
                membership.revokeToken(peer.tokenHash()))
            .mapEmpty();
    return wasListed ? leaveRoom(peer).compose(v -> out) : out;
  }

  /** A resume with a token: here, from another live node, or as an orphan of a dead node. */
  public Future<LocalPeer> resume(
      ClientMessage.Join join, PeerConnection connection, Consumer<LocalPeer> beforeWelcome) {
    if (fence.fenced()) {
      return fenced();
    }
    Future<LocalPeer> resumed =
        membership
            .consumeToken(Ids.sha256Hex(join.resume()))
            .compose(
                peerId ->
                    peerId == null
                        ? badResume()
                        : membership.getPeer(peerId).map(r -> new Found(peerId, r)))
            .compose(
                found -> {
                  PeerRecord record = found.record();
                  if (record == null || !record.room().equals(join.room())) {
                    return badResume();
                  }
                  if (record.orphaned()) {
                    return record.orphanUntil() < System.currentTimeMillis()
                        ? badResume()
                        : takeOver(
                            pendingHere(found.peerId(), record, join),
                            record,
                            join,
                            connection,
                            beforeWelcome,
                            null);
                  }
                  if (record.nodeId().equals(nodeId())) {
                    return resumeHere(found.peerId(), record, join, connection, beforeWelcome);
                  }
                  return handOver(found.peerId(), record, join, connection, beforeWelcome);
                });
    return resumed.onFailure(
        e -> {
          if (e instanceof ProtocolException p && p.code() == ErrorCode.BAD_RESUME) {
            metrics.resume(ResumeOutcome.REJECTED);
          }
        });
  }

  private record Found(String peerId, PeerRecord record) {}

  /** A join the node's fence cut short (the peer ended while joining) gets no welcome. */
  private static Future<Void> stillHere(LocalPeer peer) {
    return peer.state() == LocalPeer.State.GONE ? fenced() : Future.succeededFuture();
  }

  /** While fenced this node owns no peer: the client asks the balancer again, as on a drain. */
  private static <T> Future<T> fenced() {
    return Future.failedFuture(
        new ProtocolException(
            ErrorCode.DRAINING, "this node is rejoining the cluster; ask the balancer again"));
  }

  private static <T> Future<T> badResume() {
    return Future.failedFuture(
        new ProtocolException(ErrorCode.BAD_RESUME, "resume token invalid or expired"));
  }

  private Future<LocalPeer> resumeHere(
      String peerId,
      PeerRecord record,
      ClientMessage.Join join,
      PeerConnection connection,
      Consumer<LocalPeer> beforeWelcome) {
    LocalPeer peer = local.get(peerId);
    if (peer == null || peer.state() != LocalPeer.State.ACTIVE) {
      return badResume();
    }
    String token = Ids.randomId();
    String tokenHash = Ids.sha256Hex(token);
    return membership
        .putToken(tokenHash, peerId)
        .compose(v -> membership.putPeer(peerId, record.withToken(tokenHash)))
        .compose(v -> membership.members(join.room()))
        .compose(
            members -> {
              RoomMembers.Members others = new RoomMembers.Members(members);
              others.remove(peerId);
              RoomView view = local.view(join.room());
              if (view != null) {
                // The view is then at least as new as the list the welcome carries.
                view.applySnapshot(members, members.version(), node -> true);
              }
              return onPeerContext(
                  peer,
                  () -> {
                    peer.tokenHash(tokenHash);
                    long from = peer.replayFrom(join.lastSeq());
                    boolean recovered = peer.ring().holdsAllAfter(from);
                    welcomes.write(
                        peer,
                        connection,
                        others,
                        token,
                        recovered,
                        peer.ring().after(from),
                        () -> {});
                    beforeWelcome.accept(peer);
                    metrics.resume(recovered ? ResumeOutcome.RECOVERED : ResumeOutcome.UNRECOVERED);
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
    return router
        .requestHandover(record.nodeId(), peerId, join.lastSeq())
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return takeOver(peer, record, join, connection, beforeWelcome, ar.result());
              }
              if (ar.cause() instanceof io.vertx.core.eventbus.ReplyException re
                  && re.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE
                  && re.failureCode() != NodeRouter.GivenUp.FAILURE_CODE) {
                peer.end((short) 1000, "bad resume");
                local.unregister(peer, null);
                return badResume();
              }
              // The old node does not answer: it is dead or dying, so nothing can be recovered.
              return takeOver(peer, record, join, connection, beforeWelcome, null);
            });
  }

  /** A peer that is about to be taken over here, buffering what it is sent until then. */
  private LocalPeer pendingHere(String peerId, PeerRecord record, ClientMessage.Join join) {
    LocalPeer existing = local.get(peerId);
    if (existing != null) {
      existing.end((short) 4000, "resumed elsewhere");
      local.unregister(existing, nodeId());
    }
    LocalPeer peer =
        new LocalPeer(
            peerId,
            join.room(),
            record.meta(),
            vertx.getOrCreateContext(),
            LocalPeer.State.PENDING);
    local.register(peer);
    local.addLocal(peer);
    return peer;
  }

  /**
   * Makes this node the peer's home. {@code handed} is the old node's answer, or null when that
   * node is gone (then the counter continues from the client's lastSeq and recovered is false).
   */
  private Future<LocalPeer> takeOver(
      LocalPeer peer,
      PeerRecord record,
      ClientMessage.Join join,
      PeerConnection connection,
      Consumer<LocalPeer> beforeWelcome,
      JsonObject handed) {
    String peerId = peer.peerId();
    String token = Ids.randomId();
    String tokenHash = Ids.sha256Hex(token);
    peer.tokenHash(tokenHash);
    Future<LocalPeer> takenOver =
        membership
            .putPeer(peerId, record.movedTo(nodeId(), tokenHash))
            .compose(
                v ->
                    membership.join(
                        join.room(),
                        peerId,
                        new RoomMembers.Member(nodeId(), record.meta()),
                        env.maxPeersPerRoom()))
            .compose(
                result -> {
                  if (result.full()) {
                    return abandon(peer, false)
                        .transform(
                            x ->
                                Future.failedFuture(
                                    new ProtocolException(
                                        ErrorCode.ROOM_FULL, "the room is full")));
                  }
                  return announceTakeOver(peer, record, join, handed, result)
                      .compose(v -> membership.putToken(tokenHash, peerId))
                      .compose(v -> stillHere(peer))
                      .map(
                          v -> {
                            boolean recovered =
                                handed != null && handed.getBoolean("recovered", false);
                            welcomes.write(
                                peer,
                                connection,
                                result.others(),
                                token,
                                recovered,
                                handedReplay(handed),
                                () -> activateTakenOver(peer, join, handed));
                            beforeWelcome.accept(peer);
                            metrics.resume(
                                recovered ? ResumeOutcome.RECOVERED : ResumeOutcome.UNRECOVERED);
                            LOG.info(
                                "resumed node={} room={} peer={} from={} recovered={}",
                                nodeId(),
                                Ids.logHash(join.room()),
                                peerId,
                                record.nodeId(),
                                recovered);
                            return peer;
                          });
                });
    return takenOver.onFailure(
        e -> {
          if (peer.state() == LocalPeer.State.PENDING) {
            abandon(peer, true);
          }
        });
  }

  /** Updates this node's view and tells the room's other nodes that the peer lives here now. */
  private Future<Void> announceTakeOver(
      LocalPeer peer,
      PeerRecord record,
      ClientMessage.Join join,
      JsonObject handed,
      RoomMembers.JoinResult result) {
    String peerId = peer.peerId();
    if (handed != null) {
      Map<String, String> nodes = nodesOf(result.others());
      peer.context().runOnContext(v -> peer.awaitFences(nodes.values()));
    }
    local.joined(peer, result.others(), result.version(), nodeId());
    Future<Void> told;
    // Its node died (no handover answer, or already dropped from the room index): the others got
    // peer-left from their death watchers, so they must see it join again — also when the janitor
    // has not cleaned the room index yet.
    if (handed == null || !result.wasMember()) {
      told =
          router.announceJoined(
              join.room(), peerId, record.meta(), result.others(), result.version());
    } else {
      told =
          router.announceMoved(
              join.room(),
              peerId,
              record.meta(),
              record.nodeId(),
              result.others(),
              result.version());
    }
    if (handed != null) {
      router.sendFence(record.nodeId(), peerId);
      vertx.setTimer(FENCE_TIMEOUT_MS, t -> peer.context().runOnContext(v -> peer.releaseFences()));
    }
    return told;
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
  private static void activateTakenOver(
      LocalPeer peer, ClientMessage.Join join, JsonObject handed) {
    if (handed == null) {
      peer.activateFresh(join.lastSeq() == null ? 0 : join.lastSeq());
    } else {
      peer.activate(handed.getLong("seq"), handed.getJsonArray("ring"));
    }
  }

  /**
   * The old node's side of a handover: stop owning the peer, answer with its counter and ring,
   * forward anything that still arrives here to the new node.
   */
  public Future<JsonObject> handOverTo(JsonObject request) {
    String peerId = request.getString("peerId");
    String newNode = request.getString("node");
    Long lastSeq = request.getLong("lastSeq");
    LocalPeer peer = local.get(peerId);
    if (peer == null && fence.gaveUp(peerId)) {
      return Future.failedFuture(new NodeRouter.GivenUp());
    }
    if (peer == null || peer.state() != LocalPeer.State.ACTIVE) {
      return Future.failedFuture("unknown peer");
    }
    return onPeerContext(
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
          local.unregister(peer, newNode);
          vertx.setTimer(env.resumeWindowS() * 1000L, t -> local.forgetMove(peerId));
          return answer;
        });
  }

  /*
   * endedSender: frames still read from a socket whose peer ended here (it was fenced, or moved to
   * another socket) are not relayed, nor answered unknown-peer: the socket was told to reconnect
   * (or closed 4000) and is closing, and the client re-sends from its new session.
   */

  /** Relays a signal to one peer of the sender's room. */
  public void signal(LocalPeer from, String to, p2pshare.signaling.protocol.JsonText data)
      throws ProtocolException {
    if (from.state() == LocalPeer.State.GONE) {
      return; // see endedSender
    }
    RoomView view = local.view(from.room());
    String node = view == null || to.equals(from.peerId()) ? null : view.nodeOf(to);
    if (node == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_PEER, "no such peer in this room");
    }
    router.deliver(node, List.of(to), ServerMessages.signal(from.peerId(), data));
  }

  /**
   * Relays a broadcast to every other peer of the sender's room, one event-bus message per node.
   */
  public void broadcast(LocalPeer from, p2pshare.signaling.protocol.JsonText data) {
    if (from.state() == LocalPeer.State.GONE) {
      return; // see endedSender
    }
    RoomView view = local.view(from.room());
    if (view == null) {
      return;
    }
    Map<String, List<String>> byNode = new HashMap<>();
    view.members()
        .forEach(
            (id, node) -> {
              if (!id.equals(from.peerId())) {
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(id);
              }
            });
    PeerEvent message = ServerMessages.broadcast(from.peerId(), data);
    byNode.forEach((node, ids) -> router.deliver(node, ids, message));
  }

  /** The socket dropped: the peer stays in the room for the resume window. */
  public void dropped(LocalPeer peer, PeerConnection connection) {
    // At once when on the peer's thread: a relay delivered inline right after the close must
    // count as missed (after the drop point), not as written to the dead socket.
    peer.onLoop(
        () -> {
          if (peer.state() != LocalPeer.State.ACTIVE) {
            return;
          }
          long timer = vertx.setTimer(env.resumeWindowS() * 1000L, t -> expire(peer));
          peer.detach(connection, timer);
        });
  }

  private void expire(LocalPeer peer) {
    if (peer.state() == LocalPeer.State.ACTIVE && !peer.connected()) {
      leave(peer);
    }
  }

  /** The peer leaves for good: out of the room, the others told, its token revoked. */
  public Future<Void> leave(LocalPeer peer) {
    if (peer.state() == LocalPeer.State.GONE) {
      return Future.succeededFuture();
    }
    peer.end((short) 1000, "left");
    local.unregister(peer, null);
    return leaveRoom(peer)
        .compose(
            owned ->
                Future.join(
                    // Only the owner removes the record: a peer that moved on keeps its own.
                    owned
                        ? membership.removePeerIfOwner(peer.peerId(), nodeId())
                        : Future.succeededFuture(),
                    membership.revokeToken(peer.tokenHash())))
        .onFailure(
            e ->
                LOG.warn(
                    "leave failed node={} peer={} error={}", nodeId(), peer.peerId(), e.toString()))
        .mapEmpty();
  }

  /**
   * Takes the peer out of its room if this node still owns it there, and tells the others; the
   * result says whether it did.
   */
  private Future<Boolean> leaveRoom(LocalPeer peer) {
    return membership
        .leave(peer.room(), peer.peerId(), nodeId())
        .map(
            result -> {
              if (result == null) {
                return false;
              }
              router.announceLeft(peer.room(), peer.peerId(), result.remaining(), result.version());
              return true;
            });
  }

  private static Map<String, String> nodesOf(Map<String, RoomMembers.Member> members) {
    Map<String, String> out = new HashMap<>();
    members.forEach((id, m) -> out.put(id, m.nodeId()));
    return out;
  }

  private static <T> Future<T> onPeerContext(
      LocalPeer peer, java.util.concurrent.Callable<T> work) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
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
