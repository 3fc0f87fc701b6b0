package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pid-file logic without Cassandra: {@code sleep} processes stand in for servers and owners. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StaleServerGuardTest {

  @TempDir
  Path dir;

  @Test
  void noPidFileIsFine() {
    StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(1));
    assertFalse(Files.exists(pidFile().path()));
  }

  @Test
  void deadServerLeavesAStaleFileThatIsRemoved() throws Exception {
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor(10, TimeUnit.SECONDS);
    pidFile().write(dead.toHandle(), ProcessHandle.current());

    StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(1));

    assertFalse(Files.exists(pidFile().path()));
  }

  @Test
  void unreadableFileIsRemoved() throws IOException {
    Files.writeString(pidFile().path(), "garbage");
    StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(1));
    assertFalse(Files.exists(pidFile().path()));
  }

  @Test
  void serverWithALiveOwnerFailsAtOnce() throws Exception {
    Process server = new ProcessBuilder("sleep", "30").start();
    try {
      pidFile().write(server.toHandle(), ProcessHandle.current());
      CassandraStartException e = assertThrows(CassandraStartException.class,
          () -> StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(20)));
      assertTrue(e.getMessage().contains("pid " + server.pid()), e.getMessage());
      assertTrue(e.getMessage().contains("still running"), e.getMessage());
      assertTrue(Files.exists(pidFile().path()), "the owner's pid file stays");
    } finally {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void orphanedServerIsWaitedFor() throws Exception {
    Orphan orphan = Orphan.start(2);
    writeEntry(orphan.pid(), orphan.formerParentPid(), Optional.empty());
    long start = System.nanoTime();

    StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(20));

    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 500, "waited for the orphan");
    assertFalse(Processes.running(orphan.pid()).isPresent());
    assertFalse(Files.exists(pidFile().path()));
  }

  @Test
  void orphanThatDoesNotExitInTimeFails() throws Exception {
    Orphan orphan = Orphan.start(30);
    try {
      writeEntry(orphan.pid(), orphan.formerParentPid(), Optional.empty());
      CassandraStartException e = assertThrows(CassandraStartException.class,
          () -> StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(1)));
      assertTrue(e.getMessage().contains("kill " + orphan.pid()), e.getMessage());
    } finally {
      ProcessHandle.of(orphan.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void recycledPidIsNotMistakenForTheServer() throws Exception {
    Process unrelated = new ProcessBuilder("sleep", "30").start();
    try {
      writeEntry(unrelated.pid(), ProcessHandle.current().pid(), Optional.of(Instant.parse("2001-01-01T00:00:00Z")));
      StaleServerGuard.awaitNoStaleServer(CassandraServer.KIND, pidFile(), Duration.ofSeconds(1));
      assertFalse(Files.exists(pidFile().path()));
      assertTrue(unrelated.isAlive());
    } finally {
      unrelated.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private PidFile pidFile() {
    return new PidFile(dir.resolve("cassandra.pid"));
  }

  private void writeEntry(long pid, long ownerPid, Optional<Instant> startedAt) throws IOException {
    Properties props = new Properties();
    props.setProperty("pid", Long.toString(pid));
    props.setProperty("ownerPid", Long.toString(ownerPid));
    startedAt.ifPresent(t -> props.setProperty("startedAt", t.toString()));
    try (var out = Files.newBufferedWriter(pidFile().path())) {
      props.store(out, null);
    }
  }

  /** A {@code sleep} whose parent shell has exited, like a server whose owner was killed. */
  private record Orphan(long pid, long formerParentPid) {
    static Orphan start(int seconds) throws Exception {
      Process shell = new ProcessBuilder("sh", "-c", "sleep " + seconds + " >/dev/null 2>&1 & echo $!").start();
      String pid;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
        pid = out.readLine();
      }
      assertTrue(shell.waitFor(10, TimeUnit.SECONDS), "shell exited");
      return new Orphan(Long.parseLong(pid.strip()), shell.pid());
    }
  }
}
