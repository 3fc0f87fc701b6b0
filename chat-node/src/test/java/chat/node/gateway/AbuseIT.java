package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.RawWebSocket;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.Visibility;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limits that keep one client from taking a node: per-user token buckets answered with when to retry,
 * the close of a connection that keeps refusing to listen, and caps on connections per address and per
 * user and on rooms per user. The node runs with small limits so that each is reached quickly.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AbuseIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int SEND_BURST = 3;
  private static final int ABUSE_THRESHOLD = 5;
  private static final int PER_IP = 6;
  private static final int PER_USER = 2;
  private static final int ROOMS_PER_USER = 3;

  private static TestNode node;

  @BeforeAll
  static void startNode(TestCassandra cassandra) {
    Map<String, Object> limits = new HashMap<>(TestNode.GENEROUS_RATE_LIMITS);
    limits.put("chat.gateway.rate-limits.send.per-second", 2);
    limits.put("chat.gateway.rate-limits.send.burst", SEND_BURST);
    limits.put("chat.gateway.rate-limits.abuse-threshold", ABUSE_THRESHOLD);
    limits.put("chat.gateway.rate-limits.abuse-window", "10s");
    limits.put("chat.gateway.max-connections-per-ip", PER_IP);
    limits.put("chat.gateway.max-connections-per-user", PER_USER);
    limits.put("chat.room.max-rooms-per-user", ROOMS_PER_USER);
    node = TestNode.start(cassandra, limits);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aSendOverTheRateLimitIsRefusedWithWhenToRetryAndThenSucceeds() throws Exception {
    try (ChatClient alice = node.login("rl-alice"); ChatClient again = node.login("rl-alice")) {
      String room = Await.result(alice.createRoom(null, "limits", List.of(), Visibility.PRIVATE)).room().roomId();
      for (int i = 0; i < SEND_BURST; i++) {
        Await.result(alice.send(room, "m-" + i, "within the burst"));
      }
      // the bucket is the user's, not the connection's
      ServerFrame.Error refused = error(again.call(new ClientFrame.Send("over", room, "m-over", "one too many")));
      assertEquals(ErrorCode.TOO_MANY_REQUESTS, refused.code());
      assertTrue(refused.retryable());
      assertNotNull(refused.retryAfterMs(), "the error says when to retry");
      assertTrue(refused.retryAfterMs() > 0 && refused.retryAfterMs() <= 1_000, "retryAfterMs " + refused.retryAfterMs());

      // other kinds of request have their own buckets
      Await.result(alice.history(room, null, null, 10));

      Thread.sleep(refused.retryAfterMs());
      AckResult.Sent retried = Await.result(again.send(room, "m-over", "one too many"));
      assertEquals(false, retried.duplicate(), "the refused send was not stored");
      List<Long> messages = Await.result(alice.history(room, null, null, 50)).items().stream()
          .filter(TimelineItem.Message.class::isInstance).map(TimelineItem::seq).toList();
      assertEquals(SEND_BURST + 1, messages.size(), "messages stored: " + messages);
    }
  }

  @Test
  void aConnectionThatKeepsGoingOverTheLimitIsClosed() throws Exception {
    try (ChatClient mallory = node.login("rl-mallory")) {
      String room = Await.result(mallory.createRoom(null, "flood", List.of(), Visibility.PRIVATE)).room().roomId();
      List<CompletableFuture<ServerFrame>> answers = new ArrayList<>();
      for (int i = 0; i < SEND_BURST + ABUSE_THRESHOLD + 1; i++) {
        answers.add(mallory.call(new ClientFrame.Send("s" + i, room, "flood-" + i, "flood")));
      }
      ServerFrame.Closing closing = Await.closing(mallory, WAIT);
      assertEquals(ErrorCode.POLICY_VIOLATION, closing.code());
      assertEquals(1000, (int) mallory.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS));
      long refused = answers.stream().map(a -> a.isDone() && !a.isCompletedExceptionally() ? a.join() : null)
          .filter(a -> a instanceof ServerFrame.Error e && e.code() == ErrorCode.TOO_MANY_REQUESTS).count();
      assertEquals(ABUSE_THRESHOLD + 1, refused, "every refusal was answered before the close");
    }
  }

  @Test
  void aFloodOfMalformedFramesIsClosedToo() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(node.webSocketUri(), 64 * 1024)) {
      for (int i = 0; i <= ABUSE_THRESHOLD; i++) {
        ws.sendText("{not json " + i);
      }
      List<String> codes = new ArrayList<>();
      RawWebSocket.Frame frame;
      while ((frame = ws.read()).opcode() != RawWebSocket.CLOSE) {
        codes.add(frame.text().replaceAll(".*\"code\":\"([a-z_]+)\".*", "$1"));
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i <= ABUSE_THRESHOLD; i++) {
        expected.add(ErrorCode.BAD_FRAME.wireName());
      }
      expected.add(ErrorCode.POLICY_VIOLATION.wireName());
      assertEquals(expected, codes);
      assertEquals(1000, frame.closeStatus());
    }
  }

  @Test
  void connectionsPerAddressAreCappedAtTheUpgrade() throws Exception {
    awaitNoConnections();
    List<RawWebSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_IP; i++) {
        open.add(RawWebSocket.connect(node.webSocketUri(), 64 * 1024));
      }
      RawWebSocket.Upgrade refused = RawWebSocket.upgrade(node.webSocketUri(), 64 * 1024,
          Map.of("X-Forwarded-For", "203.0.113.7"));
      assertEquals(429, refused.status(), "a forwarded-for header must not buy another address: " + refused.body());
      assertNull(refused.socket());

      open.remove(0).close();
      awaitConnections(PER_IP - 1);
      open.add(RawWebSocket.connect(node.webSocketUri(), 64 * 1024));
    } finally {
      for (RawWebSocket ws : open) {
        ws.close();
      }
    }
  }

  @Test
  void connectionsPerUserAreCapped() throws Exception {
    try (ChatClient first = node.login("rl-bob"); ChatClient second = node.login("rl-bob");
        ChatClient third = node.connect()) {
      third.hello(node.token("rl-bob")).exceptionally(e -> null);
      ServerFrame.Closing closing = Await.closing(third, WAIT);
      assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, closing.code());
      // the first two are unaffected
      Await.result(first.ping());
      Await.result(second.ping());
    }
  }

  @Test
  void roomsPerUserAreCappedForEveryoneARequestWouldAdd() throws Exception {
    try (ChatClient carol = node.login("rl-carol"); ChatClient dave = node.login("rl-dave");
        ChatClient erin = node.login("rl-erin")) {
      String lobby = Await.result(dave.createRoom(null, "lobby", List.of(), Visibility.PUBLIC)).room().roomId();
      String hall = Await.result(dave.createRoom(null, "hall", List.of(), Visibility.PUBLIC)).room().roomId();
      String davesRoom = Await.result(dave.createRoom(null, "dave's", List.of(), Visibility.PRIVATE)).room().roomId();
      Await.result(carol.createRoom(null, "carol's", List.of(), Visibility.PRIVATE));
      Await.result(carol.join(lobby));
      Await.result(carol.join(hall));

      ServerFrame.Error own = error(carol.call(new ClientFrame.CreateRoom("c", null, "one more", List.of(), null)));
      assertEquals(ErrorCode.TOO_MANY_ROOMS, own.code());
      // nobody else can push carol over the cap either, however they try
      for (ServerFrame.Error byOthers : List.of(
          error(dave.call(new ClientFrame.AddMember("a", davesRoom, "rl-carol"))),
          error(erin.call(new ClientFrame.CreateRoom("c", null, "with carol", List.of("rl-carol"), null))),
          error(erin.call(new ClientFrame.OpenDm("d", "rl-carol"))))) {
        assertEquals(ErrorCode.TOO_MANY_ROOMS, byOthers.code());
        assertTrue(byOthers.message().contains("rl-carol"), byOthers.message());
      }
      // joining a room she is in stays idempotent; leaving one makes room for another
      Await.result(carol.join(lobby));
      Await.result(carol.leave(hall));
      Await.result(dave.addMember(davesRoom, "rl-carol"));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static ServerFrame.Error error(CompletableFuture<ServerFrame> answer) {
    ServerFrame frame = answer.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return assertInstanceOf(ServerFrame.Error.class, frame, String.valueOf(frame));
  }

  private static void awaitNoConnections() throws InterruptedException {
    awaitConnections(0);
  }

  private static void awaitConnections(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (node.openConnections() != expected) {
      assertTrue(System.nanoTime() < deadline, node.openConnections() + " connections open, expected " + expected);
      Thread.sleep(20);
    }
  }

}
