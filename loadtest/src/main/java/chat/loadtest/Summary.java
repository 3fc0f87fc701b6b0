package chat.loadtest;

import java.util.Locale;

/** The few lines a run prints at its end: the figures that decide whether it passed. */
final class Summary {

  private Summary() {}

  static String render(Result r) {
    StringBuilder out = new StringBuilder();
    Result.Messages m = r.messages();
    Result.Delivery d = r.delivery();
    out.append(String.format(Locale.ROOT, "%s: %.1f s measured at %.0f msgs/s: scheduled=%d sent=%d acked=%d failed=%d%n",
        r.scenario(), r.seconds(), m.ratePerSecond(), m.scheduled(), m.sent(), m.acked(), m.failed()));
    out.append(String.format(Locale.ROOT,
        "delivery: %d receivers in %d rooms, delivered %d of %d expected (late %d), lost=%d (gaps %d)"
            + " duplicates=%d reorders=%d redelivered=%d connection errors=%d%n",
        d.receivers(), d.rooms(), d.delivered(), d.expected(), d.late(), d.lost(), d.gaps(), d.duplicates(),
        d.reorders(), d.redelivered(), d.connectionErrors()));
    out.append(line("send->ack    ", r.ack())).append(line("send->receive", r.receive()));
    for (Result.ProcessUsage p : r.processes()) {
      out.append(String.format(Locale.ROOT, "%-9s pid %-7d CPU %.1f s (%.2f cores), RSS %d -> %d MiB (peak %d)%n",
          p.name(), p.pid(), p.cpuSeconds(), p.averageCores(), p.rssStartKb() / 1024, p.rssEndKb() / 1024,
          p.rssPeakKb() / 1024));
    }
    if (r.serverMetrics() != null) {
      ServerMetrics.Comparison c = r.serverMetrics();
      out.append(String.format(Locale.ROOT,
          "server: accepted %.0f (generator acked %d), deliveries %.0f (generator received %d);"
              + " send-ack p50/p99 %.1f/%.1f ms, persist %.1f/%.1f ms, delivery %.1f/%.1f ms%n",
          c.accepted(), c.generatorAcked(), c.deliveries(), c.generatorReceived(), c.sendAck().p50(), c.sendAck().p99(),
          c.persist().p50(), c.persist().p99(), c.delivery().p50(), c.delivery().p99()));
    }
    if (r.idle() != null) {
      out.append(String.format(Locale.ROOT, "idle: node %s KiB/connection, generator %s KiB/connection, %d open after %d s%n",
          r.idle().serverKbPerConnection(), r.idle().generatorKbPerConnection(), r.idle().openAtEnd(), r.idle().heldSeconds()));
    }
    if (r.storm() != null) {
      Result.Storm s = r.storm();
      out.append(String.format(Locale.ROOT,
          "storm: resumed %d of %d; %d messages sent while away; all welcomed after %.1f s; synced p50/p99/max %.0f/%.0f/%.0f ms%n",
          s.resumed(), s.expected(), s.sentWhileAway(), s.reconnectSeconds(), s.syncP50(), s.syncP99(), s.syncMax()));
    }
    if (r.knee() != null) {
      out.append("knee: last good rate ").append(r.kneeLastGoodRate() == null ? "none" : Svg.format(r.kneeLastGoodRate()))
          .append(" msgs/s\n");
      r.knee().forEach(s -> out.append(String.format(Locale.ROOT, "  %8.0f/s  p50 %7.1f ms  p99 %7.1f ms  lost %d"
          + "  late %d  %s%n", s.rate(), s.receiveP50(), s.receiveP99(), s.lost(), s.late(), s.verdict())));
    }
    if (r.push() != null) {
      out.append(r.push().render()).append('\n');
    }
    if (!r.errors().isEmpty()) {
      out.append("errors: ").append(r.errors()).append('\n');
    }
    out.append(r.passed() ? "PASSED" : "FAILED: " + String.join("; ", r.failures()));
    return out.toString();
  }

  private static String line(String name, Result.Distribution d) {
    return String.format(Locale.ROOT, "%s n=%d p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms max=%.1fms%n",
        name, d.count(), d.p50(), d.p90(), d.p99(), d.p999(), d.max());
  }
}
