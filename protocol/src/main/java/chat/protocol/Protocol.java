package chat.protocol;

import java.util.List;
import java.util.regex.Pattern;

/** Protocol-wide constants: versions, the WebSocket path, identifier syntax. */
public final class Protocol {

  /** The version this code speaks. A {@code hello} must ask for one of {@link #SUPPORTED_VERSIONS}. */
  public static final int VERSION = 1;

  public static final List<Integer> SUPPORTED_VERSIONS = List.of(1);

  /** The WebSocket endpoint, relative to the node's HTTP address. */
  public static final String WEBSOCKET_PATH = "/v1/ws";

  /**
   * User ids: letters, digits and {@code . _ @ -}, 1 to 64 characters. No {@code :}, which separates
   * the two users in a DM room id.
   */
  public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  /** Room ids: letters, digits and {@code . _ @ : -}, 1 to 160 characters. */
  public static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._@:-]{1,160}");

  /** Ids of DM rooms start with this; clients cannot create group rooms under it. */
  public static final String DM_PREFIX = "dm:";

  public static final int MAX_REQUEST_ID_CHARS = 64;
  public static final int MAX_CLIENT_MSG_ID_CHARS = 64;
  /** Device ids: like room ids, 1 to 64 characters (a UUID fits, with a prefix); stored and logged as given. */
  public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._@:-]{1,64}");
  public static final int MAX_CURSORS_PER_RECEIVED = 500;
  /** Push tokens: printable ASCII without spaces, 1 to 1024 characters (FCM and APNs tokens are far shorter). */
  public static final Pattern PUSH_TOKEN = Pattern.compile("[\\x21-\\x7E]{1,1024}");
  /** Users one watch_presence may name, and a connection may follow in all. */
  public static final int MAX_USERS_PER_WATCH = 200;
  public static final int MAX_ROOM_NAME_CHARS = 100;
  public static final int MAX_INITIAL_MEMBERS = 100;
  public static final int DEFAULT_HISTORY_LIMIT = 50;

  private Protocol() {}

  public static boolean isUserId(String s) {
    return s != null && USER_ID.matcher(s).matches();
  }

  public static boolean isRoomId(String s) {
    return s != null && ROOM_ID.matcher(s).matches();
  }
}
