package chat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * Every frame a client may send. Each one is a request: it carries a client-chosen {@code id} and the
 * server answers it with exactly one {@link ServerFrame.Ack} or {@link ServerFrame.Error} carrying the same id.
 *
 * <p>Optional fields are nullable; {@link FrameValidator} enforces what is required and the limits.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientFrame.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
  @JsonSubTypes.Type(value = ClientFrame.CreateRoom.class, name = "create_room"),
  @JsonSubTypes.Type(value = ClientFrame.OpenDm.class, name = "open_dm"),
  @JsonSubTypes.Type(value = ClientFrame.Join.class, name = "join"),
  @JsonSubTypes.Type(value = ClientFrame.Leave.class, name = "leave"),
  @JsonSubTypes.Type(value = ClientFrame.AddMember.class, name = "add_member"),
  @JsonSubTypes.Type(value = ClientFrame.ListRooms.class, name = "list_rooms"),
  @JsonSubTypes.Type(value = ClientFrame.GetRoom.class, name = "get_room"),
  @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
  @JsonSubTypes.Type(value = ClientFrame.History.class, name = "history"),
  @JsonSubTypes.Type(value = ClientFrame.Received.class, name = "received"),
  @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
  @JsonSubTypes.Type(value = ClientFrame.Receipts.class, name = "receipts"),
  @JsonSubTypes.Type(value = ClientFrame.SetPresence.class, name = "set_presence"),
  @JsonSubTypes.Type(value = ClientFrame.WatchPresence.class, name = "watch_presence"),
  @JsonSubTypes.Type(value = ClientFrame.UnwatchPresence.class, name = "unwatch_presence"),
  @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
  @JsonSubTypes.Type(value = ClientFrame.Reauthenticate.class, name = "reauthenticate"),
  @JsonSubTypes.Type(value = ClientFrame.RemoveMember.class, name = "remove_member"),
  @JsonSubTypes.Type(value = ClientFrame.RenameRoom.class, name = "rename_room"),
  @JsonSubTypes.Type(value = ClientFrame.SetRole.class, name = "set_role"),
  @JsonSubTypes.Type(value = ClientFrame.DeleteRoom.class, name = "delete_room"),
  @JsonSubTypes.Type(value = ClientFrame.RegisterPush.class, name = "register_push"),
  @JsonSubTypes.Type(value = ClientFrame.UnregisterPush.class, name = "unregister_push"),
  @JsonSubTypes.Type(value = ClientFrame.SetRoomNotifications.class, name = "set_room_notifications"),
  @JsonSubTypes.Type(value = ClientFrame.SetPushPreviews.class, name = "set_push_previews"),
})
public sealed interface ClientFrame {

  /** The request id, echoed in the answer. */
  String id();

  /** A fresh token for the same user, before the current one expires (see token_expired). */
  record Reauthenticate(String id, String token) implements ClientFrame {}

  /**
   * Authenticates the connection and negotiates the protocol version; must be the first request.
   * {@code token} may be left out when the connection was authenticated at the upgrade (an
   * {@code Authorization: Bearer} header or a {@code bearer.<token>} subprotocol).
   * {@code device} (optional) is a stable id of this installation: with it the server keeps a delivery
   * cursor per room for the device and, after the welcome, replays what the device has not acknowledged.
   */
  record Hello(String id, Integer protocol, String token, String device) implements ClientFrame {
    public Hello(String id, Integer protocol, String token) {
      this(id, protocol, token, null);
    }
  }

  /**
   * Acknowledges receipt: for each room, every item up to and including that seq is safely on this
   * device. Cumulative; needs a {@code device} in hello. Send it now and then (e.g. every second), not
   * per item. The only frame whose {@code id} may be null: then nothing is answered unless it is
   * invalid, which most clients want, since an ack of an ack is one more frame per receiver per second.
   */
  record Received(String id, java.util.Map<String, Long> cursors) implements ClientFrame {}

  /**
   * Marks the room read up to {@code seq} for the user (all their devices). Only moves forward. The
   * user's other devices are told with a {@code read_marker} push.
   */
  record Read(String id, String roomId, Long seq) implements ClientFrame {}

