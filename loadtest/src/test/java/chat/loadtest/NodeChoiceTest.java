package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Several nodes: each user always goes to the same one, users spread over all, pids and endpoints as lists. */
class NodeChoiceTest {

  @Test
  void aUserAlwaysConnectsToTheSameNodeAndUsersSpreadOverAll() {
    List<URI> nodes = List.of(URI.create("ws://127.0.0.1:1/v1/ws"), URI.create("ws://127.0.0.1:2/v1/ws"),
        URI.create("ws://127.0.0.1:3/v1/ws"));
    try (Fleet fleet = new Fleet(nodes, new Errors(), 1)) {
      Map<URI, Integer> users = new HashMap<>();
      for (int i = 0; i < 3000; i++) {
        URI node = fleet.webSocketUri("g1-" + i);
        assertEquals(node, fleet.webSocketUri("g1-" + i));
        users.merge(node, 1, Integer::sum);
      }
      assertEquals(3, users.size(), users::toString);
      users.values().forEach(n -> assertTrue(n > 800, "uneven: " + users));
    }
  }

  @Test
  void listsOfAddressesAndPidsAreCommaSeparated() {
    Options o = Options.parse("--url", "http://127.0.0.1:8080, http://127.0.0.1:8081", "--server-pid", "10,11,12");
    assertEquals(List.of(URI.create("http://127.0.0.1:8080"), URI.create("http://127.0.0.1:8081")), o.uris("--url"));
    assertEquals(List.of(10L, 11L, 12L), o.pids("--server-pid"));
    assertEquals(List.of(), o.uris("--metrics"));
    assertThrows(IllegalArgumentException.class, () -> Options.parse("--server-pid", "10,x").pids("--server-pid"));
  }
}
