package p2pshare.signaling;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A hand-made WebSocket client for abuse tests: it handshakes, sends a join and never reads. */
final class RawWebSocket {
  private RawWebSocket() {}

  static void handshakeAndJoin(Socket socket, String room) throws IOException {
    handshake(socket);
    writeText(socket.getOutputStream(), "{\"type\":\"join\",\"v\":1,\"room\":\"" + room + "\"}");
  }

  static void handshake(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    String key =
        Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    out.write(
        ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: "
                + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during handshake");
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + head);
    }
  }

  /** One masked text frame (clients must mask). */
  static void writeText(OutputStream out, String text) throws IOException {
    writeFrame(out, 0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads the next data frame (unmasked, from the server) and returns its text. */
  static String readText(InputStream in) throws IOException {
    while (true) {
      Frame f = readFrame(in, "connection ended");
      if (f.opcode() == 0x1) {
        return new String(f.payload(), StandardCharsets.UTF_8);
      }
    }
  }

  /** Reads frames until a close frame and returns its status code. */
  static int readCloseCode(InputStream in) throws IOException {
    while (true) {
      Frame f = readFrame(in, "connection ended without a close frame");
      if (f.opcode() == 0x8) {
        byte[] p = f.payload();
        return p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : -1;
      }
    }
  }

  private record Frame(int opcode, byte[] payload) {}

  /** One unmasked frame from the server. */
  private static Frame readFrame(InputStream in, String endedMessage) throws IOException {
    int b0 = in.read();
    int b1 = in.read();
    if (b0 < 0 || b1 < 0) {
      throw new IOException(endedMessage);
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    return new Frame(b0 & 0x0f, in.readNBytes((int) len));
  }

  /** One masked frame (clients must mask). */
  static void writeFrame(OutputStream out, int opcode, byte[] payload) throws IOException {
    byte[] mask = {1, 2, 3, 4};
    out.write(0x80 | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write((payload.length >> 8) & 0xff);
      out.write(payload.length & 0xff);
    }
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }
}
