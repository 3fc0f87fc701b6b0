package chat.cassandra.journal;

import chat.cassandra.CassandraCli;
import chat.cassandra.CliArgs;
import chat.cassandra.CliUsageException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code verify [<id>]}: checks journal invariants ({@link JournalVerifier}); exit 3 when any is broken. */
final class VerifyCommand extends JournalCommand {

  VerifyCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  public String name() {
    return "verify";
  }

  @Override
  public String summary() {
    return "check journal invariants (gaps, second writers, duplicates, snapshots); exit 3 on violations";
  }

  @Override
  String synopsis() {
    return "verify [<persistence-id | room id | user id>] [--type room|user|<EntityType>] [options]";
  }

  @Override
  String description() {
    return """
        Reads one journal, or every journal (of --type), and checks:
          gap, duplicate-seq, out-of-order  seqs run without holes from 1 (a room) or deleted_to + 1
          interleaved-writers               no writer writes again after another did (split brain)
          undecodable                       every payload decodes
          room-invariant                    created first and once; only members post or leave; DMs fixed
          duplicate-client-msg-id           no (sender, clientMsgId) stored twice within the dedup window
          room-events-deleted               a room's events are never deleted
          snapshot-*                        snapshots decode, are not ahead of the journal, cover deletions,
                                            and a room's equal the state rebuilt from its events
          wrong-partition                   each row is in the partition the journal plugin reads
        Prints one line per journal (OK or FAIL) with its problems, then a summary.
        Exit code: 0 all OK (warnings allowed), 3 violations found, 1 could not check.""";
  }

  @Override
  String optionsUsage() {
    return """
          --type <type>                with no id: only this entity type (room, user, or a type name)
          --max-findings <n>           findings printed per rule and journal (default 10; all are counted)
          --quiet                      print only journals with findings, and the summary
          --scan                       with no id: find ids by scanning partitions instead of all_persistence_ids
        """;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("type", "max-findings");
  }

  @Override
  Set<String> flagOptions() {
    return Set.of("quiet", "scan");
  }

  @Override
  List<String> positionals() {
    return List.of("persistence-id");
  }

  @Override
  Run parse(CliArgs args) {
    String input = args.positional(0).orElse(null);
    String type = EntityKind.typeFilter(args.value("type").orElse(null)).orElse(null);
    if (input != null && type != null) {
      throw new CliUsageException("Give either a persistence id or --type, not both");
    }
    int maxFindings = (int) Math.min(Integer.MAX_VALUE, positiveLong(args, "max-findings", 10));
    boolean quiet = args.flag("quiet");
    boolean scan = args.flag("scan");
    return (reader, out, err) -> {
      Progress progress = new Progress(err);
      Collection<String> ids = input != null
          ? List.of(Ids.resolve(reader, input, null))
          : reader.persistenceIds(type, scan, n -> progress.report(() -> n + " ids read"));
      if (ids.isEmpty()) {
        out.println("No journals" + (type != null ? " of " + type : "") + " in " + reader.session().where());
        return 0;
      }
      PayloadDecoder decoder = new PayloadDecoder();
      long failed = 0;
      long errors = 0;
      long warnings = 0;
      long events = 0;
      long done = 0;
      for (String id : ids) {
        JournalVerifier.Report report = verify(reader, id, decoder, maxFindings, progress);
        events += report.rows();
        errors += report.errors();
        warnings += report.warnings();
        failed += report.ok() ? 0 : 1;
        print(out, report, quiet);
        long checked = ++done;
        progress.report(() -> checked + " of " + ids.size() + " journals verified");
      }
      String scope = ids.size() == 1 ? "1 journal" : ids.size() + " journals" + (type != null ? " of " + type : "");
      String where = " (" + plural(events, "event") + ") in " + reader.session().where();
      if (failed == 0) {
        out.println("OK: verified " + scope + where + ": no violations"
            + (warnings > 0 ? ", " + plural(warnings, "warning") : ""));
        return 0;
      }
      out.println("FAILED: " + failed + " of " + scope + where + " violate invariants: " + plural(errors, "error")
          + (warnings > 0 ? ", " + plural(warnings, "warning") : ""));
      return CassandraCli.VIOLATIONS;
    };
  }

  /**
   * One journal. A live entity that deletes old events while the scan runs (a user session's snapshot) can make
   * rows vanish behind the deleted_to read at the start: such a journal is checked once more.
   */
  static JournalVerifier.Report verify(JournalReader reader, String id, PayloadDecoder decoder, int maxFindings,
      Progress progress) {
    JournalVerifier.Report report = verifyOnce(reader, id, decoder, maxFindings, progress);
    if (!report.ok() && report.kind() != EntityKind.ROOM && reader.deletedTo(id) != report.deletedTo()) {
      report = verifyOnce(reader, id, decoder, maxFindings, progress);
    }
    return report;
  }

  private static JournalVerifier.Report verifyOnce(JournalReader reader, String id, PayloadDecoder decoder,
      int maxFindings, Progress progress) {
    long deletedTo = reader.deletedTo(id);
    JournalVerifier verifier = new JournalVerifier(id, deletedTo, reader.snapshots(id),
        reader.session().partitionSize(), decoder, maxFindings);
    Iterator<JournalRow> rows = reader.rows(id, verifier.expectedFirstSeq(), Long.MAX_VALUE);
    long read = 0;
    while (rows.hasNext()) {
      JournalRow row = rows.next();
      verifier.accept(row);
      long n = ++read;
      progress.report(() -> id + ": " + n + " events checked (at seq " + row.sequenceNr() + ")");
    }
    return verifier.finish();
  }

  private static void print(PrintStream out, JournalVerifier.Report r, boolean quiet) {
    if (quiet && r.findings().isEmpty()) {
      return;
    }
    out.println((r.ok() ? "OK   " : "FAIL ") + r.persistenceId() + ": " + plural(r.rows(), "event")
        + (r.rows() > 0 ? " (seq " + r.firstSeq() + ".." + r.lastSeq() + ")" : "")
        + (r.deletedTo() > 0 ? ", deleted to seq " + r.deletedTo() : "")
        + ", " + plural(r.writers(), "writer") + ", " + plural(r.snapshots(), "snapshot")
        + (r.ok() ? "" : ": " + plural(r.errors(), "error")));
    for (Finding f : r.findings()) {
      out.println("  " + f);
    }
    r.findingCounts().forEach((rule, count) -> {
      long shown = r.findings().stream().filter(f -> f.rule().equals(rule)).count();
      if (count > shown) {
        out.println("  ... and " + (count - shown) + " more " + rule + " findings");
      }
    });
  }
}
