package chat.cassandra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One versioned CQL schema file, e.g. {@code 001_journal.cql}.
 *
 * @param version  the number the file name starts with; migrations apply in this order
 * @param name     the file name
 * @param script   the file's content, with {@value #KEYSPACE_PLACEHOLDER} where the keyspace goes
 * @param checksum SHA-256 (hex) of the script with line endings normalized, so that a Windows
 *                 checkout does not count as a change
 */
public record Migration(int version, String name, String script, String checksum) {

  public static final String KEYSPACE_PLACEHOLDER = "${keyspace}";

  private static final Pattern FILE_NAME = Pattern.compile("([0-9]{3,})_[a-z0-9_]+\\.cql");

  public Migration {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(checksum, "checksum");
  }

  /** A migration from its file name ({@code NNN_name.cql}) and content. */
  public static Migration of(String fileName, String script) {
    Matcher m = FILE_NAME.matcher(fileName);
    if (!m.matches()) {
      throw new IllegalArgumentException("Migration file name '" + fileName
          + "' does not look like NNN_name.cql (digits, underscore, lower-case name)");
    }
    return new Migration(Integer.parseInt(m.group(1)), fileName, script, sha256(normalize(script)));
  }

  /** The statements of this migration for {@code keyspace}, in file order. */
  public List<String> statements(String keyspace) {
    return CqlScript.statements(script.replace(KEYSPACE_PLACEHOLDER, keyspace));
  }

  @Override
  public String toString() {
    return name;
  }

  private static String normalize(String script) {
    return script.replace("\r\n", "\n").replace('\r', '\n');
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
