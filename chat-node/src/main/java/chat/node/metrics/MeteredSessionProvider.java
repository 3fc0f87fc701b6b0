package chat.node.metrics;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * Builds the journal's driver session as the plugin's default provider does, with the node's metrics
 * registry handed to the driver, so that its request latencies, timeouts and pools are scraped with the
 * node's own metrics ({@code datastax-java-driver.advanced.metrics} in persistence.conf picks which).
 * Named by {@code pekko.persistence.cassandra.session-provider}.
 */
public final class MeteredSessionProvider implements CqlSessionProvider {

  private final org.apache.pekko.actor.ActorSystem system;
  private final Config config;

  public MeteredSessionProvider(org.apache.pekko.actor.ActorSystem system, Config config) {
    this.system = system;
    this.config = config;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext ec) {
    Config driverConfig = CqlSessionProvider.driverConfig(system, config);
    var registry = NodeMetrics.get(Adapter.toTyped(system)).registry();
    return scala.jdk.javaapi.FutureConverters.asScala(CqlSession.builder()
        .withConfigLoader(new DriverConfigLoaderFromConfig(driverConfig))
        .withMetricRegistry(registry)
        .buildAsync());
  }
}
