package chat.node.tracing;

import chat.node.room.ChatRoom;
import chat.node.room.RoomTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.apache.pekko.Done;

/**
 * A message's path as OpenTelemetry spans, all in the trace its send starts: {@code chat.send} at the
 * gateway (frame in, answer decided), {@code chat.persist} in the room (command handled, journal write
 * done), {@code chat.deliver} per recipient connection (the frame handed to its socket queue) and
 * {@code chat.push.produce} per push request (produced to Kafka, which acknowledged it).
 *
 * <p>The send's context crosses actors, nodes and the journal as a string, the W3C {@code traceparent}
 * value (followed by {@code ;} and the {@code tracestate} value when there is one): in the room's command,
 * in the stored message event (which the fan-out and the push projection read), and finally in the push
 * request's Kafka headers. Only sampled sends get one: an unsampled send stores nothing, so the sample
 * ratio bounds the downstream work and the journal bytes as well.
 *
 * <p>{@link #disabled()} (tracing off) holds no SDK at all: every method returns null or a no-op at its
 * first check, and nothing is built or stored.
 */
public final class NodeTracing {

  static final String INSTRUMENTATION = "chat.node";
  /** Separates the traceparent and tracestate values in a stored context (a traceparent holds none). */
  private static final char STATE_SEPARATOR = ';';

  static final AttributeKey<String> ROOM = AttributeKey.stringKey("chat.room.id");
  static final AttributeKey<String> USER = AttributeKey.stringKey("chat.user.id");
  static final AttributeKey<String> CLIENT_MSG_ID = AttributeKey.stringKey("chat.client_msg_id");
  static final AttributeKey<Long> SEQ = AttributeKey.longKey("chat.seq");
  static final AttributeKey<Boolean> DUPLICATE = AttributeKey.booleanKey("chat.duplicate");
  static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("chat.error.code");
  static final AttributeKey<String> CONNECTION = AttributeKey.stringKey("chat.connection.id");
  static final AttributeKey<Boolean> QUEUED = AttributeKey.booleanKey("chat.queued");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.type");

  private static final NodeTracing DISABLED = new NodeTracing(null, null);

