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
  /** Labelled counters by name and label value, so that the hot path skips Micrometer's builder. */
  private final Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Class<?>, Counter> frames = new java.util.concurrent.ConcurrentHashMap<>();
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

  /** Wire names of the client frames (the label values of {@code chat_frames_received_total}), by class. */
  private static final Map<Class<?>, String> FRAME_TYPES = frameTypes();

  /** A client frame arrived: its wire type, or {@code invalid} when it could not be decoded. */
  public void frameReceived(chat.protocol.ClientFrame frame) {
    // keyed by class: no string built per frame on this path
    Class<?> kind = frame == null ? Void.class : frame.getClass();
    frames.computeIfAbsent(kind, k -> {
      String type = frame == null ? "invalid" : FRAME_TYPES.getOrDefault(k, "other");
      return Counter.builder("chat.frames.received").description("Client frames by type").tag("type", type)
          .register(registry);
    }).increment();
  }

  /** An error frame, or a closing frame, went to a client. */
  public void errorSent(chat.protocol.ErrorCode code, boolean closing) {
    counters.computeIfAbsent((closing ? "closed:" : "errors:") + code.wireName(), k -> Counter
        .builder(closing ? "chat.connections.closed.by.server" : "chat.errors")
        .description(closing ? "Connections the server closed, by the closing frame's code" : "Error frames sent, by code")
        .tag("code", code.wireName())
        .register(registry)).increment();
  }

  private static Map<Class<?>, String> frameTypes() {
    Map<Class<?>, String> types = new java.util.HashMap<>();
    var subtypes = chat.protocol.ClientFrame.class.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
    for (var subtype : subtypes.value()) {
      types.put(subtype.value(), subtype.name());
    }
    return Map.copyOf(types);
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
