package chat.cassandra.journal;

import static chat.cassandra.journal.JournalFixtures.ROOM;
import static chat.cassandra.journal.JournalFixtures.WRITER_A;
import static chat.cassandra.journal.JournalFixtures.WRITER_B;
import static chat.cassandra.journal.JournalFixtures.cleanRoom;
import static chat.cassandra.journal.JournalFixtures.created;
import static chat.cassandra.journal.JournalFixtures.joined;
import static chat.cassandra.journal.JournalFixtures.left;
import static chat.cassandra.journal.JournalFixtures.map;
import static chat.cassandra.journal.JournalFixtures.posted;
import static chat.cassandra.journal.JournalFixtures.roomSnapshot;
import static chat.cassandra.journal.JournalFixtures.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The verification rules on hand-made rows. */
class JournalVerifierTest {

  private static final String SESSION = "UserSession|alice";

  private static JournalVerifier.Report verify(String pid, long deletedTo, List<SnapshotRow> snapshots,
      List<JournalRow> rows) {
    JournalVerifier verifier = new JournalVerifier(pid, deletedTo, snapshots, 500_000, new PayloadDecoder(), 10);
    rows.forEach(verifier::accept);
    return verifier.finish();
  }

  private static JournalVerifier.Report verifyRoom(List<JournalRow> rows) {
    return verify(ROOM, 0, List.of(), rows);
  }

  private static List<String> rules(JournalVerifier.Report report) {
    return report.findings().stream().map(Finding::rule).distinct().sorted().collect(Collectors.toList());
  }

  private static Finding only(JournalVerifier.Report report, String rule) {
    List<Finding> matching = report.findings().stream().filter(f -> f.rule().equals(rule)).toList();
    assertEquals(1, matching.size(), report.findings().toString());
    return matching.get(0);
  }

  @Test
  void aCleanRoomPasses() {
    JournalVerifier.Report report = verifyRoom(cleanRoom(6));
    assertTrue(report.ok(), report.findings().toString());
    assertEquals(List.of(), report.findings());
    assertEquals(6, report.rows());
    assertEquals(1, report.firstSeq());
    assertEquals(6, report.lastSeq());
    assertEquals(1, report.writers());
  }

