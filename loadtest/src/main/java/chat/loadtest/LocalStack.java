package chat.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A fresh local stack for the benchmark suite: the dev-mode node ({@code chat-node.jar dev}: Cassandra,
 * Kafka and the first node, in a data directory of its own) plus {@code nodes - 1} nodes that join it
 * ({@code chat-node.jar dev-join}), every one its own OS process on loopback, on ports picked free. Ready
 * once every node answers {@code /ready} (an Up cluster member). {@link #close()} stops the joined nodes,
 * then the dev-mode node (which stops Cassandra and Kafka), kills whatever is left, and deletes the
 * servers' data; each node's log stays in {@code <dir>/logs}.
 */
final class LocalStack implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

  /** One node process: its HTTP base address and its Prometheus endpoint. */
  record Node(Process process, URI http, URI metrics, Path log) {
    long pid() {
      return process.pid();
    }
  }

  private final Path dir;
  /** Written by the starting thread, read by whichever thread closes the stack (a shutdown hook). */
  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private final Consumer<String> log;
  /** Once closed, nothing more starts: a node launched after {@link #close()} would outlive the suite. */
  private boolean closed;

  /** A stack with nothing started yet, in {@code dir}: {@link #close()} is safe from here on. */
  LocalStack(Path dir, Consumer<String> log) {
    this.dir = dir;
    this.log = log;
  }

  /**
   * Starts {@code nodeCount} nodes from the distribution in {@code distribution} (chat-node.jar with its
   * lib/), with {@code jvmOptions} for every node, and waits until all are ready. The stack's directory
   * must not hold a previous stack's data: it is deleted first. On failure, what started is stopped.
   */
  void start(Path distribution, int nodeCount, List<String> jvmOptions) {
    Path jar = distribution.resolve("chat-node.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no chat-node.jar in " + distribution + " (build it with: mvn -DskipTests package)");
    }
    deleteTree(dir);
    LocalStack stack = this;
    try {
      Files.createDirectories(dir.resolve("logs"));
      Set<Integer> taken = new HashSet<>();
      int cql = freePort(taken);
      int kafka = freePort(taken);
      int seedPort = freePort(taken);
      log.accept("starting Cassandra, Kafka and node 1 in " + dir + " ...");
      stack.launch(jar, jvmOptions, 1, seedPort, freePort(taken), freePort(taken), List.of("dev",
          "--data-dir", dir.toAbsolutePath().toString(),
          "--cql-port", String.valueOf(cql), "--storage-port", String.valueOf(freePort(taken)),
          "--kafka-port", String.valueOf(kafka), "--kafka-controller-port", String.valueOf(freePort(taken))));
      stack.awaitReady(stack.nodes.get(0));
      for (int i = 2; i <= nodeCount; i++) {
        int remote = freePort(taken);
        log.accept("starting node " + i + " ...");
        stack.launch(jar, jvmOptions, i, remote, freePort(taken), freePort(taken), List.of("dev-join",
            "--remote-port", String.valueOf(remote), "--seed-port", String.valueOf(seedPort),
            "--cql-port", String.valueOf(cql), "--kafka-port", String.valueOf(kafka)));
      }
      for (Node node : stack.nodes.subList(1, stack.nodes.size())) {
        stack.awaitReady(node);
      }
      log.accept(nodeCount + " node(s) ready: " + stack.nodes.stream().map(n -> n.http().toString()).toList());
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e instanceof IOException io ? new UncheckedIOException("cannot start the stack: " + e.getMessage(), io)
          : (RuntimeException) e;
    }
  }

  /** The nodes, the dev-mode one (with Cassandra and Kafka) first. */
  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The dev-mode data directory: the generator finds Cassandra's and Kafka's pids there. */
  Path devDir() {
    return dir;
  }

  private synchronized void launch(Path jar, List<String> jvmOptions, int index, int remotePort, int httpPort,
      int metricsPort, List<String> modeArgs) throws IOException {
    if (closed) {
      throw new IllegalStateException("the stack was stopped while it started");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // system properties win over the dev modes' own settings (ConfigFactory.load puts them first)
    command.add("-Dchat.http.port=" + httpPort);
    command.add("-Dchat.metrics.port=" + metricsPort);
    command.add("-Dpekko.remote.artery.canonical.port=" + remotePort);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(modeArgs);
    command.addAll(List.of("--http-port", String.valueOf(httpPort)));
    Path logFile = dir.resolve("logs").resolve("node-" + index + ".log");
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile())
        .start();
    nodes.add(new Node(process, URI.create("http://127.0.0.1:" + httpPort),
        URI.create("http://127.0.0.1:" + metricsPort + "/metrics"), logFile));
  }

  private void awaitReady(Node node) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(node.http().resolve("/ready")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!node.process().isAlive()) {
        throw new IllegalStateException("node " + node.http() + " exited with " + node.process().exitValue()
            + " while starting; its log: " + node.log() + "\n" + tail(node.log()));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + node.http(), e);
      }
      sleep(Duration.ofSeconds(1));
    }
    throw new IllegalStateException("node " + node.http() + " was not ready after " + START_TIMEOUT.toSeconds()
        + " s; its log: " + node.log() + "\n" + tail(node.log()));
  }

  /**
   * Joined nodes first (they hand their shards over), then the dev-mode node, which stops its Cassandra
   * and Kafka; whichever of those two is still alive then (the dev-mode node died earlier, or Kafka was
   * restarted under it) is killed by the pid it wrote. Safe to call again, and from another thread.
   */
  @Override
  public synchronized void close() {
    closed = true;
    Map<String, Long> servers = ServerProcesses.find(List.of(), null, null, dir);
    for (int i = nodes.size() - 1; i >= 0; i--) {
      stop(nodes.get(i));
    }
    nodes.clear();
    for (String server : List.of("cassandra", "kafka")) {
      Long pid = servers.get(server);
      ProcessHandle.of(pid == null ? -1 : pid).filter(ProcessHandle::isAlive).ifPresent(left -> {
        log.accept(server + " (pid " + left.pid() + ") still running; killing it");
        left.destroyForcibly();
        left.onExit().completeOnTimeout(left, 10, TimeUnit.SECONDS).join();
      });
    }
    try {
      deleteTree(dir.resolve("cassandra"));
      deleteTree(dir.resolve("kafka"));
    } catch (UncheckedIOException e) {
      log.accept("could not delete the stack's data: " + e.getMessage());
    }
  }

  private void stop(Node node) {
    Process process = node.process();
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        log.accept("node " + node.http() + " did not stop in " + STOP_TIMEOUT.toSeconds() + " s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    // Cassandra and Kafka are the dev-mode node's children; it stops them, and this makes sure
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroyForcibly();
        child.onExit().completeOnTimeout(child, 10, TimeUnit.SECONDS).join();
      }
    }
  }

  private static int freePort(Set<Integer> taken) throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (taken.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
