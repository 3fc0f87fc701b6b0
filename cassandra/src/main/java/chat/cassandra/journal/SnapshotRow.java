package chat.cassandra.journal;

import java.time.Instant;

/** One row of the {@code snapshots} table: the entity's serialized state after event {@code sequenceNr}. */
public record SnapshotRow(String persistenceId, long sequenceNr, Instant takenAt, int serId, String serManifest,
    byte[] data) {}
