package p2pshare.signaling.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ByteProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import p2pshare.core.TokenBucket;
import p2pshare.signaling.ops.SignalingMetrics;
import p2pshare.signaling.peer.LocalPeer;
import p2pshare.signaling.peer.PeerConnection;
import p2pshare.signaling.peer.RoomService;
import p2pshare.signaling.protocol.ClientMessage;
import p2pshare.signaling.protocol.ClientMessageCodec;
import p2pshare.signaling.protocol.ErrorCode;
import p2pshare.signaling.protocol.ProtocolException;
import p2pshare.signaling.protocol.ServerMessages;

/**
 * Longer than 300 lines: a socket's whole life (frames, limits, back-pressure, join or resume,
 * close) is one state machine on one event loop, and its parts share that state.
 *
 * <p>One WebSocket: NEW → JOINING → JOINED → CLOSED. Parses frames, enforces the frame limit and
 * the rate limit, and hands valid messages to the {@link RoomService}.
 */
public final class PeerSession implements PeerConnection {
  private static final ByteProcessor IS_ASCII = b -> b >= 0;

  private enum State {
    NEW,
    JOINING,
    JOINED,
    CLOSED
  }

  private final Vertx vertx;
  private final ServerWebSocket socket;
  private final RoomService rooms;
  private final SignalingMetrics metrics;
  private final DrainState drain;
  private final TokenBucket bucket;
  private volatile State state = State.NEW;
  private volatile LocalPeer peer;
  private volatile boolean detached;
  private volatile boolean movedAway;
  private long lastRateLimitError;
  private boolean rateLimitPaused;
  private Buffer message;
  private boolean messageIsText;

  /** Set once the socket is being closed as a slow consumer: nothing more is written or counted. */
  private boolean closingSlowConsumer;

  public PeerSession(
      Vertx vertx,
      ServerWebSocket socket,
      RoomService rooms,
      SignalingMetrics metrics,
      DrainState drain) {
    this.vertx = vertx;
    this.socket = socket;
    this.rooms = rooms;
    this.metrics = metrics;
    this.drain = drain;
    this.bucket = new TokenBucket(Limits.RATE_PER_SECOND, Limits.RATE_BURST, System.nanoTime());
  }

  /** Starts handling the socket; {@code onClosed} runs once it has closed. */
  public void start(Runnable onClosed) {
    metrics.connectionOpened();
    socket.setWriteQueueMaxSize(Limits.WRITE_QUEUE_MAX_BYTES);
    socket.frameHandler(this::onFrame);
    socket.exceptionHandler(e -> {});
    socket.closeHandler(
        v -> {
          onClose();
          onClosed.run();
        });
  }

  /** Sent on drain: the client should ask the balancer again and resume elsewhere. */
  public void sendReconnect() {
    if (state != State.CLOSED) {
      write(utf8(ServerMessages.reconnect("draining").encode()));
    }
  }

  public void ping() {
    if (state != State.CLOSED) {
      // through the batch: a verticle's periodic ping of all its sockets is flushed once each
      FlushBatch.write(channel(), new PingWebSocketFrame(Unpooled.EMPTY_BUFFER));
    }
  }

  /**
   * Aggregates the fragments of one message ourselves, so the size limit is exact and invalid UTF-8
   * is caught (close 1007) instead of being silently replaced.
   */
  private void onFrame(WebSocketFrame frame) {
    if (state == State.CLOSED) {
      return;
    }
    if (frame.isText()
        && frame.isFinal()
        && frame.binaryData().length() <= Limits.MAX_FRAME_BYTES) {
      onTextBytes(frame.binaryData()); // the common case: a whole message in one frame, no copy
      return;
    }
    if (frame.isText() || frame.isBinary()) {
      message = Buffer.buffer();
      messageIsText = frame.isText();
    } else if (!frame.isContinuation() || message == null) {
      return; // ping, pong and close frames are handled by the WebSocket layer
    }
    message.appendBuffer(frame.binaryData());
    if (message.length() > Limits.MAX_FRAME_BYTES) {
      message = null;
      sendError(ErrorCode.TOO_LARGE, "frames are limited to 64 KiB", null);
      return;
    }
    if (!frame.isFinal()) {
      return;
    }
    Buffer complete = message;
    message = null;
    if (!messageIsText) {
      if (withinRate()) {
        sendError(ErrorCode.BAD_MESSAGE, "binary frames are not part of the protocol", null);
      }
      return;
    }
    onTextBytes(complete);
  }

