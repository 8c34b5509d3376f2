package p2pshare.cluster;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Builds the Hazelcast member config of a process from its {@link EnvConfig}. */
public final class HazelcastConfigs {
  /** Heartbeats every second and death after this many silent seconds keep node death < 15 s. */
  public static final int HEARTBEAT_INTERVAL_S = 1;

  public static final int MAX_NO_HEARTBEAT_S = 6;

  /** Split-brain merge runs early and often so a healed network joins up quickly. */
  public static final int MERGE_DELAY_S = 5;

  /**
   * A lite member (the balancer) gives up on a cluster call after this long without an answer or a
   * heartbeat from its target: a frozen member must not hold its worker threads for the default
   * minute. Its HTTP answers are bounded separately, much shorter.
   */
  public static final int LITE_MEMBER_CALL_TIMEOUT_MS = 3_000;

  /**
   * The only packages whose classes a member deserializes from Java serialization (besides
   * Hazelcast's own defaults: com.hazelcast., java*, arrays): the project's records and entry
   * processors, and the Vert.x cluster manager. Anything else on the wire — a gadget class some
   * library on the classpath happens to carry — is refused before its readObject runs (issue 14
   * finding 7).
   */
  public static final String[] DESERIALIZATION_ALLOWED_PREFIXES = {
    "p2pshare.", "io.vertx.spi.cluster.hazelcast."
  };

  private HazelcastConfigs() {}

  public static Config forEnv(EnvConfig env) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(env.clusterName());
    config.setLiteMember(env.role().liteMember());
    if (env.role().liteMember()) {
      config.setProperty(
          "hazelcast.operation.call.timeout.millis", String.valueOf(LITE_MEMBER_CALL_TIMEOUT_MS));
    }
    // Every value and entry processor of the project travels Compact-serialized, not
    // Java-serialized.
    CompactValues.register(config.getSerializationConfig());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty(
        "hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_INTERVAL_S));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_S));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY_S));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY_S));
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.local.localAddress", resolve(env.clusterHost()));
    config.getMemberAttributeConfig().setAttribute(ClusterNames.ATTR_NODE_ID, env.nodeId());
    config.getMemberAttributeConfig().setAttribute(ClusterNames.ATTR_ROLE, env.role().attribute());

    config
        .getSerializationConfig()
        .setJavaSerializationFilterConfig(
            new JavaSerializationFilterConfig()
                .setDefaultsDisabled(false)
                .setWhitelist(new ClassFilter().addPrefixes(DESERIALIZATION_ALLOWED_PREFIXES)));

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(env.clusterPort()).setPortAutoIncrement(true);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (env.discovery() == EnvConfig.Discovery.KUBERNETES) {
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", env.kubernetesServiceDns());
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(env.clusterMembers());
    }

    for (String name :
        new String[] {
          ClusterNames.PEERS_MAP,
          ClusterNames.ROOM_MEMBERS_MAP,
          ClusterNames.ROOMS_MAP,
          ClusterNames.NODES_MAP,
          ClusterNames.RESUME_TOKENS_MAP,
          ClusterNames.ORPHAN_EXPIRY_MAP
        }) {
      config.addMapConfig(new MapConfig(name).setBackupCount(1));
    }
    // After a split brain, a peer's record from the side where it moved last wins.
    config
        .getMapConfig(ClusterNames.PEERS_MAP)
        .getMergePolicyConfig()
        .setPolicy(PeerRecordMergePolicy.class.getName());
    return config;
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("CLUSTER_HOST", host, "a resolvable host name or IP address");
    }
  }
}
