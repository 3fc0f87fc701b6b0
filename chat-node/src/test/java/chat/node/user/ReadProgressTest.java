package chat.node.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.user.ReadProgress.Outcome;
import org.junit.jupiter.api.Test;

class ReadProgressTest {

  @Test
  void countsMessagesFromOthersAfterTheMarker() {
    ReadProgress p = ReadProgress.joinedAt(1);
    p.item(1, false, false); // room_created
    assertEquals(Outcome.COUNTED, p.item(2, true, false));
    assertEquals(Outcome.COUNTED, p.item(3, true, false));
    assertEquals(Outcome.NOTHING, p.item(4, false, false)); // a membership change
    assertEquals(Outcome.NOTHING, p.item(3, true, false)); // a duplicate
    assertEquals(2, p.unread());
  }

  @Test
  void readingToTheEndClearsAndOwnMessagesRead() {
    ReadProgress p = ReadProgress.joinedAt(1);
    p.item(2, true, false);
    p.item(3, true, false);
    assertEquals(Outcome.CHANGED, p.markRead(3));
    assertEquals(0, p.unread());
    assertEquals(Outcome.NOTHING, p.markRead(2));
    p.item(4, true, false);
    assertEquals(Outcome.CHANGED, p.item(5, false, true));
    assertEquals(5, p.readSeq());
    assertEquals(0, p.unread());
    assertTrue(p.takeRecount().isEmpty());
  }

  @Test
  void readingPartWayAsksForARecountAndMessagesMeanwhileAddOn() {
    ReadProgress p = ReadProgress.joinedAt(1);
    for (long seq = 2; seq <= 6; seq++) {
      p.item(seq, true, false);
    }
    assertEquals(Outcome.CHANGED, p.markRead(3));
    ReadProgress.Recount recount = p.takeRecount().orElseThrow();
    assertEquals(3, recount.afterSeq());
    assertEquals(6, recount.upToSeq());
    p.item(7, true, false);
    assertEquals(Outcome.CHANGED, p.recounted(recount.version(), 3));
    assertEquals(4, p.unread());
  }

  @Test
  void aMissedItemIsRecountedAndAStaleRecountIsIgnored() {
    ReadProgress p = ReadProgress.joinedAt(1);
    p.item(2, true, false);
    p.item(5, true, false); // 3 and 4 never arrived
    ReadProgress.Recount first = p.takeRecount().orElseThrow();
    assertEquals(1, first.afterSeq());
    assertEquals(5, first.upToSeq());
    p.markRead(4); // moves the marker during the recount: a new one is due, the first one is stale
    ReadProgress.Recount second = p.takeRecount().orElseThrow();
    assertEquals(Outcome.NOTHING, p.recounted(first.version(), 4));
    assertEquals(Outcome.CHANGED, p.recounted(second.version(), 1));
    assertEquals(1, p.unread());
  }

  @Test
  void survivesBeingSavedAndRestored() {
    ReadProgress p = ReadProgress.joinedAt(3);
    p.item(3, false, false);
    p.item(4, true, false);
    ReadProgress restored = ReadProgress.from(p.state());
    assertEquals(1, restored.unread());
    assertEquals(Outcome.COUNTED, restored.item(5, true, false));
    assertEquals(2, restored.unread());
  }

  @Test
  void learningWhereTheRoomEndsRecountsWhatWasNotCounted() {
    ReadProgress p = ReadProgress.joinedAt(2);
    assertEquals(Outcome.NOTHING, p.caughtUpTo(2));
    assertTrue(p.takeRecount().isEmpty(), "nothing beyond what was counted");
    assertEquals(Outcome.NOTHING, p.caughtUpTo(9));
    ReadProgress.Recount recount = p.takeRecount().orElseThrow();
    assertEquals(2, recount.afterSeq());
    assertEquals(9, recount.upToSeq());
    assertEquals(9, p.countedUpTo());
    assertEquals(Outcome.CHANGED, p.recounted(recount.version(), 4));
    assertEquals(4, p.unread());
  }

  @Test
  void aCountThatMayBeStaleIsRecountedFromTheMarkerEvenIfNothingIsNew() {
    ReadProgress p = ReadProgress.joinedAt(2);
    p.item(3, true, false);
    p.item(4, true, false);
    assertEquals(2, p.unread());
    assertEquals(Outcome.NOTHING, p.caughtUpTo(4));
    ReadProgress.Recount recount = p.takeRecount().orElseThrow();
    assertEquals(2, recount.afterSeq());
    assertEquals(4, recount.upToSeq());
    assertEquals(Outcome.CHANGED, p.recounted(recount.version(), 1));
    assertEquals(1, p.unread());
  }
}
