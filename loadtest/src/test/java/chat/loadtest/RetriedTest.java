package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import chat.protocol.ErrorCode;
import chat.protocol.ServerFrame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Set-up requests are repeated on a retryable error, and only then, and only so often; connects back off. */
class RetriedTest {

  private static CompletableFuture<String> failing(ErrorCode code) {
    return CompletableFuture.failedFuture(new LoadClient.RequestFailed(ServerFrame.Error.of("1", code, "no")));
  }

  @Test
  void aTimeoutIsRepeatedUntilTheRequestSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    String value = Run.retried(() -> calls.incrementAndGet() < 3 ? failing(ErrorCode.TIMEOUT)
        : CompletableFuture.completedFuture("room"), 3).join();
    assertEquals("room", value);
    assertEquals(3, calls.get());
  }

  @Test
  void aRefusalIsNotRepeated() {
    AtomicInteger calls = new AtomicInteger();
    assertFails(() -> Run.retried(() -> {
      calls.incrementAndGet();
      return failing(ErrorCode.FORBIDDEN);
    }, 3).join());
    assertEquals(1, calls.get());
  }

  @Test
  void attemptsAreBounded() {
    AtomicInteger calls = new AtomicInteger();
    assertFails(() -> Run.retried(() -> {
      calls.incrementAndGet();
      return failing(ErrorCode.TIMEOUT);
    }, 3).join());
    assertEquals(3, calls.get());
  }

  @Test
  void aConnectBacksOffDoublingOverAboutHalfAMinute() {
    assertEquals(java.util.List.of(2L, 4L, 8L, 16L), java.util.stream.IntStream.range(1, Run.CONNECT_ATTEMPTS)
        .mapToObj(retry -> Run.connectRetryDelay(retry).toSeconds()).toList());
  }

  private static void assertFails(Executable call) {
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, call);
    assertInstanceOf(LoadClient.RequestFailed.class, e.getCause());
  }
}
