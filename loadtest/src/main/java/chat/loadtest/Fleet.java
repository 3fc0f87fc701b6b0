package chat.loadtest;

import chat.loadtest.wire.WsReactor;
import chat.protocol.FrameCodec;
import chat.protocol.Limits;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What all of a run's connections share: a few selector threads ({@link WsReactor}) that read their
 * sockets and run their callbacks, one codec, one scheduler for heartbeats and acknowledgements, and a JDK
 * {@link HttpClient} for the plain HTTP requests (tokens, metrics). Thousands of {@link LoadClient}s
 * therefore cost memory and file descriptors, not threads.
 *
 * <p>Heartbeat: the server closes a connection from which nothing arrived for 30 s, so every second the
 * scheduler pings the open connections that wrote nothing for {@link #HEARTBEAT_AFTER}.
 */
final class Fleet implements AutoCloseable {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
  static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);
  static final Duration HEARTBEAT_AFTER = Duration.ofSeconds(12);
  /** The generator never sends anything a server would refuse for size; its decoder's limits are loose. */
  private static final Limits DECODER_LIMITS = new Limits(1 << 20, 1 << 20, 1000, 100_000, 1000);

  private final List<URI> webSockets;
  private final Errors errors;
  private final WsReactor reactor;
  private final ExecutorService httpCallbacks;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final FrameCodec codec = new FrameCodec(DECODER_LIMITS);
  private final Set<LoadClient> open = ConcurrentHashMap.newKeySet();

  /**
   * {@code webSockets}: the nodes' WebSocket addresses; each user connects to one of them. {@code ioThreads}:
   * the selector threads all connections share.
   */
  Fleet(List<URI> webSockets, Errors errors, int ioThreads) {
    this.webSockets = List.copyOf(webSockets);
    this.errors = errors;
    this.reactor = new WsReactor(ioThreads, "load-io");
    this.httpCallbacks = Executors.newFixedThreadPool(2, daemon("load-http"));
    this.http = HttpClient.newBuilder().executor(httpCallbacks).connectTimeout(CONNECT_TIMEOUT).build();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("load-ticker"));
    scheduler.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  HttpClient http() {
    return http;
  }

  WsReactor reactor() {
    return reactor;
  }

  /**
   * The node {@code user} connects to: always the same one, so that a reconnect comes back to the node
   * that had the user's connections (as behind a load balancer with affinity), and users spread evenly.
   */
  URI webSocketUri(String user) {
    return webSockets.get(Math.floorMod(user.hashCode(), webSockets.size()));
  }

  FrameCodec codec() {
    return codec;
  }

  Errors errors() {
    return errors;
  }

  /** For periodic work of the run (acknowledgements, progress); must never block. */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  void opened(LoadClient client) {
    if (client.isOpen()) {
      open.add(client);
    }
  }

  void closed(LoadClient client) {
    open.remove(client);
  }

  int openConnections() {
    return open.size();
  }

  /** Requests sent on open connections and not answered yet. */
  long pendingRequests() {
    return open.stream().mapToLong(LoadClient::pendingRequests).sum();
  }

  private void heartbeat() {
    long quietSince = System.nanoTime() - HEARTBEAT_AFTER.toNanos();
    for (LoadClient client : open) {
      if (client.lastWriteNanos - quietSince < 0) {
        client.ping();
      }
    }
  }

  /** Closes every open connection (handshake, then abort after {@code wait}). */
  void closeAll(Duration wait) {
    List<LoadClient> all = List.copyOf(open);
    CompletableFuture<?>[] closing = all.stream().map(LoadClient::close).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(closing).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      all.stream().filter(LoadClient::isOpen).forEach(LoadClient::abort);
    }
  }

  @Override
  public void close() {
    closeAll(Duration.ofSeconds(10));
    scheduler.shutdownNow();
    reactor.close();
    httpCallbacks.shutdownNow();
  }
}
