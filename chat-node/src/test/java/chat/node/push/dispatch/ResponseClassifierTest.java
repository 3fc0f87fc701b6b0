package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
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
    // UNREGISTERED has been seen with 400 too
    assertEquals(new SendOutcome.InvalidToken("UNREGISTERED"),
        fcm(400, fcmError(400, "INVALID_ARGUMENT", "UNREGISTERED")));
  }

  @Test
  void fcm404WithoutUnregisteredIsTheEndpointNotTheToken() {
    // a wrong project id, a wrong base URL, a proxy: deleting tokens for these would empty every user's devices
    assertEquals(new SendOutcome.PlatformUnavailable("NOT_FOUND"),
        fcm(404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\"}}"));
    assertEquals(new SendOutcome.PlatformUnavailable("http 404"), fcm(404, ""));
    assertEquals(new SendOutcome.PlatformUnavailable("http 404"), fcm(404, "<html><title>Not Found</title></html>"));
    assertEquals(new SendOutcome.PlatformUnavailable("http 405"), fcm(405, ""));
    // another FcmError than UNREGISTERED does not make a 404 about the token either
    assertEquals(new SendOutcome.PlatformUnavailable("UNSPECIFIED_ERROR"),
        fcm(404, fcmError(404, "NOT_FOUND", "UNSPECIFIED_ERROR")));
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
  void fcmCredentialAndConfigurationErrorsMakeThePlatformUnavailable() {
    assertEquals(new SendOutcome.PlatformUnavailable("UNAUTHENTICATED"),
        fcm(401, "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\"}}"));
    assertEquals(new SendOutcome.PlatformUnavailable("http 401"), fcm(401, ""));
    assertEquals(new SendOutcome.PlatformUnavailable("PERMISSION_DENIED"),
        fcm(403, "{\"error\":{\"code\":403,\"status\":\"PERMISSION_DENIED\"}}"));
    assertEquals(new SendOutcome.PlatformUnavailable("http 407"), fcm(407, ""));
  }

  @Test
  void fcmRefusalsOfOneTokenFailThatDeviceOnly() {
    // a token of another Firebase project: not dead (not reported), not our credentials (not held)
    assertEquals(new SendOutcome.Failed("SENDER_ID_MISMATCH"),
        fcm(403, fcmError(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")));
    // the project cannot reach the token's own platform (an iOS or web token without the APNs or web push key)
    assertEquals(new SendOutcome.Failed("THIRD_PARTY_AUTH_ERROR"),
        fcm(401, fcmError(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")));
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
    assertEquals(new SendOutcome.Failed("PayloadTooLarge"), apns(413, "PayloadTooLarge"));
  }

  @Test
  void apnsCredentialAndConfigurationErrorsMakeThePlatformUnavailable() {
    for (String reason : List.of("ExpiredProviderToken", "InvalidProviderToken", "MissingProviderToken",
        "BadCertificate", "Forbidden")) {
      assertEquals(new SendOutcome.PlatformUnavailable(reason), apns(403, reason));
    }
    assertEquals(new SendOutcome.PlatformUnavailable("http 403"),
        ResponseClassifier.apns(403, Optional.empty(), "", CLOCK));
    // the bundle id (apns-topic) is the same for every request
    for (String reason : List.of("BadTopic", "TopicDisallowed", "MissingTopic")) {
      assertEquals(new SendOutcome.PlatformUnavailable(reason), apns(400, reason));
    }
    // APNs' own BadPath, or not APNs at all
    assertEquals(new SendOutcome.PlatformUnavailable("BadPath"), apns(404, "BadPath"));
    assertEquals(new SendOutcome.PlatformUnavailable("http 404"),
        ResponseClassifier.apns(404, Optional.empty(), "<html>not found</html>", CLOCK));
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
