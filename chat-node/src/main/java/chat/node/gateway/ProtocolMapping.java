package chat.node.gateway;

import chat.node.room.ChatRoom;
import chat.node.user.PushSettings;
import chat.node.user.UserSession;
import chat.protocol.AckResult;
import chat.protocol.ErrorCode;
import chat.protocol.PresenceStatus;
import chat.protocol.ServerFrame;
import chat.protocol.RoomInfo;
import chat.protocol.RoomKind;
import chat.protocol.NotificationLevel;
import chat.protocol.PushPlatform;
import chat.protocol.RoomSummary;
import chat.protocol.TimelineItem;
import chat.protocol.Visibility;
import java.util.List;

/** Translates between the domain (entities) and the wire (protocol records). Entities never see the wire. */
final class ProtocolMapping {

  private ProtocolMapping() {}

  static TimelineItem item(ChatRoom.TimelineEntry entry) {
    String roomId = entry.roomId();
    long seq = entry.seq();
    ChatRoom.Event event = entry.event();
    if (event instanceof ChatRoom.MessagePosted m) {
      return new TimelineItem.Message(roomId, seq, m.ts(), m.sender(), m.clientMsgId(), m.body());
    } else if (event instanceof ChatRoom.MemberJoined j) {
      return new TimelineItem.MemberJoined(roomId, seq, j.ts(), j.by(), j.user());
    } else if (event instanceof ChatRoom.MemberLeft l) {
      return new TimelineItem.MemberLeft(roomId, seq, l.ts(), l.by(), l.user());
    } else if (event instanceof ChatRoom.RoomRenamed r) {
      return new TimelineItem.RoomRenamed(roomId, seq, r.ts(), r.by(), r.name());
    } else if (event instanceof ChatRoom.RoleChanged r) {
      return new TimelineItem.RoleChanged(roomId, seq, r.ts(), r.by(), r.user(), role(r.role()));
    } else if (event instanceof ChatRoom.RoomDeleted d) {
      return new TimelineItem.RoomDeleted(roomId, seq, d.ts(), d.by());
    } else if (event instanceof ChatRoom.RoomCreated c) {
      return new TimelineItem.RoomCreated(roomId, seq, c.ts(), c.createdBy(), kind(c.kind()), c.name(),
          visibility(c.visibility()), c.members());
    }
    throw new IllegalArgumentException("unmapped event " + event.getClass().getName());
  }

  static RoomInfo room(ChatRoom.RoomView view) {
    return new RoomInfo(view.roomId(), kind(view.kind()), view.name(), visibility(view.visibility()),
        view.createdBy(), List.copyOf(view.members().keySet()), view.lastSeq(), view.createdAt(),
        view.owner(), List.copyOf(view.admins()));
  }

  static RoomSummary summary(UserSession.Membership m, UserSession.ReadState read, PushSettings.Level push) {
    return new RoomSummary(m.roomId(), kind(m.kind()), m.name(), m.peer(),
        read == null ? 0 : read.readSeq(), read == null ? 0 : read.unread(), notifications(push));
  }

  static NotificationLevel notifications(PushSettings.Level level) {
    return level == null ? NotificationLevel.ALL : switch (level) {
      case ALL -> NotificationLevel.ALL;
      case NO_PREVIEW -> NotificationLevel.NO_PREVIEW;
      case MUTED -> NotificationLevel.MUTED;
    };
  }

  static PushSettings.Level pushLevel(NotificationLevel level) {
    return switch (level) {
      case ALL -> PushSettings.Level.ALL;
      case NO_PREVIEW -> PushSettings.Level.NO_PREVIEW;
      case MUTED -> PushSettings.Level.MUTED;
    };
  }

  static String platform(PushPlatform platform) {
    return switch (platform) {
      case FCM -> "fcm";
      case APNS -> "apns";
    };
  }

  static AckResult.Receipts receipts(String roomId, ChatRoom.Receipts r) {
    List<AckResult.MemberReceipt> members = r.perMember().isEmpty() ? null : r.perMember().stream()
        .map(m -> new AckResult.MemberReceipt(m.user(), m.delivered(), m.read()))
        .toList();
    return new AckResult.Receipts(roomId, members, r.seq(), r.others(), r.deliveredTo(), r.readBy());
  }

  static ServerFrame.Presence presence(String user, UserSession.Availability availability, Long lastSeen) {
    PresenceStatus status = switch (availability) {
      case ONLINE -> PresenceStatus.ONLINE;
      case AWAY -> PresenceStatus.AWAY;
      case OFFLINE -> PresenceStatus.OFFLINE;
    };
    return new ServerFrame.Presence(user, status, lastSeen);
  }

  static ChatRoom.Visibility visibility(Visibility v) {
    return v == Visibility.PUBLIC ? ChatRoom.Visibility.PUBLIC : ChatRoom.Visibility.PRIVATE;
  }

  static Visibility visibility(ChatRoom.Visibility v) {
    return v == ChatRoom.Visibility.PUBLIC ? Visibility.PUBLIC : Visibility.PRIVATE;
  }

  static RoomKind kind(ChatRoom.Kind kind) {
    return kind == ChatRoom.Kind.DM ? RoomKind.DM : RoomKind.GROUP;
  }

  static chat.protocol.RoomRole role(ChatRoom.Role role) {
    return switch (role) {
      case MEMBER -> chat.protocol.RoomRole.MEMBER;
      case ADMIN -> chat.protocol.RoomRole.ADMIN;
      case OWNER -> chat.protocol.RoomRole.OWNER;
    };
  }

  static ChatRoom.Role role(chat.protocol.RoomRole role) {
    return switch (role) {
      case MEMBER -> ChatRoom.Role.MEMBER;
      case ADMIN -> ChatRoom.Role.ADMIN;
      case OWNER -> ChatRoom.Role.OWNER;
    };
  }

  static ErrorCode error(ChatRoom.Rejection rejection) {
    return switch (rejection) {
      case NOT_FOUND -> ErrorCode.ROOM_NOT_FOUND;
      case NOT_MEMBER -> ErrorCode.NOT_MEMBER;
      case ROOM_EXISTS -> ErrorCode.ROOM_EXISTS;
      case WRONG_KIND -> ErrorCode.WRONG_ROOM_KIND;
      case ROOM_FULL -> ErrorCode.ROOM_FULL;
      case FORBIDDEN -> ErrorCode.FORBIDDEN;
    };
  }

  static String describe(ChatRoom.Rejection rejection) {
    return switch (rejection) {
      case NOT_FOUND -> "no such room, or it is private";
      case NOT_MEMBER -> "you are not a member of this room";
      case ROOM_EXISTS -> "a room with this id already exists";
      case WRONG_KIND -> "not possible in this kind of room";
      case ROOM_FULL -> "the room has reached its member limit";
      case FORBIDDEN -> "your role in this room does not allow this";
    };
  }
}
