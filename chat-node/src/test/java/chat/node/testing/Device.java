package chat.node.testing;

import chat.protocol.AckResult;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One connection of a client device, recording what the server pushes to it in arrival order, so that
 * tests can check order, duplicates and completeness exactly as a client would see them.
 */
public final class Device implements AutoCloseable {

  private final ChatClient client;
  private final List<ServerFrame> frames = new ArrayList<>();

  private Device(ChatClient client) {
    this.client = client;
  }

  /** Connects as {@code user} on device {@code deviceId} (null: a connection without a device). */
  public static Device connect(TestNode node, String user, String deviceId) {
    ChatClient client = node.connect();
    AckResult.Welcome welcome = client.hello(node.token(user), deviceId).orTimeout(20, TimeUnit.SECONDS).join();
    if (welcome.resuming() != (deviceId != null)) {
      throw new AssertionError("welcome.resuming should say whether a replay follows");
    }
    return new Device(client);
  }

  public ChatClient client() {
    return client;
  }

  /** Reads pushes until {@code done} holds for what was received so far. */
  public void awaitFrame(java.util.function.Predicate<ServerFrame> done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ServerFrame f : frames) {
      if (done.test(f)) {
        return;
      }
    }
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("not pushed within " + timeout + "; got " + frames);
      }
      ServerFrame frame = client.nextPush(Duration.ofNanos(left));
      if (frame == null) {
        continue;
      }
      frames.add(frame);
      if (done.test(frame)) {
        return;
      }
    }
  }

  public void awaitSynced(Duration timeout) throws InterruptedException {
    awaitFrame(ServerFrame.Synced.class::isInstance, timeout);
  }

  public void awaitSeq(String roomId, long seq, Duration timeout) throws InterruptedException {
    awaitFrame(f -> f instanceof TimelineItem i && i.roomId().equals(roomId) && i.seq() >= seq, timeout);
  }

  /** Everything pushed so far, in arrival order. */
  public List<ServerFrame> frames() {
    return List.copyOf(frames);
  }

  /** The seqs of {@code roomId} pushed so far, in arrival order (duplicates kept). */
  public List<Long> seqs(String roomId) {
    return frames.stream()
        .filter(f -> f instanceof TimelineItem i && i.roomId().equals(roomId))
        .map(f -> ((TimelineItem) f).seq())
        .toList();
  }

  public long caughtUpAt(String roomId) {
    return frames.stream()
        .filter(f -> f instanceof ServerFrame.CaughtUp c && c.roomId().equals(roomId))
        .mapToLong(f -> ((ServerFrame.CaughtUp) f).seq())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no caught_up for " + roomId + " in " + frames));
  }

  public void acknowledge(String roomId, long seq) {
    client.received(Map.of(roomId, seq)).orTimeout(20, TimeUnit.SECONDS).join();
  }

  /** Acknowledges with a {@code received} without id, which the server does not answer. */
  public void acknowledgeQuietly(String roomId, long seq) {
    client.receivedQuietly(Map.of(roomId, seq)).orTimeout(20, TimeUnit.SECONDS).join();
  }

  /** Records whatever is pushed within {@code period}. */
  public void listen(Duration period) throws InterruptedException {
    long deadline = System.nanoTime() + period.toNanos();
    for (long left; (left = deadline - System.nanoTime()) > 0; ) {
      ServerFrame frame = client.nextPush(Duration.ofNanos(left));
      if (frame != null) {
        frames.add(frame);
      }
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
