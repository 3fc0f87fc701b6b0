package chat.cassandra;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command line of a forked server JVM, common to all servers: the JDK, a fixed heap, G1, exit on
 * OOM, the server's own options, and {@link ParentWatchdog} wrapping its main class. The server-specific
 * flags live with each server (e.g. {@code CassandraJvm}).
 */
public final class ServerJvm {

  private ServerJvm() {
  }

  /**
   * {@code java -Xms<heap> -Xmx<heap> ... <jvmOptions> -cp <classpath>:<watchdog> ParentWatchdog <parentPid>
   * <mainClass> <mainArgs>}.
   */
  public static List<String> command(ServerKind kind, Path javaHome, String heap, List<String> jvmOptions,
      List<Path> classpath, long parentPid, String mainClass, List<String> mainArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(JavaHomeLocator.javaExecutable(javaHome).toString());
    cmd.addAll(List.of(
        "-Xms" + heap,
        "-Xmx" + heap,
        "-XX:+UseG1GC",
        // a half-dead server after an OOM is worse than one that is gone and says so in console.log
        "-XX:+ExitOnOutOfMemoryError"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of(
        "-cp", classpath(kind, classpath),
        ParentWatchdog.class.getName(),
        Long.toString(parentPid),
        mainClass));
    cmd.addAll(mainArgs);
    return cmd;
  }

  /**
   * The server's jars, then the location of {@link ParentWatchdog} (our classes dir or jar). Ours comes
   * last so that, should it be a jar with more in it, the server's own classes always win.
   */
  private static String classpath(ServerKind kind, List<Path> classpath) {
    return Stream.concat(classpath.stream(), Stream.of(watchdogLocation(kind)))
        .map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  static Path watchdogLocation(ServerKind kind) {
    CodeSource source = ParentWatchdog.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw kind.fail("Cannot tell where " + ParentWatchdog.class.getName()
          + " was loaded from, so the " + kind.name() + " JVM could not run it");
    }
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw kind.fail("Cannot use " + source.getLocation() + " (the location of "
          + ParentWatchdog.class.getName() + ") on the " + kind.name() + " JVM's classpath", e);
    }
  }
}
