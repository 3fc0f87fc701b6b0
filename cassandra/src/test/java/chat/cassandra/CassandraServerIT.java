package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real Cassandra, started and stopped by {@link CassandraServer} itself (not the test extension). */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CassandraServerIT {

  private static final Duration FAIL_FAST = Duration.ofSeconds(10);

  @TempDir
  Path tempDir;

  @Test
  void servesCqlKeepsDataAcrossRestartsAndStopsCleanly() {
    CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("cassandra")).freePorts().build();
    Path pidFile = config.dataDir().resolve("cassandra.pid");

    long firstPid;
    try (CassandraServer server = CassandraServer.start(config)) {
      report("first start (empty data dir)", server.startupDuration());
      firstPid = server.pid();
      assertTrue(server.isRunning());
      assertEquals("127.0.0.1", server.host());
      assertEquals("datacenter1", server.localDatacenter());
      assertTrue(Files.isRegularFile(pidFile), "pid file written");
      assertTrue(Files.isRegularFile(server.logFile()), "Cassandra logs to " + server.logFile());
      try (CqlSession session = connect(server)) {
        session.execute("CREATE KEYSPACE restart_check WITH replication = "
            + SchemaMigrator.DEFAULT_REPLICATION);
        session.execute("CREATE TABLE restart_check.kv (k text PRIMARY KEY, v text)");
        session.execute("INSERT INTO restart_check.kv (k, v) VALUES ('greeting', 'hello')");
      }
      long stopStart = System.nanoTime();
      server.stop();
      report("stop", Duration.ofNanos(System.nanoTime() - stopStart));
      server.stop(); // idempotent
    }
    assertGone(firstPid);
    assertFalse(Files.exists(pidFile), "pid file removed on stop");

    long secondPid;
    try (CassandraServer server = CassandraServer.start(config)) {
      report("restart (same data dir)", server.startupDuration());
      secondPid = server.pid();
      try (CqlSession session = connect(server)) {
        assertEquals("hello", session.execute("SELECT v FROM restart_check.kv WHERE k = 'greeting'")
            .one().getString("v"));
      }
    }
    assertGone(secondPid);
  }

  @Test
  void takenCqlPortFailsFastNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("cql"))
          .cqlPort(port).storagePort(0).build();
      CassandraStartException e = assertFailsFast(config);
      assertTrue(e.getMessage().contains("port " + port), e.getMessage());
      assertTrue(e.getMessage().contains("CQL"), e.getMessage());
      assertFalse(Files.exists(config.dataDir().resolve("cassandra.pid")), "nothing was started");
    }
  }

  @Test
  void takenStoragePortFailsFastNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("storage"))
          .cqlPort(0).storagePort(port).build();
      CassandraStartException e = assertFailsFast(config);
      assertTrue(e.getMessage().contains("port " + port), e.getMessage());
      assertTrue(e.getMessage().contains("storage"), e.getMessage());
    }
  }

  @Test
  void serverThatDiesDuringStartupFailsWithItsLog() {
    // a heap too small for the JVM to even start: the child exits at once
    CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("dies"))
        .freePorts().heap("1k").build();
    CassandraStartException e = assertFailsFast(config);
    assertTrue(e.getMessage().contains("exited with code 1 during startup"), e.getMessage());
    assertTrue(e.getMessage().contains("Too small maximum heap"), e.getMessage());
    assertFalse(Files.exists(config.dataDir().resolve("cassandra.pid")), "pid file removed");
  }

  @Test
  void serverThatIsNotReadyInTimeIsStoppedAndReported() {
    CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("slow"))
        .freePorts().startupTimeout(Duration.ofMillis(500)).build();
    CassandraStartException e = assertTimeoutPreemptively(Duration.ofSeconds(45),
        () -> assertThrows(CassandraStartException.class, () -> CassandraServer.start(config).close()));
    assertTrue(e.getMessage().contains("did not accept CQL connections"), e.getMessage());
    assertFalse(Files.exists(config.dataDir().resolve("cassandra.pid")), "pid file removed");
    Matcher pid = Pattern.compile("\\(pid (\\d+)\\)").matcher(e.getMessage());
    assertTrue(pid.find(), e.getMessage());
    assertGone(Long.parseLong(pid.group(1)));
  }

  @Test
  void onlyLoopbackHosts() {
    CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("public"))
        .host("0.0.0.0").freePorts().build();
    CassandraStartException e = assertFailsFast(config);
    assertTrue(e.getMessage().contains("loopback"), e.getMessage());
  }

  @Test
  void missingClasspathFileSaysHowToCreateIt() {
    CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("data"))
        .classpathFile(tempDir.resolve("missing.classpath")).freePorts().build();
    CassandraStartException e = assertFailsFast(config);
    assertTrue(e.getMessage().contains("mvn -pl cassandra/server generate-resources"), e.getMessage());
  }

  @Test
  void dataDirInUseByALiveOwnerFailsFast() throws Exception {
    CassandraServerConfig config = CassandraServerConfig.builder(tempDir.resolve("owned")).freePorts().build();
    Files.createDirectories(config.dataDir());
    // stands in for a Cassandra started by a live process (here: this JVM)
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      new PidFile(config.dataDir().resolve("cassandra.pid")).write(other.toHandle(), ProcessHandle.current());
      CassandraStartException e = assertFailsFast(config);
      assertTrue(e.getMessage().contains("pid " + other.pid()), e.getMessage());
      assertTrue(other.isAlive(), "the other server is left alone");
    } finally {
      other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static CassandraStartException assertFailsFast(CassandraServerConfig config) {
    return assertTimeoutPreemptively(FAIL_FAST,
        () -> assertThrows(CassandraStartException.class, () -> CassandraServer.start(config).close()));
  }

  private static CqlSession connect(CassandraServer server) {
    return CqlSessions.builder(server.contactPoint(), server.localDatacenter()).build();
  }

  private static void assertGone(long pid) {
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "Cassandra pid " + pid + " gone");
  }

  /** Goes to target/surefire-reports/*-output.txt: startup and stop times on this machine. */
  private static void report(String what, Duration duration) {
    System.out.printf("Cassandra %s took %d ms%n", what, duration.toMillis());
  }
}
