package chat.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;

/** Session builders for short-lived tool and test sessions. */
public final class CqlSessions {

  private CqlSessions() {
  }

  /**
   * A builder for {@code contactPoint} in {@code localDatacenter}, with the rest of the driver config
   * as usual (reference.conf, application.conf), except that {@link CqlSession#close()} returns as
   * soon as the session's work is done. By default the driver's event loops wait for a 2 s "quiet
   * period" on close, which is only useful to a long-lived application, and adds up in a CLI run or a
   * test suite that opens many sessions.
   */
  public static CqlSessionBuilder builder(InetSocketAddress contactPoint, String localDatacenter) {
    return CqlSession.builder()
        .addContactPoint(contactPoint)
        .withLocalDatacenter(localDatacenter)
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
            .build());
  }
}
