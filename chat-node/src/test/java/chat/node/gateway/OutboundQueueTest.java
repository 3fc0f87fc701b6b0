package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What a connection writes before its stream's queue exists goes out first, in order, under the same limit. */
class OutboundQueueTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Pair<BoundedSourceQueue<Message>, CompletionStage<List<Message>>> stream(int capacity) {
    return Source.<Message>queue(capacity).toMat(Sink.seq(), Keep.both()).run(testKit.system());
  }

  private static List<String> texts(CompletionStage<List<Message>> out) throws Exception {
    return out.toCompletableFuture().get(5, TimeUnit.SECONDS).stream()
        .map(m -> m.asTextMessage().getStrictText()).toList();
  }

  @Test
  void framesWrittenBeforeTheQueueExistsGoFirstAndInOrder() throws Exception {
    var outbound = new OutboundQueue(4);
    assertEquals(QueueOfferResult.enqueued(), outbound.offer(TextMessage.create("a")));
    assertEquals(QueueOfferResult.enqueued(), outbound.offer(TextMessage.create("b")));
    assertEquals(2, outbound.size());
    var stream = stream(4);
    outbound.attach(stream.first());
    assertEquals(QueueOfferResult.enqueued(), outbound.offer(TextMessage.create("c")));
    outbound.complete();
    assertEquals(List.of("a", "b", "c"), texts(stream.second()));
  }

  @Test
  void theLimitHoldsBeforeTheQueueExistsAndAnEndingWaitsForIt() throws Exception {
    var outbound = new OutboundQueue(2);
    outbound.offer(TextMessage.create("a"));
    outbound.offer(TextMessage.create("b"));
    assertEquals(QueueOfferResult.dropped(), outbound.offer(TextMessage.create("c")));
    outbound.complete();
    assertTrue(outbound.isCompleted());
    assertEquals(QueueOfferResult.closed(), outbound.offer(TextMessage.create("d")));
    var stream = stream(2);
    outbound.attach(stream.first());
    assertEquals(List.of("a", "b"), texts(stream.second()));
  }

  @Test
  void aFailureBeforeTheQueueExistsDropsWhatWaitedAndFailsTheStream() {
    var outbound = new OutboundQueue(2);
    outbound.offer(TextMessage.create("a"));
    outbound.fail(new IllegalStateException("slow consumer"));
    assertTrue(outbound.isCompleted());
    var stream = stream(2);
    outbound.attach(stream.first());
    var failure = assertThrows(ExecutionException.class, () -> stream.second().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals("slow consumer", failure.getCause().getMessage());
  }
}
