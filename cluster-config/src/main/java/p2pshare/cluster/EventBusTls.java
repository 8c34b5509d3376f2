package p2pshare.cluster;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Optional TLS of the clustered event bus (issue 14 finding 7), which carries signaling between
 * nodes: with {@link #CERT}, {@link #KEY} and {@link #CA} (PEM files) every event-bus connection is
 * TLS, each side presents its certificate and accepts only one signed by the CA — a process without
 * such a certificate can neither send to a node nor receive from it. Hostnames are not checked
 * (members are addressed by IP); the CA should sign cluster members only.
 */
public record EventBusTls(String certPath, String keyPath, String caPath) {
  public static final String CERT = "EVENT_BUS_TLS_CERT";
  public static final String KEY = "EVENT_BUS_TLS_KEY";
  public static final String CA = "EVENT_BUS_TLS_CA";

  /** None of the three set: no TLS. Some or an unreadable file: a ConfigException. */
  public static Optional<EventBusTls> from(Map<String, String> env) {
    String cert = blankToNull(env.get(CERT));
    String key = blankToNull(env.get(KEY));
    String ca = blankToNull(env.get(CA));
    if (cert == null && key == null && ca == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, String> e :
        Map.of(CERT, "" + cert, KEY, "" + key, CA, "" + ca).entrySet()) {
      if (!Files.isReadable(Path.of(e.getValue()))) {
        throw new ConfigException(
            e.getKey(),
            e.getValue(),
            "a readable PEM file (" + CERT + ", " + KEY + ", " + CA + " are set together)");
      }
    }
    return Optional.of(new EventBusTls(cert, key, ca));
  }

  public void applyTo(EventBusOptions options) {
    options
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath))
        .setTrustOptions(new PemTrustOptions().addCertPath(caPath))
        .setClientAuth(ClientAuth.REQUIRED);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
