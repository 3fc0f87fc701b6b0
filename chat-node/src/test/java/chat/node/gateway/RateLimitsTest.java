package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.protocol.ClientFrame;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Buckets outlive connections, so a reconnect does not refill them; the sweep drops only full ones. */
class RateLimitsTest {

  private static final ClientFrame PING = new ClientFrame.Ping("1");

  @Test
  void theSweepForgetsUsersWhoseBucketsRefilledAndKeepsTheOthers() {
    RateLimits limits = new RateLimits(Map.of(RateLimits.Kind.OTHER, new RateLimits.Rate(1, 2)));
    long t0 = 1_000_000;
    assertEquals(0, limits.acquire("alice", PING, t0));
    assertEquals(0, limits.acquire("alice", PING, t0));
    assertTrue(limits.acquire("alice", PING, t0) > 0, "the burst of 2 is spent");
    assertEquals(0, limits.acquire("bob", PING, t0));

    limits.sweep(t0 + 500); // neither has refilled
    assertEquals(2, limits.users());
    limits.sweep(t0 + 1_000); // bob's one token is back, alice still lacks one
    assertEquals(1, limits.users());
    // alice's bucket was kept, with the one token refilled since: a new bucket would allow two
    assertEquals(0, limits.acquire("alice", PING, t0 + 1_000));
    assertTrue(limits.acquire("alice", PING, t0 + 1_000) > 0);
    limits.sweep(t0 + 10_000);
    assertEquals(0, limits.users());
  }
}
