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
}
