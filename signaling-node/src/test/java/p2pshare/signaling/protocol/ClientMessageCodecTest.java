package p2pshare.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientMessageCodecTest {
  private static final String TO = "AAAAAAAAAAAAAAAAAAAAAA";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"sdp\":\"v=0\\r\\n\",\"n\":[1,2.5,-3e2,true,false,null],\"u\":\"\\u00e9\u20ac\"}",
        "[{\"a\":[]},{}]",
        "\"just a string with \\\"quotes\\\"\"",
        "12345678901234567890123",
        "-0.5",
        "true",
        "null",
        "{}"
      })
  void relaysDataAsTheSameJsonValue(String data) throws ProtocolException {
    String frame = "{ \"type\" : \"signal\", \"data\" :  " + data + " , \"to\":\"" + TO + "\" }";
    ClientMessage.Signal s = assertInstanceOf(ClientMessage.Signal.class, decode(frame));
    assertEquals(TO, s.to());
    Object expected = new JsonObject("{\"d\":" + data + "}").getValue("d");
    assertEquals(expected, new JsonObject("{\"d\":" + s.data() + "}").getValue("d"));
  }

  @Test
  void keepsObjectDataByteForByte() throws ProtocolException {
    String data = "{\"cand\":{\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 5000\"}}";
    ClientMessage.Broadcast b =
        assertInstanceOf(
            ClientMessage.Broadcast.class,
            decode("{\"type\":\"broadcast\",\"data\":" + data + "}"));
    assertEquals(data, b.data().toString());
  }

  @Test
  void relayedFrameIsValidJsonWithSeq() throws ProtocolException {
    ClientMessage.Signal s =
        (ClientMessage.Signal)
            decode("{\"type\":\"signal\",\"to\":\"" + TO + "\",\"data\":[1,{\"x\":\"y\"}]}");
    JsonObject out = new JsonObject(ServerMessages.signal("B".repeat(22), s.data()).withSeq(7));
    assertEquals("signal", out.getString("type"));
    assertEquals("B".repeat(22), out.getString("from"));
    assertEquals(7L, out.getLong("seq"));
    assertEquals("y", out.getJsonArray("data").getJsonObject(1).getString("x"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "nope",
        "[]",
        "42",
        "{\"type\":\"signal\"",
        "{\"type\":\"signal\"} trailing",
        "{\"type\":\"signal\"}{}",
        "{/* comment */\"type\":\"ping\",\"t\":1}",
        "{\"type\":\"signal\",\"to\":\"" + TO + "\",\"data\":{\"a\":}}",
        "{'type':'ping'}"
      })
  void malformedFramesAreBadJson(String frame) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> decode(frame));
    assertEquals(ErrorCode.BAD_JSON, e.code());
  }

  @Test
  void tooDeepNestingIsBadJson() {
    String deep = "[".repeat(500) + "]".repeat(500);
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> decode("{\"type\":\"signal\",\"to\":\"" + TO + "\",\"data\":" + deep + "}"));
    assertEquals(ErrorCode.BAD_JSON, e.code());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"type\":7}",
        "{\"type\":\"teleport\"}",
        "{\"type\":\"signal\",\"data\":1}",
        "{\"type\":\"signal\",\"to\":\"short\",\"data\":1}",
        "{\"type\":\"signal\",\"to\":\"" + TO + "\"}",
        "{\"type\":\"broadcast\"}",
        "{\"type\":\"ping\",\"t\":\"1\"}",
        "{\"type\":\"join\",\"v\":1.5,\"room\":\"abcdefghijklmnop\"}",
        "{\"type\":\"join\",\"v\":1,\"room\":\"short\"}",
        "{\"type\":\"join\",\"v\":1,\"room\":\"abcdefghijklmnop\",\"meta\":[1]}",
        "{\"type\":\"join\",\"v\":1,\"room\":\"abcdefghijklmnop\",\"lastSeq\":-1}",
        "{\"type\":\"join\",\"v\":1,\"room\":\"abcdefghijklmnop\",\"resume\":5}"
      })
  void invalidMessagesAreBadMessage(String frame) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> decode(frame));
    assertEquals(ErrorCode.BAD_MESSAGE, e.code());
  }

  @Test
  void joinFieldsAreRead() throws ProtocolException {
    ClientMessage.Join j =
        (ClientMessage.Join)
            decode(
                "{\"type\":\"join\",\"v\":1,\"room\":\"abcdefghijklmnop\",\"meta\":{\"name\":\"x\"},"
                    + "\"resume\":\"tok\",\"lastSeq\":12}");
    assertEquals(1, j.version());
    assertEquals("abcdefghijklmnop", j.room());
    assertEquals("x", j.meta().getString("name"));
    assertEquals("tok", j.resume());
    assertEquals(12L, j.lastSeq());
  }

  @Test
  void nullOptionalFieldsCountAsAbsent() throws ProtocolException {
    ClientMessage.Join j =
        (ClientMessage.Join)
            decode(
                "{\"type\":\"join\",\"v\":1,\"room\":\"abcdefghijklmnop\",\"meta\":null,"
                    + "\"resume\":null,\"lastSeq\":null}");
    assertEquals(null, j.meta());
    assertEquals(null, j.resume());
    assertEquals(null, j.lastSeq());
  }

  @Test
  void nullDataIsRelayedAsNull() throws ProtocolException {
    ClientMessage.Signal s =
        (ClientMessage.Signal) decode("{\"type\":\"signal\",\"to\":\"" + TO + "\",\"data\":null}");
    assertEquals("null", s.data().toString());
  }

  private static ClientMessage decode(String frame) throws ProtocolException {
    return ClientMessageCodec.decode(frame);
  }
}
