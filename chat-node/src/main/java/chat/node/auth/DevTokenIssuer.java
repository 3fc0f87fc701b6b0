package chat.node.auth;

import chat.node.ChatNodeSettings;
import chat.protocol.Protocol;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;

/**
 * Signs tokens with the node's own secret, for dev mode ({@code POST /dev/token}) and tests. In production
 * tokens come from the identity provider that shares the secret; this class is then unused.
 */
public final class DevTokenIssuer {

  public record Issued(String token, String userId, Instant expiresAt) {}

  private final ChatNodeSettings.Auth settings;
  private final MACSigner signer;
  private final Clock clock;

  public DevTokenIssuer(ChatNodeSettings.Auth settings, Clock clock) {
    if (!"HS256".equals(settings.algorithm())) {
      throw new IllegalArgumentException("dev tokens are HS256; chat.auth.algorithm is " + settings.algorithm());
    }
    this.settings = settings;
    this.clock = clock;
    try {
      this.signer = new MACSigner(settings.jwtSecret().getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable chat.auth.jwt-secret: " + e.getMessage(), e);
    }
  }

  public Issued issue(String userId) {
    if (!Protocol.isUserId(userId)) {
      throw new IllegalArgumentException("user must match " + Protocol.USER_ID.pattern());
    }
    Instant now = clock.instant();
    Instant expiresAt = now.plus(settings.devTokenTtl());
    var claims = new JWTClaimsSet.Builder()
        .subject(userId)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expiresAt));
    settings.issuer().ifPresent(claims::issuer);
    settings.audience().ifPresent(claims::audience);
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a dev token", e);
    }
    return new Issued(jwt.serialize(), userId, expiresAt);
  }
}
