package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import chat.cassandra.CliUsageException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code import <file>}: writes an {@code export} back into a journal, e.g. to rebuild a room in another
 * keyspace or under a new id: the node rebuilds the room's state from these events the next time it starts
 * the entity. The only command that writes, so it is careful: without {@code --execute} it only prints its
 * plan; it accepts only a complete, gap-free journal (seq 1..n of one id) and writes only into an id that has
 * nothing yet (no events, deletions or snapshots), because adding rows to a live journal would create exactly
 * the double-writer corruption that {@code verify} looks for.
 */
final class ImportCommand extends JournalCommand {

  ImportCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  public String name() {
    return "import";
  }

  @Override
  public String summary() {
    return "write an export back into an empty journal (dry run unless --execute)";
  }

  @Override
  String synopsis() {
    return "import <export file> [--as <persistence-id>] [--execute] [options]";
  }

  @Override
  String description() {
    return """
        Writes the events of an 'export' file (a complete journal: seq 1..n of one persistence id) into the
        journal of --as (default: the exported id) in --keyspace, keeping their seqs, journal times, writer ids
        and serialized payloads as they were. Prints the plan first and writes nothing without --execute.
        The target must be empty: no events, no deletions, no snapshots. Import while no node has started that
        entity (e.g. under a new id, or into a keyspace no node uses yet): an entity already running with that
        id would not see the events until it restarts. A room rebuilds its state from the imported events the
        next time a node starts it; check the result with 'verify <id>'.""";
  }

  @Override
  String optionsUsage() {
    return """
          --as <persistence-id>        import under this id, e.g. 'ChatRoom|g:restored' (same entity type)
          --execute                    really write; without it, only print what would be written
        """;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("as");
  }

  @Override
  Set<String> flagOptions() {
    return Set.of("execute");
  }

  @Override
  List<String> positionals() {
    return List.of("file");
  }

  /** What the export file holds, checked line by line before anything connects. */
  record ExportSummary(Path file, String persistenceId, long events, Instant firstAt, Instant lastAt, boolean tags,
      long undecodable) {}

  @Override
  Run parse(CliArgs args) {
    Path file = Path.of(args.requiredPositional(0, "export file (written by 'export')"));
    boolean execute = args.flag("execute");
    ExportSummary export = check(file);
    String target = args.value("as").orElse(export.persistenceId());
    if (target.indexOf(EntityKind.SEPARATOR) < 0) {
      throw new CliUsageException("--as needs a full persistence id such as "
          + EntityKind.of(export.persistenceId()).persistenceId(target) + " (quoted in a shell)");
    }
    if (!EntityKind.entityType(target).equals(EntityKind.entityType(export.persistenceId()))) {
      throw new CliUsageException("--as " + target + " is not of the exported entity type "
          + EntityKind.entityType(export.persistenceId()));
    }
    return (reader, out, err) -> {
      requireEmpty(reader, target);
      printPlan(out, reader, export, target, execute);
      if (!execute) {
        out.println("Dry run: nothing was written. Re-run with --execute to write.");
        return 0;
      }
      long written = write(reader, export, target, err);
      out.println("Wrote " + plural(written, "event") + " into " + target + " in " + reader.session().where()
          + ". Check it with: verify '" + target + "'");
      return 0;
    };
  }

