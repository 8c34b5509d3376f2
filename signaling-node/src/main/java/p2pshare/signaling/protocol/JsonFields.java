package p2pshare.signaling.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the top-level fields of one JSON object frame in a single streaming pass. Scalars become
 * String, Number, Boolean or {@link #NULL}; objects and arrays stay {@link Raw} text, validated but
 * not built into a tree, so a relayed {@code data} value is never parsed into objects and encoded
 * again. Strict JSON: no comments, no trailing content.
 */
final class JsonFields {
  /** A JSON null (a present field), as opposed to an absent one. */
  static final Object NULL = new Object();

  /** An object or array value, as the exact text the client sent. */
  record Raw(String json) {}

  /** Deeper nesting than this is refused (the default of Jackson is far higher). */
  static final int MAX_NESTING = 64;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
          .build();

  private JsonFields() {}

  /** The frame's top-level fields; the last of duplicated names wins (as in JsonObject). */
  static Map<String, Object> read(String text) throws ProtocolException {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw notAnObject();
      }
      Map<String, Object> fields = new HashMap<>(8);
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        fields.put(name, value(p, p.nextToken(), text));
      }
      if (p.nextToken() != null) {
        throw notAnObject();
      }
      return fields;
    } catch (IOException e) {
      throw notAnObject();
    }
  }

  private static Object value(JsonParser p, JsonToken t, String text) throws IOException {
    return switch (t) {
      case START_OBJECT, START_ARRAY -> {
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getCharOffset();
        yield new Raw(text.substring(start, end));
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> NULL;
      default -> throw new IOException("unexpected token " + t);
    };
  }

  /** Encodes a field value back to JSON text (scalars are re-encoded, raw text is kept). */
  static String toJson(Object value) {
    if (value instanceof Raw raw) {
      return raw.json();
    }
    if (value == NULL) {
      return "null";
    }
    return io.vertx.core.json.Json.encode(value);
  }

  private static ProtocolException notAnObject() {
    return new ProtocolException(ErrorCode.BAD_JSON, "frame is not a JSON object");
  }
}
