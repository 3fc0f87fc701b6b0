package chat.node.gateway;

import java.util.ArrayDeque;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * A connection's end of its outbound stream. The stream's queue is created inside the connection's own
 * WebSocket stream, which Pekko HTTP materialises after the connection actor has started; until the queue
 * is {@link #attach attached}, what the actor writes (and a completion or failure) waits here, in order,
 * and the same capacity applies. A queue of its own, pre-materialised before the actor, would cost every
 * connection another stream interpreter and actor, and every frame an asynchronous hop into Pekko HTTP's
 * stream. Confined to the connection actor.
 */
final class OutboundQueue {

  private final int capacity;
  private final ArrayDeque<Message> early = new ArrayDeque<>();
  private BoundedSourceQueue<Message> queue;
  private boolean completed;
  private Throwable failure;

  OutboundQueue(int capacity) {
    this.capacity = capacity;
  }

  /** The stream's queue: what waited goes first, then an ending asked for meanwhile. */
  void attach(BoundedSourceQueue<Message> streamQueue) {
    if (queue != null) {
      return;
    }
    queue = streamQueue;
    while (!early.isEmpty()) {
      streamQueue.offer(early.poll()); // at most capacity waited: the queue has room for all of it
    }
    try {
      if (failure != null) {
        streamQueue.fail(failure);
      } else if (completed) {
        streamQueue.complete();
      }
    } catch (IllegalStateException streamAlreadyEnded) {
      // the client went away meanwhile: nothing left to end
    }
  }

  QueueOfferResult offer(Message message) {
    if (queue != null) {
      return queue.offer(message);
    }
    if (completed || failure != null) {
      return QueueOfferResult.closed();
    }
    if (early.size() >= capacity) {
      return QueueOfferResult.dropped();
    }
    early.add(message);
    return QueueOfferResult.enqueued();
  }

  int size() {
    return queue != null ? queue.size() : early.size();
  }

  /** Ends the stream once what is queued went out. */
  void complete() {
    if (queue != null) {
      queue.complete();
    } else {
      completed = true;
    }
  }

  /** Ends the stream at once, dropping what is queued. */
  void fail(Throwable cause) {
    if (queue != null) {
      queue.fail(cause);
    } else {
      early.clear();
      failure = cause;
    }
  }

  boolean isCompleted() {
    return queue != null ? queue.isCompleted() : completed || failure != null;
  }
}
