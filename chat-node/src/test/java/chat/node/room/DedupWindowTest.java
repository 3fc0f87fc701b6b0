package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DedupWindowTest {

  @Test
  void remembersWhatItRecordedPerSender() {
    DedupWindow window = DedupWindow.empty().record("alice", "m1", 2, 100).record("bob", "m1", 3, 101);
    assertEquals(Optional.of(new DedupWindow.Recorded(2, 100)), window.lookup("alice", "m1"));
    assertEquals(Optional.of(new DedupWindow.Recorded(3, 101)), window.lookup("bob", "m1"));
    assertTrue(window.lookup("carol", "m1").isEmpty());
  }

  @Test
  void isBoundedAndForgetsTheOldestFirst() {
    int capacity = DedupWindow.GENERATION_SIZE * (DedupWindow.GENERATIONS + 1);
    DedupWindow window = DedupWindow.empty();
    int total = capacity + 3 * DedupWindow.GENERATION_SIZE;
    for (int i = 0; i < total; i++) {
      window = window.record("alice", "m" + i, i + 1, i);
    }
    assertTrue(window.size() <= capacity, "size " + window.size() + " exceeds " + capacity);
    assertTrue(window.lookup("alice", "m0").isEmpty());
    // the most recent GENERATIONS * GENERATION_SIZE sends are always remembered
    for (int i = total - DedupWindow.GENERATIONS * DedupWindow.GENERATION_SIZE; i < total; i++) {
      assertEquals(i + 1, window.lookup("alice", "m" + i).orElseThrow().seq());
    }
  }

  @Test
  void recordingDoesNotChangeTheOriginal() {
    DedupWindow before = DedupWindow.empty().record("alice", "a", 1, 1);
    before.record("alice", "b", 2, 2);
    assertTrue(before.lookup("alice", "b").isEmpty());
  }

  @Test
  void aGenerationReadBackFromASnapshotGoesOnGrowing() {
    // what Jackson hands back: plain maps
    java.util.Map<String, DedupWindow.Recorded> current = new java.util.LinkedHashMap<>();
    current.put("alice\u0000a", new DedupWindow.Recorded(1, 1));
    DedupWindow restored = new DedupWindow(java.util.List.of(current));

    DedupWindow next = restored.record("bob", "b", 2, 2);

    assertEquals(1, next.generations().size(), "a generation that is not full is grown, not replaced");
    assertEquals(2, next.size());
    assertEquals(1, next.lookup("alice", "a").orElseThrow().seq());
    assertEquals(2, next.lookup("bob", "b").orElseThrow().seq());
    assertEquals(java.util.Map.of("alice\u0000a", new DedupWindow.Recorded(1, 1), "bob\u0000b", new DedupWindow.Recorded(2, 2)),
        next.generations().get(0), "a grown generation is still an ordinary map to whoever serialises it");
  }
}
