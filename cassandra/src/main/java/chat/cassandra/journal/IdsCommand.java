package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;

/** {@code ids}: the persistence ids in the keyspace, by entity type, with how many events each stores. */
final class IdsCommand extends JournalCommand {

  IdsCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  public String name() {
    return "ids";
  }

  @Override
  public String summary() {
    return "list persistence ids (rooms, user sessions) with their event counts";
  }

  @Override
  String synopsis() {
    return "ids [--type room|user|<EntityType>] [options]";
  }

  @Override
  String description() {
    return """
        Lists the journal's persistence ids (from all_persistence_ids), sorted, each with the number of events
        stored after its deleted_to, their seq range, and deleted_to; then a total per entity type.""";
  }

  @Override
  String optionsUsage() {
    return """
          --type <type>                only this entity type: room, user (session), or a type name such as ChatRoom
          --no-counts                  only the ids: one query in all instead of a few per id
          --scan                       find ids by scanning the journal's partitions instead of all_persistence_ids
          --json                       one JSON object per id
        """;
  }

  @Override
  Set<String> valueOptions() {
    return Set.of("type");
  }

  @Override
  Set<String> flagOptions() {
    return Set.of("no-counts", "scan", "json");
  }

  @Override
  Run parse(CliArgs args) {
    String type = EntityKind.typeFilter(args.value("type").orElse(null)).orElse(null);
    boolean counts = !args.flag("no-counts");
    boolean scan = args.flag("scan");
    boolean json = args.flag("json");
    return (reader, out, err) -> {
      Progress progress = new Progress(err);
      SortedSet<String> ids = reader.persistenceIds(type, scan, n -> progress.report(() -> n + " ids read"));
      if (ids.isEmpty()) {
        err.println("No persistence ids" + (type != null ? " of type " + type : "") + " in " + reader.session().where());
        return 0;
      }
      int width = Math.max("persistence id".length(), ids.stream().mapToInt(String::length).max().orElse(0));
      if (!json) {
        out.println(counts
            ? String.format("%-" + width + "s  %10s  %-23s  %s", "persistence id", "events", "seqs", "deleted_to")
            : "persistence id");
      }
      Map<String, long[]> perType = new TreeMap<>(); // type → {ids, events}
      long done = 0;
      for (String id : ids) {
        long[] total = perType.computeIfAbsent(EntityKind.entityType(id), t -> new long[2]);
        total[0]++;
        if (!counts) {
          out.println(json ? EventJson.write(EventJson.MAPPER.createObjectNode().put("persistenceId", id)) : id);
        } else {
          JournalReader.IdSummary s = reader.summary(id);
          total[1] += s.events();
          out.println(json ? EventJson.write(jsonOf(s)) : String.format("%-" + width + "s  %10d  %-23s  %s", id,
              s.events(), s.events() == 0 ? "-" : s.firstSeq() + ".." + s.lastSeq(),
              s.deletedTo() > 0 ? s.deletedTo() : ""));
        }
        long counted = ++done;
        progress.report(() -> counted + " of " + ids.size() + " ids");
      }
      progress.done(ids.size() + " ids");
      StringBuilder totals = new StringBuilder();
      perType.forEach((t, total) -> totals.append(t.isEmpty() ? "(no type)" : t).append(": ")
          .append(plural(total[0], "id")).append(counts ? ", " + plural(total[1], "event") : "").append('\n'));
      totals.append(plural(ids.size(), "id")).append(" in ").append(reader.session().where()).append('\n');
      (json ? err : out).print(totals);
      return 0;
    };
  }

  private static ObjectNode jsonOf(JournalReader.IdSummary s) {
    ObjectNode node = EventJson.MAPPER.createObjectNode();
    node.put("persistenceId", s.persistenceId());
    node.put("entityType", EntityKind.entityType(s.persistenceId()));
    node.put("events", s.events());
    node.put("firstSeq", s.firstSeq());
    node.put("lastSeq", s.lastSeq());
    node.put("deletedTo", s.deletedTo());
    return node;
  }
}
