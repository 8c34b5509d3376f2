package p2pshare.signaling.peer;

import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import p2pshare.signaling.protocol.PeerEvent;

/**
 * The members one peer has been told of (by its welcome, then peer-joined / peer-left), so that it
 * learns of each presence exactly once however many paths — a room event, a repair pass, a death
 * notice — bring the news. Touched only on the peer's own event loop.
 */
final class ToldMembers {
  static final String PEER_JOINED = "peer-joined";
  static final String PEER_LEFT = "peer-left";

  private final Set<String> told = new HashSet<>();

  /** The welcome listed exactly {@code ids}. */
  void reset(Collection<String> ids) {
    told.clear();
    told.addAll(ids);
  }

  /** A held message replayed on a resume (numbered before, so not through {@link #admit}). */
  void replayed(String type, String subject) {
    if (PEER_JOINED.equals(type)) {
      told.add(subject);
    } else if (PEER_LEFT.equals(type)) {
      told.remove(subject);
    }
  }

  boolean knows(String peerId) {
    return told.contains(peerId);
  }

  Set<String> ids() {
    return Set.copyOf(told);
  }

  /**
   * True if {@code event} tells the peer something new (and records it); false for a repeat: a
   * peer-joined of a member it knows, or a peer-left of one it does not.
   */
  boolean admit(PeerEvent event) {
    if (event.isRelay()) {
      return true;
    }
    // Membership events are rare next to relays: reading their subject back is cheap enough.
    JsonObject message = new JsonObject(event.head() + "}");
    return switch (event.type()) {
      case PEER_JOINED -> told.add(message.getJsonObject("peer").getString("id"));
      case PEER_LEFT -> told.remove(message.getString("peerId"));
      default -> true;
    };
  }
}
