package chat.cassandra.journal;

import java.util.Locale;
import java.util.Optional;

/**
 * The chat's entity types, as their persistence ids spell them ({@code <EntityType>|<entityId>}, Pekko's
 * {@code PersistenceId.of}). Anything else is inspected generically.
 */
public enum EntityKind {
  /** {@code ChatRoom|<roomId>}: the room's timeline; seq = journal sequence number, events never deleted. */
  ROOM("ChatRoom"),
  /** {@code UserSession|<userId>}: state, snapshotted every 100 events with older events deleted. */
  USER_SESSION("UserSession"),
  OTHER("");

  /** Pekko's default separator between entity type and entity id. */
  public static final char SEPARATOR = '|';

  private final String typeName;

  EntityKind(String typeName) {
    this.typeName = typeName;
  }

  public String typeName() {
    return typeName;
  }

  public String persistenceId(String entityId) {
    return typeName + SEPARATOR + entityId;
  }

  public static EntityKind of(String persistenceId) {
    String type = entityType(persistenceId);
    for (EntityKind kind : values()) {
      if (kind != OTHER && kind.typeName.equals(type)) {
        return kind;
      }
    }
    return OTHER;
  }

  /** The part before {@code |}, or empty if there is none. */
  public static String entityType(String persistenceId) {
    int bar = persistenceId.indexOf(SEPARATOR);
    return bar < 0 ? "" : persistenceId.substring(0, bar);
  }

  /** The part after {@code |}, or the whole id if there is none. */
  public static String entityId(String persistenceId) {
    int bar = persistenceId.indexOf(SEPARATOR);
    return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
  }

  /**
   * The entity type a {@code --type} value means: {@code room(s)} and {@code user(s)}/{@code session(s)}
   * for the chat's two, otherwise the literal entity type name (e.g. {@code ChatRoom}).
   */
  public static Optional<String> typeFilter(String value) {
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(switch (value.toLowerCase(Locale.ROOT)) {
      case "room", "rooms", "chatroom" -> ROOM.typeName;
      case "user", "users", "session", "sessions", "user-session", "user-sessions", "usersession" ->
          USER_SESSION.typeName;
      default -> value;
    });
  }
}
