package chat.cassandra;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <dataDir>/cassandra.pid} (or {@code kafka.pid}): which process runs a forked server on a data
 * directory and which process started it. The owner's pid is what tells a server whose owner died (an
 * orphan, soon stopped by its {@link ParentWatchdog}) from one that a live process still uses. The
 * child's start time guards against a recycled pid.
 */
public final class PidFile {

  /** One line of the file, see the class comment. */
  record Entry(long pid, long ownerPid, Optional<Instant> startedAt) {
  }

  private final Path path;

  public PidFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  void write(ProcessHandle child, ProcessHandle owner) {
    Properties props = new Properties();
    props.setProperty("pid", Long.toString(child.pid()));
    props.setProperty("ownerPid", Long.toString(owner.pid()));
    child.info().startInstant().ifPresent(t -> props.setProperty("startedAt", t.toString()));
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try {
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        props.store(out, "Server started by process " + owner.pid() + " (chat.cassandra.ServerProcess)");
      }
      try {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write pid file " + path, e);
    }
  }

  /** The entry, or empty if there is no file or it cannot be parsed (then it is of no use anyway). */
  Optional<Entry> read() {
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      props.load(in);
      Optional<Instant> startedAt = Optional.ofNullable(props.getProperty("startedAt")).map(Instant::parse);
      return Optional.of(new Entry(
          Long.parseLong(props.getProperty("pid", "").strip()),
          Long.parseLong(props.getProperty("ownerPid", "").strip()),
          startedAt));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  void delete() {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete pid file " + path, e);
    }
  }
}
