package chat.cassandra.journal;

import java.time.Instant;

/**
 * Which events of one journal to show: by sequence number (inclusive, read from Cassandra as a range) and by
 * journal time (inclusive, filtered here: time is not part of the journal's key, so a time range is a scan).
 */
public record EventRange(long fromSeq, long toSeq, Instant fromTime, Instant toTime) {

  public static final EventRange ALL = new EventRange(1, Long.MAX_VALUE, null, null);

  public EventRange {
    fromSeq = Math.max(1, fromSeq);
  }

  public static EventRange of(RangeBound from, RangeBound to) {
    long fromSeq = from instanceof RangeBound.Seq s ? s.seq() : 1;
    long toSeq = to instanceof RangeBound.Seq s ? s.seq() : Long.MAX_VALUE;
    Instant fromTime = from instanceof RangeBound.Time t ? t.instant() : null;
    Instant toTime = to instanceof RangeBound.Time t ? t.instant() : null;
    return new EventRange(fromSeq, toSeq, fromTime, toTime);
  }

  public boolean includes(JournalRow row) {
    if (row.sequenceNr() < fromSeq || row.sequenceNr() > toSeq) {
      return false;
    }
    Instant at = row.writtenAt();
    return (fromTime == null || !at.isBefore(fromTime)) && (toTime == null || !at.isAfter(toTime));
  }

  public boolean isEmpty() {
    return fromSeq > toSeq || (fromTime != null && toTime != null && fromTime.isAfter(toTime));
  }
}
