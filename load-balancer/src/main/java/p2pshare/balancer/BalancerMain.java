package p2pshare.balancer;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ConfigException;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.Role;
import sun.misc.Signal;

/**
 * {@code java -jar load-balancer.jar}: reads the environment, joins the cluster, serves. A bad
 * variable stops start-up with one line naming it (exit 2). SIGTERM (and Ctrl-C) drains: readiness
 * goes 503, the member leaves the cluster, and the process exits 0 well within 10 s.
 */
public final class BalancerMain {
  private static final Logger LOG = LoggerFactory.getLogger(BalancerMain.class);

  static final int EXIT_BAD_CONFIG = 2;
  static final int EXIT_START_FAILED = 1;

  /** After readiness turns 503, load balancers in front get this long to notice. */
  static final long DRAIN_GRACE_MS = 1_000;

  /** Leaving the cluster may take at most this long before the process exits anyway. */
  static final long CLOSE_TIMEOUT_MS = 6_000;

  private BalancerMain() {}

  public static void main(String[] args) {
    EnvConfig env;
    try {
      env = readConfig(System.getenv());
    } catch (ConfigException e) {
      System.err.println("balancer: " + e.getMessage());
      System.exit(EXIT_BAD_CONFIG);
      return;
    }
    // Signals are handled from the start: a SIGTERM while joining still ends with exit 0.
    AtomicReference<Balancer> started = new AtomicReference<>();
    onSignals(() -> drainThenExit(started.get()));
    try {
      Balancer.start(env)
          .onSuccess(started::set)
          .onFailure(
              e -> {
                System.err.println("balancer: start failed: " + e);
                System.exit(EXIT_START_FAILED);
              });
    } catch (ConfigException e) {
      // e.g. an unresolvable CLUSTER_HOST, found while building the Hazelcast config
      System.err.println("balancer: " + e.getMessage());
      System.exit(EXIT_BAD_CONFIG);
    }
  }

  /** The balancer's settings; throws {@link ConfigException} naming a bad variable. */
  static EnvConfig readConfig(Map<String, String> environment) {
    return EnvConfig.from(environment, Role.BALANCER);
  }

  private static void onSignals(Runnable drainThenExit) {
    AtomicBoolean once = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          sig -> {
            if (once.compareAndSet(false, true)) {
              new Thread(drainThenExit, "balancer-drain").start();
            }
          });
    }
  }

  /** Readiness 503, a grace period, leave the cluster, exit 0; before start-up: exit 0 at once. */
  private static void drainThenExit(Balancer balancer) {
    if (balancer == null) {
      System.exit(0);
      return;
    }
    balancer.drain();
    try {
      Thread.sleep(DRAIN_GRACE_MS);
      balancer
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      LOG.info("balancer stopped");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("balancer close incomplete error={}", e.toString());
    }
    System.exit(0);
  }
}
