package p2pshare.signaling.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes frames without a flush each: on a socket's own event loop a write only queues, and the
 * loop flushes every written socket once, in a task that runs after the read batch it is handling
 * (Netty runs tasks after I/O). One syscall per socket per batch instead of one per message.
 */
final class FlushBatch implements Runnable {
  private static final FastThreadLocal<FlushBatch> OF_LOOP =
      new FastThreadLocal<>() {
        @Override
        protected FlushBatch initialValue() {
          return new FlushBatch();
        }
      };

  private final List<ChannelHandlerContext> written = new ArrayList<>();
  private boolean scheduled;

  private FlushBatch() {}

  /**
   * Writes {@code frame} to the socket behind {@code ctx}; it is flushed by the end of the batch.
   */
  static void write(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (ctx.executor().inEventLoop()) {
      ctx.write(frame, ctx.voidPromise());
      OF_LOOP.get().add(ctx);
    } else {
      ctx.writeAndFlush(frame, ctx.voidPromise());
    }
  }

  private void add(ChannelHandlerContext ctx) {
    written.add(ctx);
    if (!scheduled) {
      scheduled = true;
      ctx.executor().execute(this);
    }
  }

  @Override
  public void run() {
    scheduled = false;
    for (int i = 0; i < written.size(); i++) {
      written.get(i).flush();
    }
    written.clear();
  }
}
