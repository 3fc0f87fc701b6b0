package chat.node.concurrent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.japi.function.Function2;

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
 * must be short and must never block. {@code ActorContext.ask} and {@code pipeToSelf} have the same
 * problem (they chain with {@code handle}), so actors ask with {@link #ask} instead.
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

  /**
   * What {@code context.ask} does (the answer, or the failure, mapped by {@code applyToResponse} in the
   * actor), without a thread per answer.
   */
  public static <T, Req, Res> void ask(
      ActorContext<T> context, RecipientRef<Req> target, Duration timeout,
      Function<ActorRef<Res>, Req> createRequest, Function2<Res, Throwable, T> applyToResponse) {
    context.pipeToSelf(inline(AskPattern.ask(target, createRequest, timeout, context.getSystem().scheduler())),
        applyToResponse);
  }
}
