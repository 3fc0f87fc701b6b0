package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chat.node.room.ChatRoom;
import chat.protocol.FrameCodec;
import chat.protocol.Limits;
import chat.protocol.TimelineItem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class EncodedItemsTest {

  private static final FrameCodec CODEC = new FrameCodec(new Limits(65536, 16384, 200, 1000, 32));

  private final AtomicInteger encodings = new AtomicInteger();
  private final Function<TimelineItem, ByteString> countingCodec = frame -> {
    encodings.incrementAndGet();
    return bytes(frame);
  };

  private static ByteString bytes(TimelineItem frame) {
    return ByteString.fromArrayUnsafe(CODEC.encodeBytes(frame));
  }

  private static ChatRoom.TimelineEntry message(String room, long seq, String body) {
    return new ChatRoom.TimelineEntry(room, seq, new ChatRoom.MessagePosted("alice", "c-" + seq, body, 1000 + seq));
  }

  /** What the connection wrote before there was a cache. */
  private static String expected(ChatRoom.TimelineEntry entry) {
    return CODEC.encode(ProtocolMapping.item(entry));
  }

  @Test
  void theSameEntryIsEncodedOnceAndServedAsTheSameBytes() {
    var items = new EncodedItems(CODEC);
    var entry = message("team-1", 7, "hi");
    EncodedItems.Encoded first = items.encoded(entry);
    EncodedItems.Encoded again = items.encoded(entry);
    assertEquals(expected(entry), first.payload().utf8String());
    assertSame(first.payload(), again.payload());
    // the frame counted by the metrics is still the item's own type
    assertInstanceOf(TimelineItem.Message.class, again.frame());
    assertEquals(ProtocolMapping.item(entry), again.frame());
  }

  @Test
  void anEqualLookingEntryGetsItsOwnText() {
    var items = new EncodedItems(EncodedItems.DEFAULT_SLOTS, countingCodec);
    var live = message("team-1", 7, "hi");
    // same room and seq, other content (say, read back from another journal): never served the other's text
    var other = message("team-1", 7, "something else");
    String liveText = items.encoded(live).payload().utf8String();
    String otherText = items.encoded(other).payload().utf8String();
    assertEquals(expected(other), otherText);
    assertNotEquals(liveText, otherText);
    assertEquals(expected(live), items.encoded(live).payload().utf8String());
    assertEquals(3, encodings.get());
  }

  @Test
  void anEqualCopyOfAnEntryIsServedWithoutEncodingAgain() {
    // an entry that crossed nodes arrives as a copy per recipient: equal content is the same text
    var items = new EncodedItems(EncodedItems.DEFAULT_SLOTS, countingCodec);
    var entry = message("team-1", 7, "hi");
    var copy = message("team-1", 7, "hi");
    items.encoded(entry);
    assertEquals(expected(copy), items.encoded(copy).payload().utf8String());
    assertEquals(1, encodings.get());
  }

  @Test
  void aCollisionOnlyCostsAnotherEncoding() {
    // one slot: every entry collides with every other
    var items = new EncodedItems(1, countingCodec);
    var a = message("team-1", 1, "first");
    var b = message("team-2", 2, "second");
    assertEquals(expected(a), items.encoded(a).payload().utf8String());
    assertEquals(expected(a), items.encoded(a).payload().utf8String());
    assertEquals(1, encodings.get());
    assertEquals(expected(b), items.encoded(b).payload().utf8String());
    assertEquals(expected(a), items.encoded(a).payload().utf8String());
    assertEquals(expected(b), items.encoded(b).payload().utf8String());
    assertEquals(4, encodings.get());
  }

  @Test
  void consecutiveSeqsOfARoomDoNotEvictEachOther() {
    var items = new EncodedItems(EncodedItems.DEFAULT_SLOTS, countingCodec);
    List<ChatRoom.TimelineEntry> entries = new ArrayList<>();
    for (long seq = 1; seq <= EncodedItems.DEFAULT_SLOTS; seq++) {
      entries.add(message("team-1", seq, "m" + seq));
    }
    entries.forEach(items::encoded);
    entries.forEach(items::encoded);
    assertEquals(EncodedItems.DEFAULT_SLOTS, encodings.get());
  }

  @Test
  void threadsRacingForFewSlotsEachGetTheirEntrysText() throws InterruptedException {
    var items = new EncodedItems(2, EncodedItemsTest::bytes);
    List<ChatRoom.TimelineEntry> entries = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (long seq = 1; seq <= 16; seq++) {
      var entry = message("team-" + (seq % 3), seq, "body " + seq);
      entries.add(entry);
      texts.add(expected(entry));
    }
    AtomicInteger wrong = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int offset = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          int k = (i * 7 + offset) % entries.size();
          if (!texts.get(k).equals(items.encoded(entries.get(k)).payload().utf8String())) {
            wrong.incrementAndGet();
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(0, wrong.get());
  }

  @Test
  void theSlotCountIsAPowerOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new EncodedItems(3, EncodedItemsTest::bytes));
    assertThrows(IllegalArgumentException.class, () -> new EncodedItems(0, EncodedItemsTest::bytes));
  }
}
