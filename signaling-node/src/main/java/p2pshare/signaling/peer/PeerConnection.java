package p2pshare.signaling.peer;

/** What a {@link LocalPeer} needs of the socket it is attached to. */
public interface PeerConnection {
  /** Writes one text frame; the connection closes itself if its write queue is full. */
  void send(String text);

  /** Writes one text frame of these UTF-8 bytes and takes over the caller's reference to them. */
  void send(io.netty.buffer.ByteBuf utf8);

  /** Closes the socket without treating it as the peer's drop (the peer moved or left). */
  void detachAndClose(short code, String reason);
}
