package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
  private static final SendOutcome REFUSED = new SendOutcome.PlatformUnavailable("UNAUTHENTICATED");

  private final DispatchCounters counters = new DispatchCounters();
  private final PlatformAvailability availability = new PlatformAvailability(counters, Duration.ofMinutes(1));

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

  private RetryingSender retrying(PushSender delegate, int attempts, Duration min, Duration max) {
    return holding(delegate, attempts, min, max, new Backoff(Duration.ofMillis(10), Duration.ofMillis(40), 0.2));
  }

  private RetryingSender holding(PushSender delegate, int attempts, Duration min, Duration max, Backoff hold) {
    return new RetryingSender(
        delegate, new DispatcherSettings.Retry(attempts, new Backoff(min, max, 0.2)), hold, availability);
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

  @Test
  void aPlatformThatRefusesTheDispatcherIsAskedAgainUntilItTakesTheSendWithoutUsingUpAttempts() {
    Scripted platform = new Scripted(REFUSED, REFUSED, REFUSED, UNAVAILABLE, REFUSED, REFUSED, SendOutcome.DELIVERED);
    assertEquals(SendOutcome.DELIVERED, outcome(retrying(platform, 2, Duration.ofMillis(10), Duration.ofMillis(50))));
    assertEquals(7, platform.calls.size());
    assertEquals(5, counters.unavailable());
    assertEquals(0, counters.held(), "released once sent");
    assertFalse(availability.unavailable(PushPlatform.FCM), "available again once it delivered");
  }

  @Test
  void aHeldSendWaitsLongerEachTimeUpToTheMaximum() {
    Scripted platform = new Scripted(REFUSED, REFUSED, REFUSED, REFUSED, SendOutcome.DELIVERED);
    Backoff hold = new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 0);
    assertEquals(SendOutcome.DELIVERED,
        outcome(holding(platform, 1, Duration.ofMillis(10), Duration.ofMillis(10), hold)));
    List<Long> waits = new ArrayList<>();
    for (int i = 1; i < platform.calls.size(); i++) {
      waits.add(TimeUnit.NANOSECONDS.toMillis(platform.calls.get(i) - platform.calls.get(i - 1)));
    }
    assertTrue(waits.get(0) >= 45 && waits.get(1) >= 95 && waits.get(3) >= 95, "waits " + waits);
    assertTrue(waits.stream().allMatch(wait -> wait < 1_000), "waits " + waits);
  }

  @Test
  void stoppingInterruptsAHeldSendAtOnce() throws Exception {
    Scripted platform = new Scripted(REFUSED);
    RetryingSender sender = holding(platform, 5, Duration.ofMillis(10), Duration.ofMillis(10),
        new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), 0));
    CompletableFuture<SendOutcome> held = sender.send(MESSAGE).toCompletableFuture();
    assertEquals(1, counters.held());
    assertTrue(availability.unavailable(PushPlatform.FCM));
    sender.stop();
    CompletionException e = assertThrows(CompletionException.class, () -> held.orTimeout(2, TimeUnit.SECONDS).join());
    assertInstanceOf(RetryingSender.Interrupted.class, e.getCause());
    assertEquals(0, counters.held());
    assertEquals(1, platform.calls.size());
  }
}
