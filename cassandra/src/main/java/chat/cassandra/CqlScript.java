package chat.cassandra;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a CQL file into statements. Deliberately simple, and so the files must follow one rule: a
 * statement ends with {@code ;} at the end of a line. Whole-line comments ({@code --} or {@code //})
 * are dropped, so a comment ending in {@code ;} does not split anything.
 */
final class CqlScript {

  private CqlScript() {
  }

  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\\R", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--") || trimmed.startsWith("//")) {
        continue;
      }
      if (trimmed.endsWith(";")) {
        current.append(line, 0, line.lastIndexOf(';'));
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
          statements.add(statement);
        }
        current.setLength(0);
      } else {
        current.append(line).append('\n');
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalArgumentException("CQL script ends with a statement that is not terminated by ';' "
          + "at the end of a line: " + current.toString().strip());
    }
    return statements;
  }
}
