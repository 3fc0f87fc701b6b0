package chat.node.push.dispatch;

import chat.node.push.PushJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * FCM HTTP v1 and APNs stand-ins on one loopback port: every request is recorded, and each token can be told
 * to be unregistered (FCM 404 UNREGISTERED, APNs 410 Unregistered) or to answer 503 with a Retry-After for its
 * first calls. Anything else is accepted (200). Requests without the expected credentials get 401/403, and so
 * do all requests while the platforms are told to {@link #expireCredentials}: as if the token file had gone stale
 * (FCM 401 UNAUTHENTICATED, APNs 403 ExpiredProviderToken). Any other path is answered with a bare 404.
 */
final class FakePushPlatforms implements AutoCloseable {

  static final String FCM_PROJECT = "it-project";
  static final String FCM_ACCESS_TOKEN = "fcm-it-access-token";
  static final String APNS_PROVIDER_TOKEN = "apns-it-provider-token";

  /** One request as received, and the status it was answered with. Header names are lower case. */
  record Call(String platform, String token, String dedupKey, Map<String, String> headers, JsonNode body,
      int status, long atNanos) {}

  private record Failures(AtomicInteger remaining, int retryAfterSeconds) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Set<String> unregistered = ConcurrentHashMap.newKeySet();
  private final Map<String, Failures> failing = new ConcurrentHashMap<>();
  private volatile boolean credentialsExpired;

  private FakePushPlatforms() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  static FakePushPlatforms start() throws IOException {
    return new FakePushPlatforms();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void unregister(String token) {
    unregistered.add(token);
  }

  /** The first {@code calls} sends to {@code token} are answered 503 with {@code Retry-After: retryAfterSeconds}. */
  void failFirst(String token, int calls, int retryAfterSeconds) {
    failing.put(token, new Failures(new AtomicInteger(calls), retryAfterSeconds));
  }

  /** From now on every request is refused as if its credentials had expired, until {@link #renewCredentials}. */
  void expireCredentials() {
    credentialsExpired = true;
  }

  void renewCredentials() {
    credentialsExpired = false;
  }

  /** Ends what {@link #failFirst} started: {@code token} is accepted from now on. */
  void recover(String token) {
    failing.remove(token);
  }

  List<Call> callsTo(String token) {
    return calls.stream().filter(call -> call.token().equals(token)).toList();
  }

  /** How many times the message {@code dedupKey} was accepted for {@code token}. */
  long delivered(String dedupKey, String token) {
    return calls.stream()
        .filter(call -> call.status() == 200 && call.token().equals(token) && dedupKey.equals(call.dedupKey()))
        .count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      JsonNode body = PushJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
      Map<String, String> headers = exchange.getRequestHeaders().entrySet().stream()
          .collect(Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT), e -> e.getValue().get(0), (a, b) -> a));
      if (path.equals("/v1/projects/" + FCM_PROJECT + "/messages:send")) {
        String token = body.at("/message/token").asText();
        boolean authorised = !credentialsExpired && ("Bearer " + FCM_ACCESS_TOKEN).equals(headers.get("authorization"));
        answer(exchange, new Call("fcm", token, body.at("/message/data/dedupKey").asText(null), headers, body,
            authorised ? status("fcm", token) : 401, System.nanoTime()));
      } else if (path.startsWith("/3/device/")) {
        String token = URLDecoder.decode(path.substring("/3/device/".length()), StandardCharsets.UTF_8);
        boolean authorised =
            !credentialsExpired && ("bearer " + APNS_PROVIDER_TOKEN).equals(headers.get("authorization"));
        answer(exchange, new Call("apns", token, body.path("dedupKey").asText(null), headers, body,
            authorised ? status("apns", token) : 403, System.nanoTime()));
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    }
  }

  private int status(String platform, String token) {
    if (unregistered.contains(token)) {
      return platform.equals("fcm") ? 404 : 410;
    }
    Failures failures = failing.get(token);
    return failures != null && failures.remaining().getAndDecrement() > 0 ? 503 : 200;
  }

  private void answer(HttpExchange exchange, Call call) throws IOException {
    calls.add(call);
    boolean fcm = call.platform().equals("fcm");
    String body = switch (call.status()) {
      case 200 -> fcm ? "{\"name\":\"projects/" + FCM_PROJECT + "/messages/" + calls.size() + "\"}" : "";
      case 404, 410 -> fcm
          ? "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"details\":[{\"@type\":"
              + "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"UNREGISTERED\"}]}}"
          : "{\"reason\":\"Unregistered\",\"timestamp\":1700000000000}";
      case 503 -> fcm ? "{\"error\":{\"code\":503,\"status\":\"UNAVAILABLE\"}}" : "{\"reason\":\"ServiceUnavailable\"}";
      default -> fcm ? "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\"}}"
          : credentialsExpired ? "{\"reason\":\"ExpiredProviderToken\"}" : "{\"reason\":\"InvalidProviderToken\"}";
    };
    Failures failures = failing.get(call.token());
    if (call.status() == 503 && failures != null) {
      exchange.getResponseHeaders().add("Retry-After", Integer.toString(failures.retryAfterSeconds()));
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(call.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
