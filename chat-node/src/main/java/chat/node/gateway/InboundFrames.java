package chat.node.gateway;

import static chat.node.concurrent.Continuations.inline;

import chat.protocol.Utf8;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads one WebSocket message, strict or streamed, into an {@link Inbound} without ever holding more than
 * the frame limit in memory. Every streamed message is consumed to its end: Pekko HTTP stalls a
 * connection whose message stream is left unread, and drops it when one is cancelled.
 */
final class InboundFrames {

  sealed interface Inbound {}

  record Text(String text) implements Inbound {}

  /** A text frame over the frame limit: read to its end and discarded. */
  record TooLarge(long bytes) implements Inbound {}

  /** A binary frame: read to its end and discarded. */
  record Binary(long bytes) implements Inbound {}

  /** A frame over the drop limit: not read further; the connection must be closed. */
  record FarTooLarge() implements Inbound {}

  private final int maxFrameBytes;
  private final int dropFrameBytes;
  /** A text up to this many bytes is under both limits: one whose length says so is not counted char by char. */
  private final int withinBothLimits;
  private final Materializer materializer;

  InboundFrames(int maxFrameBytes, int dropFrameBytes, Materializer materializer) {
    this.maxFrameBytes = maxFrameBytes;
    this.dropFrameBytes = dropFrameBytes;
    this.withinBothLimits = Math.min(maxFrameBytes, dropFrameBytes);
    this.materializer = materializer;
  }

  CompletionStage<Inbound> read(Message message) {
    if (message.isText()) {
      TextMessage text = message.asTextMessage();
      if (text.isStrict()) {
        String s = text.getStrictText();
        return CompletableFuture.completedFuture(
            Utf8.surelyWithin(s, withinBothLimits) ? new Text(s) : classify(s, Utf8.length(s)));
      }
      var acc = new TextAccumulator();
      return drain(text.getStreamedText(), acc::add, acc::result);
    }
    BinaryMessage binary = message.asBinaryMessage();
    if (binary.isStrict()) {
      long size = binary.getStrictData().size();
      return CompletableFuture.completedFuture(size > dropFrameBytes ? new FarTooLarge() : new Binary(size));
    }
    long[] size = {0};
    return drain(binary.getStreamedData(), chunk -> (size[0] += chunk.size()) <= dropFrameBytes,
        () -> size[0] > dropFrameBytes ? new FarTooLarge() : new Binary(size[0]));
  }

  /**
   * Consumes a streamed message to its end. As soon as {@code accept} reports the drop limit passed, the
   * result is {@link FarTooLarge}, so the connection can be closed at once; the rest is still read and
   * discarded, because cancelling a message's stream tears the connection down before the closing frame
   * could be sent.
   */
  private <T> CompletionStage<Inbound> drain(Source<T, ?> chunks, Predicate<T> accept, Supplier<Inbound> result) {
    CompletableFuture<Inbound> inbound = new CompletableFuture<>();
    inline(chunks.runWith(Sink.foreach(chunk -> {
          if (!inbound.isDone() && !accept.test(chunk)) {
            inbound.complete(new FarTooLarge());
          }
        }), materializer))
        .whenComplete((done, failure) -> {
          if (failure != null) {
            inbound.completeExceptionally(failure);
          } else {
            inbound.complete(result.get());
          }
        });
    return inbound;
  }

  private Inbound classify(String text, long bytes) {
    if (bytes > dropFrameBytes) {
      return new FarTooLarge();
    }
    return bytes > maxFrameBytes ? new TooLarge(bytes) : new Text(text);
  }

  /** Keeps text up to the frame limit, counts beyond it, stops at the drop limit. One per message. */
  private final class TextAccumulator {
    private final StringBuilder text = new StringBuilder();
    private long bytes;

    /** False once past the drop limit. */
    boolean add(String chunk) {
      bytes += Utf8.length(chunk);
      if (bytes <= maxFrameBytes) {
        text.append(chunk);
      }
      return bytes <= dropFrameBytes;
    }

    Inbound result() {
      return bytes > maxFrameBytes ? classify(null, bytes) : new Text(text.toString());
    }
  }
}
