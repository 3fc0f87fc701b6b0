package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

  @Test
  void cpuTicksAreUtimePlusStimeEvenWithSpacesInTheName() {
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 99 0 0";
    assertEquals(1234 + 567, ProcessStats.parseCpuTicks(stat));
  }

  @Test
  void readsThisProcess() {
    long pid = ProcessHandle.current().pid();
    assertTrue(ProcessStats.rssKb(pid).orElseThrow() > 0);
    assertTrue(ProcessStats.cpuTicks(pid).orElseThrow() >= 0);
  }
}
