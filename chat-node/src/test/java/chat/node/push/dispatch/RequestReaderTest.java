package chat.node.push.dispatch;

import static chat.node.push.dispatch.PushRequests.fcm;
import static chat.node.push.dispatch.PushRequests.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chat.node.push.PushJson;
import chat.node.push.PushRequest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestReaderTest {

  private static final PushRequest REQUEST =
      group("team-42", 17, "bob", "Lunch at noon?", 1_764_858_000_123L, fcm("phone", "fcm-token"));

  @Test
  void readsSchemaOne() throws Exception {
    assertEquals(REQUEST, RequestReader.readRequest(PushJson.write(REQUEST)));
  }

  @Test
  void readsLaterSchemasIgnoringTheFieldsTheyAdd() throws Exception {
    ObjectNode later = PushJson.MAPPER.valueToTree(REQUEST);
    later.put("schema", 2);
    later.put("threadId", "t-9");
    later.putObject("sound").put("name", "ping");
    ((ObjectNode) later.withArray("devices").get(0)).put("appVersion", "5.1");
    PushRequest read = RequestReader.readRequest(PushJson.MAPPER.writeValueAsBytes(later));
    assertEquals(2, read.schema());
    assertEquals(REQUEST.dedupKey(), read.dedupKey());
    assertEquals(REQUEST.devices(), read.devices());
    assertEquals(REQUEST.preview(), read.preview());
  }

  @Test
  void refusesASchemaBelowOneOrNone() {
    ObjectNode json = PushJson.MAPPER.valueToTree(REQUEST);
    json.put("schema", 0);
    assertRefused(json.toString(), "schema version missing (or 0)");
    json.remove("schema");
    assertRefused(json.toString(), "schema version missing (or 0)");
    json.put("schema", -1);
    assertRefused(json.toString(), "unsupported schema version -1");
  }

  @Test
  void refusesWhatIsNotAPushRequestWithoutQuotingIt() {
    assertRefused("{\"preview\": \"Lunch at noon? and not JSON", null);
    assertRefused("null", "not a push request: JSON null");
    ObjectNode noUser = PushJson.MAPPER.valueToTree(REQUEST);
    noUser.remove("user");
    assertRefused(noUser.toString(), "dedupKey, user or roomId missing");
    assertThrows(RequestReader.MalformedRequest.class, () -> RequestReader.readRequest(null));
  }

  private static void assertRefused(String value, String expectedMessage) {
    RequestReader.MalformedRequest e = assertThrows(RequestReader.MalformedRequest.class,
        () -> RequestReader.readRequest(value.getBytes(StandardCharsets.UTF_8)));
    if (expectedMessage != null) {
      assertEquals(expectedMessage, e.getMessage());
    }
    assertFalse(e.getMessage().contains("Lunch"), e.getMessage());
  }
}
