package chat.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's {@link Result} as one self-contained HTML page: the figures as tables, latency over time and
 * the percentile distribution as inline SVG. No scripts, no stylesheets or fonts from elsewhere.
 */
final class HtmlReport {

  private HtmlReport() {}

  static String render(Result r) {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(Html.escape(r.scenario() + " " + r.startedAt())).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0 1.5em}")
        .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f4f4f4}")
        .append("td:first-child,th:first-child{text-align:left}.pass{color:#060}.fail{color:#b00}code{font-size:90%}\n")
        .append("</style></head><body>\n");
    out.append("<h1>Load test: ").append(Html.escape(r.scenario())).append("</h1>\n");
    out.append("<p>").append(Html.escape(r.startedAt())).append(" — ")
        .append(r.passed() ? "<b class=\"pass\">passed</b>" : "<b class=\"fail\">failed</b>: "
            + Html.escape(String.join("; ", r.failures()))).append("</p>\n");
    out.append("<p><code>").append(Html.escape(r.command())).append("</code></p>\n");
    Result.Environment e = r.environment();
    out.append("<p>").append(e.cores()).append(" cores, ").append(Html.escape(e.java())).append(", ")
        .append(Html.escape(e.os())).append(". The generator runs on the same machine as the processes it measures"
            + " unless the table of processes says otherwise.</p>\n");

    out.append("<h2>Messages and delivery</h2>\n");
    Result.Messages m = r.messages();
    Result.Delivery d = r.delivery();
    table(out, List.of("measured s", "rate/s", "scheduled", "sent", "acked", "failed"),
        List.of(List.of(r.seconds(), m.ratePerSecond(), m.scheduled(), m.sent(), m.acked(), m.failed())));
    table(out, List.of("receivers", "rooms", "expected", "delivered", "late", "lost", "gaps", "duplicates",
            "reorders", "redelivered", "connection errors"),
        List.of(List.of(d.receivers(), d.rooms(), d.expected(), d.delivered(), d.late(), d.lost(), d.gaps(),
            d.duplicates(), d.reorders(), d.redelivered(), d.connectionErrors())));
    out.append("<p>Late: delivered after the drain (in the late window or after it), not lost; lost: still missing"
        + " after the late window.</p>\n");

    out.append("<h2>Latency (ms, from the scheduled send time)</h2>\n");
    table(out, List.of("", "count", "mean", "p50", "p90", "p99", "p99.9", "max"), List.of(
        row("send → ack", r.ack()), row("send → receive", r.receive())));
    out.append(timeline(r.timeline()));
    out.append(distribution(r.ack(), r.receive()));

    if (r.knee() != null) {
      out.append("<h2>Knee search</h2>\n<p>Last good rate: ")
          .append(r.kneeLastGoodRate() == null ? "none" : Svg.format(r.kneeLastGoodRate()) + " msgs/s").append("</p>\n");
      List<List<Object>> rows = new ArrayList<>();
      for (Result.KneeStep s : r.knee()) {
        rows.add(List.of(s.rate(), s.sent(), s.acked(), s.failed(), s.expected(), s.delivered(), s.late(), s.lost(),
            s.duplicates(), s.reorders(), s.receiveP50(), s.receiveP99(), s.ackP99(), s.verdict()));
      }
      table(out, List.of("rate/s", "sent", "acked", "failed", "expected", "delivered", "late", "lost", "dup",
          "reordered", "p50 ms", "p99 ms", "ack p99 ms", "verdict"), rows);
    }
    if (r.idle() != null) {
      out.append("<h2>Idle connections</h2>\n<p>Server: ").append(r.idle().serverKbPerConnection())
          .append(" KiB per connection; generator: ").append(r.idle().generatorKbPerConnection())
          .append(" KiB per connection; held ").append(r.idle().heldSeconds()).append(" s, open at the end: ")
          .append(r.idle().openAtEnd()).append("</p>\n");
      List<List<Object>> rows = new ArrayList<>();
      r.idle().steps().forEach(s -> rows.add(List.of(s.connections(), s.serverRssKb(), s.generatorRssKb(), s.secondsToConnect())));
      table(out, List.of("connections", "node RSS KiB", "generator RSS KiB", "s to connect"), rows);
    }
    if (r.storm() != null) {
      Result.Storm s = r.storm();
      out.append("<h2>Reconnect storm</h2>\n");
      table(out, List.of("resumed", "expected", "sent while away", "away s", "all welcomed after s", "synced p50 ms",
          "synced p99 ms", "synced max ms", "gap frames"), List.of(List.of(s.resumed(), s.expected(), s.sentWhileAway(),
          s.awaySeconds(), s.reconnectSeconds(), s.syncP50(), s.syncP99(), s.syncMax(), s.gapFrames())));
    }
    if (r.push() != null) {
      out.append("<h2>Push requests</h2>\n<p>").append(Html.escape(r.push().render())).append("</p>\n");
    }

    out.append("<h2>Processes (CPU over the measured interval, RSS)</h2>\n");
    List<List<Object>> procs = new ArrayList<>();
    for (Result.ProcessUsage p : r.processes()) {
      procs.add(List.of(p.name(), p.pid(), p.cpuSeconds(), p.averageCores(), p.rssStartKb() / 1024, p.rssEndKb() / 1024,
          p.rssPeakKb() / 1024));
    }
    table(out, List.of("process", "pid", "CPU s", "cores (avg)", "RSS start MiB", "RSS end MiB", "RSS peak MiB"), procs);

    if (r.serverMetrics() != null) {
      ServerMetrics.Comparison c = r.serverMetrics();
      out.append("<h2>The server's metrics (").append(Html.escape(c.endpoint())).append(")</h2>\n");
      table(out, List.of("", "server", "generator"), List.of(
          List.of("messages accepted / acked", c.accepted(), c.generatorAcked()),
          List.of("deliveries queued / items received", c.deliveries(), c.generatorReceived())));
      table(out, List.of("histogram (bucket estimate)", "count", "p50 ms", "p99 ms"), List.of(
          List.of("chat_send_ack_seconds", c.sendAck().count(), c.sendAck().p50(), c.sendAck().p99()),
          List.of("chat_persist_seconds", c.persist().count(), c.persist().p50(), c.persist().p99()),
          List.of("chat_delivery_seconds", c.delivery().count(), c.delivery().p50(), c.delivery().p99())));
    }
    if (!r.counts().isEmpty()) {
      out.append("<h2>Other frames</h2>\n");
      table(out, List.of("what", "count"), r.counts().entrySet().stream().map(x -> List.<Object>of(x.getKey(), x.getValue())).toList());
    }
    out.append("<h2>Errors</h2>\n");
    if (r.errors().isEmpty()) {
      out.append("<p>None.</p>\n");
    } else {
      table(out, List.of("kind", "count"), r.errors().entrySet().stream().map(x -> List.<Object>of(x.getKey(), x.getValue())).toList());
      out.append("<ul>\n");
      r.errorSamples().forEach(s -> out.append("<li><code>").append(Html.escape(s)).append("</code></li>\n"));
      out.append("</ul>\n");
    }
    if (!r.delivery().lostSamples().isEmpty()) {
      out.append("<p>First lost items (room#seq@user): <code>").append(Html.escape(String.join(" ", r.delivery().lostSamples())))
          .append("</code></p>\n");
    }
    out.append("<h2>Parameters</h2>\n");
    table(out, List.of("option", "value"), r.parameters().entrySet().stream()
        .map(x -> List.<Object>of(x.getKey(), String.valueOf(x.getValue()))).toList());
    out.append("</body></html>\n");
    return out.toString();
  }

  private static List<Object> row(String name, Result.Distribution d) {
    return List.of(name, d.count(), d.mean(), d.p50(), d.p90(), d.p99(), d.p999(), d.max());
  }

  private static String timeline(List<Result.Window> windows) {
    if (windows.isEmpty()) {
      return "<p>No latency windows.</p>\n";
    }
    int n = windows.size();
    double[] x = new double[n];
    double[] p50 = new double[n];
    double[] p99 = new double[n];
    double[] ack99 = new double[n];
    for (int i = 0; i < n; i++) {
      Result.Window w = windows.get(i);
      x[i] = w.startSecond();
      p50[i] = w.receiveP50();
      p99[i] = w.receiveP99();
      ack99[i] = w.ackP99();
    }
    double xMax = Math.max(x[n - 1], x[0] + 5);
    double[] ticks = new double[6];
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = x[0] + (xMax - x[0]) * i / 5;
    }
    return Svg.lineChart("latency-over-time", "Latency over time (per 5 s window)", "seconds since the run began",
        "ms", List.of(new Svg.Series("receive p50", "#1f77b4", x, p50), new Svg.Series("receive p99", "#d62728", x, p99),
            new Svg.Series("ack p99", "#2ca02c", x, ack99)), x[0], xMax, ticks, t -> String.format(Locale.ROOT, "%.0f", t));
  }

  /** x is log10(1 / (1 - percentile)): 1 is p90, 2 p99, 3 p99.9, as HdrHistogram's plots. */
  private static String distribution(Result.Distribution ack, Result.Distribution receive) {
    List<Svg.Series> series = new ArrayList<>();
    double xMax = 1;
    for (var entry : Map.of("send → receive", receive, "send → ack", ack).entrySet()) {
      List<Result.Point> points = entry.getValue().percentiles().stream().filter(p -> p.percentile() < 100).toList();
      if (points.isEmpty()) {
        continue;
      }
      double[] x = new double[points.size()];
      double[] y = new double[points.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = Math.log10(100 / (100 - points.get(i).percentile()));
        y[i] = points.get(i).millis();
        xMax = Math.max(xMax, x[i]);
      }
      series.add(new Svg.Series(entry.getKey(), entry.getKey().contains("ack") ? "#2ca02c" : "#d62728", x, y));
    }
    series.sort(java.util.Comparator.comparing(Svg.Series::name));
    double top = Math.min(6, Math.ceil(xMax));
    double[] ticks = new double[(int) top + 1];
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = i;
    }
    return Svg.lineChart("percentile-distribution", "Latency by percentile", "percentile", "ms", series, 0, top, ticks,
        t -> t == 0 ? "0%" : String.format(Locale.ROOT, "%s%%", new java.math.BigDecimal(100 - 100 / Math.pow(10, t))
            .round(new java.math.MathContext((int) t + 2)).stripTrailingZeros().toPlainString()));
  }

  private static void table(StringBuilder out, List<String> head, List<List<Object>> rows) {
    out.append("<table><tr>");
    head.forEach(h -> out.append("<th>").append(Html.escape(h)).append("</th>"));
    out.append("</tr>\n");
    for (List<Object> row : rows) {
      out.append("<tr>");
      row.forEach(c -> out.append("<td>").append(Html.escape(c instanceof Double v ? Svg.format(v) : c)).append("</td>"));
      out.append("</tr>\n");
    }
    out.append("</table>\n");
  }
}
