package chat.loadtest;

import chat.loadtest.wire.WsConnection;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One WebSocket connection of a run, cheap enough to hold thousands in one process: it shares the
 * {@link Fleet}'s selector threads, its codec and its scheduler; it has no thread and no blocking queue of
 * its own. Answers complete the request's future; everything else the server pushes goes to the
 * {@link Handler}, on the connection's selector thread, one frame at a time. Failures are counted in the
 * run's {@link Errors}.
 */
final class LoadClient implements WsConnection.Listener {

  /** Receives what the server pushes unasked, and the end of the connection. */
  interface Handler {
    void onPush(LoadClient client, ServerFrame frame);

    /** {@code expected}: this side closed or aborted it. */
    default void onClosed(LoadClient client, int status, boolean expected) {}
  }

  private final Fleet fleet;
  private final String user;
  private final String device;
  private final Handler handler;
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile WsConnection socket;
  private volatile boolean closing;
  volatile long lastWriteNanos = System.nanoTime();
  // guarded by this
  private final Map<String, CompletableFuture<ServerFrame>> pending = new HashMap<>(4);
  private long nextId;

  private LoadClient(Fleet fleet, String user, String device, Handler handler) {
    this.fleet = fleet;
    this.user = user;
    this.device = device;
    this.handler = handler;
  }

  /**
   * Connects and completes {@code hello} (with {@code device} if not null); completes with the client once
   * welcomed. A failure is counted ({@code connection.connect} or {@code connection.hello}) and fails the future.
   */
  static CompletableFuture<LoadClient> open(Fleet fleet, String user, String device, String token, Handler handler) {
    LoadClient client = new LoadClient(fleet, user, device, handler);
    return WsConnection.connect(fleet.reactor(), fleet.webSocketUri(user), Fleet.CONNECT_TIMEOUT, client)
        .whenComplete((ws, failure) -> {
          if (failure != null) {
            fleet.errors().count(Errors.CONNECTION + "connect", user + ": " + Errors.describe(failure));
          }
        })
        .thenCompose(ws -> client.ask(id -> new ClientFrame.Hello(id, Protocol.VERSION, token, device),
                AckResult.Welcome.class)
            .orTimeout(Fleet.HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((welcome, failure) -> {
              if (failure != null) {
                fleet.errors().count(Errors.CONNECTION + "hello", user + ": " + Errors.describe(failure));
                client.abort();
              } else {
                fleet.opened(client);
              }
            }))
        .thenApply(welcome -> client);
  }

  String user() {
    return user;
  }

  String device() {
    return device;
  }

  boolean isOpen() {
    return !closed.isDone();
  }

  CompletableFuture<Integer> closed() {
    return closed;
  }

  /** Sends a request built for a fresh id; completes with its ack or error frame. */
  CompletableFuture<ServerFrame> request(Function<String, ClientFrame> frameForId) {
    CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
    ClientFrame frame;
    synchronized (this) {
      if (closed.isDone()) {
        answer.completeExceptionally(new IllegalStateException("connection closed"));
        return answer;
      }
      frame = frameForId.apply(Long.toString(++nextId, 36));
      pending.put(frame.id(), answer);
    }
    write(fleet.codec().encode(frame));
    return answer;
  }

  /** Sends a frame that asks for no answer (a {@code received} without id). */
  void tell(ClientFrame frame) {
    if (!closed.isDone()) {
      write(fleet.codec().encode(frame));
    }
  }

  /** A request whose ack carries {@code type}; an error answer fails it with {@link RequestFailed}. */
  <T extends AckResult> CompletableFuture<T> ask(Function<String, ClientFrame> frameForId, Class<T> type) {
    return request(frameForId).thenApply(answer -> {
      if (answer instanceof ServerFrame.Error error) {
        throw new RequestFailed(error);
      }
      return type.cast(((ServerFrame.Ack) answer).result());
    });
  }

  /** Requests sent and not yet answered. */
  synchronized int pendingRequests() {
    return pending.size();
  }

  void ping() {
    request(ClientFrame.Ping::new).whenComplete((answer, failure) -> {
      if (failure != null && !closing) {
        fleet.errors().count(Errors.CONNECTION + "ping", user + ": " + Errors.describe(failure));
      }
    });
  }

  private void write(String text) {
    lastWriteNanos = System.nanoTime();
    socket.sendText(text);
  }

  /** Closes with a close handshake; completes when the server answered it (or the connection went). */
  CompletableFuture<Integer> close() {
    closing = true;
    if (socket != null && !closed.isDone()) {
      socket.sendClose(1000, "");
    }
    return closed;
  }

  /** Drops the TCP connection without a close handshake, like a phone losing its network. */
  void abort() {
    closing = true;
    if (socket != null) {
      socket.abort();
    }
    ended(1006, "aborted");
  }

  @Override
  public void onOpen(WsConnection connection) {
    socket = connection;
  }

  @Override
  public void onText(WsConnection connection, String text) {
    onFrame(text);
  }

  private void onFrame(String text) {
    ServerFrame frame;
    try {
      frame = fleet.codec().decodeServerFrame(text);
    } catch (IllegalArgumentException e) {
      fleet.errors().count(Errors.CONNECTION + "undecodable", user + ": " + e.getMessage());
      return;
    }
    String id = frame instanceof ServerFrame.Ack ack ? ack.id()
        : frame instanceof ServerFrame.Error error ? error.id() : null;
    CompletableFuture<ServerFrame> answer = null;
    if (id != null) {
      synchronized (this) {
        answer = pending.remove(id);
      }
    }
    if (answer != null) {
      answer.complete(frame);
    } else if (frame instanceof ServerFrame.Error error) {
      fleet.errors().count(Errors.CONNECTION + "error." + error.code(), user + ": " + error.message());
    } else if (frame instanceof ServerFrame.Closing closingFrame) {
      if (!closing) {
        fleet.errors().count(Errors.CONNECTION + "closing." + closingFrame.code(), user + ": " + closingFrame.message());
      }
    } else {
      handler.onPush(this, frame);
    }
  }

  @Override
  public void onClose(WsConnection connection, int statusCode, String reason) {
    if (!closing) {
      fleet.errors().count(Errors.CONNECTION + "closed-by-server", user + ": " + statusCode + " " + reason);
    }
    ended(statusCode, "closed: " + statusCode + " " + reason);
  }

  @Override
  public void onError(WsConnection connection, Throwable error) {
    if (!closing) {
      fleet.errors().count(Errors.CONNECTION + "transport", user + ": " + Errors.describe(error));
    }
    ended(1006, Errors.describe(error));
  }

  private void ended(int status, String why) {
    if (!closed.complete(status)) {
      return;
    }
    fleet.closed(this);
    List<CompletableFuture<ServerFrame>> unanswered;
    synchronized (this) {
      unanswered = new ArrayList<>(pending.values());
      pending.clear();
    }
    IllegalStateException cause = new IllegalStateException("connection ended before the answer (" + why + ")");
    unanswered.forEach(f -> f.completeExceptionally(cause));
    handler.onClosed(this, status, closing);
  }

  /** An error answer to a request. */
  static final class RequestFailed extends RuntimeException {
    private final ServerFrame.Error error;

    RequestFailed(ServerFrame.Error error) {
      super(error.code() + ": " + error.message(), null, false, false);
      this.error = error;
    }

    ServerFrame.Error error() {
      return error;
    }

    /** Whether the same request may be sent again (the node said so). */
    boolean retryable() {
      return error.retryable();
    }
  }
}
