package chat.node.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Every line the JSON encoder writes is one JSON object with the documented fields, whatever the message holds. */
class JsonLineEncoderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A logger of its own context, writing through the encoder into memory. */
  private static final class Captured {
    final LoggerContext context = new LoggerContext();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final Logger logger;

    Captured() {
      this("pekko://chat@10.0.0.7:25520");
    }

    Captured(String node) {
      context.setMDCAdapter(MDC.getMDCAdapter());
      if (node != null) {
        context.putProperty(LogContext.NODE, node);
      }
      JsonLineEncoder encoder = new JsonLineEncoder();
      encoder.setContext(context);
      encoder.start();
      OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new OutputStreamAppender<>();
      appender.setContext(context);
      appender.setEncoder(encoder);
      appender.setOutputStream(bytes);
      appender.start();
      logger = context.getLogger("chat.node.gateway.Connection");
      logger.setLevel(Level.DEBUG);
      logger.addAppender(appender);
    }

    List<JsonNode> lines() throws Exception {
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(text.endsWith("\n"), text);
      List<JsonNode> lines = new java.util.ArrayList<>();
      for (String line : text.split("\n")) {
        JsonNode node = JSON.readTree(line);
        assertTrue(node.isObject(), line);
        lines.add(node);
      }
      return lines;
    }
  }

  @Test
  void aLineCarriesTheStandardFieldsTheNodeTheMdcAndTheKeyValuePairsAsFieldsOfTheirOwn() throws Exception {
    Captured captured = new Captured();
    Instant before = Instant.now().minusMillis(1);
    MDC.put("pekkoSource", "pekko://chat/system/ws-1");
    try {
      captured.logger.atInfo()
          .addKeyValue("conn", "c-1")
          .addKeyValue("user", "alice")
          .addKeyValue("remote", "192.0.2.1")
          .addKeyValue("origin", "https://chat.example")
          .addKeyValue("durationMs", 1234L)
          .addKeyValue("framesIn", 7)
          .addKeyValue("clean", true)
          .log("connection {}", "closed");
    } finally {
      MDC.remove("pekkoSource");
    }

    List<JsonNode> lines = captured.lines();
    assertEquals(1, lines.size());
    JsonNode line = lines.get(0);
    Instant timestamp = Instant.parse(line.get("timestamp").asText());
    assertFalse(timestamp.isBefore(before) || timestamp.isAfter(Instant.now().plusSeconds(1)), timestamp.toString());
    assertTrue(line.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    assertEquals("INFO", line.get("level").asText());
    assertEquals("chat.node.gateway.Connection", line.get("logger").asText());
    assertEquals(Thread.currentThread().getName(), line.get("thread").asText());
    assertEquals("connection closed", line.get("message").asText());
    assertEquals("pekko://chat@10.0.0.7:25520", line.get("node").asText());
    assertEquals("pekko://chat/system/ws-1", line.get("pekkoSource").asText());
    assertEquals("c-1", line.get("conn").asText());
    assertEquals("alice", line.get("user").asText());
    assertEquals("192.0.2.1", line.get("remote").asText());
    assertEquals("https://chat.example", line.get("origin").asText());
    assertTrue(line.get("durationMs").isIntegralNumber());
    assertEquals(1234, line.get("durationMs").asLong());
    assertEquals(7, line.get("framesIn").asInt());
    assertTrue(line.get("clean").isBoolean());
    assertFalse(line.has("exception"));
  }

  @Test
  void awkwardTextStaysOnOneLineAndReadsBackUnchanged() throws Exception {
    Captured captured = new Captured();
    String awkward = "quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 é ✓ 😀 </script>";
    captured.logger.atWarn().addKeyValue("reason", awkward).addKeyValue("nothing", (Object) null).log(awkward);
    captured.logger.error("request failed", new IllegalStateException("broken\nin two"));

    List<JsonNode> lines = captured.lines();
    assertEquals(2, lines.size());
    assertEquals(awkward, lines.get(0).get("message").asText());
    assertEquals(awkward, lines.get(0).get("reason").asText());
    assertTrue(lines.get(0).get("nothing").isNull());
    String exception = lines.get(1).get("exception").asText();
    assertTrue(exception.startsWith("java.lang.IllegalStateException: broken\nin two"), exception);
    assertTrue(exception.contains("JsonLineEncoderTest"), exception);
  }

  @Test
  void aFieldWhoseNameIsTakenKeepsItsValueUnderAPrefixedName() throws Exception {
    Captured captured = new Captured();
    MDC.put("user", "from-mdc");
    try {
      captured.logger.atInfo().addKeyValue("message", "not the message").addKeyValue("user", "from-kv").log("hello");
    } finally {
      MDC.remove("user");
    }
    JsonNode line = captured.lines().get(0);
    assertEquals("hello", line.get("message").asText());
    assertEquals("not the message", line.get("kv_message").asText());
    assertEquals("from-mdc", line.get("user").asText());
    assertEquals("from-kv", line.get("kv_user").asText());
  }

  @Test
  void theNodeIsOnEveryLineFromWhenItIsKnown() throws Exception {
    Captured captured = new Captured(null);
    captured.logger.info("starting");
    // what ChatNode.init does once the cluster address is known, long after logging started
    captured.context.putProperty(LogContext.NODE, "pekko://chat@10.0.0.8:25520");
    captured.logger.info("serving");
    List<JsonNode> lines = captured.lines();
    assertFalse(lines.get(0).has("node"));
    assertEquals("pekko://chat@10.0.0.8:25520", lines.get(1).get("node").asText());
  }

  @Test
  void theFormatIsTextOrJsonAndThePropertyWinsOverTheEnvironment() {
    assertTrue(LogContext.invalidFormat(null, Map.of()).isEmpty());
    assertTrue(LogContext.invalidFormat(null, Map.of("CHAT_LOG_FORMAT", "json")).isEmpty());
    assertTrue(LogContext.invalidFormat("text", Map.of("CHAT_LOG_FORMAT", "xml")).isEmpty());
    assertTrue(LogContext.invalidFormat(null, Map.of("CHAT_LOG_FORMAT", "JSON")).orElseThrow().contains("CHAT_LOG_FORMAT"));
    assertTrue(LogContext.invalidFormat("yaml", Map.of()).orElseThrow().contains("-Dchat.log.format"));
  }
}
