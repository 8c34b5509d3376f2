package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String BALANCER =
      """
      # HELP up_seconds Uptime
      # TYPE up_seconds gauge
      up_seconds{node="b"} 10.0
      # HELP req_seconds Request time
      # TYPE req_seconds summary
      req_seconds_count{node="b",method="GET"} 3
      req_seconds_sum{node="b",method="GET"} 0.5
      """;

  private static final String NODE =
      """
      # HELP up_seconds Uptime of the node
      # TYPE up_seconds gauge
      up_seconds{node="n1"} 20.0
      # HELP req_seconds Request time
      # TYPE req_seconds summary
      req_seconds_count{node="n1",method="GET"} 4
      req_seconds_sum{node="n1",method="GET"} 0.7
      # TYPE only_node_total counter
      only_node_total{path="a}b,c=\\"d\\""} 1
      untyped_thing 5
      """;

  @Test
  void eachFamilyOnceWithTheSamplesOfEverySource() {
    String merged =
        PrometheusText.merge(
            List.of(
                new PrometheusText.Source("b", BALANCER), new PrometheusText.Source("n1", NODE)));

    BalancerApiTest.assertValidExposition(merged);
    assertEquals(
        """
        # HELP up_seconds Uptime
        # TYPE up_seconds gauge
        up_seconds{node="b"} 10.0
        up_seconds{node="n1"} 20.0
        # HELP req_seconds Request time
        # TYPE req_seconds summary
        req_seconds_count{node="b",method="GET"} 3
        req_seconds_sum{node="b",method="GET"} 0.5
        req_seconds_count{node="n1",method="GET"} 4
        req_seconds_sum{node="n1",method="GET"} 0.7
        # TYPE only_node_total counter
        only_node_total{path="a}b,c=\\"d\\"",node="n1"} 1
        untyped_thing{node="n1"} 5
        """,
        merged);
  }

  @Test
  void duplicateSeriesAreKeptOnce() {
    String merged =
        PrometheusText.merge(
            List.of(
                new PrometheusText.Source("b", BALANCER),
                new PrometheusText.Source("b", BALANCER)));
    assertEquals(PrometheusText.merge(List.of(new PrometheusText.Source("b", BALANCER))), merged);
  }

  @Test
  void nodeLabelIsAddedOnlyWhenMissing() {
    assertEquals("a{node=\"x\"} 1", PrometheusText.withNodeLabel("a 1", "a", "x"));
    assertEquals("a{k=\"v\",node=\"x\"} 1", PrometheusText.withNodeLabel("a{k=\"v\"} 1", "a", "x"));
    assertEquals("a{node=\"y\"} 1", PrometheusText.withNodeLabel("a{node=\"y\"} 1", "a", "x"));
    assertEquals(
        "a{k=\"node=\\\"z\\\"\",node=\"x\"} 1",
        PrometheusText.withNodeLabel("a{k=\"node=\\\"z\\\"\"} 1", "a", "x"));
    assertTrue(PrometheusText.withNodeLabel("a{} 1", "a", "x").startsWith("a{node=\"x\"}"));
  }
}
