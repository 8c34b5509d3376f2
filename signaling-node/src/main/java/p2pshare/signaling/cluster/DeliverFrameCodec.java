package p2pshare.signaling.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/**
 * Carries a {@link DeliverFrame} on the clustered event bus without a buffer of its own: written
 * straight into the event bus's wire buffer and read back from it at the receiving node. As a plain
 * {@code Buffer} body the frame was built into a buffer, copied into the wire buffer, and at the
 * receiver copied out again (a byte array and two buffer objects per message each way). This node's
 * own id is encoded once, and origin ids are decoded once per node ({@link NodeIdCache}).
 */
public final class DeliverFrameCodec implements MessageCodec<DeliverFrame, DeliverFrame> {
  /** The codec's name on the wire: every node registers it (see {@link #register}). */
  public static final String NAME = "p2p.deliver-frame";

  private final String nodeId;
  private final byte[] nodeIdBytes;
  private final NodeIdCache origins = new NodeIdCache();

  DeliverFrameCodec(String nodeId) {
    this.nodeId = nodeId;
    this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
  }

  /** Makes {@link DeliverFrame} bodies travel with this codec on {@code vertx}'s event bus. */
  static void register(io.vertx.core.Vertx vertx, String nodeId) {
    vertx.eventBus().registerDefaultCodec(DeliverFrame.class, new DeliverFrameCodec(nodeId));
  }

  @Override
  public void encodeToWire(Buffer wire, DeliverFrame frame) {
    byte[] origin =
        frame.origin().equals(nodeId)
            ? nodeIdBytes
            : frame.origin().getBytes(StandardCharsets.UTF_8);
    frame.encodeTo(wire, origin);
  }

  @Override
  public DeliverFrame decodeFromWire(int pos, Buffer wire) {
    return DeliverFrame.decode(wire, pos, origins);
  }

  /** Within one JVM the frame is immutable and passed as is. */
  @Override
  public DeliverFrame transform(DeliverFrame frame) {
    return frame;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
