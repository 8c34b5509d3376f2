package p2pshare.signaling.protocol;

/** A client message that breaks the contract; answered with an error frame of {@link #code()}. */
public final class ProtocolException extends Exception {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
