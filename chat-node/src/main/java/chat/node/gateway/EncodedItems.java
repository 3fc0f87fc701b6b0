package chat.node.gateway;

import chat.node.room.ChatRoom;
import chat.protocol.FrameCodec;
import chat.protocol.TimelineItem;
import java.util.function.Function;
import org.apache.pekko.util.ByteString;

/**
 * The wire form of recent timeline entries, shared by all connections of a node: a room's fan-out hands one
 * {@link ChatRoom.TimelineEntry} instance to every member's session here, and each of their connections
 * would otherwise map and JSON-encode it again. Encoded once, the bytes are also shared by the recipients'
 * outbound queues instead of copied into each.
 *
 * <p>A direct-mapped table (slot by room and seq) read and written without locks. A slot answers for the
 * entry it was made from, or an equal one (an entry that crossed nodes is a copy): room and seq alone do
 * not prove the content is the same, comparing it costs far less than encoding, and the reference check
 * settles the common case first. Racing writers, a collision or an eviction only mean encoding again,
 * never another entry's payload. Slots are immutable (final fields), so one published by another thread is
 * seen whole. Only live deliveries use it: a replay's entries are wanted once, and would push out live ones.
 *
 * <p>Small on purpose: an entry is wanted again only while its fan-out runs, and every slot keeps an
 * entry and its payload alive until overwritten.
 */
final class EncodedItems {

  /** An entry on the wire: the frame (for the metrics, by its type) and that frame's JSON in UTF-8. */
  record Encoded(ChatRoom.TimelineEntry entry, TimelineItem frame, ByteString payload) {}

  static final int DEFAULT_SLOTS = 256;

  private final Encoded[] slots;
  private final Function<TimelineItem, ByteString> encode;

  EncodedItems(FrameCodec codec) {
    this(DEFAULT_SLOTS, frame -> ByteString.fromArrayUnsafe(codec.encodeBytes(frame)));
  }

  /** {@code slots}: a power of two. */
  EncodedItems(int slots, Function<TimelineItem, ByteString> encode) {
    if (slots < 1 || Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two, not " + slots);
    }
    this.slots = new Encoded[slots];
    this.encode = encode;
  }

  /** The entry's frame and payload: from its slot if that holds this entry (or an equal one), else encoded now (and kept). */
  Encoded encoded(ChatRoom.TimelineEntry entry) {
    int slot = slot(entry);
    Encoded known = slots[slot];
    if (known != null && (known.entry() == entry || known.entry().equals(entry))) {
      return known;
    }
    TimelineItem frame = ProtocolMapping.item(entry);
    Encoded fresh = new Encoded(entry, frame, encode.apply(frame));
    slots[slot] = fresh;
    return fresh;
  }

  /** Consecutive seqs of a room take consecutive slots; rooms are spread by their id's (cached) hash. */
  private int slot(ChatRoom.TimelineEntry entry) {
    int h = entry.roomId().hashCode() * 31 + Long.hashCode(entry.seq());
    return (h ^ (h >>> 16)) & (slots.length - 1);
  }
}
