package chat.cassandra;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Options of one subcommand: {@code --name value} or {@code --name=value}, and flags ({@code --help}).
 * Strict: unknown options, missing values, repeated options and unexpected positional arguments are usage
 * errors. A command may accept some positional arguments (e.g. a persistence id) and some repeatable options
 * (e.g. {@code --contact-point}).
 */
public final class CliArgs {

  /** What a command accepts; {@code positionals} names its positional arguments in order, for messages. */
  public record Spec(Set<String> valueOptions, Set<String> repeatableOptions, Set<String> flagOptions,
      List<String> positionals) {

    public Spec {
      valueOptions = Set.copyOf(valueOptions);
      repeatableOptions = Set.copyOf(repeatableOptions);
      flagOptions = Set.copyOf(flagOptions);
      positionals = List.copyOf(positionals);
    }
  }

  private final Map<String, List<String>> values;
  private final Set<String> flags;
  private final List<String> positionals;

  private CliArgs(Map<String, List<String>> values, Set<String> flags, List<String> positionals) {
    this.values = values;
    this.flags = flags;
    this.positionals = positionals;
  }

  public static CliArgs parse(String command, List<String> args, Set<String> valueOptions, Set<String> flagOptions) {
    return parse(command, args, new Spec(valueOptions, Set.of(), flagOptions, List.of()));
  }

  public static CliArgs parse(String command, List<String> args, Spec spec) {
    Map<String, List<String>> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    List<String> positionals = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        if (positionals.size() >= spec.positionals().size()) {
          throw new CliUsageException("Unexpected argument '" + arg + "' for " + command);
        }
        positionals.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      if (spec.flagOptions().contains(name) && eq < 0) {
        flags.add(name);
        continue;
      }
      boolean repeatable = spec.repeatableOptions().contains(name);
      if (!repeatable && !spec.valueOptions().contains(name)) {
        throw new CliUsageException("Unknown option --" + name + " for " + command);
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new CliUsageException("Option --" + name + " needs a value");
      }
      if (value.isBlank()) {
        throw new CliUsageException("Option --" + name + " needs a value");
      }
      List<String> known = values.computeIfAbsent(name, n -> new ArrayList<>());
      if (!repeatable && !known.isEmpty()) {
        throw new CliUsageException("Option --" + name + " is given more than once");
      }
      known.add(value);
    }
    return new CliArgs(values, flags, positionals);
  }

  public boolean flag(String name) {
    return flags.contains(name);
  }

  public Optional<String> value(String name) {
    List<String> given = values.get(name);
    return given == null ? Optional.empty() : Optional.of(given.get(0));
  }

  public String value(String name, String defaultValue) {
    return value(name).orElse(defaultValue);
  }

  /** Every value of a repeatable option, in the order given; empty if absent. */
  public List<String> values(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  public String required(String name) {
    return value(name).orElseThrow(() -> new CliUsageException("Option --" + name + " is required"));
  }

  /** The {@code index}th positional argument, if given. */
  public Optional<String> positional(int index) {
    return index < positionals.size() ? Optional.of(positionals.get(index)) : Optional.empty();
  }

  public String requiredPositional(int index, String what) {
    return positional(index).orElseThrow(() -> new CliUsageException("Missing " + what));
  }
}
