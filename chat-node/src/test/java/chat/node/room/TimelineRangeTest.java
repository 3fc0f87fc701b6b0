package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimelineRangeTest {

  @Test
  void latestPageIsTheNewestItems() {
    assertEquals(new TimelineRange(41, 50, true), TimelineRange.latest(50, 10));
    assertEquals(new TimelineRange(1, 5, false), TimelineRange.latest(5, 10));
  }

  @Test
  void pagingBackwardsEndsAtSeqOne() {
    assertEquals(new TimelineRange(31, 40, true), TimelineRange.before(41, 10, 50));
    assertEquals(new TimelineRange(1, 10, false), TimelineRange.before(11, 10, 50));
    assertTrue(TimelineRange.before(1, 10, 50).isEmpty());
    // before beyond the end is clamped to the end
    assertEquals(new TimelineRange(41, 50, true), TimelineRange.before(1000, 10, 50));
  }

  @Test
  void pagingForwardsEndsAtTheLastSeq() {
    assertEquals(new TimelineRange(11, 20, true), TimelineRange.after(10, 10, 50));
    assertEquals(new TimelineRange(41, 50, false), TimelineRange.after(40, 10, 50));
    assertEquals(new TimelineRange(46, 50, false), TimelineRange.after(45, 10, 50));
    assertTrue(TimelineRange.after(50, 10, 50).isEmpty());
    assertTrue(TimelineRange.after(70, 10, 50).isEmpty());
  }
}
