package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's own WebSocket message layer against a bare client: control frames, fragmentation and the
 * closing handshake, as RFC 6455 has them (protocol violations are FuzzIT's).
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebSocketLayerIT {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The next frame that is not a ping (the server may ping at any time). */
  private static RawWebSocket.Frame nextNotPing(RawWebSocket socket) throws Exception {
    while (true) {
      RawWebSocket.Frame frame = socket.readAny();
      if (frame.opcode() != RawWebSocket.PING) {
        return frame;
      }
    }
  }

  @Test
  void pingsAreAnsweredAndAFragmentedMessageWithAPingBetweenIsOneRequest(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra);
         RawWebSocket socket = RawWebSocket.connect(node.webSocketUri(), 65536)) {
      FrameCodec codec = new FrameCodec(node.limits());
      socket.sendFrame(true, 0, RawWebSocket.PING, utf8("are you there"), true);
      RawWebSocket.Frame pong = nextNotPing(socket);
      assertEquals(RawWebSocket.PONG, pong.opcode());
      assertEquals("are you there", pong.text());

      // a hello in three fragments, split inside a multi-byte character, with a ping between two of them
      byte[] hello = utf8(codec.encode(new ClientFrame.Hello("h-€", 1, node.token("frag"))));
      int euro = indexOf(hello, utf8("€"));
      socket.sendFrame(false, 0, RawWebSocket.TEXT, Arrays.copyOfRange(hello, 0, euro + 1), true);
      socket.sendFrame(true, 0, RawWebSocket.PING, utf8("between"), true);
      socket.sendFrame(false, 0, RawWebSocket.CONTINUATION, Arrays.copyOfRange(hello, euro + 1, euro + 2), true);
      socket.sendFrame(true, 0, RawWebSocket.CONTINUATION, Arrays.copyOfRange(hello, euro + 2, hello.length), true);
      RawWebSocket.Frame between = nextNotPing(socket);
      assertEquals(RawWebSocket.PONG, between.opcode());
      assertEquals("between", between.text());
      var ack = assertInstanceOf(ServerFrame.Ack.class, codec.decodeServerFrame(nextNotPing(socket).text()));
      assertEquals("h-€", ack.id());
      assertInstanceOf(AckResult.Welcome.class, ack.result());
    }
  }

  @Test
  void aQuietClientIsPinged(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra, Map.of("chat.gateway.ping-interval", "1s"));
         RawWebSocket socket = RawWebSocket.connect(node.webSocketUri(), 65536)) {
      long start = System.nanoTime();
      RawWebSocket.Frame frame = socket.readAny();
      assertEquals(RawWebSocket.PING, frame.opcode());
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "not before the interval");
      long first = System.nanoTime();
      assertEquals(RawWebSocket.PING, socket.readAny().opcode());
      long gap = System.nanoTime() - first;
      assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(900) && gap < TimeUnit.MILLISECONDS.toNanos(1800),
          "the next ping an interval later, not two: " + TimeUnit.NANOSECONDS.toMillis(gap) + " ms");
    }
  }

  @Test
  void theClientsCloseIsAnsweredWithItsStatusAndTheConnectionEnds(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra);
         RawWebSocket socket = RawWebSocket.connect(node.webSocketUri(), 65536)) {
      socket.sendFrame(true, 0, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE9, 'b', 'y', 'e'}, true); // 1001
      RawWebSocket.Frame close = nextNotPing(socket);
      assertEquals(RawWebSocket.CLOSE, close.opcode());
      assertEquals(1001, close.closeStatus());
      assertTrue(socket.endOfStream(), "the server closes TCP after the handshake");
      awaitNoConnections(node);
    }
  }

  @Test
  void aServerCloseWaitsForTheClientsAnswer(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra, Map.of("chat.gateway.auth-timeout", "1s"));
         RawWebSocket socket = RawWebSocket.connect(node.webSocketUri(), 65536)) {
      FrameCodec codec = new FrameCodec(node.limits());
      var closing = assertInstanceOf(ServerFrame.Closing.class, codec.decodeServerFrame(nextNotPing(socket).text()));
      assertEquals(ErrorCode.AUTH_TIMEOUT, closing.code());
      RawWebSocket.Frame close = nextNotPing(socket);
      assertEquals(RawWebSocket.CLOSE, close.opcode());
      assertEquals(1000, close.closeStatus());
      socket.sendFrame(true, 0, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}, true);
      long answered = System.nanoTime();
      assertTrue(socket.endOfStream());
      assertTrue(System.nanoTime() - answered < TimeUnit.SECONDS.toNanos(2),
          "closed on the client's answer, not at the close timeout");
      awaitNoConnections(node);
    }
  }

  @Test
  void aFrameHeaderThatIsNoFrameClosesWith1002(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra);
         RawWebSocket socket = RawWebSocket.connect(node.webSocketUri(), 65536)) {
      // a masked text frame whose 64-bit length has its top bit set, which RFC 6455 forbids
      socket.sendRaw(new byte[] {(byte) 0x81, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4});
      RawWebSocket.Frame close = nextNotPing(socket);
      assertEquals(RawWebSocket.CLOSE, close.opcode());
      assertEquals(1002, close.closeStatus());
      awaitNoConnections(node);
    }
  }

  private static void awaitNoConnections(TestNode node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (node.openConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, node.openConnections(), "the connection's actor stopped");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
