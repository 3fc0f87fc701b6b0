package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import chat.cassandra.CliUsageException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tail <id>} / {@code tail --type room}: follows journals and prints new events as they are written,
 * in the same JSON lines as {@code events}. Polls (as the plugin's own live queries do): every interval it
 * reads each followed journal after the last seq it printed.
 */
final class TailCommand extends JournalCommand {

  TailCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  public String name() {
    return "tail";
  }

  @Override
  public String summary() {
    return "follow one journal, or all of a type, printing new events live";
  }

  @Override
  String synopsis() {
    return "tail <persistence-id | room id | user id> [--from <seq>] [options]\n"
        + "       tail --type room|user|<EntityType> [options]";
  }

  @Override
  String description() {
    return """
        Prints new events as JSON lines (as 'events' does) as soon as a poll sees them, until Ctrl-C, --limit or
        --duration. With an id it starts after the journal's current end (or at --from); with --type it follows
        every journal of that type, including ones created meanwhile (their events from seq 1). Each poll reads
        every followed journal: with --type, meant for development and staging keyspaces, not thousands of rooms.""";
  }

  @Override
  String optionsUsage() {
    return """
          --type <type>                follow all journals of this entity type: room, user, or a type name
          --from <seq>                 with an id: start at this seq instead of after the current end
          --interval <duration>        time between polls (default 1s; e.g. 500ms, 2s)
          --limit <n>                  stop after n events
          --duration <duration>        stop after this long (e.g. 30s, 10m)
        """;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("type", "from", "interval", "limit", "duration");
  }

  @Override
  List<String> positionals() {
    return List.of("persistence-id");
  }

  @Override
  Run parse(CliArgs args) {
    String input = args.positional(0).orElse(null);
    String type = EntityKind.typeFilter(args.value("type").orElse(null)).orElse(null);
    if ((input == null) == (type == null)) {
      throw new CliUsageException("Give a persistence id or --type (one of them)");
    }
    if (type != null && args.value("from").isPresent()) {
      throw new CliUsageException("--from goes with an id, not with --type");
    }
    long from = positiveLong(args, "from", 0);
    Duration interval = duration(args, "interval", Duration.ofSeconds(1));
    long limit = positiveLong(args, "limit", Long.MAX_VALUE);
    Duration duration = duration(args, "duration", null);
    return (reader, out, err) -> {
      // persistence id → last seq printed (or skipped, for the journals' existing events)
      Map<String, Long> cursors = new LinkedHashMap<>();
      if (input != null) {
        String id = Ids.resolve(reader, input, null);
        cursors.put(id, from > 0 ? from - 1 : reader.highestSeq(id, reader.deletedTo(id) + 1));
        err.println("Following " + id + " after seq " + cursors.get(id) + ", polling every " + pretty(interval)
            + " (Ctrl-C to stop)");
      } else {
        for (String id : reader.persistenceIds(type, false, n -> { })) {
          cursors.put(id, reader.highestSeq(id, reader.deletedTo(id) + 1));
        }
        err.println("Following " + plural(cursors.size(), type + " journal") + " (and new ones) from their ends,"
            + " polling every " + pretty(interval) + " (Ctrl-C to stop)");
      }
      err.flush();
      long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
      PayloadDecoder decoder = new PayloadDecoder();
      long printed = 0;
      // out.checkError(): the reader went away (`tail ... | head -1`), so nobody is following any more
      while (printed < limit && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()
          && !out.checkError()) {
        if (type != null) {
          for (String id : reader.persistenceIds(type, false, n -> { })) {
            cursors.putIfAbsent(id, 0L); // created since the last poll: from its first event
          }
        }
        for (Map.Entry<String, Long> cursor : cursors.entrySet()) {
          printed += poll(reader, cursor, decoder, out, err, limit - printed);
          if (printed >= limit) {
            break;
          }
        }
        if (printed < limit) {
          try {
            Thread.sleep(Math.max(1, Math.min(interval.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the way to stop a tail inside a program
          }
        }
      }
      err.println("Stopped after " + plural(printed, "event")
          + (out.checkError() ? ": the output was closed" : ""));
      return 0;
    };
  }

  /** Prints the journal's events after its cursor, at most {@code max}; returns how many. */
  private static long poll(JournalReader reader, Map.Entry<String, Long> cursor, PayloadDecoder decoder,
      PrintStream out, PrintStream err, long max) {
    long printed = 0;
    Iterator<JournalRow> rows = reader.rows(cursor.getKey(), cursor.getValue() + 1, Long.MAX_VALUE);
    while (rows.hasNext() && printed < max) {
      JournalRow row = rows.next();
      if (row.sequenceNr() <= cursor.getValue()) {
        continue;
      }
      JournalEvent event = JournalEvent.decode(row, decoder);
      out.println(EventJson.write(EventJson.eventLine(event)));
      if (!event.decoded()) {
        err.println(cursor.getKey() + " seq " + row.sequenceNr() + ": " + event.type() + " cannot be decoded: "
            + event.error());
      }
      cursor.setValue(row.sequenceNr());
      printed++;
    }
    out.flush();
    return printed;
  }

  private static String pretty(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
