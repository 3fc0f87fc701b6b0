package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.RawWebSocket;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.FrameCodec;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A client that stops reading is disconnected with a reason; it does not slow the room or the sender. */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowConsumerIT {

  @Test
  void aClientThatDoesNotReadIsDisconnectedAndCanCatchUpFromHistory(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra, Map.of("chat.gateway.outbound-buffer", 16));
         ChatClient sender = node.login("fast")) {
      String roomId = sender.openDm("stalled").orTimeout(15, TimeUnit.SECONDS).join().room().roomId();

      // a client with a tiny socket buffer that authenticates, then stops reading
      FrameCodec codec = new FrameCodec(node.limits());
      try (RawWebSocket stalled = RawWebSocket.connect(node.webSocketUri(), 4096)) {
        stalled.sendText(codec.encode(new ClientFrame.Hello("1", 1, node.token("stalled"))));
        assertInstanceOf(ServerFrame.Ack.class, codec.decodeServerFrame(stalled.read().text()));

        // more than the server's send buffer plus its 16-frame queue can hold
        String body = "x".repeat(16 * 1024 - 64);
        int messages = 600;
        // the sender keeps at most 4 sends open: its own acks and echoes (8 frames) fit the node's 16-frame
        // queue even when the room writes and answers them together
        List<CompletableFuture<AckResult.Sent>> sends = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
          if (sends.size() >= 4) {
            sends.remove(0).orTimeout(60, TimeUnit.SECONDS).join();
          }
          sends.add(sender.send(roomId, "s-" + i, i + ":" + body));
        }
        // the sender is never held up by the stalled member
        for (CompletableFuture<AckResult.Sent> send : sends) {
          send.orTimeout(60, TimeUnit.SECONDS).join();
        }

        // now read everything that was queued: some items, then the reason, then the close
        long lastSeen = 0;
        ServerFrame last = null;
        RawWebSocket.Frame frame;
        while ((frame = stalled.read()).opcode() == RawWebSocket.TEXT) {
          last = codec.decodeServerFrame(frame.text());
          if (last instanceof TimelineItem item) {
            lastSeen = item.seq();
          }
        }
        assertEquals(RawWebSocket.CLOSE, frame.opcode());
        assertEquals(1000, frame.closeStatus());
        var closing = assertInstanceOf(ServerFrame.Closing.class, last, "the last frame before the close");
        assertEquals(ErrorCode.SLOW_CONSUMER, closing.code());
        assertTrue(closing.retryable());
        assertTrue(lastSeen < messages + 1, "the stalled client cannot have received everything");

        // it reconnects and reads what it missed
        try (ChatClient back = node.login("stalled")) {
          var page = back.history(roomId, null, lastSeen, 200).orTimeout(15, TimeUnit.SECONDS).join();
          assertEquals(lastSeen + 1, page.items().get(0).seq());
          assertEquals(messages + 1, page.lastSeq());
        }
      }
    }
  }
}
