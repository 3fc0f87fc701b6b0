package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.logging.JsonLineEncoder;
import chat.node.testing.RawWebSocket;
import chat.node.testing.TestNode;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.FrameCodec;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * What the gateway logs about connections, through a real node and raw WebSocket clients: opened and
 * closed (by whom, with which code), authentication failures and refused upgrades, and rate-limit hits
 * held to one line per interval. Each carries the client's address and Origin, and the user once known, as
 * key-value fields (so JSON lines have them as fields); none carries a token.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionLogIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestNode node;
  private static FrameCodec codec;
  private static String sameOrigin;
  private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeAll
  static void startNode(TestCassandra cassandra) {
    logged.start();
    gatewayLogger().addAppender(logged);
    Map<String, Object> overrides = new HashMap<>(TestNode.GENEROUS_RATE_LIMITS);
    // one ping, then the limit: a few frames are enough to be over it
    overrides.put("chat.gateway.rate-limits.other.per-second", 0.01);
    overrides.put("chat.gateway.rate-limits.other.burst", 1);
    overrides.put("chat.gateway.drop-frame-size", "128 KiB");
    node = TestNode.start(cassandra, overrides);
    codec = new FrameCodec(node.limits());
    sameOrigin = "http://127.0.0.1:" + node.webSocketUri().getPort();
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
    gatewayLogger().detachAppender(logged);
  }

  private static Logger gatewayLogger() {
    return (Logger) LoggerFactory.getLogger("chat.node.gateway");
  }

  // ---------------------------------------------------------------- events

  @Test
  void aConnectionIsLoggedWhenOpenedAndWhenTheClientClosesIt() throws Exception {
    try (RawWebSocket ws = socket(Map.of("Origin", sameOrigin))) {
      hello(ws, node.token("olga"));
      ws.sendText(codec.encode(new ClientFrame.Ping("p1")));
      ws.nextAnswer(codec);
      ws.sendFrame(true, 0, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xe8}, true);
      assertEquals(RawWebSocket.CLOSE, ws.read().opcode());
    }
    ILoggingEvent closed = await("connection closed", e -> "olga".equals(field(e, "user")));
    String conn = field(closed, "conn");
    ILoggingEvent opened = await("connection opened", e -> conn.equals(field(e, "conn")));
    assertEquals("127.0.0.1", field(opened, "remote"));
    assertEquals(sameOrigin, field(opened, "origin"));
    assertTrue(opened.getTimeStamp() <= closed.getTimeStamp());

    assertEquals("127.0.0.1", field(closed, "remote"));
    assertEquals(sameOrigin, field(closed, "origin"));
    assertEquals("client", field(closed, "closedBy"));
    Map<String, Object> fields = fields(closed);
    assertEquals(2L, fields.get("framesIn"));
    assertTrue((Long) fields.get("framesOut") >= 2, fields.toString());
    assertTrue((Long) fields.get("durationMs") >= 0, fields.toString());

    JsonNode json = asJson(closed);
    assertEquals("connection closed", json.get("message").asText());
    assertEquals("olga", json.get("user").asText());
    assertEquals("127.0.0.1", json.get("remote").asText());
    assertEquals(sameOrigin, json.get("origin").asText());
    assertEquals(2, json.get("framesIn").asInt());
  }

  @Test
  void aConnectionTheServerClosesIsLoggedWithTheClosingCode() throws Exception {
    try (RawWebSocket ws = socket(Map.of())) {
      hello(ws, node.token("pavel"));
      ws.sendText("x".repeat(130 * 1024));
      ServerFrame closing = codec.decodeServerFrame(ws.read().text());
      assertEquals(ErrorCode.FRAME_FAR_TOO_LARGE, assertInstanceOf(ServerFrame.Closing.class, closing).code());
    }
    ILoggingEvent closed = await("connection closed", e -> "pavel".equals(field(e, "user")));
    assertEquals("server", field(closed, "closedBy"));
    assertEquals("frame_far_too_large", field(closed, "code"));
    assertTrue(field(closed, "reason").contains("larger than"), field(closed, "reason"));
    assertFalse(fields(closed).containsKey("origin"), "a client without Origin has none logged");
  }

  @Test
  void anAuthenticationFailureIsLoggedWithItsReasonCodeAndNeverTheToken() throws Exception {
    String forged = forged("quinn");
    // at the upgrade: 401, no socket
    RawWebSocket.Upgrade refused = RawWebSocket.upgrade(node.webSocketUri(), 64 * 1024,
        Map.of("Authorization", "Bearer " + forged, "Origin", sameOrigin));
    assertEquals(401, refused.status());
    ILoggingEvent atUpgrade = await("authentication failed", e -> "upgrade".equals(field(e, "stage")));
    assertEquals("bad_signature", field(atUpgrade, "failure"));
    assertEquals("127.0.0.1", field(atUpgrade, "remote"));
    assertEquals(sameOrigin, field(atUpgrade, "origin"));

    // in hello
    try (RawWebSocket ws = socket(Map.of("Origin", sameOrigin))) {
      ws.sendText(codec.encode(new ClientFrame.Hello("h", Protocol.VERSION, forged, null)));
      ServerFrame.Error error = assertInstanceOf(ServerFrame.Error.class, ws.nextAnswer(codec));
      assertEquals(ErrorCode.INVALID_TOKEN, error.code());
      ILoggingEvent inHello = await("authentication failed", e -> "hello".equals(field(e, "stage")));
      assertEquals("bad_signature", field(inHello, "failure"));
      assertEquals("127.0.0.1", field(inHello, "remote"));
      assertEquals(sameOrigin, field(inHello, "origin"));
      assertTrue(field(inHello, "conn") != null);
    }

    String signature = forged.substring(forged.lastIndexOf('.') + 1);
    String payload = forged.split("\\.")[1];
    for (ILoggingEvent event : List.copyOf(logged.list)) {
      String line = new String(new JsonLineEncoder().encode(event), StandardCharsets.UTF_8);
      assertFalse(line.contains(signature) || line.contains(payload), "a token in the log: " + line);
    }
  }

  @Test
  void aRefusedUpgradeIsLoggedWithTheClientsAddressAndOrigin() throws Exception {
    RawWebSocket.Upgrade refused = RawWebSocket.upgrade(node.webSocketUri(), 64 * 1024,
        Map.of("Origin", "https://elsewhere.example"));
    assertEquals(403, refused.status());
    ILoggingEvent event = await("upgrade refused", e -> "https://elsewhere.example".equals(field(e, "origin")));
    assertEquals("origin_not_allowed", field(event, "code"));
    assertEquals("127.0.0.1", field(event, "remote"));
    assertEquals(403L, fields(event).get("status"));
  }

  @Test
  void rateLimitHitsOfAConnectionAreLoggedOncePerIntervalAndCountedWhenItCloses() throws Exception {
    int pings = 20;
    try (RawWebSocket ws = socket(Map.of("Origin", sameOrigin))) {
      hello(ws, node.token("rita"));
      for (int i = 0; i < pings; i++) {
        ws.sendText(codec.encode(new ClientFrame.Ping("p" + i)));
      }
      int limited = 0;
      for (int i = 0; i < pings; i++) {
        if (ws.nextAnswer(codec) instanceof ServerFrame.Error e && e.code() == ErrorCode.TOO_MANY_REQUESTS) {
          limited++;
        }
      }
      assertEquals(pings - 1, limited);
    }
    ILoggingEvent closed = await("connection closed", e -> "rita".equals(field(e, "user")));
    assertEquals((long) pings - 1, ((Number) fields(closed).get("rateLimited")).longValue());
    List<ILoggingEvent> hits = List.copyOf(logged.list).stream()
        .filter(e -> e.getMessage().equals("rate limited") && "rita".equals(field(e, "user"))).toList();
    assertEquals(1, hits.size(), "one line for a burst within the interval: " + hits);
    assertEquals("other", field(hits.get(0), "kind"));
    assertEquals("127.0.0.1", field(hits.get(0), "remote"));
    assertEquals(sameOrigin, field(hits.get(0), "origin"));
  }

  // ---------------------------------------------------------------- helpers

  private static RawWebSocket socket(Map<String, String> headers) throws IOException {
    RawWebSocket.Upgrade upgrade = RawWebSocket.upgrade(node.webSocketUri(), 64 * 1024, headers);
    assertEquals(101, upgrade.status(), upgrade.body());
    return upgrade.socket();
  }

  private static void hello(RawWebSocket ws, String token) throws IOException {
    ws.sendText(codec.encode(new ClientFrame.Hello("h", Protocol.VERSION, token, null)));
    assertInstanceOf(ServerFrame.Ack.class, ws.nextAnswer(codec));
  }

  /** A well-formed token for {@code user}, signed with a key the node does not have. */
  private static String forged(String user) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(user)
        .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new MACSigner("not-the-node-secret-but-as-long-as-one".getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private static ILoggingEvent await(String message, Predicate<ILoggingEvent> matching) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ILoggingEvent event : List.copyOf(logged.list)) {
        if (event.getMessage().equals(message) && matching.test(event)) {
          return event;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no '" + message + "' logged; logged: " + List.copyOf(logged.list));
  }

  private static Map<String, Object> fields(ILoggingEvent event) {
    Map<String, Object> fields = new HashMap<>();
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair pair : event.getKeyValuePairs()) {
        fields.put(pair.key, pair.value instanceof Integer i ? Long.valueOf(i) : pair.value);
      }
    }
    return fields;
  }

  private static String field(ILoggingEvent event, String key) {
    Object value = fields(event).get(key);
    return value == null ? null : value.toString();
  }

  private static JsonNode asJson(ILoggingEvent event) throws IOException {
    return JSON.readTree(new JsonLineEncoder().encode(event));
  }
}
