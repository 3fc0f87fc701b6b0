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

  /** Will not succeed by retrying (bad credentials, a message the platform refuses): logged and counted. */
  record Failed(String reason) implements SendOutcome {}
}
