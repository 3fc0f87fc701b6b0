package chat.cassandra.journal;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hand-made journal rows shaped like the server's: payloads are CBOR trees as Pekko's jackson-cbor writes the
 * chat's records (including the logical "type" of room events), manifests are the server's class names.
 */
final class JournalFixtures {

  static final ObjectMapper CBOR = new CBORMapper();
  static final String ROOM = "ChatRoom|g:test";
  static final String WRITER_A = "11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
  static final String WRITER_B = "22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
  static final long T0 = 1_714_557_600_000L; // 2024-05-01T10:00:00Z

  private JournalFixtures() {}

  static byte[] cbor(Object value) {
    try {
      return CBOR.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JournalRow row(String pid, long seq, String writer, String manifest, Object payload) {
    return row(pid, 0, seq, writer, PayloadDecoder.JACKSON_CBOR, manifest, cbor(payload));
  }

  static JournalRow row(String pid, long partition, long seq, String writer, int serId, String manifest, byte[] bytes) {
    return new JournalRow(pid, partition, seq, Uuids.startOf(T0 + seq * 1000), "1714557600000", writer, serId,
        manifest, "", bytes, null, null, null, Set.of());
  }

  static Map<String, Object> map(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  static JournalRow created(long seq, String writer, String... members) {
    return row(ROOM, seq, writer, "chat.node.room.ChatRoom$RoomCreated", map("type", "room-created", "kind", "GROUP",
        "name", "Test", "visibility", "PUBLIC", "createdBy", members[0], "members", List.of(members), "ts", T0));
  }

  static JournalRow joined(long seq, String writer, String user) {
    return row(ROOM, seq, writer, "chat.node.room.ChatRoom$MemberJoined",
        map("type", "member-joined", "user", user, "by", user, "ts", T0 + seq));
  }

  static JournalRow left(long seq, String writer, String user) {
    return row(ROOM, seq, writer, "chat.node.room.ChatRoom$MemberLeft",
        map("type", "member-left", "user", user, "by", user, "ts", T0 + seq));
  }

  static JournalRow posted(long seq, String writer, String sender, String clientMsgId) {
    return row(ROOM, seq, writer, "chat.node.room.ChatRoom$MessagePosted", map("type", "message-posted",
        "sender", sender, "clientMsgId", clientMsgId, "body", "body " + seq, "ts", T0 + seq));
  }

  /** RoomCreated by alice with bob, then messages 2..n alternating between them, all by one writer. */
  static List<JournalRow> cleanRoom(int n) {
    List<JournalRow> rows = new ArrayList<>();
    rows.add(created(1, WRITER_A, "alice", "bob"));
    for (int seq = 2; seq <= n; seq++) {
      rows.add(posted(seq, WRITER_A, seq % 2 == 0 ? "alice" : "bob", "m-" + seq));
    }
    return rows;
  }

  /** The server's ChatRoom.Active after {@link #cleanRoom}(n), as its snapshot stores it. */
  static SnapshotRow roomSnapshot(int n) {
    Map<String, Object> generation = new LinkedHashMap<>();
    for (int seq = 2; seq <= n; seq++) {
      generation.put((seq % 2 == 0 ? "alice" : "bob") + '\u0000' + "m-" + seq, map("seq", seq, "ts", T0 + seq));
    }
    Map<String, Object> active = map("kind", "GROUP", "name", "Test", "visibility", "PUBLIC", "createdBy", "alice",
        "createdAt", T0, "members", map("alice", 1, "bob", 1), "lastSeq", n,
        "dedup", map("generations", List.of(generation)));
    return new SnapshotRow(ROOM, n, Instant.ofEpochMilli(T0), PayloadDecoder.JACKSON_CBOR,
        "chat.node.room.ChatRoom$Active", cbor(active));
  }
}
