package chat.node.http;

import chat.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The browser client: {@code GET /} is the page, {@code GET /web/<file>} its scripts, styles and icon
 * (classpath {@code web/}, packaged in the node's jar, so the client always speaks the node's protocol),
 * and {@code GET /web/config.json} tells the page whether dev mode's token endpoint exists.
 *
 * <p>Every answer carries a Content-Security-Policy that allows only this origin: the page loads nothing
 * from elsewhere and runs no inline script, so an injected message body cannot become code.
 */
public final class WebClientRoute {

  private static final String RESOURCES = "web/";
  /** One flat directory of lower-case names: no path like {@code ..%2F} can reach another file. */
  private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}\\.(html|js|css|svg)");
  /** A Host header we are willing to repeat inside the policy (no spaces, quotes or semicolons). */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9.\\-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");
  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.TEXT_HTML_UTF8,
      "js", ContentTypes.parse("text/javascript; charset=UTF-8"),
      "css", ContentTypes.parse("text/css; charset=UTF-8"),
      "svg", ContentTypes.parse("image/svg+xml"));

  private final boolean devMode;
  /** Assets are small and immutable for the life of the process: read each once. Misses are not cached. */
  private final Map<String, Asset> assets = new ConcurrentHashMap<>();

  private record Asset(byte[] bytes, ContentType type, EntityTag etag) {}

  public WebClientRoute(boolean devMode) {
    this.devMode = devMode;
  }

  public Route route() {
    return Directives.concat(
        Directives.pathSingleSlash(() -> secured(() -> asset("index.html"))),
        Directives.path(PathMatchers.segment("web").slash("config.json"), () -> secured(this::config)),
        Directives.path(PathMatchers.segment("web").slash(PathMatchers.segment()), name -> secured(() -> asset(name))));
  }

  /** GET only, with the security headers on every answer (404s included). */
  private static Route secured(Supplier<Route> inner) {
    return Directives.get(() -> Directives.optionalHeaderValueByName("Host", host ->
        Directives.respondWithHeaders(securityHeaders(host), inner)));
  }

  /** What the page cannot know by itself; never cached, so a node restarted in another mode is seen. */
  private Route config() {
    String json = "{\"devMode\":" + devMode + ",\"protocol\":" + Protocol.VERSION
        + ",\"webSocketPath\":\"" + Protocol.WEBSOCKET_PATH + "\"}";
    return Directives.respondWithHeader(RawHeader.create("Cache-Control", "no-store"), () ->
        Directives.complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json)));
  }

  private Route asset(String name) {
    Optional<Asset> asset = ASSET_NAME.matcher(name).matches() ? load(name) : Optional.empty();
    if (asset.isEmpty()) {
      return Directives.complete(StatusCodes.NOT_FOUND, "no such file");
    }
    Asset a = asset.get();
    // no-cache: the browser revalidates (cheap, by ETag), so a new node version is picked up at once
    return Directives.respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), () ->
        Directives.conditional(a.etag(), () -> Directives.complete(HttpEntities.create(a.type(), a.bytes()))));
  }

  private Optional<Asset> load(String name) {
    Asset cached = assets.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (InputStream in = WebClientRoute.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String extension = name.substring(name.lastIndexOf('.') + 1);
      Asset asset = new Asset(bytes, TYPES.get(extension), EntityTag.create(hash(bytes), false));
      assets.put(name, asset);
      return Optional.of(asset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCES + name, e);
    }
  }

  /**
   * Only this origin, for everything. WebSockets are named explicitly for the host the page was loaded
   * from, because not every browser counts ws: and wss: of the same host as 'self'.
   */
  static String contentSecurityPolicy(Optional<String> host) {
    String sockets = host.filter(h -> HOST.matcher(h).matches()).map(h -> " ws://" + h + " wss://" + h).orElse("");
    return String.join("; ",
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'" + sockets,
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'");
  }

  private static List<HttpHeader> securityHeaders(Optional<String> host) {
    return List.of(
        RawHeader.create("Content-Security-Policy", contentSecurityPolicy(host)),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Referrer-Policy", "no-referrer"),
        RawHeader.create("X-Frame-Options", "DENY"));
  }

  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
