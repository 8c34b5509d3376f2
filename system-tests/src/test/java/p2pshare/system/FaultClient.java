package p2pshare.system;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Longer than 300 lines: it mirrors the browser client's reconnect and resume state machine, which
 * reads best whole.
 *
 * <p>A signaling client that behaves like the browser client (web/src/signaling/client.ts): on a
 * dropped socket or a {@code reconnect} message it asks the balancer again (GET /api/rooms/{id})
 * and resumes with its token and {@code lastSeq}; on {@code bad-resume} it joins afresh; a message
 * with a seq it already processed is ignored. It has no watchdog beyond that. It records everything
 * it saw for {@link FaultChecker}.
 */
final class FaultClient {
  static final long FIRST_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 4_000;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(10);

  /** A session event that tells the client some messages may be missing (or none are). */
  record Welcome(long atNanos, String peerId, String node, boolean resumed, boolean recovered) {}

  /** One signal received: who sent it (peer id), to which of our ids, its counter. */
  record Received(String from, String to, long n, long atNanos) {}

  /** One signal sent: to whom, from which of our ids, its counter. */
  record Sent(String from, String to, long n, long atNanos) {}

  final String label;
  final String room;
  private final HttpClient http;
  private final String balancerBase;
  private final ScheduledExecutorService timers;

  // Session state, guarded by this.
  private WebSocket ws;
  private boolean joined;
  private boolean stopped;
  private boolean resumeSent;
  private boolean wantJoin;
  private String peerId;
  private String token;
  private Long lastSeq;
  private long backoffMs;
  private final Set<String> view = new LinkedHashSet<>();
  private final Map<String, Long> nextN = new HashMap<>();
  private CompletableFuture<WebSocket> sendTail = CompletableFuture.completedFuture(null);

  // What was seen, guarded by this.
  final List<Welcome> welcomes = new ArrayList<>();
  final List<Long> abandonedAt = new ArrayList<>(); // bad-resume: an id given up
  final List<Long> dropsAt = new ArrayList<>();
  final List<Received> received = new ArrayList<>();
  final List<Sent> sent = new ArrayList<>();
  final Map<String, Integer> errors = new HashMap<>();
  final List<Long> unknownPeerAt = new ArrayList<>();
  int duplicateAnnouncements;
  int duplicateSeq;
  int seqGaps;
  int recoveredOnFreshJoin;
  int reconnectMessages;

  /**
   * The last session event: a welcome, a {@code reconnect}, {@code bad-resume}, {@code draining}, a
   * dropped socket. Until the last one after a fault, the room views may rightly be in flux.
   */
  private long lastSessionEventAt;

  FaultClient(
      String label,
      String room,
      HttpClient http,
      String balancerBase,
      ScheduledExecutorService timers) {
    this.label = label;
    this.room = room;
    this.http = http;
    this.balancerBase = balancerBase;
    this.timers = timers;
  }

  /** Opens the first socket to the given node (as the page does with its first placement). */
  CompletableFuture<Void> open(String url) {
    return connect(url).thenApply(w -> null);
  }

  /** Sends the first join (on the open socket, or on the next one if it dropped already). */
  synchronized void join() {
    wantJoin = true;
    if (ws != null) {
      sendJoin();
    }
  }

  synchronized boolean joined() {
    return joined && !stopped;
  }

  synchronized String peerId() {
    return peerId;
  }

  synchronized Set<String> view() {
    return new LinkedHashSet<>(view);
  }

  synchronized long lastSessionEventAt() {
    return lastSessionEventAt;
  }

  synchronized int welcomeCount() {
    return welcomes.size();
  }

  /** Sends one signal carrying the next counter to every peer it knows; false if not joined. */
  synchronized boolean signalEveryKnownPeer() {
    if (!joined || stopped) {
      return false;
    }
    long now = System.nanoTime();
    for (String to : view) {
      long n = nextN.merge(peerId + ">" + to, 1L, Long::sum);
      sent.add(new Sent(peerId, to, n, now));
      send(
          new JsonObject()
              .put("type", "signal")
              .put("to", to)
              .put("data", new JsonObject().put("n", n))
              .encode());
    }
    return true;
  }

  synchronized void ping() {
    if (joined && !stopped) {
      send(new JsonObject().put("type", "ping").put("t", System.currentTimeMillis()).encode());
    }
  }

  /** Leaves the room and stops reconnecting. */
  synchronized void stop() {
    if (stopped) {
      return;
    }
    if (joined) {
      send(new JsonObject().put("type", "leave").encode());
    }
    stopped = true;
    WebSocket w = ws;
    if (w != null) {
      sendTail.whenComplete((x, e) -> w.abort());
    }
  }

  // ---- connection handling, as the browser client does it

  private CompletableFuture<WebSocket> connect(String url) {
    return http.newWebSocketBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .buildAsync(URI.create(url), new Listener())
        .whenComplete(
            (w, e) -> {
              if (e != null) {
                scheduleRetry();
              }
            });
  }

