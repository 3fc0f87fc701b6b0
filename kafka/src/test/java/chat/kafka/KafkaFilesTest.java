package chat.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated broker config and the config builder, without starting a broker. */
class KafkaFilesTest {

  @TempDir
  Path dir;

  @Test
  void serverPropertiesAreSingleNodeKraftOnLoopback() throws IOException {
    KafkaFiles files = new KafkaFiles(dir);
    files.write("127.0.0.1", 19092, 19093);
    Properties props = load(files.serverProperties());

    assertEquals("broker,controller", props.getProperty("process.roles"));
    assertEquals("1", props.getProperty("node.id"));
    assertEquals("1@127.0.0.1:19093", props.getProperty("controller.quorum.voters"));
    assertEquals("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093", props.getProperty("listeners"));
    assertEquals("PLAINTEXT://127.0.0.1:19092", props.getProperty("advertised.listeners"));
    assertEquals("CONTROLLER", props.getProperty("controller.listener.names"));
    assertEquals(dir.resolve("data").toString(), props.getProperty("log.dirs"));
    assertEquals("false", props.getProperty("auto.create.topics.enable"), "topics are created explicitly");
    assertEquals("1", props.getProperty("num.partitions"));
    assertEquals("1", props.getProperty("offsets.topic.replication.factor"));
    assertEquals("1", props.getProperty("transaction.state.log.replication.factor"));
    assertEquals("1", props.getProperty("share.coordinator.state.topic.replication.factor"));
    assertEquals("0", props.getProperty("group.initial.rebalance.delay.ms"));
    assertEquals("3000", props.getProperty("broker.session.timeout.ms"), "a restart after kill -9 waits for it");
    assertTrue(Files.isDirectory(files.logDirs()));
    assertTrue(Files.isDirectory(files.logDir()));
  }

  @Test
  void log4jIsQuietAndWritesIntoTheDataDir() throws IOException {
    KafkaFiles files = new KafkaFiles(dir);
    files.write("127.0.0.1", 19092, 19093);
    Properties props = load(files.log4j2Properties());

    assertEquals(dir.resolve("logs").resolve("server.log").toString(), props.getProperty("appender.file.fileName"));
    assertEquals("warn", props.getProperty("rootLogger.level"));
    for (String logger : new String[] {"kafka", "apache", "stateChange"}) {
      assertEquals("warn", props.getProperty("logger." + logger + ".level"), logger);
    }
    assertEquals("org.apache.kafka", props.getProperty("logger.apache.name"));
    assertEquals("state.change.logger", props.getProperty("logger.stateChange.name"));
    assertFalse(props.stringPropertyNames().stream().anyMatch(k -> k.contains("Console")), "nothing to stdout");
  }

  @Test
  void pathsSurviveThePropertiesFormat() throws IOException {
    String odd = "/tmp/dir with spaces/back\\slash/ünïcødé/€";
    Properties props = new Properties();
    props.load(new StringReader("v=" + KafkaFiles.propertyValue(odd)));
    assertEquals(odd, props.getProperty("v"));
  }

  @Test
  void formattedOnceMetaPropertiesExists() throws IOException {
    KafkaFiles files = new KafkaFiles(dir);
    files.write("127.0.0.1", 19092, 19093);
    assertFalse(files.isFormatted());
    Files.writeString(files.logDirs().resolve("meta.properties"), "node.id=1\n");
    assertTrue(files.isFormatted());
  }

  @Test
  void builderDefaults() {
    KafkaServerConfig config = KafkaServerConfig.builder(dir).classpathFile(dir.resolve("cp")).build();
    assertEquals("127.0.0.1", config.host());
    assertEquals(9092, config.port());
    assertEquals(9093, config.controllerPort());
    assertEquals("256m", config.heap());
    assertTrue(config.javaHome().isEmpty());
  }

  @Test
  void freePortsArePickedOnceAndKeptInTheConfig() {
    KafkaServerConfig config = KafkaServerConfig.builder(dir).classpathFile(dir.resolve("cp")).freePorts().build();
    assertTrue(config.port() > 0 && config.controllerPort() > 0, config.toString());
    assertNotEquals(config.port(), config.controllerPort());
    KafkaServerConfig same = new KafkaServerConfig(config.dataDir(), config.classpathFile(), config.javaHome(),
        config.host(), config.port(), config.controllerPort(), config.heap(), config.startupTimeout());
    assertEquals(config, same, "a record: reusable to restart on the same ports");
  }

  @Test
  void invalidConfigsAreRejected() {
    KafkaServerConfig.Builder builder = KafkaServerConfig.builder(dir).classpathFile(dir.resolve("cp"));
    assertThrows(IllegalArgumentException.class, () -> builder.port(9092).controllerPort(9092).build());
    assertThrows(IllegalArgumentException.class, () -> builder.controllerPort(9093).heap("lots").build());
    assertThrows(IllegalArgumentException.class, () -> builder.heap("256m").port(70000).build());
    KafkaStartException e = assertThrows(KafkaStartException.class,
        () -> KafkaServerConfig.builder(dir).classpathFile(dir.resolve("cp")).host("0.0.0.0").freePorts().build());
    assertTrue(e.getMessage().contains("loopback"), e.getMessage());
  }

  private static Properties load(Path file) throws IOException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in); // as Kafka and log4j2 read it: ISO-8859-1
    }
    return props;
  }
}
