package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import chat.cassandra.CliCommand;
import chat.cassandra.CliUsageException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every inspector command shares: the connection options, {@code --help}, and the order of work. The
 * command line is checked completely before connecting ({@link #parse}), so a typo is a usage error even when
 * Cassandra is down; then one session is opened for the run (only {@code import} writes through it).
 */
abstract class JournalCommand implements CliCommand {

  /** A checked command line, ready to run against the journal. */
  @FunctionalInterface
  interface Run {
    int run(JournalReader reader, PrintStream out, PrintStream err) throws Exception;
  }

  private final Map<String, String> env;

  JournalCommand(Map<String, String> env) {
    this.env = env;
  }

  /** e.g. {@code events <persistence-id> [options]} */
  abstract String synopsis();

  /** What the command does, a few lines. */
  abstract String description();

  /** The command's own options, one per line, each indented by two spaces. */
  abstract String optionsUsage();

  abstract Set<String> valueOptions();

  Set<String> flagOptions() {
    return Set.of();
  }

  /** Names of the positional arguments, in order (all optional to the parser; {@link #parse} requires). */
  List<String> positionals() {
    return List.of();
  }

  /** Checks the command line and returns what to do once connected. */
  abstract Run parse(CliArgs args);

  @Override
  public final String usage() {
    return "Usage: " + synopsis() + "\n" + description().indent(2) + "Options:\n" + optionsUsage()
        + "  --help                       show this help\n" + ConnectionOptions.USAGE;
  }

  @Override
  public final int run(List<String> rawArgs, PrintStream out, PrintStream err) throws Exception {
    Set<String> values = new HashSet<>(valueOptions());
    values.addAll(ConnectionOptions.VALUE_OPTIONS);
    Set<String> flags = new HashSet<>(flagOptions());
    flags.add("help");
    CliArgs args = CliArgs.parse(name(), rawArgs,
        new CliArgs.Spec(values, ConnectionOptions.REPEATABLE_OPTIONS, flags, positionals()));
    if (args.flag("help")) {
      out.print(usage());
      return 0;
    }
    Run run = parse(args);
    ConnectionOptions connection = ConnectionOptions.from(args, env);
    try (JournalSession session = JournalSession.open(connection)) {
      return run.run(new JournalReader(session), out, err);
    }
  }

  // ------------------------------------------------------------------ shared option parsing

  static long positiveLong(CliArgs args, String option, long defaultValue) {
    String value = args.value(option).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value.strip());
      if (parsed < 1) {
        throw new CliUsageException("Option --" + option + " must be at least 1, was " + parsed);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new CliUsageException("Option --" + option + " must be a number, was '" + value + "'");
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  /** {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
  static Duration duration(CliArgs args, String option, Duration defaultValue) {
    String value = args.value(option).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliUsageException("Option --" + option + " must be a duration such as 500ms, 2s, 5m or 1h, was '"
          + value + "'");
    }
    long amount = Long.parseLong(m.group(1));
    Duration parsed = switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
    if (parsed.isZero()) {
      throw new CliUsageException("Option --" + option + " must be longer than 0");
    }
    return parsed;
  }

  static String plural(long n, String singular) {
    return n + " " + (n == 1 ? singular : singular.endsWith("y") ? singular.substring(0, singular.length() - 1) + "ies"
        : singular + "s");
  }
}
