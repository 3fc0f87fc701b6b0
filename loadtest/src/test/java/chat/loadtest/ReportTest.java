package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static Result sample() {
    Histogram receive = new Histogram(3);
    Histogram ack = new Histogram(3);
    for (int i = 1; i <= 1000; i++) {
      receive.recordValue(i * 10L); // 10 µs .. 10 ms
      ack.recordValue(i * 5L);
    }
    return new Result("groups", "2026-12-04T10:00:00Z", "java -jar chat-loadtest.jar --scenario groups",
        Map.of("--rate", "500", "--rooms", "25"), new Result.Environment(2, "OpenJDK 17", "Linux", 42), 30.0,
        new Result.Messages(15_000, 15_000, 15_000, 0, 500),
        new Result.Delivery(500, 25, 300_000, 300_000, 0, 7, 0, 0, 0, 0, 0, List.of()),
        Map.of(), List.of(), Run.distribution(ack), Run.distribution(receive),
        List.of(new Result.Window(0, 100, 2.5, 9.0, 12.0, 100, 2.0, 5.0),
            new Result.Window(5, 120, 2.7, 11.0, 14.0, 120, 2.1, 6.0)),
        List.of(new Result.ProcessUsage("node", 100, 12.5, 0.42, 500_000, 600_000, 610_000)),
        new ServerMetrics.Comparison("http://127.0.0.1:9464/metrics", 15_000, 15_000, 300_000, 300_000,
            new ServerMetrics.Quantiles(15_000, 3.1, 12.0), new ServerMetrics.Quantiles(15_000, 2.0, 8.0),
            new ServerMetrics.Quantiles(300_000, 0.5, 4.0)),
        Map.of("typing frames received", 7L), null, null,
        List.of(new Result.KneeStep(100, 20, 2000, 2000, 0, 40_000, 40_000, 0, 0, 0, 0, 38_000, 2.0, 9.0, 5.0, true, "good")),
        100.0, null, true, List.of());
  }

  @Test
  void theJsonReadsBackAsTheSameResult(@TempDir Path dir) {
    Result result = sample();
    ReportFiles.write(result, dir.resolve("run.json"));
    assertEquals(result, ReportFiles.read(dir.resolve("run.json")));
  }

  @Test
  void theHtmlIsSelfContainedWithBothCharts(@TempDir Path dir) throws Exception {
    Path html = ReportFiles.write(sample(), dir.resolve("run.json"));
    assertEquals(dir.resolve("run.html"), html);
    String page = Files.readString(html);
    assertTrue(page.contains("<svg id=\"latency-over-time\""), "latency over time");
    assertTrue(page.contains("<svg id=\"percentile-distribution\""), "percentile distribution");
    assertTrue(page.contains("99.9%"), "percentile axis labels");
    assertTrue(page.contains("Knee search"));
    assertFalse(page.contains("<script"), "no scripts");
    assertFalse(page.contains("http-equiv"));
    assertFalse(page.matches("(?s).*(src|href)=\"https?:.*"), "nothing loaded from the network");
  }

  @Test
  void lateItemsAreShownBesideTheLostOnes(@TempDir Path dir) throws Exception {
    Result r = sample(); // 300,000 delivered, 7 of them after the drain, none lost
    assertTrue(Summary.render(r).contains("delivered 300000 of 300000 expected (late 7), lost=0"), Summary.render(r));
    String page = Files.readString(ReportFiles.write(r, dir.resolve("run.json")));
    assertTrue(page.contains("<th>delivered</th><th>late</th><th>lost</th>"), page);
    assertTrue(page.contains("<td>300000</td><td>7</td><td>0</td>"), page);
    assertEquals(7, ReportFiles.read(dir.resolve("run.json")).delivery().late());
  }

  @Test
  void theDistributionFollowsTheHistogram() {
    Result.Distribution d = sample().receive();
    assertEquals(1000, d.count());
    assertEquals(5.0, d.p50(), 0.01);
    assertEquals(9.9, d.p99(), 0.01);
    assertEquals(10.0, d.max(), 0.01);
    assertTrue(d.percentiles().size() > 10);
    assertEquals(100.0, d.percentiles().get(d.percentiles().size() - 1).percentile());
  }

  @Test
  void aScheduledTimeTravelsInTheClientMsgId() {
    assertEquals(1_234_000, Traffic.scheduledNanos("ltabc", "ltabc.1z.1234"));
    assertEquals(-1, Traffic.scheduledNanos("ltabc", "ltabcd.1z.1234"));
    assertEquals(-1, Traffic.scheduledNanos("ltabc", "someone-else"));
    assertEquals(-1, Traffic.scheduledNanos("ltabc", null));
  }
}
