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
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's metrics, in one Prometheus registry per node (several nodes may share a JVM in tests), named
 * by Prometheus conventions: units in the name, {@code _total} counters, and labels with a small, fixed
 * set of values only, never a user or room id. docs/observability.md lists every metric.
 *
 * <p>An extension of the actor system ({@link #get}), because the journal's driver session is built
 * before the node is wired and binds its metrics here too.
 */
public final class NodeMetrics implements Extension, AutoCloseable {

  private static final class Id extends ExtensionId<NodeMetrics> {
    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      return new NodeMetrics();
    }
  }

  private static final Id ID = new Id();

  /** The metrics of the node that {@code system} runs. */
  public static NodeMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Why the room refused a send: the label values of {@code chat_messages_rejected_total}. */
  public enum Refusal { NOT_MEMBER, NOT_FOUND, FORBIDDEN, OTHER }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Timer sendAck;
  private final Timer persist;
  private final Timer roomQueue;
  private final Timer delivery;
  private final Timer pushLag;
  private final Timer resumeTime;
  private final DistributionSummary resumeMessages;
  private final Counter opened;
  private final Counter closedByClient;
  private final Counter closedByServer;
  private final AtomicInteger authenticated = new AtomicInteger();
  private final Counter accepted;
  private final Counter duplicates;
  private final Counter failedSends;
  private final Map<Refusal, Counter> rejected = new EnumMap<>(Refusal.class);
  /*
   * Labelled counters, registered up front for every label value (all small fixed sets), so that the
   * per-frame path is a map read: no builder, no string, no lambda, and every series is exposed from 0.
   */
  private final Map<Class<?>, Counter> framesReceived;
  private final Counter invalidFrames;
  private final Map<Class<?>, Counter> framesSent;
  private final Map<chat.protocol.ErrorCode, Counter> errors = new EnumMap<>(chat.protocol.ErrorCode.class);
  private final Map<chat.protocol.ErrorCode, Counter> serverCloses = new EnumMap<>(chat.protocol.ErrorCode.class);
  private final Map<String, Counter> rateLimited = new java.util.concurrent.ConcurrentHashMap<>();
  /** Micrometer holds what a gauge or function counter reads only weakly: these keep them alive. */
  private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Standalone (tests); a node's own comes from {@link #get}. */
  public NodeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    sendAck = latency("chat.send.ack", "From the gateway's handing a send to its room to the room's answer (answered sends only)", 10);
    persist = latency("chat.persist", "In the room: from its taking up a command to its event's journal write", 10);
    roomQueue = latency("chat.room.queue",
        "In the room: from a send's leaving the room's mailbox to the room's taking it up (behind earlier writes)", 10);
    delivery = latency("chat.delivery",
        "From the room's stamping a message to its frame's queueing on a recipient's socket on this node", 10);
    pushLag = latency("chat.push.produce.lag",
        "From the room's stamping a message to Kafka's acknowledging its push requests (the ack window included)", 120);
    resumeTime = latency("chat.resume", "One catch-up replay of a connection, from its start to the last room's end", 60);
    resumeMessages = DistributionSummary.builder("chat.resume.messages")
        .description("Messages (timeline items) one catch-up replay sent").baseUnit("messages")
        .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(100_000.0)
        .register(registry);
    opened = Counter.builder("chat.connections.opened").description("WebSocket connections accepted").register(registry);
    closedByClient = closed("client");
    closedByServer = closed("server");
    Gauge.builder("chat.connections.authenticated", authenticated, AtomicInteger::get)
        .description("Open connections past a successful hello").register(registry);
    for (chat.protocol.ErrorCode code : chat.protocol.ErrorCode.values()) {
      errors.put(code, Counter.builder("chat.errors").description("Error frames sent, by code")
          .tag("code", code.wireName()).register(registry));
      serverCloses.put(code, Counter.builder("chat.connections.closed.by.server")
          .description("Connections the server closed, by the closing frame's code")
          .tag("code", code.wireName()).register(registry));
    }
    framesReceived = frameCounters("chat.frames.received", "Client frames by type", chat.protocol.ClientFrame.class);
    invalidFrames = Counter.builder("chat.frames.received").description("Client frames by type").tag("type", "invalid")
        .register(registry);
    framesSent = frameCounters("chat.frames.sent", "Frames queued for clients, by type", chat.protocol.ServerFrame.class);
    accepted = Counter.builder("chat.messages.accepted").description("Sends stored by their room").register(registry);
    failedSends = Counter.builder("chat.messages.failed")
        .description("Sends the room did not answer in time (or a fault): outcome unknown, the client retries")
        .register(registry);
    duplicates = Counter.builder("chat.messages.duplicate")
        .description("Sends answered with the seq of an earlier one (a retry with the same clientMsgId)")
        .register(registry);
    for (Refusal refusal : Refusal.values()) {
      rejected.put(refusal, Counter.builder("chat.messages.rejected")
          .description("Sends the room refused").tag("reason", refusal.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry));
    }
  }

  private Timer latency(String name, String description, int maxSeconds) {
    return Timer.builder(name).description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(maxSeconds))
        .register(registry);
  }

  private Counter closed(String initiator) {
    return Counter.builder("chat.connections.closed").description("WebSocket connections ended, by who ended them")
        .tag("initiator", initiator).register(registry);
  }

  /** The registry, for libraries that bind their own meters (the Kafka producer, the Cassandra driver). */
  public MeterRegistry registry() {
    return registry;
  }

  /** What the rooms of this node tell about where their time goes. */
  public chat.node.room.RoomTimings roomTimings() {
    return new chat.node.room.RoomTimings() {
      @Override
      public void queued(long elapsedNanos) {
        roomQueue.record(elapsedNanos, TimeUnit.NANOSECONDS);
      }

      @Override
      public void persisted(long elapsedNanos) {
        persist.record(elapsedNanos, TimeUnit.NANOSECONDS);
      }
    };
  }

  /** A message stamped at {@code stampedAtMillis} (the room's clock) was queued for a recipient's socket now. */
  public void delivered(long stampedAtMillis) {
    delivery.record(Math.max(0, System.currentTimeMillis() - stampedAtMillis), TimeUnit.MILLISECONDS);
  }

  /** Kafka acknowledged the push requests of a message stamped at {@code stampedAtMillis}. */
  public void pushProduced(long stampedAtMillis) {
    pushLag.record(Math.max(0, System.currentTimeMillis() - stampedAtMillis), TimeUnit.MILLISECONDS);
  }

  /** A connection's catch-up replay ended after {@code elapsedNanos}, having sent {@code messages} items. */
  public void resumed(long messages, long elapsedNanos) {
    resumeMessages.record(messages);
    resumeTime.record(elapsedNanos, TimeUnit.NANOSECONDS);
  }

  public void connectionOpened() {
    opened.increment();
  }

  /** A connection ended; {@code wasAuthenticated}: it had passed hello, so it leaves the authenticated gauge. */
  public void connectionClosed(boolean byServer, boolean wasAuthenticated) {
    (byServer ? closedByServer : closedByClient).increment();
    if (wasAuthenticated) {
      authenticated.decrementAndGet();
    }
  }

  public void authenticated() {
    authenticated.incrementAndGet();
  }

  /** A request was refused by the user's rate limit of {@code limit} (a small fixed set of kinds). */
  public void rateLimited(String limit) {
    Counter counter = rateLimited.get(limit);
    if (counter == null) {
      counter = rateLimited.computeIfAbsent(limit, l -> Counter.builder("chat.rate.limited")
          .description("Requests refused by a rate limit, by the limit").tag("limit", l).register(registry));
    }
    counter.increment();
  }

  /** A send was stored ({@code duplicate}: it had been before) and answered {@code elapsedNanos} after it arrived. */
  public void sent(long elapsedNanos, boolean duplicate) {
    sendAck.record(elapsedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    (duplicate ? duplicates : accepted).increment();
  }

  /** A send got no answer from its room (an ask timeout or a fault): the client is told to retry. */
  public void sendFailed() {
    failedSends.increment();
  }

  public void rejected(Refusal refusal) {
    rejected.get(refusal).increment();
  }

  /** A client frame arrived: its wire type, or {@code invalid} when it could not be decoded. */
  public void frameReceived(chat.protocol.ClientFrame frame) {
    (frame == null ? invalidFrames : framesReceived.get(frame.getClass())).increment();
  }

  /** A frame was queued for a client. */
  public void frameSent(chat.protocol.ServerFrame frame) {
    framesSent.get(frame.getClass()).increment();
  }

  /** An error frame, or a closing frame, went to a client. */
  public void errorSent(chat.protocol.ErrorCode code, boolean closing) {
    (closing ? serverCloses : errors).get(code).increment();
  }

  /** One counter per frame class of the sealed {@code frames} type, labelled with the class's wire name. */
  private Map<Class<?>, Counter> frameCounters(String name, String description, Class<?> frames) {
    Map<Class<?>, Counter> counters = new java.util.HashMap<>();
    wireNames(frames).forEach((type, wireName) -> counters.put(type,
        Counter.builder(name).description(description).tag("type", wireName).register(registry)));
    return Map.copyOf(counters);
  }

  private static Map<Class<?>, String> wireNames(Class<?> frames) {
    Map<Class<?>, String> types = new java.util.HashMap<>();
    var subtypes = frames.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
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
