package chat.cassandra.journal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks one journal's invariants from its rows, streamed in the order the journal is read (partition by
 * partition, then sequence_nr and timestamp). Pure: the rows, metadata and snapshots are handed in, so every
 * rule can be tested with hand-made rows.
 *
 * <p>Rules (their names appear in the output):
 * <ul>
 *   <li>{@code gap}, {@code duplicate-seq}, {@code out-of-order}: sequence numbers run from the first one the
 *       journal must still have (1 for a room, whose events are never deleted; {@code deleted_to + 1}
 *       otherwise) without holes, each exactly once.</li>
 *   <li>{@code interleaved-writers}: every incarnation of an entity writes with its own writer uuid; a restart
 *       legitimately hands over to a new one, but a writer that writes again after another one did means
 *       two live writers for one id: the split-brain signature.</li>
 *   <li>{@code undecodable}: every payload decodes ({@link PayloadDecoder}).</li>
 *   <li>{@code room-invariant}, {@code duplicate-client-msg-id}, {@code room-events-deleted}: what a room's
 *       timeline guarantees ({@link RoomState}).</li>
 *   <li>{@code snapshot-*}: snapshots decode, none is ahead of the journal, a room's equal the state rebuilt
 *       from its events, and no events were deleted that the newest snapshot does not cover.</li>
 *   <li>{@code wrong-partition}: each row is in the partition the plugin computes for it (or the next one,
 *       when an atomic write crossed a boundary); otherwise the plugin may not find it, or the inspector's
 *       {@code --partition-size} differs from the journal's {@code target-partition-size}.</li>
 * </ul>
 */
public final class JournalVerifier {

  /** The outcome for one journal; {@code findingCounts} counts every finding, {@code findings} keeps the first few per rule. */
  public record Report(String persistenceId, EntityKind kind, long rows, long firstSeq, long lastSeq, long deletedTo,
      int writers, int snapshots, List<Finding> findings, Map<String, Long> findingCounts, long errors,
      long warnings) {

    public boolean ok() {
      return errors == 0;
    }
  }

  private final String persistenceId;
  private final EntityKind kind;
  private final long deletedTo;
  private final long partitionSize;
  private final PayloadDecoder decoder;
  private final int keepPerRule;
  private final NavigableMap<Long, SnapshotRow> snapshots = new TreeMap<>();
  private final RoomState room;

  private final List<Finding> findings = new ArrayList<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private long errors;
  private long warnings;

  private long rows;
  private long firstSeq;
  private JournalRow previous;
  private String writer;
  private long writerFrom;
  /** Writers that handed over to another one; seeing one again is interleaving. Value: their last seq. */
  private final Map<String, Long> retiredWriters = new HashMap<>();
  private final Set<String> writers = new HashSet<>();
  private long wrongPartition;
  private JournalRow firstWrongPartition;

  /**
   * @param deletedTo     the journal's {@code metadata.deleted_to} (0 if none)
   * @param snapshots     the id's snapshots, any order
   * @param partitionSize the journal's {@code target-partition-size}
   * @param keepPerRule   how many findings of each rule to keep (all are counted)
   */
  public JournalVerifier(String persistenceId, long deletedTo, List<SnapshotRow> snapshots, long partitionSize,
      PayloadDecoder decoder, int keepPerRule) {
    this.persistenceId = persistenceId;
    this.kind = EntityKind.of(persistenceId);
    this.deletedTo = deletedTo;
    this.partitionSize = partitionSize;
    this.decoder = decoder;
    this.keepPerRule = keepPerRule;
    snapshots.forEach(s -> this.snapshots.put(s.sequenceNr(), s));
    this.room = kind == EntityKind.ROOM ? new RoomState(EntityKind.entityId(persistenceId)) : null;
    if (room != null && deletedTo > 0) {
      add(Finding.error("room-events-deleted", 0, "metadata.deleted_to is " + deletedTo
          + ": a room's events are never deleted (its journal is the timeline)"));
    }
  }

  /** The first seq this journal must still have: a room's timeline starts at 1, others after their deletions. */
  public long expectedFirstSeq() {
    return room != null ? 1 : deletedTo + 1;
  }

  /** Checks the next row (in read order) and returns it decoded. */
  public JournalEvent accept(JournalRow row) {
    rows++;
    long seq = row.sequenceNr();
    checkPartition(row);
    boolean repeated = checkSequence(row);
    checkWriter(row);
    JournalEvent event = JournalEvent.decode(row, decoder);
    if (!event.decoded()) {
      add(Finding.error("undecodable", seq, event.type() + " (serializer " + row.serId() + ", manifest "
          + row.serManifest() + ") cannot be decoded: " + event.error()));
    }
    if (room != null && !repeated) {
      room.apply(event).forEach(this::add);
      SnapshotRow snapshot = snapshots.get(seq);
      if (snapshot != null) {
        checkRoomSnapshot(snapshot);
      }
    }
    if (previous == null) {
      firstSeq = seq;
    }
    if (previous == null || seq > previous.sequenceNr()) {
      previous = row;
    }
    return event;
  }

  private void checkPartition(JournalRow row) {
    long expected = (row.sequenceNr() - 1) / partitionSize;
    if (row.partitionNr() != expected && row.partitionNr() != expected + 1) {
      if (wrongPartition++ == 0) {
        firstWrongPartition = row;
      }
    }
  }

