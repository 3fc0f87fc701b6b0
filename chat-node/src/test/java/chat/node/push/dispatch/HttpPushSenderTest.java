package chat.node.push.dispatch;

import static chat.node.push.dispatch.PushRequests.apns;
import static chat.node.push.dispatch.PushRequests.fcm;
import static chat.node.push.dispatch.PushRequests.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.push.PushRequest;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP sender against the local FCM/APNs stand-in: what it does without credentials, and with a wrong URL. */
class HttpPushSenderTest {

  private static FakePushPlatforms platforms;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPlatforms() throws Exception {
    platforms = FakePushPlatforms.start();
  }

  @AfterAll
  static void stopPlatforms() {
    platforms.close();
  }

  @Test
  void withoutCredentialsThePlatformIsUnavailableAndNotCalled() throws Exception {
    String token = "fcm-" + System.nanoTime();
    Path tokenFile = dir.resolve("fcm-access-token");
    HttpPushSender noToken = sender(Map.of("fcm.access-token", "", "apns.provider-token", ""));
    HttpPushSender noProject = sender(Map.of("fcm.project-id", "", "apns.bundle-id", ""));
    HttpPushSender unreadable = sender(Map.of("fcm.access-token-file", tokenFile.toString()));

    assertEquals(new SendOutcome.PlatformUnavailable("not configured: no token"), send(noToken, fcmTo(token)));
    assertEquals(new SendOutcome.PlatformUnavailable("not configured: no token"), send(noToken, apnsTo(token)));
    assertEquals(new SendOutcome.PlatformUnavailable("not configured: no project-id"), send(noProject, fcmTo(token)));
    assertEquals(new SendOutcome.PlatformUnavailable("not configured: no bundle-id"), send(noProject, apnsTo(token)));
    assertEquals(new SendOutcome.PlatformUnavailable("token file unreadable or empty"),
        send(unreadable, fcmTo(token)));
    assertTrue(platforms.callsTo(token).isEmpty());

    // the file that something else writes turns up: the next send uses it
    Files.writeString(tokenFile, FakePushPlatforms.FCM_ACCESS_TOKEN + "\n");
    assertEquals(SendOutcome.DELIVERED, send(unreadable, fcmTo(token)));
  }

  @Test
  void aPlatformWithNothingConfiguredIsOffAndItsDevicesFailRatherThanHoldingEveryoneElse() throws Exception {
    String token = "apns-" + System.nanoTime();
    HttpPushSender noApns = sender(Map.of("apns.bundle-id", "", "apns.provider-token", ""));
    assertEquals(new SendOutcome.Failed("APNs is off"), send(noApns, apnsTo(token)));
    assertEquals(SendOutcome.DELIVERED, send(noApns, fcmTo("fcm-" + token)));
    assertTrue(platforms.callsTo(token).isEmpty());
  }

  @Test
  void aBare404IsAWrongEndpointAndOnlyUnregisteredIsADeadToken() throws Exception {
    String token = "fcm-" + System.nanoTime();
    platforms.unregister(token);
    HttpPushSender wrongUrl = sender(Map.of("fcm.base-url", platforms.baseUrl() + "/not-fcm"));
    assertEquals(new SendOutcome.PlatformUnavailable("http 404"), send(wrongUrl, fcmTo(token)));
    assertEquals(new SendOutcome.InvalidToken("UNREGISTERED"), send(sender(Map.of()), fcmTo(token)));
  }

  @Test
  void refusedCredentialsMakeThePlatformUnavailable() throws Exception {
    String token = "apns-" + System.nanoTime();
    HttpPushSender wrongTokens = sender(Map.of("fcm.access-token", "stale", "apns.provider-token", "stale"));
    assertEquals(new SendOutcome.PlatformUnavailable("UNAUTHENTICATED"), send(wrongTokens, fcmTo(token)));
    assertEquals(new SendOutcome.PlatformUnavailable("InvalidProviderToken"), send(wrongTokens, apnsTo(token)));
  }

  private HttpPushSender sender(Map<String, String> overrides) {
    Map<String, Object> paths = new HashMap<>();
    paths.put("fcm.base-url", platforms.baseUrl());
    paths.put("fcm.project-id", FakePushPlatforms.FCM_PROJECT);
    paths.put("fcm.access-token", FakePushPlatforms.FCM_ACCESS_TOKEN);
    paths.put("apns.base-url", platforms.baseUrl());
    paths.put("apns.bundle-id", "chat.it");
    paths.put("apns.provider-token", FakePushPlatforms.APNS_PROVIDER_TOKEN);
    paths.putAll(overrides);
    Map<String, Object> config = new HashMap<>();
    paths.forEach((path, value) -> config.put(DispatcherSettings.PATH + "." + path, value));
    DispatcherSettings settings =
        DispatcherSettings.fromConfig(ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
    return new HttpPushSender(settings, Clock.systemUTC());
  }

  private static PushMessage fcmTo(String token) {
    return FcmPayload.build(request(), fcm("phone", token), Duration.ofHours(1));
  }

  private static PushMessage apnsTo(String token) {
    return ApnsPayload.build(request(), apns("iphone", token), "chat.it", Duration.ofHours(1), Clock.systemUTC());
  }

  private static PushRequest request() {
    return group("team-42", 17, "bob", "Lunch at noon?", System.currentTimeMillis());
  }

  private static SendOutcome send(HttpPushSender sender, PushMessage message) {
    return sender.send(message).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
