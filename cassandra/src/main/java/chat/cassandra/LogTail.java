package chat.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a log file, for error messages. */
final class LogTail {

  /** Enough for a stack trace's head; reading more than this from the end is pointless. */
  private static final int MAX_BYTES = 64 * 1024;
  private static final int MAX_LINE = 400;

  private LogTail() {
  }

  /**
   * The last {@code lines} lines written after byte {@code fromOffset} (the size the file had when
   * the run of interest began; if the file was rolled since, it is read from its start).
   */
  static List<String> lastLines(Path file, long fromOffset, int lines) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long from = fromOffset <= length ? fromOffset : 0;
      from = Math.max(from, length - MAX_BYTES);
      byte[] bytes = new byte[(int) (length - from)];
      raf.seek(from);
      raf.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        return List.of();
      }
      List<String> all = Arrays.asList(text.split("\\R"));
      return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
          .map(LogTail::shorten)
          .toList();
    } catch (IOException e) {
      return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
    }
  }

  /** Cassandra logs its whole configuration and classpath on one line each; keep messages readable. */
  private static String shorten(String line) {
    return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + " [...]";
  }

  /** A titled block for an exception message, or "" if nothing was written. */
  static String section(Path file, long fromOffset, int lines) {
    List<String> tail = lastLines(file, fromOffset, lines);
    if (tail.isEmpty()) {
      return "";
    }
    return "\n--- last " + tail.size() + " lines of " + file + " ---\n" + String.join("\n", tail);
  }
}
