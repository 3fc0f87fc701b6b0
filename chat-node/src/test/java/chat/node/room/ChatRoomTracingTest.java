package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.testing.EntityTestKit;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trace context a send carries through the room: stored with the message only when there is one, the
 * journal write marked through {@link RoomTracing}, and messages stored before tracing still read. The test
 * kit round-trips every command, event and reply through Jackson CBOR.
 */
@ExtendWith(LogCapturingExtension.class)
class ChatRoomTracingTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKit.config());
  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final ConcurrentLinkedQueue<ChatRoom.TimelineEntry> fannedOut = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> marked = new ConcurrentLinkedQueue<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<ChatRoom.Command, ChatRoom.Event, ChatRoom.State> room(String id) {
    MemberSessions members = new MemberSessions() {
      @Override
      public void deliver(java.util.Collection<String> users, ChatRoom.TimelineEntry entry) {
        fannedOut.add(entry);
      }

      @Override
      public void receipts(java.util.Collection<String> users, String roomId, List<ChatRoom.Receipt> receipts) {}

      @Override
      public void requestProgress(java.util.Collection<String> users, String roomId) {}

      @Override
      public void typing(java.util.Collection<String> users, String roomId, String user, boolean active) {}
    };
    RoomTracing tracing = (traceContext, roomId, sender, clientMsgId) -> {
      marked.add("persisting " + traceContext + " " + roomId + " " + sender + " " + clientMsgId);
      return seq -> marked.add("written " + seq);
    };
    var room = EventSourcedBehaviorTestKit.<ChatRoom.Command, ChatRoom.Event, ChatRoom.State>create(testKit.system(),
        ChatRoom.create(id, ChatRoom.persistenceId(id), members, new RoomSettings(4, 3), tracing));
    room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.CreateGroup("alice", "team", ChatRoom.Visibility.PRIVATE, List.of("bob"), r));
    fannedOut.clear();
    return room;
  }

  @Test
  void anUntracedSendStoresNoTraceContextAndWritesTheEventAsBeforeTracing() throws Exception {
    var room = room("g:untraced");

    var result = room.<ChatRoom.PostReply>runCommand(r -> new ChatRoom.Post("alice", "c1", "hello", null, r));

    ChatRoom.MessagePosted posted = assertInstanceOf(ChatRoom.MessagePosted.class, result.event());
    assertNull(posted.traceContext());
    assertNull(((ChatRoom.MessagePosted) fannedOut.poll().event()).traceContext());
    assertTrue(marked.isEmpty(), "an untraced write is not marked");
    byte[] stored = serialize(posted);
    assertTrue(!new String(stored, StandardCharsets.ISO_8859_1).contains("traceContext"), "no trace field is written");
    assertArrayEquals(legacyBytes(posted), stored, "the event is written exactly as before tracing");
  }

  @Test
  void aTracedSendStoresItsContextMarksTheWriteAndFansItOut() {
    var room = room("g:traced");

    var result = room.<ChatRoom.PostReply>runCommand(r -> new ChatRoom.Post("alice", "c1", "hello", TRACEPARENT, r));

    long seq = assertInstanceOf(ChatRoom.Accepted.class, result.reply()).seq();
    assertEquals(TRACEPARENT, assertInstanceOf(ChatRoom.MessagePosted.class, result.event()).traceContext());
    assertEquals(List.of("persisting " + TRACEPARENT + " g:traced alice c1", "written " + seq), List.copyOf(marked));
    ChatRoom.TimelineEntry entry = fannedOut.poll();
    assertEquals(seq, entry.seq());
    assertEquals(TRACEPARENT, ((ChatRoom.MessagePosted) entry.event()).traceContext());

    // a retry is answered from the dedup window: nothing is written, so nothing is marked
    marked.clear();
    var retry = room.<ChatRoom.PostReply>runCommand(r -> new ChatRoom.Post("alice", "c1", "hello", TRACEPARENT, r));
    assertInstanceOf(ChatRoom.Duplicate.class, retry.reply());
    assertTrue(marked.isEmpty());
  }

  @Test
  void aMessageStoredBeforeTracingStillReads() throws Exception {
    var before = new ChatRoom.MessagePosted("alice", "c1", "hello", 1_700_000_000_000L);
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(before);
    String manifest = Serializers.manifestFor(serializer, before);

    Object read = serialization.deserialize(legacyBytes(before), serializer.identifier(), manifest).get();

    assertEquals(before, read);
    assertNull(((ChatRoom.MessagePosted) read).traceContext());
    // and one that has a context keeps it
    var traced = new ChatRoom.MessagePosted("alice", "c2", "hi", 1L, TRACEPARENT);
    assertEquals(traced, serialization.deserialize(serialize(traced), serializer.identifier(), manifest).get());
  }

  private static byte[] serialize(Object o) {
    return SerializationExtension.get(testKit.system()).serialize(o).get();
  }

  /** A message-posted event as the serializer wrote it before events had a trace context. */
  private static byte[] legacyBytes(ChatRoom.MessagePosted m) throws Exception {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", "message-posted");
    fields.put("sender", m.sender());
    fields.put("clientMsgId", m.clientMsgId());
    fields.put("body", m.body());
    fields.put("ts", m.ts());
    return JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty())
        .writeValueAsBytes(fields);
  }
}
