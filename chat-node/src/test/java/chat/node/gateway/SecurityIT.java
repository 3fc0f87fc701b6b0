package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.RawWebSocket;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.FrameCodec;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import chat.protocol.client.ChatClient;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Authentication and the upgrade, against a node configured as in production: RS256 keys from a JWKS
 * file, a required issuer and audience, and an Origin allowlist. Every case of the authentication matrix is
 * refused both at the upgrade (401, no socket) and in {@code hello} ({@code invalid_token}); tokens that
 * expire close their connection after the grace period unless renewed; and no token ever reaches the logs.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecurityIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String ISSUER = "https://id.example";
  private static final String AUDIENCE = "chat";
  private static final String ALLOWED_ORIGIN = "https://chat.example";
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);

  private static TestNode node;
  private static FrameCodec codec;
  private static RSAKey rsa;
  private static RSAKey stranger;
  /** Every token this class made, to look for in the logs. */
  private static final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private static final Map<String, Level> levelsBefore = new LinkedHashMap<>();

  @BeforeAll
  static void startNode(TestCassandra cassandra, @TempDir Path dir) throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    stranger = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK())).toString());
    // everything the gateway and the HTTP server log, at the most detailed level, is searched for tokens
    for (String name : List.of("chat", "org.apache.pekko.http", "org.apache.pekko.actor")) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      levelsBefore.put(name, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    logged.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);

    node = TestNode.start(cassandra, Map.of(
        "chat.auth.algorithm", "RS256",
        "chat.auth.jwks-file", jwks.toString(),
        "chat.auth.issuer", ISSUER,
        "chat.auth.audience", AUDIENCE,
        "chat.auth.clock-skew", "1s",
        "chat.auth.expiry-grace", GRACE.toMillis() + "ms",
        "chat.gateway.allowed-origins", List.of(ALLOWED_ORIGIN),
        "chat.http.request-head-timeout", HEAD_TIMEOUT.toMillis() + "ms"));
    codec = new FrameCodec(node.limits());
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    levelsBefore.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
  }

  // ---------------------------------------------------------------- tokens

  private static JWTClaimsSet.Builder claims(String user) {
    return new JWTClaimsSet.Builder().subject(user).issuer(ISSUER).audience(AUDIENCE)
        .expirationTime(Date.from(Instant.now().plusSeconds(600)));
  }

  private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return remember(jwt.serialize());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String remember(String token) {
    tokens.add(token);
    return token;
  }

  private static String rs256(String user, UnaryOperator<JWTClaimsSet.Builder> edit) {
    try {
      return sign(new RSASSASigner(rsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(),
          edit.apply(claims(user)).build());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String valid(String user) {
    return rs256(user, c -> c);
  }

  /** Every way a token can be wrong, by name. */
  private static Map<String, String> badTokens() throws Exception {
    Map<String, String> bad = new LinkedHashMap<>();
    String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
    bad.put("alg none", remember(header + "." + claims("mallory").build().toPayload().toBase64URL() + "."));
    // the classic confusion: the server's public key, as published, used as an HMAC secret
    String publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(rsa.toPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    bad.put("HS256 signed with the RSA public key", sign(new MACSigner(publicPem.getBytes(StandardCharsets.US_ASCII)),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims("mallory").build()));
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID(rsa.getKeyID()).generate();
    bad.put("ES256 although RS256 is configured", sign(new ECDSASigner(ec),
        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(rsa.getKeyID()).build(), claims("mallory").build()));
    bad.put("signed by an unknown key", sign(new RSASSASigner(stranger),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID()).build(), claims("mallory").build()));
    bad.put("signed by another key under the known kid", sign(new RSASSASigner(stranger),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims("mallory").build()));
    bad.put("expired", rs256("mallory", c -> c.expirationTime(Date.from(Instant.now().minusSeconds(60)))));
    bad.put("not yet valid", rs256("mallory", c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(60)))));
    bad.put("wrong issuer", rs256("mallory", c -> c.issuer("https://evil.example")));
    bad.put("wrong audience", rs256("mallory", c -> c.audience("another-service")));
    bad.put("no expiry", rs256("mallory", c -> c.expirationTime(null)));
    bad.put("no subject", rs256("mallory", c -> c.subject(null)));
    bad.put("invalid user id", rs256("mal:lory", c -> c));
    bad.put("oversized", rs256("mallory", c -> c.claim("padding", "x".repeat(10_000))));
    bad.put("tampered payload", tampered(valid("alice")));
    bad.put("not a JWT", remember("not-a-jwt"));
    bad.put("wrong typ", sign(new RSASSASigner(rsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID())
        .type(new JOSEObjectType("at+jwt+evil")).build(), claims("mallory").build()));
    return bad;
  }

  /** A valid token whose payload now names another user, signature unchanged. */
  private static String tampered(String token) {
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("alice", "admin");
    return remember(parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
  }

  // ---------------------------------------------------------------- the authentication matrix

  @Test
  @Order(1)
  void everyBadTokenIsRefusedAtTheUpgradeAndInHello() throws Exception {
    for (Map.Entry<String, String> bad : badTokens().entrySet()) {
      String name = bad.getKey();
      RawWebSocket.Upgrade byHeader = upgrade(Map.of("Authorization", "Bearer " + bad.getValue()));
      // a token over the size limit is also over the HTTP header limit: refused before it is even parsed
      assertEquals(name.equals("oversized") ? 431 : 401, byHeader.status(), name + ": " + byHeader.body());
      assertNull(byHeader.socket(), name);
      assertFalse(byHeader.body().contains(bad.getValue()), name + ": the refusal echoes the token");

      RawWebSocket.Upgrade bySubprotocol = upgrade(Map.of("Sec-WebSocket-Protocol", "chat.v1, bearer." + bad.getValue()));
      assertEquals(name.equals("oversized") ? 431 : 401, bySubprotocol.status(), name + ": " + bySubprotocol.body());
      assertNull(bySubprotocol.socket(), name);

      try (ChatClient client = node.connect()) {
        ServerFrame answer = client.call(new ClientFrame.Hello("h", Protocol.VERSION, bad.getValue(), null))
            .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        ServerFrame.Error error = assertInstanceOf(ServerFrame.Error.class, answer, name);
        assertEquals(ErrorCode.INVALID_TOKEN, error.code(), name);
        // and the connection is not authenticated by the failed attempt
        ServerFrame after = client.call(new ClientFrame.ListRooms("l")).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertEquals(ErrorCode.UNAUTHENTICATED, assertInstanceOf(ServerFrame.Error.class, after, name).code());
      }
    }
  }

  @Test
  @Order(2)
  void aValidTokenAuthenticatesByHeaderBySubprotocolOrInHello() throws Exception {
    try (RawWebSocket ws = socket(upgrade(Map.of("Authorization", "Bearer " + valid("alice"))))) {
      AckResult.Welcome welcome = welcome(ws, new ClientFrame.Hello("h", Protocol.VERSION, null, null));
      assertEquals("alice", welcome.userId());
    }

    String token = valid("bob");
    RawWebSocket.Upgrade bySubprotocol = upgrade(Map.of("Sec-WebSocket-Protocol", "chat.v1, bearer." + token));
    assertEquals("chat.v1", bySubprotocol.headers().get("sec-websocket-protocol"), "the token must not be echoed");
    try (RawWebSocket ws = socket(bySubprotocol)) {
      assertEquals("bob", welcome(ws, new ClientFrame.Hello("h", Protocol.VERSION, null, null)).userId());
    }

    // a token in hello must name the user the upgrade authenticated
    try (RawWebSocket ws = socket(upgrade(Map.of("Authorization", "Bearer " + valid("carol"))))) {
      ws.sendText(codec.encode(new ClientFrame.Hello("h", Protocol.VERSION, valid("mallory"), null)));
      ServerFrame.Error error = assertInstanceOf(ServerFrame.Error.class, ws.nextAnswer(codec));
      assertEquals(ErrorCode.INVALID_TOKEN, error.code());
    }

    // the bearer subprotocol alone would leave the browser without a protocol to accept
    assertEquals(400, upgrade(Map.of("Sec-WebSocket-Protocol", "bearer." + token)).status());

    try (ChatClient client = node.connect()) {
      assertEquals("dave", client.hello(valid("dave")).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join().userId());
    }
  }

  @Test
  @Order(3)
  void browsersAreAdmittedOnlyFromAllowedOrigins() throws Exception {
    for (String allowed : List.of(ALLOWED_ORIGIN, ALLOWED_ORIGIN.toUpperCase(Locale.ROOT))) {
      try (RawWebSocket ws = socket(upgrade(Map.of("Origin", allowed)))) {
        assertNotNull(ws, allowed);
      }
    }
    // exact matches of the serialised origin (hosts compare case-insensitively, as origins do)
    for (String origin : List.of("https://evil.example", "null", ALLOWED_ORIGIN + ":8443",
        "http://chat.example", ALLOWED_ORIGIN + ".evil.example")) {
      RawWebSocket.Upgrade refused = upgrade(Map.of("Origin", origin));
      assertEquals(403, refused.status(), origin);
      assertNull(refused.socket(), origin);
    }
    // the node's own pages (the bundled web client) are same-origin: their Origin names the Host
    int port = node.webSocketUri().getPort();
    try (RawWebSocket ws = socket(upgrade(Map.of("Origin", "http://127.0.0.1:" + port)))) {
      assertNotNull(ws);
    }
    assertEquals(403, upgrade(Map.of("Origin", "http://127.0.0.1:" + (port + 1))).status());
    // a client that is not a browser sends no Origin
    try (RawWebSocket ws = socket(upgrade(Map.of()))) {
      assertNotNull(ws);
    }
  }

  // ---------------------------------------------------------------- expiry

  @Test
  @Order(4)
  void aTokenThatExpiresClosesItsConnectionAfterTheGraceUnlessRenewed() throws Exception {
    // JWT times are whole seconds: expire at the start of a second at least 3 s ahead
    Instant expiry = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 3);
    try (ChatClient expiring = node.connect(); ChatClient renewing = node.connect()) {
      expiring.hello(rs256("erin", c -> c.expirationTime(Date.from(expiry)))).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
      renewing.hello(rs256("frank", c -> c.expirationTime(Date.from(expiry)))).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();

      // renewing: a token for another user is refused, a fresh one for the same user is accepted
      ServerFrame other = renewing.call(new ClientFrame.Reauthenticate("r1", valid("mallory")))
          .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
      assertEquals(ErrorCode.INVALID_TOKEN, assertInstanceOf(ServerFrame.Error.class, other).code());
      renewing.reauthenticate(valid("frank")).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();

      ServerFrame.Closing closing = Await.closing(expiring, Duration.ofSeconds(15));
      Instant closedAt = Instant.now();
      assertEquals(ErrorCode.TOKEN_EXPIRED, closing.code());
      assertFalse(closedAt.isBefore(expiry.plus(GRACE)), "closed at " + closedAt + ", before expiry + grace");
      assertEquals(1000, (int) expiring.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS));

      // the renewed connection outlives the old token's expiry and grace
      AckResult.Pong pong = renewing.ping().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
      assertNotNull(pong);
      assertFalse(renewing.closed().isDone());
    }
  }

  // ---------------------------------------------------------------- slow clients

  @Test
  @Order(5)
  void aClientTricklingItsUpgradeRequestIsDropped() throws Exception {
    for (boolean silent : List.of(true, false)) {
      try (Socket socket = new Socket("127.0.0.1", node.webSocketUri().getPort())) {
        socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
        OutputStream out = socket.getOutputStream();
        long start = System.nanoTime();
        if (!silent) {
          out.write("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        }
        // one more header byte every 200 ms: never idle, never done; whatever the server answers is read
        StringBuilder answer = new StringBuilder();
        boolean dropped = false;
        while (!dropped && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
          try {
            if (!silent) {
              out.write('a');
              out.flush();
            }
            socket.setSoTimeout(200);
            int b = socket.getInputStream().read();
            dropped = b == -1;
            if (!dropped) {
              answer.append((char) b);
            }
          } catch (SocketTimeoutException stillOpen) {
            // keep trickling
          } catch (IOException reset) {
            dropped = true;
          }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(dropped, (silent ? "a silent" : "a trickling") + " connection was still open after " + took
            + "; it was sent: " + answer);
        assertTrue(took.compareTo(HEAD_TIMEOUT.plusSeconds(3)) < 0, "dropped only after " + took);
      }
    }
    // a prompt client is not affected
    try (ChatClient client = node.connect()) {
      assertEquals("gina", client.hello(valid("gina")).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join().userId());
    }
  }

  // ---------------------------------------------------------------- logs

  @Test
  @Order(6)
  void noTokenEverReachesTheLogs() {
    assertFalse(tokens.isEmpty());
    List<ILoggingEvent> events = List.copyOf(logged.list);
    assertTrue(events.size() > 10, "the gateway's debug log was not captured: " + events.size() + " events");
    for (ILoggingEvent event : events) {
      String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
          : " " + event.getThrowableProxy().getMessage());
      for (String token : tokens) {
        // a token's signature alone identifies it (and alg-none tokens have none: match their payload)
        String[] parts = token.split("\\.");
        String mark = parts.length == 3 && !parts[2].isEmpty() ? parts[2] : token;
        assertFalse(text.contains(mark), "a token in the log: " + event.getLoggerName() + " " + text);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static RawWebSocket.Upgrade upgrade(Map<String, String> headers) throws IOException {
    return RawWebSocket.upgrade(node.webSocketUri(), 64 * 1024, headers);
  }

  private static RawWebSocket socket(RawWebSocket.Upgrade upgrade) {
    assertEquals(101, upgrade.status(), upgrade.body());
    return upgrade.socket();
  }

  private static AckResult.Welcome welcome(RawWebSocket ws, ClientFrame.Hello hello) throws IOException {
    ws.sendText(codec.encode(hello));
    ServerFrame answer = ws.nextAnswer(codec);
    ServerFrame.Ack ack = assertInstanceOf(ServerFrame.Ack.class, answer, String.valueOf(answer));
    return assertInstanceOf(AckResult.Welcome.class, ack.result());
  }


}
