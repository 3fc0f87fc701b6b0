package chat.node.gateway;

import chat.node.auth.JwtAuthenticator;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;

/**
 * What the gateway decides about a WebSocket upgrade before opening anything: the Origin (browsers
 * only; the node's own host or exact matches from the allowlist; not checked in dev mode) and credentials offered with the
 * upgrade. Tokens are never logged or echoed: the subprotocol selected in the answer is {@code chat.v1},
 * not the one carrying the token.
 */
final class UpgradeChecks {

  /** The protocol's WebSocket subprotocol name; a client offering credentials by subprotocol offers it too. */
  static final String SUBPROTOCOL = "chat.v1";
  static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";

  sealed interface Verdict {}

  record Accepted(JwtAuthenticator.Authenticated preAuthenticated, Optional<String> subprotocol) implements Verdict {}

  /** {@code code}: stable, for the log ({@code origin_not_allowed}, ..., or why the token was refused). */
  record Refused(StatusCode status, String code, String reason) implements Verdict {}

  private final boolean devMode;
  private final List<String> allowedOrigins;
  private final JwtAuthenticator authenticator;

  UpgradeChecks(boolean devMode, List<String> allowedOrigins, JwtAuthenticator authenticator) {
    this.devMode = devMode;
    // scheme and host of an origin are case-insensitive: compare both sides in lower case
    this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
    this.authenticator = authenticator;
  }

  /**
   * A page served by this very host (the bundled web client) is not cross-site: its Origin names the host
   * the browser is talking to, as the Host header does. The Origin check defends against pages elsewhere
   * riding on a user's browser; tokens are never ambient, so this is defence in depth.
   */
  private static boolean sameHost(String origin, HttpRequest request) {
    Optional<String> host = request.getHeader("Host").map(HttpHeader::value);
    try {
      String authority = URI.create(origin).getRawAuthority();
      return host.isPresent() && authority != null && authority.equalsIgnoreCase(host.get());
    } catch (IllegalArgumentException notAnOrigin) {
      return false;
    }
  }

  Verdict check(HttpRequest request, List<String> requestedProtocols) {
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    if (origin.isPresent() && !devMode && !allowedOrigins.contains(origin.get().toLowerCase(Locale.ROOT)) && !sameHost(origin.get(), request)) {
      return new Refused(StatusCodes.FORBIDDEN, "origin_not_allowed", "origin not allowed");
    }
    Optional<String> headerToken = request.getHeader(Authorization.class)
        .map(Authorization::credentials)
        .filter(c -> c.scheme().equalsIgnoreCase("bearer"))
        .map(HttpCredentials::token);
    Optional<String> protocolToken = requestedProtocols.stream()
        .filter(p -> p.startsWith(BEARER_SUBPROTOCOL_PREFIX))
        .map(p -> p.substring(BEARER_SUBPROTOCOL_PREFIX.length()))
        .findFirst();
    boolean offersChat = requestedProtocols.contains(SUBPROTOCOL);
    if (protocolToken.isPresent() && !offersChat) {
      return new Refused(StatusCodes.BAD_REQUEST, "subprotocol_missing",
          "offer the " + SUBPROTOCOL + " subprotocol next to " + BEARER_SUBPROTOCOL_PREFIX + "<token>");
    }
    Optional<String> subprotocol = offersChat ? Optional.of(SUBPROTOCOL) : Optional.empty();
    Optional<String> token = headerToken.or(() -> protocolToken);
    if (token.isEmpty()) {
      return new Accepted(null, subprotocol);
    }
    JwtAuthenticator.Result result = authenticator.authenticate(token.get());
    if (result instanceof JwtAuthenticator.Rejected rejected) {
      return new Refused(StatusCodes.UNAUTHORIZED, rejected.failure().code(), rejected.reason());
    }
    return new Accepted((JwtAuthenticator.Authenticated) result, subprotocol);
  }
}
