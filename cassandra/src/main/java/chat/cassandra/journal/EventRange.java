package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import chat.cassandra.CliUsageException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Which events of one journal to show: by sequence number (inclusive, read from Cassandra as a range) and by
 * journal time (inclusive, filtered here: time is not part of the journal's key, so a time range is a scan).
 */
public record EventRange(long fromSeq, long toSeq, Instant fromTime, Instant toTime) {

  public EventRange {
    fromSeq = Math.max(1, fromSeq);
  }

  /** From the {@code --from}, {@code --to} and {@code --zone} options; a range that holds nothing is a usage error. */
  static EventRange parse(CliArgs args, Clock clock) {
    ZoneId zone = RangeBound.zone(args.value("zone").orElse(null));
    EventRange range = of(
        args.value("from").map(v -> RangeBound.parse("from", v, zone, clock)).orElse(null),
        args.value("to").map(v -> RangeBound.parse("to", v, zone, clock)).orElse(null));
    if (range.isEmpty()) {
      throw new CliUsageException("--from is after --to: the range holds no events");
    }
    return range;
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
