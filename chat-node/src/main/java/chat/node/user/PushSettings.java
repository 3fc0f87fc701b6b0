package chat.node.user;

import chat.node.CborSerializable;
import java.util.HashMap;
import java.util.Map;

/**
 * A user's push registrations and choices, journaled in the user's session. {@code tokens}: device id to
 * its push token (one per device; a device that is forgotten takes its token with it). {@code rooms}: the
 * rooms whose level is not {@link Level#ALL}. {@code previewsOff}: no message text in any push.
 */
public record PushSettings(Map<String, Token> tokens, Map<String, Level> rooms, boolean previewsOff)
    implements CborSerializable {

  public enum Level { ALL, NO_PREVIEW, MUTED }

  /** {@code platform}: {@code fcm} or {@code apns}. */
  public record Token(String platform, String token) implements CborSerializable {}

  public static final PushSettings NONE = new PushSettings(Map.of(), Map.of(), false);

  public PushSettings {
    // snapshots from before push settings existed carry neither map
    tokens = tokens == null ? Map.of() : Map.copyOf(tokens);
    rooms = rooms == null ? Map.of() : Map.copyOf(rooms);
  }

  Level level(String roomId) {
    return rooms.getOrDefault(roomId, Level.ALL);
  }

  boolean hasToken(String deviceId, String token) {
    Token known = tokens.get(deviceId);
    return known != null && known.token().equals(token);
  }

  PushSettings withToken(String deviceId, Token token) {
    Map<String, Token> next = new HashMap<>(tokens);
    next.put(deviceId, token);
    return new PushSettings(next, rooms, previewsOff);
  }

  /** Removes the device's token; with {@code onlyIf}, only while the device still has that very token. */
  PushSettings withoutToken(String deviceId, String onlyIf) {
    Token known = tokens.get(deviceId);
    if (known == null || (onlyIf != null && !onlyIf.equals(known.token()))) {
      return this;
    }
    Map<String, Token> next = new HashMap<>(tokens);
    next.remove(deviceId);
    return new PushSettings(next, rooms, previewsOff);
  }

  PushSettings withLevel(String roomId, Level level) {
    if (level(roomId) == level) {
      return this;
    }
    Map<String, Level> next = new HashMap<>(rooms);
    if (level == Level.ALL) {
      next.remove(roomId);
    } else {
      next.put(roomId, level);
    }
    return new PushSettings(tokens, next, previewsOff);
  }

  PushSettings withPreviewsOff(boolean off) {
    return new PushSettings(tokens, rooms, off);
  }

  /** Only devices the session still knows keep their tokens. */
  PushSettings retainDevices(java.util.Set<String> deviceIds) {
    if (deviceIds.containsAll(tokens.keySet())) {
      return this;
    }
    Map<String, Token> next = new HashMap<>(tokens);
    next.keySet().retainAll(deviceIds);
    return new PushSettings(next, rooms, previewsOff);
  }
}
