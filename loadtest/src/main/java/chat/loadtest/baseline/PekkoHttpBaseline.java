package chat.loadtest.baseline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one connection costs Pekko HTTP itself, in live heap and RSS, before the chat server adds anything:
 * for each {@link BareServer} mode, a server of its own in a fresh JVM, {@code --connections} idle
 * connections opened from this process (an upgrade for the WebSocket modes), and the slope of the live
 * heap (a full GC's class histogram, {@code jcmd GC.class_histogram}) and of RSS from a tenth of them to
 * all of them.
 * It sets a lower bound for the gateway's memory per connection (docs/benchmarks.md).
 *
 * <pre>java -cp loadtest/target/chat-loadtest.jar chat.loadtest.baseline.PekkoHttpBaseline [--connections 2000]</pre>
 */
public final class PekkoHttpBaseline {

  private static final String HTTP_REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  private static final String UPGRADE_REQUEST = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

  private PekkoHttpBaseline() {}

  /** One mode's cost per connection. */
  record Cost(String mode, int connections, long liveBytesPerConnection, long rssBytesPerConnection) {}

  public static void main(String[] args) throws Exception {
    int connections = 2000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--connections")) {
        connections = Integer.parseInt(args[i + 1]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf("%-9s %11s %22s %22s%n", "mode", "connections", "live heap / connection", "RSS / connection");
    for (String mode : List.of("http", "messages", "frames")) {
      Cost cost = measure(mode, connections);
      System.out.printf("%-9s %11d %19.1f KB %19.1f KB%n", mode, cost.connections(),
          cost.liveBytesPerConnection() / 1000.0, cost.rssBytesPerConnection() / 1000.0);
    }
  }

  static Cost measure(String mode, int connections) throws Exception {
    int port = freePort();
    Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-cp", System.getProperty("java.class.path"), BareServer.class.getName(), mode, String.valueOf(port))
        .redirectErrorStream(true).start();
    List<Socket> open = new ArrayList<>();
    try {
      awaitBound(server);
      String request = mode.equals("http") ? HTTP_REQUEST : UPGRADE_REQUEST;
      String expected = mode.equals("http") ? "HTTP/1.1 200" : "HTTP/1.1 101";
      // a first tenth of the connections pays for what is initialised once (caches, compiled code): the
      // slope from there on is what each further connection costs
      int first = Math.max(1, connections / 10);
      for (int i = 0; i < first; i++) {
        open.add(connect(port, request, expected));
      }
      Thread.sleep(3000);
      long live0 = liveHeap(server.pid());
      long rss0 = rss(server.pid());
      for (int i = first; i < connections; i++) {
        open.add(connect(port, request, expected));
      }
      Thread.sleep(5000);
      long live1 = liveHeap(server.pid());
      long rss1 = rss(server.pid());
      int added = connections - first;
      return new Cost(mode, connections, (live1 - live0) / added, (rss1 - rss0) / added);
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static Socket connect(int port, String request, String expected) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    byte[] buffer = new byte[4096];
    int read = socket.getInputStream().read(buffer);
    String head = read > 0 ? new String(buffer, 0, read, StandardCharsets.US_ASCII) : "";
    if (!head.startsWith(expected)) {
      socket.close();
      throw new IOException("expected " + expected + ", got: " + head.lines().findFirst().orElse("nothing"));
    }
    return socket;
  }

  private static void awaitBound(Process server) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.equals("bound")) {
        // keep draining its output so the server never blocks on a full pipe
        Thread drain = new Thread(() -> drain(server.getInputStream()), "bare-server-output");
        drain.setDaemon(true);
        drain.start();
        return;
      }
    }
    throw new IOException("the bare server ended before it listened");
  }

  private static void drain(InputStream in) {
    try {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException ignored) {
      // the server ended
    }
  }

  /** Live heap after a full GC: the total line of {@code jcmd <pid> GC.class_histogram}. */
  static long liveHeap(long pid) throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor();
    return histogramTotal(output);
  }

  /** The bytes of a class histogram's {@code Total} line. */
  static long histogramTotal(String histogram) {
    for (String line : histogram.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("Total")) {
        String[] fields = trimmed.split("\\s+");
        return Long.parseLong(fields[2]);
      }
    }
    throw new IllegalArgumentException("no Total line in the class histogram");
  }

  private static long rss(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS for " + pid);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
