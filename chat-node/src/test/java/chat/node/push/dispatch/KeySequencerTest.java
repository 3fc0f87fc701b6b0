package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeySequencerTest {

  private final KeySequencer sequencer = new KeySequencer();

  @Test
  void oneKeysTasksRunOneAfterAnotherInOrder() {
    CompletableFuture<String> first = new CompletableFuture<>();
    List<String> started = new ArrayList<>();
    CompletionStage<String> a = sequencer.submit("bob", () -> {
      started.add("a");
      return first;
    });
    CompletionStage<String> b = sequencer.submit("bob", () -> {
      started.add("b");
      return CompletableFuture.completedFuture("b");
    });
    assertEquals(List.of("a"), started);
    assertFalse(b.toCompletableFuture().isDone());

    first.complete("a");
    assertEquals("a", a.toCompletableFuture().join());
    assertEquals("b", b.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join());
    assertEquals(List.of("a", "b"), started);
    assertEquals(0, sequencer.inFlight());
  }

  @Test
  void otherKeysDoNotWait() {
    sequencer.submit("bob", CompletableFuture::new);
    CompletionStage<String> carol = sequencer.submit("carol", () -> CompletableFuture.completedFuture("carol"));
    assertTrue(carol.toCompletableFuture().isDone());
    assertEquals(1, sequencer.inFlight());
  }

  @Test
  void aFailedTaskDoesNotBlockTheNext() {
    CompletionStage<String> failing = sequencer.submit("bob", () -> {
      throw new IllegalStateException("boom");
    });
    CompletionStage<String> next = sequencer.submit("bob", () -> CompletableFuture.completedFuture("next"));
    assertTrue(failing.toCompletableFuture().isCompletedExceptionally());
    assertEquals("next", next.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join());
  }
}
