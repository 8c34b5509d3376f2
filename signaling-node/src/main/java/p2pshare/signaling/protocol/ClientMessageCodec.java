package p2pshare.signaling.protocol;

import io.vertx.core.json.JsonObject;
import p2pshare.cluster.Ids;

/** Parses and validates one text frame into a {@link ClientMessage}. */
public final class ClientMessageCodec {
  /** {@code meta} is relayed to every peer of the room, so it is kept small. */
  public static final int MAX_META_BYTES = 1024;

  private static final int PEER_ID_LENGTH = 22;

  private ClientMessageCodec() {}

  public static ClientMessage decode(String text) throws ProtocolException {
    return decode(JsonFields.read(text));
  }

  /** Decodes a frame's UTF-8 bytes (already checked to be valid UTF-8) without a String. */
  public static ClientMessage decode(byte[] utf8, int offset, int length) throws ProtocolException {
    return decode(JsonFields.read(utf8, offset, length));
  }

  private static ClientMessage decode(JsonFields.Frame json) throws ProtocolException {
    Object type = json.type;
    if (!(type instanceof String)) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "missing string field 'type'");
    }
    return switch ((String) type) {
      case "join" -> join(json);
      case "signal" -> signal(json);
      case "broadcast" -> new ClientMessage.Broadcast(data(json));
      case "leave" -> new ClientMessage.Leave();
      case "ping" -> ping(json);
      default -> throw new ProtocolException(ErrorCode.BAD_MESSAGE, "unknown type");
    };
  }

  private static ClientMessage join(JsonFields.Frame json) throws ProtocolException {
    Object v = json.get("v");
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'v' must be a whole number");
    }
    String room = string(json, "room", true);
    if (!Ids.isRoomId(room)) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "room id must be 16-64 of [A-Za-z0-9_-]");
    }
    Object metaValue = json.get("meta");
    JsonObject meta = null;
    if (metaValue != null && metaValue != JsonFields.NULL) {
      if (!(metaValue instanceof JsonFields.Raw raw) || !raw.text().startsWith('{')) {
        throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'meta' must be an object");
      }
      if (raw.text().length() > MAX_META_BYTES) {
        throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'meta' is larger than 1 KiB");
      }
      meta = new JsonObject(raw.json());
    }
    String resume = string(json, "resume", false);
    Object lastSeqValue = json.get("lastSeq");
    Long lastSeq = null;
    if (lastSeqValue != null && lastSeqValue != JsonFields.NULL) {
      if (!(lastSeqValue instanceof Number s)
          || s.longValue() < 0
          || s.doubleValue() != Math.rint(s.doubleValue())) {
        throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'lastSeq' must be a whole number >= 0");
      }
      lastSeq = s.longValue();
    }
    return new ClientMessage.Join(n.intValue(), room, meta, resume, lastSeq);
  }

  private static ClientMessage signal(JsonFields.Frame json) throws ProtocolException {
    String to = string(json, "to", true);
    if (to.length() != PEER_ID_LENGTH) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'to' is not a peer id");
    }
    return new ClientMessage.Signal(to, data(json));
  }

  private static ClientMessage ping(JsonFields.Frame json) throws ProtocolException {
    Object t = json.get("t");
    if (!(t instanceof Number)) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'t' must be a number");
    }
    return new ClientMessage.Ping(t);
  }

  /** The {@code data} value as the sender's exact JSON bytes, relayed without being rebuilt. */
  private static JsonText data(JsonFields.Frame frame) throws ProtocolException {
    if (frame.data == null) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "missing field 'data'");
    }
    return frame.data;
  }

  private static String string(JsonFields.Frame json, String field, boolean required)
      throws ProtocolException {
    Object value = json.get(field);
    if (value == null || value == JsonFields.NULL) {
      if (required) {
        throw new ProtocolException(ErrorCode.BAD_MESSAGE, "missing string field '" + field + "'");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw new ProtocolException(ErrorCode.BAD_MESSAGE, "'" + field + "' must be a string");
    }
    return s;
  }
}
