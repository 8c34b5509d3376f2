package p2pshare.cluster;

/** Which kind of process reads the environment; it decides the defaults of PORT and NODE_ID. */
public enum Role {
  NODE(8081, "node-"),
  BALANCER(8080, "balancer-");

  final int defaultPort;
  final String idPrefix;

  Role(int defaultPort, String idPrefix) {
    this.defaultPort = defaultPort;
    this.idPrefix = idPrefix;
  }

  /** The member attribute value that tells other members what this process is. */
  public String attribute() {
    return name().toLowerCase();
  }
}
