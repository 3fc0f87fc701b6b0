package chat.node.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chat.node.room.ChatRoom;
import chat.node.room.RoomTracing;
import com.typesafe.config.ConfigFactory;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored W3C context, and that tracing off does nothing at all. */
class NodeTracingTest {

  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String SPAN_ID = "b7ad6b7169203331";

  @Test
  void offBuildsNoSpanAndNoContext() {
    NodeTracing off = NodeTracing.disabled();
    assertFalse(off.enabled());
    assertNull(off.send("r", "alice", "c1"));
    assertSame(RoomTracing.OFF, off.rooms());
    var traced = new ChatRoom.TimelineEntry("r", 2, new ChatRoom.MessagePosted("alice", "c1", "hi", 1L,
        "00-" + TRACE_ID + "-" + SPAN_ID + "-01"));
    assertNull(off.delivering(traced, "bob", "conn"), "a node with tracing off ignores contexts others stored");
    assertNull(off.producing("00-" + TRACE_ID + "-" + SPAN_ID + "-01", "topic", "r", 2, "bob"));
    assertEquals(NodeTracing.disabled(), NodeTracing.start(TracingSettings.fromConfig(
        ConfigFactory.parseResources("tracing.conf").resolve()), "node"), "the default is off");
  }

  @Test
  void theStoredContextIsTheTraceparentAndTracestateWhenThereIsOne() {
    SpanContext plain = SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault());
    assertEquals("00-" + TRACE_ID + "-" + SPAN_ID + "-01", NodeTracing.stored(plain));
    SpanContext withState = SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(),
        TraceState.builder().put("vendor", "v1").build());
    String stored = NodeTracing.stored(withState);
    assertEquals("00-" + TRACE_ID + "-" + SPAN_ID + "-01;vendor=v1", stored);
    SpanContext parent = Span.fromContext(NodeTracing.parent(stored)).getSpanContext();
    assertEquals(TRACE_ID, parent.getTraceId());
    assertEquals(SPAN_ID, parent.getSpanId());
    assertEquals("v1", parent.getTraceState().get("vendor"));
    assertNull(NodeTracing.parent("not a traceparent"));
  }

  @Test
  void anUnsampledSendStoresNoContext() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .setSampler(Sampler.alwaysOff()).addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
      NodeTracing.SendSpan send = NodeTracing.using(sdk).send("r", "alice", "c1");
      assertNull(send.context());
      send.accepted(2, false);
      assertEquals(0, exporter.getFinishedSpanItems().size());
    }
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new TracingSettings(true, "zipkin", "http://x", 1, "s"));
    assertThrows(IllegalArgumentException.class, () -> new TracingSettings(true, "otlp", "http://x", 1.5, "s"));
    assertThrows(IllegalArgumentException.class, () -> new TracingSettings(true, "otlp", " ", 1, "s"));
    var settings = TracingSettings.fromConfig(ConfigFactory.parseMap(Map.of("chat.tracing.enabled", true,
        "chat.tracing.sample-ratio", "0.25")).withFallback(ConfigFactory.parseResources("tracing.conf")).resolve());
    assertEquals(new TracingSettings(true, "otlp", "http://127.0.0.1:4317", 0.25, "chat-node"), settings);
  }
}