  /**
   * Decodes strictly: invalid UTF-8 closes the socket (1007) rather than being replaced. Signaling
   * JSON is nearly always ASCII, which needs no decoder at all.
   */
  private void onTextBytes(Buffer bytes) {
    if (!withinRate()) {
      return;
    }
    // byteBuf() is the frame's own buffer; getByteBuf() would wrap a duplicate per frame
    ByteBuf buf =
        bytes instanceof BufferImpl impl ? impl.byteBuf() : ((BufferInternal) bytes).getByteBuf();
    if (buf.forEachByte(IS_ASCII) != -1) {
      try {
        StandardCharsets.UTF_8.newDecoder().decode(buf.nioBuffer());
      } catch (CharacterCodingException e) {
        state = State.CLOSED;
        socket.close((short) 1007, "invalid UTF-8");
        return;
      }
    }
    // Vert.x hands frames over in heap buffers: parse their array in place, no String.
    if (buf.hasArray()) {
      onText(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
    } else {
      byte[] copy = ByteBufUtil.getBytes(buf);
      onText(copy, 0, copy.length);
    }
  }

  /**
   * Takes a token for one message. Over the limit the message is dropped (one error a second at
   * most) and the socket is paused until the bucket refills, before anything is decoded: the flood
   * waits in TCP buffers and pushes back on its sender instead of costing others CPU.
   */
  private boolean withinRate() {
    long now = System.nanoTime();
    if (bucket.tryTake(now)) {
      return true;
    }
    if (now - lastRateLimitError > Limits.RATE_LIMIT_ERROR_INTERVAL_NANOS) {
      lastRateLimitError = now;
      sendError(ErrorCode.RATE_LIMITED, "too many messages; slow down", null);
    }
    if (!rateLimitPaused && state != State.CLOSED) {
      rateLimitPaused = true;
      socket.pause();
      long waitMs = Math.max(1, bucket.nanosUntil(Limits.RATE_RESUME_TOKENS, now) / 1_000_000);
      vertx.setTimer(waitMs, t -> resumeReading());
    }
    return false;
  }

  private void resumeReading() {
    rateLimitPaused = false;
    if (state != State.CLOSED) {
      socket.resume();
    }
  }

  private void onText(byte[] utf8, int offset, int length) {
    ClientMessage message;
    try {
      message = ClientMessageCodec.decode(utf8, offset, length);
    } catch (ProtocolException e) {
      sendError(e.code(), e.getMessage(), null);
      return;
    }
    try {
      dispatch(message);
    } catch (ProtocolException e) {
      sendError(e.code(), e.getMessage(), message.type());
    }
  }

  private void dispatch(ClientMessage message) throws ProtocolException {
    metrics.messageIn(message.type());
    if (message instanceof ClientMessage.Signal signal) {
      rooms.signal(joinedPeer(), signal.to(), signal.data());
    } else if (message instanceof ClientMessage.Broadcast broadcast) {
      rooms.broadcast(joinedPeer(), broadcast.data());
    } else if (message instanceof ClientMessage.Ping ping) {
      send(ServerMessages.pong(ping.t()).encode());
    } else if (message instanceof ClientMessage.Join join) {
      handleJoin(join);
    } else {
      handleLeave();
    }
  }

  private LocalPeer joinedPeer() throws ProtocolException {
    LocalPeer p = peer;
    if (state != State.JOINED || p == null) {
      throw new ProtocolException(ErrorCode.NOT_JOINED, "send join first");
    }
    return p;
  }

  private void handleJoin(ClientMessage.Join join) throws ProtocolException {
    if (state != State.NEW) {
      throw new ProtocolException(ErrorCode.ALREADY_JOINED, "this socket has joined already");
    }
    if (join.version() != ServerMessages.VERSION) {
      throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "this node speaks protocol v1");
    }
    if (drain.draining()) {
      throw new ProtocolException(
          ErrorCode.DRAINING, "this node is shutting down; ask the balancer again");
    }
    state = State.JOINING;
    Future<LocalPeer> joined =
        join.resume() == null
            ? rooms.join(join, this, this::onJoined)
            : rooms.resume(join, this, this::onJoined);
    joined.onFailure(
        e -> {
          if (state == State.CLOSED) {
            return;
          }
          state = State.NEW;
          if (e instanceof ProtocolException p) {
            sendError(p.code(), p.getMessage(), "join");
          } else {
            sendError(ErrorCode.BAD_MESSAGE, "join failed; try again", "join");
          }
        });
  }

