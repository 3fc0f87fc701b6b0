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
 * <p>{@link SendOutcome.PlatformUnavailable} is never the answer: the platform refuses the dispatcher, not the
 * message, so giving up would drop every request until someone noticed. The send is held instead: asked again
 * after the {@code hold} backoff (doubling up to its maximum), for as long as it takes, without using up
 * {@code attempts}. Its request, and every offset after it, stays uncommitted meanwhile; {@link
 * PlatformAvailability} logs it and counts it.
 *
 * <p>Once {@link #stop stopped} (the dispatcher is shutting down), a send that is waiting to retry completes
 * exceptionally with {@link Interrupted} at once instead of waiting (held sends included): its request is then
 * left uncommitted for the next dispatcher to handle.
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
  private final Backoff hold;
  private final PlatformAvailability availability;
  private final Set<CompletableFuture<Void>> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  RetryingSender(PushSender delegate, DispatcherSettings.Retry retry, Backoff hold, PlatformAvailability availability) {
    this.delegate = delegate;
    this.attempts = retry.attempts();
    this.backoff = retry.backoff();
    this.hold = hold;
    this.availability = availability;
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
    Send send = new Send(message);
    send.attempt(1, 0);
    return send.result;
  }

  /**
   * One message's calls, retries and holds. Each call is started afresh when the wait before it ends, and the
   * last one completes {@link #result}: a hold of hours is a loop of calls, not a chain of futures.
   */
  private final class Send {
    final PushMessage message;
    final CompletableFuture<SendOutcome> result = new CompletableFuture<>();
    boolean held;

    Send(PushMessage message) {
      this.message = message;
    }

    /** Call number {@code attempt} of the retries, after {@code pauses} holds in a row. */
    void attempt(int attempt, int pauses) {
      callOnce(message).whenComplete((outcome, error) -> {
        try {
          if (error != null) {
            finish(null, error);
          } else {
            next(outcome, attempt, pauses);
          }
        } catch (RuntimeException e) {
          finish(null, e);
        }
      });
    }

    private void next(SendOutcome outcome, int attempt, int pauses) {
      if (outcome instanceof SendOutcome.PlatformUnavailable unavailable) {
        availability.refused(message.platform(), unavailable.reason());
        if (!held) {
          held = true;
          availability.hold(message.platform());
        }
        Duration wait = hold.delay(Math.min(pauses + 1, 64));
        log.debug("holding {} for {} ms: {} unavailable ({})", message, wait.toMillis(), message.platform(),
            unavailable.reason());
        then(wait, () -> attempt(attempt, pauses + 1));
        return;
      }
      if (outcome instanceof SendOutcome.Delivered || outcome instanceof SendOutcome.InvalidToken) {
        availability.usable(message.platform());
      }
      if (!(outcome instanceof SendOutcome.Retryable retryable) || attempt >= attempts) {
        finish(outcome, null);
        return;
      }
      Optional<Duration> retryAfter = retryable.retryAfter();
      if (retryAfter.isPresent() && retryAfter.get().compareTo(backoff.maxBackoff()) > 0) {
        finish(new SendOutcome.Retryable(retryAfter,
            retryable.reason() + ", Retry-After " + retryAfter.get().toSeconds() + "s beyond max-backoff"), null);
        return;
      }
      Duration wait = backoff.delay(attempt);
      if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
        wait = retryAfter.get();
      }
      log.debug("retrying {} in {} ms after {} (attempt {} of {})", message, wait.toMillis(), retryable.reason(),
          attempt, attempts);
      then(wait, () -> attempt(attempt + 1, 0));
    }

    /** Runs {@code call} after {@code wait}, or ends the send with {@link Interrupted} if the dispatcher stops. */
    private void then(Duration wait, Runnable call) {
      after(wait).whenComplete((ignored, interrupted) -> {
        if (interrupted != null) {
          finish(null, interrupted);
        } else {
          call.run();
        }
      });
    }

    private void finish(SendOutcome outcome, Throwable error) {
      if (held) {
        held = false;
        availability.release(message.platform());
      }
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(outcome);
      }
    }
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
