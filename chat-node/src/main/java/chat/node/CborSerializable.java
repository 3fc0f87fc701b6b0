package chat.node;

/**
 * Marker for everything that crosses a node boundary or lands in the journal: commands, replies, events,
 * snapshots. Bound to Jackson CBOR in serialization.conf; nothing uses Java serialization.
 */
public interface CborSerializable {}
