package p2pshare.balancer;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * One anonymous transfer report (POST /api/analytics, docs/PROTOCOL.md). Only closed vocabularies
 * and bounded numbers are accepted, and unknown fields are refused, so nothing identifying — no
 * room, peer, file name or address — can be slipped in.
 */
public record AnalyticsReport(
    String direction,
    String outcome,
    String sizeBucket,
    long durationMs,
    double avgBytesPerSec,
    double peakBytesPerSec,
    String connection,
    int errors,
    String browser) {

  public static final Set<String> DIRECTIONS = Set.of("send", "receive");
  public static final Set<String> OUTCOMES = Set.of("completed", "partial", "failed");
  public static final Set<String> SIZE_BUCKETS =
      Set.of("<1MB", "1-10MB", "10-100MB", "100MB-1GB", "1-10GB", ">10GB");
  public static final Set<String> CONNECTIONS = Set.of("direct", "stun", "relay", "unknown");
  public static final Set<String> BROWSERS = Set.of("chromium", "firefox", "safari", "other");
  private static final Set<String> FIELDS =
      Set.of(
          "v",
          "direction",
          "outcome",
          "sizeBucket",
          "durationMs",
          "avgBps",
          "peakBps",
          "connection",
          "errors",
          "browser");

  /** A week: no single transfer report is longer. */
  public static final long MAX_DURATION_MS = 7L * 24 * 3600 * 1000;

  /** 100 Gbit/s: faster is not a real measurement. */
  public static final double MAX_BYTES_PER_SEC = 12.5e9;

  public static final int MAX_ERRORS = 100_000;

  /** The largest body accepted. */
  public static final int MAX_BODY_BYTES = 1024;

  /** Parses and validates a report; the exception message says what is wrong. */
  public static AnalyticsReport parse(JsonObject json) {
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "'");
      }
    }
    if (!Integer.valueOf(1).equals(json.getValue("v"))) {
      throw new IllegalArgumentException("'v' must be 1");
    }
    double avg = number(json, "avgBps", MAX_BYTES_PER_SEC);
    double peak = number(json, "peakBps", MAX_BYTES_PER_SEC);
    if (peak < avg) {
      throw new IllegalArgumentException("'peakBps' must be at least 'avgBps'");
    }
    return new AnalyticsReport(
        word(json, "direction", DIRECTIONS),
        word(json, "outcome", OUTCOMES),
        word(json, "sizeBucket", SIZE_BUCKETS),
        (long) whole(json, "durationMs", MAX_DURATION_MS),
        avg,
        peak,
        word(json, "connection", CONNECTIONS),
        (int) whole(json, "errors", MAX_ERRORS),
        word(json, "browser", BROWSERS));
  }

  private static String word(JsonObject json, String field, Set<String> allowed) {
    Object v = json.getValue(field);
    if (!(v instanceof String s) || !allowed.contains(s)) {
      throw new IllegalArgumentException("'" + field + "' must be one of " + allowed);
    }
    return s;
  }

  private static double number(JsonObject json, String field, double max) {
    Object v = json.getValue(field);
    if (!(v instanceof Number n)
        || !Double.isFinite(n.doubleValue())
        || n.doubleValue() < 0
        || n.doubleValue() > max) {
      throw new IllegalArgumentException("'" + field + "' must be a number from 0 to " + max);
    }
    return n.doubleValue();
  }

  private static double whole(JsonObject json, String field, double max) {
    double d = number(json, field, max);
    if (d != Math.rint(d)) {
      throw new IllegalArgumentException("'" + field + "' must be a whole number");
    }
    return d;
  }
}
