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
    }
    return m;
  }

  @Test
  void countsLossDuplicatesAndReorderingPerMember() {
    // seqs 2..6 expected; member a saw all once; b lost 4, saw 5 twice and 3 after 5
    var report = LoadGenerator.Report.of(2, Duration.ofSeconds(1), 5, 0, 6,
        List.of(member(2, 3, 4, 5, 6), member(2, 5, 3, 5, 6)));
    assertEquals(9, report.delivered());
    assertEquals(1, report.lost());
    assertEquals(1, report.duplicates());
    assertEquals(1, report.reordered());
  }

  @Test
  void percentilesAreNearestRank() {
    var report = LoadGenerator.Report.of(1, Duration.ofSeconds(1), 100, 0, 101,
        List.of(member(java.util.stream.LongStream.rangeClosed(2, 101).toArray())));
    assertEquals(51_000, report.p50Micros());
    assertEquals(100_000, report.p99Micros());
    assertEquals(101_000, report.maxMicros());
  }
}
