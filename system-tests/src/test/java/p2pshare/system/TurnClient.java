package p2pshare.system;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The smallest TURN client (RFC 5766/8656) these tests need: Allocate with long-term credentials,
 * then CreatePermission for a peer address. Answers are STUN classes and error codes, so a test can
 * see exactly what coturn refused.
 */
final class TurnClient implements AutoCloseable {
  static final int UDP = 17;
  static final int TCP = 6;

  private static final int MAGIC = 0x2112A442;
  private static final int ALLOCATE = 0x0003;
  private static final int CREATE_PERMISSION = 0x0008;
  private static final int USERNAME = 0x0006;
  private static final int MESSAGE_INTEGRITY = 0x0008;
  private static final int ERROR_CODE = 0x0009;
  private static final int REALM = 0x0014;
  private static final int NONCE = 0x0015;
  private static final int XOR_PEER_ADDRESS = 0x0012;
  private static final int REQUESTED_TRANSPORT = 0x0019;
  private static final int SUCCESS_CLASS = 0x0100;
  private static final int ERROR_CLASS = 0x0110;
  private static final int TIMEOUT_MS = 5_000;

  /** A STUN answer: success, or an error with its code. */
  record Answer(boolean success, int errorCode, byte[] raw) {}

  private final String username;
  private final String password;
  private final DatagramSocket udp;
  private final Socket tcp;
  private final InetSocketAddress server;
  private final SecureRandom random = new SecureRandom();
  private String realm;
  private byte[] nonce;

  private TurnClient(InetSocketAddress server, boolean overTcp, String username, String password)
      throws IOException {
    this.server = server;
    this.username = username;
    this.password = password;
    if (overTcp) {
      this.tcp = new Socket();
      tcp.connect(server, TIMEOUT_MS);
      tcp.setSoTimeout(TIMEOUT_MS);
      this.udp = null;
    } else {
      this.udp = new DatagramSocket();
      udp.setSoTimeout(TIMEOUT_MS);
      this.tcp = null;
    }
  }

  static TurnClient udp(InetSocketAddress server, String username, String password)
      throws IOException {
    return new TurnClient(server, false, username, password);
  }

  static TurnClient tcp(InetSocketAddress server, String username, String password)
      throws IOException {
    return new TurnClient(server, true, username, password);
  }

  /** Allocate a relay of this transport (UDP or TCP), authenticating after the 401 challenge. */
  Answer allocate(int transport) throws IOException {
    byte[] requested = {(byte) transport, 0, 0, 0};
    Answer first = exchange(ALLOCATE, attr(REQUESTED_TRANSPORT, requested), false);
    if (first.success() || first.errorCode() != 401) {
      return first;
    }
    return exchange(ALLOCATE, attr(REQUESTED_TRANSPORT, requested), true);
  }

  /** CreatePermission for one IPv4 peer (after a successful allocate). */
  Answer createPermission(String ipv4) throws IOException {
    byte[] ip = InetAddress.getByName(ipv4).getAddress();
    ByteBuffer v = ByteBuffer.allocate(8);
    v.put((byte) 0).put((byte) 0x01).putShort((short) (3478 ^ (MAGIC >>> 16)));
    v.putInt(ByteBuffer.wrap(ip).getInt() ^ MAGIC);
    return exchange(CREATE_PERMISSION, attr(XOR_PEER_ADDRESS, v.array()), true);
  }

  private Answer exchange(int method, byte[] attributes, boolean authenticate) throws IOException {
    byte[] tx = new byte[12];
    random.nextBytes(tx);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(attributes);
    if (authenticate) {
      body.writeBytes(attr(USERNAME, utf8(username)));
      body.writeBytes(attr(REALM, utf8(realm)));
      body.writeBytes(attr(NONCE, nonce));
    }
    byte[] unsigned = body.toByteArray();
    byte[] message;
    if (authenticate) {
      // MESSAGE-INTEGRITY covers the header with a length that already counts itself (24 bytes)
      byte[] head = header(method, unsigned.length + 24, tx);
      byte[] signed = concat(head, unsigned);
      message = concat(signed, attr(MESSAGE_INTEGRITY, hmac(signed)));
    } else {
      message = concat(header(method, unsigned.length, tx), unsigned);
    }
    byte[] answer = roundTrip(message, tx);
    int type = ((answer[0] & 0xff) << 8) | (answer[1] & 0xff);
    readChallenge(answer);
    if ((type & 0x0110) == SUCCESS_CLASS) {
      return new Answer(true, 0, answer);
    }
    if ((type & 0x0110) == ERROR_CLASS) {
      return new Answer(false, errorCode(answer), answer);
    }
    throw new IOException("not a STUN answer: type " + Integer.toHexString(type));
  }

  private byte[] roundTrip(byte[] message, byte[] tx) throws IOException {
    while (true) {
      byte[] answer;
      if (udp != null) {
        udp.send(new DatagramPacket(message, message.length, server));
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        udp.receive(p);
        answer = Arrays.copyOf(p.getData(), p.getLength());
      } else {
        tcp.getOutputStream().write(message);
        tcp.getOutputStream().flush();
        DataInputStream in = new DataInputStream(tcp.getInputStream());
        byte[] head = new byte[20];
        in.readFully(head);
        int length = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        byte[] rest = new byte[length];
        in.readFully(rest);
        answer = concat(head, rest);
      }
      if (Arrays.equals(Arrays.copyOfRange(answer, 8, 20), tx)) {
        return answer;
      }
    }
  }

  /** Keeps the realm and nonce a 401/438 answer brings. */
  private void readChallenge(byte[] m) {
    forEachAttr(
        m,
        (type, value) -> {
          if (type == REALM) {
            realm = new String(value, StandardCharsets.UTF_8);
          } else if (type == NONCE) {
            nonce = value;
          }
        });
  }

  private static int errorCode(byte[] m) {
    int[] code = {-1};
    forEachAttr(
        m,
        (type, value) -> {
          if (type == ERROR_CODE && value.length >= 4) {
            code[0] = (value[2] & 0x07) * 100 + (value[3] & 0xff);
          }
        });
    return code[0];
  }

  private interface AttrVisitor {
    void visit(int type, byte[] value);
  }

  private static void forEachAttr(byte[] m, AttrVisitor visitor) {
    int at = 20;
    while (at + 4 <= m.length) {
      int type = ((m[at] & 0xff) << 8) | (m[at + 1] & 0xff);
      int len = ((m[at + 2] & 0xff) << 8) | (m[at + 3] & 0xff);
      if (at + 4 + len > m.length) {
        return;
      }
      visitor.visit(type, Arrays.copyOfRange(m, at + 4, at + 4 + len));
      at += 4 + ((len + 3) & ~3);
    }
  }

  private byte[] hmac(byte[] data) {
    try {
      byte[] key =
          MessageDigest.getInstance("MD5").digest(utf8(username + ":" + realm + ":" + password));
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] header(int method, int length, byte[] tx) {
    return ByteBuffer.allocate(20)
        .putShort((short) method)
        .putShort((short) length)
        .putInt(MAGIC)
        .put(tx)
        .array();
  }

  private static byte[] attr(int type, byte[] value) {
    int padded = (value.length + 3) & ~3;
    return ByteBuffer.allocate(4 + padded)
        .putShort((short) type)
        .putShort((short) value.length)
        .put(value)
        .array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    if (udp != null) {
      udp.close();
    }
    if (tcp != null) {
      tcp.close();
    }
  }
}
