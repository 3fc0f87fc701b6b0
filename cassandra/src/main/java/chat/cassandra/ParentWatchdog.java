package chat.cassandra;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Main class of every forked server JVM (Cassandra, Kafka):
 * {@code ParentWatchdog <parent-pid> <real-main-class> [args...]}.
 *
 * <p>Stops the JVM when the process that started it is gone, then runs the real main class. Without
 * it, a kill -9 of a test JVM or dev node would leave the server running, holding its ports and data
 * directory, until someone noticed. A JVM shutdown hook in the parent cannot help with kill -9.
 *
 * <p>The JVM exits through {@link System#exit}, so the server's own shutdown hook still runs (Cassandra
 * drains and flushes, Kafka shuts down cleanly). JDK-only code: this class runs on the server's
 * classpath, next to none of our dependencies.
 * Keep it a single class without nested or anonymous classes, so it stays self-contained.
 */
public final class ParentWatchdog {

  static final long POLL_MILLIS = 500;
  /** If the server's shutdown hook hangs, halt after this long: better than a server nobody owns. */
  static final long HALT_AFTER_MILLIS = 60_000;

  private ParentWatchdog() {
  }

  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      System.err.println("usage: ParentWatchdog <parent-pid> <main-class> [args...]");
      System.exit(2);
    }
    long parentPid = Long.parseLong(args[0]);
    String mainClass = args[1];
    String[] mainArgs = Arrays.copyOfRange(args, 2, args.length);

    Thread watchdog = new Thread(() -> watch(parentPid), "chat-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    Method main = Class.forName(mainClass).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) mainArgs);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void watch(long parentPid) {
    try {
      while (parentAlive(parentPid)) {
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      return;
    }
    System.err.println("chat.cassandra.ParentWatchdog: parent process " + parentPid
        + " is gone; shutting down this JVM");
    Thread halter = new Thread(ParentWatchdog::haltLater, "chat-parent-watchdog-halt");
    halter.setDaemon(true);
    halter.start();
    System.exit(0);
  }

  /**
   * Alive while it is still our parent. When a process dies, the kernel re-parents its children at
   * once, so a changed parent pid is exact and immune to pid reuse; the second check covers
   * platforms where the parent is not reported.
   */
  static boolean parentAlive(long parentPid) {
    long actualParent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(parentPid);
    return actualParent == parentPid && ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void haltLater() {
    try {
      Thread.sleep(HALT_AFTER_MILLIS);
    } catch (InterruptedException e) {
      return;
    }
    System.err.println("chat.cassandra.ParentWatchdog: shutdown did not finish in "
        + HALT_AFTER_MILLIS / 1000 + " s; halting");
    Runtime.getRuntime().halt(1);
  }
}
