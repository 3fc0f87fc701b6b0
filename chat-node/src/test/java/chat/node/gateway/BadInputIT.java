package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.TestNode;
import chat.node.testing.Timelines;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.ServerFrame;
import chat.protocol.client.ChatClient;
import java.time.Duration;
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
 * Every kind of bad input gets its error (or, for the unreadable, a closing frame), and neither the
 * offending connection's later requests nor anyone else's conversation is disturbed.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadInputIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static TestNode node;

  @BeforeAll
  static void startNode(TestCassandra cassandra) {
    node = TestNode.start(cassandra, Map.of("chat.gateway.auth-timeout", "2s"));
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static ServerFrame.Error nextError(ChatClient client) throws InterruptedException {
    ServerFrame frame = client.nextPush(WAIT);
    return assertInstanceOf(ServerFrame.Error.class, frame, "expected an error frame, got " + frame);
  }

  private static ServerFrame.Error answerError(ChatClient client, ClientFrame request) {
    ServerFrame answer = client.call(request).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return assertInstanceOf(ServerFrame.Error.class, answer);
  }

  @Test
  void eachMalformedFrameGetsItsCodeAndTheConnectionKeepsWorking() throws Exception {
    try (ChatClient alice = node.login("bad-alice"); ChatClient bob = node.login("bad-bob");
         ChatClient mallory = node.connect()) {
      String roomId = alice.openDm("bad-bob").orTimeout(15, TimeUnit.SECONDS).join().room().roomId();

      // before authentication
      ServerFrame.Error early = answerError(mallory, new ClientFrame.ListRooms("early"));
      assertEquals(ErrorCode.UNAUTHENTICATED, early.code());
      assertEquals("early", early.id());
      assertEquals(ErrorCode.INVALID_TOKEN, answerError(mallory, new ClientFrame.Hello("h1", 1, "not-a-jwt")).code());
      assertEquals(ErrorCode.UNSUPPORTED_PROTOCOL, answerError(mallory, new ClientFrame.Hello("h2", 99, node.token("bad-mallory"))).code());
      mallory.hello(node.token("bad-mallory")).orTimeout(15, TimeUnit.SECONDS).join();
      assertEquals(ErrorCode.ALREADY_AUTHENTICATED, answerError(mallory, new ClientFrame.Hello("h3", 1, node.token("bad-alice"))).code());

      mallory.sendRaw("{this is not json");
      ServerFrame.Error notJson = nextError(mallory);
      assertEquals(ErrorCode.BAD_FRAME, notJson.code());
      assertNull(notJson.id());

      mallory.sendRaw("{\"id\":\"u1\",\"type\":\"teleport\"}");
      ServerFrame.Error unknown = nextError(mallory);
      assertEquals(ErrorCode.UNKNOWN_TYPE, unknown.code());
      assertEquals("u1", unknown.id());

      assertEquals(ErrorCode.INVALID_REQUEST, answerError(mallory, new ClientFrame.Send("m1", roomId, "c1", null)).code());
      assertEquals(ErrorCode.MESSAGE_TOO_LARGE,
          answerError(mallory, new ClientFrame.Send("m2", roomId, "c2", "x".repeat(16 * 1024 + 1))).code());

      mallory.sendRaw("{\"id\":\"big\",\"type\":\"send\",\"body\":\"" + "y".repeat(70 * 1024) + "\"}");
      assertEquals(ErrorCode.FRAME_TOO_LARGE, nextError(mallory).code());

      mallory.sendBinary(new byte[] {1, 2, 3});
      assertEquals(ErrorCode.BINARY_NOT_SUPPORTED, nextError(mallory).code());

      // authorisation still applies to a well-formed request from the same connection
      assertEquals(ErrorCode.NOT_MEMBER, answerError(mallory, new ClientFrame.Send("m3", roomId, "c3", "hi")).code());

      // the offender's connection still works, and so does everyone else's
      mallory.ping().orTimeout(15, TimeUnit.SECONDS).join();
      assertTrue(mallory.isOpen());
      assertEquals(2, alice.send(roomId, "ok-1", "still here?").orTimeout(15, TimeUnit.SECONDS).join().seq());
      assertEquals(2, Timelines.collect(bob, roomId, 2, WAIT).get(1).seq());
    }
  }

  @Test
  void aFrameFarOverTheLimitClosesTheConnectionWithAReason() throws Exception {
    try (ChatClient alice = node.login("huge-alice")) {
      alice.sendRaw("\"" + "z".repeat(1100 * 1024) + "\"");
      var closing = assertInstanceOf(ServerFrame.Closing.class, alice.nextPush(WAIT));
      assertEquals(ErrorCode.FRAME_FAR_TOO_LARGE, closing.code());
      assertEquals(1000, alice.closed().get(15, TimeUnit.SECONDS));
    }
    // and the node serves the next client
    try (ChatClient next = node.login("huge-next")) {
      next.ping().orTimeout(15, TimeUnit.SECONDS).join();
    }
  }

  @Test
  void aConnectionThatNeverAuthenticatesIsClosed() throws Exception {
    try (ChatClient silent = node.connect()) {
      var closing = assertInstanceOf(ServerFrame.Closing.class, silent.nextPush(WAIT));
      assertEquals(ErrorCode.AUTH_TIMEOUT, closing.code());
      assertTrue(closing.retryable());
      assertEquals(1000, silent.closed().get(15, TimeUnit.SECONDS));
    }
  }

  @Test
  void manyPipelinedRequestsAreAllAnsweredOnce() {
    try (ChatClient alice = node.login("pipe-alice")) {
      String roomId = alice.createRoom(null, "Pipe", List.of(), null).orTimeout(15, TimeUnit.SECONDS).join().room().roomId();
      // more than max-in-flight: the rest wait in TCP, none is dropped
      List<CompletableFuture<chat.protocol.AckResult.Sent>> sends = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        sends.add(alice.send(roomId, "p-" + i, "n" + i));
      }
      List<Long> seqs = sends.stream().map(f -> f.orTimeout(30, TimeUnit.SECONDS).join().seq()).toList();
      assertEquals(java.util.stream.LongStream.rangeClosed(2, 201).boxed().toList(), seqs);
    }
  }
}
