package chat.node.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs what follows a Pekko future on the thread that completes it.
 *
 * <p>The {@code CompletionStage}s that Pekko's Java API hands out (an ask's answer, a stream's
 * materialised value) wrap Scala futures, and they run every dependent stage asynchronously, even one
 * added with {@code thenApply}: on {@code ForkJoinPool.commonPool()}, or, where that pool has a
 * parallelism of one (any machine or container with two cores), on a new thread per stage. Under load
 * that is a thread started and torn down for every request. A stage from {@link #inline} is a plain
 * {@code CompletableFuture} that completes where the answer arrives (usually the answering actor's
 * thread, as Pekko's Scala API does with its parasitic execution context), so what is chained onto it
 * must be short and must never block.
 */
public final class Continuations {

  private static final Executor COMPLETING_THREAD = Runnable::run;

  private Continuations() {}

  /** {@code stage}'s outcome, with dependents run on the completing thread. */
  public static <T> CompletableFuture<T> inline(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        plain.complete(value);
      } else {
        plain.completeExceptionally(failure);
      }
    }, COMPLETING_THREAD);
    return plain;
  }
}
