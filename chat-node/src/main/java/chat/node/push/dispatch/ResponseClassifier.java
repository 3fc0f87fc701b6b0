package chat.node.push.dispatch;

import chat.node.push.PushJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Turns a platform's answer into a {@link SendOutcome}. Only the platforms' documented, stable error codes are
 * read, never the human-readable messages, except FCM's, to tell a bad token from another bad argument.
 *
 * <p>Three kinds of refusal are kept apart, because they call for opposite actions: a dead token is reported
 * (and the node deletes it), a refusal of this device or message is given up on, and a refusal of the dispatcher
 * itself (credentials, project, endpoint) is {@link SendOutcome.PlatformUnavailable}: the request is held until
 * it works. When in doubt between the first and the last, the last: a token deleted by mistake is a user who
 * silently gets no more notifications, a request held by mistake is an ERROR in the log.
 *
 * <p>FCM HTTP v1: 200 delivered; the {@code FcmError} detail {@code UNREGISTERED} (with 404 {@code NOT_FOUND},
 * or any status), or 400 {@code INVALID_ARGUMENT} about the token ({@code message.token}), is an invalid token;
 * 429 and 5xx are retryable, after {@code Retry-After} when given; {@code SENDER_ID_MISMATCH} (a token of another
 * Firebase project) and {@code THIRD_PARTY_AUTH_ERROR} (the project cannot reach that token's platform) concern
 * that token only and fail; otherwise 401 ({@code UNAUTHENTICATED}: an expired or wrong access token), 403
 * ({@code PERMISSION_DENIED}: the service account may not send for the project), 404 without
 * {@code UNREGISTERED} (a wrong project id or base URL, a proxy), 405 and 407 mean the platform is unavailable;
 * anything else failed.
 *
 * <p>APNs: 200 delivered; 410 {@code Unregistered}, 400 {@code BadDeviceToken} or {@code DeviceTokenNotForTopic}
 * is an invalid token; 429 and 5xx are retryable; 403 (every reason: {@code ExpiredProviderToken},
 * {@code InvalidProviderToken}, {@code MissingProviderToken}, certificate and key errors), 401, 404 (APNs' own
 * {@code BadPath}, or not APNs at all), 405, 407, and 400 {@code BadTopic}, {@code TopicDisallowed} or
 * {@code MissingTopic} (the bundle id) mean the platform is unavailable; anything else failed.
 */
public final class ResponseClassifier {

  /** APNs refusing the {@code apns-topic}, that is the configured bundle id: every request would fail alike. */
  private static final Set<String> APNS_TOPIC_ERRORS = Set.of("BadTopic", "TopicDisallowed", "MissingTopic");

  private ResponseClassifier() {}

  public static SendOutcome fcm(int status, Optional<String> retryAfter, String body, Clock clock) {
    if (status == 200) {
      return SendOutcome.DELIVERED;
    }
    JsonNode error = json(body).path("error");
    Optional<String> fcmErrorCode = fcmErrorCode(error);
    String errorCode = fcmErrorCode.orElse(error.path("status").asText(""));
    String reason = errorCode.isEmpty() ? "http " + status : errorCode;
    if (fcmErrorCode.filter("UNREGISTERED"::equals).isPresent()) {
      return new SendOutcome.InvalidToken(reason);
    }
    if (status == 400 && "INVALID_ARGUMENT".equals(errorCode) && namesTheToken(error)) {
      return new SendOutcome.InvalidToken(reason);
    }
    if (status == 429 || status >= 500) {
      return new SendOutcome.Retryable(retryAfter(retryAfter, clock), reason);
    }
    if ("SENDER_ID_MISMATCH".equals(errorCode) || "THIRD_PARTY_AUTH_ERROR".equals(errorCode)) {
      return new SendOutcome.Failed(reason);
    }
    if (refusesTheDispatcher(status)) {
      return new SendOutcome.PlatformUnavailable(reason);
    }
    return new SendOutcome.Failed(reason);
  }

  public static SendOutcome apns(int status, Optional<String> retryAfter, String body, Clock clock) {
    if (status == 200) {
      return SendOutcome.DELIVERED;
    }
    String apnsReason = json(body).path("reason").asText("");
    String reason = apnsReason.isEmpty() ? "http " + status : apnsReason;
    if (status == 410
        || status == 400 && (apnsReason.equals("BadDeviceToken") || apnsReason.equals("DeviceTokenNotForTopic"))) {
      return new SendOutcome.InvalidToken(reason);
    }
    if (status == 429 || status >= 500) {
      return new SendOutcome.Retryable(retryAfter(retryAfter, clock), reason);
    }
    if (refusesTheDispatcher(status) || status == 400 && APNS_TOPIC_ERRORS.contains(apnsReason)) {
      return new SendOutcome.PlatformUnavailable(reason);
    }
    return new SendOutcome.Failed(reason);
  }

  /**
   * Statuses that refuse the caller or the address rather than the message: 401 and 403 (credentials), 404 and
   * 405 (what answers is not the send endpoint: a wrong base URL or project, a proxy), 407 (a proxy's credentials).
   */
  private static boolean refusesTheDispatcher(int status) {
    return status == 401 || status == 403 || status == 404 || status == 405 || status == 407;
  }

  /** No answer at all: timeouts and connection errors are worth another try. */
  public static SendOutcome transportError(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof HttpTimeoutException) {
      return new SendOutcome.Retryable(Optional.empty(), "timeout");
    }
    if (cause instanceof IOException) {
      return new SendOutcome.Retryable(Optional.empty(), "io " + cause.getClass().getSimpleName());
    }
    return new SendOutcome.Failed("error " + cause.getClass().getSimpleName());
  }

  /** {@code Retry-After}: delay-seconds or an HTTP-date; nothing when absent or unreadable. */
  public static Optional<Duration> retryAfter(Optional<String> header, Clock clock) {
    if (header.isEmpty() || header.get().isBlank()) {
      return Optional.empty();
    }
    String value = header.get().trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(clock.instant(), at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  /** The {@code errorCode} of the {@code FcmError} detail, if any. */
  private static Optional<String> fcmErrorCode(JsonNode error) {
    for (JsonNode detail : error.path("details")) {
      if (detail.path("@type").asText("").endsWith("google.firebase.fcm.v1.FcmError")
          && detail.hasNonNull("errorCode")) {
        return Optional.of(detail.get("errorCode").asText());
      }
    }
    return Optional.empty();
  }

  /** FCM says which argument was bad in a {@code BadRequest} field violation, or at least in its message. */
  private static boolean namesTheToken(JsonNode error) {
    for (JsonNode detail : error.path("details")) {
      for (JsonNode violation : detail.path("fieldViolations")) {
        if ("message.token".equals(violation.path("field").asText(""))) {
          return true;
        }
      }
    }
    return error.path("message").asText("").toLowerCase(Locale.ROOT).contains("registration token");
  }

  private static JsonNode json(String body) {
    try {
      JsonNode node = body == null || body.isBlank() ? null : PushJson.MAPPER.readTree(body);
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }
}
