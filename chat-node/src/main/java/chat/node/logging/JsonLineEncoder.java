package chat.node.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One flat JSON object per log line, for log pipelines ({@code CHAT_LOG_FORMAT=json}):
 * {@code timestamp} (UTC, ISO-8601, milliseconds), {@code level}, {@code logger}, {@code thread},
 * {@code message} (formatted), {@code node} (the {@value LogContext#NODE} property of the logger context),
 * then every MDC entry and every SLF4J key-value pair as a field of its own, and {@code exception} (the
 * stack trace as text) when there is one. Numbers and booleans among the key-value pairs stay JSON numbers
 * and booleans. A field whose name is taken already is written as {@code mdc_<name>} or {@code kv_<name>}.
 *
 * <p>Not logback's {@code JsonEncoder}: it nests the MDC and the logger context, writes key-value pairs as
 * an array of one-field objects ({@code "kvpList": [{"user": "alice"}]}) that log stores cannot index as
 * fields, and by default the message template without its arguments. Jackson (already on the class path)
 * does the escaping. Stateless, so safe for concurrent use.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final List<String> STANDARD =
      List.of("timestamp", "level", "logger", "thread", "message", LogContext.NODE, "exception");

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      Set<String> written = new HashSet<>(STANDARD);
      json.writeStartObject();
      json.writeStringField("timestamp", TIMESTAMP.format(event.getInstant()));
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      String node = event.getLoggerContextVO() == null ? null
          : event.getLoggerContextVO().getPropertyMap().get(LogContext.NODE);
      if (node != null) {
        json.writeStringField(LogContext.NODE, node);
      }
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> entry : mdc.entrySet()) {
          json.writeFieldName(name(written, "mdc_", entry.getKey()));
          json.writeString(entry.getValue());
        }
      }
      List<KeyValuePair> pairs = event.getKeyValuePairs();
      if (pairs != null) {
        for (KeyValuePair pair : pairs) {
          json.writeFieldName(name(written, "kv_", pair.key));
          value(json, pair.value);
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static String name(Set<String> written, String prefix, String key) {
    String name = String.valueOf(key);
    return written.add(name) ? name : prefix + name;
  }

  private static void value(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      json.writeNumber(big);
    } else if (value instanceof BigDecimal decimal) {
      json.writeNumber(decimal);
    } else if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
      json.writeNumber(number.doubleValue());
    } else {
      json.writeString(String.valueOf(value));
    }
  }
}