  /** Runs just before the welcome is written, so frames after it find the socket joined. */
  private void onJoined(LocalPeer joinedPeer) {
    peer = joinedPeer;
    state = State.JOINED;
    if (detached) {
      // The socket closed while joining: treat it as a drop right away.
      rooms.dropped(joinedPeer, this);
    }
  }

  private void handleLeave() throws ProtocolException {
    LocalPeer p = joinedPeer();
    detached = true;
    state = State.CLOSED;
    p.context().runOnContext(v -> rooms.leave(p));
    socket.close((short) 1000, "left");
  }

  private void onClose() {
    metrics.connectionClosed();
    State before = state;
    state = State.CLOSED;
    detached = true;
    LocalPeer p = peer;
    if (before == State.JOINED && p != null && !movedAway) {
      rooms.dropped(p, this);
    }
  }

  @Override
  public void send(String text) {
    send(utf8(text));
  }

  @Override
  public void send(ByteBuf utf8) {
    if (state == State.CLOSED || closingSlowConsumer) {
      utf8.release();
      return;
    }
    // Our frames bypass Vert.x's queue, so the channel's own water mark (1 MiB) is the bound.
    if (!channel().channel().isWritable()) {
      // A reader that does not keep up is closed; a resume replays what the ring still holds.
      // (state stays: the close handler still drops the peer into its resume window)
      utf8.release();
      closingSlowConsumer = true;
      metrics.slowConsumerClosed();
      socket.close((short) 1008, "slow consumer");
      return;
    }
    write(utf8);
  }

  /**
   * Every text frame of ours goes this one way, straight to the socket's Netty pipeline (Vert.x's
   * write path would copy a pooled buffer to the heap and flush per message), so their order is the
   * order they were sent in.
   */
  private void write(ByteBuf utf8) {
    FlushBatch.write(channel(), new TextWebSocketFrame(utf8));
  }

  private io.netty.channel.ChannelHandlerContext channel() {
    return ((WebSocketInternal) socket).channelHandlerContext();
  }

  private static ByteBuf utf8(String text) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(ByteBufUtil.utf8MaxBytes(text));
    ByteBufUtil.writeUtf8(buf, text);
    return buf;
  }

  @Override
  public void detachAndClose(short code, String reason) {
    movedAway = true;
    if (state != State.CLOSED) {
      socket.close(code, reason);
    }
  }

  private void sendError(ErrorCode code, String message, String ref) {
    metrics.error(code);
    // error frames obey the same bound as every other frame (issue 14 finding 5)
    send(utf8(ServerMessages.error(code, message, ref).encode()));
    if (code.closes() && state != State.CLOSED) {
      state = State.CLOSED;
      socket.close(code.closeCode(), code.wireName());
    }
  }
}
