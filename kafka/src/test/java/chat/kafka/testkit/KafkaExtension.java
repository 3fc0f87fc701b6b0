package chat.kafka.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.support.TypeBasedParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker for JUnit 5 tests: {@code @ExtendWith(KafkaExtension.class)}, then take a
 * {@link TestKafka} parameter in the constructor, a {@code @BeforeAll}/{@code @BeforeEach} method or a
 * test method.
 *
 * <ul>
 *   <li>One broker per test JVM (surefire runs one JVM per module), started when the first test class
 *       needs it, on free loopback ports, with its data under {@code target/it-kafka-<random>}; it is
 *       stopped and its data deleted when the test run ends. If the JVM is killed instead, the broker
 *       stops itself (see {@code chat.cassandra.ParentWatchdog}).</li>
 *   <li>With {@code -D}{@value #BOOTSTRAP_PROPERTY}{@code =host:port} the tests use that broker instead and
 *       start nothing; {@link TestKafka#isOwned()} is then false and the broker cannot be stopped.</li>
 *   <li>The broker does not create topics on first use ({@code auto.create.topics.enable=false}, as in
 *       production): tests create theirs, e.g. with {@link TestKafka#createTopic(String)}.</li>
 * </ul>
 *
 * <p>The broker's classpath file is taken from system property {@code chat.kafka.server-classpath}, or
 * found by walking up from the working directory to {@code kafka/server/target/kafka-server.classpath}.
 */
public final class KafkaExtension extends TypeBasedParameterResolver<TestKafka> implements BeforeAllCallback {

  public static final String BOOTSTRAP_PROPERTY = "chat.test.kafka.bootstrap";

  private static final Logger log = LoggerFactory.getLogger(KafkaExtension.class);
  private static final Namespace NAMESPACE = Namespace.create(KafkaExtension.class);
  private static final String SERVER_KEY = "server";

  @Override
  public void beforeAll(ExtensionContext context) {
    // eagerly, so that a broken broker fails the class here and not in the first test
    TestKafka kafka = testKafka(context);
    if (!kafka.isRunning()) {
      log.warn("An earlier test class left Kafka stopped; starting it again");
      kafka.start();
    }
  }

  @Override
  public TestKafka resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return testKafka(extensionContext);
  }

  private static TestKafka testKafka(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(SERVER_KEY, key -> SharedStart.attempt(), SharedStart.class)
        .get();
  }

  /**
   * The outcome of starting the run's broker, failure included, so that a broker that cannot start fails
   * every test class at once instead of being retried (and timing out) for each. JUnit closes it when the
   * root context closes, i.e. at the end of the test run.
   */
  record SharedStart(TestKafka kafka, RuntimeException failure) implements AutoCloseable {

    static SharedStart attempt() {
      String external = System.getProperty(BOOTSTRAP_PROPERTY);
      try {
        return new SharedStart(external != null && !external.isBlank()
            ? TestKafka.external(external.strip())
            : TestKafka.startOwned(), null);
      } catch (RuntimeException e) {
        return new SharedStart(null, e);
      }
    }

    TestKafka get() {
      if (failure != null) {
        throw new IllegalStateException("Kafka for tests could not be started: " + failure.getMessage(), failure);
      }
      return kafka;
    }

    @Override
    public void close() {
      if (kafka != null) {
        kafka.shutdown();
      }
    }
  }
}
