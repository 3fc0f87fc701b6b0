package chat.node.push.dispatch;

import java.time.Duration;
import java.util.Optional;

/**
 * What one call to a push platform came to. {@code reason} is the platform's own stable code where it sends one
 * ({@code UNREGISTERED}, {@code BadDeviceToken}, ...), else {@code http <status>} or the kind of transport error;
 * never a token or any part of a message.
 */
public sealed interface SendOutcome {

  /** The platform accepted the message for delivery. */
  Delivered DELIVERED = new Delivered();

  record Delivered() implements SendOutcome {}

  /** The token is dead for good (unregistered, malformed): retrying is useless and the node should forget it. */
  record InvalidToken(String reason) implements SendOutcome {}

  /** Worth trying again, not before {@code retryAfter} when the platform said so. */
  record Retryable(Optional<Duration> retryAfter, String reason) implements SendOutcome {}

  /**
   * The platform cannot be used at all just now, whatever the device or the message: no credentials (none
   * configured, a token file never readable), credentials refused (FCM 401 or 403, APNs 403), or an endpoint that
   * is not the platform (a bare 404: a wrong base URL, a proxy). Nothing is wrong with the request, so it is
   * never given up on: {@link RetryingSender} holds it and asks again, with backoff, until the platform answers
   * otherwise (someone fixed the credentials) or the dispatcher stops (the request is left uncommitted).
   */
  record PlatformUnavailable(String reason) implements SendOutcome {}

  /**
   * Will not succeed by retrying, and concerns this device or this message only (a payload the platform refuses,
   * a token of another Firebase project): logged and counted, and the device is not pushed.
   */
  record Failed(String reason) implements SendOutcome {}
}
