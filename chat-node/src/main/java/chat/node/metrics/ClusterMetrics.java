package chat.node.metrics;

import static chat.node.concurrent.Continuations.inline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;

/**
 * The cluster as this node sees it: members by status (read from the gossiped state at scrape time),
 * and the shards and entities this node hosts per entity type, polled from its shard regions, whose
 * changes between polls count as shards moved in or out (rebalances, hand-offs, a node's leaving).
 */
public final class ClusterMetrics {

  /** Poll the regions this often: asking them is cheap, but not free for every scrape. */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(10);

  private static final Map<String, MemberStatus> STATUSES = Map.of(
      "joining", MemberStatus.joining(),
      "weakly_up", MemberStatus.weaklyUp(),
      "up", MemberStatus.up(),
      "leaving", MemberStatus.leaving(),
      "exiting", MemberStatus.exiting(),
      "down", MemberStatus.down(),
      "removed", MemberStatus.removed(),
      "preparing_for_shutdown", MemberStatus.shuttingDown(),
      "ready_for_shutdown", MemberStatus.shutDown());

  private ClusterMetrics() {}

  /** Registers the metrics and polls the regions of {@code entityTypes} until the system terminates. */
  public static Cancellable start(ActorSystem<?> system, NodeMetrics metrics, List<String> entityTypes) {
    var classic = Adapter.toClassic(system);
    Cluster cluster = Cluster.get(classic);
    var registry = metrics.registry();
    STATUSES.forEach((label, status) -> Gauge.builder("chat.cluster.members", cluster,
            c -> count(c.state().getMembers(), status))
        .description("Cluster members by status, as this node sees them").tag("status", label).register(registry));
    Gauge.builder("chat.cluster.unreachable.members", cluster, c -> c.state().getUnreachable().size())
        .description("Members this node's failure detector marks unreachable").register(registry);

    List<Region> regions = entityTypes.stream().map(type -> new Region(type, metrics)).toList();
    ClusterSharding sharding = ClusterSharding.get(classic);
    return system.scheduler().scheduleAtFixedRate(Duration.ZERO, POLL_INTERVAL,
        () -> regions.forEach(region -> region.poll(sharding)), system.executionContext());
  }

  private static long count(Iterable<Member> members, MemberStatus status) {
    long n = 0;
    for (Member member : members) {
      n += member.status().equals(status) ? 1 : 0;
    }
    return n;
  }

  /** One entity type's region on this node: its latest stats, and shard moves seen between polls. */
  private static final class Region {
    private final String type;
    private final AtomicReference<Map<String, Object>> stats = new AtomicReference<>(Map.of());
    private final Counter movedIn;
    private final Counter movedOut;
    private Set<String> lastShards;

    Region(String type, NodeMetrics metrics) {
      this.type = type;
      String entity = label(type);
      var registry = metrics.registry();
      Gauge.builder("chat.shards", stats, s -> s.get().size())
          .description("Shards hosted by this node, by entity type").tag("entity", entity).register(registry);
      Gauge.builder("chat.entities", stats, s -> s.get().values().stream().mapToLong(v -> ((Number) v).longValue()).sum())
          .description("Entities alive on this node, by entity type").tag("entity", entity).register(registry);
      movedIn = moves(metrics, entity, "in");
      movedOut = moves(metrics, entity, "out");
    }

    private static Counter moves(NodeMetrics metrics, String entity, String direction) {
      return Counter.builder("chat.shard.moves").description("Shards that came to or left this node, by entity type")
          .tag("entity", entity).tag("direction", direction).register(metrics.registry());
    }

    void poll(ClusterSharding sharding) {
      inline(Patterns.ask(sharding.shardRegion(type), ShardRegion.getRegionStatsInstance(), POLL_INTERVAL))
          .thenAccept(reply -> {
            Map<String, Object> now = ((ShardRegion.ShardRegionStats) reply).getStats();
            stats.set(now);
            moved(now.keySet());
          });
      // an unanswered poll (the region is starting or stopping) leaves the last figures in place
    }

    private synchronized void moved(Set<String> shards) {
      if (lastShards != null) {
        movedIn.increment(shards.stream().filter(s -> !lastShards.contains(s)).count());
        movedOut.increment(lastShards.stream().filter(s -> !shards.contains(s)).count());
      }
      lastShards = new HashSet<>(shards);
    }
  }

  /** {@code ChatRoom} is {@code room}, {@code UserSession} is {@code user}: short, fixed label values. */
  static String label(String entityType) {
    return switch (entityType) {
      case "ChatRoom" -> "room";
      case "UserSession" -> "user";
      default -> entityType.toLowerCase(Locale.ROOT);
    };
  }
}