  /** @return whether the row repeats a seq already seen (so that the room's fold skips it) */
  private boolean checkSequence(JournalRow row) {
    long seq = row.sequenceNr();
    if (previous == null) {
      long expected = expectedFirstSeq();
      if (seq > expected) {
        add(Finding.error("gap", expected, missing(expected, seq - 1) + ": the journal starts at seq " + seq
            + (room != null ? " (a room's journal starts at 1)"
                : deletedTo > 0 ? " but events are deleted only up to seq " + deletedTo : "")));
      }
      return false;
    }
    long last = previous.sequenceNr();
    if (seq == last) {
      add(Finding.error("duplicate-seq", seq, "seq " + seq + " is stored twice: by writer " + previous.writerUuid()
          + " at " + previous.writtenAt() + " and by writer " + row.writerUuid() + " at " + row.writtenAt()));
      return true;
    }
    if (seq < last) {
      add(Finding.error("out-of-order", seq, "seq " + seq + " (partition " + row.partitionNr()
          + ") is read after seq " + last + " (partition " + previous.partitionNr() + ")"));
      return true;
    }
    if (seq > last + 1) {
      add(Finding.error("gap", last + 1, missing(last + 1, seq - 1) + " (seq " + last + " is followed by seq "
          + seq + ")"));
    }
    return false;
  }

  private static String missing(long from, long to) {
    return from == to ? "seq " + from + " is missing" : "seq " + from + ".." + to + " are missing (" + (to - from + 1)
        + " events)";
  }

  private void checkWriter(JournalRow row) {
    String w = row.writerUuid();
    writers.add(w);
    if (writer == null) {
      writer = w;
      writerFrom = row.sequenceNr();
      return;
    }
    if (w.equals(writer)) {
      return;
    }
    Long lastOfReturning = retiredWriters.get(w);
    if (lastOfReturning != null) {
      add(Finding.error("interleaved-writers", row.sequenceNr(), "writer " + w + " wrote up to seq "
          + lastOfReturning + ", then writer " + writer + " wrote seq " + writerFrom + ".." + previousSeq()
          + ", and now " + w + " writes again at seq " + row.sequenceNr()
          + ": two writers for one persistence id (split-brain signature)"));
    }
    retiredWriters.put(writer, previousSeq());
    writer = w;
    writerFrom = row.sequenceNr();
  }

  private long previousSeq() {
    return previous == null ? 0 : previous.sequenceNr();
  }

  private void checkRoomSnapshot(SnapshotRow snapshot) {
    PayloadDecoder.Decoded decoded = decoder.decode(snapshot.serId(), snapshot.serManifest(), snapshot.data());
    if (decoded instanceof PayloadDecoder.Decoded.Ok ok) {
      List<String> differences = room.differencesFrom(ok.payload(),
          JournalEvent.typeName(snapshot.serManifest()), snapshot.sequenceNr());
      if (!differences.isEmpty()) {
        add(Finding.error("snapshot-mismatch", snapshot.sequenceNr(), "the snapshot differs from the state rebuilt"
            + " from events 1.." + snapshot.sequenceNr() + ": " + String.join("; ", differences)));
      }
    }
  }

  public Report finish() {
    if (rows == 0) {
      add(Finding.warning("empty", 0, "no events are stored"
          + (deletedTo > 0 ? " after seq " + deletedTo + " (deleted_to)" : "")));
    }
    if (wrongPartition > 0) {
      long expected = (firstWrongPartition.sequenceNr() - 1) / partitionSize;
      add(Finding.error("wrong-partition", firstWrongPartition.sequenceNr(), wrongPartition
          + " event(s) are not in the partition the journal plugin looks in, e.g. seq "
          + firstWrongPartition.sequenceNr() + " is in partition_nr " + firstWrongPartition.partitionNr()
          + ", expected " + expected + " (or " + (expected + 1) + ") for target-partition-size " + partitionSize
          + "; if the node uses another target-partition-size, pass it with --partition-size"));
    }
    checkSnapshots();
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(Comparator.comparingLong(Finding::seq));
    return new Report(persistenceId, kind, rows, rows == 0 ? 0 : firstSeq, previousSeq(), deletedTo,
        writers.size(), snapshots.size(), List.copyOf(sorted), Map.copyOf(counts), errors, warnings);
  }

  private void checkSnapshots() {
    long last = previousSeq();
    for (SnapshotRow snapshot : snapshots.values()) {
      PayloadDecoder.Decoded decoded = decoder.decode(snapshot.serId(), snapshot.serManifest(), snapshot.data());
      if (decoded instanceof PayloadDecoder.Decoded.Failed failed) {
        add(Finding.error("snapshot-undecodable", snapshot.sequenceNr(), "the snapshot (" + snapshot.serManifest()
            + ") cannot be decoded: " + failed.reason()));
      }
      if (snapshot.sequenceNr() > last) {
        add(Finding.error("snapshot-ahead", snapshot.sequenceNr(), "a snapshot is taken at seq "
            + snapshot.sequenceNr() + " but the journal ends at seq " + last));
      }
    }
    if (deletedTo > 0 && room == null) {
      long newest = snapshots.isEmpty() ? 0 : snapshots.lastKey();
      if (newest < deletedTo) {
        add(Finding.error("snapshot-behind-deletion", deletedTo, "events up to seq " + deletedTo + " are deleted, but "
            + (snapshots.isEmpty() ? "there is no snapshot" : "the newest snapshot is at seq " + newest)
            + ": recovery loses events " + (newest + 1) + ".." + deletedTo));
      }
    }
  }

  private void add(Finding finding) {
    long count = counts.merge(finding.rule(), 1L, Long::sum);
    if (finding.isError()) {
      errors++;
    } else {
      warnings++;
    }
    if (count <= keepPerRule) {
      findings.add(finding);
    }
  }
}
