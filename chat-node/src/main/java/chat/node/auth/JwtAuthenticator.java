package chat.node.auth;

import chat.node.ChatNodeSettings;
import chat.protocol.Protocol;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies client JWTs. The algorithm is the configured one (HS256, RS256 or ES256): a token whose header
 * names another is rejected, whatever else it says, which closes "alg=none" and "HS256 signed with the
 * RSA public key" alike. Then: the signature (by the key its kid names, for a JWKS), an {@code exp} in
 * the future and {@code nbf} in the past within the configured leeway, {@code iss}/{@code aud} when
 * configured, a {@code sub} that is a valid user id, and at most {@code max-token-size} characters.
 * Thread-safe; pure CPU, no I/O after construction.
 */
public final class JwtAuthenticator {

  public sealed interface Result {}

  public record Authenticated(String userId, Instant expiresAt) implements Result {}

  /**
   * Why a token was refused, as a stable code for logs; {@code reason} says it in words and is safe to show
   * the client: it never echoes the token.
   */
  public record Rejected(Failure failure, String reason) implements Result {}

  public enum Failure {
    MISSING_OR_TOO_LONG, MALFORMED, WRONG_ALGORITHM, WRONG_TYPE, UNKNOWN_KEY, BAD_SIGNATURE, NO_EXPIRY, EXPIRED,
    NOT_YET_VALID, WRONG_ISSUER, WRONG_AUDIENCE, INVALID_SUBJECT,
    /** A second token on one connection (reauthenticate, or hello after an upgrade with one) names another user. */
    OTHER_USER;

    /** The code as logged: {@code expired}, {@code bad_signature}, ... */
    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final ChatNodeSettings.Auth settings;
  private final JWSAlgorithm algorithm;
  /** Verifiers by key id; the null key holds the verifier for tokens without a kid (one key only). */
  private final Map<String, JWSVerifier> verifiers;
  private final Clock clock;

  public JwtAuthenticator(ChatNodeSettings.Auth settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.algorithm = JWSAlgorithm.parse(settings.algorithm());
    this.verifiers = verifiers(settings, algorithm);
  }

  public Result authenticate(String token) {
    if (token == null || token.length() > settings.maxTokenBytes()) {
      return new Rejected(Failure.MISSING_OR_TOO_LONG,
          "token is missing or longer than " + settings.maxTokenBytes() + " characters");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return new Rejected(Failure.MALFORMED, "token is not a signed JWT");
    }
    if (!algorithm.equals(jwt.getHeader().getAlgorithm())) {
      return new Rejected(Failure.WRONG_ALGORITHM, "token must be signed with " + algorithm);
    }
    JOSEObjectType type = jwt.getHeader().getType();
    if (type != null && !type.getType().equalsIgnoreCase(JOSEObjectType.JWT.getType())) {
      // another kind of token from the same issuer (RFC 8725 §3.11) is not a chat token
      return new Rejected(Failure.WRONG_TYPE, "token type must be JWT");
    }
    String kid = jwt.getHeader().getKeyID();
    JWSVerifier verifier = verifiers.get(kid);
    if (verifier == null && kid != null && verifiers.size() == 1 && verifiers.containsKey(null)) {
      verifier = verifiers.get(null); // a single configured key answers for any kid
    }
    if (verifier == null) {
      return new Rejected(Failure.UNKNOWN_KEY, "token is signed with an unknown key");
    }
    try {
      if (!jwt.verify(verifier)) {
        return new Rejected(Failure.BAD_SIGNATURE, "token signature is invalid");
      }
    } catch (JOSEException e) {
      return new Rejected(Failure.BAD_SIGNATURE, "token signature cannot be verified");
    }
    return checkClaims(claims);
  }

  private Result checkClaims(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return new Rejected(Failure.NO_EXPIRY, "token has no exp");
    }
    if (exp.toInstant().plus(settings.clockSkew()).isBefore(now)) {
      return new Rejected(Failure.EXPIRED, "token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minus(settings.clockSkew()).isAfter(now)) {
      return new Rejected(Failure.NOT_YET_VALID, "token is not valid yet");
    }
    if (settings.issuer().isPresent() && !settings.issuer().get().equals(claims.getIssuer())) {
      return new Rejected(Failure.WRONG_ISSUER, "token has the wrong issuer");
    }
    if (settings.audience().isPresent()
        && (claims.getAudience() == null || !claims.getAudience().contains(settings.audience().get()))) {
      return new Rejected(Failure.WRONG_AUDIENCE, "token has the wrong audience");
    }
    String subject = claims.getSubject();
    if (!Protocol.isUserId(subject)) {
      return new Rejected(Failure.INVALID_SUBJECT, "token sub is not a valid user id");
    }
    return new Authenticated(subject, exp.toInstant());
  }

  private static Map<String, JWSVerifier> verifiers(ChatNodeSettings.Auth settings, JWSAlgorithm algorithm) {
    Map<String, JWSVerifier> verifiers = new HashMap<>();
    try {
      if (JWSAlgorithm.HS256.equals(algorithm)) {
        verifiers.put(null, new MACVerifier(settings.jwtSecret().getBytes(StandardCharsets.UTF_8)));
        return verifiers;
      }
      if (settings.publicKeyFile().isPresent()) {
        verifiers.put(null, pemVerifier(Path.of(settings.publicKeyFile().get()), algorithm));
        return verifiers;
      }
      List<JWK> keys = JWKSet.load(Path.of(settings.jwksFile().get()).toFile()).getKeys();
      for (JWK key : keys) {
        JWSVerifier verifier = verifier(key, algorithm);
        if (verifier != null) {
          verifiers.put(keys.size() == 1 ? null : key.getKeyID(), verifier);
        }
      }
    } catch (IOException | ParseException | JOSEException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load the JWT verification key(s): " + e.getMessage(), e);
    }
    if (verifiers.isEmpty()) {
      throw new IllegalArgumentException("no " + algorithm + " public key found for chat.auth");
    }
    return verifiers;
  }

  /** An X.509 SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), read with the JDK alone. */
  private static JWSVerifier pemVerifier(Path file, JWSAlgorithm algorithm)
      throws IOException, java.security.GeneralSecurityException, JOSEException {
    String pem = Files.readString(file);
    String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    var spec = new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(base64));
    if (JWSAlgorithm.RS256.equals(algorithm)) {
      return new RSASSAVerifier((java.security.interfaces.RSAPublicKey)
          java.security.KeyFactory.getInstance("RSA").generatePublic(spec));
    }
    return new ECDSAVerifier((java.security.interfaces.ECPublicKey)
        java.security.KeyFactory.getInstance("EC").generatePublic(spec));
  }

  /** A verifier for keys that fit the algorithm; other keys in a JWKS are ignored. */
  private static JWSVerifier verifier(JWK key, JWSAlgorithm algorithm) throws JOSEException {
    if (JWSAlgorithm.RS256.equals(algorithm) && key instanceof RSAKey rsa) {
      return new RSASSAVerifier(rsa.toRSAPublicKey());
    }
    if (JWSAlgorithm.ES256.equals(algorithm) && key instanceof ECKey ec) {
      return new ECDSAVerifier(ec.toECPublicKey());
    }
    return null;
  }
}
