package chat.cassandra.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A room rebuilt from its journal, generically: the same fold as the server's {@code ChatRoom} event handler,
 * over decoded trees instead of the server's classes, so that it reads any server version's journal. Events
 * are recognised by the logical type the server writes ({@code room-created}, ...), falling back to the class
 * name of the manifest.
 *
 * <p>{@link #apply} also checks what the server guarantees of a timeline (it validates each command before
 * persisting, so none of these can happen unless the journal was written by something else): the first event
 * creates the room, no second creation, only members post or leave, nobody joins twice, DMs have fixed
 * members, roles go to members, nothing follows the room's deletion, and no {@code (sender, clientMsgId)} is
 * stored twice within the deduplication window.
 */
public final class RoomState {

  /** Sends within this distance must have been deduplicated by the room ({@code DedupWindow}: 40 × 256). */
  public static final int DEDUP_GUARANTEED = 10_240;
  /** What the room's window may hold at most (41 generations of 256); older sends are forgotten. */
  static final int DEDUP_MAX = 10_496;

  /** The room event kinds, by the logical name the server writes and the class name it had. */
  public enum EventKind {
    CREATED("room-created", "RoomCreated"),
    JOINED("member-joined", "MemberJoined"),
    LEFT("member-left", "MemberLeft"),
    MESSAGE("message-posted", "MessagePosted"),
    RENAMED("room-renamed", "RoomRenamed"),
    ROLE_CHANGED("role-changed", "RoleChanged"),
    DELETED("room-deleted", "RoomDeleted"),
    UNKNOWN("", "");

    private final String logical;
    private final String className;

    EventKind(String logical, String className) {
      this.logical = logical;
      this.className = className;
    }

    public static EventKind of(JournalEvent event) {
      String logical = event.logicalType().orElse(null);
      for (EventKind kind : values()) {
        if (kind != UNKNOWN && (kind.logical.equals(logical) || (logical == null && kind.className.equals(event.type())))) {
          return kind;
        }
      }
      return UNKNOWN;
    }
  }

  /** A stored send, as the dedup window remembers it; {@code ordinal} counts sends from the room's start. */
  private record Sent(long seq, long ts, long ordinal) {}

  private final String roomId;
  private boolean created;
  private String kind;
  private String name;
  private String visibility;
  private String createdBy;
  private long createdAt;
  private final SortedMap<String, Long> members = new TreeMap<>();
  /** Null for a DM, which nobody administers. */
  private String owner;
  private final SortedSet<String> admins = new TreeSet<>();
  private String deletedBy;
  private long lastSeq;
  private Instant lastWrittenAt;
  private long messages;
  /** The most recent sends by {@code sender NUL clientMsgId}, oldest first, at most {@link #DEDUP_MAX}. */
  private final LinkedHashMap<String, Sent> recentSends = new LinkedHashMap<>();

  public RoomState(String roomId) {
    this.roomId = roomId;
  }

