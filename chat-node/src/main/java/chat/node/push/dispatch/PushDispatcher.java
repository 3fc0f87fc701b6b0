package chat.node.push.dispatch;

import static chat.node.concurrent.Continuations.inline;

import chat.node.push.PushJson;
import chat.node.push.PushFeedback;
import chat.node.push.PushRequest;
import chat.node.push.PushRequest.PushDevice;
import chat.node.push.PushTopics;
import chat.protocol.PushPlatform;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableOffset;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer side of the push pipeline: reads {@link PushRequest}s from {@link PushTopics#REQUESTS}, pushes each
 * to every device through FCM or APNs, reports dead tokens on {@link PushTopics#FEEDBACK}, and commits a record's
 * offset only once it is fully handled: sent, given up on after the retries, reported, or dropped (duplicate, no
 * devices, expired, malformed). At least once: a crash or a rebalance hands the records after the last committed
 * offset to the next owner, which pushes them again (see {@link DedupCache} for what is caught).
 *
 * <p>A platform that refuses the dispatcher itself ({@link SendOutcome.PlatformUnavailable}: no credentials,
 * credentials refused, a wrong endpoint) never completes a request: {@link RetryingSender} holds the send,
 * asking again with the {@code restart} backoff, so the request and every offset after it stay uncommitted
 * until the credentials work again, and {@link PlatformAvailability} logs it at ERROR (rate-limited). The
 * consumer keeps polling meanwhile (only demand stops), so the group does not rebalance.
 *
 * <p>The stream restarts with backoff on failure (a lost broker, a feedback record that could not be produced):
 * from the last committed offset, with the dedup cache kept, so requests already handled are not pushed again,
 * and a request handled half-way is resumed with the devices it had not finished.
 * {@link #stop} (also run by coordinated shutdown) stops reading, lets the requests in flight finish, cuts
 * waiting retries short (leaving those requests uncommitted), commits, and closes the consumer and producer.
 */
public final class PushDispatcher {

  private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);

  /** How one record came out: commit its offset, or (shutdown cut a retry short) leave it, and all after it. */
  private enum Handled { DONE, INTERRUPTED }

  private final ActorSystem<?> system;
  private final DispatcherSettings settings;
  private final RetryingSender sender;
  private final SendProducer<String, String> feedback;
  private final DedupCache dedup;
  private final KeySequencer sequencer = new KeySequencer();
  private final DispatchCounters counters = new DispatchCounters();
  private final PlatformAvailability availability;
  private final Clock clock;
  private final ConsumerSettings<String, byte[]> consumerSettings;
  private final CommitterSettings committerSettings;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicReference<Consumer.Control> control = new AtomicReference<>(Consumer.createNoopControl());
  private final CompletableFuture<Done> stopped = new CompletableFuture<>();
  private volatile UniqueKillSwitch killSwitch;
  private volatile CompletionStage<Done> streamDone;
  private volatile Cancellable statsTask;

  private PushDispatcher(ActorSystem<?> system, DispatcherSettings settings, PushSender sender, Clock clock) {
    this.system = system;
    this.settings = settings;
    this.clock = clock;
    this.availability = new PlatformAvailability(counters, settings.statsInterval());
    this.sender = new RetryingSender(sender, settings.retry(), settings.restart(), availability);
    this.dedup = new DedupCache(settings.dedupWindow());
    this.consumerSettings = ConsumerSettings.create(system, new StringDeserializer(), new ByteArrayDeserializer())
        .withProperties(settings.kafkaClients())
        .withBootstrapServers(settings.bootstrapServers())
        .withGroupId(settings.groupId())
        .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.autoOffsetReset())
        // offsets are committed by the stream once a request is handled, never by the client on its own
        .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
        // stop() drains the stream (commits included) before it shuts the consumer down: no need to linger
        .withStopTimeout(Duration.ZERO);
    this.committerSettings = CommitterSettings.create(system)
        .withMaxBatch(settings.commit().maxBatch())
        .withMaxInterval(settings.commit().maxInterval());
    // a dead token is reported exactly once per refusal, and only acknowledged by every in-sync replica
    this.feedback = new SendProducer<>(ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
        .withProperties(settings.kafkaClients())
        .withBootstrapServers(settings.bootstrapServers())
        .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .withProperty(ProducerConfig.ACKS_CONFIG, "all"), system);
  }

  /** Starts consuming; {@link #stop} (or coordinated shutdown of {@code system}) ends it. */
  public static PushDispatcher start(ActorSystem<?> system, DispatcherSettings settings, PushSender sender) {
    return start(system, settings, sender, Clock.systemUTC());
  }

  public static PushDispatcher start(
      ActorSystem<?> system, DispatcherSettings settings, PushSender sender, Clock clock) {
    PushDispatcher dispatcher = new PushDispatcher(system, settings, sender, clock);
    dispatcher.run();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(),
        "push-dispatcher-drain", dispatcher::stop);
    log.info("push dispatcher started: {} to {}, group {}, parallelism {}, dedup window {}, {}",
        settings.requestsTopic(), settings.feedbackTopic(), settings.groupId(), settings.parallelism(),
        settings.dedupWindow(), settings.retry());
    return dispatcher;
  }

  public DispatchCounters counters() {
    return counters;
  }

  /**
   * Stops reading, waits up to {@code drain-timeout} for the requests in flight (waiting retries are cut short
   * and their requests left uncommitted), commits, and closes the Kafka clients. Idempotent.
   */
  public CompletionStage<Done> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return stopped;
    }
    statsTask.cancel();
    Consumer.Control current = control.get();
    current.stop()
        .thenRun(sender::stop)
        .thenCompose(ignored -> current.drainAndShutdown(streamDone, system.executionContext()))
        .toCompletableFuture()
        .orTimeout(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((done, error) -> {
          if (error != null) {
            log.warn("push dispatcher did not drain within {} ({}): stopping it anyway, uncommitted requests will be "
                + "handled again by the next consumer", settings.drainTimeout(), error.toString());
            sender.stop();
            killSwitch.shutdown();
            return control.get().shutdown();
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        })
        .thenCompose(shutdown -> shutdown.exceptionally(error -> Done.getInstance()))
        .thenCompose(ignored -> feedback.close())
        .whenComplete((done, error) -> {
          log.info("push dispatcher stopped: {}", counters);
          stopped.complete(Done.getInstance());
        });
    return stopped;
  }

  private void run() {
    RestartSettings restart = RestartSettings.create(
        settings.restart().minBackoff(), settings.restart().maxBackoff(), settings.restart().randomFactor());
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = RestartSource.onFailuresWithBackoff(restart, this::consume)
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    killSwitch = running.first();
    streamDone = running.second();
    AtomicLong lastLogged = new AtomicLong();
    statsTask = system.scheduler().scheduleAtFixedRate(settings.statsInterval(), settings.statsInterval(), () -> {
      long received = counters.received();
      if (received != lastLogged.getAndSet(received) || counters.held() > 0) {
        log.info("push dispatcher: {}", counters);
      }
    }, system.executionContext());
  }

  /**
   * One life of the consumer (a restart builds the next).
   *
   * <p>Ordering: requests are handled {@code parallelism} at a time by {@code mapAsync}, which emits results, and
   * so commits offsets, in offset order; within that, {@link KeySequencer} runs one user's requests strictly one
   * after another, so a user's notifications (and their badge counts) arrive in order while other users proceed
   * concurrently. Alternatives not taken: a partitioned sub-source per Kafka partition with {@code mapAsync(1)}
   * would serialise every user of a partition behind one slow retry; {@code mapAsyncPartitioned} would do what
   * the sequencer does, but Pekko 1.7.0's implementation can stall and reorder (fixed after 1.7.0, apache/pekko
   * #2899 and #3365). Cost: a request waiting for its retries holds its slot, and the commit of its partition's
   * later offsets, for at most {@code attempts} calls and their backoff; a request held for an unavailable platform
   * holds them until the platform is back, and once {@code parallelism} requests are waiting, reading stops.
   */
  private Source<Done, Consumer.Control> consume() {
    if (stopping.get()) {
      return Source.<Done>empty().mapMaterializedValue(ignored -> Consumer.createNoopControl());
    }
    AtomicBoolean interrupted = new AtomicBoolean();
    return Consumer.committableSource(consumerSettings, Subscriptions.topics(settings.requestsTopic()))
        .mapMaterializedValue(c -> {
          control.set(c);
          return c;
        })
        .mapAsync(settings.parallelism(),
            message -> handle(message).thenApply(handled -> Pair.create(handled, message.committableOffset())))
        // once a request was left unfinished by shutdown, no later offset may be committed: it would cover it
        .filter(handled -> {
          if (handled.first() == Handled.INTERRUPTED) {
            interrupted.set(true);
          }
          return !interrupted.get();
        })
        .<CommittableOffset>map(Pair::second)
        .via(Committer.flow(committerSettings));
  }

  private CompletionStage<Handled> handle(CommittableMessage<String, byte[]> message) {
    counters.received.incrementAndGet();
    ConsumerRecord<String, byte[]> record = message.record();
    PushRequest request;
    try {
      request = RequestReader.readRequest(record.value());
    } catch (RequestReader.MalformedRequest e) {
      counters.malformed.incrementAndGet();
      log.warn("skipping malformed push request at {}-{} offset {} (key {}): {}", record.topic(), record.partition(),
          record.offset(), record.key(), e.getMessage());
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    return sequencer.submit(request.user(), () -> dispatch(request)).whenComplete((handled, error) -> {
      if (error != null) {
        log.error("push request {} could not be completed: restarting from the last committed offset",
            request.dedupKey(), error);
      }
    });
  }

  private CompletionStage<Handled> dispatch(PushRequest request) {
    if (dedup.contains(request.dedupKey())) {
      counters.duplicates.incrementAndGet();
      log.debug("push request {} is a duplicate", request.dedupKey());
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    if (request.devices().isEmpty()) {
      counters.noDevices.incrementAndGet();
      dedup.add(request.dedupKey());
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    Duration age = Duration.ofMillis(clock.millis() - request.sentAt());
    if (request.sentAt() > 0 && age.compareTo(settings.maxAge()) > 0) {
      counters.expired.incrementAndGet();
      log.debug("push request {} expired ({} old)", request.dedupKey(), age);
      dedup.add(request.dedupKey());
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    // what is left of max-age (all of it when the clocks disagree and the message seems to come from the future)
    Duration ttl = request.sentAt() > 0 && !age.isNegative() ? settings.maxAge().minus(age) : settings.maxAge();
    List<CompletableFuture<Handled>> sends = request.devices().stream()
        .map(device -> sendOnce(request, device, ttl).toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      if (sends.stream().anyMatch(send -> send.join() == Handled.INTERRUPTED)) {
        return Handled.INTERRUPTED;
      }
      dedup.add(request.dedupKey());
      request.devices().forEach(device -> dedup.remove(deviceKey(request, device)));
      return Handled.DONE;
    });
  }

  /**
   * Sends unless this device is already done for this request: a request that failed half-way (its feedback
   * record not acknowledged) is read again after the restart, and only its remaining devices are pushed.
   */
  private CompletionStage<Handled> sendOnce(PushRequest request, PushDevice device, Duration ttl) {
    String key = deviceKey(request, device);
    if (dedup.contains(key)) {
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    return sendTo(request, device, ttl).thenApply(handled -> {
      if (handled == Handled.DONE) {
        dedup.add(key);
      }
      return handled;
    });
  }

  private static String deviceKey(PushRequest request, PushDevice device) {
    return request.dedupKey() + "|" + device.deviceId();
  }

  private CompletionStage<Handled> sendTo(PushRequest request, PushDevice device, Duration ttl) {
    Optional<PushPlatform> platform = platform(device.platform());
    if (platform.isEmpty() || device.token() == null || device.token().isBlank()) {
      counters.failed.incrementAndGet();
      log.warn("push request {}: device {} has no token or an unknown platform, skipped", request.dedupKey(),
          device.deviceId());
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    PushMessage message = platform.get() == PushPlatform.FCM
        ? FcmPayload.build(request, device, ttl)
        : ApnsPayload.build(request, device, settings.apns().bundleId(), settings.maxAge(), clock);
    return sender.send(message)
        .handle((outcome, error) ->
            error != null ? interrupted(message, error) : settle(request, device, message, outcome))
        .thenCompose(handled -> handled);
  }

  private CompletionStage<Handled> settle(
      PushRequest request, PushDevice device, PushMessage message, SendOutcome outcome) {
    if (outcome instanceof SendOutcome.Delivered) {
      counters.sent.incrementAndGet();
      return CompletableFuture.completedFuture(Handled.DONE);
    }
    if (outcome instanceof SendOutcome.InvalidToken invalid) {
      counters.invalidTokens.incrementAndGet();
      log.info("{}: token refused for good ({}), reporting it", message, invalid.reason());
      PushFeedback report = new PushFeedback(PushFeedback.SCHEMA, request.user(), device.deviceId(), device.platform(),
          device.token(), invalid.reason(), clock.millis());
      // the offset is committed only once the report is acknowledged; a failure restarts the stream
      return inline(feedback.send(new ProducerRecord<>(settings.feedbackTopic(), request.user(), PushJson.writeString(report))))
          .thenApply(metadata -> Handled.DONE);
    }
    if (outcome instanceof SendOutcome.PlatformUnavailable unavailable) {
      // RetryingSender holds these until they end otherwise; should one get here, restart rather than commit
      return CompletableFuture.failedFuture(
          new IllegalStateException(message + ": platform unavailable (" + unavailable.reason() + ") not held"));
    }
    counters.failed.incrementAndGet();
    if (outcome instanceof SendOutcome.Retryable retryable) {
      log.warn("{}: gave up after {} attempts: {}", message, settings.retry().attempts(), retryable.reason());
    } else if (outcome instanceof SendOutcome.Failed failed) {
      log.warn("{}: failed: {}", message, failed.reason());
    }
    return CompletableFuture.completedFuture(Handled.DONE);
  }

  private CompletionStage<Handled> interrupted(PushMessage message, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RetryingSender.Interrupted) {
      log.info("{}: retry cut short by shutdown, left for the next consumer", message);
      return CompletableFuture.completedFuture(Handled.INTERRUPTED);
    }
    return CompletableFuture.failedFuture(cause);
  }

  private static Optional<PushPlatform> platform(String name) {
    if ("fcm".equals(name)) {
      return Optional.of(PushPlatform.FCM);
    }
    if ("apns".equals(name)) {
      return Optional.of(PushPlatform.APNS);
    }
    return Optional.empty();
  }
}