  private static final TextMapGetter<String> STORED = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String stored) {
      return W3CTraceContextPropagator.getInstance().fields();
    }

    @Override
    public String get(String stored, String key) {
      if (stored == null) {
        return null;
      }
      int separator = stored.indexOf(STATE_SEPARATOR);
      return switch (key) {
        case "traceparent" -> separator < 0 ? stored : stored.substring(0, separator);
        case "tracestate" -> separator < 0 ? null : stored.substring(separator + 1);
        default -> null;
      };
    }
  };

  /** Null when disabled. */
  private final Tracer tracer;
  /** The SDK this node started and shuts down; null when disabled or handed in. */
  private final SdkTracerProvider owned;

  private NodeTracing(Tracer tracer, SdkTracerProvider owned) {
    this.tracer = tracer;
    this.owned = owned;
  }

  /** Tracing off: no SDK, no spans, no context strings. */
  public static NodeTracing disabled() {
    return DISABLED;
  }

  /**
   * Spans go to {@code openTelemetry}, which the caller owns (and shuts down): tests hand in an SDK with an
   * in-memory exporter.
   */
  public static NodeTracing using(OpenTelemetry openTelemetry) {
    return new NodeTracing(openTelemetry.getTracer(INSTRUMENTATION), null);
  }

  /**
   * As configured: {@link #disabled()} when off; else an SDK of the node's own, sampling the configured ratio
   * of sends (a span with a parent follows its parent's decision) and exporting in batches over OTLP.
   * {@code instanceId} becomes {@code service.instance.id}, so that a trace shows which node did what.
   */
  public static NodeTracing start(TracingSettings settings, String instanceId) {
    if (!settings.enabled()) {
      return DISABLED;
    }
    SpanExporter exporter = settings.exporter().equals(TracingSettings.OTLP_HTTP)
        ? OtlpHttpSpanExporter.builder().setEndpoint(settings.otlpEndpoint()).build()
        : OtlpGrpcSpanExporter.builder().setEndpoint(settings.otlpEndpoint()).build();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), settings.serviceName(),
        AttributeKey.stringKey("service.instance.id"), instanceId)));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
    return new NodeTracing(provider.get(INSTRUMENTATION), provider);
  }

  public boolean enabled() {
    return tracer != null;
  }

  /** Flushes and closes the SDK this node started (spans still queued are exported); nothing otherwise. */
  public CompletionStage<Done> shutdown() {
    if (owned == null) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletableFuture<Done> done = new CompletableFuture<>();
    owned.shutdown().whenComplete(() -> done.complete(Done.getInstance()));
    return done;
  }

  // ---------------------------------------------------------------- chat.send

  /** Starts {@code chat.send} for a send frame that just arrived; null when tracing is off. */
  public SendSpan send(String roomId, String userId, String clientMsgId) {
    if (tracer == null) {
      return null;
    }
    Span span = tracer.spanBuilder("chat.send")
        .setSpanKind(SpanKind.SERVER)
        .setNoParent()
        .setAttribute(ROOM, roomId)
        .setAttribute(USER, userId)
        .setAttribute(CLIENT_MSG_ID, clientMsgId)
        .startSpan();
    return new SendSpan(span);
  }

  /** A send's span, ended by its outcome. */
  public static final class SendSpan {
    private final Span span;
    private final String context;

    private SendSpan(Span span) {
      this.span = span;
      this.context = stored(span.getSpanContext());
    }

    /** What the room is to store with the message; null when this send is not sampled. */
    public String context() {
      return context;
    }

    public void accepted(long seq, boolean duplicate) {
      span.setAttribute(SEQ, seq);
      span.setAttribute(DUPLICATE, duplicate);
      span.end();
    }

    /** Answered with an error frame: the room refused it (not a server fault) or the answer says why. */
    public void refused(String errorCode) {
      span.setAttribute(ERROR_CODE, errorCode);
      span.end();
    }

    /** No answer from the room: a timeout, or a fault. */
    public void failed(Throwable failure) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      span.setAttribute(ERROR_TYPE, cause.getClass().getName());
      span.setStatus(StatusCode.ERROR);
      span.end();
    }
  }

  // ---------------------------------------------------------------- chat.persist

  /** What rooms on this node mark their traced writes with. */
  public RoomTracing rooms() {
    if (tracer == null) {
      return RoomTracing.OFF;
    }
    return (traceContext, roomId, sender, clientMsgId) -> {
      Context parent = parent(traceContext);
      if (parent == null) {
        return RoomTracing.OFF.persisting(traceContext, roomId, sender, clientMsgId);
      }
      Span span = tracer.spanBuilder("chat.persist")
          .setParent(parent)
          .setAttribute(ROOM, roomId)
          .setAttribute(USER, sender)
          .setAttribute(CLIENT_MSG_ID, clientMsgId)
          .startSpan();
      return seq -> {
        span.setAttribute(SEQ, seq);
        span.end();
      };
    };
  }

  // ---------------------------------------------------------------- chat.deliver

  /**
   * Starts {@code chat.deliver} for a live timeline entry reaching a recipient's connection, if it is a
   * traced message; null otherwise (always when tracing is off).
   */
  public DeliverSpan delivering(ChatRoom.TimelineEntry entry, String userId, String connectionId) {
    if (tracer == null || !(entry.event() instanceof ChatRoom.MessagePosted posted) || posted.traceContext() == null) {
      return null;
    }
    Context parent = parent(posted.traceContext());
    if (parent == null) {
      return null;
    }
    Span span = tracer.spanBuilder("chat.deliver")
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(parent)
        .setAttribute(ROOM, entry.roomId())
        .setAttribute(SEQ, entry.seq())
        .setAttribute(USER, userId)
        .setAttribute(CONNECTION, connectionId)
        .startSpan();
    return new DeliverSpan(span);
  }

  /** One message handed to one connection. */
  public static final class DeliverSpan {
    private final Span span;

    private DeliverSpan(Span span) {
      this.span = span;
    }

    /**
     * {@code queued}: the frame went into the socket queue now; false when the connection held it back
     * (its room is catching up from the journal) or had sent it already.
     */
    public void end(boolean queued) {
      span.setAttribute(QUEUED, queued);
      span.end();
    }
  }

  // ---------------------------------------------------------------- chat.push.produce

  /**
   * Starts {@code chat.push.produce} for a push request about a message stored with {@code traceContext};
   * null when tracing is off or the message was not traced.
   */
  public ProduceSpan producing(String traceContext, String topic, String roomId, long seq, String userId) {
    if (tracer == null || traceContext == null) {
      return null;
    }
    Context parent = parent(traceContext);
    if (parent == null) {
      return null;
    }
    Span span = tracer.spanBuilder("chat.push.produce")
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent)
        .setAttribute(MESSAGING_SYSTEM, "kafka")
        .setAttribute(MESSAGING_DESTINATION, topic)
        .setAttribute(MESSAGING_OPERATION, "send")
        .setAttribute(ROOM, roomId)
        .setAttribute(SEQ, seq)
        .setAttribute(USER, userId)
        .startSpan();
    return new ProduceSpan(span);
  }

  /** One push request on its way to Kafka. */
  public static final class ProduceSpan {
    private final Span span;

    private ProduceSpan(Span span) {
      this.span = span;
    }

    /** Writes this span's W3C context ({@code traceparent}, and {@code tracestate} if any) as headers. */
    public void inject(BiConsumer<String, String> header) {
      W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), header,
          (carrier, key, value) -> carrier.accept(key, value));
    }

    /** Kafka acknowledged the record ({@code failure} null) or did not. */
    public void end(Throwable failure) {
      if (failure != null) {
        span.setAttribute(ERROR_TYPE, failure.getClass().getName());
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
  }

  // ---------------------------------------------------------------- the stored context

  /** The W3C context of a sampled span as stored with a message; null for an unsampled or invalid one. */
  static String stored(SpanContext context) {
    if (!context.isValid() || !context.isSampled()) {
      return null;
    }
    String[] headers = new String[2];
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(context)), headers,
        (carrier, key, value) -> carrier[key.equals("traceparent") ? 0 : 1] = value);
    return headers[1] == null || headers[1].isEmpty() ? headers[0] : headers[0] + STATE_SEPARATOR + headers[1];
  }

  /** The remote parent a stored context names; null when it names none (malformed). */
  static Context parent(String stored) {
    Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), stored, STORED);
    return Span.fromContext(context).getSpanContext().isValid() ? context : null;
  }
}
