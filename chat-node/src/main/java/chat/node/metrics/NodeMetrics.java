package chat.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The node's metrics, in one Prometheus registry per node (several nodes may share a JVM in tests), named
 * by Prometheus conventions: units in the name, {@code _total} counters, and labels with a small, fixed
 * set of values only, never a user or room id. docs/observability.md lists every metric.
 */
public final class NodeMetrics implements AutoCloseable {

  /** Why the room refused a send: the label values of {@code chat_messages_rejected_total}. */
  public enum Refusal { NOT_MEMBER, NOT_FOUND, FORBIDDEN, OTHER }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Timer sendAck;
  private final Counter accepted;
  private final Counter duplicates;
  private final Map<Refusal, Counter> rejected = new EnumMap<>(Refusal.class);
  /** Micrometer holds what a gauge or function counter reads only weakly: these keep them alive. */
  private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

  public NodeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    sendAck = Timer.builder("chat.send.ack")
        .description("From a send frame's arrival to its ack: the room's journal write and the answer")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    accepted = Counter.builder("chat.messages.accepted").description("Sends stored by their room").register(registry);
    duplicates = Counter.builder("chat.messages.duplicate")
        .description("Sends answered with the seq of an earlier one (a retry with the same clientMsgId)")
        .register(registry);
    for (Refusal refusal : Refusal.values()) {
      rejected.put(refusal, Counter.builder("chat.messages.rejected")
          .description("Sends the room refused").tag("reason", refusal.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry));
    }
  }

  /** A send was stored ({@code duplicate}: it had been before) and answered {@code elapsedNanos} after it arrived. */
  public void sent(long elapsedNanos, boolean duplicate) {
    sendAck.record(elapsedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    (duplicate ? duplicates : accepted).increment();
  }

  public void rejected(Refusal refusal) {
    rejected.get(refusal).increment();
  }

  /** A gauge read when scraped. */
  public void gauge(String name, String description, DoubleSupplier value) {
    sources.add(value);
    Gauge.builder(name, value, DoubleSupplier::getAsDouble).description(description).register(registry);
  }

  /** A counter kept elsewhere (monotonic), read when scraped. */
  public void counter(String name, String description, LongSupplier value) {
    sources.add(value);
    FunctionCounter.builder(name, value, v -> v.getAsLong()).description(description).register(registry);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
