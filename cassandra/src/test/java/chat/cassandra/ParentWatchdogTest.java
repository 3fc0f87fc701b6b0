package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog in a real child JVM: a shell starts it (so the shell is its parent), the watchdog runs
 * {@link SleepingMain}, and when the shell exits the child JVM must exit too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParentWatchdogTest {

  @TempDir
  Path dir;

  @Test
  void childExitsWhenItsParentDies() throws Exception {
    Path marker = dir.resolve("started");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // $$ is the shell's pid: the shell is the child JVM's parent, and it exits after its sleep
    String command = quote(java) + " -cp " + quote(System.getProperty("java.class.path")) + " "
        + quote(ParentWatchdog.class.getName()) + " $$ " + quote(SleepingMain.class.getName()) + " "
        + quote(marker.toString()) + " hello >/dev/null 2>&1 & echo $!; sleep 4";
    Process parent = new ProcessBuilder("sh", "-c", command).start();
    long childPid;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      childPid = Long.parseLong(out.readLine().strip());
    }
    try {
      awaitFile(marker, Duration.ofSeconds(20));
      assertEquals("hello", Files.readString(marker), "real main ran with the remaining arguments");
      assertTrue(parent.isAlive(), "test premise: the parent still lives");
      assertTrue(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false),
          "child runs while its parent lives");

      assertTrue(parent.waitFor(20, TimeUnit.SECONDS), "parent exits after its sleep");
      Optional<ProcessHandle> child = ProcessHandle.of(childPid);
      if (child.isPresent()) {
        assertTrue(Processes.awaitExit(child.get(), Duration.ofSeconds(10)),
            "child exits soon after its parent");
      }
    } finally {
      ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
      parent.destroyForcibly();
    }
  }

  @Test
  void parentAliveChecksTheActualParent() {
    long myParent = ProcessHandle.current().parent().orElseThrow().pid();
    assertTrue(ParentWatchdog.parentAlive(myParent));
    assertFalse(ParentWatchdog.parentAlive(ProcessHandle.current().pid()), "not our parent");
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static void awaitFile(Path file, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      assertTrue(System.nanoTime() < deadline, "child JVM did not start: no " + file);
      Thread.sleep(100);
    }
  }

  /** Stands in for CassandraDaemon: records its argument, then runs until the JVM exits. */
  public static final class SleepingMain {
    public static void main(String[] args) throws Exception {
      Path tmp = Path.of(args[0] + ".tmp");
      Files.writeString(tmp, args[1]);
      Files.move(tmp, Path.of(args[0]));
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
