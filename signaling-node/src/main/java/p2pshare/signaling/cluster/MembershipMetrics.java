package p2pshare.signaling.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Meters of membership repair and fencing (docs/OPERATIONS.md lists them). */
public final class MembershipMetrics {
  private final Counter staleDropped;
  private final Counter repairsSent;
  private final Counter reclaimed;
  private final Counter fenced;

  public MembershipMetrics(MeterRegistry registry) {
    staleDropped =
        Counter.builder("p2p_stale_node_messages_dropped")
            .description("Messages from a node the cluster had declared dead, dropped")
            .register(registry);
    repairsSent =
        Counter.builder("p2p_membership_repairs")
            .description("peer-joined/peer-left sent by anti-entropy (an event had been missed)")
            .register(registry);
    reclaimed =
        Counter.builder("p2p_peers_reclaimed")
            .description("Local peers put back into their room after the cluster dropped them")
            .register(registry);
    fenced =
        Counter.builder("p2p_peers_fenced")
            .description("Local peers told to reconnect because this node was cut off or stale")
            .register(registry);
  }

  public void staleDropped() {
    staleDropped.increment();
  }

  public void repairsSent(int count) {
    repairsSent.increment(count);
  }

  public void reclaimed() {
    reclaimed.increment();
  }

  public void fenced(int count) {
    fenced.increment(count);
  }
}
