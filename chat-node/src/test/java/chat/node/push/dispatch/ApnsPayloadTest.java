package chat.node.push.dispatch;

import chat.node.push.PushJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.push.PushRequest;
import chat.protocol.PushPlatform;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ApnsPayloadTest {

  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(2_000_000_000L), ZoneOffset.UTC);
  private static final long SENT_AT = 1_700_000_000_000L;

  @Test
  void groupMessageIsAnAlertTitledByTheRoomAndThreadedByIt() throws Exception {
    PushRequest request = PushRequests.group("r1", 7, "bob", "see you at 5", SENT_AT,
        PushRequests.apns("iphone", "a1b2c3"));
    PushMessage message = ApnsPayload.build(request, request.devices().get(0), "chat.app", Duration.ofHours(1), CLOCK);

    assertEquals(PushPlatform.APNS, message.platform());
    assertEquals("a1b2c3", message.token());
    JsonNode body = PushJson.MAPPER.readTree(message.body());
    assertEquals("Team room", body.at("/aps/alert/title").asText());
    assertEquals("see you at 5", body.at("/aps/alert/body").asText());
    assertEquals(5, body.at("/aps/badge").asInt());
    assertTrue(body.at("/aps/badge").isNumber());
    assertEquals("default", body.at("/aps/sound").asText());
    assertEquals("r1", body.at("/aps/thread-id").asText());
    assertEquals("r1", body.get("roomId").asText());
    assertEquals(7, body.get("seq").asLong());

    assertEquals("alert", message.headers().get("apns-push-type"));
    assertEquals("10", message.headers().get("apns-priority"));
    assertEquals("chat.app", message.headers().get("apns-topic"));
    assertEquals(Long.toString(SENT_AT / 1000 + 3600), message.headers().get("apns-expiration"));
  }

  @Test
  void collapseIdIsAStableHashOfTheDedupKeyWithinApnsLimit() {
    PushRequest request = PushRequests.group("a-rather-long-room-identifier-" + "x".repeat(80), 123456789, "bob",
        "hi", SENT_AT, PushRequests.apns("iphone", "a1b2c3"));
    String collapseId = ApnsPayload.build(request, request.devices().get(0), "chat.app", Duration.ofHours(1), CLOCK)
        .headers().get("apns-collapse-id");

    assertTrue(collapseId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 64, collapseId);
    assertEquals(Digests.sha256Hex(request.dedupKey()), collapseId);
  }

  @Test
  void directMessageIsTitledByTheSenderAndHidesAPreviewThatWasWithheld() throws Exception {
    PushRequest request = PushRequests.dm("d1", 3, "bob", null, 0, PushRequests.apns("iphone", "a1b2c3"));
    PushMessage message =
        ApnsPayload.build(request, request.devices().get(0), "chat.app", Duration.ofMinutes(5), CLOCK);
    JsonNode body = PushJson.MAPPER.readTree(message.body());

    assertEquals("alice", body.at("/aps/alert/title").asText());
    assertEquals(PushText.GENERIC_BODY, body.at("/aps/alert/body").asText());
    // without a sentAt the expiry counts from now
    assertEquals(Long.toString(2_000_000_000L + 300), message.headers().get("apns-expiration"));
  }
}
