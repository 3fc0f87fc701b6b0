package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fake JDK directories: a {@code release} file and an executable {@code bin/java}. */
class JavaHomeLocatorTest {

  @TempDir
  Path jvmDir;

  @Test
  void prefersTheConfiguredHome() throws IOException {
    Path configured = jdk("custom", "17.0.1");
    jdk("other-17", "17.0.9");
    assertEquals(configured, locator(Map.of(), 25).locate(Optional.of(configured)));
  }

  @Test
  void thenTheEnvironmentVariable() throws IOException {
    Path fromEnv = jdk("env-jdk", "17.0.2");
    assertEquals(fromEnv, locator(Map.of("CASSANDRA_JAVA_HOME", fromEnv.toString()), 17).locate(Optional.empty()));
  }

  @Test
  void thenTheCurrentJvmIfItIs17() throws IOException {
    Path current = jdk("current", "17.0.15");
    JavaHomeLocator locator = new JavaHomeLocator(CassandraServer.KIND, Map.of(), current, 17, jvmDir);
    assertEquals(current, locator.locate(Optional.empty()));
  }

  @Test
  void thenTheFirstJdk17InTheJvmDirectory() throws IOException {
    jdk("a-temurin-25", "25");
    Path seventeen = jdk("b-openjdk-17", "17.0.15");
    jdk("c-openjdk-17", "17.0.1");
    assertEquals(seventeen, locator(Map.of(), 25).locate(Optional.empty()));
  }

  @Test
  void lastTheCurrentJvmIfTheServerRunsOnIt() throws IOException {
    Path current = jdk("current-21", "21.0.2");
    jdk("temurin-25", "25");
    ServerKind seventeenOrNewer = new ServerKind("Broker", "Broker 4", "BROKER_JAVA_HOME", feature -> feature >= 17,
        "JDK 17 or newer", "unused", Path.of("unused"), "unused", CassandraStartException::new);
    assertEquals(current,
        new JavaHomeLocator(seventeenOrNewer, Map.of(), current, 21, jvmDir).locate(Optional.empty()));
    assertThrows(CassandraStartException.class,
        () -> new JavaHomeLocator(CassandraServer.KIND, Map.of(), current, 21, jvmDir).locate(Optional.empty()),
        "Cassandra 5.0 does not run on 21");
  }

  @Test
  void failsClearlyWithoutAnyJdk17() throws IOException {
    jdk("temurin-25", "25");
    CassandraStartException e = assertThrows(CassandraStartException.class,
        () -> locator(Map.of(), 25).locate(Optional.empty()));
    assertTrue(e.getMessage().contains("CASSANDRA_JAVA_HOME"), e.getMessage());
  }

  @Test
  void rejectsAnExplicitJdkCassandraCannotRunOn() throws IOException {
    Path jdk25 = jdk("temurin-25", "25.0.1");
    CassandraStartException e = assertThrows(CassandraStartException.class,
        () -> locator(Map.of(), 17).locate(Optional.of(jdk25)));
    assertTrue(e.getMessage().contains("JDK 25"), e.getMessage());
    assertThrows(CassandraStartException.class,
        () -> locator(Map.of(), 17).locate(Optional.of(jvmDir.resolve("missing"))));
  }

  @Test
  void findsARealJdk17Here() {
    Path home = JavaHomeLocator.resolve(CassandraServer.KIND, Optional.empty());
    assertEquals(17, JavaHomeLocator.featureVersion(home).orElse(17));
  }

  private JavaHomeLocator locator(Map<String, String> env, int currentFeature) {
    return new JavaHomeLocator(CassandraServer.KIND, env, jvmDir.resolve("no-current-jvm"), currentFeature, jvmDir);
  }

  private Path jdk(String name, String version) throws IOException {
    Path home = jvmDir.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.writeString(home.resolve("bin").resolve("java"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }
}
