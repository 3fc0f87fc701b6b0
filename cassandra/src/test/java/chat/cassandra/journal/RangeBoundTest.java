package chat.cassandra.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.CliUsageException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class RangeBoundTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T20:00:00Z"), ZoneId.of("UTC"));

  private static RangeBound parse(String value) {
    return RangeBound.parse("from", value, BERLIN, CLOCK);
  }

  private static Instant time(String value) {
    return ((RangeBound.Time) parse(value)).instant();
  }

  @Test
  void aNumberIsASeq() {
    assertEquals(new RangeBound.Seq(42), parse("42"));
  }

  @Test
  void timesWithAndWithoutOffsets() {
    assertEquals(Instant.parse("2024-05-01T10:02:00Z"), time("2024-05-01T10:02:00Z"));
    assertEquals(Instant.parse("2024-05-01T08:02:00Z"), time("2024-05-01T10:02:00+02:00"));
    assertEquals(Instant.parse("2024-05-01T08:02:00Z"), time("2024-05-01T10:02"));       // Berlin, summer time
    assertEquals(Instant.parse("2024-05-01T08:02:30Z"), time("2024-05-01 10:02:30"));
    assertEquals(Instant.parse("2024-04-30T22:00:00Z"), time("2024-05-01"));
    assertEquals(Instant.parse("2024-05-01T08:02:00Z"), time("10:02"));                   // today, in Berlin
  }

  @Test
  void anythingElseIsAUsageError() {
    CliUsageException e = assertThrows(CliUsageException.class, () -> parse("yesterday"));
    assertTrue(e.getMessage().startsWith("Option --from: 'yesterday' is not a sequence number, or a time"), e.getMessage());
    assertThrows(CliUsageException.class, () -> RangeBound.zone("Mars/Olympus"));
  }

  @Test
  void rangesFilterByTimeInclusively() {
    EventRange range = EventRange.of(new RangeBound.Seq(2), new RangeBound.Time(Instant.ofEpochMilli(JournalFixtures.T0 + 4000)));
    assertEquals(2, range.fromSeq());
    assertEquals(Long.MAX_VALUE, range.toSeq());
    JournalRow atFour = JournalFixtures.posted(4, JournalFixtures.WRITER_A, "a", "x"); // written at T0 + 4 s
    JournalRow atFive = JournalFixtures.posted(5, JournalFixtures.WRITER_A, "a", "y");
    assertTrue(range.includes(atFour));
    assertTrue(!range.includes(atFive));
  }
}
