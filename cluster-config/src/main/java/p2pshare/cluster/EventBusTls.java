package p2pshare.cluster;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Optional TLS of a node's clustered event bus (issue 14 finding 7), which carries signaling
 * between nodes. With {@link #CERT}, {@link #KEY} and {@link #CA} (PEM files) every event-bus
 * connection is TLS, each side presents its certificate and accepts only one signed by the CA: a
 * process without such a certificate can neither deliver to a node nor receive from it. Host names
 * are not checked (members are addressed by IP), so the CA should sign cluster members only.
 */
public record EventBusTls(String certPath, String keyPath, String caPath) {
  public static final String CERT = "EVENTBUS_TLS_CERT";
  public static final String KEY = "EVENTBUS_TLS_KEY";
  public static final String CA = "EVENTBUS_TLS_CA";

  /** None of the three set: clear text. Only some, or a file that cannot be read: refused. */
  public static Optional<EventBusTls> from(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : new String[] {CERT, KEY, CA}) {
      String v = env.get(name);
      values.put(name, v == null || v.isBlank() ? null : v.strip());
    }
    if (values.values().stream().allMatch(v -> v == null)) {
      return Optional.empty();
    }
    values.forEach(
        (name, path) -> {
          if (path == null || !Files.isReadable(Path.of(path))) {
            throw new ConfigException(
                name,
                path == null ? "" : path,
                "a readable PEM file (" + CERT + ", " + KEY + " and " + CA + " go together)");
          }
        });
    return Optional.of(new EventBusTls(values.get(CERT), values.get(KEY), values.get(CA)));
  }

  /** Both directions TLS, and the other end must show a certificate of the cluster CA. */
  public void applyTo(EventBusOptions options) {
    options
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath))
        .setTrustOptions(new PemTrustOptions().addCertPath(caPath))
        .setClientAuth(ClientAuth.REQUIRED);
  }
}
