package chat.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * Finds the JDK that a forked server runs on. Cassandra 5.0 supports JDK 11 and 17 only (on JDK 24+ it
 * dies at startup because the Security Manager is gone); Kafka 4 needs 17 or newer. The application
 * itself may run on a newer JDK, so the server's JDK is chosen separately, in this order:
 * <ol>
 *   <li>the configured java home;</li>
 *   <li>the environment variable {@link ServerKind#javaHomeVariable()}, e.g. {@code CASSANDRA_JAVA_HOME};</li>
 *   <li>the current JVM, if it is JDK 17;</li>
 *   <li>the first directory in {@code /usr/lib/jvm} (sorted by name) whose {@code release} file says
 *       {@code JAVA_VERSION="17...};</li>
 *   <li>the current JVM, if the server supports it (e.g. JDK 21 for Kafka).</li>
 * </ol>
 * The first two are checked against {@link ServerKind#supportedJdk()}.
 */
public final class JavaHomeLocator {

  static final int PREFERRED_FEATURE = 17;
  private static final Path JVM_DIR = Path.of("/usr/lib/jvm");

  private final ServerKind kind;
  private final Map<String, String> env;
  private final Path currentJavaHome;
  private final int currentFeature;
  private final Path jvmDir;

  JavaHomeLocator(ServerKind kind, Map<String, String> env, Path currentJavaHome, int currentFeature, Path jvmDir) {
    this.kind = kind;
    this.env = env;
    this.currentJavaHome = currentJavaHome;
    this.currentFeature = currentFeature;
    this.jvmDir = jvmDir;
  }

  /** Resolves the java home for this process's environment. */
  public static Path resolve(ServerKind kind, Optional<Path> configured) {
    return new JavaHomeLocator(kind,
        System.getenv(), Path.of(System.getProperty("java.home")), Runtime.version().feature(), JVM_DIR)
        .locate(configured);
  }

  Path locate(Optional<Path> configured) {
    if (configured.isPresent()) {
      return checkExplicit(configured.get(), "the configured javaHome");
    }
    String fromEnv = env.get(kind.javaHomeVariable());
    if (fromEnv != null && !fromEnv.isBlank()) {
      return checkExplicit(Path.of(fromEnv), "environment variable " + kind.javaHomeVariable());
    }
    if (currentFeature == PREFERRED_FEATURE && hasJava(currentJavaHome)) {
      return currentJavaHome;
    }
    for (Path candidate : sortedChildren(jvmDir)) {
      if (featureVersion(candidate).orElse(-1) == PREFERRED_FEATURE && hasJava(candidate)) {
        return candidate;
      }
    }
    if (kind.supportedJdk().test(currentFeature) && hasJava(currentJavaHome)) {
      return currentJavaHome;
    }
    throw kind.fail("No JDK 17 found to run " + kind.release() + " on (the current JVM at " + currentJavaHome
        + " is JDK " + currentFeature + "; " + kind.release() + " runs on " + kind.supportedJdkText()
        + "). Set " + kind.javaHomeVariable() + " to a JDK 17 home, or install one under " + jvmDir + ".");
  }

  private Path checkExplicit(Path home, String source) {
    if (!hasJava(home)) {
      throw kind.fail(home + " (from " + source + ") is not a JDK: it has no bin/java");
    }
    OptionalInt feature = featureVersion(home);
    if (feature.isPresent() && !kind.supportedJdk().test(feature.getAsInt())) {
      throw kind.fail(home + " (from " + source + ") is JDK " + feature.getAsInt()
          + ", but " + kind.release() + " runs only on " + kind.supportedJdkText() + ".");
    }
    return home;
  }

  private static boolean hasJava(Path home) {
    return Files.isExecutable(javaExecutable(home));
  }

  static Path javaExecutable(Path home) {
    return home.resolve("bin").resolve("java");
  }

  /** The feature version from the JDK's {@code release} file, e.g. 17 for {@code JAVA_VERSION="17.0.15"}. */
  static OptionalInt featureVersion(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return OptionalInt.empty();
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(release)) {
      props.load(in);
    } catch (IOException | IllegalArgumentException e) {
      return OptionalInt.empty();
    }
    String version = props.getProperty("JAVA_VERSION", "").replace("\"", "").strip();
    // "17.0.15", "17", "25"; the old "1.8.0_x" scheme never names a JDK a server here supports
    String feature = version.split("[.+-]", 2)[0];
    try {
      return OptionalInt.of(Integer.parseInt(feature));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private static List<Path> sortedChildren(Path dir) {
    List<Path> children = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return children;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    } catch (IOException e) {
      return children;
    }
    children.sort(null);
    return children;
  }
}
