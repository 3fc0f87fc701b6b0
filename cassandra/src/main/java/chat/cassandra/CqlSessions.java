package chat.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.util.List;

/** Session builders for short-lived tool and test sessions. */
public final class CqlSessions {

  /** The prefix of the driver's log lines for these sessions. */
  static final String SESSION_NAME = "cql";

  private CqlSessions() {
  }

  /**
   * A builder for {@code contactPoint}, and only that one, in {@code localDatacenter}, with the rest of
   * the driver config as usual (reference.conf, application.conf), except:
   * <ul>
   *   <li>contact points from the config are dropped. The driver adds {@code basic.contact-points} of
   *   any application.conf on the classpath to the programmatic ones, and the node's (in its tests and
   *   tools) names {@code 127.0.0.1:9042}: with a dev Cassandra running there, the driver could pick
   *   that one for its control connection, learn the cluster from it and send every query there,
   *   e.g. create a test keyspace in the dev Cassandra instead of the test one.</li>
   *   <li>{@code reconnect-on-init} is off (the node's config turns it on): an unreachable contact
   *   point fails the build instead of retrying forever.</li>
   *   <li>the session is named {@value #SESSION_NAME}, not after the node's journal session.</li>
   *   <li>{@link CqlSession#close()} returns as soon as the session's work is done. By default the
   *   driver's event loops wait for a 2 s "quiet period" on close, which is only useful to a
   *   long-lived application, and adds up in a CLI run or a test suite that opens many sessions.</li>
   * </ul>
   */
  public static CqlSessionBuilder builder(InetSocketAddress contactPoint, String localDatacenter) {
    return CqlSession.builder()
        .addContactPoint(contactPoint)
        .withLocalDatacenter(localDatacenter)
        .withConfigLoader(configLoader());
  }

  /** The config of {@link #builder}: everything but the contact point and local datacenter. */
  static DriverConfigLoader configLoader() {
    return DriverConfigLoader.programmaticBuilder()
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of())
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .withString(DefaultDriverOption.SESSION_NAME, SESSION_NAME)
        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
        .build();
  }
}
