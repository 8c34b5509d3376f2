package p2pshare.signaling.protocol;

/** The error codes of PROTOCOL.md; {@code closes} says whether the socket is closed after it. */
public enum ErrorCode {
  BAD_JSON("bad-json", 0),
  BAD_MESSAGE("bad-message", 0),
  NOT_JOINED("not-joined", 0),
  ALREADY_JOINED("already-joined", 0),
  UNKNOWN_PEER("unknown-peer", 0),
  ROOM_FULL("room-full", 1008),
  RATE_LIMITED("rate-limited", 0),
  BAD_RESUME("bad-resume", 0),
  UNSUPPORTED_VERSION("unsupported-version", 1002),
  DRAINING("draining", 1001),
  TOO_LARGE("too-large", 1009);

  private final String wireName;
  private final int closeCode;

  ErrorCode(String wireName, int closeCode) {
    this.wireName = wireName;
    this.closeCode = closeCode;
  }

  public String wireName() {
    return wireName;
  }

  public boolean closes() {
    return closeCode != 0;
  }

  /** The WebSocket close status sent after the error frame when {@link #closes()}. */
  public short closeCode() {
    return (short) closeCode;
  }
}
