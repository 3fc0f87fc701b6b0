package chat.node.testing;

import chat.protocol.ServerFrame;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Bounded waits for the integration tests: nothing waits forever, and a timeout fails the test. */
public final class Await {

  /** Long enough for a cold node on a busy 2-core machine; a healthy node answers in milliseconds. */
  public static final Duration DEFAULT = Duration.ofSeconds(20);

  private Await() {}

  /** The future's value within {@link #DEFAULT}. */
  public static <T> T result(CompletableFuture<T> future) {
    return future.orTimeout(DEFAULT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** The next {@code closing} frame pushed to {@code client}, skipping other pushes. */
  public static ServerFrame.Closing closing(ChatClient client, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (client.nextPush(Duration.ofNanos(deadline - System.nanoTime())) instanceof ServerFrame.Closing closing) {
        return closing;
      }
    }
    throw new AssertionError("no closing frame within " + timeout);
  }

  /** Polls {@code condition} until it holds, for at most {@link #DEFAULT}. */
  public static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
    until(condition, DEFAULT);
  }

  /** Polls {@code condition} every 100 ms until it holds; fails the test after {@code timeout}. */
  public static void until(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(100);
    }
  }

  /** Takes {@code client}'s pushes until {@code count} frames of {@code type} have come, within {@link #DEFAULT}. */
  public static void frames(ChatClient client, Class<? extends ServerFrame> type, int count) throws InterruptedException {
    long deadline = System.nanoTime() + DEFAULT.toNanos();
    int seen = 0;
    while (seen < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(seen + " of " + count + " " + type.getSimpleName() + " frames within " + DEFAULT);
      }
      seen += type.isInstance(client.nextPush(Duration.ofNanos(left))) ? 1 : 0;
    }
  }
}
