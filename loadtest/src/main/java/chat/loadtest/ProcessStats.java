package chat.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time and resident memory of a process, from Linux's /proc: {@code utime + stime} of
 * {@code /proc/PID/stat} (fields 14 and 15, in clock ticks of {@code getconf CLK_TCK}) and {@code VmRSS}
 * of {@code /proc/PID/status}. Empty when the process is gone or /proc is not there.
 */
final class ProcessStats {

  /** Clock ticks per second: {@code getconf CLK_TCK}, 100 on every common Linux. */
  static final long CLOCK_TICKS = clockTicks();

  private ProcessStats() {}

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** CPU seconds (user + system) the process has used since it started. */
  static OptionalLong cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return OptionalLong.of(parseCpuTicks(stat));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** utime + stime of a /proc/PID/stat line; the command name (field 2) may hold spaces and parentheses. */
  static long parseCpuTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  static OptionalLong rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
        }
      }
      return OptionalLong.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
