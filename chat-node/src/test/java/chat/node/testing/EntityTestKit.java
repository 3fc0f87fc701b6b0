package chat.node.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Config for unit tests of entities: in-memory journal and snapshots, and the production serializer. */
public final class EntityTestKit {

  private EntityTestKit() {}

  public static Config config() {
    return EventSourcedBehaviorTestKit.config()
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        // without it the Cassandra snapshot store from application.conf would be used
        .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
        .withFallback(ConfigFactory.parseResources("serialization.conf"));
  }
}
