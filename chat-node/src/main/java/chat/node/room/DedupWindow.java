package chat.node.room;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import scala.Option;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Remembers which seq the room's most recent sends got, keyed by sender and clientMsgId, so that a retried
 * send is answered with its original seq instead of being appended twice.
 *
 * <p>Bounded: it keeps the last {@link #GENERATIONS} full generations of {@link #GENERATION_SIZE} sends plus
 * the current one, i.e. between 10,240 and 10,496 sends per room. A retry arriving after more than 10,240 other
 * sends to the same room is treated as a new message. The bound keeps snapshots small (a few hundred KiB).
 *
 * <p>Immutable, because snapshots are serialised asynchronously while the entity keeps running. The current
 * generation is a persistent hash map ({@link Generation}): appending shares all but a few nodes with the
 * window before it, so a send costs the same whatever the window holds. Copying the current generation
 * per send instead cost a tenth of the node's CPU in a busy room.
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
    String key = key(sender, clientMsgId);
    Recorded recorded = new Recorded(seq, ts);
    List<Map<String, Recorded>> next = new ArrayList<>(generations.size() + 1);
    if (current.size() < GENERATION_SIZE) {
      next.add(Generation.of(current).with(key, recorded));
      next.addAll(generations.subList(1, generations.size()));
    } else {
      next.add(Generation.EMPTY.with(key, recorded));
      next.addAll(generations.subList(0, Math.min(generations.size(), GENERATIONS)));
    }
    return new DedupWindow(next);
  }

  public int size() {
    return generations.stream().mapToInt(Map::size).sum();
  }

  // user ids cannot contain NUL, so the key is unambiguous
  static String key(String sender, String clientMsgId) {
    return sender + '\u0000' + clientMsgId;
  }

  /**
   * A generation as a persistent hash map, seen as a read-only {@code java.util.Map} (so that it is
   * serialised like any other map). Generations read back from a snapshot are plain maps; the current one
   * is converted once, when the next send is recorded into it.
   */
  static final class Generation extends AbstractMap<String, Recorded> {

    static final Generation EMPTY = new Generation(HashMap$.MODULE$.empty());

    private final HashMap<String, Recorded> entries;

    private Generation(HashMap<String, Recorded> entries) {
      this.entries = entries;
    }

    static Generation of(Map<String, Recorded> generation) {
      if (generation instanceof Generation persistent) {
        return persistent;
      }
      Generation converted = EMPTY;
      for (Map.Entry<String, Recorded> entry : generation.entrySet()) {
        converted = converted.with(entry.getKey(), entry.getValue());
      }
      return converted;
    }

    Generation with(String key, Recorded recorded) {
      return new Generation(entries.updated(key, recorded));
    }

    @Override
    public Recorded get(Object key) {
      if (!(key instanceof String k)) {
        return null;
      }
      Option<Recorded> found = entries.get(k);
      return found.isDefined() ? found.get() : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public int size() {
      return entries.size();
    }

    @Override
    public Set<Map.Entry<String, Recorded>> entrySet() {
      return CollectionConverters.asJava(entries).entrySet();
    }
  }
}
