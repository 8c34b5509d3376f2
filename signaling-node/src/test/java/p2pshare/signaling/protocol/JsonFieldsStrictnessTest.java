package p2pshare.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame reader accepts exactly what a strict JSON parser accepts: checked against Jackson
 * (strict settings, nesting ≤ 64) on hand-picked edge cases and on many mutated frames.
 */
class JsonFieldsStrictnessTest {
  private static final String TO = "AAAAAAAAAAAAAAAAAAAAAA";

  private static final JsonFactory STRICT =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(JsonFields.MAX_NESTING).build())
          .build();

  private static final String[] SEEDS = {
    "{\"type\":\"signal\",\"to\":\"" + TO + "\",\"data\":{\"t\":1.5e3,\"p\":\"a\\nb\\u00e9\"}}",
    "{\"type\":\"broadcast\",\"data\":[1,-2,3.25,true,false,null,{},[],\"\\\"\"]}",
    "{\"type\":\"join\",\"v\":1,\"room\":\"abcdefghijklmnop\",\"meta\":{\"n\":\"x\"},\"lastSeq\":0}",
    "{ \"type\" : \"ping\" , \"t\" : -0.0e-1 , \"extra\" : [ { } , [ ] ] }",
  };

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"ping\",\"t\":01}",
        "{\"type\":\"ping\",\"t\":+1}",
        "{\"type\":\"ping\",\"t\":1.}",
        "{\"type\":\"ping\",\"t\":.5}",
        "{\"type\":\"ping\",\"t\":1e}",
        "{\"type\":\"ping\",\"t\":-}",
        "{\"type\":\"ping\",\"t\":1,}",
        "{\"type\":\"ping\",,\"t\":1}",
        "{\"type\":\"ping\",\"t\":[1,]}",
        "{\"type\":\"ping\",\"t\":tru}",
        "{\"type\":\"ping\",\"t\":NaN}",
        "{\"type\":\"ping\",\"t\":\"a\tb\"}",
        "{\"type\":\"ping\",\"t\":\"\\x\"}",
        "{\"type\":\"ping\",\"t\":\"\\u12G4\"}",
        "{type:\"ping\"}",
        "{\"type\":\"ping\" \"t\":1}",
        "{\"type\":\"ping\",\"t\":1}}",
        " ",
        "{\"a\":1}\u0000"
      })
  void rejectsWhatStrictJsonRejects(String frame) {
    assertEquals(false, jacksonAccepts(frame), "Jackson accepts " + frame);
    assertEquals(false, weAccept(frame), "we accept " + frame);
  }

  @Test
  void nestingLimitIsExactlyJacksons() {
    for (int depth = 60; depth <= 68; depth++) {
      // the frame object is one level; data adds (depth - 1)
      String data = "[".repeat(depth - 1) + "]".repeat(depth - 1);
      String frame = "{\"type\":\"broadcast\",\"data\":" + data + "}";
      assertEquals(jacksonAccepts(frame), weAccept(frame), "nesting " + depth);
    }
  }

  @Test
  void escapedNamesAndTypesAreTheSameFields() throws ProtocolException {
    ClientMessage m =
        ClientMessageCodec.decode(
            "{\"typ\\u0065\":\"sign\\u0061l\",\"\\u0074o\":\"" + TO + "\",\"data\":7}");
    ClientMessage.Signal s = assertInstanceOf(ClientMessage.Signal.class, m);
    assertEquals(TO, s.to());
    assertEquals("7", s.data().toString());
  }

  @Test
  void agreesWithJacksonOnMutatedFrames() {
    Random random = new Random(20261203);
    String alphabet = "{}[]:,\"\\ -+.0123456789eEtrufalsn\u00e9x\t\n";
    int checked = 0;
    for (String seed : SEEDS) {
      for (int i = 0; i < 4_000; i++) {
        StringBuilder b = new StringBuilder(seed);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length() > 0; e++) {
          int at = random.nextInt(b.length());
          char c = alphabet.charAt(random.nextInt(alphabet.length()));
          switch (random.nextInt(3)) {
            case 0 -> b.insert(at, c);
            case 1 -> b.deleteCharAt(at);
            default -> b.setCharAt(at, c);
          }
        }
        String frame = b.toString();
        assertEquals(jacksonAccepts(frame), weAccept(frame), "frame: " + frame);
        checked++;
      }
    }
    assertEquals(SEEDS.length * 4_000, checked);
  }

  /** Only the JSON syntax is compared: a well-formed frame may still be a bad message. */
  private static boolean weAccept(String frame) {
    try {
      JsonFields.read(
          frame.getBytes(StandardCharsets.UTF_8), 0, frame.getBytes(StandardCharsets.UTF_8).length);
      return true;
    } catch (ProtocolException e) {
      assertEquals(ErrorCode.BAD_JSON, e.code());
      return false;
    }
  }

  private static boolean jacksonAccepts(String frame) {
    try (JsonParser p = STRICT.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (Exception e) {
      return false;
    }
  }
}
