package chat.loadtest.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a server written here byte by byte, so every frame on the wire is the test's to choose. */
class WsConnectionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern KEY = Pattern.compile("(?i)\r\nSec-WebSocket-Key: *(\\S+)");

  private WsReactor reactor;
  private ServerSocket server;
  private final Events events = new Events();

  @BeforeEach
  void start() throws IOException {
    reactor = new WsReactor(1, "test-io");
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    server.setSoTimeout((int) TIMEOUT.toMillis());
  }

  @AfterEach
  void stop() throws IOException {
    reactor.close();
    server.close();
  }

  @Test
  void speaksTextBothWaysAnswersPingsAndClosesWhenTheServerDoes() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      DataInputStream in = new DataInputStream(peer.getInputStream());
      OutputStream out = peer.getOutputStream();
      String request = readHead(in);
      assertTrue(request.startsWith("GET /v1/ws?x=1 HTTP/1.1\r\n"), request);
      assertTrue(request.contains("\r\nUpgrade: websocket\r\n") && request.contains("\r\nSec-WebSocket-Version: 13\r\n"),
          request);
      accept(out, request);
      WsConnection connection = connecting.get(5, TimeUnit.SECONDS);
      assertEquals(List.of("open"), events.drain(1));

      connection.sendText("hi ü");
      assertFrame(in, WsFrames.TEXT, "hi ü".getBytes(StandardCharsets.UTF_8));

      out.write(WsFramesTest.bytes(0x89, 0x02, 'p', '1'));
      assertFrame(in, WsFrames.PONG, "p1".getBytes(StandardCharsets.US_ASCII));

      // a fragmented message with a ping inside, then one of 70,000 bytes (a 64-bit length) in pieces
      out.write(WsFramesTest.bytes(0x01, 0x03, 'H', 'e', 'l', 0x89, 0x00, 0x80, 0x02, 'l', 'o'));
      assertFrame(in, WsFrames.PONG, new byte[0]);
      String large = "a".repeat(70_000);
      writeTextFrameInPieces(out, large, 9_000);
      assertEquals(List.of("text Hello", "text " + large), events.drain(2));

      // larger than half the loop's read buffer: read in place into a buffer of its own
      String huge = "b".repeat(600_000);
      writeTextFrameInPieces(out, huge, 50_000);
      out.write(WsFramesTest.bytes(0x81, 0x04, 'n', 'e', 'x', 't'));
      assertEquals(List.of("text " + huge, "text next"), events.drain(2));

      byte[] reason = "going".getBytes(StandardCharsets.UTF_8);
      out.write(ByteBuffer.allocate(4 + reason.length).put(WsFramesTest.bytes(0x88, 2 + reason.length))
          .putShort((short) 1001).put(reason).array());
      assertFrame(in, WsFrames.CLOSE, WsFrames.closePayload(1001, ""));
      assertEquals(List.of("close 1001 going"), events.drain(1));
      assertEquals(-1, in.read(), "the client closed the TCP connection after the closing handshake");
    }
  }

  @Test
  void aRefusedUpgradeFailsTheConnect() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      readHead(new DataInputStream(peer.getInputStream()));
      peer.getOutputStream().write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      ExecutionException failure = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
      assertInstanceOf(ProtocolException.class, failure.getCause());
      assertTrue(failure.getCause().getMessage().contains("503"), failure.getCause().getMessage());
    }
  }

  @Test
  void anAcceptThatDoesNotAnswerTheKeyFailsTheConnect() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      readHead(new DataInputStream(peer.getInputStream()));
      peer.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + WsFrames.acceptFor("another key") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      ExecutionException failure = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
      assertInstanceOf(ProtocolException.class, failure.getCause());
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    CompletableFuture<WsConnection> connecting = WsConnection.connect(reactor, uri(), Duration.ofMillis(300), events);
    try (Socket peer = accepted()) {
      readHead(peer.getInputStream()); // and never answer it
      ExecutionException failure = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
      assertInstanceOf(HttpConnectTimeoutException.class, failure.getCause());
      assertEquals(-1, peer.getInputStream().read(), "the client let go of the socket");
    }
  }

  @Test
  void aConnectionThatEndsWithoutACloseFrameIsAnError() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      String request = readHead(new DataInputStream(peer.getInputStream()));
      accept(peer.getOutputStream(), request);
      connecting.get(5, TimeUnit.SECONDS);
      assertEquals(List.of("open"), events.drain(1));
    }
    assertEquals(List.of("error EOFException"), events.drain(1));
  }

  @Test
  void abortDropsTheSocketAndTellsNoOne() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      String request = readHead(new DataInputStream(peer.getInputStream()));
      accept(peer.getOutputStream(), request);
      WsConnection connection = connecting.get(5, TimeUnit.SECONDS);
      assertEquals(List.of("open"), events.drain(1));
      connection.abort();
      assertEquals(-1, peer.getInputStream().read());
      connection.sendText("after the end");
      assertEquals(null, events.queue.poll(200, TimeUnit.MILLISECONDS), "nothing reported for an abort");
    }
  }

  @Test
  void framesThatCameWithTheUpgradeAnswerAreDelivered() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      String request = readHead(peer.getInputStream());
      Matcher key = KEY.matcher(request);
      assertTrue(key.find(), request);
      byte[] head = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + WsFrames.acceptFor(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      peer.getOutputStream().write(ByteBuffer.allocate(head.length + 4).put(head)
          .put(WsFramesTest.bytes(0x81, 0x02, 'h', 'i')).array()); // one write: one segment
      connecting.get(5, TimeUnit.SECONDS);
      assertEquals(List.of("open", "text hi"), events.drain(2));
    }
  }

  @Test
  void aCloseStartedHereEndsWhenTheServerAnswersIt() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      DataInputStream in = new DataInputStream(peer.getInputStream());
      accept(peer.getOutputStream(), readHead(in));
      WsConnection connection = connecting.get(5, TimeUnit.SECONDS);
      assertEquals(List.of("open"), events.drain(1));

      connection.sendClose(1000, "bye");
      assertFrame(in, WsFrames.CLOSE, WsFrames.closePayload(1000, "bye"));
      peer.getOutputStream().write(WsFramesTest.bytes(0x88, 0x02, 0x03, 0xE8));
      assertEquals(List.of("close 1000 "), events.drain(1));
      connection.sendText("after the close");
      assertEquals(-1, in.read(), "nothing follows a close frame, and the socket is let go");
    }
  }

  @Test
  void aOneByteCloseBodyIsAProtocolError() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      accept(peer.getOutputStream(), readHead(peer.getInputStream()));
      connecting.get(5, TimeUnit.SECONDS);
      assertEquals(List.of("open"), events.drain(1));
      peer.getOutputStream().write(WsFramesTest.bytes(0x88, 0x01, 0x03));
      assertEquals(List.of("error ProtocolException"), events.drain(1));
    }
  }

  @Test
  void sendsFromManyThreadsIntoAFullSocketArriveWholeAndInEachThreadsOrder() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      DataInputStream in = new DataInputStream(peer.getInputStream());
      accept(peer.getOutputStream(), readHead(in));
      WsConnection connection = connecting.get(5, TimeUnit.SECONDS);
      int threads = 4;
      int each = 300;
      String padding = "x".repeat(16_000); // 4 × 300 × 16 KB: far more than the socket buffers hold unread
      List<Thread> senders = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread sender = new Thread(() -> {
          for (int i = 0; i < each; i++) {
            connection.sendText(thread + " " + i + " " + padding);
          }
        });
        sender.start();
        senders.add(sender);
      }
      Thread.sleep(300); // the server reads nothing yet: the socket fills, the rest waits in order
      int[] nextOf = new int[threads];
      for (int n = 0; n < threads * each; n++) {
        String text = readClientText(in);
        String[] parts = text.split(" ", 3);
        int thread = Integer.parseInt(parts[0]);
        assertEquals(nextOf[thread]++, Integer.parseInt(parts[1]), "thread " + thread + "'s order");
        assertEquals(padding, parts[2]);
      }
      for (Thread sender : senders) {
        sender.join();
      }
      assertEquals(List.of("open"), events.drain(1), "and the connection stayed up");
    }
  }

  @Test
  void stoppingTheReactorFailsAConnectInFlight() throws Exception {
    CompletableFuture<WsConnection> connecting = connect();
    try (Socket peer = accepted()) {
      readHead(peer.getInputStream()); // and never answer it
      reactor.close();
      ExecutionException failure = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
      assertInstanceOf(IOException.class, failure.getCause());
      assertTrue(connect().isCompletedExceptionally(), "a connect after the stop fails at once");
    }
  }

  /** The client's socket, on which no read waits longer than the test's timeout. */
  private Socket accepted() throws IOException {
    Socket peer = server.accept();
    peer.setSoTimeout((int) TIMEOUT.toMillis());
    return peer;
  }

  private CompletableFuture<WsConnection> connect() {
    return WsConnection.connect(reactor, uri(), TIMEOUT, events);
  }

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/v1/ws?x=1");
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the request ended early: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static void accept(OutputStream out, String request) throws IOException {
    Matcher key = KEY.matcher(request);
    assertTrue(key.find(), request);
    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + WsFrames.acceptFor(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** One final text frame with a 64-bit length, written {@code piece} bytes at a time, a moment apart. */
  private static void writeTextFrameInPieces(OutputStream out, String text, int piece) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
    byte[] frame = ByteBuffer.allocate(10 + payload.length).put(WsFramesTest.bytes(0x81, 0x7F))
        .putLong(payload.length).put(payload).array();
    for (int i = 0; i < frame.length; i += piece) {
      out.write(frame, i, Math.min(piece, frame.length - i));
      out.flush();
      Thread.sleep(2);
    }
  }

  /** Reads one client frame, which must be final and masked, and compares its unmasked payload. */
  private static void assertFrame(DataInputStream in, int opcode, byte[] payload) throws IOException {
    assertArrayEquals(payload, readClientFrame(in, opcode));
  }

  private static String readClientText(DataInputStream in) throws IOException {
    return new String(readClientFrame(in, WsFrames.TEXT), StandardCharsets.UTF_8);
  }

  /** One client frame, which must be final, of {@code opcode} and masked: its payload unmasked. */
  private static byte[] readClientFrame(DataInputStream in, int opcode) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    assertEquals(0x80 | opcode, b0, "final frame of opcode " + opcode);
    assertEquals(0x80, b1 & 0x80, "a client frame is masked");
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] mask = in.readNBytes(4);
    byte[] body = in.readNBytes((int) length);
    for (int i = 0; i < body.length; i++) {
      body[i] ^= mask[i & 3];
    }
    return body;
  }

  /** What the listener was told, as short strings, in order. */
  static final class Events implements WsConnection.Listener {
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    @Override
    public void onOpen(WsConnection connection) {
      queue.add("open");
    }

    @Override
    public void onText(WsConnection connection, String text) {
      queue.add("text " + text);
    }

    @Override
    public void onClose(WsConnection connection, int status, String reason) {
      queue.add("close " + status + " " + reason);
    }

    @Override
    public void onError(WsConnection connection, Throwable error) {
      queue.add("error " + error.getClass().getSimpleName());
    }

    List<String> drain(int count) throws InterruptedException {
      List<String> out = new java.util.ArrayList<>();
      while (out.size() < count) {
        String next = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
          break;
        }
        out.add(next);
      }
      return out;
    }
  }
}
