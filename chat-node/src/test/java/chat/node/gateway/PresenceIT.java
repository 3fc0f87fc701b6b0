package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.auth.DevTokenIssuer;
import chat.node.testing.Await;
import chat.node.testing.Device;
import chat.node.testing.NodeProcess;
import chat.node.testing.RawWebSocket;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.FrameCodec;
import chat.protocol.PresenceStatus;
import chat.protocol.ServerFrame;
import chat.protocol.client.ChatClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Presence and typing between clients on different nodes of one cluster, and how fast "offline" comes. */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PresenceIT {

  private static final Duration WAIT = Duration.ofSeconds(20);
  /** The documented bound for a vanished client or node to be shown offline. */
  private static final Duration OFFLINE_BOUND = Duration.ofSeconds(30);

  private static ServerFrame.Presence presence(String user, PresenceStatus status) {
    return new ServerFrame.Presence(user, status, null);
  }

  private static boolean isPresence(ServerFrame f, String user, PresenceStatus status) {
    return f instanceof ServerFrame.Presence p && p.user().equals(user) && p.status() == status;
  }

  /** Watches {@code user} and waits until they are seen online (their registration may still be on its way). */
  private static void watchUntilOnline(Device watcher, String user) throws InterruptedException {
    AckResult.PresenceList answer = Await.result(watcher.client().watchPresence(List.of(user)));
    assertEquals(List.of(), answer.denied());
    if (!answer.presences().contains(presence(user, PresenceStatus.ONLINE))) {
      watcher.awaitFrame(f -> isPresence(f, user, PresenceStatus.ONLINE), WAIT);
    }
  }

  @Test
  void presenceAndTypingCrossNodesAndExpire(TestCassandra cassandra) throws Exception {
    try (TestNode a = TestNode.start(cassandra); TestNode b = TestNode.join(cassandra, a, Map.of());
         Device alice = Device.connect(a, "p1-alice", null)) {
      String dm = Await.result(alice.client().openDm("p1-bob")).room().roomId();
      try (Device bob = Device.connect(b, "p1-bob", null); Device bobTablet = Device.connect(b, "p1-bob", null)) {
        AckResult.PresenceList watching = Await.result(alice.client().watchPresence(List.of("p1-stranger")));
        assertEquals(List.of("p1-stranger"), watching.denied(), "no shared room, no presence");
        watchUntilOnline(alice, "p1-bob");

        // away only when every connection is away
        Await.result(bob.client().setPresence(PresenceStatus.AWAY, null));
        Await.result(bobTablet.client().setPresence(PresenceStatus.AWAY, null));
        alice.awaitFrame(f -> isPresence(f, "p1-bob", PresenceStatus.AWAY), WAIT);

        // typing crosses nodes, is not echoed to the typer's own devices, and expires without a stop
        Await.result(bob.client().typing(dm, true));
        alice.awaitFrame(new ServerFrame.TypingIndicator(dm, "p1-bob", true)::equals, WAIT);
        long started = System.nanoTime();
        alice.awaitFrame(new ServerFrame.TypingIndicator(dm, "p1-bob", false)::equals, WAIT);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs >= 4000, "typing expired after " + tookMs + " ms, before its TTL");
        assertTrue(bobTablet.frames().stream().noneMatch(ServerFrame.TypingIndicator.class::isInstance));

        // a client that drops its connection without a goodbye is offline promptly, with a last-seen
        bobTablet.client().abort();
        bob.client().abort();
      }
      alice.awaitFrame(f -> isPresence(f, "p1-bob", PresenceStatus.OFFLINE), OFFLINE_BOUND);
      ServerFrame.Presence offline = (ServerFrame.Presence) alice.frames().stream()
          .filter(f -> isPresence(f, "p1-bob", PresenceStatus.OFFLINE)).findFirst().orElseThrow();
      assertNotNull(offline.lastSeen());

      // a user who hides presence appears offline, without a last-seen
      try (Device bob = Device.connect(b, "p1-bob", null)) {
        alice.awaitFrame(f -> isPresence(f, "p1-bob", PresenceStatus.ONLINE), WAIT);
        Await.result(bob.client().setPresence(PresenceStatus.ONLINE, true));
        alice.awaitFrame(new ServerFrame.Presence("p1-bob", PresenceStatus.OFFLINE, null)::equals, WAIT);
      }
    }
  }

  @Test
  void typingFloodsAreThrottled(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra); Device alice = Device.connect(node, "p2-alice", null);
         Device bob = Device.connect(node, "p2-bob", null)) {
      String dm = Await.result(alice.client().openDm("p2-bob")).room().roomId();
      for (int i = 0; i < 50; i++) {
        Await.result(bob.client().typing(dm, true));
      }
      Await.result(bob.client().typing(dm, false));
      alice.awaitFrame(new ServerFrame.TypingIndicator(dm, "p2-bob", false)::equals, WAIT);
      long starts = alice.frames().stream().filter(new ServerFrame.TypingIndicator(dm, "p2-bob", true)::equals).count();
      assertEquals(1, starts, "50 starts within the throttle interval are passed on once");
    }
  }

  @Test
  void aSilentConnectionIsClosedAndItsUserGoesOffline(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra, Map.of("chat.gateway.client-idle-timeout", "3s"));
         Device alice = Device.connect(node, "p3-alice", null)) {
      Await.result(alice.client().openDm("p3-bob"));
      // alice keeps talking, as a live client does
      var pinger = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      pinger.scheduleAtFixedRate(() -> alice.client().ping(), 0, 1, TimeUnit.SECONDS);
      FrameCodec codec = new FrameCodec(node.limits());
      try (RawWebSocket silent = RawWebSocket.connect(node.webSocketUri(), 65536)) {
        silent.sendText(codec.encode(new ClientFrame.Hello("1", 1, node.token("p3-bob"))));
        assertInstanceOf(ServerFrame.Ack.class, codec.decodeServerFrame(silent.read().text()));
        watchUntilOnline(alice, "p3-bob");
        // then nothing more from the half-open client
        RawWebSocket.Frame frame;
        ServerFrame last = null;
        while ((frame = silent.read()).opcode() == RawWebSocket.TEXT) {
          last = codec.decodeServerFrame(frame.text());
        }
        assertEquals(ErrorCode.IDLE_TIMEOUT, assertInstanceOf(ServerFrame.Closing.class, last).code());
      }
      alice.awaitFrame(f -> isPresence(f, "p3-bob", PresenceStatus.OFFLINE), WAIT);
      pinger.shutdownNow();
    }
  }

  @Test
  void usersOfANodeKilledWithSigkillGoOfflineWithinTheBound(TestCassandra cassandra, @TempDir Path dir) throws Exception {
    try (TestNode a = TestNode.start(cassandra); Device alice = Device.connect(a, "p4-alice", null)) {
      Await.result(alice.client().openDm("p4-bob"));
      NodeProcess b = NodeProcess.join(cassandra, a, dir.resolve("node-b.log"));
      try {
        a.awaitMembers(2);
        DevTokenIssuer tokens = new DevTokenIssuer(chat.node.ChatNodeSettings.Auth.hs256(TestNode.JWT_SECRET), Clock.systemUTC());
        ChatClient bob = ChatClient.connect(b.webSocketUri(), Duration.ofSeconds(10));
        Await.result(bob.hello(tokens.issue("p4-bob").token()));
        watchUntilOnline(alice, "p4-bob");

        long killedAt = System.nanoTime();
        b.kill();
        alice.awaitFrame(f -> isPresence(f, "p4-bob", PresenceStatus.OFFLINE), OFFLINE_BOUND.plusSeconds(10));
        long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertTrue(tookMs <= OFFLINE_BOUND.toMillis(), "offline after " + tookMs + " ms");
        System.out.println("offline " + tookMs + " ms after kill -9 of the node");
      } finally {
        b.close();
      }
    }
  }
}
