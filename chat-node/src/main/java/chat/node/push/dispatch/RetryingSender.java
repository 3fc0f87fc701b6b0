package chat.node.push.dispatch;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries {@link SendOutcome.Retryable} outcomes of another sender: up to {@code attempts} calls in all, waiting
 * by {@link Backoff} between them, and never sooner than the platform's {@code Retry-After}. A
 * {@code Retry-After} beyond {@code max-backoff} ends the retries at once rather than holding the request that
 * long. The outcome of the last call is the answer: still {@code Retryable} means the dispatcher gives up.
 *
 * <p>Once {@link #stop stopped} (the dispatcher is shutting down), a send that is waiting to retry completes
 * exceptionally with {@link Interrupted} at once instead of waiting: its request is then left uncommitted for
 * the next dispatcher to handle.
 */
final class RetryingSender implements PushSender {

  private static final Logger log = LoggerFactory.getLogger(RetryingSender.class);

  /** A retry was cut short by shutdown: the request was not fully handled. */
  static final class Interrupted extends RuntimeException {
    Interrupted() {
      super("shutting down", null, false, false);
    }
  }

  private final PushSender delegate;
  private final int attempts;
  private final Backoff backoff;
  private final Set<CompletableFuture<Void>> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  RetryingSender(PushSender delegate, DispatcherSettings.Retry retry) {
    this.delegate = delegate;
    this.attempts = retry.attempts();
    this.backoff = retry.backoff();
  }

  /** Ends every wait for a retry now and refuses new ones: those sends complete with {@link Interrupted}. */
  void stop() {
    stopped = true;
    for (CompletableFuture<Void> wait : waiting) {
      wait.completeExceptionally(new Interrupted());
    }
  }

  @Override
  public CompletionStage<SendOutcome> send(PushMessage message) {
    return attempt(message, 1);
  }

  private CompletionStage<SendOutcome> attempt(PushMessage message, int attempt) {
    return callOnce(message).thenCompose(outcome -> {
      if (!(outcome instanceof SendOutcome.Retryable retryable) || attempt >= attempts) {
        return CompletableFuture.completedFuture(outcome);
      }
      Optional<Duration> retryAfter = retryable.retryAfter();
      if (retryAfter.isPresent() && retryAfter.get().compareTo(backoff.maxBackoff()) > 0) {
        return CompletableFuture.completedFuture(new SendOutcome.Retryable(retryAfter,
            retryable.reason() + ", Retry-After " + retryAfter.get().toSeconds() + "s beyond max-backoff"));
      }
      Duration wait = backoff.delay(attempt);
      if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
        wait = retryAfter.get();
      }
      log.debug("retrying {} in {} ms after {} (attempt {} of {})", message, wait.toMillis(), retryable.reason(),
          attempt, attempts);
      return after(wait).thenCompose(ignored -> attempt(message, attempt + 1));
    });
  }

  private CompletionStage<SendOutcome> callOnce(PushMessage message) {
    try {
      return delegate.send(message).exceptionally(ResponseClassifier::transportError);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(ResponseClassifier.transportError(e));
    }
  }

  /** Completes after {@code wait}, or exceptionally with {@link Interrupted} as soon as the dispatcher stops. */
  private CompletionStage<Void> after(Duration wait) {
    CompletableFuture<Void> waited = new CompletableFuture<>();
    waiting.add(waited);
    waited.whenComplete((done, error) -> waiting.remove(waited));
    if (stopped) {
      waited.completeExceptionally(new Interrupted());
    } else {
      CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> waited.complete(null));
    }
    return waited;
  }
}
