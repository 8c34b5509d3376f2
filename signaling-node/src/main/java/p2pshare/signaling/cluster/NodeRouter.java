package p2pshare.signaling.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.protocol.PeerEvent;
import p2pshare.signaling.protocol.ServerMessages;

/**
 * Longer than 300 lines: every node-to-node message kind, sending and receiving side, so the wire
 * between nodes reads in one place.
 *
 * <p>Routes messages between peers at node level: one clustered consumer per node, and messages to
 * several peers on one node travel as one event-bus message. Relayed messages travel as a binary
 * {@link DeliverFrame} (with {@link DeliverFrameCodec}); membership and handover messages as JSON
 * objects.
 */
public final class NodeRouter {
  /** How long a node waits for others to acknowledge a room event before it goes on. */
  public static final long ACK_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final String nodeId;
  private final LocalInbox local;
  private final SignalingMetrics metrics;
  private final LiveNodes live;
  private final MembershipMetrics membershipMetrics;
  private Function<JsonObject, Future<JsonObject>> handoverHandler;

  public NodeRouter(
      Vertx vertx,
      String nodeId,
      LocalInbox local,
      SignalingMetrics metrics,
      LiveNodes live,
      MembershipMetrics membershipMetrics) {
    this.membershipMetrics = membershipMetrics;
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.local = local;
    this.metrics = metrics;
    this.live = live;
  }

  /** Registers the node's consumer; the future completes once it is known cluster-wide. */
  public Future<Void> start(Function<JsonObject, Future<JsonObject>> handover) {
    this.handoverHandler = handover;
    DeliverFrameCodec.register(vertx, nodeId);
    MessageConsumer<Object> consumer =
        vertx.eventBus().consumer(ClusterNames.nodeAddress(nodeId), this::handle);
    return consumer.completion();
  }

  /**
   * A handover answer: this node gave the peer up when it fenced itself, so the new node takes it
   * over with nothing recovered (as from a dead node) instead of refusing the resume.
   */
  public static final class GivenUp extends RuntimeException {
    public static final int FAILURE_CODE = 409;

    public GivenUp() {
      super("peer given up by a fenced node", null, false, false);
    }
  }

  /** Sends {@code message} to peers that all live on {@code targetNode}. */
  public void deliver(String targetNode, List<String> to, PeerEvent message) {
    deliver(targetNode, to, message, nodeId, false);
  }

  private void deliver(
      String targetNode, List<String> to, PeerEvent message, String origin, boolean forwarded) {
    if (targetNode.equals(nodeId)) {
      to.forEach(peerId -> deliverHere(peerId, message, origin, forwarded));
    } else {
      metrics.crossNodeSent();
      vertx
          .eventBus()
          .send(
              ClusterNames.nodeAddress(targetNode),
              new DeliverFrame(to, message, origin, forwarded));
    }
  }

  /** Sends this node's fence for a moved peer through its old node (see LocalPeer#deliver). */
  public void sendFence(String oldNode, String peerId) {
    routeFence(oldNode, peerId, nodeId);
  }

  private void routeFence(String targetNode, String peerId, String origin) {
    if (targetNode.equals(nodeId)) {
      local.fence(peerId, origin, forwarder);
    } else {
      metrics.crossNodeSent();
      vertx
          .eventBus()
          .send(ClusterNames.nodeAddress(targetNode), stamp(NodeMessages.fence(peerId, origin)));
    }
  }

  /**
   * Tells every other member's node that a peer joined at room {@code version}; completes when all
   * acknowledged (their views then list the newcomer).
   */
  public Future<Void> announceJoined(
      String room,
      String peerId,
      String meta,
      Map<String, RoomMembers.Member> others,
      long version) {
    List<Future<?>> acks = new ArrayList<>();
    byNode(others)
        .forEach(
            (node, ids) -> {
              if (node.equals(nodeId)) {
                PeerEvent event = ServerMessages.peerJoined(peerId, meta);
                ids.forEach(id -> deliverHere(id, event));
              } else {
                acks.add(
                    request(
                        node,
                        stamp(NodeMessages.joined(room, peerId, meta, nodeId, version, ids))));
              }
            });
    return Future.join(acks).mapEmpty();
  }

  /** Tells every remaining member (and its node's view) that a peer left at {@code version}. */
  public void announceLeft(
      String room, String peerId, Map<String, RoomMembers.Member> remaining, long version) {
    Map<String, List<String>> targets = byNode(remaining);
    // This node's view learns the removal even when no local peer remains to be told.
    targets.putIfAbsent(nodeId, new ArrayList<>());
    targets.forEach(
        (node, ids) -> {
          if (node.equals(nodeId)) {
            applyLeft(room, peerId, version, ids);
          } else {
            metrics.crossNodeSent();
            vertx
                .eventBus()
                .send(
                    ClusterNames.nodeAddress(node),
                    stamp(NodeMessages.left(room, peerId, version, ids)));
          }
        });
  }

  /** Tells the other members' nodes that a peer now lives here; completes when acknowledged. */
  public Future<Void> announceMoved(
      String room,
      String peerId,
      String meta,
      String oldNode,
      Map<String, RoomMembers.Member> others,
      long version) {
    List<Future<?>> acks = new ArrayList<>();
    byNode(others).keySet().stream()
        .filter(node -> !node.equals(nodeId))
        .forEach(
            node ->
                acks.add(
                    request(
                        node,
                        stamp(NodeMessages.moved(room, peerId, meta, nodeId, oldNode, version)))));
    return Future.join(acks).mapEmpty();
  }

