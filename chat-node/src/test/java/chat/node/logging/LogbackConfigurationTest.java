package chat.node.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node's own logback.xml (not the tests' one): {@code chat.log.format} (or {@code CHAT_LOG_FORMAT})
 * picks the console format behind the non-blocking asynchronous appender, text by default; an unknown one
 * falls back to text.
 */
class LogbackConfigurationTest {

  /** What the shipped configuration writes to the console for one connection line, with the format given. */
  private static String console(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    if (format != null) {
      // a context property is looked up before system properties and the environment, as -D would be
      context.putProperty(LogContext.FORMAT_PROPERTY, format);
    }
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogbackConfigurationTest.class.getResource("/logback.xml"));
      // a warning or an error would make logback print its status to the console at start
      List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
          .filter(s -> s.getLevel() >= Status.WARN).toList();
      assertEquals(List.of(), problems);
      context.putProperty(LogContext.NODE, "pekko://chat@10.0.0.9:25520");
      Appender<ILoggingEvent> async = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
      assertTrue(async instanceof AsyncAppender a && a.isNeverBlock(), "the console sits behind a never-blocking async appender");
      context.getLogger("chat.node.gateway.Connection").atInfo()
          .addKeyValue("conn", "c-9").addKeyValue("remote", "192.0.2.9").addKeyValue("origin", "https://chat.example")
          .addKeyValue("user", "alice").log("connection opened");
      context.stop(); // drains the asynchronous appender
    } finally {
      System.setOut(stdout);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void jsonWritesOneObjectPerLine() throws Exception {
    String out = console("json");
    String[] lines = out.split("\n");
    assertEquals(1, lines.length, out);
    JsonNode line = new ObjectMapper().readTree(lines[0]);
    assertEquals("connection opened", line.get("message").asText());
    assertEquals("INFO", line.get("level").asText());
    assertEquals("chat.node.gateway.Connection", line.get("logger").asText());
    assertEquals("pekko://chat@10.0.0.9:25520", line.get("node").asText());
    assertEquals("alice", line.get("user").asText());
    assertEquals("192.0.2.9", line.get("remote").asText());
    assertEquals("https://chat.example", line.get("origin").asText());
    assertEquals("c-9", line.get("conn").asText());
  }

  @Test
  void anUnknownFormatIsAnErrorButStillLogsText() throws Exception {
    LoggerContext context = new LoggerContext();
    ConsoleEncoder encoder = new ConsoleEncoder();
    encoder.setContext(context);
    encoder.setFormat("JSON");
    encoder.setPattern("%msg%n");
    encoder.start();
    assertTrue(context.getStatusManager().getCopyOfStatusList().stream()
        .anyMatch(s -> s.getLevel() == Status.ERROR && s.getMessage().contains("'JSON'")));
    ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
        "test", context.getLogger("test"), ch.qos.logback.classic.Level.INFO, "still here", null, null);
    assertEquals("still here\n", new String(encoder.encode(event), StandardCharsets.UTF_8));
  }

  @Test
  void textIsTheDefaultAndShowsTheFieldsAfterTheMessage() throws Exception {
    for (String format : new String[] {null, "text"}) {
      String out = console(format);
      assertTrue(out.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  chat\\.node\\.gateway\\.Connection +- connection opened "
          + "conn=\"c-9\" remote=\"192\\.0\\.2\\.9\" origin=\"https://chat\\.example\" user=\"alice\"\\s*"), out);
    }
  }
}
