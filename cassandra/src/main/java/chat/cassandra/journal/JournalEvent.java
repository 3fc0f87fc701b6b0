package chat.cassandra.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A journal row with its payload decoded: {@code payload} when it could be decoded, else {@code error} says
 * why not. {@code type} is readable either way: the class's simple name from the manifest.
 */
public record JournalEvent(JournalRow row, String type, JsonNode payload, String error) {

  public static JournalEvent decode(JournalRow row, PayloadDecoder decoder) {
    String type = typeName(row.serManifest());
    PayloadDecoder.Decoded decoded = decoder.decode(row.serId(), row.serManifest(), row.event());
    if (decoded instanceof PayloadDecoder.Decoded.Ok ok) {
      return new JournalEvent(row, type, ok.payload(), null);
    }
    return new JournalEvent(row, type, null, ((PayloadDecoder.Decoded.Failed) decoded).reason());
  }

  public long seq() {
    return row.sequenceNr();
  }

  public boolean decoded() {
    return payload != null;
  }

  /**
   * The logical type the chat writes into its events ({@code @JsonTypeInfo}, e.g. {@code message-posted}),
   * which survives class renames; empty for events without one.
   */
  public Optional<String> logicalType() {
    if (payload == null || !payload.path("type").isTextual()) {
      return Optional.empty();
    }
    return Optional.of(payload.get("type").asText());
  }

  /** {@code chat.node.room.ChatRoom$MessagePosted#2} → {@code MessagePosted}; empty manifests → {@code ?}. */
  static String typeName(String manifest) {
    if (manifest == null || manifest.isBlank()) {
      return "?";
    }
    String name = manifest;
    int version = name.lastIndexOf('#');
    if (version >= 0) {
      name = name.substring(0, version);
    }
    int cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('$'));
    name = name.substring(cut + 1);
    return name.isEmpty() ? manifest : name;
  }
}
