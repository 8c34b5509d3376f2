package p2pshare.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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

  @Test
  void codecReadsTheFrameWhereTheWireBufferHasIt() {
    DeliverFrameCodec codec = new DeliverFrameCodec("node-1");
    PeerEvent event = ServerMessages.signal("F".repeat(22), "{\"sdp\":\"v=0\\r\\n\"}");
    DeliverFrame sent = new DeliverFrame(List.of("A".repeat(22)), event, "node-1", false);
    Buffer wire = Buffer.buffer().appendString("event-bus header");
    int pos = wire.length();
    codec.encodeToWire(wire, sent);
    wire.appendString("after");
    DeliverFrame got = codec.decodeFromWire(pos, wire);
    assertEquals(sent, got);
    assertEquals(event.withSeq(7), got.event().withSeq(7));
    // what an older node sent (a Buffer body) has the same layout
    assertEquals(sent, DeliverFrame.decode(sent.encode()));
    assertEquals(wire.getBuffer(pos, wire.length() - "after".length()), sent.encode());
  }

  @Test
  void codecKeepsEveryOriginAndTypeAndDecodesARepeatedOriginOnce() {
    DeliverFrameCodec codec = new DeliverFrameCodec("self");
    String[] origins = {"node-1", "node-2", "nöde-3", "self"};
    PeerEvent[] events = {
      ServerMessages.signal("F".repeat(22), "1"),
      ServerMessages.broadcast("F".repeat(22), "2"),
      ServerMessages.peerJoined("J".repeat(22), "{}"),
      ServerMessages.peerLeft("L".repeat(22)),
      new PeerEvent("some-future-type", "{\"t\":\"x\""),
    };
    String firstNode2 = null;
    for (int round = 0; round < 2; round++) {
      for (String origin : origins) {
        for (PeerEvent event : events) {
          DeliverFrame sent = new DeliverFrame(List.of("A", "B", "C"), event, origin, true);
          Buffer wire = Buffer.buffer();
          codec.encodeToWire(wire, sent);
          DeliverFrame got = codec.decodeFromWire(0, wire);
          assertEquals(sent, got);
          assertEquals(event.type(), got.event().type());
          if (origin.equals("node-2")) {
            if (firstNode2 == null) {
              firstNode2 = got.origin();
            }
            assertSame(firstNode2, got.origin());
          }
        }
      }
    }
  }
}
