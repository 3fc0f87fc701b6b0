package chat.node.push;

import static chat.node.concurrent.Continuations.inline;

import chat.node.CborSerializable;
import chat.node.room.ChatRoom;
import chat.node.tracing.NodeTracing;
import chat.node.user.UserSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Turns accepted messages into push requests, driven by the journal so that nothing is lost: one
 * instance per push tag (cluster sharding keeps each running on exactly one node, and restarts it
 * elsewhere when that node goes) reads its tag's messages from its stored offset, waits out the
 * acknowledgement window, asks the rooms who their members are and the members' sessions whom to push
 * ({@link UserSession.DecidePush}), produces the requests to Kafka, and only then stores the offset.
 *
 * <p>So a crash or a Kafka outage repeats a batch but never skips one: delivery to Kafka is at least once,
 * and consumers drop repeats by dedup key. A failing batch restarts the instance after a backoff; chat
 * itself never waits on any of this.
 */
public final class PushProjection {

  /** What a projection instance understands: only being told to stop (handoff, shutdown). */
  public enum Command implements CborSerializable { STOP }

  private static final String NAME = "push-projection";

  private final ActorSystem<?> system;
  private final PushPipelineSettings settings;
  private final CassandraReadJournal journal;
  private final PushOffsets offsets;
  private final PushPublisher publisher;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final PushBacklog backlog;
  private final NodeTracing tracing;

  PushProjection(ActorSystem<?> system, PushPipelineSettings settings, CassandraReadJournal journal, PushOffsets offsets,
      PushPublisher publisher, ClusterSharding sharding, Duration askTimeout, PushBacklog backlog, NodeTracing tracing) {
    this.system = system;
    this.settings = settings;
    this.journal = journal;
    this.offsets = offsets;
    this.publisher = publisher;
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.backlog = backlog;
    this.tracing = tracing;
  }

  /** Starts the instances (on this node or elsewhere in the cluster, as sharding places them). */
  void start() {
    String[] tags = PushTags.all(settings.tags());
    ShardedDaemonProcess.get(system).init(Command.class, NAME, tags.length, i -> instance(tags[i]),
        ShardedDaemonProcessSettings.create(system), Optional.of(Command.STOP));
  }

