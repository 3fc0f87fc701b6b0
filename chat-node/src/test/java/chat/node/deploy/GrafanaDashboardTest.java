package chat.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.testing.GrafanaDashboard;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in deploy/grafana: well-formed, every panel querying the data source variable
 * for the picked nodes, and every metric it queries documented in docs/observability.md's metric
 * tables, so the dashboard and the docs cannot drift apart.
 */
class GrafanaDashboardTest {

  private static final Path DOCS = Path.of("..", "docs", "observability.md");
  private static final String DATASOURCE = "${datasource}";

  private static JsonNode dashboard;
  private static List<JsonNode> panels;

  @BeforeAll
  static void load() throws IOException {
    dashboard = GrafanaDashboard.read();
    panels = GrafanaDashboard.panels(dashboard);
  }

  private static List<String> expressions(JsonNode panel) {
    return GrafanaDashboard.expressions(panel);
  }

  @Test
  void theDashboardHasAUidATitleAndPanels() {
    assertTrue(dashboard.isObject());
    assertFalse(dashboard.path("uid").asText().isBlank(), "uid");
    assertFalse(dashboard.path("title").asText().isBlank(), "title");
    assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "a Grafana 10+ schema");
    assertTrue(panels.size() > 10, panels.size() + " panels");
  }

  @Test
  void panelIdsAreUnique() {
    Set<Integer> ids = new HashSet<>();
    List<JsonNode> all = new ArrayList<>();
    dashboard.path("panels").forEach(p -> {
      all.add(p);
      p.path("panels").forEach(all::add);
    });
    for (JsonNode panel : all) {
      assertTrue(panel.path("id").isInt(), "panel without an id: " + panel.path("title").asText());
      assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id " + panel.path("id").asInt());
    }
  }

  @Test
  void theDataSourceAndTheNodeAreVariables() {
    JsonNode variables = dashboard.at("/templating/list");
    JsonNode datasource = null;
    JsonNode instance = null;
    for (JsonNode v : variables) {
      if ("datasource".equals(v.path("name").asText())) {
        datasource = v;
      } else if ("instance".equals(v.path("name").asText())) {
        instance = v;
      }
    }
    assertTrue(datasource != null, "no datasource variable");
    assertEquals("datasource", datasource.path("type").asText());
    assertEquals("prometheus", datasource.path("query").asText());
    assertTrue(instance != null, "no instance variable");
    assertEquals(DATASOURCE, instance.at("/datasource/uid").asText());
    assertTrue(instance.path("includeAll").asBoolean() && instance.path("multi").asBoolean());
    assertTrue(instance.path("definition").asText().contains("instance"));
  }

  @Test
  void everyPanelQueriesTheDataSourceVariable() {
    for (JsonNode panel : panels) {
      String title = panel.path("title").asText();
      assertEquals(DATASOURCE, panel.at("/datasource/uid").asText(), title);
      assertEquals("prometheus", panel.at("/datasource/type").asText(), title);
      assertTrue(panel.path("targets").size() > 0, title + " has no target");
      for (JsonNode target : panel.path("targets")) {
        assertFalse(target.path("expr").asText("").isBlank(), title + " has an empty expression");
        assertEquals(DATASOURCE, target.at("/datasource/uid").asText(), title);
      }
    }
  }

  @Test
  void everyExpressionFiltersByTheNodeAndRatesUseTheRateInterval() {
    Pattern fixedRange = Pattern.compile("\\[\\d+[smhdw]]");
    for (JsonNode panel : panels) {
      for (String expr : expressions(panel)) {
        assertTrue(expr.contains("instance=~\"$instance\""), "not filtered by the node: " + expr);
        assertFalse(fixedRange.matcher(expr).find(), "a fixed range instead of $__rate_interval: " + expr);
        if (expr.contains("rate(") || expr.contains("increase(")) {
          assertTrue(expr.contains("[$__rate_interval]"), expr);
        }
      }
    }
  }

  @Test
  void everyMetricTheDashboardQueriesIsDocumented() throws IOException {
    Set<String> used = GrafanaDashboard.metricNames();
    assertTrue(used.size() > 20, "metrics found: " + used);
    Set<String> undocumented = new TreeSet<>(used);
    undocumented.removeAll(documentedMetrics());
    assertEquals(Set.of(), undocumented, "queried by the dashboard but not in docs/observability.md's metric tables");
  }

  /** The names in the first column of the tables headed `| metric |`, without their {labels}. */
  private static Set<String> documentedMetrics() throws IOException {
    Set<String> names = new HashSet<>();
    Pattern quoted = Pattern.compile("`([a-z_:*]+)(?:\\{[^}`]*})?`");
    boolean inTable = false;
    for (String line : Files.readAllLines(DOCS)) {
      String trimmed = line.trim();
      if (!trimmed.startsWith("|")) {
        inTable = false;
        continue;
      }
      String[] cells = trimmed.split("\\|");
      String first = cells.length > 1 ? cells[1].trim() : "";
      if (!inTable) {
        inTable = first.equals("metric");
        continue;
      }
      Matcher m = quoted.matcher(first);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    assertTrue(names.contains("chat_connections_open"), "no metric table found in " + DOCS);
    return names;
  }
}
