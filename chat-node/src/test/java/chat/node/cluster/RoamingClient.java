package chat.node.cluster;

import chat.node.auth.DevTokenIssuer;
import chat.node.testing.TestNode;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A device that, like a real app, reconnects to another node when its connection drops, resumes with its
 * device id, acknowledges what it has, and keeps a record of every item per connection.
 */
final class RoamingClient implements AutoCloseable {

  private static final DevTokenIssuer TOKENS = new DevTokenIssuer(chat.node.ChatNodeSettings.Auth.hs256(TestNode.JWT_SECRET), Clock.systemUTC());

  final String user;
  private final String device;
  private final String roomId;
  /** Items per connection, in arrival order. */
  final List<List<Long>> connections = new ArrayList<>();
  final TreeSet<Long> received = new TreeSet<>();
  volatile ChatClient client;
  private long acked;
  private long baseline = -1;

  RoamingClient(String user, String device, String roomId) {
    this.user = user;
    this.device = device;
    this.roomId = roomId;
  }

  /** Connects (again) through the first node in {@code nodes} that accepts. */
  synchronized void connect(List<URI> nodes) {
    RuntimeException last = null;
    for (URI node : nodes) {
      try {
        ChatClient next = ChatClient.connect(node, Duration.ofSeconds(5));
        next.hello(TOKENS.issue(user).token(), device).get(20, TimeUnit.SECONDS);
        client = next;
        connections.add(new ArrayList<>());
        return;
      } catch (Exception e) {
        last = new IllegalStateException("cannot connect " + user + " to " + node, e);
      }
    }
    throw last;
  }

  /** Takes what was pushed so far into the record; returns whether the connection is still open. */
  synchronized boolean drain() throws InterruptedException {
    ChatClient current = client;
    ServerFrame frame;
    while ((frame = current.nextPush(Duration.ZERO)) != null) {
      if (frame instanceof TimelineItem item && item.roomId().equals(roomId)) {
        connections.get(connections.size() - 1).add(item.seq());
        received.add(item.seq());
      } else if (frame instanceof ServerFrame.CaughtUp c && c.roomId().equals(roomId) && baseline < 0) {
        baseline = c.seq();
      }
    }
    return current.isOpen();
  }

  /** Acknowledges the contiguous prefix of what it has. */
  synchronized void acknowledge() {
    long upTo = Math.max(acked, Math.max(baseline, 0));
    while (received.contains(upTo + 1)) {
      upTo++;
    }
    if (upTo > acked) {
      try {
        client.received(Map.of(roomId, upTo)).get(10, TimeUnit.SECONDS);
        acked = upTo;
      } catch (Exception notNow) {
        // the connection is going; the next one acknowledges
      }
    }
  }

  /** Reads pushes until the first replay marked this room caught up (or {@code timeout} passes). */
  void awaitCaughtUp(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (baselineUnknown() && System.nanoTime() < deadline) {
      drain();
      Thread.sleep(20);
    }
  }

  private synchronized boolean baselineUnknown() {
    return baseline < 0;
  }

  /** Where this device's record starts: a room created after the device first connected starts at 0. */
  synchronized long baseline() {
    return Math.max(baseline, 0);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
