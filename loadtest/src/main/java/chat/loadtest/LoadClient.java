package chat.loadtest;

import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One WebSocket connection of a run, cheap enough to hold thousands in one process: it shares the
 * {@link Fleet}'s HTTP client (one selector thread for all), its codec and its scheduler; it has no thread
 * and no blocking queue of its own. Answers complete the request's future; everything else the server
 * pushes goes to the {@link Handler}, on the HTTP client's threads, one frame at a time per connection.
 *
 * <p>The JDK WebSocket allows one outstanding send per socket, so writes queue here (a plain deque, never
 * blocking) and go out one after another. Failures are counted in the run's {@link Errors}.
 */
final class LoadClient implements WebSocket.Listener {

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
  private volatile WebSocket socket;
  private volatile boolean closing;
  volatile long lastWriteNanos = System.nanoTime();
  // guarded by this
  private final ArrayDeque<String> outbox = new ArrayDeque<>(2);
  private boolean writing;
  private final Map<String, CompletableFuture<ServerFrame>> pending = new HashMap<>(4);
  private long nextId;
  // touched only by the listener, which the JDK calls sequentially
  private StringBuilder partial;

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
    return fleet.http().newWebSocketBuilder()
        .connectTimeout(Fleet.CONNECT_TIMEOUT)
        .buildAsync(fleet.webSocketUri(user), client)
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
    synchronized (this) {
      if (writing) {
        outbox.add(text);
        return;
      }
      writing = true;
    }
    writeNow(text);
  }

  private void writeNow(String text) {
    lastWriteNanos = System.nanoTime();
    socket.sendText(text, true).whenComplete((ws, failure) -> {
      if (failure != null && !closing) {
        fleet.errors().count(Errors.CONNECTION + "write", user + ": " + Errors.describe(failure));
      }
      String next;
      synchronized (this) {
        next = outbox.poll();
        if (next == null) {
          writing = false;
        }
      }
      if (next != null) {
        writeNow(next);
      }
    });
  }

  /** Closes with a close handshake; completes when the server answered it (or the connection went). */
  CompletableFuture<Integer> close() {
    closing = true;
    if (socket != null && !closed.isDone()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((ws, failure) -> {
        if (failure != null) {
          abort();
        }
      });
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
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    if (!last) {
      (partial == null ? partial = new StringBuilder() : partial).append(data);
    } else if (partial != null) {
      String text = partial.append(data).toString();
      partial = null;
      onFrame(text);
    } else {
      onFrame(data.toString());
    }
    webSocket.request(1);
    return null;
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
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    if (!closing) {
      fleet.errors().count(Errors.CONNECTION + "closed-by-server", user + ": " + statusCode + " " + reason);
    }
    ended(statusCode, "closed: " + statusCode + " " + reason);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
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
