package chat.node.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON of the push topics' record values: written by nodes and the dispatcher, read by both. */
public final class PushJson {

  /** Fields a later schema version adds are ignored rather than refused: readers go first, writers follow. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private PushJson() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static String writeString(Object value) {
    return new String(write(value), java.nio.charset.StandardCharsets.UTF_8);
  }

  public static <T> T read(byte[] json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      // the kind of error and where only: Jackson's messages quote the input, which may hold text or tokens
      String where = e instanceof JsonProcessingException j && j.getLocation() != null
          ? " at line " + j.getLocation().getLineNr() + " column " + j.getLocation().getColumnNr() : "";
      throw new UncheckedIOException("not a " + type.getSimpleName() + ": " + e.getClass().getSimpleName() + where,
          new IOException("details withheld"));
    }
  }
}