  @Test
  void aMissingEventIsAGap() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(6));
    rows.remove(2); // seq 3
    JournalVerifier.Report report = verifyRoom(rows);
    Finding gap = only(report, "gap");
    assertEquals(3, gap.seq());
    assertEquals("seq 3 is missing (seq 2 is followed by seq 4)", gap.message());
    assertEquals(List.of("gap"), rules(report));
  }

  @Test
  void aRoomMustStartAtSeqOne() {
    JournalVerifier.Report report = verifyRoom(cleanRoom(6).subList(2, 6));
    assertTrue(only(report, "gap").message().startsWith("seq 1..2 are missing (2 events): the journal starts at seq 3"),
        report.findings().toString());
  }

  @Test
  void aNewWriterAfterARestartIsFine() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(3));
    rows.add(posted(4, WRITER_B, "alice", "m-4"));
    rows.add(posted(5, WRITER_B, "bob", "m-5"));
    JournalVerifier.Report report = verifyRoom(rows);
    assertTrue(report.ok(), report.findings().toString());
    assertEquals(2, report.writers());
  }

  @Test
  void aWriterThatComesBackIsTheSplitBrainSignature() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(3));
    rows.add(posted(4, WRITER_B, "alice", "m-4"));
    rows.add(posted(5, WRITER_A, "bob", "m-5"));
    Finding interleaved = only(verifyRoom(rows), "interleaved-writers");
    assertEquals(5, interleaved.seq());
    assertTrue(interleaved.message().contains("writer " + WRITER_A + " wrote up to seq 3, then writer " + WRITER_B
        + " wrote seq 4..4, and now " + WRITER_A + " writes again at seq 5"), interleaved.message());
  }

  @Test
  void aSecondRowForASeqByAnotherWriter() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(5));
    rows.add(3, posted(3, WRITER_B, "alice", "other")); // sorts after the original seq 3 (later timestamp)
    JournalVerifier.Report report = verifyRoom(rows);
    assertEquals(List.of("duplicate-seq", "interleaved-writers"), rules(report));
    assertTrue(only(report, "duplicate-seq").message().startsWith("seq 3 is stored twice: by writer " + WRITER_A),
        report.findings().toString());
    assertEquals(4, only(report, "interleaved-writers").seq());
  }

  @Test
  void aRetriedSendStoredTwiceIsADuplicate() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(4));
    rows.add(posted(5, WRITER_A, "alice", "m-2"));   // alice's m-2 again
    rows.add(posted(6, WRITER_A, "bob", "m-2"));     // the same id from another sender is another message
    Finding duplicate = only(verifyRoom(rows), "duplicate-client-msg-id");
    assertEquals(5, duplicate.seq());
    assertTrue(duplicate.message().startsWith("clientMsgId 'm-2' of alice is stored at seq 2 and again at seq 5"),
        duplicate.message());
  }

  @Test
  void aRetryBeyondTheDedupWindowIsLegitimate() {
    List<JournalRow> rows = new ArrayList<>();
    rows.add(created(1, WRITER_A, "alice"));
    rows.add(posted(2, WRITER_A, "alice", "old"));
    for (int i = 0; i < RoomState.DEDUP_GUARANTEED; i++) {
      rows.add(posted(3 + i, WRITER_A, "alice", "n-" + i));
    }
    rows.add(posted(3 + RoomState.DEDUP_GUARANTEED, WRITER_A, "alice", "old"));
    JournalVerifier.Report report = verifyRoom(rows);
    assertTrue(report.ok(), report.findings().toString());
  }

  @Test
  void anUndecodableEventIsNamed() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(3));
    rows.add(row(ROOM, 0, 4, WRITER_A, 33, "chat.node.room.ChatRoom$MessagePosted", new byte[] {(byte) 0xff, 0x01}));
    Finding undecodable = only(verifyRoom(rows), "undecodable");
    assertEquals(4, undecodable.seq());
    assertTrue(undecodable.message().startsWith("MessagePosted (serializer 33, manifest"
        + " chat.node.room.ChatRoom$MessagePosted) cannot be decoded: not valid CBOR"), undecodable.message());
  }

  @Test
  void theRoomsOwnRules() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(2));
    rows.add(posted(3, WRITER_A, "mallory", "x"));
    rows.add(joined(4, WRITER_A, "bob"));
    rows.add(left(5, WRITER_A, "carol"));
    rows.add(created(6, WRITER_A, "alice"));
    List<String> messages = verifyRoom(rows).findings().stream().map(Finding::message).toList();
    assertEquals(List.of("message from mallory, who is not a member", "bob joins but is already a member (since seq 1)",
        "carol leaves but is not a member", "the room is created a second time"), messages);
  }

  @Test
  void aRoomsEventsAreNeverDeleted() {
    JournalVerifier.Report report = verify(ROOM, 2, List.of(), cleanRoom(4));
    assertEquals(List.of("room-events-deleted"), rules(report));
  }

  @Test
  void aConsistentRoomSnapshotPasses() {
    JournalVerifier.Report report = verify(ROOM, 0, List.of(roomSnapshot(4)), cleanRoom(6));
    assertTrue(report.ok(), report.findings().toString());
    assertEquals(1, report.snapshots());
  }

  @Test
  void aRoomSnapshotThatDisagreesWithTheEvents() {
    List<JournalRow> rows = new ArrayList<>(cleanRoom(4));
    rows.add(2, joined(3, WRITER_A, "carol")); // the snapshot below does not know carol
    rows.remove(3);
    Finding mismatch = only(verify(ROOM, 0, List.of(roomSnapshot(3)), rows), "snapshot-mismatch");
    assertEquals(3, mismatch.seq());
    assertTrue(mismatch.message().contains("members is {alice=1, bob=1} in the snapshot but {alice=1, bob=1, carol=3}"
        + " from the events"), mismatch.message());
    assertTrue(mismatch.message().contains("dedup window: 1 entry does not match the journal, e.g. 'bob/m-3' → seq 3,"
        + " which is not among the room's recent messages"), mismatch.message());
  }

  @Test
  void aSnapshotAheadOfTheJournal() {
    assertEquals(List.of("snapshot-ahead"), rules(verify(ROOM, 0, List.of(roomSnapshot(9)), cleanRoom(4))));
  }

  @Test
  void aSessionJournalStartsAfterItsDeletions() {
    List<JournalRow> rows = new ArrayList<>();
    for (long seq = 101; seq <= 105; seq++) {
      rows.add(row(SESSION, seq, WRITER_A, "chat.node.user.UserSession$DeviceRegistered", map("deviceId", "d", "at", seq)));
    }
    SnapshotRow snapshot = new SnapshotRow(SESSION, 200, Instant.now(), 33,
        "chat.node.user.UserSession$State", JournalFixtures.cbor(map("rooms", map())));
    SnapshotRow covering = new SnapshotRow(SESSION, 100, snapshot.takenAt(), 33, snapshot.serManifest(), snapshot.data());
    assertTrue(verify(SESSION, 100, List.of(covering), rows).ok());
    assertEquals(List.of("gap"), rules(verify(SESSION, 98, List.of(covering), rows)));
    JournalVerifier.Report uncovered = verify(SESSION, 100, List.of(), rows);
    assertEquals("events up to seq 100 are deleted, but there is no snapshot: recovery loses events 1..100",
        only(uncovered, "snapshot-behind-deletion").message());
    assertEquals(List.of("snapshot-ahead"), rules(verify(SESSION, 100, List.of(covering, snapshot), rows)));
  }

  @Test
  void rowsOutsideTheirPartitionAreReportedOnce() {
    List<JournalRow> rows = new ArrayList<>();
    for (JournalRow r : cleanRoom(12)) {
      rows.add(new JournalRow(r.persistenceId(), 0, r.sequenceNr(), r.timestamp(), r.timebucket(), r.writerUuid(),
          r.serId(), r.serManifest(), r.eventManifest(), r.event(), null, null, null, r.tags()));
    }
    JournalVerifier verifier = new JournalVerifier(ROOM, 0, List.of(), 5, new PayloadDecoder(), 10);
    rows.forEach(verifier::accept);
    Finding wrong = only(verifier.finish(), "wrong-partition");
    // a row may sit one partition higher (an atomic write across the boundary), never lower
    assertTrue(wrong.message().startsWith("7 event(s) are not in the partition the journal plugin looks in, e.g. seq 6"
        + " is in partition_nr 0, expected 1 (or 2) for target-partition-size 5"), wrong.message());
  }

  @Test
  void findingsAreCountedBeyondThoseKept() {
    List<JournalRow> rows = new ArrayList<>();
    rows.add(created(1, WRITER_A, "alice"));
    for (int seq = 3; seq < 60; seq += 2) {
      rows.add(posted(seq, WRITER_A, "alice", "m-" + seq));
    }
    JournalVerifier.Report report = verifyRoom(rows);
    assertEquals(10, report.findings().size());
    assertEquals(29, report.findingCounts().get("gap"));
    assertEquals(29, report.errors());
  }
}
