package chat.cassandra.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The inspector's JSON lines. Two shapes:
 * <ul>
 *   <li>event lines ({@code events}, {@code tail}): {@code persistenceId, seq, timestamp, type, writer} and
 *       {@code payload} (the decoded event), or instead {@code error}, {@code serId}, {@code manifest} and
 *       {@code event} (base64) when the payload cannot be decoded;</li>
 *   <li>export lines ({@code export}, read back by {@code import}): the same, plus every column needed to
 *       write the row again exactly as stored ({@code timeuuid}, {@code timebucket}, {@code serId},
 *       {@code serManifest}, {@code eventManifest}, {@code tags}, {@code event} and metadata, if any).</li>
 * </ul>
 * {@code timestamp} is the journal time in UTC (ISO-8601); {@code seq} is the journal sequence number.
 */
public final class EventJson {

  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private EventJson() {}

  public static ObjectNode eventLine(JournalEvent event) {
    JournalRow row = event.row();
    ObjectNode line = MAPPER.createObjectNode();
    line.put("persistenceId", row.persistenceId());
    line.put("seq", row.sequenceNr());
    line.put("timestamp", row.writtenAt().toString());
    line.put("type", event.type());
    line.put("writer", row.writerUuid());
    if (event.decoded()) {
      line.set("payload", event.payload());
    } else {
      line.put("error", "cannot decode: " + event.error());
      line.put("serId", row.serId());
      line.put("manifest", row.serManifest());
      line.put("event", base64(row.event()));
    }
    return line;
  }

  public static ObjectNode exportLine(JournalEvent event) {
    JournalRow row = event.row();
    ObjectNode line = eventLine(event);
    line.remove(List.of("error", "serId", "manifest", "event"));
    line.put("timeuuid", row.timestamp().toString());
    line.put("timebucket", row.timebucket());
    line.put("serId", row.serId());
    line.put("serManifest", row.serManifest());
    line.put("eventManifest", row.eventManifest());
    ArrayNode tags = line.putArray("tags");
    new TreeSet<>(row.tags()).forEach(tags::add);
    line.put("event", base64(row.event()));
    if (row.metaSerId() != null) {
      line.put("metaSerId", row.metaSerId());
      line.put("metaSerManifest", row.metaSerManifest());
      line.put("meta", base64(row.meta()));
    }
    if (!event.decoded()) {
      line.put("error", "cannot decode: " + event.error());
    }
    return line;
  }

  /**
   * The stored row of an export line, for re-import under {@code persistenceId} (the line's own one when
   * null) in partition {@code partitionNr}.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static JournalRow rowOf(JsonNode line, String persistenceId, long partitionNr) {
    String pid = persistenceId != null ? persistenceId : requiredText(line, "persistenceId");
    Set<String> tags = new HashSet<>();
    line.path("tags").forEach(t -> tags.add(t.asText()));
    JsonNode metaSerId = line.get("metaSerId");
    try {
      return new JournalRow(
          pid,
          partitionNr,
          required(line, "seq").asLong(),
          UUID.fromString(requiredText(line, "timeuuid")),
          line.path("timebucket").isTextual() ? line.get("timebucket").asText() : null,
          requiredText(line, "writer"),
          required(line, "serId").asInt(),
          requiredText(line, "serManifest"),
          line.path("eventManifest").asText(""),
          Base64.getDecoder().decode(requiredText(line, "event")),
          metaSerId == null || metaSerId.isNull() ? null : metaSerId.asInt(),
          metaSerId == null || metaSerId.isNull() ? null : requiredText(line, "metaSerManifest"),
          metaSerId == null || metaSerId.isNull() ? null : Base64.getDecoder().decode(requiredText(line, "meta")),
          tags);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed field in export line: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode line, String field) {
    JsonNode value = line.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + field + "' is missing (is this an export line?)");
    }
    return value;
  }

  private static String requiredText(JsonNode line, String field) {
    return required(line, field).asText();
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String base64(byte[] bytes) {
    return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
  }
}
