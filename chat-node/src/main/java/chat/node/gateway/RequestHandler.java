package chat.node.gateway;

import static chat.node.concurrent.Continuations.inline;

import chat.node.metrics.NodeMetrics;
import chat.node.room.ChatRoom;
import chat.node.room.RoomIds;
import chat.node.room.RoomTimeline;
import chat.node.room.TimelineRange;
import chat.node.tracing.NodeTracing;
import chat.node.user.Memberships;
import chat.node.user.UserSession;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import chat.protocol.Visibility;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Carries out the requests of an authenticated user: turns a frame into entity asks and their outcome into
 * exactly one answer frame. Owns the ask timeouts and the mapping of failures to retryable errors. The
 * entities decide; this class only translates and sequences.
 */
final class RequestHandler {

  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

  private final ClusterSharding sharding;
  private final RoomTimeline timeline;
  private final Duration askTimeout;
  private final int maxRoomsPerUser;
  private final NodeMetrics metrics;
  private final NodeTracing tracing;

  RequestHandler(
      ClusterSharding sharding, RoomTimeline timeline, Duration askTimeout, int maxRoomsPerUser, NodeMetrics metrics,
      NodeTracing tracing) {
    this.metrics = metrics;
    this.tracing = tracing;
    this.sharding = sharding;
    this.timeline = timeline;
    this.askTimeout = askTimeout;
    this.maxRoomsPerUser = maxRoomsPerUser;
  }

