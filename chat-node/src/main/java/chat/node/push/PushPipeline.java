package chat.node.push;

import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/** The node's part of push notifications, wired together: topics, projection, producer, feedback. */
public final class PushPipeline {

  private final PushBacklog backlog;

  private PushPipeline(PushBacklog backlog) {
    this.backlog = backlog;
  }

  /** Starts the pipeline if {@code chat.push.enabled}; returns null otherwise. */
  public static PushPipeline start(
      ActorSystem<?> system, PushPipelineSettings settings, ClusterSharding sharding, String keyspace, Duration askTimeout,
      chat.node.tracing.NodeTracing tracing) {
    if (!settings.enabled()) {
      return null;
    }
    if (settings.createTopics()) {
      PushTopicSetup.ensure(system, settings);
    }
    CassandraReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    var session = CassandraSessionRegistry.get(system).sessionFor("pekko.persistence.cassandra");
    var offsets = new PushOffsets(session, journal, keyspace, settings.initialLookback(), settings.rewind());
    var publisher = new PushPublisher(system, settings);
    var backlog = new PushBacklog();
    new PushProjection(system, settings, journal, offsets, publisher, sharding, askTimeout, backlog, tracing).start();
    var feedback = PushFeedbackConsumer.start(system, settings, sharding, askTimeout);
    // a batch that waits on an absent broker fails only at the producer's delivery timeout: look meanwhile
    var reporting = system.scheduler().scheduleAtFixedRate(Duration.ofSeconds(5), Duration.ofSeconds(5),
        () -> backlog.report(System.currentTimeMillis()), system.executionContext());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "push-producer",
        () -> {
          reporting.cancel();
          feedback.shutdown();
          publisher.close();
          return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
        });
    return new PushPipeline(backlog);
  }

  public PushBacklog backlog() {
    return backlog;
  }
}
