package chat.node;

import chat.node.room.RoomSettings;
import chat.protocol.Limits;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The node's own settings ({@code chat { ... }} in the config), read and checked once at start-up. */
public record ChatNodeSettings(
    boolean devMode,
    boolean joinSelf,
    Http http,
    Auth auth,
    Gateway gateway,
    RoomSettings room,
    Cassandra cassandra) {

  /**
   * {@code requestHeadTimeout}: how long a new connection may take to deliver its first request's head
   * (for a WebSocket, the upgrade); Pekko HTTP bounds only the time between bytes, which lets a client
   * trickle headers to hold connections (slowloris).
   */
  public record Http(String host, int port, Duration requestHeadTimeout) {}

  /**
   * Client JWTs. {@code algorithm} is pinned here, never taken from a token: HS256 with
   * {@code jwtSecret} (at least 32 bytes), or RS256/ES256 with a PEM public key or a JWKS file.
   * Issuer and audience are checked when set.
   */
  public record Auth(
      String algorithm,
      String jwtSecret,
      Optional<String> publicKeyFile,
      Optional<String> jwksFile,
      Optional<String> issuer,
      Optional<String> audience,
      Duration clockSkew,
      Duration devTokenTtl,
      int maxTokenBytes,
      Duration expiryGrace) {

    /** HS256 with a shared secret and otherwise the defaults: for tests and tools that issue tokens. */
    public static Auth hs256(String secret) {
      return new Auth("HS256", secret, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Duration.ofSeconds(30), Duration.ofHours(1), 8192, Duration.ofSeconds(30));
    }

    void check() {
      switch (algorithm) {
        case "HS256" -> {
          if (jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException(
                "chat.auth.jwt-secret must be at least 32 bytes (set CHAT_JWT_SECRET); HS256 needs a 256-bit key");
          }
        }
        case "RS256", "ES256" -> {
          if (publicKeyFile.isPresent() == jwksFile.isPresent()) {
            throw new IllegalArgumentException("chat.auth.algorithm " + algorithm
                + " needs exactly one of chat.auth.public-key-file (PEM) and chat.auth.jwks-file");
          }
        }
        default -> throw new IllegalArgumentException(
            "chat.auth.algorithm must be HS256, RS256 or ES256, not " + algorithm);
      }
    }
  }

  public record Gateway(
      Duration askTimeout,
      Duration authTimeout,
      int maxFrameBytes,
      int dropFrameBytes,
      int maxBodyBytes,
      int maxHistoryLimit,
      int outboundBuffer,
      int maxInFlight,
      Duration sessionRefresh,
      int replayMaxItemsPerRoom,
      Duration clientIdleTimeout,
      Duration pingInterval,
      java.util.List<String> allowedOrigins,
      int maxConnectionsPerIp,
      int maxConnectionsPerUser,
      Map<String, double[]> rateLimits,
      int abuseThreshold,
      Duration abuseWindow,
      int maxRoomsPerUser) {}

  /** The keyspace the journal lives in, and whether this node applies the schema migrations at start. */
  public record Cassandra(String keyspace, String replication, boolean migrateOnStart) {
    /** Just this part, for tools that touch only the schema (no secret needed). */
    public static Cassandra fromConfig(Config root) {
      Config k = root.getConfig("chat.cassandra");
      return new Cassandra(k.getString("keyspace"), k.getString("replication"), k.getBoolean("migrate-on-start"));
    }
  }

  public static ChatNodeSettings fromConfig(Config root) {
    Config c = root.getConfig("chat");
    Config a = c.getConfig("auth");
    Config g = c.getConfig("gateway");
    Config r = c.getConfig("room");
    var settings = new ChatNodeSettings(
        c.getBoolean("dev-mode"),
        c.getBoolean("cluster.join-self"),
        new Http(c.getString("http.host"), c.getInt("http.port"), c.getDuration("http.request-head-timeout")),
        new Auth(
            a.getString("algorithm"),
            a.getString("jwt-secret"),
            optional(a.getString("public-key-file")),
            optional(a.getString("jwks-file")),
            optional(a.getString("issuer")),
            optional(a.getString("audience")),
            a.getDuration("clock-skew"),
            a.getDuration("dev-token-ttl"),
            a.getBytes("max-token-size").intValue(),
            a.getDuration("expiry-grace")),
        new Gateway(
            g.getDuration("ask-timeout"),
            g.getDuration("auth-timeout"),
            g.getBytes("max-frame-size").intValue(),
            g.getBytes("drop-frame-size").intValue(),
            g.getBytes("max-body-size").intValue(),
            g.getInt("max-history-limit"),
            g.getInt("outbound-buffer"),
            g.getInt("max-in-flight"),
            g.getDuration("session-refresh"),
            g.getInt("replay-max-items-per-room"),
            g.getDuration("client-idle-timeout"),
            g.getDuration("ping-interval"),
            g.getStringList("allowed-origins"),
            g.getInt("max-connections-per-ip"),
            g.getInt("max-connections-per-user"),
            rates(g.getConfig("rate-limits")),
            g.getInt("rate-limits.abuse-threshold"),
            g.getDuration("rate-limits.abuse-window"),
            r.getInt("max-rooms-per-user")),
        new RoomSettings(r.getInt("max-members"), r.getInt("snapshot-every"),
            root.getBoolean("chat.push.enabled") ? root.getInt("chat.push.tags") : 0),
        Cassandra.fromConfig(root));
    settings.check();
    return settings;
  }

  /** The limits announced to clients in the welcome. */
  public Limits limits() {
    return new Limits(gateway.maxFrameBytes(), gateway.maxBodyBytes(), gateway.maxHistoryLimit(),
        room.maxMembers(), gateway.maxInFlight());
  }

  private void check() {
    auth.check();
    if (gateway.dropFrameBytes() < gateway.maxFrameBytes()) {
      throw new IllegalArgumentException("chat.gateway.drop-frame-size must be >= max-frame-size");
    }
    if (gateway.maxBodyBytes() > gateway.maxFrameBytes()) {
      throw new IllegalArgumentException("chat.gateway.max-body-size must be <= max-frame-size");
    }
    if (gateway.pingInterval().isNegative() || gateway.pingInterval().isZero()) {
      throw new IllegalArgumentException("chat.gateway.ping-interval must be positive");
    }
  }

  /** Kind of request (send, typing, create-room, history, other) to {per-second, burst}. */
  private static Map<String, double[]> rates(Config limits) {
    Map<String, double[]> rates = new java.util.HashMap<>();
    for (String kind : java.util.List.of("send", "typing", "create-room", "history", "other")) {
      rates.put(kind, new double[] {limits.getDouble(kind + ".per-second"), limits.getInt(kind + ".burst")});
    }
    return rates;
  }

  private static Optional<String> optional(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