  /** Reads the whole file once: one id, seq 1..n without gaps, every line an export line. */
  static ExportSummary check(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CliUsageException("No such export file: " + file);
    }
    String persistenceId = null;
    long expected = 1;
    long lineNumber = 0;
    Instant firstAt = null;
    Instant lastAt = null;
    boolean tags = false;
    long undecodable = 0;
    try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text = lines.readLine(); text != null; text = lines.readLine()) {
        lineNumber++;
        if (text.isBlank()) {
          continue;
        }
        JsonNode line = parseLine(file, lineNumber, text);
        JournalRow row;
        try {
          row = EventJson.rowOf(line, null, 0);
        } catch (IllegalArgumentException e) {
          throw new JournalException(file + " line " + lineNumber + ": " + e.getMessage());
        }
        if (persistenceId == null) {
          persistenceId = row.persistenceId();
        } else if (!persistenceId.equals(row.persistenceId())) {
          throw new JournalException(file + " line " + lineNumber + ": persistence id " + row.persistenceId()
              + " differs from " + persistenceId + " (an export holds one journal)");
        }
        if (row.sequenceNr() != expected) {
          throw new JournalException(file + " line " + lineNumber + ": seq " + row.sequenceNr() + " where seq "
              + expected + " was expected: " + (expected == 1
                  ? "the export does not start at seq 1 (the entity deleted older events, or --from was used);"
                  + " import needs a complete journal"
                  : "the export has a gap or a duplicate; check the source journal with verify"));
        }
        expected++;
        firstAt = firstAt == null ? row.writtenAt() : firstAt;
        lastAt = row.writtenAt();
        tags |= !row.tags().isEmpty();
        undecodable += line.has("error") ? 1 : 0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    if (persistenceId == null) {
      throw new JournalException(file + " holds no events");
    }
    return new ExportSummary(file, persistenceId, expected - 1, firstAt, lastAt, tags, undecodable);
  }

  private static JsonNode parseLine(Path file, long lineNumber, String text) {
    try {
      return EventJson.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new JournalException(file + " line " + lineNumber + ": not JSON (" + e.getOriginalMessage() + ")");
    }
  }

  private static void requireEmpty(JournalReader reader, String target) {
    long highest = reader.highestSeq(target, 1);
    long deletedTo = reader.deletedTo(target);
    int snapshots = reader.snapshots(target).size();
    if (highest > 0 || deletedTo > 0 || snapshots > 0) {
      throw new JournalException("Refusing to import into " + target + " in " + reader.session().where()
          + ": it is not empty (" + (highest > 0 ? "events up to seq " + highest : "no events")
          + (deletedTo > 0 ? ", deleted to seq " + deletedTo : "") + ", " + plural(snapshots, "snapshot")
          + "). Import writes only into an empty journal: choose another id with --as, or another --keyspace");
    }
  }

  private static void printPlan(PrintStream out, JournalReader reader, ExportSummary export, String target,
      boolean execute) {
    String keyspace = reader.session().keyspace();
    long lastPartition = reader.partitionFor(export.events());
    out.println(execute ? "Import plan:" : "Import plan (dry run: nothing is written without --execute):");
    out.println("  source  " + export.file() + ": " + plural(export.events(), "event") + " of "
        + export.persistenceId() + ", seq 1.." + export.events() + ", written " + export.firstAt() + " .. "
        + export.lastAt() + (export.undecodable() > 0 ? " (" + export.undecodable()
        + " not decodable by this inspector; their bytes are written as they are)" : ""));
    out.println("  target  " + target + " in " + reader.session().where() + ": empty (no events, deletions or"
        + " snapshots)");
    out.println("  writes  " + export.events() + " row(s) into " + keyspace + ".messages (partition_nr 0.."
        + lastPartition + " for target-partition-size " + reader.session().partitionSize()
        + "), with the exported seqs, journal times, writer ids and payloads");
    out.println("          1 row into " + keyspace + ".all_persistence_ids");
    if (export.tags()) {
      out.println("  note    the events carry tags; tag_views is not written, so eventsByTag queries will not"
          + " see them");
    }
    out.println("  then    the entity rebuilds its state from these events when a node next starts it");
  }

  private static long write(JournalReader reader, ExportSummary export, String target, PrintStream err) {
    Progress progress = new Progress(err);
    long written = 0;
    try (BufferedReader lines = Files.newBufferedReader(export.file(), StandardCharsets.UTF_8)) {
      long lineNumber = 0;
      for (String text = lines.readLine(); text != null; text = lines.readLine()) {
        lineNumber++;
        if (text.isBlank()) {
          continue;
        }
        JsonNode line = parseLine(export.file(), lineNumber, text);
        long seq = line.path("seq").asLong();
        reader.insert(EventJson.rowOf(line, target, reader.partitionFor(seq)));
        long n = ++written;
        progress.report(() -> n + " of " + export.events() + " events written");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + export.file(), e);
    }
    reader.registerPersistenceId(target);
    progress.done(written + " events written");
    return written;
  }
}
