package chat.cassandra.testkit;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Real Cassandra for JUnit 5 tests: {@code @ExtendWith(CassandraExtension.class)}, then take a
 * {@link TestCassandra} parameter in the constructor, a {@code @BeforeAll}/{@code @BeforeEach} method
 * or a test method.
 *
 * <ul>
 *   <li>One Cassandra per test JVM (surefire runs one JVM per module), started when the first test
 *       class needs it, on free ports, with its data under {@code target/it-cassandra-<random>}; it is
 *       stopped and its data deleted when the test run ends. If the JVM is killed instead, the server
 *       stops itself (see {@code chat.cassandra.ParentWatchdog}).</li>
 *   <li>With {@code -D}{@value #CONTACT_POINT_PROPERTY}{@code =host:port} the tests use that server
 *       instead and start nothing ({@value #DATACENTER_PROPERTY} names its datacenter, default
 *       {@code datacenter1}).</li>
 *   <li>Each test class gets its own keyspace with the full schema, named after the class plus a random
 *       suffix, and dropped after the class. {@code @Nested} classes share their outer class's keyspace.</li>
 * </ul>
 *
 * <p>The Cassandra server classpath file is taken from system property
 * {@code chat.cassandra.server-classpath}, or found by walking up from the working directory to
 * {@code cassandra/server/target/cassandra-server.classpath}.
 */
public final class CassandraExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  public static final String CONTACT_POINT_PROPERTY = "chat.it.cassandra.contact-point";
  public static final String DATACENTER_PROPERTY = "chat.it.cassandra.datacenter";

  private static final Namespace NAMESPACE = Namespace.create(CassandraExtension.class);
  private static final String SERVER_KEY = "server";
  private static final String KEYSPACE_KEY = "keyspace";

  /** Cassandra's limit is 48; the suffix takes 9. */
  private static final int MAX_PREFIX = 39;

  @Override
  public void beforeAll(ExtensionContext context) {
    // eagerly, so that a broken Cassandra fails the class here and not in the first test
    testCassandra(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // remove() only sees this class's own store: a @Nested class leaves its outer class's keyspace alone
    TestCassandra own = context.getStore(NAMESPACE).remove(KEYSPACE_KEY, TestCassandra.class);
    if (own != null) {
      shared(context).dropKeyspace(own.keyspace());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TestCassandra.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
      throws ParameterResolutionException {
    return testCassandra(extensionContext);
  }

  /**
   * The class's keyspace, created on first use. Lazily rather than only in beforeAll, because with
   * {@code @TestInstance(PER_CLASS)} the constructor is resolved before beforeAll runs.
   */
  private static TestCassandra testCassandra(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    SharedCassandra shared = shared(context);
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(KEYSPACE_KEY,
        key -> shared.createKeyspace(keyspaceName(classContext.getRequiredTestClass())),
        TestCassandra.class);
  }

  private static SharedCassandra shared(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(SERVER_KEY, key -> SharedStart.attempt(), SharedStart.class)
        .get();
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  /** e.g. {@code chat.node.RoomJournalIT} → {@code room_journal_it_1a2b3c4d}. */
  static String keyspaceName(Class<?> testClass) {
    String snake = testClass.getSimpleName()
        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "_")
        .replaceAll("^_+|_+$", "");
    if (snake.isEmpty() || !Character.isLetter(snake.charAt(0))) {
      snake = "t_" + snake;
    }
    if (snake.length() > MAX_PREFIX) {
      snake = snake.substring(0, MAX_PREFIX);
    }
    return snake + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The outcome of starting the shared Cassandra, failure included, so that a server that cannot
   * start fails every test class at once instead of being retried (and timing out) for each.
   */
  static final class SharedStart implements AutoCloseable {
    private final SharedCassandra cassandra;
    private final RuntimeException failure;

    private SharedStart(SharedCassandra cassandra, RuntimeException failure) {
      this.cassandra = cassandra;
      this.failure = failure;
    }

    static SharedStart attempt() {
      try {
        return new SharedStart(SharedCassandra.start(), null);
      } catch (RuntimeException e) {
        return new SharedStart(null, e);
      }
    }

    SharedCassandra get() {
      if (failure != null) {
        throw new IllegalStateException("Cassandra for tests could not be started: " + failure.getMessage(),
            failure);
      }
      return cassandra;
    }

    /** Called by JUnit when the root context closes, i.e. at the end of the test run. */
    @Override
    public void close() {
      if (cassandra != null) {
        cassandra.close();
      }
    }
  }
}
