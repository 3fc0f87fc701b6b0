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
import java.util.concurrent.CompletionException;

/**
 * Turns a platform's answer into a {@link SendOutcome}. Only the platforms' documented, stable error codes are
 * read, never the human-readable messages, except FCM's, to tell a bad token from another bad argument.
 *
 * <p>FCM HTTP v1: 200 delivered; 404, or errorCode {@code UNREGISTERED} with any status, or 400
 * {@code INVALID_ARGUMENT} about the token ({@code message.token}) is an invalid token; 429 and 5xx are
 * retryable, after {@code Retry-After} when given; 401 {@code UNAUTHENTICATED} (an expired access token) is
 * retryable, as the token file may be refreshed meanwhile; anything else (e.g. {@code SENDER_ID_MISMATCH},
 * which points at a misconfigured project, not a dead token) failed.
 *
 * <p>APNs: 200 delivered; 410 {@code Unregistered}, 400 {@code BadDeviceToken} or {@code DeviceTokenNotForTopic}
 * is an invalid token; 429 and 5xx are retryable; 403 {@code ExpiredProviderToken} retryable (as above);
 * anything else failed.
 */
public final class ResponseClassifier {

  private ResponseClassifier() {}

  public static SendOutcome fcm(int status, Optional<String> retryAfter, String body, Clock clock) {
    if (status == 200) {
      return SendOutcome.DELIVERED;
    }
    JsonNode error = json(body).path("error");
    String errorCode = fcmErrorCode(error).orElse(error.path("status").asText(""));
    String reason = errorCode.isEmpty() ? "http " + status : errorCode;
    if (status == 404 || "UNREGISTERED".equals(errorCode)) {
      return new SendOutcome.InvalidToken(reason);
    }
    if (status == 400 && "INVALID_ARGUMENT".equals(errorCode) && namesTheToken(error)) {
      return new SendOutcome.InvalidToken(reason);
    }
    if (status == 429 || status >= 500) {
      return new SendOutcome.Retryable(retryAfter(retryAfter, clock), reason);
    }
    if (status == 401 && "UNAUTHENTICATED".equals(error.path("status").asText(""))) {
      return new SendOutcome.Retryable(Optional.empty(), "UNAUTHENTICATED");
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
    if (status == 403 && apnsReason.equals("ExpiredProviderToken")) {
      return new SendOutcome.Retryable(Optional.empty(), reason);
    }
    return new SendOutcome.Failed(reason);
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
