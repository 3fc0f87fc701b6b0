package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DedupCacheTest {

  @Test
  void remembersWhatWasAdded() {
    DedupCache cache = new DedupCache(10);
    cache.add("r1:1:bob");
    assertTrue(cache.contains("r1:1:bob"));
    assertFalse(cache.contains("r1:2:bob"));
  }

  @Test
  void neverHoldsMoreThanItsCapacityAndForgetsTheLeastRecentlyUsed() {
    DedupCache cache = new DedupCache(1_000);
    for (int i = 0; i < 5_000; i++) {
      cache.add("r:" + i + ":bob");
      assertTrue(cache.size() <= 1_000);
    }
    assertEquals(1_000, cache.size());
    assertFalse(cache.contains("r:0:bob"));
    assertFalse(cache.contains("r:3999:bob"));
    for (int i = 4_000; i < 5_000; i++) {
      assertTrue(cache.contains("r:" + i + ":bob"), "key " + i);
    }
  }

  @Test
  void aKeySeenAgainIsKeptLonger() {
    DedupCache cache = new DedupCache(3);
    cache.add("a");
    cache.add("b");
    cache.add("c");
    assertTrue(cache.contains("a"));
    cache.add("d");
    assertTrue(cache.contains("a"));
    assertFalse(cache.contains("b"));
  }

  @Test
  void defaultWindowFromConfigurationIsTwoHundredThousand() {
    var settings = DispatcherSettings.fromConfig(com.typesafe.config.ConfigFactory.load());
    assertEquals(200_000, settings.dedupWindow());
  }

  @Test
  void forgetsARemovedKey() {
    DedupCache cache = new DedupCache(3);
    cache.add("r1:1:bob|phone");
    cache.remove("r1:1:bob|phone");
    assertFalse(cache.contains("r1:1:bob|phone"));
    assertEquals(0, cache.size());
  }

  @Test
  void refusesAnEmptyWindow() {
    assertThrows(IllegalArgumentException.class, () -> new DedupCache(0));
  }
}
