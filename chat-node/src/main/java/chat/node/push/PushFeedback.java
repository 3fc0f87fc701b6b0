package chat.node.push;

/**
 * The push pipeline reports a token that the platform refused for good (unregistered, malformed): the value
 * of a record on {@link PushTopics#FEEDBACK}, keyed by {@link #user}, as JSON (schema {@link #SCHEMA}). The
 * node removes the token from the user's device, unless the device registered another one meanwhile.
 */
public record PushFeedback(int schema, String user, String deviceId, String platform, String token, String reason,
    long at) {

  public static final int SCHEMA = 1;
}
