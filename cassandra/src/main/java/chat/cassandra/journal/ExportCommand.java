package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import chat.cassandra.CliUsageException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code export <id>}: a journal as JSON lines that carry both the decoded payload (for people and downstream
 * consumers: {@code export --from <seq>} re-drives them from a seq) and every stored column (for
 * {@code import}, which writes the rows back exactly).
 */
final class ExportCommand extends JournalCommand {

  private final Clock clock;

  ExportCommand(Map<String, String> env, Clock clock) {
    super(env);
    this.clock = clock;
  }

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "export one journal as JSON lines (decoded and raw), for replay or re-import";
  }

  @Override
  String synopsis() {
    return "export <persistence-id | room id | user id> [--from <seq|time>] [--to <seq|time>] [--output <file>] [options]";
  }

  @Override
  String description() {
    return """
        Writes one JSON line per event: what 'events' prints (persistenceId, seq, timestamp, type, writer,
        payload) plus the stored columns (timeuuid, timebucket, serId, serManifest, eventManifest, tags, event
        as base64, metadata), so that 'import' can write the journal again, e.g. to rebuild a room elsewhere.
        To re-drive a downstream consumer from a seq, pipe 'export <id> --from <seq>' into it (each line's
        "payload" is the event) and continue live with 'tail <id> --from <next seq>'.""";
  }

  @Override
  String optionsUsage() {
    return """
          --from <seq|time>            first event (inclusive)
          --to <seq|time>              last event (inclusive)
          --output <file>              write to this new file instead of stdout (never overwrites)
          --zone <zone>                time zone of times without an offset (default: this machine's)
        """ + RangeBound.HELP;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("from", "to", "output", "zone");
  }

  @Override
  List<String> positionals() {
    return List.of("persistence-id");
  }

  @Override
  Run parse(CliArgs args) {
    String input = args.requiredPositional(0, "persistence id (e.g. 'ChatRoom|g:abc', or just g:abc)");
    EventRange range = EventRange.parse(args, clock);
    Path output = args.value("output").map(Path::of).orElse(null);
    if (output != null && Files.exists(output)) {
      throw new CliUsageException("--output " + output + " exists; export never overwrites a file");
    }
    return (reader, out, err) -> {
      String id = Ids.resolve(reader, input, null);
      if (output == null) {
        return export(reader, id, range, new PrintWriterOnStream(out), err, "stdout");
      }
      // written aside and moved into place only when complete: a failed export leaves no file to import
      Path partial = output.resolveSibling(output.getFileName() + ".partial");
      try {
        int code;
        try (Writer file = Files.newBufferedWriter(partial, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
          code = export(reader, id, range, file, err, output.toString());
        }
        Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE);
        return code;
      } finally {
        Files.deleteIfExists(partial);
      }
    };
  }

  private static int export(JournalReader reader, String id, EventRange range, Writer to, PrintStream err,
      String target) throws IOException {
    long deletedTo = reader.deletedTo(id);
    if (deletedTo > 0) {
      err.println("Note: events up to seq " + deletedTo + " of " + id + " were deleted (metadata.deleted_to): the"
          + " export starts after them and can be replayed, but not imported as a complete journal");
    }
    PayloadDecoder decoder = new PayloadDecoder();
    Progress progress = new Progress(err);
    long written = 0;
    long undecodable = 0;
    long first = 0;
    long last = 0;
    Iterator<JournalRow> rows = reader.rows(id, Math.max(range.fromSeq(), deletedTo + 1), range.toSeq());
    BufferedWriter lines = to instanceof BufferedWriter b ? b : new BufferedWriter(to);
    while (rows.hasNext()) {
      JournalRow row = rows.next();
      if (!range.includes(row)) {
        continue;
      }
      JournalEvent event = JournalEvent.decode(row, decoder);
      lines.write(EventJson.write(EventJson.exportLine(event)));
      lines.write('\n');
      undecodable += event.decoded() ? 0 : 1;
      first = written++ == 0 ? row.sequenceNr() : first;
      last = row.sequenceNr();
      long n = written;
      progress.report(() -> n + " events exported (at seq " + row.sequenceNr() + ")");
    }
    lines.flush();
    progress.done(written + " events exported");
    err.println("Exported " + plural(written, "event") + (written > 0 ? " (seq " + first + ".." + last + ")" : "")
        + " of " + id + " to " + target
        + (undecodable > 0 ? "; " + undecodable + " cannot be decoded (raw bytes kept, see \"error\")" : ""));
    return 0;
  }

  /** Lines to the command's out stream, which stays open: it is not ours to close. */
  private static final class PrintWriterOnStream extends Writer {
    private final PrintStream out;

    PrintWriterOnStream(PrintStream out) {
      this.out = out;
    }

    @Override
    public void write(char[] chars, int offset, int length) {
      out.print(new String(chars, offset, length));
    }

    @Override
    public void flush() {
      out.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}
