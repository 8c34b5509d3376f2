package p2pshare.cluster;

/** Which kind of process reads the environment; it decides the defaults of PORT and NODE_ID. */
public enum Role {
  NODE(8081, "node-", false),
  /**
   * A lite member: it owns no partitions, so a stalled or sick balancer never holds data that the
   * signaling nodes wait for, and it stays out of the data path (issue 12 item 5).
   */
  BALANCER(8080, "balancer-", true);

  final int defaultPort;
  final String idPrefix;
  private final boolean liteMember;

  Role(int defaultPort, String idPrefix, boolean liteMember) {
    this.defaultPort = defaultPort;
    this.idPrefix = idPrefix;
    this.liteMember = liteMember;
  }

  /** Whether this process joins Hazelcast as a lite member (no partitions, no map data). */
  public boolean liteMember() {
    return liteMember;
  }

  /** The member attribute value that tells other members what this process is. */
  public String attribute() {
    return name().toLowerCase();
  }
}
