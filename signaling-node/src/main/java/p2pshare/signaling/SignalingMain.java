package p2pshare.signaling;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.ClusterBoot;
import p2pshare.cluster.ConfigException;
import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.Role;
import sun.misc.Signal;

/** `java -jar signaling-node.jar`: configured only by the environment (PROTOCOL.md). */
public final class SignalingMain {
  private static final Logger LOG = LoggerFactory.getLogger(SignalingMain.class);

  /** SIGTERM must end the process within 10 s (PROTOCOL.md); drain uses at most this. */
  static final long DRAIN_TIMEOUT_S = 9;

  private SignalingMain() {}

  public static void main(String[] args) {
    EnvConfig env;
    try {
      env = EnvConfig.fromSystem(Role.NODE);
      if (env.port() == 0) {
        env = env.withBoundPort(freePort());
      }
    } catch (ConfigException e) {
      System.err.println("p2p-share signaling node: " + e.getMessage());
      System.exit(2);
      return;
    }
    ClusterBoot.start(env)
        .compose(SignalingNode::start)
        .onSuccess(SignalingMain::handleSigterm)
        .onFailure(
            e -> {
              System.err.println("p2p-share signaling node failed to start: " + e.getMessage());
              System.exit(1);
            });
  }

  private static void handleSigterm(SignalingNode node) {
    Signal.handle(
        new Signal("TERM"),
        sig -> {
          try {
            node.drain()
                .toCompletionStage()
                .toCompletableFuture()
                .get(DRAIN_TIMEOUT_S, TimeUnit.SECONDS);
          } catch (Exception e) {
            LOG.warn("drain did not finish cleanly error={}", e.toString());
          }
          System.exit(0);
        });
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new ConfigException("PORT", "0", "a free port to be found");
    }
  }
}
