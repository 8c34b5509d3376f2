package p2pshare.cluster;

/** The one home of every shared map name, member attribute and event-bus address. */
public final class ClusterNames {
  private ClusterNames() {}

  /** peerId → {@link PeerRecord} JSON: the source of truth for where a peer lives. */
  public static final String PEERS_MAP = "p2p.peers";

  /** room → {@link RoomMembers}: the room index, changed only by entry processors. */
  public static final String ROOM_MEMBERS_MAP = "p2p.room-members";

  /** room → {@link RoomPlacement} JSON: which node the balancer gave a room. */
  public static final String ROOMS_MAP = "p2p.rooms";

  /** nodeId → {@link NodeLoad} JSON, put every second with a TTL: a stale record is a gone node. */
  public static final String NODES_MAP = "p2p.nodes";

  /** SHA-256(resume token) → peerId; removed on use, so a token works once. */
  public static final String RESUME_TOKENS_MAP = "p2p.resume-tokens";

  /**
   * peerId → the end of an orphan's resume window (epoch ms), with a TTL: its expiry removes the
   * orphan and its token ({@link OrphanExpiry}), on whichever member owns the entry then.
   */
  public static final String ORPHAN_EXPIRY_MAP = "p2p.orphan-expiry";

  /** Member attribute holding the process's NODE_ID. */
  public static final String ATTR_NODE_ID = "p2p.node-id";

  /** Member attribute holding the process's role (node / balancer). */
  public static final String ATTR_ROLE = "p2p.role";

  /** The single clustered event-bus consumer of a node: routing is per node, never per peer. */
  public static String nodeAddress(String nodeId) {
    return "p2p.node." + nodeId;
  }
}
