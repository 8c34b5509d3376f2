package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.ClusterNames;
import p2pshare.cluster.DeadNodeJanitor;
import p2pshare.cluster.Ids;
import p2pshare.cluster.PeerRecord;
import p2pshare.cluster.RoomMembers;
import p2pshare.signaling.peer.RoomRepair;
import p2pshare.signaling.support.ClusterTestBase;
import p2pshare.signaling.support.WsClient;

/**
 * Whatever a node missed is repaired from the room's record: a lost announcement, a janitor that
 * dropped the peers of a node that is alive after all, a node that must fence itself.
 *
 * <p>Longer than 300 lines: each repair case needs its own fault staged on real members, and they
 * share one cluster set-up.
 */
class MembershipRepairTest extends ClusterTestBase {
  /** A repair pass runs at least this often; convergence is awaited a few passes long. */
  static final long CONVERGE_MS = 4 * RoomRepair.INTERVAL_MS;

  @BeforeAll
  static void start() {
    startCluster(2, Map.of());
  }

  /**
   * Every test starts on serving nodes: a test that fences node-2 ends with MERGED, whose clean-up
   * lifts the fence asynchronously, and a join that came before that got `draining`.
   */
  @BeforeEach
  void everyNodeServes() {
    await(List.of(), () -> cluster.node(0).ready() && cluster.node(1).ready(), "both nodes ready");
  }

  /** What one client has been told about the room, and every violation of "exactly once". */
  static final class Knowledge {
    final WsClient client;
    final Set<String> known = new HashSet<>();
    final List<String> violations = new ArrayList<>();
    final List<JsonObject> frames = new ArrayList<>();

    Knowledge(WsClient client, JsonObject welcome) {
      this.client = client;
      welcome.getJsonArray("peers").forEach(p -> known.add(((JsonObject) p).getString("id")));
    }

    void absorb() {
      for (JsonObject m : client.drain()) {
        frames.add(m);
        switch (m.getString("type")) {
          case "peer-joined" -> {
            if (!known.add(m.getJsonObject("peer").getString("id"))) {
              violations.add("peer-joined of a known peer: " + m.encode());
            }
          }
          case "peer-left" -> {
            if (!known.remove(m.getString("peerId"))) {
              violations.add("peer-left of an unknown peer: " + m.encode());
            }
          }
          default -> {}
        }
      }
    }
  }

  private static void await(List<Knowledge> clients, BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONVERGE_MS);
    while (true) {
      clients.forEach(Knowledge::absorb);
      if (done.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + CONVERGE_MS + " ms: " + what);
      }
      try {
        Thread.sleep(20); // polling interval of a condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static HazelcastInstance hazelcast() {
    return cluster.node(0).runtime().hazelcast();
  }

  private static IMap<String, RoomMembers.Members> rooms() {
    return hazelcast().getMap(ClusterNames.ROOM_MEMBERS_MAP);
  }

  @Test
  void aChangeOfTheRecordWhoseAnnouncementWasLostStillReachesEveryPeer() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      Knowledge ka = new Knowledge(a, a.join(room));
      Knowledge kb = new Knowledge(b, b.join(room));
      List<Knowledge> both = List.of(ka, kb);
      await(both, () -> ka.known.size() == 1, "a learns of b");

      // A join on node-2 whose peer-joined never went out (as if the event bus lost it).
      String ghost = Ids.randomId();
      rooms()
          .executeOnKey(
              room, new RoomMembers.Join(ghost, new RoomMembers.Member("node-2", null), 64));
      await(
          both,
          () -> ka.known.contains(ghost) && kb.known.contains(ghost),
          "both peers told of the unannounced member");

