package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ResponseClassifierTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static String fcmError(int code, String status, String errorCode) {
    return """
        {"error": {"code": %d, "message": "Requested entity was not found.", "status": "%s",
          "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "%s"}]}}
        """.formatted(code, status, errorCode);
  }

  private static SendOutcome fcm(int status, String body) {
    return ResponseClassifier.fcm(status, Optional.empty(), body, CLOCK);
  }

  private static SendOutcome apns(int status, String reason) {
    return ResponseClassifier.apns(status, Optional.empty(), "{\"reason\":\"" + reason + "\"}", CLOCK);
  }

  @Test
  void fcmSuccess() {
    assertEquals(SendOutcome.DELIVERED, fcm(200, "{\"name\":\"projects/p/messages/1\"}"));
  }

  @Test
  void fcmUnregisteredTokens() {
    assertEquals(new SendOutcome.InvalidToken("UNREGISTERED"), fcm(404, fcmError(404, "NOT_FOUND", "UNREGISTERED")));
    assertEquals(new SendOutcome.InvalidToken("NOT_FOUND"), fcm(404, "{\"error\":{\"status\":\"NOT_FOUND\"}}"));
    assertEquals(new SendOutcome.InvalidToken("http 404"), fcm(404, ""));
    // UNREGISTERED has been seen with 400 too
    assertEquals(new SendOutcome.InvalidToken("UNREGISTERED"),
        fcm(400, fcmError(400, "INVALID_ARGUMENT", "UNREGISTERED")));
  }

  @Test
  void fcmInvalidArgumentIsAnInvalidTokenOnlyWhenItNamesTheToken() {
    String aboutTheToken = """
        {"error": {"code": 400, "message": "The registration token is not a valid FCM registration token",
          "status": "INVALID_ARGUMENT", "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INVALID_ARGUMENT"},
            {"@type": "type.googleapis.com/google.rpc.BadRequest",
             "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]}]}}
        """;
    String aboutTheTtl = """
        {"error": {"code": 400, "message": "Invalid value at 'message.android.ttl'", "status": "INVALID_ARGUMENT",
          "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "message.android.ttl", "description": "Invalid value"}]}]}}
        """;
    assertEquals(new SendOutcome.InvalidToken("INVALID_ARGUMENT"), fcm(400, aboutTheToken));
    assertEquals(new SendOutcome.Failed("INVALID_ARGUMENT"), fcm(400, aboutTheTtl));
  }

  @Test
  void fcmOverloadIsRetryableAfterTheDelayItAsksFor() {
    assertEquals(new SendOutcome.Retryable(Optional.of(Duration.ofSeconds(10)), "QUOTA_EXCEEDED"),
        ResponseClassifier.fcm(429, Optional.of("10"), fcmError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), CLOCK));
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "INTERNAL"),
        fcm(500, fcmError(500, "INTERNAL", "INTERNAL")));
    assertEquals(new SendOutcome.Retryable(Optional.of(Duration.ofSeconds(30)), "http 503"),
        ResponseClassifier.fcm(503, Optional.of("Wed, 01 Jan 2025 00:00:30 GMT"), "", CLOCK));
  }

  @Test
  void fcmCredentialAndConfigurationErrors() {
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "UNAUTHENTICATED"),
        fcm(401, "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\"}}"));
    // a token of another Firebase project means our configuration is wrong, not that the token is dead
    assertEquals(new SendOutcome.Failed("SENDER_ID_MISMATCH"),
        fcm(403, fcmError(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")));
    assertEquals(new SendOutcome.Failed("http 413"), fcm(413, "<html>too large</html>"));
  }

  @Test
  void apnsOutcomes() {
    assertEquals(SendOutcome.DELIVERED, ResponseClassifier.apns(200, Optional.empty(), "", CLOCK));
    assertEquals(new SendOutcome.InvalidToken("Unregistered"), apns(410, "Unregistered"));
    assertEquals(new SendOutcome.InvalidToken("http 410"), ResponseClassifier.apns(410, Optional.empty(), "", CLOCK));
    assertEquals(new SendOutcome.InvalidToken("BadDeviceToken"), apns(400, "BadDeviceToken"));
    assertEquals(new SendOutcome.InvalidToken("DeviceTokenNotForTopic"), apns(400, "DeviceTokenNotForTopic"));
    assertEquals(new SendOutcome.Failed("BadCollapseId"), apns(400, "BadCollapseId"));
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "ExpiredProviderToken"),
        apns(403, "ExpiredProviderToken"));
    assertEquals(new SendOutcome.Failed("InvalidProviderToken"), apns(403, "InvalidProviderToken"));
  }

  @Test
  void apnsOverloadIsRetryable() {
    assertEquals(new SendOutcome.Retryable(Optional.of(Duration.ofSeconds(2)), "TooManyRequests"),
        ResponseClassifier.apns(429, Optional.of("2"), "{\"reason\":\"TooManyRequests\"}", CLOCK));
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "InternalServerError"), apns(500, "InternalServerError"));
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "ServiceUnavailable"), apns(503, "ServiceUnavailable"));
  }

  @Test
  void noAnswerIsRetryable() {
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "timeout"),
        ResponseClassifier.transportError(new CompletionException(new HttpTimeoutException("request timed out"))));
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "io ConnectException"),
        ResponseClassifier.transportError(new ConnectException("refused")));
    assertEquals(new SendOutcome.Retryable(Optional.empty(), "io IOException"),
        ResponseClassifier.transportError(new IOException("GOAWAY")));
    assertEquals(new SendOutcome.Failed("error IllegalStateException"),
        ResponseClassifier.transportError(new IllegalStateException("bug")));
  }

  @Test
  void retryAfterIsSecondsOrADateAndNeverNegative() {
    assertEquals(Optional.of(Duration.ofSeconds(120)), ResponseClassifier.retryAfter(Optional.of(" 120 "), CLOCK));
    assertEquals(Optional.of(Duration.ZERO),
        ResponseClassifier.retryAfter(Optional.of("Tue, 31 Dec 2024 23:00:00 GMT"), CLOCK));
    assertEquals(Optional.empty(), ResponseClassifier.retryAfter(Optional.of("soon"), CLOCK));
    assertEquals(Optional.empty(), ResponseClassifier.retryAfter(Optional.empty(), CLOCK));
  }
}
