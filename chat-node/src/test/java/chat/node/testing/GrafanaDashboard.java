package chat.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Grafana dashboard in deploy/, read for the tests that hold it to the docs and to a real scrape. */
public final class GrafanaDashboard {

  public static final Path FILE = Path.of("..", "deploy", "grafana", "chat-node-dashboard.json");
  private static final Pattern METRIC =
      Pattern.compile("(?<![A-Za-z0-9_:])((?:chat|kafka|cassandra|jvm|process)_[a-z_]+)");
  private static final Pattern SERIES_SUFFIX = Pattern.compile("_(bucket|sum|count)$");

  private GrafanaDashboard() {}

  public static JsonNode read() {
    try {
      return new ObjectMapper().readTree(FILE.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Panels, with the ones inside collapsed rows; rows themselves excluded. */
  public static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    collectPanels(dashboard.path("panels"), panels);
    return panels;
  }

  private static void collectPanels(JsonNode list, List<JsonNode> into) {
    for (JsonNode panel : list) {
      if ("row".equals(panel.path("type").asText())) {
        collectPanels(panel.path("panels"), into);
      } else {
        into.add(panel);
      }
    }
  }

  public static List<String> expressions(JsonNode panel) {
    List<String> exprs = new ArrayList<>();
    panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText("")));
    return exprs;
  }

  /** The metric families the panels query: names without {@code _bucket}, {@code _sum} or {@code _count}. */
  public static Set<String> metricNames() {
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : panels(read())) {
      for (String expr : expressions(panel)) {
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
          used.add(SERIES_SUFFIX.matcher(m.group(1)).replaceFirst(""));
        }
      }
    }
    return used;
  }
}
