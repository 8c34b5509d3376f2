package p2pshare.cluster;

/** A bad environment value: the message names the variable, so start-up can stop with one line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String variable, String value, String expected) {
    super(variable + "='" + value + "' is invalid: expected " + expected);
  }
}