  /**
   * Who has received and read a room how far. With {@code seq}: also how many of the other members have
   * received and read that item ("delivered to 2 of 3").
   */
  record Receipts(String id, String roomId, Long seq) implements ClientFrame {}

  /**
   * This connection's presence: {@code online} (default on connect) or {@code away} (idle, in the
   * background). {@code hidden} (optional) is the user's preference for all devices: when true, everyone
   * else sees the user offline.
   */
  record SetPresence(String id, PresenceStatus status, Boolean hidden) implements ClientFrame {}

  /** Follows the presence of these users (only users who share a room with the caller are allowed). */
  record WatchPresence(String id, List<String> users) implements ClientFrame {}

  record UnwatchPresence(String id, List<String> users) implements ClientFrame {}

  /** The caller started ({@code active}) or stopped typing in a room. */
  record Typing(String id, String roomId, Boolean active) implements ClientFrame {}

  /**
   * Registers this device's push token (needs a {@code device} in hello), replacing the device's previous
   * one. While none of the user's devices receives a room's messages, they are announced to it by push.
   */
  record RegisterPush(String id, PushPlatform platform, String token) implements ClientFrame {}

  /** Removes this device's push token (e.g. at sign-out). */
  record UnregisterPush(String id) implements ClientFrame {}

  /** The user's choice of push notifications for one room, for all devices. */
  record SetRoomNotifications(String id, String roomId, NotificationLevel level) implements ClientFrame {}

  /** Whether pushes may show message text (for all rooms and devices of the user). On by default. */
  record SetPushPreviews(String id, Boolean enabled) implements ClientFrame {}

  /** Application-level liveness check; answered with {@link AckResult.Pong}. */
  record Ping(String id) implements ClientFrame {}

  /**
   * Creates a group room. {@code roomId} is optional: a client that wants a retry-safe create picks the
   * id itself (e.g. a UUID); otherwise the server generates one. {@code members} are added besides the creator.
   */
  record CreateRoom(String id, String roomId, String name, List<String> members, Visibility visibility)
      implements ClientFrame {}

  /** Opens (creating on first use) the direct-message room between the caller and {@code user}. */
  record OpenDm(String id, String user) implements ClientFrame {}

  /** Joins a public group room. */
  record Join(String id, String roomId) implements ClientFrame {}

  /** Leaves a group room. */
  record Leave(String id, String roomId) implements ClientFrame {}

  /** Adds {@code user} to a group room (any member of a public room; an owner or admin of a private one). */
  record AddMember(String id, String roomId, String user) implements ClientFrame {}

  /** An owner or admin removes {@code user} from a group room. */
  record RemoveMember(String id, String roomId, String user) implements ClientFrame {}

  /** An owner or admin renames a group room. */
  record RenameRoom(String id, String roomId, String name) implements ClientFrame {}

  /** The owner makes {@code user} an admin or a member again, or hands ownership to them ({@code owner}). */
  record SetRole(String id, String roomId, String user, RoomRole role) implements ClientFrame {}

  /** The owner deletes a group room: it disappears for everyone. */
  record DeleteRoom(String id, String roomId) implements ClientFrame {}

  /** Lists the rooms the caller is a member of. */
  record ListRooms(String id) implements ClientFrame {}

  /** Describes one room the caller is a member of, including its members and last seq. */
  record GetRoom(String id, String roomId) implements ClientFrame {}

  /**
   * Posts a message. {@code clientMsgId} makes the send idempotent: a retry with the same value returns
   * the seq the first attempt got instead of appending a duplicate.
   */
  record Send(String id, String roomId, String clientMsgId, String body) implements ClientFrame {}

  /**
   * Reads a page of a room's timeline: the items with seq &lt; {@code before}, or with seq &gt; {@code after},
   * or (neither given) the latest page. At most one of the two may be given.
   */
  record History(String id, String roomId, Long before, Long after, Integer limit) implements ClientFrame {}
}
