package chat.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of malformed client input, from the JSON inside a frame down to the WebSocket framing
 * itself, each with the outcome the server must produce. Most inputs are mutations of valid frames, so they
 * get past the first checks and reach the deeper ones.
 */
public final class HostileInputs {

  /** What the server must do with an input. */
  public enum Outcome {
    /** Exactly one ack or error frame (a mutation may still be a valid request). */
    ANSWER,
    /** An error frame {@code frame_too_large}; the connection stays open. */
    FRAME_TOO_LARGE,
    /** An error frame {@code binary_not_supported}; the connection stays open. */
    BINARY_NOT_SUPPORTED,
    /** A closing frame {@code frame_far_too_large}, then the close. */
    CLOSE_FAR_TOO_LARGE,
    /** The WebSocket layer closes with 1002 (protocol error). */
    CLOSE_PROTOCOL_ERROR,
    /** The WebSocket layer closes with 1007 (invalid UTF-8 in a text message). */
    CLOSE_INVALID_UTF8
  }

  /** One WebSocket frame exactly as sent. */
  public record Frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
    static Frame text(byte[] payload) {
      return new Frame(true, 0, RawWebSocket.TEXT, payload, true);
    }
  }

  /** One hostile input: its kind (for the summary), its frames, and what the server must do. */
  public record Input(String kind, List<Frame> frames, Outcome outcome) {
    public long bytes() {
      return frames.stream().mapToLong(f -> f.payload().length).sum();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_CHARS = "{}[]\":,\\ 0123456789.-+eEtruefalsnl\u0000\u007f\u00e9\u4e2d\ud83d\ude00";

  private final Random random;
  private final List<String> templates;
  private final int maxFrameBytes;
  private final int dropFrameBytes;

  /**
   * {@code templates} are valid client frames (JSON) to mutate; {@code maxFrameBytes} and
   * {@code dropFrameBytes} are the server's limits.
   */
  public HostileInputs(long seed, List<String> templates, int maxFrameBytes, int dropFrameBytes) {
    this.random = new Random(seed);
    this.templates = List.copyOf(templates);
    this.maxFrameBytes = maxFrameBytes;
    this.dropFrameBytes = dropFrameBytes;
  }

  /** The next input; {@code allowFarTooLarge} lets it be one that costs a megabyte and a connection. */
  public Input next(boolean allowFarTooLarge) {
    int dice = random.nextInt(100);
    if (allowFarTooLarge && dice == 0) {
      return farTooLarge();
    }
    if (dice < 3) {
      return text("valid", template());
    }
    if (dice < 11) {
      return text("garbage", randomString(random.nextInt(200)));
    }
    if (dice < 19) {
      String template = template();
      return text("truncated", template.substring(0, random.nextInt(template.length())));
    }
    if (dice < 31) {
      return text("byte-flip", flipped(template()));
    }
    if (dice < 43) {
      return text("wrong-type", withWrongType());
    }
    if (dice < 51) {
      return text("missing-field", withoutAField());
    }
    if (dice < 59) {
      return text("unknown-field", withUnknownFieldOrType());
    }
    if (dice < 65) {
      return text("huge-number", withHugeNumber());
    }
    if (dice < 70) {
      return text("huge-string", withHugeString());
    }
    if (dice < 75) {
      return text("deep-nesting", deeplyNested());
    }
    if (dice < 83) {
      return fragmented();
    }
    if (dice < 86) {
      return overFrameLimit();
    }
    if (dice < 90) {
      return binary();
    }
    if (dice < 95) {
      return invalidUtf8();
    }
    return protocolViolation();
  }

  // ---------------------------------------------------------------- inside the JSON

  private String template() {
    return templates.get(random.nextInt(templates.size()));
  }

  private ObjectNode templateTree() {
    try {
      return (ObjectNode) JSON.readTree(template());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Input text(String kind, String json) {
    return new Input(kind, List.of(Frame.text(json.getBytes(StandardCharsets.UTF_8))), Outcome.ANSWER);
  }

  private String randomString(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(switch (random.nextInt(4)) {
        case 0 -> JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length()));
        case 1 -> (char) (0x20 + random.nextInt(0x5f));
        case 2 -> (char) random.nextInt(0x20);
        default -> Character.toChars(random.nextInt(0x10000 - 0xe000) + 0xe000)[0];
      });
    }
    return s.toString();
  }

  private String flipped(String json) {
    char[] chars = json.toCharArray();
    int flips = 1 + random.nextInt(3);
    for (int i = 0; i < flips; i++) {
      chars[random.nextInt(chars.length)] = JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length()));
    }
    return new String(chars);
  }

  private String randomField(ObjectNode tree) {
    List<String> names = new ArrayList<>();
    tree.fieldNames().forEachRemaining(names::add);
    return names.get(random.nextInt(names.size()));
  }

  private String withWrongType() {
    ObjectNode tree = templateTree();
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonNode value = switch (random.nextInt(8)) {
      case 0 -> f.numberNode(random.nextLong());
      case 1 -> f.numberNode(random.nextDouble() * 1e300);
      case 2 -> f.booleanNode(random.nextBoolean());
      case 3 -> f.nullNode();
      case 4 -> f.arrayNode().add(randomString(5)).add(random.nextInt());
      case 5 -> f.objectNode().put("x", randomString(3));
      case 6 -> f.textNode(randomString(random.nextInt(20)));
      default -> f.textNode("");
    };
    tree.set(randomField(tree), value);
    return tree.toString();
  }

  private String withoutAField() {
    ObjectNode tree = templateTree();
    tree.remove(randomField(tree));
    return tree.toString();
  }

  private String withUnknownFieldOrType() {
    ObjectNode tree = templateTree();
    if (random.nextBoolean()) {
      tree.put("type", random.nextBoolean() ? randomString(1 + random.nextInt(12)) : "SEND");
    } else {
      tree.put(randomString(1 + random.nextInt(12)), randomString(random.nextInt(30)));
    }
    return tree.toString();
  }

  /** Numbers no long holds, written as JSON text (a tree would normalise them). */
  private String withHugeNumber() {
    ObjectNode tree = templateTree();
    String field = randomField(tree);
    String[] numbers = {"1e400", "-1e400", "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890123456789", "0." + "0".repeat(500) + "1", "1" + "0".repeat(5000),
        "NaN", "Infinity", "-0", "1.5", "01", "0x10"};
    tree.put(field, "\u0001NUMBER\u0001");
    return tree.toString().replace("\"\\u0001NUMBER\\u0001\"", numbers[random.nextInt(numbers.length)]);
  }

  private String withHugeString() {
    ObjectNode tree = templateTree();
    // up to just under the frame limit, so the frame is read and the field itself must be refused
    int length = 1_000 + random.nextInt(Math.max(1, maxFrameBytes - 2_000));
    tree.put(randomField(tree), "x".repeat(length));
    return tree.toString();
  }

  private String deeplyNested() {
    int depth = 10 + random.nextInt(Math.min(5_000, maxFrameBytes / 4));
    boolean arrays = random.nextBoolean();
    StringBuilder s = new StringBuilder("{\"type\":\"send\",\"id\":\"deep\",\"body\":");
    for (int i = 0; i < depth; i++) {
      s.append(arrays ? "[" : "{\"a\":");
    }
    s.append("1");
    for (int i = 0; i < depth; i++) {
      s.append(arrays ? "]" : "}");
    }
    return s.append('}').toString();
  }

  // ---------------------------------------------------------------- the framing

  /** A (possibly mutated) frame split into continuation frames, sometimes with a ping in between. */
  private Input fragmented() {
    String json = random.nextBoolean() ? template() : flipped(template());
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    List<Frame> frames = new ArrayList<>();
    int parts = Math.min(bytes.length, 2 + random.nextInt(5));
    int from = 0;
    for (int i = 0; i < parts; i++) {
      int to = i == parts - 1 ? bytes.length : from + 1 + random.nextInt(Math.max(1, bytes.length - from - (parts - i)));
      frames.add(new Frame(i == parts - 1, 0, i == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION,
          Arrays.copyOfRange(bytes, from, to), true));
      from = to;
      if (i < parts - 1 && random.nextInt(4) == 0) {
        frames.add(new Frame(true, 0, RawWebSocket.PING, new byte[] {1, 2, 3}, true));
      }
    }
    return new Input("fragmented", frames, Outcome.ANSWER);
  }

  /** Over the frame limit and under the drop limit: read, refused, connection kept. */
  private Input overFrameLimit() {
    int size = maxFrameBytes + 1 + random.nextInt(Math.max(1, Math.min(dropFrameBytes - maxFrameBytes, 200_000)));
    byte[] payload = new byte[size];
    Arrays.fill(payload, (byte) 'a');
    if (random.nextBoolean()) {
      return new Input("over-frame-limit", List.of(Frame.text(payload)), Outcome.FRAME_TOO_LARGE);
    }
    int half = size / 2;
    return new Input("over-frame-limit", List.of(
        new Frame(false, 0, RawWebSocket.TEXT, Arrays.copyOfRange(payload, 0, half), true),
        new Frame(true, 0, RawWebSocket.CONTINUATION, Arrays.copyOfRange(payload, half, size), true)),
        Outcome.FRAME_TOO_LARGE);
  }

  private Input farTooLarge() {
    byte[] payload = new byte[dropFrameBytes + 1 + random.nextInt(1_000)];
    Arrays.fill(payload, (byte) '[');
    return new Input("far-too-large", List.of(Frame.text(payload)), Outcome.CLOSE_FAR_TOO_LARGE);
  }

  private Input binary() {
    byte[] payload = new byte[random.nextInt(2_000)];
    random.nextBytes(payload);
    return new Input("binary", List.of(new Frame(true, 0, RawWebSocket.BINARY, payload, true)),
        Outcome.BINARY_NOT_SUPPORTED);
  }

  /** Text whose bytes are not UTF-8: a stray continuation byte, an overlong form, a surrogate, a cut sequence. */
  private Input invalidUtf8() {
    byte[][] invalid = {
        {(byte) 0x80}, {(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0xaf},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xe2, (byte) 0x82}};
    byte[] bad = invalid[random.nextInt(invalid.length)];
    byte[] json = template().getBytes(StandardCharsets.UTF_8);
    int at = bad.length == 2 && bad[0] == (byte) 0xe2 ? json.length : random.nextInt(json.length + 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(json, 0, at);
    bytes.write(bad, 0, bad.length);
    bytes.write(json, at, json.length - at);
    byte[] payload = bytes.toByteArray();
    if (random.nextBoolean() || payload.length < 2) {
      return new Input("invalid-utf8", List.of(Frame.text(payload)), Outcome.CLOSE_INVALID_UTF8);
    }
    int cut = 1 + random.nextInt(payload.length - 1);
    return new Input("invalid-utf8", List.of(
        new Frame(false, 0, RawWebSocket.TEXT, Arrays.copyOfRange(payload, 0, cut), true),
        new Frame(true, 0, RawWebSocket.CONTINUATION, Arrays.copyOfRange(payload, cut, payload.length), true)),
        Outcome.CLOSE_INVALID_UTF8);
  }

  /** Framing no client may send: RFC 6455 requires the server to fail the connection. */
  private Input protocolViolation() {
    byte[] json = template().getBytes(StandardCharsets.UTF_8);
    List<Frame> frames = switch (random.nextInt(7)) {
      case 0 -> List.of(new Frame(true, 1 + random.nextInt(7), RawWebSocket.TEXT, json, true));
      case 1 -> List.of(new Frame(true, 0, 3 + random.nextInt(5), json, true));
      case 2 -> List.of(new Frame(true, 0, 0xb + random.nextInt(5), new byte[0], true));
      case 3 -> List.of(new Frame(true, 0, RawWebSocket.TEXT, json, false));
      case 4 -> List.of(new Frame(true, 0, RawWebSocket.CONTINUATION, json, true));
      case 5 -> List.of(new Frame(true, 0, RawWebSocket.PING, new byte[126 + random.nextInt(200)], true));
      default -> List.of(new Frame(false, 0, RawWebSocket.TEXT, json, true),
          new Frame(true, 0, RawWebSocket.TEXT, json, true));
    };
    return new Input("protocol-violation", frames, Outcome.CLOSE_PROTOCOL_ERROR);
  }

  /** Valid client frames naming the given rooms and users, for mutation. */
  public static List<String> templates(List<String> roomIds, List<String> users, String badToken) {
    List<String> frames = new ArrayList<>();
    JsonNodeFactory f = JsonNodeFactory.instance;
    for (String roomId : roomIds) {
      String user = users.get(frames.size() % users.size());
      frames.add(obj("send").put("roomId", roomId).put("clientMsgId", "m-1").put("body", "hello").toString());
      frames.add(obj("history").put("roomId", roomId).put("before", 10).put("limit", 5).toString());
      frames.add(obj("join").put("roomId", roomId).toString());
      frames.add(obj("leave").put("roomId", roomId).toString());
      frames.add(obj("get_room").put("roomId", roomId).toString());
      frames.add(obj("add_member").put("roomId", roomId).put("user", user).toString());
      frames.add(obj("remove_member").put("roomId", roomId).put("user", user).toString());
      frames.add(obj("rename_room").put("roomId", roomId).put("name", "taken over").toString());
      frames.add(obj("set_role").put("roomId", roomId).put("user", user).put("role", "owner").toString());
      frames.add(obj("delete_room").put("roomId", roomId).toString());
      frames.add(obj("read").put("roomId", roomId).put("seq", 3).toString());
      frames.add(obj("receipts").put("roomId", roomId).put("seq", 1).toString());
      frames.add(obj("typing").put("roomId", roomId).put("active", true).toString());
      ObjectNode received = obj("received");
      received.putObject("cursors").put(roomId, 2);
      frames.add(received.toString());
    }
    ObjectNode create = obj("create_room").put("name", "fuzz").put("visibility", "private");
    ArrayNode members = create.putArray("members");
    users.forEach(members::add);
    frames.add(create.toString());
    frames.add(obj("open_dm").put("user", users.get(0)).toString());
    frames.add(obj("list_rooms").toString());
    frames.add(obj("ping").toString());
    frames.add(obj("hello").put("protocol", 1).put("token", badToken).put("device", "d-1").toString());
    frames.add(obj("reauthenticate").put("token", badToken).toString());
    frames.add(obj("set_presence").put("status", "away").put("hidden", false).toString());
    ObjectNode watch = obj("watch_presence");
    users.forEach(watch.putArray("users")::add);
    frames.add(watch.toString());
    ObjectNode unwatch = obj("unwatch_presence");
    users.forEach(unwatch.putArray("users")::add);
    frames.add(unwatch.toString());
    frames.add(f.objectNode().put("type", "ping").put("id", "p").put("extra", f.objectNode().toString()).toString());
    return frames;
  }

  private static ObjectNode obj(String type) {
    return JsonNodeFactory.instance.objectNode().put("type", type).put("id", type + "-1");
  }
}
