package chat.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Field rules for client requests, separate from the records so that they stay plain data. Returns the
 * first problem found, phrased for a developer reading the error frame.
 */
public final class FrameValidator {

  private final Limits limits;

  public FrameValidator(Limits limits) {
    this.limits = limits;
  }

  /** An {@link ErrorCode} and message, or empty when the frame is valid. */
  public Optional<DecodeResult.Invalid> validate(ClientFrame frame) {
    // an acknowledgement without an id asks for no answer (ClientFrame.Received)
    String problem = frame instanceof ClientFrame.Received && frame.id() == null ? null : requestId(frame.id());
    if (problem == null) {
      problem = fields(frame);
    }
    if (problem != null) {
      return Optional.of(new DecodeResult.Invalid(safeId(frame.id()), ErrorCode.INVALID_REQUEST, problem));
    }
    if (frame instanceof ClientFrame.Send send && bodyTooLarge(send.body())) {
      return Optional.of(new DecodeResult.Invalid(
          send.id(), ErrorCode.MESSAGE_TOO_LARGE,
          "body is larger than " + limits.maxBodyBytes() + " bytes of UTF-8"));
    }
    return Optional.empty();
  }

  /** Counted only when the body's length alone cannot tell that it fits: most bodies are far below the limit. */
  private boolean bodyTooLarge(String body) {
    return !Utf8.surelyWithin(body, limits.maxBodyBytes()) && Utf8.length(body) > limits.maxBodyBytes();
  }

  // Java 17: no pattern matching for switch yet, hence the instanceof chain.
  private String fields(ClientFrame frame) {
    if (frame instanceof ClientFrame.Hello h) {
      return h.protocol() == null ? "protocol is required"
          : h.token() != null && h.token().isBlank() ? "token must not be blank"
          : h.device() != null && !Protocol.DEVICE_ID.matcher(h.device()).matches()
              ? "device must match " + Protocol.DEVICE_ID.pattern() + " (e.g. a UUID)" : null;
    } else if (frame instanceof ClientFrame.RemoveMember r) {
      return firstOf(room(r.roomId()), user("user", r.user()));
    } else if (frame instanceof ClientFrame.RenameRoom r) {
      return firstOf(room(r.roomId()), blank(r.name()) || r.name().length() > Protocol.MAX_ROOM_NAME_CHARS
          ? "name is required, 1 to " + Protocol.MAX_ROOM_NAME_CHARS + " characters" : null);
    } else if (frame instanceof ClientFrame.SetRole r) {
      return firstOf(room(r.roomId()), user("user", r.user()), r.role() == null ? "role is required: member, admin or owner" : null);
    } else if (frame instanceof ClientFrame.DeleteRoom d) {
      return room(d.roomId());
    } else if (frame instanceof ClientFrame.RegisterPush r) {
      return firstOf(r.platform() == null ? "platform is required: fcm or apns" : null,
          r.token() == null || !Protocol.PUSH_TOKEN.matcher(r.token()).matches()
              ? "token is required: 1 to 1024 printable ASCII characters without spaces" : null);
    } else if (frame instanceof ClientFrame.SetRoomNotifications n) {
      return firstOf(room(n.roomId()), n.level() == null ? "level is required: all, no_preview or muted" : null);
    } else if (frame instanceof ClientFrame.SetPushPreviews p) {
      return p.enabled() == null ? "enabled is required" : null;
    } else if (frame instanceof ClientFrame.Reauthenticate r) {
      return blank(r.token()) ? "token is required" : null;
    } else if (frame instanceof ClientFrame.Received r) {
      return received(r);
    } else if (frame instanceof ClientFrame.SetPresence p) {
      return p.status() == null || p.status() == PresenceStatus.OFFLINE
          ? "status is required: online or away (use hidden to appear offline)" : null;
    } else if (frame instanceof ClientFrame.WatchPresence w) {
      return users(w.users());
    } else if (frame instanceof ClientFrame.UnwatchPresence u) {
      return users(u.users());
    } else if (frame instanceof ClientFrame.Typing t) {
      return firstOf(room(t.roomId()), t.active() == null ? "active is required" : null);
    } else if (frame instanceof ClientFrame.Receipts r) {
      return firstOf(room(r.roomId()), r.seq() != null && r.seq() < 1 ? "seq must be at least 1" : null);
    } else if (frame instanceof ClientFrame.Read r) {
      return firstOf(room(r.roomId()), r.seq() == null || r.seq() < 1 ? "seq is required, at least 1" : null);
    } else if (frame instanceof ClientFrame.CreateRoom c) {
      return createRoom(c);
    } else if (frame instanceof ClientFrame.OpenDm d) {
      return user("user", d.user());
    } else if (frame instanceof ClientFrame.Join j) {
      return room(j.roomId());
    } else if (frame instanceof ClientFrame.Leave l) {
      return room(l.roomId());
    } else if (frame instanceof ClientFrame.AddMember a) {
      return firstOf(room(a.roomId()), user("user", a.user()));
    } else if (frame instanceof ClientFrame.GetRoom g) {
      return room(g.roomId());
    } else if (frame instanceof ClientFrame.Send s) {
      return firstOf(
          room(s.roomId()),
          blank(s.clientMsgId()) || s.clientMsgId().length() > Protocol.MAX_CLIENT_MSG_ID_CHARS
              ? "clientMsgId is required, 1 to " + Protocol.MAX_CLIENT_MSG_ID_CHARS + " characters" : null,
          s.body() == null || s.body().isEmpty() ? "body is required and must not be empty" : null);
    } else if (frame instanceof ClientFrame.History h) {
      return history(h);
    }
    return null; // ping, list_rooms, unregister_push: nothing besides the id
  }

