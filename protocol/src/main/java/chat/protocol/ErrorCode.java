package chat.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Stable, machine-readable error codes. The wire name never changes once published; {@link #retryable()}
 * is the default for whether repeating the same request can succeed.
 */
public enum ErrorCode {
  // --- the frame itself is unusable
  /** Not valid JSON, or not a JSON object. */
  BAD_FRAME("bad_frame", false),
  /** Valid JSON without a known {@code type}. */
  UNKNOWN_TYPE("unknown_type", false),
  /** A known request with a missing or invalid field. */
  INVALID_REQUEST("invalid_request", false),
  /** A text frame larger than the announced {@code maxFrameBytes}. */
  FRAME_TOO_LARGE("frame_too_large", false),
  /** A message body larger than the announced {@code maxBodyBytes}. */
  MESSAGE_TOO_LARGE("message_too_large", false),
  /** Binary frames are not part of the protocol. */
  BINARY_NOT_SUPPORTED("binary_not_supported", false),

  // --- authentication and authorisation
  /** A request other than {@code hello} before the connection is authenticated. */
  UNAUTHENTICATED("unauthenticated", false),
  /** A second {@code hello} on an authenticated connection. */
  ALREADY_AUTHENTICATED("already_authenticated", false),
  /** The token is malformed, badly signed, expired or names no valid user. */
  INVALID_TOKEN("invalid_token", false),
  /** The {@code hello} asked for a protocol version this server does not speak. */
  UNSUPPORTED_PROTOCOL("unsupported_protocol", false),
  /** The caller is not a member of the room. */
  NOT_MEMBER("not_member", false),
  /** The caller's role in the room does not allow this (see the authorization rules). */
  FORBIDDEN("forbidden", false),

  // --- domain outcomes
  ROOM_NOT_FOUND("room_not_found", false),
  /** {@code create_room} with the id of a room that someone else created, or that is not a group. */
  ROOM_EXISTS("room_exists", false),
  /** The request does not apply to this kind of room (e.g. adding a member to a DM). */
  WRONG_ROOM_KIND("wrong_room_kind", false),
  /** The room already has the maximum number of members. */
  ROOM_FULL("room_full", false),

  // --- transient conditions: the same request may succeed later
  /**
   * The server did not answer in time. The outcome is unknown: a {@code send} may have been stored, so
   * retry it with the same {@code clientMsgId}.
   */
  TIMEOUT("timeout", true),
  /** A dependency (e.g. the journal) is unavailable. Nothing was stored. */
  UNAVAILABLE("unavailable", true),
  /** Over the rate limit for this kind of request; retry after {@code retryAfterMs}. */
  TOO_MANY_REQUESTS("too_many_requests", true),
  /** The user is in the maximum number of rooms; leave one first. */
  TOO_MANY_ROOMS("too_many_rooms", false),
  /** An unexpected server fault. */
  INTERNAL("internal", true),

  // --- reasons carried by Closing
  /** No successful {@code hello} within the authentication deadline. */
  AUTH_TIMEOUT("auth_timeout", true),
  /** The client did not read its frames fast enough; reconnect and resume. */
  SLOW_CONSUMER("slow_consumer", true),
  /** The connection's token expired (and no fresh one came with reauthenticate); reconnect with a new one. */
  TOKEN_EXPIRED("token_expired", true),
  /**
   * The connection kept sending refused frames (over the rate limit, malformed, failed authentication,
   * denied presence watches); it is closed.
   */
  POLICY_VIOLATION("policy_violation", false),
  /**
   * The user has too many open connections (counted cluster-wide). Too many from one address are refused
   * at the upgrade with HTTP 429 instead, before the WebSocket opens.
   */
  TOO_MANY_CONNECTIONS("too_many_connections", true),
  /** Nothing arrived from the client for too long (see the heartbeat rule); reconnect. */
  IDLE_TIMEOUT("idle_timeout", true),
  /** A frame so large that the connection is dropped rather than read. */
  FRAME_FAR_TOO_LARGE("frame_far_too_large", false),
  /** The node is shutting down; reconnect (to another node). */
  SHUTTING_DOWN("shutting_down", true);

  private final String wireName;
  private final boolean retryable;

  ErrorCode(String wireName, boolean retryable) {
    this.wireName = wireName;
    this.retryable = retryable;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  public boolean retryable() {
    return retryable;
  }
}
