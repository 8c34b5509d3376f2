package p2pshare.signaling.session;

/** Whether the node is shutting down: readiness goes 503 and joins are refused with draining. */
public final class DrainState {
  private volatile boolean draining;

  public boolean draining() {
    return draining;
  }

  public void start() {
    draining = true;
  }
}