      // And its leave, equally unannounced.
      rooms().executeOnKey(room, new RoomMembers.Leave(ghost, "node-2"));
      await(
          both,
          () -> !ka.known.contains(ghost) && !kb.known.contains(ghost),
          "both peers told it left");
      assertEquals(List.of(), ka.violations);
      assertEquals(List.of(), kb.violations);
    }
  }

  @Test
  void aNodeTakesBackPeersTheClusterDroppedWhileItStillOwnsThem() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      Knowledge ka = new Knowledge(a, a.join(room));
      JsonObject welcomeB = b.join(room);
      Knowledge kb = new Knowledge(b, welcomeB);
      String idA = kb.known.iterator().next();
      String idB = welcomeB.getString("peerId");
      List<Knowledge> both = List.of(ka, kb);
      await(both, () -> ka.known.contains(idB), "a learns of b");

      // What a janitor does to a node it wrongly thinks dead (a partition, a long pause).
      rooms().executeOnKey(room, new RoomMembers.DropNode("node-2"));
      hazelcast()
          .<String, String>getMap(ClusterNames.PEERS_MAP)
          .executeOnKey(
              idB, new DeadNodeJanitor.MarkOrphan("node-2", System.currentTimeMillis() + 60_000));

      await(
          both,
          () -> rooms().get(room).containsKey(idB) && ka.known.contains(idB),
          "node-2 put b back into the room and a knows b");
      PeerRecord record =
          PeerRecord.fromJson(hazelcast().<String, String>getMap(ClusterNames.PEERS_MAP).get(idB));
      assertFalse(record.orphaned(), "node-2 took its peer back");
      assertEquals("node-2", record.nodeId());

      a.send(new JsonObject().put("type", "signal").put("to", idB).put("data", "after"));
      JsonObject signal = b.next("signal");
      assertEquals(idA, signal.getString("from"));
      assertEquals(List.of(), ka.violations, "a: each presence of b told once");
      assertEquals(List.of(), kb.violations);
      assertTrue(kb.known.contains(idA));
    }
  }

  @Test
  void aNodeMergedBackFencesItsSocketsAndItsPeersResumeElsewhereUnrecovered() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      Knowledge ka = new Knowledge(a, a.join(room));
      JsonObject welcomeB = b.join(room);
      String idB = welcomeB.getString("peerId");
      await(List.of(ka), () -> ka.known.contains(idB), "a learns of b");

      // Hazelcast tells node-2 it lost a split brain and is being merged into the other side.
      cluster
          .node(1)
          .guard()
          .stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGING));
      assertEquals("reconnect", b.next("reconnect").getString("type"));
      assertEquals(1012, b.awaitClose(), "the fenced socket closes");
      try (WsClient refused = WsClient.connect(clientVertx, cluster.port(1))) {
        refused.send(new JsonObject().put("type", "join").put("v", 1).put("room", room));
        refused.error("draining");
      }

      cluster
          .node(1)
          .guard()
          .stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));
      await(List.of(ka), () -> !ka.known.contains(idB), "a told that b left");

      try (WsClient back = WsClient.connect(clientVertx, cluster.port(0))) {
        back.send(
            new JsonObject()
                .put("type", "join")
                .put("v", 1)
                .put("room", room)
                .put("resume", welcomeB.getString("resume"))
                .put("lastSeq", 0));
        JsonObject welcome = back.next("welcome");
        assertEquals(idB, welcome.getString("peerId"), "the same peer, resumed");
        assertFalse(welcome.getBoolean("recovered"), "its node gave it up: nothing recovered");
        await(List.of(ka), () -> ka.known.contains(idB), "a told that b is back");
        assertEquals(List.of(), ka.violations);
      }
    }
  }

  @Test
  void aPeerGivenUpByAFencedNodeResumesElsewhereBeforeTheMergeEnds() {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(1))) {
      Knowledge ka = new Knowledge(a, a.join(room));
      JsonObject welcomeB = b.join(room);
      String idB = welcomeB.getString("peerId");
      await(List.of(ka), () -> ka.known.contains(idB), "a learns of b");

      cluster
          .node(1)
          .guard()
          .stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGING));
      b.next("reconnect");
      try (WsClient back = WsClient.connect(clientVertx, cluster.port(0))) {
        // Its record still names node-2, which answers the handover: given up, take it over.
        back.send(
            new JsonObject()
                .put("type", "join")
                .put("v", 1)
                .put("room", room)
                .put("resume", welcomeB.getString("resume"))
                .put("lastSeq", 0));
        JsonObject welcome = back.next("welcome");
        assertEquals(idB, welcome.getString("peerId"));
        assertFalse(welcome.getBoolean("recovered"));
        cluster
            .node(1)
            .guard()
            .stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));

        // The fence's clean-up must not touch the peer that moved on: a still reaches it.
        String idA = welcome.getJsonArray("peers").getJsonObject(0).getString("id");
        a.send(new JsonObject().put("type", "signal").put("to", idB).put("data", "still here"));
        JsonObject signal = back.next("signal");
        assertEquals(idA, signal.getString("from"));
        PeerRecord record =
            PeerRecord.fromJson(
                hazelcast().<String, String>getMap(ClusterNames.PEERS_MAP).get(idB));
        assertEquals("node-1", record.nodeId());
        assertFalse(record.orphaned());
        assertTrue(rooms().get(room).containsKey(idB));
        ka.absorb();
        assertEquals(List.of(), ka.violations);
      }
    }
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "resumed on node {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1})
  void aResumeTellsEachPresenceOnceAcrossWelcomeAndReplay(int resumeOn) {
    String room = Ids.randomId();
    try (WsClient a = WsClient.connect(clientVertx, cluster.port(0));
        WsClient b = WsClient.connect(clientVertx, cluster.port(0))) {
      String idA = a.join(room).getString("peerId");
      JsonObject welcomeB = b.join(room);
      a.next("peer-joined");
      b.close();
      String idC;
      try (WsClient c = WsClient.connect(clientVertx, cluster.port(1))) {
        idC = c.join(room).getString("peerId");
        a.next("peer-joined");
        try (WsClient back = WsClient.connect(clientVertx, cluster.port(resumeOn))) {
          back.send(
              new JsonObject()
                  .put("type", "join")
                  .put("v", 1)
                  .put("room", room)
                  .put("resume", welcomeB.getString("resume"))
                  .put("lastSeq", 0));
          JsonObject welcome = back.next("welcome");
          Knowledge kb = new Knowledge(back, welcome);
          await(List.of(kb), () -> kb.known.contains(idC), "b knows c after the replay");
          back.send(new JsonObject().put("type", "ping").put("t", 1));
          await(
              List.of(kb),
              () -> kb.frames.stream().anyMatch(f -> "pong".equals(f.getString("type"))),
              "pong");
          assertEquals(Set.of(idA, idC), kb.known);
          assertEquals(List.of(), kb.violations, "welcome " + welcome.getJsonArray("peers"));
        }
      }
    }
  }
}