  private String createRoom(ClientFrame.CreateRoom c) {
    if (c.roomId() != null) {
      if (!Protocol.isRoomId(c.roomId())) {
        return "roomId must match " + Protocol.ROOM_ID.pattern();
      }
      if (c.roomId().startsWith(Protocol.DM_PREFIX)) {
        return "roomId must not start with '" + Protocol.DM_PREFIX + "' (reserved for DMs; use open_dm)";
      }
    }
    if (blank(c.name()) || c.name().length() > Protocol.MAX_ROOM_NAME_CHARS) {
      return "name is required, 1 to " + Protocol.MAX_ROOM_NAME_CHARS + " characters";
    }
    List<String> members = c.members() == null ? List.of() : c.members();
    if (members.size() > Protocol.MAX_INITIAL_MEMBERS) {
      return "at most " + Protocol.MAX_INITIAL_MEMBERS + " initial members";
    }
    var seen = new HashSet<String>();
    for (String m : members) {
      String bad = user("members[]", m);
      if (bad != null) {
        return bad;
      }
      if (!seen.add(m)) {
        return "members lists " + m + " twice";
      }
    }
    return null;
  }

  private static String users(List<String> users) {
    if (users == null || users.isEmpty() || users.size() > Protocol.MAX_USERS_PER_WATCH) {
      return "users is required, 1 to " + Protocol.MAX_USERS_PER_WATCH + " user ids";
    }
    for (String user : users) {
      String bad = user("users[]", user);
      if (bad != null) {
        return bad;
      }
    }
    return null;
  }

  private static String received(ClientFrame.Received r) {
    if (r.cursors() == null || r.cursors().isEmpty()) {
      return "cursors is required: an object of roomId to seq";
    }
    if (r.cursors().size() > Protocol.MAX_CURSORS_PER_RECEIVED) {
      return "at most " + Protocol.MAX_CURSORS_PER_RECEIVED + " rooms per received";
    }
    for (var cursor : r.cursors().entrySet()) {
      String bad = room(cursor.getKey());
      if (bad != null) {
        return "cursors: " + bad;
      }
      if (cursor.getValue() == null || cursor.getValue() < 1) {
        return "cursors: seq of " + cursor.getKey() + " must be at least 1";
      }
    }
    return null;
  }

  private String history(ClientFrame.History h) {
    if (h.before() != null && h.after() != null) {
      return "give at most one of before and after";
    }
    if (h.before() != null && h.before() < 1) {
      return "before must be at least 1";
    }
    if (h.after() != null && h.after() < 0) {
      return "after must be at least 0";
    }
    if (h.limit() != null && (h.limit() < 1 || h.limit() > limits.maxHistoryLimit())) {
      return "limit must be between 1 and " + limits.maxHistoryLimit();
    }
    return room(h.roomId());
  }

  private static String requestId(String id) {
    if (blank(id) || id.length() > Protocol.MAX_REQUEST_ID_CHARS) {
      return "id is required, 1 to " + Protocol.MAX_REQUEST_ID_CHARS + " characters";
    }
    return null;
  }

  private static String room(String roomId) {
    return Protocol.isRoomId(roomId) ? null : "roomId is required and must match " + Protocol.ROOM_ID.pattern();
  }

  private static String user(String field, String userId) {
    return Protocol.isUserId(userId) ? null : field + " must be a user id matching " + Protocol.USER_ID.pattern();
  }

  private static String firstOf(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** Echo an id only if it is one we could have accepted; never reflect arbitrary junk back. */
  static String safeId(String id) {
    return id != null && !id.isBlank() && id.length() <= Protocol.MAX_REQUEST_ID_CHARS ? id : null;
  }
}
