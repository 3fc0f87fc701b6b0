package chat.protocol.client;

import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.FrameCodec;
import chat.protocol.Limits;
import chat.protocol.NotificationLevel;
import chat.protocol.Protocol;
import chat.protocol.PushPlatform;
import chat.protocol.ServerFrame;
import chat.protocol.Visibility;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small protocol v1 client on the JDK's WebSocket, for tests, the load generator and anyone scripting
 * the server. Requests return futures completed by the matching {@code ack} (or failed with
 * {@link ChatErrorException} on an {@code error}); everything the server pushes unasked (timeline items,
 * errors without a pending id, {@code closing}) lands in {@link #pushes()}.
 */
public final class ChatClient implements AutoCloseable {

  /** The client never sends anything a server would reject for size, so its own decoder limits are loose. */
  private static final Limits CLIENT_LIMITS = new Limits(1 << 20, 1 << 20, 1000, 100_000, 1000);

  private final FrameCodec codec = new FrameCodec(CLIENT_LIMITS);
  private final Map<String, CompletableFuture<ServerFrame>> pending = new ConcurrentHashMap<>();
  private final BlockingQueue<ServerFrame> pushes = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final Object sendLock = new Object();
  private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
  private volatile WebSocket socket;
  private volatile java.util.concurrent.ScheduledFuture<?> heartbeat;

  /** Servers close connections that send nothing for 30 s; an idle client pings every 15 s. */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
  private static final java.util.concurrent.ScheduledExecutorService HEARTBEATS =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chat-client-heartbeat");
        t.setDaemon(true);
        return t;
      });

  private ChatClient() {}

  /** Connects to a node's WebSocket endpoint, e.g. {@code ws://127.0.0.1:8080/v1/ws}. */
  public static ChatClient connect(URI uri, Duration timeout) {
    return connect(uri, timeout, Map.of());
  }

  /**
   * Connects with extra upgrade request headers, e.g. {@code Authorization: Bearer <token>} to be
   * authenticated before the socket opens (then {@link #hello(String, String)} may pass a null token).
   */
  public static ChatClient connect(URI uri, Duration timeout, Map<String, String> headers) {
    ChatClient client = new ChatClient();
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
    headers.forEach(builder::header);
    client.socket = builder
        .buildAsync(uri, client.new Listener())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .join();
    return client;
  }

  /**
   * Asks a node in dev mode for a token for {@code user} ({@code POST /dev/token}); {@code httpBase} is
   * the node's HTTP address, e.g. {@code http://127.0.0.1:8080}.
   */
  public static String devToken(URI httpBase, String user) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      ObjectMapper json = FrameCodec.newMapper();
      HttpRequest request = HttpRequest.newBuilder(httpBase.resolve("/dev/token"))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("user", user))))
          .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("POST /dev/token answered " + response.statusCode() + ": " + response.body());
      }
      JsonNode body = json.readTree(response.body());
      return body.get("token").asText();
    } catch (IOException e) {
      throw new IllegalStateException("cannot fetch a dev token from " + httpBase, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  // --- requests

  public String nextId() {
    return "r" + ids.incrementAndGet();
  }

  /** Sends a request and completes with its answer, an {@code ack} or an {@code error} frame. */
  public CompletableFuture<ServerFrame> call(ClientFrame frame) {
    CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
    if (pending.putIfAbsent(frame.id(), answer) != null) {
      throw new IllegalArgumentException("request id " + frame.id() + " is already pending");
    }
    sendRaw(codec.encode(frame)).whenComplete((ok, failure) -> {
      if (failure != null) {
        pending.remove(frame.id());
        answer.completeExceptionally(failure);
      }
    });
    return answer;
  }

  /** Sends a request and completes with its result, or fails with {@link ChatErrorException}. */
  public <T extends AckResult> CompletableFuture<T> ask(ClientFrame frame, Class<T> resultType) {
    return call(frame).thenApply(answer -> {
      if (answer instanceof ServerFrame.Error error) {
        throw new ChatErrorException(error);
      }
      return resultType.cast(((ServerFrame.Ack) answer).result());
    });
  }

  public CompletableFuture<AckResult.Welcome> hello(String token) {
    return hello(token, null);
  }

  /**
   * Hello as a known device: the server replays what this device has not acknowledged. Once
   * authenticated, the client pings every {@link #HEARTBEAT_INTERVAL} so the server keeps it.
   */
  public CompletableFuture<AckResult.Welcome> hello(String token, String device) {
    return ask(new ClientFrame.Hello(nextId(), Protocol.VERSION, token, device), AckResult.Welcome.class)
        .thenApply(welcome -> {
          startHeartbeat();
          return welcome;
        });
  }

  private synchronized void startHeartbeat() {
    if (heartbeat == null) {
      long every = HEARTBEAT_INTERVAL.toMillis();
      heartbeat = HEARTBEATS.scheduleWithFixedDelay(() -> {
        if (isOpen()) {
          ping();
        }
      }, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void stopHeartbeat() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
      heartbeat = null;
    }
  }

  /** Receipts of a room; with {@code seq}, also how many others received and read that item. */
  public CompletableFuture<AckResult.Receipts> receipts(String roomId, Long seq) {
    return ask(new ClientFrame.Receipts(nextId(), roomId, seq), AckResult.Receipts.class);
  }

  public CompletableFuture<AckResult.Ok> setPresence(chat.protocol.PresenceStatus status, Boolean hidden) {
    return ask(new ClientFrame.SetPresence(nextId(), status, hidden), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.PresenceList> watchPresence(List<String> users) {
    return ask(new ClientFrame.WatchPresence(nextId(), users), AckResult.PresenceList.class);
  }

  public CompletableFuture<AckResult.Ok> unwatchPresence(List<String> users) {
    return ask(new ClientFrame.UnwatchPresence(nextId(), users), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.Ok> typing(String roomId, boolean active) {
    return ask(new ClientFrame.Typing(nextId(), roomId, active), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.Ok> reauthenticate(String token) {
    return ask(new ClientFrame.Reauthenticate(nextId(), token), AckResult.Ok.class);
  }

  /** Marks the room read up to {@code seq}. */
  public CompletableFuture<AckResult.ReadState> read(String roomId, long seq) {
    return ask(new ClientFrame.Read(nextId(), roomId, seq), AckResult.ReadState.class);
  }

  /** Acknowledges receipt up to these seqs (room id to seq). */
  public CompletableFuture<AckResult.Ok> received(java.util.Map<String, Long> cursors) {
    return ask(new ClientFrame.Received(nextId(), cursors), AckResult.Ok.class);
  }

  /**
   * Acknowledges receipt without asking for an answer (no id): what an app does every second or so. Only
   * a problem is answered, with an {@code error} frame without id. Completes once the frame is written.
   */
  public CompletableFuture<?> receivedQuietly(java.util.Map<String, Long> cursors) {
    return sendRaw(codec.encode(new ClientFrame.Received(null, cursors)));
  }

  /** Registers this device's push token (the connection's hello must name a device). */
  public CompletableFuture<AckResult.Ok> registerPush(PushPlatform platform, String token) {
    return ask(new ClientFrame.RegisterPush(nextId(), platform, token), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.Ok> unregisterPush() {
    return ask(new ClientFrame.UnregisterPush(nextId()), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.Ok> setRoomNotifications(String roomId, NotificationLevel level) {
    return ask(new ClientFrame.SetRoomNotifications(nextId(), roomId, level), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.Ok> setPushPreviews(boolean enabled) {
    return ask(new ClientFrame.SetPushPreviews(nextId(), enabled), AckResult.Ok.class);
  }

  public CompletableFuture<AckResult.Pong> ping() {
    return ask(new ClientFrame.Ping(nextId()), AckResult.Pong.class);
  }

  public CompletableFuture<AckResult.Room> createRoom(String roomId, String name, List<String> members, Visibility visibility) {
    return ask(new ClientFrame.CreateRoom(nextId(), roomId, name, members, visibility), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Room> openDm(String user) {
    return ask(new ClientFrame.OpenDm(nextId(), user), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Room> join(String roomId) {
    return ask(new ClientFrame.Join(nextId(), roomId), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Left> leave(String roomId) {
    return ask(new ClientFrame.Leave(nextId(), roomId), AckResult.Left.class);
  }

  public CompletableFuture<AckResult.Room> addMember(String roomId, String user) {
    return ask(new ClientFrame.AddMember(nextId(), roomId, user), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Rooms> listRooms() {
    return ask(new ClientFrame.ListRooms(nextId()), AckResult.Rooms.class);
  }

  public CompletableFuture<AckResult.Room> removeMember(String roomId, String user) {
    return ask(new ClientFrame.RemoveMember(nextId(), roomId, user), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Room> renameRoom(String roomId, String name) {
    return ask(new ClientFrame.RenameRoom(nextId(), roomId, name), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Room> setRole(String roomId, String user, chat.protocol.RoomRole role) {
    return ask(new ClientFrame.SetRole(nextId(), roomId, user, role), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.RoomDeleted> deleteRoom(String roomId) {
    return ask(new ClientFrame.DeleteRoom(nextId(), roomId), AckResult.RoomDeleted.class);
  }

  public CompletableFuture<AckResult.Room> getRoom(String roomId) {
    return ask(new ClientFrame.GetRoom(nextId(), roomId), AckResult.Room.class);
  }

  public CompletableFuture<AckResult.Sent> send(String roomId, String clientMsgId, String body) {
    return ask(new ClientFrame.Send(nextId(), roomId, clientMsgId, body), AckResult.Sent.class);
  }

  public CompletableFuture<AckResult.HistoryPage> history(String roomId, Long before, Long after, Integer limit) {
    return ask(new ClientFrame.History(nextId(), roomId, before, after, limit), AckResult.HistoryPage.class);
  }

  /** Sends any text as one frame, valid or not; sends are serialised as the JDK WebSocket requires. */
  public CompletableFuture<?> sendRaw(String text) {
    synchronized (sendLock) {
      lastSend = lastSend.handle((ok, failure) -> null).thenCompose(ignored -> socket.sendText(text, true));
      return lastSend;
    }
  }

  /** Sends a binary frame, which the protocol does not use; for testing servers. */
  public CompletableFuture<?> sendBinary(byte[] data) {
    synchronized (sendLock) {
      lastSend = lastSend.handle((ok, failure) -> null)
          .thenCompose(ignored -> socket.sendBinary(java.nio.ByteBuffer.wrap(data), true));
      return lastSend;
    }
  }

  // --- what the server pushes

  /** Frames the server sent without being asked, in arrival order. */
  public BlockingQueue<ServerFrame> pushes() {
    return pushes;
  }

  /** The next pushed frame, or null if none arrives within the timeout. */
  public ServerFrame nextPush(Duration timeout) throws InterruptedException {
    return pushes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Completes with the close status code once the connection is closed (by either side). */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  public boolean isOpen() {
    return !closed.isDone();
  }

  /** Closes normally and waits briefly for the server's close frame. */
  @Override
  public void close() {
    stopHeartbeat();
    if (closed.isDone()) {
      return;
    }
    synchronized (sendLock) {
      lastSend = lastSend.handle((ok, failure) -> null)
          .thenCompose(ignored -> socket.sendClose(WebSocket.NORMAL_CLOSURE, ""));
    }
    try {
      closed.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      socket.abort();
      closed.complete(WebSocket.NORMAL_CLOSURE);
    }
  }

  /** Drops the TCP connection without a close handshake, like a client that lost its network. */
  public void abort() {
    stopHeartbeat();
    socket.abort();
    closed.complete(1006);
    failPending(new IllegalStateException("connection aborted"));
  }

  private void onFrame(String text) {
    ServerFrame frame;
    try {
      frame = codec.decodeServerFrame(text);
    } catch (IllegalArgumentException e) {
      pushes.add(new ServerFrame.Closing(null, "undecodable server frame: " + text, false));
      return;
    }
    String id = frame instanceof ServerFrame.Ack ack ? ack.id()
        : frame instanceof ServerFrame.Error error ? error.id() : null;
    CompletableFuture<ServerFrame> answer = id == null ? null : pending.remove(id);
    if (answer != null) {
      answer.complete(frame);
    } else {
      pushes.add(frame);
    }
  }

  private void failPending(Throwable cause) {
    pending.values().forEach(answer -> answer.completeExceptionally(cause));
    pending.clear();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        onFrame(text);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      stopHeartbeat();
      closed.complete(statusCode);
      failPending(new IllegalStateException("connection closed: " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(1006);
      failPending(error instanceof CompletionException ? error.getCause() : error);
    }
  }
}
