package chat.node.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.room.ChatRoom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class LocalSessionsTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static final UserSession.Command DELIVERY =
      new UserSession.Deliver(new ChatRoom.TimelineEntry("g:1", 2, new ChatRoom.MessagePosted("ann", "c2", "hi", 2)));

  private static java.time.Duration keepStarted(String sharding) {
    var config = com.typesafe.config.ConfigFactory.parseString(sharding)
        .withFallback(com.typesafe.config.ConfigFactory.defaultReference()).resolve();
    return LocalSessions.keepStarted(
        org.apache.pekko.cluster.sharding.ClusterShardingSettings.create(config.getConfig("pekko.cluster.sharding")));
  }

  /** Reminders come at a quarter of sharding's idle timeout, however it is set, and not at all without one. */
  @Test
  void remindersFollowShardingsIdleTimeout() {
    var never = java.time.Duration.ofNanos(Long.MAX_VALUE);
    assertEquals(java.time.Duration.ofSeconds(30), keepStarted(""), "Pekko's default: 120 s");
    assertEquals(java.time.Duration.ofSeconds(30), keepStarted(
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 2 minutes"));
    assertEquals(java.time.Duration.ofSeconds(15), keepStarted(
        "pekko.cluster.sharding.passivate-idle-entity-after = 60s"), "the deprecated setting still counts");
    assertEquals(never, keepStarted("pekko.cluster.sharding.passivation.strategy = none"));
    assertEquals(never, keepStarted("pekko.cluster.sharding.passivation.strategy = off"));
    assertEquals(never, keepStarted(
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = off"));
    assertEquals(never, keepStarted(
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = none"));
    assertEquals(never, keepStarted(
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 0s"));
  }

  @Test
  void aTellReachesTheRegisteredIncarnationOnly() {
    var local = new LocalSessions();
    TestProbe<UserSession.Command> first = testKit.createTestProbe();
    TestProbe<UserSession.Command> second = testKit.createTestProbe();

    assertFalse(local.tell("ann", DELIVERY), "nothing registered");
    local.register("ann", first.getRef());
    assertTrue(local.tell("ann", DELIVERY));
    first.expectMessage(DELIVERY);

    // the next incarnation registered before the earlier one's late unregistration: that keeps the newer one
    local.register("ann", second.getRef());
    local.unregister("ann", first.getRef());
    assertTrue(local.tell("ann", DELIVERY));
    second.expectMessage(DELIVERY);
    first.expectNoMessage();

    local.unregister("ann", second.getRef());
    assertFalse(local.tell("ann", DELIVERY));
    second.expectNoMessage();
  }
}
