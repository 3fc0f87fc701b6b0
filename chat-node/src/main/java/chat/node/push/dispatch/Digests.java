package chat.node.push.dispatch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests: for APNs collapse ids, and to name a push token in logs without showing it. */
final class Digests {

  private Digests() {}

  /** 64 lowercase hex characters. */
  static String sha256Hex(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The first 12 hex characters of the SHA-256: enough to tell tokens apart in logs, useless to send with. */
  static String shortHash(String text) {
    return text == null ? "none" : sha256Hex(text).substring(0, 12);
  }
}
