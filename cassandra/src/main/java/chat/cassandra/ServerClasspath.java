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
 * The Cassandra server's runtime classpath, as written by the {@code chat-cassandra-server} module
 * ({@code cassandra/server/target/cassandra-server.classpath}). Cassandra never shares a classpath
 * with the application: it runs in its own JVM, so its ~100 jars cannot clash with ours.
 */
public final class ServerClasspath {

  /** System property naming the classpath file; set by the build for tests. */
  public static final String CLASSPATH_FILE_PROPERTY = "chat.cassandra.server-classpath";

  /** Where the file lives relative to the repository root. */
  public static final Path RELATIVE_LOCATION = Path.of("cassandra", "server", "target", "cassandra-server.classpath");

  /** The command that (re)creates the file, run from the repository root. */
  public static final String MAVEN_COMMAND = "mvn -pl cassandra/server generate-resources";

  private final Path file;
  private final List<Path> entries;

  private ServerClasspath(Path file, List<Path> entries) {
    this.file = file;
    this.entries = entries;
  }

  /**
   * Reads and checks the classpath file.
   *
   * @throws CassandraStartException if the file is missing, empty, or names jars that are gone
   *                                 (e.g. after the local Maven repository was cleaned)
   */
  public static ServerClasspath read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CassandraStartException("Cassandra server classpath file " + file + " does not exist. "
          + "Create it with `" + MAVEN_COMMAND + "` from the repository root.");
    }
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new CassandraStartException("Cannot read Cassandra server classpath file " + file, e);
    }
    List<Path> entries = Arrays.stream(content.split(File.pathSeparator))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .toList();
    if (entries.isEmpty()) {
      throw new CassandraStartException("Cassandra server classpath file " + file + " is empty. "
          + "Recreate it with `" + MAVEN_COMMAND + "` from the repository root.");
    }
    Optional<Path> missing = entries.stream().filter(p -> !Files.exists(p)).findFirst();
    if (missing.isPresent()) {
      throw new CassandraStartException("Cassandra server classpath file " + file + " names " + missing.get()
          + ", which does not exist. Recreate it with `" + MAVEN_COMMAND + "` from the repository root.");
    }
    return new ServerClasspath(file, entries);
  }

  /**
   * Finds the classpath file: the system property {@value #CLASSPATH_FILE_PROPERTY} if set, else
   * {@code cassandra/server/target/cassandra-server.classpath} in the working directory or the
   * nearest parent that has one (so it works from the repository root and from any module).
   *
   * @throws CassandraStartException if neither exists
   */
  public static Path locateClasspathFile() {
    String property = System.getProperty(CLASSPATH_FILE_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE_LOCATION);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new CassandraStartException("Cannot find the Cassandra server classpath file: system property "
        + CLASSPATH_FILE_PROPERTY + " is not set and no " + RELATIVE_LOCATION + " exists in " + start
        + " or its parents. Create it with `" + MAVEN_COMMAND + "` from the repository root.");
  }

  public Path file() {
    return file;
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
        .orElseThrow(() -> new CassandraStartException("No jamm-*.jar in the Cassandra server classpath "
            + file + "; is it really cassandra-all's? Recreate it with `" + MAVEN_COMMAND + "`."));
  }
}
