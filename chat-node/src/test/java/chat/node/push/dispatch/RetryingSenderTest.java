package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.protocol.PushPlatform;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class RetryingSenderTest {

  private static final PushMessage MESSAGE =
      new PushMessage(PushPlatform.FCM, "r1:1:bob", "phone", "t", "{}", Map.of());
  private static final SendOutcome UNAVAILABLE = new SendOutcome.Retryable(Optional.empty(), "http 503");

  /** Answers with the scripted outcomes in turn (the last one from then on), noting when it was called. */
  private static final class Scripted implements PushSender {
    final Deque<SendOutcome> script;
    final List<Long> calls = new ArrayList<>();

    Scripted(SendOutcome... outcomes) {
      script = new ArrayDeque<>(List.of(outcomes));
    }

    @Override
    public synchronized CompletionStage<SendOutcome> send(PushMessage message) {
      calls.add(System.nanoTime());
      return CompletableFuture.completedFuture(script.size() > 1 ? script.poll() : script.peek());
    }
  }

  private static RetryingSender retrying(PushSender delegate, int attempts, Duration min, Duration max) {
    return new RetryingSender(delegate, new DispatcherSettings.Retry(attempts, new Backoff(min, max, 0.2)));
  }

  private static SendOutcome outcome(RetryingSender sender) {
    return sender.send(MESSAGE).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void retriesUntilDelivered() {
    Scripted platform = new Scripted(UNAVAILABLE, UNAVAILABLE, SendOutcome.DELIVERED);
    assertEquals(SendOutcome.DELIVERED, outcome(retrying(platform, 5, Duration.ofMillis(10), Duration.ofMillis(50))));
    assertEquals(3, platform.calls.size());
  }

  @Test
  void givesUpAfterTheLastAttemptWithTheLastOutcome() {
    Scripted platform = new Scripted(UNAVAILABLE);
    assertEquals(UNAVAILABLE, outcome(retrying(platform, 4, Duration.ofMillis(10), Duration.ofMillis(50))));
    assertEquals(4, platform.calls.size());
  }

  @Test
  void neverRetriesDefinitiveAnswers() {
    for (SendOutcome definitive : List.of(SendOutcome.DELIVERED, new SendOutcome.InvalidToken("UNREGISTERED"),
        new SendOutcome.Failed("SENDER_ID_MISMATCH"))) {
      Scripted platform = new Scripted(definitive);
      assertEquals(definitive, outcome(retrying(platform, 5, Duration.ofMillis(10), Duration.ofMillis(50))));
      assertEquals(1, platform.calls.size());
    }
  }

  @Test
  void waitsAtLeastAsLongAsRetryAfterSays() {
    Scripted platform = new Scripted(
        new SendOutcome.Retryable(Optional.of(Duration.ofMillis(400)), "QUOTA_EXCEEDED"), SendOutcome.DELIVERED);
    assertEquals(SendOutcome.DELIVERED, outcome(retrying(platform, 3, Duration.ofMillis(10), Duration.ofSeconds(1))));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(platform.calls.get(1) - platform.calls.get(0));
    assertTrue(waitedMillis >= 390, "waited only " + waitedMillis + " ms");
  }

  @Test
  void aRetryAfterBeyondMaxBackoffEndsTheRetries() {
    Scripted platform = new Scripted(new SendOutcome.Retryable(Optional.of(Duration.ofHours(1)), "QUOTA_EXCEEDED"));
    SendOutcome outcome = outcome(retrying(platform, 5, Duration.ofMillis(10), Duration.ofSeconds(30)));
    assertInstanceOf(SendOutcome.Retryable.class, outcome);
    assertEquals(1, platform.calls.size());
  }

  @Test
  void aSenderThatThrowsFailsTheSendAndOneThatGetsNoAnswerIsRetried() {
    PushSender broken = message -> {
      throw new IllegalStateException("bug");
    };
    assertEquals(new SendOutcome.Failed("error IllegalStateException"),
        outcome(retrying(broken, 3, Duration.ofMillis(10), Duration.ofMillis(50))));
    AtomicInteger calls = new AtomicInteger();
    PushSender unanswered = message -> {
      calls.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("connection reset"));
    };
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "io IOException"),
        outcome(retrying(unanswered, 3, Duration.ofMillis(10), Duration.ofMillis(50))));
    assertEquals(3, calls.get());
  }

  @Test
  void stoppingInterruptsAWaitingRetryAtOnce() {
    RetryingSender sender = retrying(new Scripted(UNAVAILABLE), 5, Duration.ofSeconds(30), Duration.ofSeconds(30));
    CompletableFuture<SendOutcome> waiting = sender.send(MESSAGE).toCompletableFuture();
    sender.stop();
    CompletionException e =
        assertThrows(CompletionException.class, () -> waiting.orTimeout(2, TimeUnit.SECONDS).join());
    assertInstanceOf(RetryingSender.Interrupted.class, e.getCause());
    // and later sends are not retried either
    assertThrows(CompletionException.class, () -> sender.send(MESSAGE).toCompletableFuture().join());
  }
}