  /**
   * Applies the next event (in seq order) and returns what in it breaks the room's rules; empty when all is
   * well. An undecodable event still advances the room's seq (it is a timeline item) but changes nothing else.
   */
  public List<Finding> apply(JournalEvent event) {
    List<Finding> findings = new ArrayList<>();
    long seq = event.seq();
    lastSeq = seq;
    lastWrittenAt = event.row().writtenAt();
    if (!event.decoded()) {
      return findings;
    }
    JsonNode p = event.payload();
    EventKind eventKind = EventKind.of(event);
    if (!created && eventKind != EventKind.CREATED && eventKind != EventKind.UNKNOWN) {
      findings.add(Finding.error("room-invariant", seq,
          event.type() + " before the room was created (the first event must be RoomCreated)"));
    }
    if (deletedBy != null && eventKind != EventKind.UNKNOWN) {
      findings.add(Finding.error("room-invariant", seq, event.type() + " after the room was deleted"));
    }
    switch (eventKind) {
      case CREATED -> {
        if (created) {
          findings.add(Finding.error("room-invariant", seq, "the room is created a second time"));
        } else if (seq != 1) {
          findings.add(Finding.error("room-invariant", seq, "the room is created at seq " + seq + ", not 1"));
        }
        created = true;
        kind = text(p, "kind");
        name = text(p, "name");
        visibility = text(p, "visibility");
        createdBy = text(p, "createdBy");
        createdAt = p.path("ts").asLong();
        members.clear();
        p.path("members").forEach(m -> members.put(m.asText(), seq));
        owner = "DM".equals(kind) ? null : createdBy;
        admins.clear();
      }
      case JOINED -> {
        String user = text(p, "user");
        if ("DM".equals(kind)) {
          findings.add(Finding.error("room-invariant", seq, user + " joins a DM, whose members are fixed"));
        }
        if (members.containsKey(user)) {
          findings.add(Finding.error("room-invariant", seq, user + " joins but is already a member (since seq "
              + members.get(user) + ")"));
        }
        members.put(user, seq);
      }
      case LEFT -> {
        String user = text(p, "user");
        if ("DM".equals(kind)) {
          findings.add(Finding.error("room-invariant", seq, user + " leaves a DM, whose members are fixed"));
        }
        if (members.remove(user) == null) {
          findings.add(Finding.error("room-invariant", seq, user + " leaves but is not a member"));
        }
        admins.remove(user);
      }
      case MESSAGE -> {
        String sender = text(p, "sender");
        if (created && !members.containsKey(sender)) {
          findings.add(Finding.error("room-invariant", seq, "message from " + sender + ", who is not a member"));
        }
        messages++;
        String key = sender + '\u0000' + text(p, "clientMsgId");
        Sent earlier = recentSends.remove(key);
        if (earlier != null && messages - earlier.ordinal() <= DEDUP_GUARANTEED) {
          findings.add(Finding.error("duplicate-client-msg-id", seq, "clientMsgId '" + text(p, "clientMsgId")
              + "' of " + sender + " is stored at seq " + earlier.seq() + " and again at seq " + seq
              + " (" + (messages - earlier.ordinal()) + " sends apart; the room deduplicates retries within "
              + DEDUP_GUARANTEED + ")"));
        }
        recentSends.put(key, new Sent(seq, p.path("ts").asLong(), messages));
        if (recentSends.size() > DEDUP_MAX) {
          Iterator<Map.Entry<String, Sent>> oldest = recentSends.entrySet().iterator();
          oldest.next();
          oldest.remove();
        }
      }
      case RENAMED -> name = text(p, "name");
      case ROLE_CHANGED -> {
        String user = text(p, "user");
        String role = text(p, "role");
        if (owner == null) {
          findings.add(Finding.error("room-invariant", seq, user + " is made " + role + " of a room without owner"));
        } else if (!members.containsKey(user)) {
          findings.add(Finding.error("room-invariant", seq, user + " is made " + role + " but is not a member"));
        }
        switch (String.valueOf(role)) {
          case "ADMIN" -> admins.add(user);
          case "MEMBER" -> admins.remove(user);
          case "OWNER" -> {
            if (owner != null) {
              admins.add(owner);
            }
            admins.remove(user);
            owner = user;
          }
          default -> findings.add(Finding.error("room-invariant", seq, user + " is given an unknown role " + role));
        }
      }
      case DELETED -> deletedBy = text(p, "by");
      case UNKNOWN -> findings.add(Finding.warning("unknown-event", seq, "a " + event.type()
          + " event is not one this inspector knows; the room's state ignores it (newer server version?)"));
      default -> throw new IllegalStateException("unhandled " + eventKind);
    }
    return findings;
  }

  /**
   * Compares a snapshot of the room's state (the server's {@code ChatRoom.Active} or, once deleted,
   * {@code ChatRoom.Closed}, decoded; {@code stateType} is its class's simple name) taken after event
   * {@code snapshotSeq} with this state, which must have been folded up to exactly that seq.
   */
  public List<String> differencesFrom(JsonNode snapshot, String stateType, long snapshotSeq) {
    List<String> differences = new ArrayList<>();
    if (!created) {
      differences.add("the room was not created yet at seq " + snapshotSeq);
      return differences;
    }
    compare(differences, "lastSeq", snapshot.path("lastSeq").asLong(-1), snapshotSeq);
    compare(differences, "state", stateType, deletedBy != null ? "Closed" : "Active");
    if (deletedBy != null || !"Active".equals(stateType)) {
      return differences;
    }
    compare(differences, "kind", text(snapshot, "kind"), kind);
    compare(differences, "name", text(snapshot, "name"), name);
    compare(differences, "visibility", text(snapshot, "visibility"), visibility);
    compare(differences, "createdBy", text(snapshot, "createdBy"), createdBy);
    compare(differences, "createdAt", snapshot.path("createdAt").asLong(-1), createdAt);
    Map<String, Long> snapshotMembers = new TreeMap<>();
    snapshot.path("members").properties().forEach(e -> snapshotMembers.put(e.getKey(), e.getValue().asLong()));
    compare(differences, "members", snapshotMembers, members);
    // snapshots from before rooms had roles carry no owner: the creator owned the room
    String snapshotOwner = text(snapshot, "owner") == null && !"DM".equals(kind) ? createdBy : text(snapshot, "owner");
    compare(differences, "owner", snapshotOwner, owner);
    SortedSet<String> snapshotAdmins = new TreeSet<>();
    snapshot.path("admins").forEach(a -> snapshotAdmins.add(a.asText()));
    compare(differences, "admins", snapshotAdmins, admins);
    dedupDifferences(snapshot.path("dedup").path("generations"), differences);
    return differences;
  }

