package p2pshare.balancer;

/** No signaling node is live and up: the room cannot be placed right now (HTTP 503). */
public final class NoLiveNodeException extends RuntimeException {
  public NoLiveNodeException() {
    super("no live node", null, false, false);
  }
}
