package chat.node.metrics;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics} in the Prometheus text format, on a port of its own ({@code chat.metrics}): the
 * client-facing port carries WebSockets to the internet, the metrics port only to the scraper.
 */
public final class MetricsEndpoint {

  public static final String PATH = "metrics";
  private static final ContentType.WithCharset PROMETHEUS_TEXT =
      MediaTypes.TEXT_PLAIN.toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8);

  private MetricsEndpoint() {}

  public static Route route(NodeMetrics metrics) {
    return Directives.path(PATH, () -> Directives.get(() -> Directives.complete(
        HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, metrics.scrape())))));
  }

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, NodeMetrics metrics) {
    return Http.get(system).newServerAt(host, port).bind(route(metrics))
        .thenApply(b -> b.addToCoordinatedShutdown(Duration.ofSeconds(5), system));
  }
}
