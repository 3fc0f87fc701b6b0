package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static LoadGenerator.Member member(long... seqs) {
    var m = new LoadGenerator.Member((ChatClient) null, "r", java.util.Map.of());
    for (long seq : seqs) {
      m.seen.merge(seq, 1, Integer::sum);
      if (seq < m.highest) {
        m.reordered++;
      }
      m.highest = Math.max(m.highest, seq);
      m.latenciesMicros.add(seq * 1000);
      // sent one second apart from the run's start at 0
      m.sentNanos.add(seq * 1_000_000_000L);
    }
    return m;
  }

  @Test
  void countsLossDuplicatesAndReorderingPerMember() {
    // seqs 2..6 expected; member a saw all once; b lost 4, saw 5 twice and 3 after 5
    var report = LoadGenerator.Report.of(2, Duration.ofSeconds(1), 5, 0, 6,
        List.of(member(2, 3, 4, 5, 6), member(2, 5, 3, 5, 6)), "r", List.of(), 0);
    assertEquals(9, report.delivered());
    assertEquals(1, report.lost());
    assertEquals(1, report.duplicates());
    assertEquals(1, report.reordered());
  }

  @Test
  void percentilesAreNearestRank() {
    var report = LoadGenerator.Report.of(1, Duration.ofSeconds(1), 100, 0, 101,
        List.of(member(java.util.stream.LongStream.rangeClosed(2, 101).toArray())), "r", List.of(), 0);
    assertEquals(51_000, report.p50Micros());
    assertEquals(100_000, report.p99Micros());
    assertEquals(101_000, report.maxMicros());
  }

  @Test
  void theTimelineHasPercentilesPerWindowOfSendTime() {
    // sent at seconds 2..11: windows [0,5) holds 2..4, [5,10) holds 5..9, [10,15) holds 10..11
    var report = LoadGenerator.Report.of(1, Duration.ofSeconds(10), 10, 0, 11,
        List.of(member(java.util.stream.LongStream.rangeClosed(2, 11).toArray())), "r", List.of(), 0);
    assertEquals(3, report.timeline().size());
    assertEquals(List.of(0L, 3_000L, 4_000L, 3L), java.util.Arrays.stream(report.timeline().get(0)).boxed().toList());
    assertEquals(List.of(5L, 7_000L, 9_000L, 5L), java.util.Arrays.stream(report.timeline().get(1)).boxed().toList());
    assertEquals(List.of(10L, 10_000L, 11_000L, 2L), java.util.Arrays.stream(report.timeline().get(2)).boxed().toList());
  }
}
