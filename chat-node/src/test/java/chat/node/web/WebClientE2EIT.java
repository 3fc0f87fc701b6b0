package chat.node.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The browser client end to end, in Debian's headless Chromium driven by playwright-core
 * ({@code src/test/web/e2e.mjs}): two people chat in a DM and a group, see typing, unread and read state,
 * a second tab acts as a second device, one person's network is cut, an acknowledgement is lost, and the
 * node is killed and restarted on the same port; every message must arrive exactly once. The node runs as
 * its own process so that {@code kill -9} is real. Screenshots end up in {@code target/web-e2e/}.
 *
 * <p>Chromium and Node.js must be installed ({@code .ci/run} does); the test fails rather than skips
 * without them. The npm dependencies are installed here ({@code npm ci}) when missing, so plain
 * {@code mvn verify} runs it too.
 */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class WebClientE2EIT {

  private static final Path WEB = Path.of("src", "test", "web");
  private static final Path OUT = Path.of("target", "web-e2e");
  private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(6);
  private static final Duration NPM_LIMIT = Duration.ofMinutes(5);
  /** A conversation longer than the client's first page (50), for history paging on scroll. */
  private static final int BOOK_CLUB_MESSAGES = 75;

  @Test
  void twoPeopleChatInChromiumAcrossANetworkCutAndANodeRestart(TestCassandra cassandra) throws Exception {
    Path chromium = Tools.chromium();
    Path node = Tools.node();
    Tools.installNpmDependencies(WEB, OUT.resolve("npm.log"), NPM_LIMIT);

    int port = NodeUnderTest.freePort();
    long start = System.nanoTime();
    AtomicReference<NodeUnderTest> server =
        new AtomicReference<>(NodeUnderTest.start(cassandra, port, OUT.resolve("node-1.log")));
    try {
      assertServesTheClient(server.get().httpUri());
      prefillLongConversation(server.get());
      Script script = Script.start(WEB, OUT.resolve("e2e.log"), List.of(node.toString(), "e2e.mjs",
          "--base", "http://127.0.0.1:" + port,
          "--out", OUT.toAbsolutePath().toString(),
          "--chromium", chromium.toString(),
          "--limit-ms", String.valueOf(SCRIPT_LIMIT.minusSeconds(15).toMillis()),
          "--history-messages", String.valueOf(BOOK_CLUB_MESSAGES)));
      script.on("kill-node", () -> {
        server.get().kill();
        return "killed";
      });
      script.on("start-node", () -> {
        server.set(NodeUnderTest.start(cassandra, port, OUT.resolve("node-2.log")));
        return "started";
      });
      int exit = script.await(SCRIPT_LIMIT);
      System.out.printf("web client e2e: script finished with %d after %d s%n", exit,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
      assertEquals(0, exit, "e2e.mjs failed (log: " + OUT.resolve("e2e.log") + "):\n" + script.tail(40));

      // what the browsers showed must be what the journal holds: each clientMsgId once, in that order
      JsonNode result = new ObjectMapper().readTree(script.resultLine()
          .orElseThrow(() -> new AssertionError("e2e.mjs printed no @@result line")));
      assertStoredOnce(server.get(), result);
    } finally {
      server.get().close();
    }
    Path screenshot = OUT.resolve("final.png");
    assertTrue(Files.size(screenshot) > 20_000, "the final screenshot exists: " + screenshot);
  }

  /** "Book club": alice and bob, with more messages than one page, for the script to scroll through. */
  private static void prefillLongConversation(NodeUnderTest server) {
    try (ChatClient alice = ChatClient.connect(server.webSocketUri(), Duration.ofSeconds(10))) {
      alice.hello(ChatClient.devToken(server.httpUri(), "alice")).orTimeout(20, TimeUnit.SECONDS).join();
      alice.createRoom("book-club", "Book club", List.of("bob"), null).orTimeout(20, TimeUnit.SECONDS).join();
      for (int i = 1; i <= BOOK_CLUB_MESSAGES; i++) {
        alice.send("book-club", "book-" + i, "Book club note " + i).orTimeout(20, TimeUnit.SECONDS).join();
      }
    }
  }

  /** The static side: content types, the policy, nothing outside web/ reachable. */
  private static void assertServesTheClient(URI base) throws IOException {
    HttpURLConnection page = get(base.resolve("/"));
    assertEquals(200, page.getResponseCode());
    assertEquals("text/html; charset=UTF-8", page.getContentType());
    String csp = page.getHeaderField("Content-Security-Policy");
    assertTrue(csp != null && csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
        && csp.contains("connect-src 'self' ws://" + base.getAuthority()), "CSP: " + csp);
    assertEquals("nosniff", page.getHeaderField("X-Content-Type-Options"));
    assertEquals("text/javascript; charset=UTF-8", get(base.resolve("/web/app.js")).getContentType());
    assertEquals("text/css; charset=UTF-8", get(base.resolve("/web/style.css")).getContentType());
    HttpURLConnection config = get(base.resolve("/web/config.json"));
    assertEquals("application/json", config.getContentType());
    assertTrue(new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"devMode\":true"));
    for (String outside : List.of(
        "/web/%2e%2e%2fapplication.conf", "/web/..%2Flogback.xml", "/web/application.conf", "/web/nope.js")) {
      assertEquals(404, get(base.resolve(outside)).getResponseCode(), outside);
    }
  }

  private static HttpURLConnection get(URI uri) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setConnectTimeout(2_000);
    c.setReadTimeout(5_000);
    return c;
  }

  private static void assertStoredOnce(NodeUnderTest server, JsonNode result) {
    String user = result.get("users").get(0).asText();
    try (ChatClient client = ChatClient.connect(server.webSocketUri(), Duration.ofSeconds(10))) {
      client.hello(ChatClient.devToken(server.httpUri(), user)).orTimeout(20, TimeUnit.SECONDS).join();
      for (Map.Entry<String, JsonNode> room : result.get("rooms").properties()) {
        List<String> expected = new ArrayList<>();
        room.getValue().forEach(body -> expected.add(body.asText()));
        List<TimelineItem> items = new ArrayList<>();
        AckResult.HistoryPage page;
        do {
          long after = items.isEmpty() ? 0 : items.get(items.size() - 1).seq();
          page = client.history(room.getKey(), null, after, 200).orTimeout(20, TimeUnit.SECONDS).join();
          items.addAll(page.items());
        } while (page.hasMore());
        List<TimelineItem.Message> messages = items.stream()
            .filter(TimelineItem.Message.class::isInstance).map(TimelineItem.Message.class::cast).toList();
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> assertTrue(ids.add(m.clientMsgId()), "stored twice: " + m));
        List<String> stored = messages.stream().map(TimelineItem.Message::body).toList();
        assertEquals(expected, stored, "journal of " + room.getKey());
      }
    }
  }

  /** The e2e script as a child process: its output logged, its requests to restart the node served. */
  private static final class Script {
    private final Process process;
    private final Thread reader;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Map<String, Supplier<String>> commands = new ConcurrentHashMap<>();
    /** What the script started (Chromium and its helpers), noted while it runs: orphans are no descendants. */
    private final Set<ProcessHandle> children = ConcurrentHashMap.newKeySet();

    private Script(Process process, Path log) {
      this.process = process;
      this.reader = new Thread(() -> read(log), "e2e-output");
      this.reader.setDaemon(true);
      Thread watcher = new Thread(() -> {
        while (process.isAlive()) {
          process.descendants().forEach(children::add);
          sleep(1_000);
        }
      }, "e2e-children");
      watcher.setDaemon(true);
      watcher.start();
    }

    static Script start(Path dir, Path log, List<String> command) throws IOException {
      Files.createDirectories(log.getParent());
      Files.deleteIfExists(log);
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      Script script = new Script(process, log);
      script.reader.start();
      return script;
    }

    void on(String command, Supplier<String> handler) {
      commands.put("@@" + command, handler);
    }

    private void read(Path log) {
      try (BufferedReader in = new BufferedReader(
               new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
           Writer out = Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
           Writer toScript = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
          out.write(line + "\n");
          out.flush();
          System.out.println("e2e | " + line);
          Supplier<String> handler = commands.get(line.trim());
          if (handler != null) {
            String answer;
            try {
              answer = handler.get();
            } catch (RuntimeException | AssertionError e) {
              answer = "failed: " + e;
              lines.add("test: " + answer);
              out.write("test: " + answer + "\n");
            }
            toScript.write(answer + "\n");
            toScript.flush();
          }
        }
      } catch (IOException e) {
        lines.add("test: output of the script could not be read: " + e);
      }
    }

    /** Waits for the script; past the limit it is killed, with its Chromium. */
    int await(Duration limit) throws InterruptedException {
      try {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          fail("e2e.mjs did not finish within " + limit + ":\n" + tail(40));
        }
        reader.join(5_000);
        return process.exitValue();
      } finally {
        Tools.destroyTree(process);
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      }
    }

    Optional<String> resultLine() {
      String prefix = "@@result ";
      return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst();
    }

    String tail(int count) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
  }

  /**
   * A dev-mode node in its own process on a fixed HTTP port, so that the page's origin (and with it the
   * browser's WebSocket URL) survives a kill and restart.
   */
  private static final class NodeUnderTest implements AutoCloseable {
    private final Process process;
    private final int httpPort;

    private NodeUnderTest(Process process, int httpPort) {
      this.process = process;
      this.httpPort = httpPort;
    }

    static NodeUnderTest start(TestCassandra cassandra, int httpPort, Path log) {
      List<String> command = List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx384m",
          "-Dchat.dev-mode=on",
          "-Dchat.cluster.join-self=on",
          "-Dchat.http.host=127.0.0.1",
          "-Dchat.http.port=" + httpPort,
          // after kill -9 the old sockets linger in TIME_WAIT; the restarted node binds the port anyway
          "-Dpekko.http.server.socket-options.so-reuse-address=on",
          "-Dpekko.remote.artery.canonical.port=0",
          "-Dchat.auth.jwt-secret=" + TestNode.JWT_SECRET,
          // the prefill sends faster than a person; the browsers stay under the default limits
          "-Dchat.gateway.rate-limits.send.per-second=1000",
          "-Dchat.gateway.rate-limits.send.burst=1000",
          "-Dchat.cassandra.keyspace=" + cassandra.keyspace(),
          "-Ddatastax-java-driver.basic.contact-points.0=" + cassandra.host() + ":" + cassandra.port(),
          "-Ddatastax-java-driver.basic.load-balancing-policy.local-datacenter=" + cassandra.localDatacenter(),
          "-Dlogback.configurationFile=logback.xml",
          "-cp", System.getProperty("java.class.path"),
          "chat.node.Main", "run");
      try {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        NodeUnderTest node = new NodeUnderTest(process, httpPort);
        node.awaitReady(log);
        return node;
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the node", e);
      }
    }

    private void awaitReady(Path log) throws IOException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        if (status("/ready") == 200 && status("/") == 200) {
          return;
        }
        sleep(200);
      }
      close();
      throw new IllegalStateException("node not ready within 90 s:\n" + Files.readString(log));
    }

    private int status(String path) {
      try {
        HttpURLConnection c = (HttpURLConnection) httpUri().resolve(path).toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        return c.getResponseCode();
      } catch (IOException notYet) {
        return -1;
      }
    }

    URI httpUri() {
      return URI.create("http://127.0.0.1:" + httpPort);
    }

    URI webSocketUri() {
      return URI.create("ws://127.0.0.1:" + httpPort + "/v1/ws");
    }

    /** SIGKILL: no shutdown hook, no closing frame; the browsers just see their sockets die. */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
          }
        } catch (InterruptedException e) {
          kill();
          Thread.currentThread().interrupt();
        }
      }
    }

    static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
  }

  /** Finding Chromium and Node.js, installing the npm dependencies, ending process trees. */
  private static final class Tools {

    static Path chromium() {
      String configured = System.getenv("CHROMIUM_PATH");
      List<String> candidates = new ArrayList<>();
      if (configured != null && !configured.isBlank()) {
        candidates.add(configured);
      }
      candidates.add("/usr/bin/chromium");
      onPath("chromium").ifPresent(p -> candidates.add(p.toString()));
      return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElseThrow(() ->
          new AssertionError("Chromium is needed for the web client's end-to-end test: apt-get install -y chromium"
              + " (or set CHROMIUM_PATH). .ci/run installs it."));
    }

    /** Node.js 20 or newer (what playwright-core needs). */
    static Path node() throws IOException, InterruptedException {
      Path node = onPath("node").orElseThrow(() ->
          new AssertionError("Node.js 20+ is needed for the web client's end-to-end test (node and npm on the PATH)"));
      Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      int major = Integer.parseInt(version.replaceAll("^v(\\d+).*$", "$1"));
      assertTrue(major >= 20, "Node.js 20+ is needed, found " + version + " at " + node);
      return node;
    }

    /** {@code npm ci} unless node_modules already holds exactly what package-lock.json names. */
    static void installNpmDependencies(Path dir, Path log, Duration limit) throws IOException, InterruptedException {
      if (installed(dir)) {
        return;
      }
      Path npm = onPath("npm").orElseThrow(() ->
          new AssertionError("npm is needed for the web client's end-to-end test"));
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      // never let a dependency fetch a browser of its own: the test uses Debian's Chromium
      builder.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
      Process process = builder.start();
      try {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          fail("npm ci did not finish within " + limit + " (log: " + log + ")");
        }
        assertEquals(0, process.exitValue(), "npm ci failed:\n" + Files.readString(log));
      } finally {
        destroyTree(process);
      }
      assertTrue(installed(dir), "npm ci did not install what package-lock.json names");
    }

    private static boolean installed(Path dir) throws IOException {
      JsonNode packages = new ObjectMapper().readTree(dir.resolve("package-lock.json").toFile()).path("packages");
      for (Map.Entry<String, JsonNode> entry : packages.properties()) {
        if (entry.getKey().isEmpty()) {
          continue;
        }
        Path manifest = dir.resolve(entry.getKey()).resolve("package.json");
        String wanted = entry.getValue().path("version").asText();
        if (!Files.exists(manifest)
            || !wanted.equals(new ObjectMapper().readTree(manifest.toFile()).path("version").asText())) {
          return false;
        }
      }
      return true;
    }

    static Optional<Path> onPath(String name) {
      String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
      return java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
          .filter(d -> !d.isBlank())
          .map(d -> Path.of(d, name))
          .filter(Files::isExecutable)
          .findFirst();
    }

    /** Children first (the script's Chromium), then the process itself. */
    static void destroyTree(Process process) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
