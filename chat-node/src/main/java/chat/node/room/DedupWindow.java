package chat.node.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers which seq the room's most recent sends got, keyed by sender and clientMsgId, so that a retried
 * send is answered with its original seq instead of being appended twice.
 *
 * <p>Bounded: it keeps the last {@link #GENERATIONS} full generations of {@link #GENERATION_SIZE} sends plus
 * the current one, i.e. between 10,240 and 10,496 sends per room. A retry arriving after more than 10,240 other
 * sends to the same room is treated as a new message. The bound keeps snapshots small (a few hundred KiB).
 *
 * <p>Immutable, because snapshots are serialised asynchronously while the entity keeps running. Appending
 * copies only the current generation (at most 256 entries), never the whole window.
 */
public record DedupWindow(List<Map<String, Recorded>> generations) {

  static final int GENERATION_SIZE = 256;
  static final int GENERATIONS = 40;

  /** What the first accepted attempt of a send got. */
  public record Recorded(long seq, long ts) {}

  public DedupWindow {
    generations = List.copyOf(generations);
  }

  public static DedupWindow empty() {
    return new DedupWindow(List.of(Map.of()));
  }

  public Optional<Recorded> lookup(String sender, String clientMsgId) {
    String key = key(sender, clientMsgId);
    for (Map<String, Recorded> generation : generations) {
      Recorded recorded = generation.get(key);
      if (recorded != null) {
        return Optional.of(recorded);
      }
    }
    return Optional.empty();
  }

  public DedupWindow record(String sender, String clientMsgId, long seq, long ts) {
    Map<String, Recorded> current = generations.get(0);
    List<Map<String, Recorded>> next = new ArrayList<>(generations.size() + 1);
    if (current.size() < GENERATION_SIZE) {
      Map<String, Recorded> grown = new HashMap<>(current);
      grown.put(key(sender, clientMsgId), new Recorded(seq, ts));
      next.add(Map.copyOf(grown));
      next.addAll(generations.subList(1, generations.size()));
    } else {
      next.add(Map.of(key(sender, clientMsgId), new Recorded(seq, ts)));
      next.addAll(generations.subList(0, Math.min(generations.size(), GENERATIONS)));
    }
    return new DedupWindow(next);
  }

  public int size() {
    return generations.stream().mapToInt(Map::size).sum();
  }

  // user ids cannot contain NUL, so the key is unambiguous
  private static String key(String sender, String clientMsgId) {
    return sender + '\u0000' + clientMsgId;
  }
}
