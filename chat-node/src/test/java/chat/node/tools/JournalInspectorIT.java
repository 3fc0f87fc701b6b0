package chat.node.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.CassandraCli;
import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.RoomRole;
import chat.protocol.TimelineItem;
import chat.protocol.Visibility;
import chat.protocol.client.ChatClient;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event-journal inspector (cassandra module, {@code CassandraCli}) against journals written by a real node
 * into a real Cassandra, run in-process as an operator would run it. The node uses a target-partition-size of
 * 4, so that these short journals span many partitions, as long ones do with the default 500,000, and
 * snapshots rooms every 5 events, so that verify compares real room snapshots with their events.
 *
 * <p>Ordered: the clean journals are checked (also {@code verify} over every journal of the run) before the
 * later tests corrupt rooms of their own by hand.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalInspectorIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int PARTITION_SIZE = 4;
  private static final int ROOM_SNAPSHOT_EVERY = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestCassandra cassandra;
  private static TestNode node;
  /** A group room: created by alice with bob; three messages; carol added; carol posts; bob leaves; alice posts. */
  private static String friends;
  private static String dm;
  /**
   * A private room run by roles: alice creates it with bob and carol, makes bob admin, renames it, hands it
   * to bob, posts (the snapshot at seq 5 carries the roles), and bob deletes it.
   */
  private static String staff;
  /** After friends' seq 4 was stored and before seq 5 (carol added). */
  private static Instant beforeCarol;

  @TempDir
  static Path dir;

  /** What one CLI run printed. */
  record Result(int code, String out, String err) {
    List<JsonNode> jsonLines() {
      return out.lines().map(line -> {
        try {
          return JSON.readTree(line);
        } catch (IOException e) {
          throw new AssertionError("not a JSON line: " + line, e);
        }
      }).toList();
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  @BeforeAll
  static void writeJournalsWithARealNode(TestCassandra testCassandra) throws Exception {
    cassandra = testCassandra;
    node = TestNode.start(cassandra, Map.of("pekko.persistence.cassandra.journal.target-partition-size", PARTITION_SIZE,
        "chat.room.snapshot-every", ROOM_SNAPSHOT_EVERY));
    try (ChatClient alice = node.login("alice"); ChatClient bob = node.login("bob");
        ChatClient carol = node.login("carol")) {
      friends = Await.result(alice.createRoom(null, "Friends", List.of("bob"), Visibility.PUBLIC)).room().roomId();
      Await.result(alice.send(friends, "a-1", "hello"));
      Await.result(bob.send(friends, "b-1", "hi alice"));
      Await.result(alice.send(friends, "a-2", "how are you?"));
      beforeCarol = Instant.now();
      Thread.sleep(50); // journal times have millisecond precision
      Await.result(alice.addMember(friends, "carol"));
      Await.result(carol.send(friends, "c-1", "hi all"));
      Await.result(bob.leave(friends));
      Await.result(alice.send(friends, "a-3", "bye bob"));

      dm = Await.result(alice.openDm("bob")).room().roomId();
      Await.result(bob.send(dm, "d-1", "psst"));

      staff = Await.result(alice.createRoom(null, "Staff", List.of("bob", "carol"), Visibility.PRIVATE)).room().roomId();
      Await.result(alice.setRole(staff, "bob", RoomRole.ADMIN));
      Await.result(bob.renameRoom(staff, "Staff room"));
      Await.result(alice.setRole(staff, "bob", RoomRole.OWNER));
      Await.result(carol.send(staff, "c-1", "congrats bob"));
      Await.result(bob.deleteRoom(staff));
    }
    joinAndLeaveUntilTheSessionDeletesEvents();
  }

  /**
   * A user session snapshots every 100 events and deletes those older than two snapshots, so its journal
   * legitimately starts after seq 1: join and leave a public room until that happened (each records the
   * membership in the session).
   */
  private static void joinAndLeaveUntilTheSessionDeletesEvents() throws Exception {
    try (ChatClient owner = node.login("hall-owner"); ChatClient visitor = node.login("visitor");
        CqlSession cql = cassandra.newSession()) {
      String hall = Await.result(owner.createRoom(null, "Hall", List.of(), Visibility.PUBLIC)).room().roomId();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int cycle = 1; deletedTo(cql, "UserSession|visitor") == 0; cycle++) {
        assertTrue(System.nanoTime() < deadline, "the session deleted no events after " + cycle + " cycles");
        Await.result(visitor.join(hall));
        Await.result(visitor.leave(hall));
        if (cycle >= 150) {
          Thread.sleep(100); // enough events: wait for the snapshot and the deletion after it
        }
      }
    }
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static long deletedTo(CqlSession cql, String persistenceId) {
    Row row = cql.execute("SELECT deleted_to FROM metadata WHERE persistence_id = ?", persistenceId).one();
    return row == null ? 0 : row.getLong("deleted_to");
  }

  /** The given arguments, then this test's Cassandra, keyspace and partition size. */
  private static String[] withConnection(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--contact-point", cassandra.host() + ":" + cassandra.port(), "--keyspace", cassandra.keyspace(),
        "--datacenter", cassandra.localDatacenter(), "--partition-size", String.valueOf(PARTITION_SIZE)));
    return all.toArray(String[]::new);
  }

  private static Result cli(String... args) {
    return cliAsIs(withConnection(args));
  }

  private static Result cliAsIs(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new CassandraCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String room(String roomId) {
    return "ChatRoom|" + roomId;
  }

  private static List<Long> seqs(List<JsonNode> lines) {
    return lines.stream().map(l -> l.get("seq").asLong()).toList();
  }

  // ------------------------------------------------------------------ a clean run's journals

  @Test
  @Order(1)
  void eventsPrintsTheRoomsTimelineAsJsonLines() {
    Result all = cli("events", room(friends));
    assertEquals(0, all.code(), all.toString());
    List<JsonNode> lines = all.jsonLines();
    assertEquals(LongStream.rangeClosed(1, 8).boxed().toList(), seqs(lines), all.toString());
    assertEquals(List.of("RoomCreated", "MessagePosted", "MessagePosted", "MessagePosted", "MemberJoined",
        "MessagePosted", "MemberLeft", "MessagePosted"), lines.stream().map(l -> l.get("type").asText()).toList());
    JsonNode created = lines.get(0);
    assertEquals(room(friends), created.get("persistenceId").asText());
    assertEquals("room-created", created.at("/payload/type").asText());
    assertEquals("Friends", created.at("/payload/name").asText());
    assertEquals("[\"alice\",\"bob\"]", created.at("/payload/members").toString());
    JsonNode hello = lines.get(1).get("payload");
    assertEquals("alice", hello.get("sender").asText());
    assertEquals("a-1", hello.get("clientMsgId").asText());
    assertEquals("hello", hello.get("body").asText());
    Instant written = Instant.parse(lines.get(1).get("timestamp").asText());
    assertTrue(written.toEpochMilli() - hello.get("ts").asLong() < 5_000, "journal time close to the event's ts");
    assertFalse(lines.get(1).get("writer").asText().isBlank());
    assertTrue(all.err().contains("8 events of " + room(friends) + " (seq 1..8)"), all.err());

    // by seq, by time, by the bare room id, with a limit
    assertEquals(List.of(2L, 3L, 4L), seqs(cli("events", room(friends), "--from", "2", "--to", "4").jsonLines()));
    assertEquals(List.of(1L, 2L, 3L, 4L), seqs(cli("events", friends, "--to", beforeCarol.toString()).jsonLines()));
    assertEquals(List.of(5L, 6L, 7L, 8L), seqs(cli("events", friends, "--from", beforeCarol.toString()).jsonLines()));
    assertEquals(List.of(6L, 7L), seqs(cli("events", friends, "--from", "6", "--limit", "2").jsonLines()));
  }

  @Test
  @Order(2)
  void roomShowsTheTimelineAndMembershipAsOfATime() throws IOException {
    Result then = cli("room", friends, "--as-of", beforeCarol.toString());
    assertEquals(0, then.code(), then.toString());
    String text = then.out();
    assertTrue(text.startsWith("Room " + friends + " (" + room(friends) + ") as of " + beforeCarol), text);
    assertTrue(text.contains("GROUP \"Friends\", PUBLIC, created by alice"), text);
    assertTrue(text.contains("Last seq 4, written "), text);
    assertTrue(text.contains("; 4 later events not included"), text);
    assertTrue(text.contains("Members (2):\n  alice  since seq 1\n  bob    since seq 1\n"), text);
    assertTrue(text.contains("Timeline (4):"), text);
    assertTrue(text.contains("  2  ") && text.contains("alice: \"hello\" [a-1]"), text);
    assertTrue(text.contains("bob: \"hi alice\" [b-1]"), text);
    assertFalse(text.contains("carol"), text);

    String now = cli("room", friends).out();
    assertTrue(now.contains("Members (2):\n  alice  since seq 1\n  carol  since seq 5\n"), now);
    assertTrue(now.contains("carol added by alice") && now.contains("bob left") && now.contains("bye bob"), now);
    assertTrue(now.contains("; nothing later"), now);

    JsonNode atSix = JSON.readTree(cli("room", room(friends), "--as-of", "6", "--json").out());
    assertEquals(6, atSix.get("lastSeq").asLong());
    assertEquals("{\"alice\":1,\"bob\":1,\"carol\":5}", atSix.get("members").toString());
    assertEquals(6, atSix.get("timeline").size());
    assertEquals("hi all", atSix.at("/timeline/5/payload/body").asText());
  }

  @Test
  @Order(2)
  void roomShowsRolesRenamesAndTheDeletion() throws IOException {
    Result beforeDeletion = cli("room", staff, "--as-of", "5");
    assertEquals(0, beforeDeletion.code(), beforeDeletion.toString());
    String text = beforeDeletion.out();
    assertTrue(text.contains("GROUP \"Staff room\", PRIVATE, created by alice"), text);
    assertTrue(text.contains("Owner bob, admins alice\n"), text);
    assertTrue(text.contains("bob made admin by alice") && text.contains("renamed to \"Staff room\" by bob")
        && text.contains("bob made owner by alice"), text);
    assertFalse(text.contains("Deleted by"), text);

    JsonNode now = JSON.readTree(cli("room", staff, "--json").out());
    assertEquals("bob", now.get("deletedBy").asText());
    assertEquals("bob", now.get("owner").asText());
    assertEquals("[\"alice\"]", now.get("admins").toString());
    assertTrue(cli("room", staff).out().contains("deleted by bob"));

    // the snapshot at seq 5 (roles included) agrees with the events, and nothing follows the deletion
    Result verified = cli("verify", room(staff));
    assertEquals(0, verified.code(), verified.toString());
    assertTrue(verified.out().startsWith("OK   " + room(staff) + ": 6 events (seq 1..6), 1 writer, 1 snapshot\n"),
        verified.toString());
  }

  @Test
  @Order(3)
  void idsListsRoomsAndSessionsWithCounts() {
    Result rooms = cli("ids", "--type", "room");
    assertEquals(0, rooms.code(), rooms.toString());
    assertTrue(rooms.out().lines().anyMatch(l -> l.matches("\\Q" + room(friends) + "\\E\\s+8\\s+1\\.\\.8\\s*")),
        rooms.toString());
    assertTrue(rooms.out().lines().anyMatch(l -> l.matches("\\Q" + room(dm) + "\\E\\s+2\\s+1\\.\\.2\\s*")),
        rooms.toString());
    assertTrue(rooms.out().contains("ChatRoom: 4 ids, "), rooms.toString());
    assertFalse(rooms.out().contains("UserSession|"), rooms.toString());

    List<JsonNode> sessions = cli("ids", "--type", "user", "--json").jsonLines();
    assertTrue(sessions.stream().allMatch(s -> s.get("entityType").asText().equals("UserSession")), sessions.toString());
    JsonNode visitor = sessions.stream().filter(s -> s.get("persistenceId").asText().equals("UserSession|visitor"))
        .findFirst().orElseThrow();
    assertTrue(visitor.get("deletedTo").asLong() > 0, visitor.toString());
    assertEquals(visitor.get("deletedTo").asLong() + 1, visitor.get("firstSeq").asLong(), visitor.toString());
    assertEquals(visitor.get("lastSeq").asLong() - visitor.get("deletedTo").asLong(), visitor.get("events").asLong());
  }

  @Test
  @Order(4)
  void verifyPassesOnEveryJournalOfTheRun() {
    Result one = cli("verify", room(friends));
    assertEquals(0, one.code(), one.toString());
    assertTrue(one.out().startsWith("OK   " + room(friends) + ": 8 events (seq 1..8), 1 writer, 1 snapshot\n"),
        one.toString());
    assertTrue(one.out().contains("OK: verified 1 journal (8 events)"), one.toString());

    // rooms (with snapshots), user sessions (one starts after its deleted events) and the hall's long timeline
    Result all = cli("verify");
    assertEquals(0, all.code(), all.toString());
    assertTrue(all.out().contains("OK   UserSession|visitor: "), all.toString());
    assertTrue(all.out().contains(", deleted to seq "), all.toString());
    assertFalse(all.out().contains("FAIL"), all.toString());
    assertTrue(all.out().contains("OK: verified "), all.toString());

    // the session's events show where they start
    Result session = cli("events", "visitor");
    assertEquals(0, session.code(), session.toString());
    assertTrue(session.err().startsWith("Note: events up to seq "), session.toString());
    assertTrue(session.jsonLines().stream().anyMatch(l -> l.get("type").asText().equals("MembershipRecorded")));
  }

  @Test
  @Order(5)
  void theNodesConfigFileIsEnoughToConnect() throws IOException {
    Path config = dir.resolve("node.conf");
    Files.writeString(config, """
        chat.cassandra.keyspace = "%s"
        datastax-java-driver.basic.contact-points = ["%s:%d"]
        datastax-java-driver.basic.load-balancing-policy.local-datacenter = "%s"
        pekko.persistence.cassandra.journal.target-partition-size = %d
        """.formatted(cassandra.keyspace(), cassandra.host(), cassandra.port(), cassandra.localDatacenter(),
        PARTITION_SIZE));
    Result events = cliAsIs("events", room(dm), "--config", config.toString());
    assertEquals(0, events.code(), events.toString());
    assertEquals(List.of(1L, 2L), seqs(events.jsonLines()));
  }

  @Test
  @Order(6)
  void exportThenImportRebuildsTheRoomUnderANewId() throws IOException {
    Path export = dir.resolve("friends.jsonl");
    Result exported = cli("export", friends, "--output", export.toString());
    assertEquals(0, exported.code(), exported.toString());
    assertTrue(exported.err().contains("Exported 8 events (seq 1..8) of " + room(friends)), exported.toString());
    List<String> lines = Files.readAllLines(export);
    assertEquals(8, lines.size());
    assertEquals("hello", JSON.readTree(lines.get(1)).at("/payload/body").asText());

    String restored = "g:restored-" + UUID.randomUUID().toString().substring(0, 8);
    Result dryRun = cli("import", export.toString(), "--as", room(restored));
    assertEquals(0, dryRun.code(), dryRun.toString());
    assertTrue(dryRun.out().startsWith("Import plan (dry run: nothing is written without --execute):"), dryRun.toString());
    assertTrue(dryRun.out().contains("8 events of " + room(friends) + ", seq 1..8"), dryRun.toString());
    assertTrue(dryRun.out().contains("8 row(s) into " + cassandra.keyspace() + ".messages (partition_nr 0..1"),
        dryRun.toString());
    assertTrue(dryRun.out().contains("Dry run: nothing was written. Re-run with --execute to write."), dryRun.toString());
    try (CqlSession cql = cassandra.newSession()) {
      assertNull(cql.execute("SELECT sequence_nr FROM messages WHERE persistence_id = ? AND partition_nr = 0",
          room(restored)).one(), "the dry run wrote nothing");
    }

    Result imported = cli("import", export.toString(), "--as", room(restored), "--execute");
    assertEquals(0, imported.code(), imported.toString());
    assertTrue(imported.out().contains("Wrote 8 events into " + room(restored)), imported.toString());
    assertEquals(0, cli("verify", room(restored)).code());
    List<JsonNode> original = cli("events", friends).jsonLines();
    List<JsonNode> copy = cli("events", restored).jsonLines();
    assertEquals(original.stream().map(l -> l.get("payload")).toList(), copy.stream().map(l -> l.get("payload")).toList());

    // the node rebuilds the room from the imported events: alice, a member at the end, reads its history
    try (ChatClient alice = node.login("alice")) {
      AckResult.HistoryPage page = Await.result(alice.history(restored, null, null, 50));
      assertEquals(LongStream.rangeClosed(1, 8).boxed().toList(), page.items().stream().map(TimelineItem::seq).toList());
      assertEquals("bye bob", ((TimelineItem.Message) page.items().get(7)).body());
    }

    Result again = cli("import", export.toString(), "--as", room(restored));
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("Refusing to import into " + room(restored)) && again.err().contains("not empty"),
        again.toString());
  }

  @Test
  @Order(7)
  void tailPrintsANewMessageWithinAPoll() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CassandraCli cli = new CassandraCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] args = withConnection("tail", friends, "--interval", "200ms", "--limit", "1", "--duration", "30s");
    CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> cli.run(args));
    awaitText(err, "Following " + room(friends) + " after seq ");

    try (ChatClient carol = node.login("carol")) {
      long seq = Await.result(carol.send(friends, "c-live", "live one")).seq();
      assertEquals(0, tail.get(20, TimeUnit.SECONDS));
      JsonNode line = JSON.readTree(out.toString(StandardCharsets.UTF_8).strip());
      assertEquals(seq, line.get("seq").asLong());
      assertEquals("live one", line.at("/payload/body").asText());
    }

    // all rooms: a room created after the tail started is followed from its first event
    out.reset();
    err.reset();
    CompletableFuture<Integer> tailAll = CompletableFuture.supplyAsync(() -> cli.run(withConnection("tail", "--type",
        "room", "--interval", "200ms", "--limit", "1", "--duration", "30s")));
    awaitText(err, "Following ");
    try (ChatClient dave = node.login("dave")) {
      String fresh = Await.result(dave.createRoom(null, "Fresh", List.of(), null)).room().roomId();
      assertEquals(0, tailAll.get(20, TimeUnit.SECONDS));
      JsonNode line = JSON.readTree(out.toString(StandardCharsets.UTF_8).strip());
      assertEquals(room(fresh), line.get("persistenceId").asText());
      assertEquals("RoomCreated", line.get("type").asText());
    }
  }

  private static void awaitText(ByteArrayOutputStream stream, String text) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!stream.toString(StandardCharsets.UTF_8).contains(text)) {
      assertTrue(System.nanoTime() < deadline, "not printed: " + text + "; got " + stream.toString(StandardCharsets.UTF_8));
      Thread.sleep(20);
    }
  }

  @Test
  @Order(8)
  void helpfulErrors() {
    Result unknown = cli("events", "ChatRoom|g:no-such-room");
    assertEquals(1, unknown.code(), unknown.toString());
    assertTrue(unknown.err().startsWith("events failed: No journal for 'ChatRoom|g:no-such-room' in keyspace "
        + cassandra.keyspace()), unknown.toString());

    Result similar = cli("room", friends.substring(0, friends.length() - 2));
    assertEquals(1, similar.code(), similar.toString());
    assertTrue(similar.err().contains("similar ids: " + room(friends)), similar.toString());

    Result keyspace = cliAsIs("ids", "--contact-point", cassandra.host() + ":" + cassandra.port(),
        "--datacenter", cassandra.localDatacenter(), "--keyspace", "no_such_keyspace");
    assertEquals(1, keyspace.code(), keyspace.toString());
    assertTrue(keyspace.err().startsWith("ids failed: Keyspace 'no_such_keyspace' does not exist at " + cassandra.host()),
        keyspace.toString());
    assertTrue(keyspace.err().contains("keyspaces with a journal: ") && keyspace.err().contains(cassandra.keyspace()),
        keyspace.toString());

    Result datacenter = cliAsIs("ids", "--contact-point", cassandra.host() + ":" + cassandra.port(),
        "--keyspace", cassandra.keyspace(), "--datacenter", "dc-elsewhere");
    assertEquals(1, datacenter.code(), datacenter.toString());
    assertTrue(datacenter.err().contains("is in local datacenter 'dc-elsewhere'; the cluster's datacenters are ["
        + cassandra.localDatacenter() + "]"), datacenter.toString());
  }

  // ------------------------------------------------------------------ journals corrupted by hand

  /** A room of its own: created by alice, then messages up to seq {@code lastSeq} (a snapshot every 5). */
  private static String roomWithMessages(String name, int lastSeq) {
    try (ChatClient alice = node.login("alice")) {
      String roomId = Await.result(alice.createRoom(null, name, List.of(), null)).room().roomId();
      for (int seq = 2; seq <= lastSeq; seq++) {
        Await.result(alice.send(roomId, name + "-" + seq, "message " + seq));
      }
      assertEquals(0, cli("verify", room(roomId)).code(), "clean before the corruption");
      return roomId;
    }
  }

  private static long partition(long seq) {
    return (seq - 1) / PARTITION_SIZE;
  }

  @Test
  @Order(20)
  void verifyNamesAGap() {
    String roomId = roomWithMessages("gap", 4);
    try (CqlSession cql = cassandra.newSession()) {
      cql.execute("DELETE FROM messages WHERE persistence_id = ? AND partition_nr = ? AND sequence_nr = ?",
          room(roomId), partition(3), 3L);
    }
    Result result = cli("verify", room(roomId));
    assertEquals(CassandraCli.VIOLATIONS, result.code(), result.toString());
    assertTrue(result.out().startsWith("FAIL " + room(roomId) + ": 3 events (seq 1..4), 1 writer, 0 snapshots: 1 error\n"
        + "  ERROR gap at seq 3: seq 3 is missing (seq 2 is followed by seq 4)\n"), result.toString());
    assertTrue(result.out().contains("FAILED: 1 of 1 journal"), result.toString());
  }

  @Test
  @Order(21)
  void verifyNamesASecondWriter() {
    String roomId = roomWithMessages("writers", 4);
    String intruder = UUID.randomUUID().toString();
    try (CqlSession cql = cassandra.newSession()) {
      Row original = cql.execute("SELECT * FROM messages WHERE persistence_id = ? AND partition_nr = ?"
          + " AND sequence_nr = 3", room(roomId), partition(3)).one();
      // another node writing seq 3 too: a later timestamp sorts it between the original seq 3 and seq 4
      cql.execute("INSERT INTO messages (persistence_id, partition_nr, sequence_nr, timestamp, timebucket, writer_uuid,"
              + " ser_id, ser_manifest, event_manifest, event, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          room(roomId), partition(3), 3L, Uuids.timeBased(), original.getString("timebucket"), intruder,
          original.getInt("ser_id"), original.getString("ser_manifest"), original.getString("event_manifest"),
          original.getByteBuffer("event"), original.getSet("tags", String.class));
    }
    Result result = cli("verify", room(roomId));
    assertEquals(CassandraCli.VIOLATIONS, result.code(), result.toString());
    assertTrue(result.out().contains("ERROR duplicate-seq at seq 3: seq 3 is stored twice: by writer "), result.toString());
    assertTrue(result.out().contains("and by writer " + intruder), result.toString());
    assertTrue(result.out().contains("ERROR interleaved-writers at seq 4: writer "), result.toString());
    assertTrue(result.out().contains("then writer " + intruder + " wrote seq 3..3")
        && result.out().contains("two writers for one persistence id (split-brain signature)"), result.toString());
    assertTrue(result.out().contains("2 writers"), result.toString());
  }

  @Test
  @Order(22)
  void verifyNamesAnUndecodableEventAndEventsShowsIt() {
    String roomId = roomWithMessages("garbled", 4);
    try (CqlSession cql = cassandra.newSession()) {
      cql.execute("UPDATE messages SET event = 0xff0102 WHERE persistence_id = ? AND partition_nr = ?"
          + " AND sequence_nr = 2 AND timestamp = ?", room(roomId), partition(2),
          cql.execute("SELECT timestamp FROM messages WHERE persistence_id = ? AND partition_nr = ? AND sequence_nr = 2",
              room(roomId), partition(2)).one().getUuid("timestamp"));
    }
    Result result = cli("verify", room(roomId));
    assertEquals(CassandraCli.VIOLATIONS, result.code(), result.toString());
    assertTrue(result.out().contains("ERROR undecodable at seq 2: MessagePosted (serializer 33, manifest"
        + " chat.node.room.ChatRoom$MessagePosted) cannot be decoded: not valid CBOR"), result.toString());

    Result events = cli("events", room(roomId));
    assertEquals(0, events.code(), events.toString());
    JsonNode garbled = events.jsonLines().get(1);
    assertTrue(garbled.get("error").asText().startsWith("cannot decode: not valid CBOR"), garbled.toString());
    assertEquals("/wEC", garbled.get("event").asText());
    assertTrue(events.err().contains("seq 2: MessagePosted cannot be decoded"), events.toString());

    // and verify over all rooms now fails, naming each corrupted room
    Result all = cli("verify", "--type", "room", "--quiet");
    assertEquals(CassandraCli.VIOLATIONS, all.code(), all.toString());
    assertTrue(all.out().contains("FAIL " + room(roomId)), all.toString());
    assertFalse(all.out().contains("OK   " + room(friends)), "--quiet leaves out clean journals");
    assertTrue(all.out().contains("FAILED: 3 of "), all.toString());
  }

  @Test
  @Order(23)
  void verifyComparesARoomsSnapshotWithItsEvents() throws Exception {
    String roomId = roomWithMessages("snapshotted", 6);
    try (CqlSession cql = cassandra.newSession()) {
      Row snapshot = awaitSnapshot(cql, room(roomId));
      assertEquals(ROOM_SNAPSHOT_EVERY, snapshot.getLong("sequence_nr"));
      // the state as the room stored it, with a member it never had
      ObjectMapper cbor = new CBORMapper();
      ByteBuffer stored = snapshot.getByteBuffer("snapshot_data");
      byte[] bytes = new byte[stored.remaining()];
      stored.duplicate().get(bytes);
      ObjectNode state = (ObjectNode) cbor.readTree(bytes);
      ((ObjectNode) state.get("members")).put("mallory", 3);
      cql.execute("UPDATE snapshots SET snapshot_data = ? WHERE persistence_id = ? AND sequence_nr = ?",
          ByteBuffer.wrap(cbor.writeValueAsBytes(state)), room(roomId), (long) ROOM_SNAPSHOT_EVERY);
    }
    Result result = cli("verify", room(roomId));
    assertEquals(CassandraCli.VIOLATIONS, result.code(), result.toString());
    assertTrue(result.out().contains("ERROR snapshot-mismatch at seq 5: the snapshot differs from the state rebuilt from"
        + " events 1..5: members is {alice=1, mallory=3} in the snapshot but {alice=1} from the events"), result.toString());
  }

  /** The room stores its snapshot after persisting the event that triggers it, asynchronously. */
  private static Row awaitSnapshot(CqlSession cql, String persistenceId) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Row row = cql.execute("SELECT sequence_nr, snapshot_data FROM snapshots WHERE persistence_id = ?", persistenceId)
          .one();
      if (row != null) {
        return row;
      }
      assertTrue(System.nanoTime() < deadline, "no snapshot of " + persistenceId);
      Thread.sleep(50);
    }
  }
}
