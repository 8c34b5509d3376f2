package p2pshare.signaling.peer;

import io.vertx.core.Vertx;
import p2pshare.cluster.EnvConfig;
import p2pshare.signaling.cluster.Membership;
import p2pshare.signaling.cluster.NodeRouter;
import p2pshare.signaling.ops.SignalingMetrics;

/**
 * What every room flow uses: this node's settings, the cluster's membership in Hazelcast, node
 * routing, this node's peers, its metrics, the welcome writer and the node's fence.
 */
record RoomDeps(
    Vertx vertx,
    EnvConfig env,
    Membership membership,
    NodeRouter router,
    LocalPeers local,
    SignalingMetrics metrics,
    WelcomeWriter welcomes,
    NodeFence fence) {
  String nodeId() {
    return env.nodeId();
  }
}
