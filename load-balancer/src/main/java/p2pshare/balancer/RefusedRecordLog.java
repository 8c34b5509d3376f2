package p2pshare.balancer;

import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;

/**
 * Warns about refused node records without their content (a forged record is attacker text: no URL
 * or id of it reaches the log) and at most once per {@link #WARN_EVERY_MS}, since the same record
 * is read again on every registry read.
 */
final class RefusedRecordLog {
  static final long WARN_EVERY_MS = 60_000;

  private final Logger log;
  private final Map<String, Integer> sinceLastWarning = new TreeMap<>();
  private long lastWarningMs = Long.MIN_VALUE / 2;

  RefusedRecordLog(Logger log) {
    this.log = log;
  }

  /** Counts one refused record by the field that failed; warns when the last warning is old. */
  synchronized void refused(String field) {
    sinceLastWarning.merge(field, 1, Integer::sum);
    long now = System.currentTimeMillis();
    if (now - lastWarningMs >= WARN_EVERY_MS) {
      log.warn("node records refused (content not logged) byField={}", sinceLastWarning);
      sinceLastWarning.clear();
      lastWarningMs = now;
    }
  }
}
