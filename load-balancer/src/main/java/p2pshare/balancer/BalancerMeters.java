package p2pshare.balancer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * The balancer's own meters (HTTP request meters come from vertx-micrometer-metrics). The target
 * node of a placement is the tag {@code target}: {@code node} is the common tag naming the process
 * that reports.
 */
public final class BalancerMeters {
  private final MeterRegistry registry;
  private final Counter roomsCreated;
  private final Counter rateLimited;
  private final Counter noLiveNode;
  private final Counter metricsScrapeFailures;

  public BalancerMeters(MeterRegistry registry) {
    this.registry = registry;
    this.roomsCreated =
        Counter.builder("p2p.balancer.room.creations")
            .description("Rooms created by POST /api/rooms")
            .register(registry);
    this.rateLimited =
        Counter.builder("p2p.balancer.rate.limited")
            .description("Requests refused with 429 rate-limited")
            .register(registry);
    this.noLiveNode =
        Counter.builder("p2p.balancer.no.live.node")
            .description("Placements refused because no live node was up")
            .register(registry);
    this.metricsScrapeFailures =
        Counter.builder("p2p.balancer.metrics.scrape.failures")
            .description("Node /metrics fetches that failed and were left out of /metrics")
            .register(registry);
    for (RoomAssigner.Kind kind : RoomAssigner.Kind.values()) {
      assignments(kind);
    }
  }

  public void roomCreated() {
    roomsCreated.increment();
  }

  public void rateLimited() {
    rateLimited.increment();
  }

  public void noLiveNode() {
    noLiveNode.increment();
  }

  public void metricsScrapeFailed() {
    metricsScrapeFailures.increment();
  }

  /** One room answer: existing, new or reassigned. */
  public void answered(RoomAssigner.Kind kind) {
    assignments(kind).increment();
  }

  /** A room placed on (kind NEW) or moved to (kind REASSIGNED) a node. */
  public void placed(String targetNode, RoomAssigner.Kind kind) {
    answered(kind);
    Counter.builder("p2p.balancer.placements")
        .description("Rooms placed on or moved to each node")
        .tag("target", targetNode)
        .tag("kind", tag(kind))
        .register(registry)
        .increment();
  }

  private Counter assignments(RoomAssigner.Kind kind) {
    return Counter.builder("p2p.balancer.assignments")
        .description("Room answers of /api/rooms by kind: existing, new, reassigned")
        .tag("kind", tag(kind))
        .register(registry);
  }

  private static String tag(RoomAssigner.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
