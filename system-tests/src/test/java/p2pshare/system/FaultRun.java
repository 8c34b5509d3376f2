package p2pshare.system;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The clients of one trial: rooms of peers spread over the nodes, their traffic and their view. */
final class FaultRun implements AutoCloseable {
  static final long POLL_MS = 100;

  /** The browser client's application ping period. */
  static final long PING_PERIOD_MS = 20_000;

  final FaultCluster cluster;

  /** One HTTP/WebSocket client for every trial (its selector thread serves all sockets). */
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final HttpClient http = HTTP;
  final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
  final Map<String, List<FaultClient>> rooms = new LinkedHashMap<>();
  final List<FaultClient> clients = new ArrayList<>();
  private ScheduledFuture<?> traffic;
  private final ScheduledFuture<?> pinger;

  FaultRun(FaultCluster cluster) {
    this.cluster = cluster;
    this.pinger =
        timers.scheduleAtFixedRate(
            () -> clients.forEach(FaultClient::ping),
            PING_PERIOD_MS,
            PING_PERIOD_MS,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Adds {@code count} rooms of {@code minPeers}..{@code maxPeers} peers; peer j of room i starts
   * on node ((i + j) mod 2) + 1, so every room spans both nodes (any node accepts any room).
   */
  List<FaultClient> addRooms(int count, int minPeers, int maxPeers) {
    List<FaultClient> added = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String room = "faults-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-r" + i;
      int peers = ThreadLocalRandom.current().nextInt(minPeers, maxPeers + 1);
      List<FaultClient> members = new ArrayList<>();
      for (int j = 0; j < peers; j++) {
        FaultClient c =
            new FaultClient(room + "#" + j, room, http, cluster.balancer.base(), timers);
        members.add(c);
      }
      rooms.put(room, members);
      clients.addAll(members);
      added.addAll(members);
    }
    return added;
  }

  /** Opens a socket for each client (peer j of room i to its node); waits until all are open. */
  void openAll(List<FaultClient> which) throws Exception {
    List<CompletableFuture<Void>> opens = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, List<FaultClient>> room : rooms.entrySet()) {
      int j = 0;
      for (FaultClient c : room.getValue()) {
        if (which.contains(c)) {
          opens.add(c.open(cluster.wsUrl(((i + j) % FaultCluster.NODES) + 1)));
        }
        j++;
      }
      i++;
    }
    CompletableFuture.allOf(opens.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
  }

  /** Sends every join at once (one loop, no waiting in between). */
  void joinAll(List<FaultClient> which) {
    which.forEach(FaultClient::join);
  }

  /**
   * Joins peer 0 of every room, waits for their welcomes, then peer 1, and so on: no two peers of
   * one room join at the same moment, so a fault scenario is not also a concurrent-join one.
   */
  boolean joinInWaves(Duration perWave) throws Exception {
    return joinInWaves(perWave, -1, null);
  }

  /**
   * As {@link #joinInWaves(Duration)}; {@code fault} runs right after wave {@code atWave} is sent.
   */
  boolean joinInWaves(Duration perWave, int atWave, FaultSuiteIT.Fault fault) throws Exception {
    for (int j = 0; ; j++) {
      List<FaultClient> wave = new ArrayList<>();
      for (List<FaultClient> members : rooms.values()) {
        if (j < members.size()) {
          wave.add(members.get(j));
        }
      }
      if (wave.isEmpty()) {
        return true;
      }
      wave.forEach(FaultClient::join);
      if (j == atWave) {
        fault.inject(this);
      }
      if (!await(() -> wave.stream().allMatch(c -> c.welcomeCount() > 0), perWave)) {
        return false;
      }
    }
  }

  /** Every client signals every peer it knows, each period. */
  void startTraffic(long periodMs) {
    traffic =
        timers.scheduleAtFixedRate(
            () -> clients.forEach(FaultClient::signalEveryKnownPeer),
            periodMs,
            periodMs,
            TimeUnit.MILLISECONDS);
  }

  void stopTraffic() throws Exception {
    if (traffic != null) {
      traffic.cancel(false);
      traffic = null;
    }
  }

  /** One signal from every client to every peer it knows. */
  void probe() {
    clients.forEach(FaultClient::signalEveryKnownPeer);
  }

  /**
   * Converged: every client is joined and knows exactly the current ids of the other clients of its
   * room.
   */
  boolean converged() {
    for (List<FaultClient> members : rooms.values()) {
      Set<String> ids = new HashSet<>();
      for (FaultClient c : members) {
        if (!c.joined() || !ids.add(c.peerId())) {
          return false;
        }
      }
      for (FaultClient c : members) {
        Set<String> expected = new HashSet<>(ids);
        expected.remove(c.peerId());
        if (!expected.equals(new HashSet<>(c.view()))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Ordered pairs (a, b) of one room where a does not know b's current id, or knows a stranger. */
  int wrongPairs() {
    int wrong = 0;
    for (List<FaultClient> members : rooms.values()) {
      Set<String> ids = new HashSet<>();
      members.forEach(c -> ids.add(c.peerId()));
      for (FaultClient c : members) {
        Set<String> view = c.view();
        for (String id : ids) {
          if (id != null && !id.equals(c.peerId()) && !view.contains(id)) {
            wrong++;
          }
        }
        for (String id : view) {
          if (!ids.contains(id)) {
            wrong++;
          }
        }
      }
    }
    return wrong;
  }

  /** unknown-peer answers received after {@code sinceNanos}. */
  int unknownPeerSince(long sinceNanos) {
    int n = 0;
    for (FaultClient c : clients) {
      synchronized (c) {
        n += (int) c.unknownPeerAt.stream().filter(t -> t > sinceNanos).count();
      }
    }
    return n;
  }

  /** Seconds from {@code fromNanos} until converged, or -1 if not by the deadline. */
  double awaitConverged(long fromNanos, Duration deadline) throws InterruptedException {
    long end = fromNanos + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (converged()) {
        return (System.nanoTime() - fromNanos) / 1e9;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
    }
    return converged() ? (System.nanoTime() - fromNanos) / 1e9 : -1;
  }

  /** The last session event of any client (System.nanoTime()), see {@link Settling}. */
  long lastSessionEventAt() {
    long last = Long.MIN_VALUE;
    for (FaultClient c : clients) {
      last = Math.max(last, c.lastSessionEventAt());
    }
    return last;
  }

  static boolean await(BooleanSupplier condition, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
    }
    return condition.getAsBoolean();
  }

  /** Waits until every signal sent has arrived, or no new one arrived for the quiet period. */
  void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    int lastCount = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < end) {
      int count = 0;
      int sent = 0;
      for (FaultClient c : clients) {
        synchronized (c) {
          count += c.received.size();
          sent += c.sent.size();
        }
      }
      if (count >= sent) {
        return;
      }
      if (count != lastCount) {
        lastCount = count;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > quiet.toNanos()) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
    }
  }

  @Override
  public void close() {
    try {
      stopTraffic();
    } catch (Exception e) {
      // closing anyway
    }
    pinger.cancel(false);
    clients.forEach(FaultClient::stop);
    timers.shutdownNow();
  }
}
