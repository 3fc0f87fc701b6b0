package chat.cassandra;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Options of one subcommand: {@code --name value} or {@code --name=value}, and flags ({@code --help}).
 * Strict: unknown options, missing values, repeated options and positional arguments are usage errors.
 */
final class CliArgs {

  private final Map<String, String> values;
  private final Set<String> flags;

  private CliArgs(Map<String, String> values, Set<String> flags) {
    this.values = values;
    this.flags = flags;
  }

  static CliArgs parse(String command, List<String> args, Set<String> valueOptions, Set<String> flagOptions) {
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new CliUsageException("Unexpected argument '" + arg + "' for " + command);
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      if (flagOptions.contains(name) && eq < 0) {
        flags.add(name);
        continue;
      }
      if (!valueOptions.contains(name)) {
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
      if (values.putIfAbsent(name, value) != null) {
        throw new CliUsageException("Option --" + name + " is given more than once");
      }
    }
    return new CliArgs(values, flags);
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  String value(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  String required(String name) {
    return value(name).orElseThrow(() -> new CliUsageException("Option --" + name + " is required"));
  }
}
