package chat.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import chat.node.ChatNodeSettings;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The authentication matrix: every way a token can be wrong is rejected with a reason. */
class JwtAuthenticatorTest {

  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, java.time.ZoneOffset.UTC);
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";

  private static RSAKey rsa;
  private static RSAKey otherRsa;
  private static ECKey ec;
  private static JwtAuthenticator rs256;

  @BeforeAll
  static void keys(@TempDir Path dir) throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    otherRsa = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), otherRsa.toPublicJWK())).toString());
    rs256 = new JwtAuthenticator(auth("RS256", Optional.empty(), Optional.of(jwks.toString())), CLOCK);
  }

  private static ChatNodeSettings.Auth auth(String algorithm, Optional<String> pem, Optional<String> jwks) {
    return new ChatNodeSettings.Auth(algorithm, SECRET, pem, jwks, Optional.of("https://id.example"),
        Optional.of("chat"), Duration.ofSeconds(30), Duration.ofHours(1), 8192, Duration.ofSeconds(30));
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer("https://id.example")
        .audience("chat")
        .expirationTime(Date.from(NOW.plusSeconds(600)));
  }

  private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String rs(UnaryOperator<JWTClaimsSet.Builder> edit) throws Exception {
    return sign(new RSASSASigner(rsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
        edit.apply(claims()).build());
  }

  private static String reason(JwtAuthenticator authenticator, String token) {
    return assertInstanceOf(JwtAuthenticator.Rejected.class, authenticator.authenticate(token)).reason();
  }

  @Test
  void aValidTokenFromEitherKeyOfTheSetIsAccepted() throws Exception {
    var ok = assertInstanceOf(JwtAuthenticator.Authenticated.class, rs256.authenticate(rs(c -> c)));
    assertEquals("alice", ok.userId());
    String byOtherKey = sign(new RSASSASigner(otherRsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-2").build(),
        claims().build());
    assertInstanceOf(JwtAuthenticator.Authenticated.class, rs256.authenticate(byOtherKey));
  }

  @Test
  void theAlgorithmComesFromConfigurationNeverFromTheToken() throws Exception {
    // alg=none
    String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
    String none = header + "." + Base64URL.encode(claims().build().toString()) + ".";
    assertEquals("token is not a signed JWT", reason(rs256, none));
    // HS256 with the RSA public key as the shared secret: the classic key-confusion attack
    byte[] publicKeyBytes = rsa.toRSAPublicKey().getEncoded();
    String confused = sign(new MACSigner(java.util.Arrays.copyOf(publicKeyBytes, Math.max(32, publicKeyBytes.length))),
        new JWSHeader(JWSAlgorithm.HS256), claims().build());
    assertEquals("token must be signed with RS256", reason(rs256, confused));
    // a different asymmetric algorithm
    String es = sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims().build());
    assertEquals("token must be signed with RS256", reason(rs256, es));
  }

  @Test
  void keysAndSignaturesAreChecked() throws Exception {
    String unknownKid = sign(new RSASSASigner(new RSAKeyGenerator(2048).generate()),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-9").build(), claims().build());
    assertEquals("token is signed with an unknown key", reason(rs256, unknownKid));
    String wrongKey = sign(new RSASSASigner(otherRsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
        claims().build());
    assertEquals("token signature is invalid", reason(rs256, wrongKey));
    String[] parts = rs(c -> c).split("\\.");
    String tampered = parts[0] + "." + Base64URL.encode(claims().subject("mallory").build().toString()) + "." + parts[2];
    assertEquals("token signature is invalid", reason(rs256, tampered));
  }

  @Test
  void timeIsCheckedWithTheConfiguredLeeway() throws Exception {
    assertEquals("token has expired", reason(rs256, rs(c -> c.expirationTime(Date.from(NOW.minusSeconds(31))))));
    assertInstanceOf(JwtAuthenticator.Authenticated.class, rs256.authenticate(rs(c -> c.expirationTime(Date.from(NOW.minusSeconds(10))))));
    assertEquals("token is not valid yet", reason(rs256, rs(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31))))));
    assertInstanceOf(JwtAuthenticator.Authenticated.class, rs256.authenticate(rs(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(10))))));
    assertEquals("token has no exp", reason(rs256, rs(c -> c.expirationTime(null))));
  }

  @Test
  void issuerAudienceSubjectAndSizeAreChecked() throws Exception {
    assertEquals("token has the wrong issuer", reason(rs256, rs(c -> c.issuer("https://evil.example"))));
    assertEquals("token has the wrong audience", reason(rs256, rs(c -> c.audience("other"))));
    assertEquals("token sub is not a valid user id", reason(rs256, rs(c -> c.subject("a:b"))));
    assertEquals("token sub is not a valid user id", reason(rs256, rs(c -> c.subject(null))));
    String huge = rs(c -> c.claim("padding", "x".repeat(9000)));
    assertEquals("token is missing or longer than 8192 characters", reason(rs256, huge));
    assertEquals("token is not a signed JWT", reason(rs256, "garbage"));
    String logoutToken = sign(new RSASSASigner(rsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
        .type(new JOSEObjectType("logout+jwt")).build(), claims().build());
    assertEquals("token type must be JWT", reason(rs256, logoutToken));
  }

  @Test
  void hs256OnlyWhenConfiguredAndThenOnlyWithTheSecret() throws Exception {
    JwtAuthenticator hs256 = new JwtAuthenticator(auth("HS256", Optional.empty(), Optional.empty()), CLOCK);
    String good = sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), new JWSHeader(JWSAlgorithm.HS256), claims().build());
    assertInstanceOf(JwtAuthenticator.Authenticated.class, hs256.authenticate(good));
    String wrongSecret = sign(new MACSigner("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8)),
        new JWSHeader(JWSAlgorithm.HS256), claims().build());
    assertEquals("token signature is invalid", reason(hs256, wrongSecret));
    assertEquals("token must be signed with HS256", reason(hs256, rs(c -> c)));
  }

  @Test
  void aPemPublicKeyWorksForEs256(@TempDir Path dir) throws Exception {
    Path pem = dir.resolve("ec.pem");
    Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(ec.toECPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    JwtAuthenticator es256 = new JwtAuthenticator(auth("ES256", Optional.of(pem.toString()), Optional.empty()), CLOCK);
    String token = sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(), claims().build());
    assertInstanceOf(JwtAuthenticator.Authenticated.class, es256.authenticate(token));
    assertEquals("token must be signed with ES256", reason(es256, rs(c -> c)));
  }
}
