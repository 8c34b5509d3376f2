package p2pshare.signaling.protocol;

import io.vertx.core.json.JsonObject;

/** Every message a client may send (PROTOCOL.md "client → node"). */
public sealed interface ClientMessage {
  /** The wire name of the message's type. */
  String type();

  /** First message on a socket; {@code resume} and {@code lastSeq} come back after a drop. */
  record Join(int version, String room, JsonObject meta, String resume, Long lastSeq)
      implements ClientMessage {
    public String type() {
      return "join";
    }
  }

  /** Relay {@code data} (any JSON value, kept as the sender's bytes) to one peer of the room. */
  record Signal(String to, JsonText data) implements ClientMessage {
    public String type() {
      return "signal";
    }
  }

  /** Relay {@code data} (the sender's JSON bytes) to every other peer of the room. */
  record Broadcast(JsonText data) implements ClientMessage {
    public String type() {
      return "broadcast";
    }
  }

  record Leave() implements ClientMessage {
    public String type() {
      return "leave";
    }
  }

  record Ping(Object t) implements ClientMessage {
    public String type() {
      return "ping";
    }
  }
}
