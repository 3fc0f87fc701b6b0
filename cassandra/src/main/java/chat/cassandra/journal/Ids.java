package chat.cassandra.journal;

import chat.cassandra.CliUsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what the user typed into a persistence id: a full id ({@code ChatRoom|g:abc}, quoted in a shell
 * because of the {@code |}) as it is, or a bare entity id ({@code g:abc}, {@code alice}) looked up among the
 * chat's entity types. An id that does not exist is an error that suggests similar ones.
 */
final class Ids {

  private Ids() {}

  /** @param only the one entity type allowed, or null for any */
  static String resolve(JournalReader reader, String input, EntityKind only) {
    if (input.indexOf(EntityKind.SEPARATOR) >= 0) {
      if (only != null && EntityKind.of(input) != only) {
        throw new CliUsageException("'" + input + "' is not a " + only.typeName() + " id (expected "
            + only.persistenceId("<id>") + " or just the id)");
      }
      if (!reader.exists(input)) {
        throw unknown(reader, input);
      }
      return input;
    }
    List<EntityKind> kinds = only != null ? List.of(only) : List.of(EntityKind.ROOM, EntityKind.USER_SESSION);
    List<String> found = new ArrayList<>();
    for (EntityKind kind : kinds) {
      String candidate = kind.persistenceId(input);
      if (reader.exists(candidate)) {
        found.add(candidate);
      }
    }
    if (found.size() > 1) {
      throw new CliUsageException("'" + input + "' is ambiguous: " + String.join(" and ", found)
          + " both exist; give the full persistence id (quoted: '" + found.get(0) + "')");
    }
    if (found.isEmpty()) {
      throw unknown(reader, input);
    }
    return found.get(0);
  }

  private static JournalException unknown(JournalReader reader, String input) {
    List<String> similar = similar(reader, input);
    return new JournalException("No journal for '" + input + "' in " + reader.session().where()
        + (similar.isEmpty() ? "" : "; similar ids: " + String.join(", ", similar))
        + " (list them with 'ids'; a full persistence id looks like ChatRoom|<roomId> or UserSession|<userId>)");
  }

  /** Up to five registered ids containing the input; reads all_persistence_ids, but only on this error path. */
  private static List<String> similar(JournalReader reader, String input) {
    String needle = EntityKind.entityId(input).toLowerCase(Locale.ROOT);
    try {
      return reader.persistenceIds(null, false, n -> { }).stream()
          .filter(id -> id.toLowerCase(Locale.ROOT).contains(needle))
          .limit(5)
          .toList();
    } catch (RuntimeException e) {
      return List.of(); // only a suggestion: the error about the unknown id matters, not this
    }
  }
}
