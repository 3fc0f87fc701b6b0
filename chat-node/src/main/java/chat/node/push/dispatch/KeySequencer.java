package chat.node.push.dispatch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks one after another per key, in the order they were submitted, and concurrently across
 * keys. The dispatcher keys by user, so one user's pushes (and their badge counts) go out in offset order, and a
 * duplicate is checked only after the original was handled. Holds only the keys with a task in flight.
 */
final class KeySequencer {

  private final ConcurrentHashMap<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();

  /** Starts {@code task} once every task submitted earlier for {@code key} has completed, however it completed. */
  <T> CompletionStage<T> submit(String key, Supplier<? extends CompletionStage<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<?> previous = tails.put(key, result);
    CompletableFuture<?> before = previous == null ? CompletableFuture.completedFuture(null) : previous;
    before.handle((ignored, error) -> null)
        .thenCompose(ignored -> start(task))
        .whenComplete((value, error) -> {
          tails.remove(key, result);
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(value);
          }
        });
    return result;
  }

  /** Keys with a task queued or running. */
  int inFlight() {
    return tails.size();
  }

  private static <T> CompletionStage<T> start(Supplier<? extends CompletionStage<T>> task) {
    try {
      return task.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
