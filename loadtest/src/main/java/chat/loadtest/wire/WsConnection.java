package chat.loadtest.wire;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client WebSocket (RFC 6455, plain {@code ws://}, text messages) on a {@link WsReactor} loop.
 *
 * <p>The listener is called on the loop's thread, one call at a time, in the order the bytes came, and
 * told of the end at most once ({@link Listener#onClose} or {@link Listener#onError}). {@link #sendText},
 * {@link #sendClose} and {@link #abort} may be called from any thread. A frame sent after the end is
 * dropped: the end has been (or is being) reported, or the caller aborted.
 *
 * <p>At a close frame from the server the connection answers it, tells the listener, and waits for the
 * server to close TCP (as RFC 6455 asks, so that the server, not the generator, holds TIME_WAIT), at most
 * {@link #LINGER}.
 */
public final class WsConnection {

  /** What a connection reports. */
  public interface Listener {
    /** The handshake is done; called before {@link #connect}'s future completes. */
    void onOpen(WsConnection connection);

    void onText(WsConnection connection, String text);

    /** The server closed it with a close frame (answered here). */
    void onClose(WsConnection connection, int status, String reason);

    /** It ended otherwise: a transport error, the server's protocol error, or no close frame. */
    void onError(WsConnection connection, Throwable error);
  }

  /** A handshake response longer than this is not one. */
  private static final int MAX_HANDSHAKE = 16 * 1024;
  /** How long after the closing handshake the server gets to close TCP before this side does. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final WsReactor reactor;
  private final WsReactor.Loop loop;
  private final URI uri;
  private final InetSocketAddress address;
  private final Listener listener;
  private final String key;
  private final CompletableFuture<WsConnection> opened = new CompletableFuture<>();

  // the loop's own
  private SelectionKey selectionKey;
  private ByteBuffer carry;
  private ByteArrayOutputStream message;
  private Future<?> timer;

  // guarded by this (the loop reads channel freely once it set it)
  private SocketChannel channel;
  private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>(2);
  private boolean open;
  /** The listener was told of the end, or the caller aborted: no more callbacks. */
  private boolean finished;
  /** The socket is closed: no more bytes either way. */
  private boolean ended;
  private boolean closeSent;

  private WsConnection(WsReactor reactor, URI uri, InetSocketAddress address, Listener listener) {
    this.reactor = reactor;
    this.loop = reactor.assign();
    this.uri = uri;
    this.address = address;
    this.listener = listener;
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    this.key = Base64.getEncoder().encodeToString(nonce);
  }

  /**
   * Connects to a {@code ws://} address and completes once the server accepted the upgrade. Fails if that
   * takes longer than {@code timeout} (the TCP connect and the handshake together).
   */
  public static CompletableFuture<WsConnection> connect(WsReactor reactor, URI uri, Duration timeout, Listener listener) {
    if (!"ws".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("the generator speaks plain ws:// only, not " + uri));
    }
    InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    if (address.isUnresolved()) {
      return CompletableFuture.failedFuture(new IOException("cannot resolve " + uri.getHost()));
    }
    WsConnection connection = new WsConnection(reactor, uri, address, listener);
    if (!connection.loop.execute(() -> connection.start(timeout))) {
      return CompletableFuture.failedFuture(new IOException("the generator's I/O threads were stopped"));
    }
    return connection.opened;
  }

  /** Sends one text message as one frame; only once {@link #connect}'s future has completed. */
  public void sendText(String text) {
    send(WsFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Starts the closing handshake; the server's close frame ends the connection ({@link Listener#onClose}). */
  public void sendClose(int status, String reason) {
    synchronized (this) {
      if (closeSent || !open) {
        return;
      }
      closeSent = true;
      writeLocked(WsFrames.clientFrame(WsFrames.CLOSE, WsFrames.closePayload(status, reason), mask()));
    }
  }

  /** Drops the TCP connection at once, without a closing handshake and without telling the listener. */
  public void abort() {
    synchronized (this) {
      finished = true;
    }
    end();
    opened.completeExceptionally(new IOException("aborted"));
  }

  // ---- the loop's side

  private void start(Duration timeout) {
    timer = reactor.schedule(timeout, () -> loop.execute(() -> {
      if (!opened.isDone()) {
        fail(new HttpConnectTimeoutException("no WebSocket handshake within " + timeout));
      }
    }));
    try {
      SocketChannel opening = SocketChannel.open();
      synchronized (this) {
        if (ended) {
          opening.close(); // aborted before the loop came to it
          return;
        }
        channel = opening;
      }
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      selectionKey = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
      if (channel.connect(address)) {
        connected();
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /** The loop stopped before it started this connection, or while it was open. */
  void stopped() {
    fail(new IOException("the generator's I/O threads were stopped"));
  }

  void ready(SelectionKey readyKey) {
    try {
      if (readyKey.isConnectable()) {
        if (channel.finishConnect()) {
          connected();
        }
        return;
      }
      if (readyKey.isWritable()) {
        flush();
      }
      if (readyKey.isReadable()) {
        read();
      }
    } catch (CancelledKeyException e) {
      // aborted from another thread between select and here
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void connected() {
    selectionKey.interestOps(SelectionKey.OP_READ);
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    String request = "GET " + path + " HTTP/1.1\r\n"
        + "Host: " + uri.getHost() + ":" + address.getPort() + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    synchronized (this) {
      writeLocked(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }
  }

  private void read() throws IOException {
    ByteBuffer in = readInto();
    int n = channel.read(in);
    in.flip();
    consume(in);
    if (isEnded()) {
      return;
    }
    carry = in.hasRemaining() ? (in == carry ? carry : ByteBuffer.allocate(in.remaining()).put(in).flip()) : null;
    if (n < 0) {
      if (isFinished()) {
        end(); // the server's close after the closing handshake
      } else {
        fail(new EOFException("the server ended the connection without a close frame"));
      }
    }
  }

  /**
   * Where the next bytes go, in write mode: the loop's buffer with the leftovers copied in front, or, for a
   * frame larger than that buffer, the leftovers' own buffer grown once to the frame's whole size (so that
   * its pieces are read in place, not copied again at every read).
   */
  private ByteBuffer readInto() {
    ByteBuffer shared = loop.readBuffer();
    shared.clear();
    if (carry == null) {
      return shared;
    }
    int frame = isOpen() ? WsFrames.Reader.frameSize(carry) : -1;
    if (frame <= shared.capacity() / 2) {
      ByteBuffer in = shared.put(carry);
      carry = null;
      return in;
    }
    if (carry.capacity() < frame) {
      carry = ByteBuffer.allocate(frame).put(carry);
    } else {
      carry.compact();
    }
    return carry;
  }

  private void consume(ByteBuffer in) throws IOException {
    if (!isOpen()) {
      int end = headEnd(in);
      if (end < 0) {
        if (in.remaining() > MAX_HANDSHAKE) {
          throw new ProtocolException("no end to the handshake response in " + in.remaining() + " bytes");
        }
        return;
      }
      byte[] head = new byte[end - in.position()];
      in.get(head);
      checkHandshake(new String(head, StandardCharsets.ISO_8859_1));
      synchronized (this) {
        if (finished) {
          return;
        }
        open = true;
      }
      timer.cancel(false);
      listener.onOpen(this);
      opened.complete(this);
    }
    WsFrames.Reader.read(in, this::frame);
  }

  /** The position just after the response head's blank line, or -1. */
  private static int headEnd(ByteBuffer in) {
    for (int i = in.position(); i + 3 < in.limit(); i++) {
      if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
        return i + 4;
      }
    }
    return -1;
  }

  private void checkHandshake(String head) throws ProtocolException {
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new ProtocolException("not an HTTP response: " + lines[0]);
    }
    if (!status[1].equals("101")) {
      throw new ProtocolException("upgrade refused: " + lines[0]);
    }
    String upgrade = null;
    String accept = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = lines[i].substring(colon + 1).trim();
        if (name.equals("upgrade")) {
          upgrade = value;
        } else if (name.equals("sec-websocket-accept")) {
          accept = value;
        }
      }
    }
    if (!"websocket".equalsIgnoreCase(upgrade)) {
      throw new ProtocolException("101 without Upgrade: websocket");
    }
    if (!WsFrames.acceptFor(key).equals(accept)) {
      throw new ProtocolException("Sec-WebSocket-Accept does not answer the key: " + accept);
    }
  }

  private void frame(boolean fin, int opcode, byte[] payload) throws ProtocolException {
    if (isFinished()) {
      return; // after the close frame (or an abort) nothing more is reported
    }
    switch (opcode) {
      case WsFrames.TEXT -> {
        if (message != null) {
          throw new ProtocolException("a new message inside a fragmented one");
        }
        if (fin) {
          text(payload);
        } else {
          message = new ByteArrayOutputStream(payload.length * 2);
          message.writeBytes(payload);
        }
      }
      case WsFrames.CONTINUATION -> {
        if (message == null) {
          throw new ProtocolException("a continuation frame with no message to continue");
        }
        if (message.size() + (long) payload.length > WsFrames.MAX_PAYLOAD) {
          throw new ProtocolException("a fragmented message over " + WsFrames.MAX_PAYLOAD + " bytes");
        }
        message.writeBytes(payload);
        if (fin) {
          byte[] whole = message.toByteArray();
          message = null;
          text(whole);
        }
      }
      case WsFrames.PING -> send(WsFrames.PONG, payload);
      case WsFrames.PONG -> { }
      case WsFrames.CLOSE -> closed(payload);
      case WsFrames.BINARY -> throw new ProtocolException("a binary message (the chat protocol is text)");
      default -> throw new ProtocolException("unknown opcode " + opcode);
    }
  }

  private void text(byte[] utf8) {
    listener.onText(this, new String(utf8, StandardCharsets.UTF_8));
  }

  private void closed(byte[] payload) throws ProtocolException {
    if (payload.length == 1) {
      throw new ProtocolException("a close frame with a one-byte body");
    }
    int status = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    // answer with its status (RFC 6455 5.5.1), or a normal closure for one that may not go on the wire
    sendClose(status >= 1000 && status < 5000 && status != 1005 && status != 1006 && status != 1015 ? status : 1000, "");
    if (finish()) {
      listener.onClose(this, status, reason);
    }
    timer = reactor.schedule(LINGER, () -> loop.execute(this::end));
  }

  private void fail(Throwable error) {
    boolean report = finish();
    end();
    if (report && !opened.completeExceptionally(error)) {
      listener.onError(this, error);
    }
  }

  private void flush() throws IOException {
    synchronized (this) {
      while (!outbound.isEmpty()) {
        ByteBuffer head = outbound.peek();
        channel.write(head);
        if (head.hasRemaining()) {
          return;
        }
        outbound.poll();
      }
    }
    selectionKey.interestOps(SelectionKey.OP_READ);
  }

  private void wantWrite() {
    if (selectionKey != null && selectionKey.isValid()) {
      selectionKey.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
  }

  // ---- either side

  private void send(int opcode, byte[] payload) {
    ByteBuffer frame = WsFrames.clientFrame(opcode, payload, mask());
    synchronized (this) {
      if (!open) {
        throw new IllegalStateException("not open yet: wait for connect's future");
      }
      if (closeSent) {
        return; // nothing may follow a close frame
      }
      writeLocked(frame);
    }
  }

  /** Writes now as far as the socket takes it; the rest waits in order for the loop. Holds this. */
  private void writeLocked(ByteBuffer bytes) {
    if (ended) {
      return;
    }
    if (!outbound.isEmpty()) {
      outbound.add(bytes);
      return;
    }
    try {
      channel.write(bytes);
    } catch (IOException | RuntimeException e) {
      loop.execute(() -> fail(e));
      return;
    }
    if (bytes.hasRemaining()) {
      outbound.add(bytes);
      loop.execute(this::wantWrite);
    }
  }

  /** Marks the end as told (or not to be told): true for the one caller that should tell it. */
  private synchronized boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }

  /** Closes the socket, once. Closing the channel cancels its key. */
  private void end() {
    SocketChannel closing;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      outbound.clear();
      closing = channel;
    }
    if (Thread.currentThread() == loop.thread && timer != null) {
      timer.cancel(false); // from elsewhere (an abort) it runs out harmlessly
    }
    if (closing != null) {
      try {
        closing.close();
      } catch (IOException ignored) {
        // it is going away either way
      }
    }
  }

  private synchronized boolean isOpen() {
    return open;
  }

  private synchronized boolean isFinished() {
    return finished;
  }

  private synchronized boolean isEnded() {
    return ended;
  }

  private static int mask() {
    return ThreadLocalRandom.current().nextInt();
  }
}
