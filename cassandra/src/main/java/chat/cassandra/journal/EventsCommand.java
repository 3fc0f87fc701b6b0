package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code events <id>}: one journal's events, decoded, as JSON lines. */
final class EventsCommand extends JournalCommand {

  private final Clock clock;

  EventsCommand(Map<String, String> env, Clock clock) {
    super(env);
    this.clock = clock;
  }

  @Override
  public String name() {
    return "events";
  }

  @Override
  public String summary() {
    return "decode and print one journal's events as JSON lines";
  }

  @Override
  String synopsis() {
    return "events <persistence-id | room id | user id> [--from <seq|time>] [--to <seq|time>] [options]";
  }

  @Override
  String description() {
    return """
        Prints each event as one JSON line: persistenceId, seq, timestamp (journal time, UTC), type, writer
        and the decoded payload. Payloads are decoded generically from their serializer id and manifest
        (Pekko's Jackson CBOR/JSON), without the server's classes; an event that cannot be decoded gets
        "error" with the reason, "serId", "manifest" and the raw "event" (base64) instead, and a note on stderr.
        Events deleted by the entity (up to metadata.deleted_to) are not shown.""";
  }

  @Override
  String optionsUsage() {
    return """
          --from <seq|time>            first event: a seq, or a time (inclusive; see below)
          --to <seq|time>              last event: a seq, or a time (inclusive)
          --limit <n>                  at most n events
          --zone <zone>                time zone of times without an offset (default: this machine's)
        """ + RangeBound.HELP;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("from", "to", "limit", "zone");
  }

  @Override
  List<String> positionals() {
    return List.of("persistence-id");
  }

  @Override
  Run parse(CliArgs args) {
    String input = args.requiredPositional(0, "persistence id (e.g. 'ChatRoom|g:abc', or just g:abc)");
    EventRange range = EventRange.parse(args, clock);
    long limit = positiveLong(args, "limit", Long.MAX_VALUE);
    return (reader, out, err) -> {
      String id = Ids.resolve(reader, input, null);
      long deletedTo = reader.deletedTo(id);
      long fromSeq = Math.max(range.fromSeq(), deletedTo + 1);
      if (deletedTo > 0 && range.fromSeq() <= deletedTo) {
        err.println("Note: events up to seq " + deletedTo + " of " + id + " were deleted (metadata.deleted_to);"
            + " showing from seq " + fromSeq);
      }
      PayloadDecoder decoder = new PayloadDecoder();
      Progress progress = new Progress(err);
      long printed = 0;
      long undecodable = 0;
      long first = 0;
      long last = 0;
      long read = 0;
      Iterator<JournalRow> rows = reader.rows(id, fromSeq, range.toSeq());
      while (rows.hasNext() && printed < limit && !out.checkError()) { // stop once the reader went away
        JournalRow row = rows.next();
        long seq = row.sequenceNr();
        long count = ++read;
        progress.report(() -> count + " events read (at seq " + seq + ")");
        if (!range.includes(row)) {
          continue;
        }
        JournalEvent event = JournalEvent.decode(row, decoder);
        out.println(EventJson.write(EventJson.eventLine(event)));
        if (!event.decoded()) {
          undecodable++;
          err.println("seq " + seq + ": " + event.type() + " cannot be decoded: " + event.error());
        }
        first = printed++ == 0 ? seq : first;
        last = seq;
      }
      progress.done(read + " events read");
      if (printed == 0) {
        long highest = reader.highestSeq(id, deletedTo + 1);
        err.println("No events of " + id + " in this range" + (highest > 0
            ? " (its journal has seq " + (deletedTo + 1) + ".." + highest + ")" : " (its journal is empty)"));
      } else {
        err.println(plural(printed, "event") + " of " + id + " (seq " + first + ".." + last + ")"
            + (undecodable > 0 ? "; " + undecodable + " cannot be decoded (see \"error\")" : ""));
      }
      return 0;
    };
  }
}
