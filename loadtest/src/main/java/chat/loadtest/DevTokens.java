package chat.loadtest;

import chat.protocol.FrameCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tokens from a dev-mode node's {@code POST /dev/token}, over the run's shared HTTP client, with at most
 * {@value #CONCURRENCY} requests in flight (thousands of users must not open thousands of requests at once).
 */
final class DevTokens implements TokenSource {

  static final int CONCURRENCY = 32;
  private static final ObjectMapper JSON = FrameCodec.newMapper();

  private final HttpClient http;
  private final URI endpoint;
  private final Throttle throttle = new Throttle(CONCURRENCY);

  DevTokens(HttpClient http, URI httpBase) {
    this.http = http;
    this.endpoint = httpBase.resolve("/dev/token");
  }

  @Override
  public CompletableFuture<String> token(String user) {
    return throttle.submit(() -> {
      HttpRequest request = HttpRequest.newBuilder(endpoint)
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(write(Map.of("user", user))))
          .build();
      return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
        if (response.statusCode() != 200) {
          throw new IllegalStateException("POST " + endpoint + " answered " + response.statusCode()
              + " (is the node in dev mode?): " + response.body());
        }
        return read(response.body()).path("token").asText();
      });
    });
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
