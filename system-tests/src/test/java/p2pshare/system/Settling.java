package p2pshare.system;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Watches the room views of a trial settle after a fault has healed.
 *
 * <p>A fault is often noticed only after it healed: a node frozen for 8 s finds out at SIGCONT that
 * it was removed, fences, sends {@code reconnect} and exits; until then the views may look right
 * because nobody knew. So the clock does not stop at the first right view after the heal: the views
 * must be right at or after the <em>last session event</em> of any client (a welcome, a {@code
 * reconnect}, {@code bad-resume}, {@code draining}, a dropped socket) — each such event says the
 * system is still handling the fault, and resets the watch. From that moment on the views must stay
 * right for {@code hold} (past the resume window: a late expiry breaks them) and until the cluster
 * itself has settled (a node that exited after a stall is restarted and listed again) plus {@link
 * #REJOIN_HOLD}; a poll at which they are wrong with no session event since is a relapse, a
 * failure.
 *
 * @param seconds from the heal until the views were right for good, or -1 if not by the deadline
 * @param relapses polls with a wrong view and no session event since the views were right: must be
 *     0
 * @param resets times the views were right and a session event followed (the fault noticed late)
 * @param wrongAtDeadline ordered pairs wrong at the deadline, when the views did not settle
 * @param clusterSettled whether the cluster (the suite's supervisor, the balancer's list) settled
 * @param settledAtNanos when the views were right for good (System.nanoTime()), or -1
 */
record Settling(
    double seconds,
    int relapses,
    int resets,
    int wrongAtDeadline,
    boolean clusterSettled,
    long settledAtNanos) {
  /** The views must stay right this long after the cluster settled (a restarted node rejoined). */
  static final Duration REJOIN_HOLD = Duration.ofSeconds(3);

  boolean settled() {
    return seconds >= 0 && relapses == 0 && clusterSettled;
  }

  @Override
  public String toString() {
    return "converged="
        + seconds
        + " relapses="
        + relapses
        + " resets="
        + resets
        + " wrongPairsAtDeadline="
        + wrongAtDeadline
        + " clusterSettled="
        + clusterSettled;
  }

  /**
   * Polls the views of {@code run} from {@code healedAt}: they must be right, for good, by {@code
   * healedAt + deadline}, and stay right for {@code hold}; {@code cluster} says whether the
   * processes have settled (true when there is nothing to wait for).
   */
  static Settling watch(
      FaultRun run, long healedAt, Duration deadline, Duration hold, BooleanSupplier cluster)
      throws InterruptedException {
    long deadlineAt = healedAt + deadline.toNanos();
    // a restart after a stall may take a process start-up on a loaded machine
    long giveUpAt = deadlineAt + hold.toNanos() + FaultCluster.START.toNanos();
    long lastEvent = healedAt;
    long rightSince = -1; // first right poll after the last session event
    long clusterSince = -1; // start of the current stretch in which the cluster has settled
    int relapses = 0;
    int resets = 0;
    while (true) {
      long now = System.nanoTime();
      // views first, events second: a wrong view with an event read after it counts as explained
      boolean right = run.converged();
      long event = Math.max(lastEvent, run.lastSessionEventAt());
      if (event > lastEvent) {
        lastEvent = event;
        if (rightSince >= 0) {
          resets++;
        }
        rightSince = -1;
      }
      if (right && rightSince < 0) {
        rightSince = now;
      } else if (!right && rightSince >= 0) {
        relapses++;
      }
      if (cluster.getAsBoolean()) {
        clusterSince = clusterSince < 0 ? now : clusterSince;
      } else {
        clusterSince = -1;
      }
      boolean clusterHeld = clusterSince >= 0 && now - clusterSince >= REJOIN_HOLD.toNanos();
      if (rightSince < 0 && now > deadlineAt) {
        return new Settling(-1, relapses, resets, run.wrongPairs(), clusterHeld, -1);
      }
      if (rightSince >= 0 && now - rightSince >= hold.toNanos() && clusterHeld) {
        return new Settling((rightSince - healedAt) / 1e9, relapses, resets, 0, true, rightSince);
      }
      if (now > giveUpAt) {
        double s = rightSince < 0 ? -1 : (rightSince - healedAt) / 1e9;
        return new Settling(s, relapses, resets, 0, false, rightSince);
      }
      TimeUnit.MILLISECONDS.sleep(FaultRun.POLL_MS);
    }
  }
}
