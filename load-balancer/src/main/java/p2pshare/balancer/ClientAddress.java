package p2pshare.balancer;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import p2pshare.cluster.AddressRanges;
import p2pshare.cluster.ClientIp;

/**
 * The client address the balancer's rate limits are keyed by: the TCP peer, or — only when that
 * peer is one of TRUSTED_PROXIES — what {@code X-Forwarded-For} says (see {@link ClientIp}). With
 * no trusted proxies the header is ignored, so rotating it gets a client nowhere.
 */
final class ClientAddress {
  private final ClientIp clientIp;

  ClientAddress(List<String> trustedProxies) {
    this.clientIp = new ClientIp(AddressRanges.of(trustedProxies));
  }

  String of(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null ? null : remote.hostAddress();
    return clientIp.resolve(peer, request.getHeader(ClientIp.FORWARDED_FOR));
  }
}