  /**
   * The snapshot's dedup window must map each remembered send to the seq and time it was stored at, and must
   * remember every one of the last {@link #DEDUP_GUARANTEED} sends.
   */
  private void dedupDifferences(JsonNode generations, List<String> differences) {
    if (!generations.isArray()) {
      differences.add("the snapshot has no dedup window");
      return;
    }
    Set<String> seen = new HashSet<>();
    int wrong = 0;
    String firstWrong = null;
    for (JsonNode generation : generations) {
      for (Map.Entry<String, JsonNode> entry : generation.properties()) {
        if (!seen.add(entry.getKey())) {
          continue; // an older generation's entry for the same send: the room only ever reads the newest
        }
        Sent sent = recentSends.get(entry.getKey());
        long seq = entry.getValue().path("seq").asLong(-1);
        long ts = entry.getValue().path("ts").asLong(-1);
        if (sent == null || sent.seq() != seq || sent.ts() != ts) {
          wrong++;
          if (firstWrong == null) {
            firstWrong = "'" + entry.getKey().replace('\u0000', '/') + "' → seq " + seq
                + (sent == null ? ", which is not among the room's recent messages" : ", but the journal has it at seq "
                + sent.seq() + (sent.ts() != ts ? " with ts " + sent.ts() + " instead of " + ts : ""));
          }
        }
      }
    }
    if (wrong > 0) {
      differences.add("dedup window: " + wrong + " entr" + (wrong == 1 ? "y does" : "ies do")
          + " not match the journal, e.g. " + firstWrong);
    }
    long missing = recentSends.entrySet().stream()
        .filter(e -> messages - e.getValue().ordinal() < DEDUP_GUARANTEED && !seen.contains(e.getKey()))
        .count();
    if (missing > 0) {
      differences.add("dedup window: " + missing + " of the last " + Math.min(messages, DEDUP_GUARANTEED)
          + " sends are missing");
    }
  }

  private static void compare(List<String> differences, String field, Object inSnapshot, Object fromEvents) {
    if (!Objects.equals(inSnapshot, fromEvents)) {
      differences.add(field + " is " + inSnapshot + " in the snapshot but " + fromEvents + " from the events");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNull() || value.isMissingNode() ? null : value.asText();
  }

  /** One line for a timeline: what the event did, in words. */
  public static String describe(JournalEvent event) {
    if (!event.decoded()) {
      return "(" + event.type() + " that cannot be decoded: " + event.error() + ")";
    }
    JsonNode p = event.payload();
    return switch (EventKind.of(event)) {
      case CREATED -> "created " + text(p, "kind") + (text(p, "name") != null ? " \"" + text(p, "name") + "\"" : "")
          + " (" + text(p, "visibility") + ") by " + text(p, "createdBy") + " with " + join(p.path("members"));
      case JOINED -> text(p, "user") + (p.path("by").asText().equals(text(p, "user")) || text(p, "by") == null
          ? " joined" : " added by " + text(p, "by"));
      case LEFT -> text(p, "user") + (p.path("by").asText().equals(text(p, "user")) || text(p, "by") == null
          ? " left" : " removed by " + text(p, "by"));
      case MESSAGE -> text(p, "sender") + ": \"" + text(p, "body") + "\" [" + text(p, "clientMsgId") + "]";
      case RENAMED -> "renamed to \"" + text(p, "name") + "\" by " + text(p, "by");
      case ROLE_CHANGED -> text(p, "user") + " made " + String.valueOf(text(p, "role")).toLowerCase(Locale.ROOT)
          + " by " + text(p, "by");
      case DELETED -> "deleted by " + text(p, "by");
      case UNKNOWN -> event.type() + " " + p;
    };
  }

  private static String join(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return String.join(", ", values);
  }

  public String roomId() {
    return roomId;
  }

  public boolean created() {
    return created;
  }

  public String kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  public String visibility() {
    return visibility;
  }

  public String createdBy() {
    return createdBy;
  }

  public long createdAt() {
    return createdAt;
  }

  /** Member → seq at which they (last) joined, by name. */
  public SortedMap<String, Long> members() {
    return Collections.unmodifiableSortedMap(members);
  }

  public long lastSeq() {
    return lastSeq;
  }

  /** The owner, or null for a DM. */
  public String owner() {
    return owner;
  }

  public SortedSet<String> admins() {
    return Collections.unmodifiableSortedSet(admins);
  }

  /** Who deleted the room, or null while it exists. */
  public String deletedBy() {
    return deletedBy;
  }

  /** Journal time of the last applied event, or null before any. */
  public Instant lastWrittenAt() {
    return lastWrittenAt;
  }
}
