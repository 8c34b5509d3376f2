package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.NodeLoad;

class PlacementPolicyTest {
  private static NodeLoad node(
      String id, String state, long connections, double cpu, double lagMs) {
    return new NodeLoad(
        id, "ws://h/" + id, state, connections, 0, 0, 0, lagMs, 0, 0, cpu, 1_000L, null);
  }

  @Test
  void leastLoadedWinsAmongThreeOrMore() {
    PlacementPolicy policy = new PlacementPolicy();
    List<NodeLoad> live =
        List.of(
            node("a", NodeLoad.UP, 100, 0, 0),
            node("b", NodeLoad.UP, 100, 0, 0),
            node("c", NodeLoad.UP, 10, 0, 0));
    for (int i = 0; i < 50; i++) {
      assertEquals("c", policy.choose(live).orElseThrow().id());
    }
  }

  @Test
  void drainingNeverChosenAndNothingLeftMeansEmpty() {
    PlacementPolicy policy = new PlacementPolicy();
    List<NodeLoad> live =
        List.of(
            node("idle", NodeLoad.DRAINING, 0, 0, 0), node("busy", NodeLoad.UP, 1_000, 0.9, 50));
    for (int i = 0; i < 20; i++) {
      assertEquals("busy", policy.choose(live).orElseThrow().id());
    }
    assertTrue(policy.choose(List.of(node("d", NodeLoad.DRAINING, 0, 0, 0))).isEmpty());
    assertTrue(policy.choose(List.of()).isEmpty());
  }

  @Test
  void cpuAndLagCountAsLoad() {
    PlacementPolicy policy = new PlacementPolicy();
    assertEquals(
        "cool",
        policy
            .choose(
                List.of(
                    node("hot", NodeLoad.UP, 10, 0.95, 0), node("cool", NodeLoad.UP, 20, 0.05, 0)))
            .orElseThrow()
            .id());
    assertEquals(
        "smooth",
        policy
            .choose(
                List.of(
                    node("laggy", NodeLoad.UP, 10, 0, 80), node("smooth", NodeLoad.UP, 20, 0, 1)))
            .orElseThrow()
            .id());
  }

  @Test
  void placementsBetweenReportsSpreadABurstInsteadOfHerding() {
    PlacementPolicy policy = new PlacementPolicy();
    List<NodeLoad> live = List.of(node("a", NodeLoad.UP, 0, 0, 0), node("b", NodeLoad.UP, 0, 0, 0));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      NodeLoad chosen = policy.choose(live).orElseThrow();
      policy.placed(chosen);
      counts.merge(chosen.id(), 1, Integer::sum);
    }
    assertTrue(Math.abs(counts.get("a") - counts.get("b")) <= 2, counts.toString());
  }
}
