package p2pshare.balancer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Subresource Integrity values (W3C SRI): {@code sha384-<base64 of SHA-384(bytes)>}. */
final class SubresourceIntegrity {
  private SubresourceIntegrity() {}

  static String sha384(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-384").digest(bytes);
      return "sha384-" + Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 is part of every JDK", e);
    }
  }
}