  /** A new socket is open: it replaces the old one and joins (resumes) at once when due. */
  private synchronized void attach(WebSocket w) {
    if (stopped) {
      w.abort();
      return;
    }
    ws = w;
    joined = false;
    sendTail = CompletableFuture.completedFuture(w);
    if (wantJoin) {
      sendJoin();
    }
  }

  private void sendJoin() {
    JsonObject join = new JsonObject().put("type", "join").put("v", 1).put("room", room);
    resumeSent = token != null;
    if (token != null) {
      join.put("resume", token);
      if (lastSeq != null) {
        join.put("lastSeq", lastSeq);
      }
    }
    send(join.encode());
  }

  /** java.net.http allows one outstanding send per socket: sends are chained. */
  private void send(String text) {
    WebSocket w = ws;
    if (w == null) {
      return;
    }
    sendTail = sendTail.thenCompose(x -> w.sendText(text, true));
  }

  private synchronized void dropped(WebSocket w) {
    if (w != ws || stopped) {
      return;
    }
    ws = null;
    joined = false;
    long now = System.nanoTime();
    dropsAt.add(now);
    lastSessionEventAt = now;
    scheduleRetry();
  }

  private synchronized void scheduleRetry() {
    if (stopped) {
      return;
    }
    long delay = Math.min(MAX_BACKOFF_MS, backoffMs == 0 ? FIRST_BACKOFF_MS : backoffMs);
    backoffMs = Math.max(2 * FIRST_BACKOFF_MS, delay * 2);
    timers.schedule(this::relocate, delay, TimeUnit.MILLISECONDS);
  }

  /** Ask the balancer where the room lives now, then (re)join there. */
  private void relocate() {
    synchronized (this) {
      if (stopped) {
        return;
      }
    }
    HttpRequest get =
        HttpRequest.newBuilder(URI.create(balancerBase + "/api/rooms/" + room))
            .timeout(LOCATE_TIMEOUT)
            .build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (r, e) -> {
              if (e != null || r.statusCode() != 200) {
                scheduleRetry();
                return;
              }
              String url = new JsonObject(r.body()).getJsonObject("node").getString("url");
              connect(url);
            });
  }

  private synchronized void handle(WebSocket from, JsonObject m) {
    if (from != ws || stopped) {
      return;
    }
    Long seq = m.getLong("seq");
    if (seq != null) {
      if (lastSeq != null && seq <= lastSeq) {
        duplicateSeq++;
        return; // replayed twice: ignored, as the browser does
      }
      if (lastSeq != null && seq != lastSeq + 1) {
        seqGaps++;
      }
      lastSeq = seq;
    }
    long now = System.nanoTime();
    String type = m.getString("type", "");
    String code = m.getString("code", "");
    if (type.equals("welcome")
        || type.equals("reconnect")
        || code.equals("bad-resume")
        || code.equals("draining")) {
      lastSessionEventAt = now;
    }
    switch (type) {
      case "welcome" -> {
        joined = true;
        backoffMs = 0;
        peerId = m.getString("peerId");
        token = m.getString("resume");
        boolean recovered = m.getBoolean("recovered", false);
        if (!resumeSent && recovered) {
          recoveredOnFreshJoin++;
        }
        welcomes.add(new Welcome(now, peerId, m.getString("node"), resumeSent, recovered));
        view.clear();
        JsonArray peers = m.getJsonArray("peers", new JsonArray());
        for (int i = 0; i < peers.size(); i++) {
          view.add(peers.getJsonObject(i).getString("id"));
        }
      }
      case "peer-joined" -> {
        String id = m.getJsonObject("peer").getString("id");
        if (!id.equals(peerId) && !view.add(id)) {
          duplicateAnnouncements++;
        }
      }
      case "peer-left" -> view.remove(m.getString("peerId"));
      case "signal" -> {
        JsonObject data = m.getJsonObject("data");
        received.add(new Received(m.getString("from"), peerId, data.getLong("n"), now));
      }
      case "reconnect" -> {
        reconnectMessages++;
        WebSocket w = ws;
        ws = null;
        joined = false;
        w.abort();
        backoffMs = 0;
        timers.execute(this::relocate);
      }
      case "error" -> {
        if ("bad-resume".equals(code)) {
          abandonedAt.add(now);
          token = null;
          lastSeq = null;
          sendJoin();
        } else if ("draining".equals(code)) {
          WebSocket w = ws;
          ws = null;
          joined = false;
          w.abort();
          timers.execute(this::relocate);
        } else {
          errors.merge(code, 1, Integer::sum);
          if ("unknown-peer".equals(code)) {
            unknownPeerAt.add(now);
          }
        }
      }
      default -> {
        // pong, broadcast: nothing to record
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket w) {
      attach(w);
      w.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          handle(w, new JsonObject(text));
        } catch (RuntimeException e) {
          synchronized (FaultClient.this) {
            errors.merge("client-unparsable", 1, Integer::sum);
          }
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
      dropped(w);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      dropped(w);
    }
  }
}
