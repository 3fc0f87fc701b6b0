package chat.node.testing;

import chat.protocol.FrameCodec;
import chat.protocol.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bare RFC 6455 client on a plain socket, for what a well-behaved client library will not do: stop
 * reading with a tiny receive buffer (so the server really sees TCP backpressure), or send arbitrary
 * frames. Single-threaded; the caller decides when to read.
 */
public final class RawWebSocket implements AutoCloseable {

  /** One frame read from the server. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** For a close frame: the status code. */
    public int closeStatus() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  public static final int CONTINUATION = 0;
  public static final int TEXT = 1;
  public static final int BINARY = 2;
  public static final int CLOSE = 8;
  public static final int PING = 9;
  public static final int PONG = 10;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final SecureRandom random = new SecureRandom();

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawWebSocket connect(URI uri, int receiveBufferBytes) throws IOException {
    Upgrade upgrade = upgrade(uri, receiveBufferBytes, Map.of());
    if (upgrade.socket() == null) {
      throw new IOException("upgrade refused: " + upgrade.status() + " " + upgrade.body());
    }
    return upgrade.socket();
  }

  /** The server's answer to an upgrade request: a socket on 101, otherwise the status and body. */
  public record Upgrade(int status, Map<String, String> headers, String body, RawWebSocket socket) {}

  /** Sends an upgrade request with extra headers (e.g. Origin, Authorization, Sec-WebSocket-Protocol). */
  public static Upgrade upgrade(URI uri, int receiveBufferBytes, Map<String, String> headers) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(receiveBufferBytes);
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    socket.setSoTimeout(30_000);
    RawWebSocket ws = new RawWebSocket(socket);
    try {
      return ws.handshake(uri, headers);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private Upgrade handshake(URI uri, Map<String, String> headers) throws IOException {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    StringBuilder request = new StringBuilder("GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        + " HTTP/1.1\r\n"
        + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n");
    headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    String[] lines = head.toString().split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> responseHeaders = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        responseHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    if (status == 101) {
      return new Upgrade(status, responseHeaders, "", this);
    }
    int length = Integer.parseInt(responseHeaders.getOrDefault("content-length", "0"));
    byte[] body = new byte[length];
    in.readFully(body);
    socket.close();
    return new Upgrade(status, responseHeaders, new String(body, StandardCharsets.UTF_8), null);
  }

  public void sendText(String text) throws IOException {
    sendFrame(true, 0, TEXT, text.getBytes(StandardCharsets.UTF_8), true);
  }

  /**
   * Sends one frame exactly as given: {@code rsv} is the three reserved bits (0 for a valid frame), and a
   * client must mask, so {@code masked=false} is a protocol violation.
   */
  public void sendFrame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode & 0x0f);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      frame.write(maskBit | payload.length);
    } else if (payload.length < 65536) {
      frame.write(maskBit | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift));
      }
    }
    if (masked) {
      byte[] mask = new byte[4];
      random.nextBytes(mask);
      frame.write(mask, 0, 4);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
    } else {
      frame.write(payload, 0, payload.length);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** Writes bytes as they are, for what no frame encoder would produce. */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next ack or error (the answer to a request), skipping pushes. */
  public ServerFrame nextAnswer(FrameCodec codec) throws IOException {
    while (true) {
      ServerFrame frame = codec.decodeServerFrame(read().text());
      if (frame instanceof ServerFrame.Ack || frame instanceof ServerFrame.Error) {
        return frame;
      }
    }
  }

  /** Reads the next frame (server frames are unmasked); pings and pongs are skipped. */
  public Frame read() throws IOException {
    while (true) {
      Frame frame = readAny();
      if (frame.opcode() != PING && frame.opcode() != PONG) {
        return frame;
      }
    }
  }

  /** Reads the next frame, control frames included. */
  public Frame readAny() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** True once the server closed the TCP connection (the next read finds its end). */
  public boolean endOfStream() throws IOException {
    return in.read() < 0;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
