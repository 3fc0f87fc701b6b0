package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

class CqlSessionsTest {

  /**
   * The driver adds the config's contact points to the programmatic one. The node's application.conf
   * names 127.0.0.1:9042: on the node's test classpath, with a dev Cassandra running there, test
   * sessions used to end up in the dev Cassandra. cql-sessions-test.conf stands in for that
   * application.conf.
   */
  @Test
  void contactPointsAndReconnectOnInitOfTheApplicationConfAreIgnored() {
    System.setProperty("config.resource", "cql-sessions-test.conf");
    try (DriverConfigLoader loader = CqlSessions.configLoader()) {
      DriverExecutionProfile config = loader.getInitialConfig().getDefaultProfile();
      assertEquals(List.of(), config.getStringList(DefaultDriverOption.CONTACT_POINTS));
      assertFalse(config.getBoolean(DefaultDriverOption.RECONNECT_ON_INIT));
      assertEquals(CqlSessions.SESSION_NAME, config.getString(DefaultDriverOption.SESSION_NAME));
    } finally {
      System.clearProperty("config.resource");
    }
  }
}
