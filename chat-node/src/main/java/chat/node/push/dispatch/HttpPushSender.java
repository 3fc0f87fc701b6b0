package chat.node.push.dispatch;

import chat.protocol.PushPlatform;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends to FCM (HTTP v1: {@code POST {fcm.base-url}/v1/projects/{project-id}/messages:send} with
 * {@code Authorization: Bearer <access token>}) and APNs ({@code POST {apns.base-url}/3/device/{token}} with
 * {@code authorization: bearer <provider token>} and the {@code apns-*} headers of the message) over one
 * {@link HttpClient} that prefers HTTP/2 (APNs requires it; FCM multiplexes with it). Answers are classified by
 * {@link ResponseClassifier}. A platform without credentials (or project / bundle id) is not called: every send
 * to it is {@link SendOutcome.PlatformUnavailable}, and so held until the credentials turn up (a token file that
 * appears, or is fixed, is picked up within a second).
 */
public final class HttpPushSender implements PushSender {

  private static final Logger log = LoggerFactory.getLogger(HttpPushSender.class);

  private final HttpClient client;
  private final DispatcherSettings settings;
  private final Credential fcmToken;
  private final Credential apnsToken;
  private final Clock clock;

  public HttpPushSender(DispatcherSettings settings, Clock clock) {
    this(HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(settings.http().connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build(), settings, clock);
  }

  HttpPushSender(HttpClient client, DispatcherSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
    this.fcmToken = new Credential(settings.fcm().accessToken(), settings.fcm().accessTokenFile());
    this.apnsToken = new Credential(settings.apns().providerToken(), settings.apns().providerTokenFile());
    if (off(true)) {
      log.warn("FCM is off (neither project id nor access token set): pushes to FCM devices are counted as failed");
    } else if (!fcmToken.configured() || settings.fcm().projectId().isBlank()) {
      log.warn("FCM is configured in part (project id and access token): requests with FCM devices will be held, "
          + "uncommitted, until it is complete");
    }
    if (off(false)) {
      log.warn("APNs is off (neither bundle id nor provider token set): pushes to APNs devices are counted as failed");
    } else if (!apnsToken.configured() || settings.apns().bundleId().isBlank()) {
      log.warn("APNs is configured in part (bundle id and provider token): requests with APNs devices will be held, "
          + "uncommitted, until it is complete");
    }
  }

  /**
   * A platform nothing is configured for is off: a deployment that does not use it must not have its
   * partitions held by one device that registered for it. Configured in part, or with credentials that
   * do not work, it is unavailable instead, and its requests wait.
   */
  private boolean off(boolean fcm) {
    return fcm
        ? settings.fcm().projectId().isBlank() && !fcmToken.configured()
        : settings.apns().bundleId().isBlank() && !apnsToken.configured();
  }

  @Override
  public CompletionStage<SendOutcome> send(PushMessage message) {
    boolean fcm = message.platform() == PushPlatform.FCM;
    Credential token = fcm ? fcmToken : apnsToken;
    if (off(fcm)) {
      return CompletableFuture.completedFuture(new SendOutcome.Failed(fcm ? "FCM is off" : "APNs is off"));
    }
    Optional<String> credential = token.get();
    if ((fcm ? settings.fcm().projectId() : settings.apns().bundleId()).isBlank()) {
      return unavailable(fcm ? "not configured: no project-id" : "not configured: no bundle-id");
    }
    if (credential.isEmpty()) {
      return unavailable(token.configured() ? "token file unreadable or empty" : "not configured: no token");
    }
    HttpRequest request;
    try {
      request = fcm ? fcm(message, credential.get()) : apns(message, credential.get());
    } catch (IllegalArgumentException e) {
      // a base URL that makes no URI, a token with characters no header may hold: the same for every request
      return unavailable("bad request: " + e.getClass().getSimpleName());
    }
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle((response, error) ->
            error != null ? ResponseClassifier.transportError(error) : classify(message, response));
  }

  private static CompletionStage<SendOutcome> unavailable(String reason) {
    return CompletableFuture.completedFuture(new SendOutcome.PlatformUnavailable(reason));
  }

  private SendOutcome classify(PushMessage message, HttpResponse<String> response) {
    Optional<String> retryAfter = response.headers().firstValue("retry-after");
    return message.platform() == PushPlatform.FCM
        ? ResponseClassifier.fcm(response.statusCode(), retryAfter, response.body(), clock)
        : ResponseClassifier.apns(response.statusCode(), retryAfter, response.body(), clock);
  }

  private HttpRequest fcm(PushMessage message, String accessToken) {
    URI uri = URI.create(settings.fcm().baseUrl() + "/v1/projects/"
        + URLEncoder.encode(settings.fcm().projectId(), StandardCharsets.UTF_8) + "/messages:send");
    return post(uri, message)
        .header("Authorization", "Bearer " + accessToken)
        .build();
  }

  private HttpRequest apns(PushMessage message, String providerToken) {
    URI uri = URI.create(settings.apns().baseUrl() + "/3/device/"
        + URLEncoder.encode(message.token(), StandardCharsets.UTF_8));
    HttpRequest.Builder builder = post(uri, message).header("authorization", "bearer " + providerToken);
    message.headers().forEach(builder::header);
    return builder.build();
  }

  private HttpRequest.Builder post(URI uri, PushMessage message) {
    return HttpRequest.newBuilder(uri)
        .timeout(settings.http().requestTimeout())
        .header("content-type", "application/json; charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(message.body(), StandardCharsets.UTF_8));
  }
}
