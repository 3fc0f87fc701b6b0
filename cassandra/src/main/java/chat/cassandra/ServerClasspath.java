package chat.cassandra;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A forked server's runtime classpath, as written by its pom-only module, e.g. {@code chat-cassandra-server}
 * ({@code cassandra/server/target/cassandra-server.classpath}; see {@link ServerKind#classpathLocation()}).
 * The server never shares a classpath with the application: it runs in its own JVM, so its jars cannot
 * clash with ours.
 */
public final class ServerClasspath {

  private final ServerKind kind;
  private final Path file;
  private final List<Path> entries;

  private ServerClasspath(ServerKind kind, Path file, List<Path> entries) {
    this.kind = kind;
    this.file = file;
    this.entries = entries;
  }

  /**
   * Reads and checks the classpath file.
   *
   * @throws RuntimeException the kind's start exception if the file is missing, empty, or names jars
   *                          that are gone (e.g. after the local Maven repository was cleaned)
   */
  public static ServerClasspath read(ServerKind kind, Path file) {
    String command = kind.classpathCommand();
    if (!Files.isRegularFile(file)) {
      throw kind.fail(kind.name() + " server classpath file " + file + " does not exist. "
          + "Create it with `" + command + "` from the repository root.");
    }
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw kind.fail("Cannot read " + kind.name() + " server classpath file " + file, e);
    }
    List<Path> entries = Arrays.stream(content.split(File.pathSeparator))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .toList();
    if (entries.isEmpty()) {
      throw kind.fail(kind.name() + " server classpath file " + file + " is empty. "
          + "Recreate it with `" + command + "` from the repository root.");
    }
    Optional<Path> missing = entries.stream().filter(p -> !Files.exists(p)).findFirst();
    if (missing.isPresent()) {
      throw kind.fail(kind.name() + " server classpath file " + file + " names " + missing.get()
          + ", which does not exist. Recreate it with `" + command + "` from the repository root.");
    }
    return new ServerClasspath(kind, file, entries);
  }

  /**
   * Finds the classpath file: the system property {@link ServerKind#classpathProperty()} if set, else
   * {@link ServerKind#classpathLocation()} (e.g. {@code cassandra/server/target/cassandra-server.classpath})
   * in the working directory or the nearest parent that has one (so it works from the repository root
   * and from any module).
   *
   * @throws RuntimeException the kind's start exception if neither exists
   */
  public static Path locateClasspathFile(ServerKind kind) {
    String property = System.getProperty(kind.classpathProperty());
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(kind.classpathLocation());
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw kind.fail("Cannot find the " + kind.name() + " server classpath file: system property "
        + kind.classpathProperty() + " is not set and no " + kind.classpathLocation() + " exists in " + start
        + " or its parents. Create it with `" + kind.classpathCommand() + "` from the repository root.");
  }

  public List<Path> entries() {
    return entries;
  }

  /**
   * The jamm jar, which Cassandra needs as a {@code -javaagent} to measure memtable and cache sizes.
   */
  public Path jammAgent() {
    return entries.stream()
        .filter(p -> {
          String name = p.getFileName().toString();
          return name.startsWith("jamm-") && name.endsWith(".jar");
        })
        .findFirst()
        .orElseThrow(() -> kind.fail("No jamm-*.jar in the " + kind.name() + " server classpath "
            + file + "; is it really cassandra-all's? Recreate it with `" + kind.classpathCommand() + "`."));
  }
}
