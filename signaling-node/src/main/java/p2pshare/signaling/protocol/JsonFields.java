package p2pshare.signaling.protocol;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Longer than 300 lines on purpose: one hand-written strict JSON scanner on the relay's hot path, a
 * single state machine that would only be harder to follow spread over files.
 *
 * <p>Reads the top-level fields of one JSON object frame in a single pass over its UTF-8 bytes,
 * validating all of it as strict JSON (RFC 8259: no comments, no single quotes, nothing after the
 * object, nesting ≤ {@link #MAX_NESTING}). Only the fields of the protocol are materialised;
 * everything else is checked and skipped. Objects and arrays stay {@link Raw} byte slices and
 * {@code data} is kept as its exact bytes whatever its type, so a relayed value is never decoded
 * and encoded again. Nothing is allocated for a field that is not used. The caller has checked that
 * the bytes are valid UTF-8.
 */
final class JsonFields {
  /** A JSON null (a present field), as opposed to an absent one. */
  static final Object NULL = new Object();

  /** An object or array value, as the exact bytes the client sent. */
  record Raw(JsonText text) {
    String json() {
      return text.toString();
    }
  }

  /** Deeper nesting than this is refused (the top-level object is level 1). */
  static final int MAX_NESTING = 64;

  /** The protocol's fields of one frame; absent ones are null. Duplicates: the last one wins. */
  static final class Frame {
    Object type;
    Object to;
    Object room;
    Object meta;
    Object resume;
    Object v;
    Object lastSeq;
    Object t;
    JsonText data;

    Object get(String name) {
      return switch (name) {
        case "type" -> type;
        case "to" -> to;
        case "room" -> room;
        case "meta" -> meta;
        case "resume" -> resume;
        case "v" -> v;
        case "lastSeq" -> lastSeq;
        case "t" -> t;
        default -> throw new IllegalArgumentException(name);
      };
    }
  }

  private enum Field {
    TYPE,
    TO,
    ROOM,
    META,
    RESUME,
    V,
    LAST_SEQ,
    T,
    DATA,
    OTHER
  }

  private static final String[] TYPES = {"signal", "broadcast", "ping", "join", "leave"};
  private static final byte[][] TYPE_BYTES = ascii(TYPES);
  private static final String[] NAMES = {
    "type", "to", "room", "meta", "resume", "v", "lastSeq", "t", "data"
  };
  private static final byte[][] NAME_BYTES = ascii(NAMES);
  private static final Field[] NAME_FIELDS = {
    Field.TYPE,
    Field.TO,
    Field.ROOM,
    Field.META,
    Field.RESUME,
    Field.V,
    Field.LAST_SEQ,
    Field.T,
    Field.DATA
  };

  private final byte[] in;
  private final int end;
  private int pos;

  private JsonFields(byte[] in, int offset, int length) {
    this.in = in;
    this.pos = offset;
    this.end = offset + length;
  }

  static Frame read(String text) throws ProtocolException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return read(b, 0, b.length);
  }

  static Frame read(byte[] buf, int offset, int length) throws ProtocolException {
    return new JsonFields(buf, offset, length).frame();
  }

  private Frame frame() throws ProtocolException {
    Frame frame = new Frame();
    skipWhitespace();
    expect('{');
    skipWhitespace();
    if (peek() == '}') {
      pos++;
    } else {
      while (true) {
        Field field = fieldName();
        skipWhitespace();
        expect(':');
        skipWhitespace();
        readField(frame, field);
        skipWhitespace();
        int c = next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw bad();
        }
        skipWhitespace();
      }
    }
    skipWhitespace();
    if (pos != end) {
      throw bad();
    }
    return frame;
  }

  private void readField(Frame frame, Field field) throws ProtocolException {
    int start = pos;
    switch (field) {
      case TYPE -> frame.type = peek() == '"' ? typeString() : scalarOrRaw(start);
      case DATA -> {
        skipValue(1);
        frame.data = new JsonText(in, start, pos - start);
      }
      case TO -> frame.to = scalarOrRaw(start);
      case ROOM -> frame.room = scalarOrRaw(start);
      case META -> frame.meta = scalarOrRaw(start);
      case RESUME -> frame.resume = scalarOrRaw(start);
      case V -> frame.v = scalarOrRaw(start);
      case LAST_SEQ -> frame.lastSeq = scalarOrRaw(start);
      case T -> frame.t = scalarOrRaw(start);
      case OTHER -> skipValue(1);
    }
  }

  /** A value as String, Number, Boolean, {@link #NULL} or {@link Raw}. */
  private Object scalarOrRaw(int start) throws ProtocolException {
    int c = peek();
    if (c == '{' || c == '[') {
      skipValue(1);
      return new Raw(new JsonText(in, start, pos - start));
    }
    if (c == '"') {
      return string();
    }
    if (c == 't') {
      literal("true");
      return Boolean.TRUE;
    }
    if (c == 'f') {
      literal("false");
      return Boolean.FALSE;
    }
    if (c == 'n') {
      literal("null");
      return NULL;
    }
    boolean integral = skipNumber();
    String text = new String(in, start, pos - start, StandardCharsets.US_ASCII);
    if (integral) {
      BigInteger big = new BigInteger(text);
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    double d = Double.parseDouble(text);
    return Double.isFinite(d) ? (Object) d : new BigDecimal(text);
  }

  /** The type's value: one of the protocol's names without allocating, else a decoded String. */
  private Object typeString() throws ProtocolException {
    int start = pos + 1;
    skipString();
    int length = pos - 1 - start;
    for (int i = 0; i < TYPE_BYTES.length; i++) {
      if (equals(TYPE_BYTES[i], start, length)) {
        return TYPES[i];
      }
    }
    return decode(start, pos - 1);
  }

  private Field fieldName() throws ProtocolException {
    if (peek() != '"') {
      throw bad();
    }
    int start = pos + 1;
    boolean escaped = skipString();
    if (escaped) {
      String name = decode(start, pos - 1);
      for (int i = 0; i < NAMES.length; i++) {
        if (NAMES[i].equals(name)) {
          return NAME_FIELDS[i];
        }
      }
      return Field.OTHER;
    }
    int length = pos - 1 - start;
    for (int i = 0; i < NAME_BYTES.length; i++) {
      if (equals(NAME_BYTES[i], start, length)) {
        return NAME_FIELDS[i];
      }
    }
    return Field.OTHER;
  }

  private String string() throws ProtocolException {
    int start = pos + 1;
    boolean escaped = skipString();
    return escaped
        ? decode(start, pos - 1)
        : new String(in, start, pos - 1 - start, StandardCharsets.UTF_8);
  }

  /** Validates one value and moves past it. */
  private void skipValue(int depth) throws ProtocolException {
    int c = peek();
    switch (c) {
      case '{' -> {
        enter(depth);
        pos++;
        skipWhitespace();
        if (peek() == '}') {
          pos++;
          return;
        }
        while (true) {
          if (peek() != '"') {
            throw bad();
          }
          skipString();
          skipWhitespace();
          expect(':');
          skipWhitespace();
          skipValue(depth + 1);
          skipWhitespace();
          int n = next();
          if (n == '}') {
            return;
          }
          if (n != ',') {
            throw bad();
          }
          skipWhitespace();
        }
      }
      case '[' -> {
        enter(depth);
        pos++;
        skipWhitespace();
        if (peek() == ']') {
          pos++;
          return;
        }
        while (true) {
          skipValue(depth + 1);
          skipWhitespace();
          int n = next();
          if (n == ']') {
            return;
          }
          if (n != ',') {
            throw bad();
          }
          skipWhitespace();
        }
      }
      case '"' -> skipString();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> skipNumber();
    }
  }

  /** The frame's object is level 1, so a value at {@code depth} opens level depth + 1. */
  private static void enter(int depth) throws ProtocolException {
    if (depth + 1 > MAX_NESTING) {
      throw bad();
    }
  }

  /** Moves past a string (at its opening quote); true if it holds escapes. */
  private boolean skipString() throws ProtocolException {
    pos++;
    boolean escaped = false;
    while (true) {
      if (pos >= end) {
        throw bad();
      }
      int c = in[pos++] & 0xff;
      if (c == '"') {
        return escaped;
      }
      if (c < 0x20) {
        throw bad();
      }
      if (c == '\\') {
        escaped = true;
        int e = next();
        switch (e) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {}
          case 'u' -> {
            for (int i = 0; i < 4; i++) {
              if (hex(next()) < 0) {
                throw bad();
              }
            }
          }
          default -> throw bad();
        }
      }
    }
  }

  /** Moves past a number (strict: no leading zeros, no '+', digits after '.' and 'e'). */
  private boolean skipNumber() throws ProtocolException {
    boolean integral = true;
    if (peek() == '-') {
      pos++;
    }
    int c = peek();
    if (c == '0') {
      pos++;
    } else if (c >= '1' && c <= '9') {
      skipDigits();
    } else {
      throw bad();
    }
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw bad();
      }
      skipDigits();
    }
    c = peek();
    if (c == 'e' || c == 'E') {
      integral = false;
      pos++;
      c = peek();
      if (c == '+' || c == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw bad();
      }
      skipDigits();
    }
    return integral;
  }

  private void skipDigits() {
    while (pos < end && isDigit(in[pos])) {
      pos++;
    }
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private void literal(String word) throws ProtocolException {
    if (end - pos < word.length()) {
      throw bad();
    }
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw bad();
      }
    }
    pos += word.length();
  }

  /** Decodes a string's content (between its quotes), escapes included. */
  private String decode(int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    int i = from;
    while (i < to) {
      int runStart = i;
      while (i < to && in[i] != '\\') {
        i++;
      }
      out.append(new String(in, runStart, i - runStart, StandardCharsets.UTF_8));
      if (i >= to) {
        break;
      }
      char e = (char) in[i + 1];
      i += 2;
      switch (e) {
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          out.append(
              (char)
                  ((hex(in[i]) << 12)
                      | (hex(in[i + 1]) << 8)
                      | (hex(in[i + 2]) << 4)
                      | hex(in[i + 3])));
          i += 4;
        }
        default -> out.append(e); // " \ /
      }
    }
    return out.toString();
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private boolean equals(byte[] word, int start, int length) {
    if (word.length != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (in[start + i] != word[i]) {
        return false;
      }
    }
    return true;
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte b = in[pos];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return;
      }
      pos++;
    }
  }

  private int peek() {
    return pos < end ? in[pos] & 0xff : -1;
  }

  private int next() throws ProtocolException {
    if (pos >= end) {
      throw bad();
    }
    return in[pos++] & 0xff;
  }

  private void expect(char c) throws ProtocolException {
    if (next() != c) {
      throw bad();
    }
  }

  private static byte[][] ascii(String[] words) {
    byte[][] out = new byte[words.length][];
    for (int i = 0; i < words.length; i++) {
      out[i] = words[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  private static ProtocolException bad() {
    return new ProtocolException(ErrorCode.BAD_JSON, "frame is not a JSON object");
  }
}
