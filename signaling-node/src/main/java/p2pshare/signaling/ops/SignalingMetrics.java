package p2pshare.signaling.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import p2pshare.signaling.protocol.ErrorCode;

/** The project's own meters of a signaling node (docs/OPERATIONS.md lists them). */
public final class SignalingMetrics {
  /** Resume outcomes, as the `outcome` tag of p2p_resumes_total. */
  public enum ResumeOutcome {
    RECOVERED,
    UNRECOVERED,
    REJECTED
  }

  private final MeterRegistry registry;
  private final Map<String, Counter> messagesIn = new ConcurrentHashMap<>();
  private final Map<String, Counter> messagesOut = new ConcurrentHashMap<>();
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Map<ResumeOutcome, Counter> resumes = new EnumMap<>(ResumeOutcome.class);
  private final Counter crossNodeSent;
  private final Counter crossNodeReceived;
  private final Counter slowConsumersClosed;
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong messageTotal = new AtomicLong();

  public SignalingMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(
          code,
          Counter.builder("p2p_errors")
              .description("Error frames sent, by code")
              .tag("code", code.wireName())
              .register(registry));
    }
    for (ResumeOutcome outcome : ResumeOutcome.values()) {
      resumes.put(
          outcome,
          Counter.builder("p2p_resumes")
              .description("Resume attempts by outcome")
              .tag("outcome", outcome.name().toLowerCase())
              .register(registry));
    }
    crossNodeSent =
        Counter.builder("p2p_cross_node_messages")
            .description("Event-bus messages between nodes")
            .tag("direction", "sent")
            .register(registry);
    crossNodeReceived =
        Counter.builder("p2p_cross_node_messages")
            .description("Event-bus messages between nodes")
            .tag("direction", "received")
            .register(registry);
    slowConsumersClosed =
        Counter.builder("p2p_slow_consumers_closed")
            .description("Sockets closed because their write queue was full")
            .register(registry);
    Gauge.builder("p2p_connections", connections, AtomicLong::get)
        .description("Open WebSocket connections")
        .register(registry);
  }

  /** Gauges over state owned elsewhere (local peers, rooms, event-loop lag). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void messageIn(String type) {
    messageTotal.incrementAndGet();
    Counter c = messagesIn.get(type); // a plain get first: no capturing lambda per message
    if (c == null) {
      c =
          messagesIn.computeIfAbsent(
              type, t -> counter("p2p_messages_in", "Client messages received, by type", t));
    }
    c.increment();
  }

  public void messageOut(String type) {
    messageTotal.incrementAndGet();
    Counter c = messagesOut.get(type);
    if (c == null) {
      c =
          messagesOut.computeIfAbsent(
              type, t -> counter("p2p_messages_out", "Messages sent to clients, by type", t));
    }
    c.increment();
  }

  private Counter counter(String name, String description, String type) {
    return Counter.builder(name).description(description).tag("type", type).register(registry);
  }

  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  public void resume(ResumeOutcome outcome) {
    resumes.get(outcome).increment();
  }

  public void crossNodeSent() {
    crossNodeSent.increment();
  }

  public void crossNodeReceived() {
    crossNodeReceived.increment();
  }

  public void slowConsumerClosed() {
    slowConsumersClosed.increment();
  }

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  public long connections() {
    return connections.get();
  }

  /** Messages in and out since start: the load publisher derives msgs/s from it. */
  public long messageTotal() {
    return messageTotal.get();
  }
}
