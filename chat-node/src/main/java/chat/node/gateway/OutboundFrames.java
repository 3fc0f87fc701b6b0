package chat.node.gateway;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;

/**
 * A connection's outbound text frames, between its actor (the only writer) and its WebSocket stage (the
 * only reader). Bounded: a full queue means the client does not read, and the writer is told so rather
 * than blocked. The reader is woken only when it is waiting, so a busy connection costs no wake-up per
 * frame.
 */
final class OutboundFrames {

  enum Offer { ENQUEUED, DROPPED, CLOSED }

  private final int capacity;
  private final ConcurrentLinkedQueue<ByteString> frames = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean readerWaiting = new AtomicBoolean();
  private volatile Runnable wakeReader = () -> { };
  /** Set by the writer: no more frames; what is queued still goes out. */
  private volatile boolean completed;
  /** Set by the writer: drop what is queued and end with this. */
  private volatile Throwable failure;
  /** Set by the reader: the connection is gone, nothing more can go out. */
  private volatile boolean closed;

  OutboundFrames(int capacity) {
    this.capacity = capacity;
  }

  /** How the reader is woken: an asynchronous callback into its stage. */
  void onWritable(Runnable wake) {
    this.wakeReader = wake;
  }

  // ------------------------------------------------------------------ writer side

  /** Queues one text frame's UTF-8 payload. */
  Offer offer(ByteString payload) {
    if (closed || completed || failure != null) {
      return Offer.CLOSED;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return Offer.DROPPED;
    }
    frames.add(payload);
    wake();
    return Offer.ENQUEUED;
  }

  int size() {
    return size.get();
  }

  /** Ends the connection once what is queued went out. */
  void complete() {
    completed = true;
    wake();
  }

  /** Ends the connection at once, dropping what is queued. */
  void fail(Throwable cause) {
    failure = cause;
    wake();
  }

  /** True once either side ended it. */
  boolean isEnded() {
    return completed || failure != null || closed;
  }

  private void wake() {
    if (readerWaiting.compareAndSet(true, false)) {
      wakeReader.run();
    }
  }

  // ------------------------------------------------------------------ reader side

  /** The next frame, or null if none is queued (then see {@link #failure} and {@link #completed}). */
  ByteString poll() {
    ByteString next = frames.poll();
    if (next != null) {
      size.decrementAndGet();
    }
    return next;
  }

  Throwable failure() {
    return failure;
  }

  boolean completed() {
    return completed;
  }

  /**
   * The reader found nothing to do: it is woken by the next offer or ending. False if one slipped in
   * meanwhile (then it must look again instead of waiting).
   */
  boolean awaitWritable() {
    readerWaiting.set(true);
    if (!frames.isEmpty() || completed || failure != null) {
      return !readerWaiting.compareAndSet(true, false);
    }
    return true;
  }

  /** The connection is gone: offers fail from now on and nothing queued will go out. */
  void close() {
    closed = true;
    frames.clear();
    size.set(0);
  }
}
