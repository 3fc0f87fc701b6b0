package chat.loadtest.baseline;

import com.typesafe.config.ConfigFactory;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;

/**
 * Pekko HTTP with nothing of the chat server behind it, for {@link PekkoHttpBaseline}: what a connection
 * costs before any application state. Modes: {@code http} (a keep-alive HTTP connection), {@code messages}
 * (a WebSocket through Pekko HTTP's message API, with a handler that does nothing) and {@code frames} (the
 * same through its frame-level API, as the gateway uses it). Prints {@code bound} when it listens.
 */
public final class BareServer {

  private BareServer() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0].toLowerCase(Locale.ROOT);
    int port = Integer.parseInt(args[1]);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare",
        ConfigFactory.parseString("pekko.http.server.idle-timeout = infinite\n"
            + "pekko.http.server.max-connections = 20000\n"
            + "pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    Route route = switch (mode) {
      case "http" -> Directives.complete("ok");
      case "messages" -> Directives.extractWebSocketUpgrade(upgrade -> Directives.complete(upgrade.handleMessagesWith(
          Flow.fromSinkAndSourceCoupled(Sink.<Message>ignore(), Source.<Message>maybe()))));
      case "frames" -> Directives.extractWebSocketUpgrade(upgrade -> Directives.complete(frames(
          (UpgradeToWebSocketLowLevel) upgrade)));
      default -> throw new IllegalArgumentException("mode: http, messages or frames, not " + mode);
    };
    Http.get(system).newServerAt("127.0.0.1", port).bind(route).toCompletableFuture().get();
    System.out.println("bound");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static HttpResponse frames(UpgradeToWebSocketLowLevel upgrade) {
    Graph handler = Flow.fromSinkAndSourceCoupled(Sink.<FrameEvent>ignore(), Source.<FrameEvent>maybe());
    return upgrade.handleFrames(handler, (Option) Option.empty());
  }
}
