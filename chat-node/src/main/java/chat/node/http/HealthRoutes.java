package chat.node.http;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /alive}: the process answers (liveness; never depends on load or on Cassandra, so a busy node is
 * not killed). {@code /ready}: this node is an Up member of the cluster, can host entities and is not
 * shutting down, so it may take client connections (readiness).
 */
public final class HealthRoutes {

  public static final String ALIVE_PATH = "alive";
  public static final String READY_PATH = "ready";

  private final Cluster cluster;
  private final java.util.function.BooleanSupplier shuttingDown;

  public HealthRoutes(ActorSystem<?> system, java.util.function.BooleanSupplier shuttingDown) {
    this.cluster = Cluster.get(system);
    this.shuttingDown = shuttingDown;
  }

  public Route route() {
    return Directives.concat(
        Directives.path(ALIVE_PATH, () -> Directives.get(() -> Directives.complete(StatusCodes.OK, "alive"))),
        Directives.path(READY_PATH, () -> Directives.get(() -> {
          MemberStatus status = cluster.selfMember().status();
          if (shuttingDown.getAsBoolean()) {
            return Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready: shutting down");
          }
          return status == MemberStatus.up()
              ? Directives.complete(StatusCodes.OK, "ready")
              : Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready: cluster member is " + status);
        })));
  }
}