  /** Never fails: every outcome, including timeouts and faults, is an answer frame for {@code frame.id()}. */
  CompletionStage<ServerFrame> handle(Caller caller, ClientFrame frame) {
    CompletionStage<ServerFrame> answer;
    try {
      if (frame instanceof ClientFrame.Received received) {
        answer = received(caller, received);
      } else if (frame instanceof ClientFrame.SetPresence p) {
        answer = setPresence(caller, p);
      } else if (frame instanceof ClientFrame.RegisterPush r) {
        answer = withDevice(caller, r.id(), "register_push", device -> inline(session(caller.userId())
            .<Done>ask(replyTo -> new UserSession.RegisterPushToken(device, ProtocolMapping.platform(r.platform()),
                r.token(), replyTo), askTimeout)));
      } else if (frame instanceof ClientFrame.UnregisterPush u) {
        answer = withDevice(caller, u.id(), "unregister_push", device -> inline(session(caller.userId())
            .<Done>ask(replyTo -> new UserSession.UnregisterPushToken(device, replyTo), askTimeout)));
      } else if (frame instanceof ClientFrame.SetRoomNotifications n) {
        answer = inline(session(caller.userId()).<UserSession.SettingReply>ask(replyTo -> new UserSession.SetRoomNotifications(
                n.roomId(), ProtocolMapping.pushLevel(n.level()), replyTo), askTimeout))
            .thenApply(reply -> reply instanceof UserSession.SettingSaved
                ? ack(n.id(), new AckResult.Ok())
                : ServerFrame.Error.of(n.id(), ErrorCode.NOT_MEMBER, "you are not a member of this room"));
      } else if (frame instanceof ClientFrame.SetPushPreviews p) {
        answer = inline(session(caller.userId())
            .<Done>ask(replyTo -> new UserSession.SetPushPreviews(p.enabled(), replyTo), askTimeout))
            .thenApply(done -> ack(p.id(), new AckResult.Ok()));
      } else if (frame instanceof ClientFrame.WatchPresence w) {
        answer = watch(caller, w.users()).thenApply(list -> ack(w.id(), list));
      } else if (frame instanceof ClientFrame.UnwatchPresence u) {
        u.users().forEach(user -> session(user).tell(new UserSession.UnwatchPresence(caller.deliveries())));
        answer = CompletableFuture.completedFuture(ack(u.id(), new AckResult.Ok()));
      } else {
        answer = dispatch(caller.userId(), frame);
      }
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.exceptionally(failure -> failed(caller, frame, failure));
  }

  private CompletionStage<ServerFrame> dispatch(String user, ClientFrame frame) {
    String id = frame.id();
    if (frame instanceof ClientFrame.Send s) {
      long arrived = System.nanoTime();
      NodeTracing.SendSpan trace = tracing.send(s.roomId(), user, s.clientMsgId());
      String traceContext = trace == null ? null : trace.context();
      CompletionStage<ServerFrame> answer = inline(room(s.roomId())
          .<ChatRoom.PostReply>ask(r -> new ChatRoom.Post(user, s.clientMsgId(), s.body(), traceContext, r), askTimeout))
          .thenApply(reply -> {
            if (reply instanceof ChatRoom.Accepted a) {
              metrics.sent(System.nanoTime() - arrived, false);
              return ack(id, new AckResult.Sent(s.roomId(), a.seq(), a.ts(), false));
            } else if (reply instanceof ChatRoom.Duplicate d) {
              metrics.sent(System.nanoTime() - arrived, true);
              return ack(id, new AckResult.Sent(s.roomId(), d.seq(), d.ts(), true));
            }
            ChatRoom.Rejected refused = (ChatRoom.Rejected) reply;
            metrics.rejected(switch (refused.reason()) {
              case NOT_MEMBER -> NodeMetrics.Refusal.NOT_MEMBER;
              case NOT_FOUND -> NodeMetrics.Refusal.NOT_FOUND;
              case FORBIDDEN -> NodeMetrics.Refusal.FORBIDDEN;
              default -> NodeMetrics.Refusal.OTHER;
            });
            return rejected(id, refused);
          });
      // no answer from the room in time (or a fault): the outcome is unknown; counted, not timed
      answer = answer.whenComplete((ok, failure) -> {
        if (failure != null) {
          metrics.sendFailed();
        }
      });
      return trace == null ? answer : traced(answer, trace);
    } else if (frame instanceof ClientFrame.History h) {
      return history(user, h);
    } else if (frame instanceof ClientFrame.CreateRoom c) {
      String roomId = c.roomId() != null ? c.roomId() : RoomIds.newGroupId();
      List<String> members = c.members() == null ? List.of() : c.members();
      ChatRoom.Visibility visibility = ProtocolMapping.visibility(c.visibility() == null ? Visibility.PRIVATE : c.visibility());
      List<String> everyone = new ArrayList<>(members);
      everyone.add(user);
      return withRoomToSpare(id, everyone, roomId,
          () -> roomChange(id, roomId, r -> new ChatRoom.CreateGroup(user, c.name(), visibility, members, r), null));
    } else if (frame instanceof ClientFrame.OpenDm d) {
      String roomId = RoomIds.dm(user, d.user());
      return withRoomToSpare(id, List.of(user, d.user()), roomId,
          () -> roomChange(id, roomId, r -> new ChatRoom.OpenDm(user, d.user(), r), null));
    } else if (frame instanceof ClientFrame.Join j) {
      return withRoomToSpare(id, List.of(user), j.roomId(),
          () -> roomChange(id, j.roomId(), r -> new ChatRoom.Join(user, r), List.of(user)));
    } else if (frame instanceof ClientFrame.AddMember a) {
      return withRoomToSpare(id, List.of(a.user()), a.roomId(),
          () -> roomChange(id, a.roomId(), r -> new ChatRoom.AddMember(user, a.user(), r), List.of(a.user())));
    } else if (frame instanceof ClientFrame.RemoveMember r) {
      return inline(room(r.roomId()).<ChatRoom.RoomReply>ask(replyTo -> new ChatRoom.RemoveMember(user, r.user(), replyTo), askTimeout))
          .thenCompose(reply -> {
            if (reply instanceof ChatRoom.RoomReady unchanged) {
              // not a member: nothing to record (in anybody's index)
              return CompletableFuture.completedFuture(ack(id, new AckResult.Room(ProtocolMapping.room(unchanged.view()))));
            }
            if (!(reply instanceof ChatRoom.MemberRemoved removed)) {
              return CompletableFuture.completedFuture(rejected(id, (ChatRoom.Rejected) reply));
            }
            // the removed user's index: a tombstone at the removal
            return recordMemberships(Map.of(r.user(), UserSession.Membership.tombstone(r.roomId(), removed.view().lastSeq())))
                .thenApply(done -> ack(id, new AckResult.Room(ProtocolMapping.room(removed.view()))));
          });
    } else if (frame instanceof ClientFrame.RenameRoom r) {
      return roomAnswer(id, r.roomId(), replyTo -> new ChatRoom.Rename(user, r.name(), replyTo));
    } else if (frame instanceof ClientFrame.SetRole r) {
      return roomAnswer(id, r.roomId(), replyTo -> new ChatRoom.SetRole(user, r.user(), ProtocolMapping.role(r.role()), replyTo));
    } else if (frame instanceof ClientFrame.DeleteRoom d) {
      return inline(room(d.roomId()).<ChatRoom.DeleteReply>ask(replyTo -> new ChatRoom.Delete(user, replyTo), askTimeout))
          .thenCompose(reply -> {
            if (!(reply instanceof ChatRoom.Deleted deleted)) {
              return CompletableFuture.completedFuture(rejected(id, (ChatRoom.Rejected) reply));
            }
            Map<String, UserSession.Membership> tombstones = new HashMap<>();
            deleted.formerMembers().forEach(m -> tombstones.put(m,
                UserSession.Membership.tombstone(d.roomId(), deleted.seq())));
            return recordMemberships(tombstones).thenApply(done -> ack(id, new AckResult.RoomDeleted(d.roomId(), deleted.seq())));
          });
    } else if (frame instanceof ClientFrame.GetRoom g) {
      return inline(room(g.roomId()).<ChatRoom.RoomReply>ask(r -> new ChatRoom.GetView(user, r), askTimeout))
          .thenApply(reply -> reply instanceof ChatRoom.RoomReady ready
              ? ack(id, new AckResult.Room(ProtocolMapping.room(ready.view())))
              : rejected(id, (ChatRoom.Rejected) reply));
    } else if (frame instanceof ClientFrame.Leave l) {
      return leave(user, l);
    } else if (frame instanceof ClientFrame.ListRooms) {
      return inline(session(user).<UserSession.RoomList>ask(UserSession.ListRooms::new, askTimeout))
          .thenApply(list -> ack(id, new AckResult.Rooms(list.rooms().stream()
              .sorted(Comparator.comparing(UserSession.Membership::roomId))
              .map(m -> ProtocolMapping.summary(m, list.reads().get(m.roomId()), list.push().get(m.roomId())))
              .toList())));
    } else if (frame instanceof ClientFrame.Receipts r) {
      return inline(room(r.roomId()).<ChatRoom.ReceiptsReply>ask(replyTo -> new ChatRoom.GetReceipts(user, r.seq(), replyTo), askTimeout))
          .thenApply(reply -> reply instanceof ChatRoom.Receipts receipts
              ? ack(id, ProtocolMapping.receipts(r.roomId(), receipts))
              : rejected(id, (ChatRoom.Rejected) reply));
    } else if (frame instanceof ClientFrame.Read r) {
      return read(user, r);
    } else if (frame instanceof ClientFrame.Typing t) {
      return inline(room(t.roomId()).<ChatRoom.TypingReply>ask(replyTo -> new ChatRoom.Typing(user, t.active(), replyTo), askTimeout))
          .thenApply(reply -> reply instanceof ChatRoom.TypingNoted
              ? ack(id, new AckResult.Ok())
              : rejected(id, (ChatRoom.Rejected) reply));
    } else if (frame instanceof ClientFrame.Ping) {
      return CompletableFuture.completedFuture(ack(id, new AckResult.Pong(System.currentTimeMillis())));
    }
    return CompletableFuture.completedFuture(
        ServerFrame.Error.of(id, ErrorCode.INVALID_REQUEST, "not allowed after hello"));
  }

  /**
   * A membership-changing room command: the room decides and persists; then the index of every affected
   * user (all members when {@code affected} is null) records the change, and only then the client is
   * answered, so that list_rooms right after shows the room. A retry after a failure is harmless:
   * both steps are idempotent.
   */
  private CompletionStage<ServerFrame> roomChange(
      String id, String roomId, Function<ActorRef<ChatRoom.RoomReply>, ChatRoom.Command> command,
      Collection<String> affected) {
    return inline(room(roomId).ask(command, askTimeout)).thenCompose(reply -> {
      if (reply instanceof ChatRoom.RoomReady ready) {
        ChatRoom.RoomView view = ready.view();
        Collection<String> users = affected == null ? view.members().keySet() : affected;
        Map<String, UserSession.Membership> changes = new HashMap<>();
        users.forEach(u -> changes.put(u, Memberships.of(view, u)));
        return recordMemberships(changes)
            .thenApply(done -> ack(id, new AckResult.Room(ProtocolMapping.room(view))));
      }
      return CompletableFuture.completedFuture(rejected(id, (ChatRoom.Rejected) reply));
    });
  }

  private CompletionStage<ServerFrame> setPresence(Caller caller, ClientFrame.SetPresence p) {
    UserSession.Availability availability = p.status() == chat.protocol.PresenceStatus.AWAY
        ? UserSession.Availability.AWAY : UserSession.Availability.ONLINE;
    return inline(session(caller.userId())
        .<Done>ask(replyTo -> new UserSession.SetAvailability(caller.connectionId(), availability, p.hidden(), replyTo), askTimeout))
        .thenApply(done -> ack(p.id(), new AckResult.Ok()));
  }

  /**
   * Watches (or renews watching) the presence of {@code users} for the caller's connection. Each user's
   * session decides whether the caller may see it (they must share a room), so the caller's rooms go
   * along. Never fails as a whole: a user whose session does not answer is simply left out this time.
   */
  CompletionStage<AckResult.PresenceList> watch(Caller caller, java.util.List<String> users) {
    return inline(session(caller.userId()).<UserSession.RoomList>ask(UserSession.ListRooms::new, askTimeout))
        .thenCompose(list -> {
          java.util.Set<String> rooms = list.rooms().stream().map(UserSession.Membership::roomId)
              .collect(java.util.stream.Collectors.toUnmodifiableSet());
          java.util.List<CompletableFuture<Map.Entry<String, UserSession.PresenceAnswer>>> answers = users.stream().distinct()
              .map(user -> inline(session(user)
                  .<UserSession.PresenceAnswer>ask(replyTo -> new UserSession.WatchPresence(caller.userId(), rooms,
                      caller.deliveries(), replyTo), askTimeout))
                  .thenApply(answer -> Map.entry(user, answer))
                  .exceptionally(failure -> null)
                  .toCompletableFuture())
              .toList();
          return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            java.util.List<ServerFrame.Presence> presences = new java.util.ArrayList<>();
            java.util.List<String> denied = new java.util.ArrayList<>();
            for (var future : answers) {
              var entry = future.join();
              if (entry == null) {
                continue;
              }
              if (entry.getValue().allowed()) {
                presences.add(ProtocolMapping.presence(entry.getKey(), entry.getValue().availability(), entry.getValue().lastSeen()));
              } else {
                denied.add(entry.getKey());
              }
            }
            return new AckResult.PresenceList(presences, denied);
          });
        });
  }

  /**
   * Runs a request that would put {@code users} into {@code roomId} only if each is in fewer than
   * {@code max-rooms-per-user} rooms (or already in this one: repeating a join stays idempotent). Checked
   * for everyone a request adds, not just the requester: nobody can be pushed over the cap by others.
   */
  private CompletionStage<ServerFrame> withRoomToSpare(
      String id, List<String> users, String roomId, Supplier<CompletionStage<ServerFrame>> request) {
    List<CompletableFuture<String>> full = users.stream().distinct()
        .map(user -> inline(session(user).<UserSession.RoomList>ask(UserSession.ListRooms::new, askTimeout))
            .thenApply(list -> list.rooms().size() >= maxRoomsPerUser
                && list.rooms().stream().noneMatch(m -> m.roomId().equals(roomId)) ? user : null)
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(full.toArray(CompletableFuture[]::new)).thenCompose(done -> {
      List<String> atCap = full.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList();
      if (!atCap.isEmpty()) {
        return CompletableFuture.completedFuture(ServerFrame.Error.of(id, ErrorCode.TOO_MANY_ROOMS,
            String.join(", ", atCap) + (atCap.size() == 1 ? " is" : " are") + " already in " + maxRoomsPerUser
                + " rooms, the most allowed"));
      }
      return request.get();
    });
  }

  /** The room says how far its timeline goes; a marker beyond that is capped there. */
  private CompletionStage<ServerFrame> read(String user, ClientFrame.Read r) {
    return inline(room(r.roomId()).<ChatRoom.ReadReply>ask(replyTo -> new ChatRoom.AuthorizeRead(user, replyTo), askTimeout))
        .thenCompose(reply -> {
          if (!(reply instanceof ChatRoom.ReadAllowed allowed)) {
            return CompletableFuture.completedFuture(rejected(r.id(), (ChatRoom.Rejected) reply));
          }
          long seq = Math.min(r.seq(), allowed.lastSeq());
          return inline(session(user)
              .<UserSession.ReadReply>ask(replyTo -> new UserSession.MarkRead(r.roomId(), seq, replyTo), askTimeout))
              .thenApply(marked -> marked instanceof UserSession.ReadMarked m
                  ? ack(r.id(), new AckResult.ReadState(m.roomId(), m.seq(), m.unread()))
                  : ServerFrame.Error.of(r.id(), ErrorCode.NOT_MEMBER, "you are not a member of this room"));
        });
  }

  /** A request about the caller's device: refused when hello named none. */
  private static CompletionStage<ServerFrame> withDevice(
      Caller caller, String id, String what, java.util.function.Function<String, CompletionStage<Done>> request) {
    if (caller.deviceId() == null) {
      return CompletableFuture.completedFuture(ServerFrame.Error.of(id, ErrorCode.INVALID_REQUEST,
          what + " needs a device: send hello with a device id"));
    }
    return request.apply(caller.deviceId()).thenApply(done -> ack(id, new AckResult.Ok()));
  }

  /** Cursors are taken in memory by the session and journaled in batches; the answer does not wait for that. */
  private CompletionStage<ServerFrame> received(Caller caller, ClientFrame.Received r) {
    return withDevice(caller, r.id(), "received", device -> inline(session(caller.userId())
        .<Done>ask(replyTo -> new UserSession.AdvanceCursors(device, Map.copyOf(r.cursors()), replyTo), askTimeout)));
  }

  /** A room command answered with the room as it is afterwards. */
  private CompletionStage<ServerFrame> roomAnswer(
      String id, String roomId, Function<ActorRef<ChatRoom.RoomReply>, ChatRoom.Command> command) {
    return inline(room(roomId).ask(command, askTimeout)).thenApply(reply -> reply instanceof ChatRoom.RoomReady ready
        ? ack(id, new AckResult.Room(ProtocolMapping.room(ready.view())))
        : rejected(id, (ChatRoom.Rejected) reply));
  }

  private CompletionStage<ServerFrame> leave(String user, ClientFrame.Leave l) {
    return inline(room(l.roomId()).<ChatRoom.LeaveReply>ask(r -> new ChatRoom.Leave(user, r), askTimeout))
        .thenCompose(reply -> {
          if (reply instanceof ChatRoom.Left left) {
            var tombstone = UserSession.Membership.tombstone(l.roomId(), left.seq());
            return recordMemberships(Map.of(user, tombstone))
                .thenApply(done -> ack(l.id(), new AckResult.Left(l.roomId(), left.seq())));
          }
          return CompletableFuture.completedFuture(rejected(l.id(), (ChatRoom.Rejected) reply));
        });
  }

  private CompletionStage<ServerFrame> history(String user, ClientFrame.History h) {
    int limit = h.limit() == null ? Protocol.DEFAULT_HISTORY_LIMIT : h.limit();
    return inline(room(h.roomId()).<ChatRoom.ReadReply>ask(r -> new ChatRoom.AuthorizeRead(user, r), askTimeout))
        .thenCompose(reply -> {
          if (!(reply instanceof ChatRoom.ReadAllowed allowed)) {
            return CompletableFuture.completedFuture(rejected(h.id(), (ChatRoom.Rejected) reply));
          }
          long lastSeq = allowed.lastSeq();
          TimelineRange range = h.before() != null ? TimelineRange.before(h.before(), limit, lastSeq)
              : h.after() != null ? TimelineRange.after(h.after(), limit, lastSeq)
              : TimelineRange.latest(lastSeq, limit);
          return timeline.read(h.roomId(), range)
              .thenApply(entries -> ack(h.id(), new AckResult.HistoryPage(
                  h.roomId(), entries.stream().map(ProtocolMapping::item).toList(), range.hasMore(), lastSeq)));
        });
  }

  private CompletionStage<Void> recordMemberships(Map<String, UserSession.Membership> byUser) {
    CompletableFuture<?>[] recorded = byUser.entrySet().stream()
        .map(e -> inline(session(e.getKey())
            .<Done>ask(r -> new UserSession.RecordMembership(e.getValue(), r), askTimeout))
            .toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(recorded);
  }

  /** Ends a send's span with its answer: the seq it got, the error frame's code, or the failure. */
  private static CompletionStage<ServerFrame> traced(CompletionStage<ServerFrame> answer, NodeTracing.SendSpan trace) {
    return answer.whenComplete((frame, failure) -> {
      if (failure != null) {
        trace.failed(failure);
      } else if (frame instanceof ServerFrame.Ack ack && ack.result() instanceof AckResult.Sent sent) {
        trace.accepted(sent.seq(), sent.duplicate());
      } else {
        trace.refused(frame instanceof ServerFrame.Error error ? error.code().wireName() : "unexpected_answer");
      }
    });
  }

  private EntityRef<ChatRoom.Command> room(String roomId) {
    return sharding.entityRefFor(ChatRoom.ENTITY_KEY, roomId);
  }

  private EntityRef<UserSession.Command> session(String userId) {
    return sharding.entityRefFor(UserSession.ENTITY_KEY, userId);
  }

  private static ServerFrame ack(String id, AckResult result) {
    return new ServerFrame.Ack(id, result);
  }

  private static ServerFrame rejected(String id, ChatRoom.Rejected rejected) {
    return ServerFrame.Error.of(id, ProtocolMapping.error(rejected.reason()), ProtocolMapping.describe(rejected.reason()));
  }

  private static ServerFrame failed(Caller caller, ClientFrame frame, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof TimeoutException) {
      return ServerFrame.Error.of(frame.id(), ErrorCode.TIMEOUT,
          "no answer in time; the outcome is unknown, retry (a send with the same clientMsgId is deduplicated)");
    }
    if (frame instanceof ClientFrame.History) {
      failureLog(log.atWarn(), caller, frame).log("history read failed: {}", cause.toString());
      return ServerFrame.Error.of(frame.id(), ErrorCode.UNAVAILABLE, "the timeline cannot be read right now");
    }
    failureLog(log.atError(), caller, frame).setCause(cause).log("request {} failed", frame.getClass().getSimpleName());
    return ServerFrame.Error.of(frame.id(), ErrorCode.INTERNAL, "internal error");
  }

  private static LoggingEventBuilder failureLog(LoggingEventBuilder line, Caller caller, ClientFrame frame) {
    line = line.addKeyValue("conn", caller.connectionId()).addKeyValue("user", caller.userId());
    String room = roomOf(frame);
    return room == null ? line : line.addKeyValue("room", room);
  }

  /** The room a frame is about, if any: every frame about one room names it {@code roomId}. For the log only. */
  private static String roomOf(ClientFrame frame) {
    if (!frame.getClass().isRecord()) {
      return null;
    }
    try {
      for (RecordComponent component : frame.getClass().getRecordComponents()) {
        if (component.getName().equals("roomId")) {
          return (String) component.getAccessor().invoke(frame);
        }
      }
    } catch (ReflectiveOperationException | ClassCastException e) {
      // no room to name
    }
    return null;
  }
}
