package chat.cassandra.journal;

import chat.cassandra.CliUsageException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * One end of a range given on the command line ({@code --from}, {@code --to}, {@code --as-of}): a sequence
 * number, or a time. Times without an offset are read in {@code --zone} (default: this machine's), because
 * "what happened at 10:02" is asked in local time; the output always prints UTC.
 */
public sealed interface RangeBound {

  String FORMATS = "a sequence number, or a time such as 2024-05-01T10:02:00Z, 2024-05-01T10:02:00+02:00,"
      + " 2024-05-01T10:02 or 10:02 (today; without an offset: in --zone)";

  /** For usage texts, under the options. */
  String HELP = """
        A seq is a number. A time is 2024-05-01T10:02:00Z or 2024-05-01T10:02:00+02:00, or without an offset
        (read in --zone): 2024-05-01T10:02, 2024-05-01 10:02:30, 2024-05-01 or 10:02 (today).
      """;

  record Seq(long seq) implements RangeBound {}

  record Time(Instant instant) implements RangeBound {}

  Pattern DIGITS = Pattern.compile("\\d{1,18}");

  /** @throws CliUsageException naming {@code option} when the value is neither */
  static RangeBound parse(String option, String value, ZoneId zone, Clock clock) {
    String v = value.strip();
    if (DIGITS.matcher(v).matches()) {
      return new Seq(Long.parseLong(v));
    }
    String iso = v.length() > 10 && v.charAt(10) == ' ' ? v.substring(0, 10) + 'T' + v.substring(11) : v;
    try {
      return new Time(OffsetDateTime.parse(iso).toInstant());
    } catch (DateTimeParseException notWithOffset) {
      // try the next form
    }
    try {
      return new Time(LocalDateTime.parse(iso).atZone(zone).toInstant());
    } catch (DateTimeParseException notLocal) {
      // try the next form
    }
    try {
      return new Time(LocalDate.parse(iso).atStartOfDay(zone).toInstant());
    } catch (DateTimeParseException notADate) {
      // try the next form
    }
    try {
      return new Time(LocalTime.parse(iso).atDate(LocalDate.now(clock.withZone(zone))).atZone(zone).toInstant());
    } catch (DateTimeParseException notATime) {
      throw new CliUsageException("Option --" + option + ": '" + value + "' is not " + FORMATS);
    }
  }

  /** {@code --zone}, default the system's. */
  static ZoneId zone(String value) {
    if (value == null) {
      return ZoneId.systemDefault();
    }
    try {
      return ZoneId.of(value);
    } catch (RuntimeException e) {
      throw new CliUsageException("Option --zone: unknown time zone '" + value + "' (e.g. UTC, Europe/Berlin)");
    }
  }
}
