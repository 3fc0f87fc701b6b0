package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.junit.jupiter.api.Test;

/** Strict text frames against the two limits (strict frames are read without a stream: no materializer). */
class InboundFramesTest {

  private static final int MAX = 16;
  private static final int DROP = 32;

  private static InboundFrames.Inbound read(InboundFrames frames, String text) {
    return frames.read(TextMessage.create(text)).toCompletableFuture().join();
  }

  @Test
  void framesAreMeasuredInUtf8Bytes() {
    var frames = new InboundFrames(MAX, DROP, null);
    assertEquals(new InboundFrames.Text("a".repeat(5)), read(frames, "a".repeat(5)));
    assertEquals(new InboundFrames.Text("a".repeat(16)), read(frames, "a".repeat(16)));
    assertEquals(new InboundFrames.TooLarge(17), read(frames, "a".repeat(17)));
    // 3 bytes a char: 5 of them are surely within 16 bytes, 6 are not
    assertEquals(new InboundFrames.Text("€".repeat(5)), read(frames, "€".repeat(5)));
    assertEquals(new InboundFrames.TooLarge(18), read(frames, "€".repeat(6)));
    // 6 chars that could take 18 bytes but take exactly 16
    assertEquals(new InboundFrames.Text("€€€€€a"), read(frames, "€€€€€a"));
    // a surrogate pair: 4 bytes for 2 chars
    assertEquals(new InboundFrames.TooLarge(20), read(frames, "😀".repeat(5)));
    assertEquals(new InboundFrames.Text("😀".repeat(4)), read(frames, "😀".repeat(4)));
    assertEquals(new InboundFrames.TooLarge(32), read(frames, "a".repeat(32)));
    assertEquals(new InboundFrames.FarTooLarge(), read(frames, "a".repeat(33)));
    assertEquals(new InboundFrames.FarTooLarge(), read(frames, "€".repeat(11)));
  }

  @Test
  void aDropLimitBelowTheFrameLimitStillDrops() {
    var frames = new InboundFrames(DROP, MAX, null);
    assertEquals(new InboundFrames.Text("a".repeat(5)), read(frames, "a".repeat(5)));
    assertEquals(new InboundFrames.Text("a".repeat(16)), read(frames, "a".repeat(16)));
    assertEquals(new InboundFrames.FarTooLarge(), read(frames, "a".repeat(17)));
    assertEquals(new InboundFrames.FarTooLarge(), read(frames, "€".repeat(6)));
  }
}
