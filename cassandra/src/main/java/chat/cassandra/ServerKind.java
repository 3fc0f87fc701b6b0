package chat.cassandra;

import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.IntPredicate;

/**
 * What the generic launcher pieces ({@link ServerProcess}, {@link ServerJvm}, {@link ServerClasspath},
 * {@link JavaHomeLocator}, {@link StaleServerGuard}, {@link Ports}) need to know about the server they
 * fork: its name in messages, the JDKs it runs on, where its classpath file is, and the exception its
 * launcher throws. One constant per server: {@code CassandraServer.KIND}, {@code chat.kafka.KafkaServer.KIND}.
 *
 * @param name              in messages, e.g. {@code Cassandra}
 * @param release           in messages about the JDK, e.g. {@code Cassandra 5.0}
 * @param javaHomeVariable  environment variable naming the JDK to run it on
 * @param supportedJdk      which JDK feature versions it runs on (an explicitly named JDK is checked)
 * @param supportedJdkText  the same in words, e.g. {@code JDK [11, 17]}
 * @param classpathProperty system property naming its classpath file (set by the build for tests)
 * @param classpathLocation where the classpath file lives relative to the repository root
 * @param classpathCommand  the command, run from the repository root, that (re)creates the classpath file
 * @param failure           makes the launcher's exception from a message and a cause (may be null)
 */
public record ServerKind(
    String name,
    String release,
    String javaHomeVariable,
    IntPredicate supportedJdk,
    String supportedJdkText,
    String classpathProperty,
    Path classpathLocation,
    String classpathCommand,
    BiFunction<String, Throwable, ? extends RuntimeException> failure) {

  /** The launcher's exception. */
  public RuntimeException fail(String message) {
    return failure.apply(message, null);
  }

  /** The launcher's exception, with its cause. */
  public RuntimeException fail(String message, Throwable cause) {
    return failure.apply(message, cause);
  }
}
