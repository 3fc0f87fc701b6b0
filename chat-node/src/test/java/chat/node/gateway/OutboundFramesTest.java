package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class OutboundFramesTest {

  private final OutboundFrames frames = new OutboundFrames(2);
  private final AtomicInteger wakeUps = new AtomicInteger();

  OutboundFramesTest() {
    frames.onWritable(wakeUps::incrementAndGet);
  }

  @Test
  void aFullQueueDropsInsteadOfGrowing() {
    assertEquals(OutboundFrames.Offer.ENQUEUED, frames.offer(ByteString.fromString("a")));
    assertEquals(OutboundFrames.Offer.ENQUEUED, frames.offer(ByteString.fromString("b")));
    assertEquals(OutboundFrames.Offer.DROPPED, frames.offer(ByteString.fromString("c")));
    assertEquals(2, frames.size());
    assertEquals("a", frames.poll().utf8String());
    assertEquals(OutboundFrames.Offer.ENQUEUED, frames.offer(ByteString.fromString("d")));
    assertEquals("b", frames.poll().utf8String());
    assertEquals("d", frames.poll().utf8String());
    assertNull(frames.poll());
  }

  @Test
  void theReaderIsWokenOnlyWhenItWaits() {
    frames.offer(ByteString.fromString("a"));
    assertEquals(0, wakeUps.get());
    frames.poll();
    assertTrue(frames.awaitWritable());
    frames.offer(ByteString.fromString("b"));
    frames.offer(ByteString.fromString("c"));
    assertEquals(1, wakeUps.get());
  }

  @Test
  void aReaderAboutToWaitLooksAgainIfSomethingCameMeanwhile() {
    frames.offer(ByteString.fromString("a"));
    assertFalse(frames.awaitWritable());
    assertEquals(0, wakeUps.get());
  }

  @Test
  void endingWakesTheReaderAndRefusesMore() {
    assertTrue(frames.awaitWritable());
    frames.offer(ByteString.fromString("last"));
    frames.complete();
    assertEquals(1, wakeUps.get());
    assertTrue(frames.completed());
    assertTrue(frames.isEnded());
    assertEquals(OutboundFrames.Offer.CLOSED, frames.offer(ByteString.fromString("late")));
    assertEquals("last", frames.poll().utf8String());
  }

  @Test
  void aFailureIsHandedToTheReader() {
    var cause = new IllegalStateException("x");
    assertTrue(frames.awaitWritable());
    frames.fail(cause);
    assertEquals(1, wakeUps.get());
    assertSame(cause, frames.failure());
  }

  @Test
  void aClosedConnectionTakesNothingMore() {
    frames.offer(ByteString.fromString("a"));
    frames.close();
    assertTrue(frames.isEnded());
    assertNull(frames.poll());
    assertEquals(OutboundFrames.Offer.CLOSED, frames.offer(ByteString.fromString("b")));
  }
}
