package chat.node.http;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /alive}: the process answers (liveness). {@code /ready}: this node is an Up member of the cluster
 * and can host entities, so it may take client connections (readiness).
 */
public final class HealthRoutes {

  private final Cluster cluster;

  public HealthRoutes(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
  }

  public Route route() {
    return Directives.concat(
        Directives.path("alive", () -> Directives.get(() -> Directives.complete(StatusCodes.OK, "alive"))),
        Directives.path("ready", () -> Directives.get(() -> {
          MemberStatus status = cluster.selfMember().status();
          return status == MemberStatus.up()
              ? Directives.complete(StatusCodes.OK, "ready")
              : Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready: cluster member is " + status);
        })));
  }
}
