package p2pshare.balancer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Aggregates of the accepted analytics reports: Prometheus meters, and a summary for /dashboard.
 */
public final class AnalyticsMeters {
  private final MeterRegistry registry;
  private final DistributionSummary duration;
  private final DistributionSummary avgSpeed;
  private final DistributionSummary peakSpeed;
  private final Counter errors;
  private final Counter rejected;
  private final Map<String, LongAdder> byConnection = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>();
  private final LongAdder reports = new LongAdder();
  private final DoubleAdder avgSpeedSum = new DoubleAdder();

  public AnalyticsMeters(MeterRegistry registry) {
    this.registry = registry;
    duration =
        DistributionSummary.builder("p2p.analytics.transfer.duration.seconds")
            .description("Reported transfer durations")
            .publishPercentiles(0.5, 0.9, 0.99)
            .register(registry);
    avgSpeed =
        DistributionSummary.builder("p2p.analytics.avg.speed.bytes.per.second")
            .description("Reported average transfer speeds")
            .publishPercentiles(0.5, 0.9)
            .register(registry);
    peakSpeed =
        DistributionSummary.builder("p2p.analytics.peak.speed.bytes.per.second")
            .description("Reported peak transfer speeds")
            .publishPercentiles(0.5, 0.9)
            .register(registry);
    errors =
        Counter.builder("p2p.analytics.transfer.errors")
            .description("Errors reported by clients")
            .register(registry);
    rejected =
        Counter.builder("p2p.analytics.rejected")
            .description("Analytics reports refused as malformed")
            .register(registry);
  }

  public void record(AnalyticsReport r) {
    Counter.builder("p2p.analytics.transfers")
        .description("Transfers reported by opted-in clients")
        .tag("direction", r.direction())
        .tag("outcome", r.outcome())
        .tag("size_bucket", r.sizeBucket())
        .tag("connection", r.connection())
        .tag("browser", r.browser())
        .register(registry)
        .increment();
    duration.record(r.durationMs() / 1000.0);
    avgSpeed.record(r.avgBytesPerSec());
    peakSpeed.record(r.peakBytesPerSec());
    errors.increment(r.errors());
    reports.increment();
    avgSpeedSum.add(r.avgBytesPerSec());
    byConnection.computeIfAbsent(r.connection(), k -> new LongAdder()).increment();
    byOutcome.computeIfAbsent(r.outcome(), k -> new LongAdder()).increment();
  }

  public void rejected() {
    rejected.increment();
  }

  /** What /dashboard shows: counts by connection type and outcome, and the mean speed. */
  public JsonObject summary() {
    JsonObject connections = new JsonObject();
    byConnection.forEach((k, v) -> connections.put(k, v.sum()));
    JsonObject outcomes = new JsonObject();
    byOutcome.forEach((k, v) -> outcomes.put(k, v.sum()));
    long n = reports.sum();
    return new JsonObject()
        .put("reports", n)
        .put("byConnection", connections)
        .put("byOutcome", outcomes)
        .put("meanAvgBytesPerSec", n == 0 ? 0 : avgSpeedSum.sum() / n);
  }
}
