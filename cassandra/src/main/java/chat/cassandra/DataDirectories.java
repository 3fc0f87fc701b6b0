package chat.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removing a stopped server's data directory, as the test kits do at the end of a run. */
public final class DataDirectories {

  private static final Logger log = LoggerFactory.getLogger(DataDirectories.class);

  private DataDirectories() {
  }

  /**
   * Deletes {@code dir} and everything below it; a missing directory is fine. A failure is logged as a
   * warning, not thrown: cleaning up must not fail a test run.
   *
   * @return whether it is gone
   */
  public static boolean deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      return true;
    } catch (IOException | UncheckedIOException e) {
      log.warn("Could not delete {}: {}", dir, e.getMessage());
      return false;
    }
  }
}
