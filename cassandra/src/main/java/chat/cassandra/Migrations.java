package chat.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the migrations listed in {@value #INDEX} from the classpath. */
final class Migrations {

  static final String ROOT = "chat/cassandra/schema/";
  static final String INDEX = ROOT + "migrations.txt";

  private Migrations() {
  }

  /** The migrations shipped in this jar, in order. */
  static List<Migration> bundled() {
    return load(Migrations.class.getClassLoader(), ROOT);
  }

  /**
   * @throws IllegalStateException if the index or a listed file is missing, or versions are not
   *                               strictly increasing: a broken build, not a runtime condition
   */
  static List<Migration> load(ClassLoader loader, String root) {
    List<Migration> migrations = new ArrayList<>();
    for (String fileName : readLines(loader, root + "migrations.txt")) {
      String resource = root + fileName;
      String script = readResource(loader, resource);
      Migration migration;
      try {
        migration = Migration.of(fileName, script);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("Bad entry in " + root + "migrations.txt: " + e.getMessage(), e);
      }
      if (!migrations.isEmpty() && migration.version() <= migrations.get(migrations.size() - 1).version()) {
        throw new IllegalStateException(root + "migrations.txt must list versions in strictly increasing "
            + "order, but " + fileName + " follows " + migrations.get(migrations.size() - 1).name());
      }
      migrations.add(migration);
    }
    if (migrations.isEmpty()) {
      throw new IllegalStateException(root + "migrations.txt lists no migrations");
    }
    return List.copyOf(migrations);
  }

  private static List<String> readLines(ClassLoader loader, String resource) {
    return readResource(loader, resource).lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  private static String readResource(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Schema resource " + resource + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read schema resource " + resource, e);
    }
  }
}
