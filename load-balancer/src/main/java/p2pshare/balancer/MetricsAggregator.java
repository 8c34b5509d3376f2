package p2pshare.balancer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pshare.cluster.NodeLoad;
import p2pshare.cluster.OperatorAccess;

/**
 * GET /metrics of the balancer: its own scrape plus every live node's /metrics (fetched from the
 * node's adminUrl), merged into one Prometheus text. A node that does not answer in time is left
 * out of this scrape; the others are still served.
 */
public final class MetricsAggregator {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsAggregator.class);

  /** A node's /metrics must answer within this, or it is skipped for this scrape. */
  static final long NODE_SCRAPE_TIMEOUT_MS = 2_000;

  /** A node's /metrics larger than this is skipped (a sane exposition is far smaller). */
  static final int MAX_NODE_METRICS_BYTES = 8 * 1024 * 1024;

  private final Vertx vertx;
  private final String selfId;
  private final PrometheusMeterRegistry registry;
  private final NodeRegistry nodes;
  private final BalancerMeters meters;
  private final HttpClient client;
  private final NodeAdminUrls adminUrls;
  private final String authorization;

  /**
   * @param adminUrls which node addresses may be fetched at all
   * @param operatorToken OPERATOR_TOKEN, sent to the nodes, whose /metrics need it too
   */
  MetricsAggregator(
      Vertx vertx,
      String selfId,
      PrometheusMeterRegistry registry,
      NodeRegistry nodes,
      BalancerMeters meters,
      NodeAdminUrls adminUrls,
      String operatorToken) {
    this.adminUrls = adminUrls;
    this.authorization = OperatorAccess.bearer(operatorToken);
    this.vertx = vertx;
    this.selfId = selfId;
    this.registry = registry;
    this.nodes = nodes;
    this.meters = meters;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) NODE_SCRAPE_TIMEOUT_MS));
  }

  /** The merged Prometheus text of the balancer and every live node that answered. */
  public Future<String> scrapeAll() {
    Future<String> own = vertx.executeBlocking(registry::scrape, false);
    Future<List<PrometheusText.Source>> remote =
        nodes
            .liveNodes()
            .compose(
                live -> {
                  List<Future<PrometheusText.Source>> fetches = new ArrayList<>();
                  for (NodeLoad node : live) {
                    if (adminUrls.allowed(node.adminUrl())) {
                      fetches.add(fetch(node));
                    } else if (node.adminUrl() != null) {
                      meters.metricsScrapeFailed();
                      LOG.warn(
                          "node metrics refused: adminUrl is not a cluster member node={}",
                          node.id());
                    }
                  }
                  return Future.join(fetches)
                      .transform(
                          done -> {
                            List<PrometheusText.Source> ok = new ArrayList<>();
                            for (Future<PrometheusText.Source> f : fetches) {
                              if (f.succeeded()) {
                                ok.add(f.result());
                              }
                            }
                            return Future.succeededFuture(ok);
                          });
                })
            .otherwise(e -> List.of());
    return Future.all(own, remote)
        .map(
            all -> {
              List<PrometheusText.Source> sources = new ArrayList<>();
              sources.add(new PrometheusText.Source(selfId, own.result()));
              sources.addAll(remote.result());
              return PrometheusText.merge(sources);
            });
  }

  private Future<PrometheusText.Source> fetch(NodeLoad node) {
    String url = stripSlash(node.adminUrl()) + "/metrics";
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(url)
            .setIdleTimeout(NODE_SCRAPE_TIMEOUT_MS)
            .setFollowRedirects(false);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    return client
        .request(options)
        .compose(req -> req.send())
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return Future.failedFuture("status " + resp.statusCode());
              }
              return resp.body();
            })
        .compose(
            body ->
                body.length() > MAX_NODE_METRICS_BYTES
                    ? Future.failedFuture("too large")
                    : Future.succeededFuture(new PrometheusText.Source(node.id(), body.toString())))
        .onFailure(
            e -> {
              meters.metricsScrapeFailed();
              LOG.debug("node metrics skipped node={} error={}", node.id(), e.toString());
            });
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
