package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code room <id> --as-of <time>}: a room's timeline and membership as they were at a time (or seq), rebuilt
 * from its journal with {@link RoomState}.
 *
 * <p>"As of T" is the longest prefix of the timeline whose events were all written by T: seq n+1 cannot have
 * been written before seq n, so the first event written after T ends the room's state at T even if a later
 * one carries an earlier timestamp (clocks of different nodes).
 */
final class RoomCommand extends JournalCommand {

  private final Clock clock;

  RoomCommand(Map<String, String> env, Clock clock) {
    super(env);
    this.clock = clock;
  }

  @Override
  public String name() {
    return "room";
  }

  @Override
  public String summary() {
    return "a room's timeline and membership as of a time (or seq)";
  }

  @Override
  String synopsis() {
    return "room <room id | ChatRoom|<room id>> [--as-of <time|seq>] [options]";
  }

  @Override
  String description() {
    return """
        Rebuilds the room from its journal up to --as-of (default: now) and prints what it was then: kind,
        name, members (with the seq each joined at) and the timeline, one line per event with its journal
        time (UTC). Times are journal times: when each event was stored.""";
  }

  @Override
  String optionsUsage() {
    return """
          --as-of <time|seq>           the moment to show: a time, or a seq (inclusive; default: now)
          --last <n>                   print only the last n timeline items (membership is always complete)
          --zone <zone>                time zone of times without an offset (default: this machine's)
          --json                       one JSON object (members and timeline as event lines) instead of text
        """ + RangeBound.HELP;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("as-of", "last", "zone");
  }

  @Override
  Set<String> flagOptions() {
    return Set.of("json");
  }

  @Override
  List<String> positionals() {
    return List.of("room-id");
  }

  @Override
  Run parse(CliArgs args) {
    String input = args.requiredPositional(0, "room id (e.g. g:abc, dm:alice:bob or 'ChatRoom|g:abc')");
    ZoneId zone = RangeBound.zone(args.value("zone").orElse(null));
    RangeBound asOf = args.value("as-of").map(v -> RangeBound.parse("as-of", v, zone, clock)).orElse(null);
    long last = positiveLong(args, "last", Long.MAX_VALUE);
    boolean json = args.flag("json");
    return (reader, out, err) -> {
      String id = Ids.resolve(reader, input, EntityKind.ROOM);
      long toSeq = asOf instanceof RangeBound.Seq s ? s.seq() : Long.MAX_VALUE;
      Instant toTime = asOf instanceof RangeBound.Time t ? t.instant() : null;
      RoomState room = new RoomState(EntityKind.entityId(id));
      PayloadDecoder decoder = new PayloadDecoder();
      List<JournalEvent> timeline = new ArrayList<>();
      List<Finding> findings = new ArrayList<>();
      Progress progress = new Progress(err);
      Instant firstWrittenAt = null;
      Iterator<JournalRow> rows = reader.rows(id, 1, toSeq);
      while (rows.hasNext()) {
        JournalRow row = rows.next();
        if (firstWrittenAt == null) {
          firstWrittenAt = row.writtenAt();
        }
        if (toTime != null && row.writtenAt().isAfter(toTime)) {
          break;
        }
        if (row.sequenceNr() <= room.lastSeq()) {
          continue; // a second row for a seq (see verify): the room applied only one
        }
        JournalEvent event = JournalEvent.decode(row, decoder);
        findings.addAll(room.apply(event));
        timeline.add(event);
        progress.report(() -> timeline.size() + " events read");
      }
      long highest = reader.highestSeq(id, 1);
      long later = Math.max(0, highest - room.lastSeq());
      String asOfText = asOf == null ? "now" : toTime != null ? toTime.toString() : "seq " + toSeq;
      for (Finding f : findings) {
        err.println("Note: " + f + " (run verify for the whole journal)");
      }
      List<JournalEvent> shown = timeline.subList((int) Math.max(0, timeline.size() - last), timeline.size());
      if (json) {
        out.println(EventJson.write(jsonOf(id, room, asOfText, later, shown)));
      } else {
        printText(out, id, room, asOfText, later, firstWrittenAt, timeline.size(), shown);
      }
      return 0;
    };
  }

  private static void printText(PrintStream out, String id, RoomState room, String asOf, long later,
      Instant firstWrittenAt, int events, List<JournalEvent> shown) {
    out.println("Room " + room.roomId() + " (" + id + ") as of " + asOf);
    if (!room.created()) {
      out.println(events == 0 && firstWrittenAt != null
          ? "Not created yet: its first event was written at " + firstWrittenAt
          : "Not created (no RoomCreated event)");
      if (events == 0) {
        return;
      }
    } else {
      out.println(room.kind() + (room.name() != null ? " \"" + room.name() + "\"" : "") + ", " + room.visibility()
          + ", created by " + room.createdBy() + " at " + Instant.ofEpochMilli(room.createdAt()));
      if (room.owner() != null) {
        out.println("Owner " + room.owner() + (room.admins().isEmpty() ? "" : ", admins " + String.join(", ", room.admins())));
      }
      if (room.deletedBy() != null) {
        out.println("Deleted by " + room.deletedBy());
      }
    }
    out.println("Last seq " + room.lastSeq() + ", written " + room.lastWrittenAt()
        + (later > 0 ? "; " + plural(later, "later event") + " not included" : "; nothing later"));
    out.println("Members (" + room.members().size() + "):");
    int width = room.members().keySet().stream().mapToInt(String::length).max().orElse(0);
    room.members().forEach((user, seq) -> out.println(String.format("  %-" + width + "s  since seq %d", user, seq)));
    out.println("Timeline (" + (shown.size() < events ? "last " + shown.size() + " of " : "") + events + "):");
    int seqWidth = String.valueOf(room.lastSeq()).length();
    for (JournalEvent event : shown) {
      out.println(String.format("  %" + seqWidth + "d  %s  %s", event.seq(), event.row().writtenAt(),
          RoomState.describe(event)));
    }
  }

  private static ObjectNode jsonOf(String id, RoomState room, String asOf, long later, List<JournalEvent> shown) {
    ObjectNode node = EventJson.MAPPER.createObjectNode();
    node.put("roomId", room.roomId());
    node.put("persistenceId", id);
    node.put("asOf", asOf);
    node.put("created", room.created());
    node.put("kind", room.kind());
    node.put("name", room.name());
    node.put("visibility", room.visibility());
    node.put("createdBy", room.createdBy());
    node.put("createdAt", room.created() ? Instant.ofEpochMilli(room.createdAt()).toString() : null);
    node.put("owner", room.owner());
    ArrayNode admins = node.putArray("admins");
    room.admins().forEach(admins::add);
    node.put("deletedBy", room.deletedBy());
    node.put("lastSeq", room.lastSeq());
    node.put("lastWrittenAt", room.lastWrittenAt() == null ? null : room.lastWrittenAt().toString());
    node.put("laterEvents", later);
    ObjectNode members = node.putObject("members");
    room.members().forEach(members::put);
    ArrayNode timeline = node.putArray("timeline");
    shown.forEach(e -> timeline.add(EventJson.eventLine(e)));
    return node;
  }
}
