package chat.node.push.dispatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;

/**
 * A bearer credential for a push platform: a fixed value from the configuration, or the content of a file that
 * is read again when it changes (looked at no more than once a second, not on every send). FCM access tokens live
 * an hour and APNs provider tokens must be renewed within an hour, so production points at a file that something
 * else (a sidecar, a cron job) keeps fresh, replacing it atomically.
 */
final class Credential {

  private final String value;
  private final Optional<Path> file;
  private final long checkEveryNanos;
  private FileTime readAt;
  private long checkedAt;
  private String fromFile = "";

  Credential(String value, Optional<String> file) {
    this(value, file, Duration.ofSeconds(1));
  }

  Credential(String value, Optional<String> file, Duration checkEvery) {
    this.value = value.trim();
    this.file = file.map(Path::of);
    this.checkEveryNanos = checkEvery.toNanos();
  }

  /** The current credential, or empty when none is configured (or the file was never readable, or is empty). */
  synchronized Optional<String> get() {
    if (file.isEmpty()) {
      return nonEmpty(value);
    }
    long now = System.nanoTime();
    if (readAt == null || now - checkedAt >= checkEveryNanos) {
      checkedAt = now;
      refresh(file.get());
    }
    return nonEmpty(fromFile);
  }

  boolean configured() {
    return file.isPresent() || !value.isEmpty();
  }

  private void refresh(Path path) {
    try {
      FileTime modified = Files.getLastModifiedTime(path);
      if (!modified.equals(readAt)) {
        fromFile = Files.readString(path, StandardCharsets.UTF_8).trim();
        readAt = modified;
      }
    } catch (IOException e) {
      // keep what was read last: a stale token is refused (and retried), no token at all fails the send
    }
  }

  private static Optional<String> nonEmpty(String s) {
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
