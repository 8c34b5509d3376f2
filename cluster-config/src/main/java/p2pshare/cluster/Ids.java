package p2pshare.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Room, peer and token identifiers: generation, validation and log-safe hashing. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_-]{16,64}");
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  /** 128 random bits: ids and tokens can be neither guessed nor forged. */
  public static final int RANDOM_ID_BYTES = 16;

  private Ids() {}

  public static String randomId() {
    byte[] bytes = new byte[RANDOM_ID_BYTES];
    RANDOM.nextBytes(bytes);
    return BASE64URL.encodeToString(bytes);
  }

  public static boolean isRoomId(String id) {
    return id != null && ROOM_ID.matcher(id).matches();
  }

  public static String sha256Hex(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A short hash of a room id for logs: rooms can be correlated, never joined from a log. */
  public static String logHash(String room) {
    return sha256Hex(room).substring(0, 12);
  }
}
