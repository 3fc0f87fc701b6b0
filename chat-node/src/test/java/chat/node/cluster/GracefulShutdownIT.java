package chat.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.NodeProcess;
import chat.node.testing.TestNode;
import chat.protocol.ErrorCode;
import chat.protocol.ServerFrame;
import chat.protocol.client.ChatClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM: the node sends its clients elsewhere with a reason, hands off its shards and exits in time. */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GracefulShutdownIT {

  /** The documented bound for a node to exit after SIGTERM. */
  private static final Duration EXIT_BOUND = Duration.ofSeconds(30);

  @Test
  void sigtermSendsClientsElsewhereAndNothingIsLost(TestCassandra cassandra, @TempDir Path dir) throws Exception {
    try (TestNode a = TestNode.start(cassandra)) {
      NodeProcess b = NodeProcess.join(cassandra, a, dir.resolve("node-b.log"));
      RoamingClient alice = new RoamingClient("gs-alice", "gs-alice-phone", "graceful");
      RoamingClient bob = new RoamingClient("gs-bob", "gs-bob-phone", "graceful");
      try {
        a.awaitMembers(2);
        alice.connect(List.of(a.webSocketUri()));
        alice.client.createRoom("graceful", "Graceful", List.of("gs-bob"), null).get(30, TimeUnit.SECONDS);
        bob.connect(List.of(b.webSocketUri()));
        bob.awaitCaughtUp(Duration.ofSeconds(20));
        for (int i = 0; i < 20; i++) {
          alice.client.send("graceful", "before-" + i, "before " + i).get(20, TimeUnit.SECONDS);
        }
        ChatClient bobsFirst = bob.client;
        Duration exitedAfter = b.terminate(EXIT_BOUND);
        System.out.println("node exited " + exitedAfter.toMillis() + " ms after SIGTERM");

        // bob was told why, then closed normally
        ServerFrame last = null;
        ServerFrame frame;
        while ((frame = bobsFirst.nextPush(Duration.ofSeconds(5))) != null) {
          last = frame;
        }
        assertEquals(ErrorCode.SHUTTING_DOWN, assertInstanceOf(ServerFrame.Closing.class, last).code());
        assertEquals(1000, bobsFirst.closed().get(5, TimeUnit.SECONDS));
        assertTrue(exitedAfter.compareTo(EXIT_BOUND) < 0);

        // he reconnects to the other node and resumes; the room (whatever node hosted it) carries on
        bob.connect(List.of(a.webSocketUri()));
        long seq = alice.client.send("graceful", "after", "after the shutdown").get(30, TimeUnit.SECONDS).seq();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((bob.received.isEmpty() || bob.received.last() < seq) && System.nanoTime() < deadline) {
          bob.drain();
          Thread.sleep(50);
        }
        bob.drain();
        // a new device starts at the room's end when it first connected; everything after it arrives, once
        assertEquals(java.util.stream.LongStream.rangeClosed(bob.baseline() + 1, seq).boxed().toList(), List.copyOf(bob.received));
      } finally {
        alice.close();
        bob.close();
        b.close();
      }
    }
  }
}
