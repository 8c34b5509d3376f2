package p2pshare.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2pshare.signaling.protocol.PeerEvent;
import p2pshare.signaling.protocol.ServerMessages;

class DeliverFrameTest {
  @Test
  void roundTripsEveryField() {
    PeerEvent event = ServerMessages.broadcast("F".repeat(22), "{\"u\":\"é€😀\",\"n\":[1,2]}");
    DeliverFrame sent =
        new DeliverFrame(List.of("A".repeat(22), "B".repeat(22)), event, "node-1", true);
    DeliverFrame got = DeliverFrame.decode(Buffer.buffer(sent.encode().getBytes()));
    assertEquals(sent, got);
    assertEquals(event.withSeq(3), got.event().withSeq(3));
  }

  @Test
  void emptyRecipientListAndNotForwarded() {
    DeliverFrame sent =
        new DeliverFrame(List.of(), ServerMessages.peerLeft("C".repeat(22)), "n", false);
    assertEquals(sent, DeliverFrame.decode(sent.encode()));
  }
}
