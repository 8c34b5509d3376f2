package p2pshare.signaling.peer;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import p2pshare.signaling.protocol.PeerEvent;

/**
 * A peer whose membership this node owns. It outlives its socket for the resume window. All methods
 * run on {@link #context()}, the event loop it was created on, which keeps per-sender order and
 * makes the seq counter safe without locks.
 */
public final class LocalPeer {
  /** PENDING buffers deliveries until a handover from another node has completed. */
  public enum State {
    PENDING,
    ACTIVE,
    GONE
  }

  private final String peerId;
  private final String room;
  private final String meta;
  private final Context context;
  private final ReplayRing ring = new ReplayRing();
  private final ToldMembers told = new ToldMembers();
  private final List<PeerEvent> pending = new ArrayList<>();

  /** After a handover: origin nodes whose fence has not come back through the old node yet. */
  private final java.util.Set<String> awaitingFence = new java.util.HashSet<>();

  private final java.util.Map<String, List<PeerEvent>> heldByOrigin = new java.util.HashMap<>();
  private State state;
  private long seq;
  private long seqAtDrop = -1;
  private PeerConnection connection;
  private long awayTimer = -1;
  private String tokenHash;

  public LocalPeer(String peerId, String room, String meta, Context context, State state) {
    this.peerId = peerId;
    this.room = room;
    this.meta = meta;
    this.context = context;
    this.state = state;
  }

  public String peerId() {
    return peerId;
  }

  public String room() {
    return room;
  }

  public String meta() {
    return meta;
  }

  public Context context() {
    return context;
  }

  /**
   * Runs {@code action} on the peer's event loop: at once when already on its thread, else queued.
   * Threads are compared, not contexts: each socket runs on its own duplicate of the loop's
   * context.
   */
  public void onLoop(Runnable action) {
    if (((ContextInternal) context).inThread()) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  public State state() {
    return state;
  }

  public ReplayRing ring() {
    return ring;
  }

  public long seq() {
    return seq;
  }

  /** The members this peer has been told of; see {@link ToldMembers}. */
  ToldMembers told() {
    return told;
  }

  /** The hash of the peer's current resume token, revoked when the peer leaves for good. */
  public String tokenHash() {
    return tokenHash;
  }

  public void tokenHash(String hash) {
    tokenHash = hash;
  }

  public boolean connected() {
    return connection != null;
  }

  /**
   * A message from {@code origin} node. Right after a handover, messages sent straight here by a
   * node could overtake older ones still being forwarded by the old node: they wait until that
   * origin's fence has come through the old node, so per-sender order holds.
   */
  public void deliver(PeerEvent message, String origin, boolean forwarded) {
    if (!forwarded && awaitingFence.contains(origin)) {
      heldByOrigin.computeIfAbsent(origin, o -> new ArrayList<>()).add(message);
      return;
    }
    deliver(message);
  }

  /** Waits for a fence from each of {@code origins} (or until {@link #releaseFences()}). */
  public void awaitFences(java.util.Collection<String> origins) {
    awaitingFence.addAll(origins);
  }

  /** The fence of {@code origin} arrived through the old node: its held messages may go. */
  public void fence(String origin) {
    if (awaitingFence.remove(origin)) {
      List<PeerEvent> held = heldByOrigin.remove(origin);
      if (held != null) {
        held.forEach(this::deliver);
      }
    }
  }

  /** Gives up waiting (a fence can be lost with a dying node). */
  public void releaseFences() {
    new ArrayList<>(awaitingFence).forEach(this::fence);
  }

  /** Numbers the message, keeps it in the replay ring and writes it if a socket is attached. */
  public void deliver(PeerEvent message) {
    switch (state) {
      case PENDING -> pending.add(message);
      case GONE -> {}
      case ACTIVE -> {
        if (!told.admit(message)) {
          return; // it knows this presence already: exactly once, whatever path brought it
        }
        seq++;
        io.netty.buffer.ByteBuf frame = message.frame(seq);
        ring.add(seq, frame); // a copy into the peer's one ring buffer
        if (connection != null) {
          connection.send(frame);
        } else {
          frame.release();
        }
      }
    }
  }

  /** Completes a handover: continues the counter and ring, then delivers what was buffered. */
  public void activate(long handedSeq, io.vertx.core.json.JsonArray handedRing) {
    seq = handedSeq;
    ring.restore(handedSeq, handedRing);
    state = State.ACTIVE;
    List<PeerEvent> buffered = new ArrayList<>(pending);
    pending.clear();
    buffered.forEach(this::deliver);
  }

  /** Starts numbering at {@code startSeq}: a fresh peer, or one whose node died. */
  public void activateFresh(long startSeq) {
    seq = startSeq;
    state = State.ACTIVE;
    List<PeerEvent> buffered = new ArrayList<>(pending);
    pending.clear();
    buffered.forEach(this::deliver);
  }

  public void attach(PeerConnection newConnection) {
    cancelAwayTimer();
    PeerConnection old = connection;
    connection = newConnection;
    seqAtDrop = -1;
    if (old != null && old != newConnection) {
      old.detachAndClose((short) 4000, "resumed elsewhere");
    }
  }

  /** The socket dropped: keep numbering into the ring, remember where the drop happened. */
  public void detach(PeerConnection dropped, long timerId) {
    if (connection != dropped) {
      context.owner().cancelTimer(timerId);
      return;
    }
    connection = null;
    seqAtDrop = seq;
    awayTimer = timerId;
  }

  public void cancelAwayTimer() {
    if (awayTimer >= 0) {
      context.owner().cancelTimer(awayTimer);
      awayTimer = -1;
    }
  }

  /** Where replay starts for a resume: after lastSeq, or after the drop if none was given. */
  public long replayFrom(Long lastSeq) {
    if (lastSeq != null) {
      return Math.min(lastSeq, seq);
    }
    return seqAtDrop >= 0 ? seqAtDrop : seq;
  }

  /** Ends this peer here after writing {@code lastFrame} (e.g. reconnect) to its socket, if any. */
  public void end(String lastFrame, short code, String reason) {
    if (connection != null) {
      connection.send(lastFrame);
    }
    end(code, reason);
  }

  /** Ends this peer here: its socket (if any) is closed without a drop, deliveries stop. */
  public void end(short code, String reason) {
    cancelAwayTimer();
    state = State.GONE;
    onLoop(ring::clear); // on its own loop: a delivery running there finishes first
    PeerConnection old = connection;
    connection = null;
    if (old != null) {
      old.detachAndClose(code, reason);
    }
  }
}
