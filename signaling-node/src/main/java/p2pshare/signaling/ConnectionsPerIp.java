package p2pshare.signaling;

import java.util.concurrent.ConcurrentHashMap;

/**
 * MAX_CONNECTIONS_PER_IP: how many WebSocket connections one client address holds on this node at
 * once, so the per-socket rate limit cannot be multiplied by opening more sockets. 0 = no limit.
 */
public final class ConnectionsPerIp {
  private final int max;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  public ConnectionsPerIp(int max) {
    this.max = max;
  }

  /** Counts one more connection of the address; false (and nothing counted) when at the cap. */
  public boolean tryAcquire(String address) {
    if (max == 0) {
      return true;
    }
    boolean[] taken = {false};
    open.compute(
        address,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= max) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  /** One connection of the address ended. */
  public void release(String address) {
    if (max == 0) {
      return;
    }
    open.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Addresses with at least one connection (bounded by the open sockets). */
  int trackedAddresses() {
    return open.size();
  }
}