  private Behavior<Command> instance(String tag) {
    return Behaviors.setup(context -> {
      context.getLog().info("push projection of tag {} started", tag);
      RestartSettings restart = RestartSettings.create(settings.minBackoff(), settings.maxBackoff(), 0.2);
      UniqueKillSwitch killSwitch = RestartSource.onFailuresWithBackoff(restart, () -> stream(tag))
          .viaMat(KillSwitches.single(), Keep.right())
          .to(Sink.ignore())
          .run(system);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Command.STOP, Behaviors::stopped)
          .onSignal(PostStop.class, stopped -> {
            killSwitch.shutdown();
            backlog.stopped(tag);
            return Behaviors.same();
          })
          .build();
    });
  }

  /** One run of a tag's projection, from its stored offset; it fails (and is restarted) on any error. */
  Source<Done, NotUsed> stream(String tag) {
    return Source.completionStageSource(offsets.load(tag, System.currentTimeMillis())
            .thenApply(offset -> journal.eventsByTag(tag, offset)
                .mapAsync(1, this::afterAckWindow)
                .groupedWithin(settings.batchSize(), settings.batchWindow())
                .mapAsync(1, batch -> handle(tag, batch))))
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private CompletionStage<EventEnvelope> afterAckWindow(EventEnvelope envelope) {
    long wait = envelope.timestamp() + settings.ackWindow().toMillis() - System.currentTimeMillis();
    return wait <= 0
        ? CompletableFuture.completedFuture(envelope)
        : Patterns.after(Duration.ofMillis(wait), system, () -> CompletableFuture.completedFuture(envelope));
  }

  private CompletionStage<Done> handle(String tag, List<EventEnvelope> batch) {
    List<Posted> messages = new ArrayList<>(batch.size());
    for (EventEnvelope envelope : batch) {
      if (envelope.event() instanceof ChatRoom.MessagePosted posted) {
        messages.add(new Posted(PersistenceId.extractEntityId(envelope.persistenceId()), envelope.sequenceNr(), posted));
      }
    }
    EventEnvelope last = batch.get(batch.size() - 1);
    backlog.started(tag, messages.size(), batch.get(0).timestamp(), System.currentTimeMillis());
    return decide(messages)
        .thenCompose(requests -> {
          backlog.producing(tag, requests.size());
          return publisher.publish(requests, traced(messages)).thenApply(done -> requests.size());
        })
        .thenCompose(requests -> inline(offsets.store(tag, last.offset(), last.timestamp())).thenApply(done -> requests))
        .whenComplete((requests, failure) -> {
          long now = System.currentTimeMillis();
          if (failure != null) {
            backlog.failed(tag, failure, now);
          } else {
            backlog.handled(tag, messages.size(), requests, now);
          }
        })
        .thenApply(requests -> Done.getInstance());
  }

  private record Posted(String roomId, long seq, ChatRoom.MessagePosted message) {}

  private record MessageRef(String roomId, long seq) {}

  /** The producer spans of requests about traced messages, which continue the trace of their send. */
  private java.util.function.Function<PushRequest, NodeTracing.ProduceSpan> traced(List<Posted> messages) {
    if (!tracing.enabled()) {
      return request -> null;
    }
    Map<MessageRef, String> contexts = new HashMap<>();
    for (Posted posted : messages) {
      if (posted.message().traceContext() != null) {
        contexts.put(new MessageRef(posted.roomId(), posted.seq()), posted.message().traceContext());
      }
    }
    if (contexts.isEmpty()) {
      return request -> null;
    }
    return request -> tracing.producing(contexts.get(new MessageRef(request.roomId(), request.seq())),
        PushTopics.REQUESTS, request.roomId(), request.seq(), request.user());
  }

  /** Candidates per DecidePush, so that an ask and its answer stay far below the remoting frame size. */
  static final int CANDIDATES_PER_ASK = 32;
  /** Asks that time out are repeated this many times before the batch fails (they are idempotent). */
  static final int ASK_ATTEMPTS = 3;

  /** The push requests of these messages, ordered by room, seq and user. */
  private CompletionStage<List<PushRequest>> decide(List<Posted> messages) {
    if (messages.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Map<String, CompletableFuture<ChatRoom.PushAudience>> audiences = new LinkedHashMap<>();
    for (Posted posted : messages) {
      audiences.computeIfAbsent(posted.roomId(), roomId -> askWithRetries(() -> inline(sharding
          .entityRefFor(ChatRoom.ENTITY_KEY, roomId)
          .<ChatRoom.PushAudience>ask(ChatRoom.GetPushAudience::new, askTimeout)), ASK_ATTEMPTS));
    }
    // the answers complete on the rooms' and sessions' threads: the batch's work moves to the dispatcher
    Executor dispatcher = system.executionContext();
    return CompletableFuture.allOf(audiences.values().toArray(CompletableFuture[]::new)).thenComposeAsync(all -> {
      Map<String, List<PushCandidate>> byUser = new LinkedHashMap<>();
      for (Posted posted : messages) {
        ChatRoom.PushAudience audience = audiences.get(posted.roomId()).join();
        PushCandidate candidate = new PushCandidate(posted.roomId(), audience.name(), audience.kind(), posted.seq(),
            posted.message().sender(), PushCandidate.preview(posted.message().body()), posted.message().ts());
        audience.members().forEach((member, joinedAt) -> {
          // who joined after the message never saw it come, and is not told about it
          if (!member.equals(posted.message().sender()) && joinedAt < posted.seq()) {
            byUser.computeIfAbsent(member, user -> new ArrayList<>()).add(candidate);
          }
        });
      }
      List<CompletableFuture<List<PushRequest>>> decided = new ArrayList<>();
      byUser.forEach((user, candidates) -> {
        for (int from = 0; from < candidates.size(); from += CANDIDATES_PER_ASK) {
          List<PushCandidate> chunk = List.copyOf(candidates.subList(from, Math.min(candidates.size(), from + CANDIDATES_PER_ASK)));
          decided.add(askWithRetries(() -> inline(sharding.entityRefFor(UserSession.ENTITY_KEY, user)
              .<UserSession.PushDecisions>ask(replyTo -> new UserSession.DecidePush(chunk, replyTo), askTimeout)),
              ASK_ATTEMPTS).thenApply(UserSession.PushDecisions::withDevices));
        }
      });
      return CompletableFuture.allOf(decided.toArray(CompletableFuture[]::new)).thenApplyAsync(done -> {
        List<PushRequest> requests = new ArrayList<>();
        decided.forEach(d -> requests.addAll(d.join()));
        requests.sort(java.util.Comparator.comparing(PushRequest::roomId).thenComparingLong(PushRequest::seq)
            .thenComparing(PushRequest::user));
        return requests;
      }, dispatcher);
    }, dispatcher);
  }

  /** An ask, repeated when it fails, up to {@code attempts} times in all. */
  private static <T> CompletableFuture<T> askWithRetries(
      java.util.function.Supplier<CompletionStage<T>> ask, int attempts) {
    return ask.get().toCompletableFuture().handle((reply, failure) -> failure == null || attempts <= 1
            ? (failure == null ? CompletableFuture.completedFuture(reply) : CompletableFuture.<T>failedFuture(failure))
            : askWithRetries(ask, attempts - 1))
        .thenCompose(next -> next);
  }
}