  /** Asks another node to hand a peer over. */
  public Future<JsonObject> requestHandover(String oldNode, String peerId, Long lastSeq) {
    return vertx
        .eventBus()
        .<JsonObject>request(
            ClusterNames.nodeAddress(oldNode),
            stamp(NodeMessages.handover(peerId, lastSeq, nodeId)),
            new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS))
        .map(Message::body);
  }

  private Future<Object> request(String node, JsonObject body) {
    metrics.crossNodeSent();
    return vertx
        .eventBus()
        .request(
            ClusterNames.nodeAddress(node),
            body,
            new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS))
        .map(Message::body)
        // A node that does not answer is dead or dying: its death handling covers its peers.
        .otherwise((Object) null);
  }

  private void handle(Message<Object> message) {
    metrics.crossNodeReceived();
    Object raw = message.body();
    if (raw instanceof DeliverFrame || raw instanceof Buffer) {
      // A Buffer is what a node from before DeliverFrameCodec sends.
      DeliverFrame d = raw instanceof DeliverFrame f ? f : DeliverFrame.decode((Buffer) raw);
      if (!live.isLive(d.origin())) {
        // Sent by a node the cluster declared dead (frozen or cut off, and its peers were told
        // peer-left): delivering it now would be stale, and could overtake newer messages.
        membershipMetrics.staleDropped();
        return;
      }
      d.to().forEach(id -> deliverHere(id, d.event(), d.origin(), d.forwarded()));
      return;
    }
    if (!(message.body() instanceof JsonObject body)) {
      message.fail(400, "unknown node message");
      return;
    }
    if (!live.isLive(body.getString(NodeMessages.FROM))) {
      membershipMetrics.staleDropped();
      message.fail(410, "sender is not a cluster member");
      return;
    }
    switch (body.getString(NodeMessages.KIND, "")) {
      case NodeMessages.FENCE ->
          routeFence(nodeId, body.getString("peerId"), body.getString("origin"));
      case NodeMessages.JOINED -> {
        String room = body.getString("room");
        String peerId = body.getString("peerId");
        String meta = body.getString("meta");
        local.applyToView(room, peerId, body.getString("node"), meta, true, version(body));
        PeerEvent event = ServerMessages.peerJoined(peerId, meta);
        strings(body.getJsonArray("to")).forEach(id -> deliverHere(id, event));
        message.reply(true);
      }
      case NodeMessages.LEFT ->
          applyLeft(
              body.getString("room"),
              body.getString("peerId"),
              version(body),
              strings(body.getJsonArray("to")));
      case NodeMessages.MOVED -> {
        String peerId = body.getString("peerId");
        local.applyToView(
            body.getString("room"),
            peerId,
            body.getString("node"),
            body.getString("meta"),
            true,
            version(body));
        // Everything this node sent to the old node before now is ahead of this fence.
        routeFence(body.getString("oldNode"), peerId, nodeId);
        message.reply(true);
      }
      case NodeMessages.HANDOVER ->
          handoverHandler
              .apply(body)
              .onSuccess(message::reply)
              .onFailure(
                  e ->
                      message.fail(
                          e instanceof GivenUp ? GivenUp.FAILURE_CODE : 404, e.getMessage()));
      default -> message.fail(400, "unknown node message");
    }
  }

  private void applyLeft(String room, String peerId, long version, List<String> to) {
    local.applyToView(room, peerId, "", null, false, version);
    PeerEvent event = ServerMessages.peerLeft(peerId);
    to.forEach(id -> deliverHere(id, event));
  }

  /** Names this node as the sender, so a receiver can ignore a node the cluster declared dead. */
  private JsonObject stamp(JsonObject body) {
    return body.put(NodeMessages.FROM, nodeId);
  }

  private static long version(JsonObject body) {
    return body.getLong(NodeMessages.VERSION, 0L);
  }

  /** Delivers to a peer of this node, or forwards it to the node the peer moved to. */
  private void deliverHere(String peerId, PeerEvent message) {
    deliverHere(peerId, message, nodeId, false);
  }

  private void deliverHere(String peerId, PeerEvent message, String origin, boolean forwarded) {
    local.deliver(peerId, message, origin, forwarded, forwarder);
  }

  /** Passes on, to a moved peer's new node, what still reached its old one (this node). */
  private final LocalInbox.Forwarder forwarder =
      new LocalInbox.Forwarder() {
        @Override
        public void message(String peerId, PeerEvent message, String origin) {
          String newNode = local.movedTo(peerId);
          if (newNode != null && !newNode.equals(nodeId)) {
            deliver(newNode, List.of(peerId), message, origin, true);
          }
        }

        @Override
        public void fence(String peerId, String origin) {
          String newNode = local.movedTo(peerId);
          if (newNode != null && !newNode.equals(nodeId)) {
            routeFence(newNode, peerId, origin);
          }
        }
      };

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>(array.size());
    array.forEach(o -> out.add((String) o));
    return out;
  }

  private static Map<String, List<String>> byNode(Map<String, RoomMembers.Member> members) {
    Map<String, List<String>> out = new HashMap<>();
    members.forEach((id, m) -> out.computeIfAbsent(m.nodeId(), n -> new ArrayList<>()).add(id));
    return out;
  }
}
