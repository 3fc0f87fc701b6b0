package chat.node;

import chat.node.room.RoomSettings;
import chat.protocol.Limits;
import com.typesafe.config.Config;
import java.time.Duration;
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

  public record Http(String host, int port) {}

  /** HS256 JWTs: the secret must be at least 32 bytes; issuer and audience are checked when set. */
  public record Auth(
      String jwtSecret, Optional<String> issuer, Optional<String> audience, Duration clockSkew, Duration devTokenTtl) {}

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
      Duration clientIdleTimeout) {}

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
        new Http(c.getString("http.host"), c.getInt("http.port")),
        new Auth(
            a.getString("jwt-secret"),
            optional(a.getString("issuer")),
            optional(a.getString("audience")),
            a.getDuration("clock-skew"),
            a.getDuration("dev-token-ttl")),
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
            g.getDuration("client-idle-timeout")),
        new RoomSettings(r.getInt("max-members"), r.getInt("snapshot-every")),
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
    if (auth.jwtSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException(
          "chat.auth.jwt-secret must be at least 32 bytes (set CHAT_JWT_SECRET); HS256 needs a 256-bit key");
    }
    if (gateway.dropFrameBytes() < gateway.maxFrameBytes()) {
      throw new IllegalArgumentException("chat.gateway.drop-frame-size must be >= max-frame-size");
    }
    if (gateway.maxBodyBytes() > gateway.maxFrameBytes()) {
      throw new IllegalArgumentException("chat.gateway.max-body-size must be <= max-frame-size");
    }
  }

  private static Optional<String> optional(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
