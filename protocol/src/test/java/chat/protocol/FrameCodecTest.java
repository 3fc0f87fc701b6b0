package chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {

  private static final Limits LIMITS = new Limits(65536, 16, 200, 1000, 32);
  private final FrameCodec codec = new FrameCodec(LIMITS);

  static Stream<ClientFrame> everyClientFrame() {
    return Stream.of(
        new ClientFrame.Hello("1", 1, "tok"),
        new ClientFrame.Hello("1b", 1, "tok", "phone-1"),
        new ClientFrame.Received("1c", java.util.Map.of("team-1", 7L, "dm:a:b", 3L)),
        new ClientFrame.Received(null, java.util.Map.of("team-1", 8L)),
        new ClientFrame.Read("1d", "team-1", 9L),
        new ClientFrame.Receipts("1e", "team-1", 4L),
        new ClientFrame.SetPresence("1f", PresenceStatus.AWAY, true),
        new ClientFrame.WatchPresence("1g", List.of("bob", "carol")),
        new ClientFrame.UnwatchPresence("1h", List.of("bob")),
        new ClientFrame.Typing("1i", "team-1", true),
        new ClientFrame.RemoveMember("1j", "team-1", "bob"),
        new ClientFrame.RenameRoom("1k", "team-1", "Team B"),
        new ClientFrame.SetRole("1l", "team-1", "bob", RoomRole.ADMIN),
        new ClientFrame.DeleteRoom("1m", "team-1"),
        new ClientFrame.Reauthenticate("1n", "tok"),
        new ClientFrame.RegisterPush("1o", PushPlatform.APNS, "a1b2c3"),
        new ClientFrame.UnregisterPush("1p"),
        new ClientFrame.SetRoomNotifications("1q", "team-1", NotificationLevel.NO_PREVIEW),
        new ClientFrame.SetPushPreviews("1r", false),
        new ClientFrame.Ping("2"),
        new ClientFrame.CreateRoom("3", "team-1", "Team", List.of("bob"), Visibility.PUBLIC),
        new ClientFrame.CreateRoom("3b", null, "Team", null, null),
        new ClientFrame.OpenDm("4", "bob"),
        new ClientFrame.Join("5", "team-1"),
        new ClientFrame.Leave("6", "team-1"),
        new ClientFrame.AddMember("7", "team-1", "carol"),
        new ClientFrame.ListRooms("8"),
        new ClientFrame.GetRoom("9", "team-1"),
        new ClientFrame.Send("10", "team-1", "c-1", "hi"),
        new ClientFrame.History("11", "team-1", 10L, null, 20),
        new ClientFrame.History("12", "team-1", null, null, null));
  }

  @ParameterizedTest
  @MethodSource("everyClientFrame")
  void everyClientFrameRoundTrips(ClientFrame frame) {
    assertEquals(new DecodeResult.Valid(frame), codec.decodeClientFrame(codec.encode(frame)));
  }

  static Stream<ServerFrame> everyServerFrame() {
    var message = new TimelineItem.Message("r", 2, 1000, "alice", "c-1", "hi");
    return Stream.of(
        new ServerFrame.Ack("1", new AckResult.Welcome("alice", 1, 5, LIMITS, true)),
        new ServerFrame.Ack("2", new AckResult.Pong(5)),
        new ServerFrame.Ack("3", new AckResult.Room(new RoomInfo("r", RoomKind.GROUP, "Team", Visibility.PRIVATE, "alice", List.of("alice", "bob"), 3, 10, "alice", List.of("bob")))),
        new ServerFrame.Ack("4", new AckResult.Rooms(List.of(new RoomSummary("dm:a:b", RoomKind.DM, null, "b", 4, 2, NotificationLevel.MUTED)))),
        new ServerFrame.Ack("5", new AckResult.Left("r", 9)),
        new ServerFrame.Ack("6", new AckResult.Sent("r", 2, 1000, true)),
        new ServerFrame.Ack("7", new AckResult.HistoryPage("r", List.of(
            new TimelineItem.RoomCreated("r", 1, 10, "alice", RoomKind.GROUP, "Team", Visibility.PUBLIC, List.of("alice")),
            message,
            new TimelineItem.MemberJoined("r", 3, 11, "alice", "bob"),
            new TimelineItem.MemberLeft("r", 4, 12, "bob", "bob"),
            new TimelineItem.RoomRenamed("r", 5, 13, "alice", "Team B"),
            new TimelineItem.RoleChanged("r", 6, 14, "alice", "bob", RoomRole.OWNER),
            new TimelineItem.RoomDeleted("r", 7, 15, "bob")), true, 7)),
        new ServerFrame.Ack("13", new AckResult.RoomDeleted("r", 7)),
        ServerFrame.Error.of("8", ErrorCode.NOT_MEMBER, "no"),
        ServerFrame.Error.of(null, ErrorCode.BAD_FRAME, "bad"),
        ServerFrame.Error.retryAfter("r", ErrorCode.TOO_MANY_REQUESTS, "slow down", 250),
        ServerFrame.Closing.of(ErrorCode.SLOW_CONSUMER, "slow"),
        new ServerFrame.Ack("9", new AckResult.Ok()),
        new ServerFrame.Gap("r", 2, 10, "backlog_limit"),
        new ServerFrame.CaughtUp("r", 12),
        new ServerFrame.Synced(3),
        new ServerFrame.ReadMarker("r", 12, 3),
        new ServerFrame.Receipt("r", List.of(new AckResult.MemberReceipt("bob", 12, 10), new AckResult.MemberReceipt("carol", 12, 12))),
        new ServerFrame.Presence("bob", PresenceStatus.OFFLINE, 1700L),
        new ServerFrame.TypingIndicator("r", "bob", true),
        new ServerFrame.Ack("12", new AckResult.PresenceList(List.of(new ServerFrame.Presence("bob", PresenceStatus.ONLINE, null)), List.of("eve"))),
        ServerFrame.Closing.of(ErrorCode.IDLE_TIMEOUT, "quiet"),
        new ServerFrame.Ack("11", new AckResult.Receipts("r", List.of(new AckResult.MemberReceipt("bob", 12, 10)), 11L, 1, 1, 0)),
        new ServerFrame.Ack("10", new AckResult.ReadState("r", 12, 0)),
        message);
  }

  @ParameterizedTest
  @MethodSource("everyServerFrame")
  void everyServerFrameRoundTrips(ServerFrame frame) {
    assertEquals(frame, codec.decodeServerFrame(codec.encode(frame)));
  }

  @Test
  void wireNamesAreTheDocumentedOnes() {
    assertEquals("{\"type\":\"send\",\"id\":\"1\",\"roomId\":\"r\",\"clientMsgId\":\"c\",\"body\":\"hi\"}",
        codec.encode(new ClientFrame.Send("1", "r", "c", "hi")));
    assertEquals("{\"type\":\"ack\",\"id\":\"1\",\"result\":{\"kind\":\"sent\",\"roomId\":\"r\",\"seq\":2,\"ts\":3,\"duplicate\":false}}",
        codec.encode(new ServerFrame.Ack("1", new AckResult.Sent("r", 2, 3, false))));
    assertEquals("{\"type\":\"error\",\"id\":\"1\",\"code\":\"not_member\",\"message\":\"m\",\"retryable\":false}",
        codec.encode(ServerFrame.Error.of("1", ErrorCode.NOT_MEMBER, "m")));
  }

  static Stream<Arguments> badFrames() {
    return Stream.of(
        Arguments.of("{not json", null, ErrorCode.BAD_FRAME),
        Arguments.of("", null, ErrorCode.BAD_FRAME),
        Arguments.of("[1,2]", null, ErrorCode.BAD_FRAME),
        // what Jackson would bind as a typed value wrapped in an array: not a frame
        Arguments.of("[\"ping\",{\"id\":\"1\"}]", null, ErrorCode.BAD_FRAME),
        Arguments.of(" null ", null, ErrorCode.BAD_FRAME),
        // a decimal where a string belongs is refused, however the frame is read
        Arguments.of("{\"id\":\"1\",\"type\":\"join\",\"roomId\":1e2}", "1", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"1\",\"type\":\"create_room\",\"name\":\"x\",\"members\":[1e2,100.0]}", "1", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":1.5,\"type\":\"ping\"}", null, ErrorCode.INVALID_REQUEST),
        Arguments.of("\"send\"", null, ErrorCode.BAD_FRAME),
        Arguments.of("{\"id\":\"1\",\"type\":\"send\",\"type\":\"ping\"}", null, ErrorCode.BAD_FRAME),
        Arguments.of("{\"id\":\"1\"}", "1", ErrorCode.UNKNOWN_TYPE),
        Arguments.of("{\"id\":\"1\",\"type\":\"teleport\"}", "1", ErrorCode.UNKNOWN_TYPE),
        Arguments.of("{\"id\":\"1\",\"type\":7}", "1", ErrorCode.UNKNOWN_TYPE),
        Arguments.of("{\"type\":\"ping\"}", null, ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"2\",\"type\":\"send\",\"roomId\":\"r\",\"clientMsgId\":\"c\"}", "2", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"2\",\"type\":\"send\",\"roomId\":\"bad room\",\"clientMsgId\":\"c\",\"body\":\"x\"}", "2", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"2\",\"type\":\"send\",\"roomId\":\"r\",\"clientMsgId\":\"c\",\"body\":\"12345678901234567\"}", "2", ErrorCode.MESSAGE_TOO_LARGE),
        Arguments.of("{\"id\":\"3\",\"type\":\"history\",\"roomId\":\"r\",\"limit\":\"many\"}", "3", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"3\",\"type\":\"history\",\"roomId\":\"r\",\"limit\":500}", "3", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"3\",\"type\":\"history\",\"roomId\":\"r\",\"before\":5,\"after\":1}", "3", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"4\",\"type\":\"open_dm\",\"user\":\"a:b\"}", "4", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"5\",\"type\":\"create_room\",\"name\":\"x\",\"roomId\":\"dm:a:b\"}", "5", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"5\",\"type\":\"create_room\",\"name\":\"x\",\"members\":[\"a\",\"a\"]}", "5", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"5\",\"type\":\"create_room\",\"name\":\"x\",\"visibility\":\"secret\"}", "5", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"6\",\"type\":\"hello\",\"token\":\"t\"}", "6", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":{\"x\":1},\"type\":\"ping\"}", null, ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"9\",\"type\":\"ping\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}", null, ErrorCode.BAD_FRAME),
        Arguments.of("{\"id\":\"9\",\"type\":\"history\",\"roomId\":\"r\",\"before\":" + "9".repeat(30) + "}", null, ErrorCode.BAD_FRAME),
        Arguments.of("{\"id\":\"9\",\"type\":\"history\",\"roomId\":\"r\",\"before\":99999999999999999999}", "9", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"received\"}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"set_presence\",\"status\":\"offline\"}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"watch_presence\",\"users\":[]}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"typing\",\"roomId\":\"r\"}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"read\",\"roomId\":\"r\"}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"received\",\"cursors\":{\"r\":0}}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"type\":\"received\",\"cursors\":{\"r\":0}}", null, ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"type\":\"ping\"}", null, ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"\",\"type\":\"received\",\"cursors\":{\"r\":1}}", null, ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"7\",\"type\":\"received\",\"cursors\":{\"r\":\"x\"}}", "7", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"8\",\"type\":\"hello\",\"protocol\":1,\"token\":\"t\",\"device\":\"\"}", "8", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"8\",\"type\":\"hello\",\"protocol\":1,\"token\":\"t\",\"device\":\"pho\\nne\"}", "8", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"9\",\"type\":\"register_push\",\"platform\":\"fcm\"}", "9", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"9\",\"type\":\"register_push\",\"platform\":\"mpns\",\"token\":\"t\"}", "9", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"9\",\"type\":\"register_push\",\"platform\":\"fcm\",\"token\":\"a b\"}", "9", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"9\",\"type\":\"set_room_notifications\",\"roomId\":\"r\",\"level\":\"loud\"}", "9", ErrorCode.INVALID_REQUEST),
        Arguments.of("{\"id\":\"9\",\"type\":\"set_push_previews\"}", "9", ErrorCode.INVALID_REQUEST));
  }

  @ParameterizedTest
  @MethodSource("badFrames")
  void badFramesGetAStableCodeAndTheirIdWhenTheyHaveOne(String text, String id, ErrorCode code) {
    var invalid = assertInstanceOf(DecodeResult.Invalid.class, codec.decodeClientFrame(text));
    assertEquals(code, invalid.code(), invalid.message());
    assertEquals(id, invalid.id());
    assertTrue(!invalid.message().isBlank());
  }

  @Test
  void theBodyLimitIsInUtf8Bytes() {
    // LIMITS allow 16 bytes: 5 three-byte chars surely fit, 6 do not, and 5 of them with an ASCII char fit exactly
    for (String body : new String[] {"€".repeat(5), "€€€€€a", "a".repeat(16), "😀".repeat(4)}) {
      assertEquals(new DecodeResult.Valid(new ClientFrame.Send("1", "r", "c", body)),
          codec.decodeClientFrame(codec.encode(new ClientFrame.Send("1", "r", "c", body))), body);
    }
    for (String body : new String[] {"€".repeat(6), "€€€€€ab", "a".repeat(17), "😀".repeat(4) + "a"}) {
      var invalid = assertInstanceOf(DecodeResult.Invalid.class,
          codec.decodeClientFrame(codec.encode(new ClientFrame.Send("1", "r", "c", body))));
      assertEquals(ErrorCode.MESSAGE_TOO_LARGE, invalid.code(), body);
    }
  }

  @Test
  void anOverlongIdIsNeverEchoed() {
    String id = "x".repeat(Protocol.MAX_REQUEST_ID_CHARS + 1);
    var invalid = assertInstanceOf(DecodeResult.Invalid.class,
        codec.decodeClientFrame("{\"id\":\"" + id + "\",\"type\":\"ping\"}"));
    assertNull(invalid.id());
    assertEquals(ErrorCode.INVALID_REQUEST, invalid.code());
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    assertEquals(new DecodeResult.Valid(new ClientFrame.Ping("1")),
        codec.decodeClientFrame("{\"type\":\"ping\",\"id\":\"1\",\"future\":{\"a\":1}}"));
  }
}
