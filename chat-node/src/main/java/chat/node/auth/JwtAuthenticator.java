package chat.node.auth;

import chat.node.ChatNodeSettings;
import chat.protocol.Protocol;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;

/**
 * Verifies client JWTs: HS256 only (no "none", no algorithm the token picks for itself), a valid
 * signature, an {@code exp} in the future, {@code nbf} if present, {@code iss}/{@code aud} when configured,
 * and a {@code sub} that is a valid user id. Thread-safe; pure CPU, no I/O.
 */
public final class JwtAuthenticator {

  public sealed interface Result {}

  public record Authenticated(String userId, Instant expiresAt) implements Result {}

  /** {@code reason} is safe to show the client: it never echoes the token. */
  public record Rejected(String reason) implements Result {}

  private final ChatNodeSettings.Auth settings;
  private final MACVerifier verifier;
  private final Clock clock;

  public JwtAuthenticator(ChatNodeSettings.Auth settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    try {
      this.verifier = new MACVerifier(settings.jwtSecret().getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable chat.auth.jwt-secret: " + e.getMessage(), e);
    }
  }

  public Result authenticate(String token) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return new Rejected("token is not a signed JWT");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      return new Rejected("token must be signed with HS256");
    }
    try {
      if (!jwt.verify(verifier)) {
        return new Rejected("token signature is invalid");
      }
    } catch (JOSEException e) {
      return new Rejected("token signature cannot be verified");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return new Rejected("token has no exp");
    }
    if (exp.toInstant().plus(settings.clockSkew()).isBefore(now)) {
      return new Rejected("token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minus(settings.clockSkew()).isAfter(now)) {
      return new Rejected("token is not valid yet");
    }
    if (settings.issuer().isPresent() && !settings.issuer().get().equals(claims.getIssuer())) {
      return new Rejected("token has the wrong issuer");
    }
    if (settings.audience().isPresent()
        && (claims.getAudience() == null || !claims.getAudience().contains(settings.audience().get()))) {
      return new Rejected("token has the wrong audience");
    }
    String subject = claims.getSubject();
    if (!Protocol.isUserId(subject)) {
      return new Rejected("token sub is not a valid user id");
    }
    return new Authenticated(subject, exp.toInstant());
  }
}
