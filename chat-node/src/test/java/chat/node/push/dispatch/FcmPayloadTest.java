package chat.node.push.dispatch;

import chat.node.push.PushJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.push.PushRequest;
import chat.protocol.PushPlatform;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FcmPayloadTest {

  private static final String TOKEN = "fcm-token-of-bob-phone";

  @Test
  void groupMessageIsTitledByTheRoomAndShowsThePreview() throws Exception {
    PushRequest request = PushRequests.group("r1", 7, "bob", "see you at 5", 1_000, PushRequests.fcm("phone", TOKEN));
    PushMessage message = FcmPayload.build(request, request.devices().get(0), Duration.ofHours(1));

    assertEquals(PushPlatform.FCM, message.platform());
    assertEquals(Map.of(), message.headers());
    JsonNode m = PushJson.MAPPER.readTree(message.body()).get("message");
    assertEquals(TOKEN, m.get("token").asText());
    assertEquals("Team room", m.at("/notification/title").asText());
    assertEquals("see you at 5", m.at("/notification/body").asText());
    assertEquals("r1", m.at("/data/roomId").asText());
    assertEquals("7", m.at("/data/seq").asText());
    assertEquals("alice", m.at("/data/sender").asText());
    assertEquals("r1:7:bob", m.at("/data/dedupKey").asText());
    m.get("data").forEach(value -> assertTrue(value.isTextual(), "FCM data values are strings: " + value));
    assertEquals("high", m.at("/android/priority").asText());
    assertEquals("3600s", m.at("/android/ttl").asText());
    assertFalse(m.get("android").has("collapse_key"));
    assertEquals(Digests.sha256Hex("r1:7:bob"), m.at("/android/notification/tag").asText());
    assertFalse(m.has("apns"));
  }

  @Test
  void directMessageIsTitledByTheSenderAndHidesAPreviewThatWasWithheld() throws Exception {
    PushRequest request = PushRequests.dm("d1", 3, "bob", null, 1_000, PushRequests.fcm("phone", TOKEN));
    JsonNode m = PushJson.MAPPER.readTree(
        FcmPayload.build(request, request.devices().get(0), Duration.ofMinutes(5)).body()).get("message");

    assertEquals("alice", m.at("/notification/title").asText());
    assertEquals(PushText.GENERIC_BODY, m.at("/notification/body").asText());
    assertEquals("300s", m.at("/android/ttl").asText());
  }

  @Test
  void itsStringFormShowsNeitherTokenNorPreview() {
    PushRequest request = PushRequests.group("r1", 7, "bob", "secret plans", 1_000, PushRequests.fcm("phone", TOKEN));
    String shown = FcmPayload.build(request, request.devices().get(0), Duration.ofHours(1)).toString();

    assertFalse(shown.contains(TOKEN), shown);
    assertFalse(shown.contains("secret"), shown);
    assertTrue(shown.contains("r1:7:bob"), shown);
  }
}
