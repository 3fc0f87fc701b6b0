package chat.node.testing;

import chat.cassandra.testkit.TestCassandra;
import chat.protocol.Protocol;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node as its own OS process ({@code chat.node.Main run}), for what only a real process can show:
 * that {@code kill -9} loses nothing that was acknowledged.
 */
public final class NodeProcess implements AutoCloseable {

  private static final chat.node.auth.DevTokenIssuer TOKENS = new chat.node.auth.DevTokenIssuer(
      chat.node.ChatNodeSettings.Auth.hs256(TestNode.JWT_SECRET), java.time.Clock.systemUTC());

  private final Process process;
  private final int httpPort;
  private final int clusterPort;
  private final Path log;

  private NodeProcess(Process process, int httpPort, int clusterPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    this.log = log;
  }

  public static NodeProcess start(TestCassandra cassandra, Path log) throws IOException, InterruptedException {
    return start(cassandra, log, List.of());
  }

  /** {@code options}: system properties ({@code -Dkey=value}) over the test defaults. */
  public static NodeProcess start(TestCassandra cassandra, Path log, List<String> options)
      throws IOException, InterruptedException {
    return start(cassandra, log, freePort(), List.of("-Dchat.cluster.join-self=on"), options);
  }

  /**
   * A node process that joins {@code seed}'s cluster on a cluster port above the seed's, so that in a
   * two-node split the keep-majority resolver keeps the seed (it breaks ties by the lowest address).
   */
  public static NodeProcess join(TestCassandra cassandra, TestNode seed, Path log) throws IOException, InterruptedException {
    return join(cassandra, seed.clusterAddress(), seed.clusterPort(), log);
  }

  /** A node process joining the cluster of the node process {@code seed}. */
  public static NodeProcess join(TestCassandra cassandra, NodeProcess seed, Path log) throws IOException, InterruptedException {
    return join(cassandra, seed.clusterAddress(), seed.clusterPort, log);
  }

  private static NodeProcess join(TestCassandra cassandra, String seedAddress, int seedPort, Path log)
      throws IOException, InterruptedException {
    return start(cassandra, log, freePortAbove(seedPort), List.of(
        "-Dchat.cluster.join-self=off",
        "-Dpekko.cluster.seed-nodes.0=" + seedAddress), List.of());
  }

  public String clusterAddress() {
    return "pekko://chat@127.0.0.1:" + clusterPort;
  }

  private static NodeProcess start(
      TestCassandra cassandra, Path log, int clusterPort, List<String> clusterOptions, List<String> options)
      throws IOException, InterruptedException {
    int httpPort = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-Dchat.http.host=127.0.0.1",
        "-Dchat.http.port=" + httpPort,
        "-Dchat.auth.jwt-secret=" + TestNode.JWT_SECRET,
        "-Dchat.gateway.rate-limits.send.per-second=10000",
        "-Dchat.gateway.rate-limits.send.burst=10000",
        "-Dchat.gateway.rate-limits.other.per-second=10000",
        "-Dchat.gateway.rate-limits.other.burst=10000",
        "-Dchat.cassandra.keyspace=" + cassandra.keyspace(),
        "-Dchat.push.enabled=off",
        "-Dchat.metrics.port=0",
        "-Ddatastax-java-driver.basic.contact-points.0=" + cassandra.host() + ":" + cassandra.port(),
        "-Ddatastax-java-driver.basic.load-balancing-policy.local-datacenter=" + cassandra.localDatacenter(),
        // the production logback.xml, not the test one
        "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path")));
    // after the defaults, so that they win
    command.addAll(command.indexOf("-cp"), options);
    command.addAll(1, clusterOptions);
    command.add(1, "-Dpekko.remote.artery.canonical.port=" + clusterPort);
    command.addAll(List.of(
        "chat.node.Main", "run"));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    NodeProcess node = new NodeProcess(process, httpPort, clusterPort, log);
    node.awaitReady();
    return node;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node process exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/ready").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    close();
    throw new IllegalStateException("node process not ready within 60 s:\n" + Files.readString(log));
  }

  /** A client connected to this node and authenticated as {@code user} (tokens signed with the test secret). */
  public chat.protocol.client.ChatClient login(String user) {
    var client = chat.protocol.client.ChatClient.connect(webSocketUri(), Duration.ofSeconds(10));
    client.hello(TOKENS.issue(user).token()).orTimeout(20, TimeUnit.SECONDS).join();
    return client;
  }

  public URI webSocketUri() {
    return URI.create("ws://127.0.0.1:" + httpPort + Protocol.WEBSOCKET_PATH);
  }

  /** SIGTERM: the node's graceful shutdown. Returns how long until the process exited. */
  public Duration terminate(Duration patience) throws InterruptedException {
    long start = System.nanoTime();
    process.destroy();
    if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      throw new IllegalStateException("node did not exit within " + patience + " of SIGTERM");
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no coordinated shutdown, nothing flushed by the node. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private static int freePortAbove(int floor) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = freePort();
      if (port > floor) {
        return port;
      }
    }
    for (int port = floor + 1; port < 65535; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // next
      }
    }
    throw new IOException("no free port above " + floor);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
