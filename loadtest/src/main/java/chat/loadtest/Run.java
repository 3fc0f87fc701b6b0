package chat.loadtest;

import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.RoomInfo;
import chat.protocol.Visibility;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One run of a scenario: the shared parts every scenario uses (connections, members, rooms, counters,
 * latencies, the watched processes, the server's metrics) and the steps they are made of: connect
 * members, create rooms, send on the open-loop schedule, drain, and build the {@link Result}.
 *
 * <p>Every wait is bounded by the run's hard deadline; passing it aborts the run with {@link Aborted}
 * saying in which phase it was.
 */
final class Run implements AutoCloseable {

  /** The run could not complete: a setup step failed or the deadline passed. */
  static final class Aborted extends RuntimeException {
    Aborted(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Options options;
  private final long epoch = System.nanoTime();
  private final Instant startedAt = Instant.now();
  private final String tag = "lt" + Long.toString(System.currentTimeMillis(), 36);
  private final Errors errors = new Errors();
  private final Counters counters = new Counters();
  private final Latencies latencies = new Latencies();
  private final Fleet fleet;
  private final TokenSource tokens;
  private final Throttle connects;
  private final long deadlineNanos;
  private final Consumer<String> progress;
  private final AtomicLong messageNumbers = new AtomicLong();
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final List<TrackedRoom> rooms = new CopyOnWriteArrayList<>();
  private final ProcessMonitor processes;
  private final ServerMetrics serverMetrics;
  private volatile String phase = "setup";
  private ScheduledFuture<?> ticker;
  private ScheduledFuture<?> progressTicker;
  private long measuredFromNanos = -1;
  private long measuredToNanos = -1;
  private long windowStartSecond;
  // scenario-specific parts of the result
  Result.Idle idle;
  Result.Storm storm;
  List<Result.KneeStep> knee;
  Double kneeLastGoodRate;
  PushAudit.Result push;
  final List<String> scenarioFailures = new CopyOnWriteArrayList<>();
  /** The knee search overloads on purpose: failed sends end its search, they do not fail the run. */
  boolean sendFailuresAreFindings;
  private ServerMetrics.Comparison serverComparison;
  private double ratePerSecond;

  /**
   * {@code tokens}: null for dev-mode tokens from the node; {@code progress}: where the 5 s progress lines
   * go (stderr from the command line).
   */
  Run(Options options, TokenSource tokens, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
    List<URI> nodes = options.uris("--url");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("--url names no node");
    }
    List<URI> webSockets = nodes.stream()
        .map(http -> URI.create(http.toString().replaceFirst("^http", "ws").replaceAll("/$", "") + "/v1/ws"))
        .toList();
    this.fleet = new Fleet(webSockets, errors, options.integer("--io-threads"));
    // any node issues dev tokens for all of them: they share the key
    this.tokens = tokens != null ? tokens : new DevTokens(fleet.http(), nodes.get(0));
    this.connects = new Throttle(options.integer("--connect-concurrency"));
    long deadlineSeconds = options.longValue("--deadline") > 0 ? options.longValue("--deadline") : derivedDeadline(options);
    this.deadlineNanos = epoch + TimeUnit.SECONDS.toNanos(deadlineSeconds);
    this.processes = new ProcessMonitor(ServerProcesses.find(options.pids("--server-pid"), options.pid("--cassandra-pid"),
        options.pid("--kafka-pid"), options.devDir()));
    List<URI> metrics = options.uris("--metrics");
    this.serverMetrics = metrics.isEmpty() ? null : new ServerMetrics(fleet.http(), metrics);
  }

  /**
   * Setup (generously, by the number of connections), sending, draining, waiting for late items (counted
   * once: in a knee search the step whose items come late is bad and ends it), and for a knee every step.
   */
  static long derivedDeadline(Options o) {
    long sending = (long) (o.number("--warmup") + o.number("--seconds"));
    if (o.flag("--knee")) {
      sending = (long) (o.integer("--max-steps") * (o.number("--step-seconds") + o.number("--settle-seconds") + 40));
    }
    long connections = Math.max(o.integer("--connections"), Math.max(o.integer("--members"),
        Math.max(2L * o.integer("--pairs"), (long) o.integer("--rooms") * o.integer("--room-size"))));
    return 120 + connections / 20 + sending + 2L * o.integer("--drain-seconds") + o.integer("--late-seconds")
        + o.longValue("--away")
        + o.longValue("--push-timeout");
  }

  // --- the parts

  Options options() {
    return options;
  }

  Errors errors() {
    return errors;
  }

  Counters counters() {
    return counters;
  }

  Latencies latencies() {
    return latencies;
  }

  Fleet fleet() {
    return fleet;
  }

  TokenSource tokens() {
    return tokens;
  }

  Throttle connects() {
    return connects;
  }

  ProcessMonitor processes() {
    return processes;
  }

  String tag() {
    return tag;
  }

  /** Nanoseconds since the run began. */
  long nanos() {
    return System.nanoTime() - epoch;
  }

  long nextMessageNumber() {
    return messageNumbers.incrementAndGet();
  }

  void phase(String phase) {
    this.phase = phase;
  }

  String phase() {
    return phase;
  }

  List<Member> members() {
    return members;
  }

  List<TrackedRoom> rooms() {
    return rooms;
  }

  // --- setup

  /** New members {@code <tag>-<kind>-<i>}, each with a device of its own. */
  List<Member> newMembers(String kind, int n) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String user = tag + "-" + kind + "-" + i;
      out.add(new Member(this, user, "d-" + user));
    }
    members.addAll(out);
    return out;
  }

  /**
   * Connects them all (with bounded concurrency) and waits for each one's {@code synced}. A member whose
   * connection fails or is closed before its {@code synced} (a node just started may answer a burst of
   * hellos with {@code closing unavailable}, and a cold cluster of several nodes does so for its first
   * seconds) tries again, as an app would, backing off ({@link #connectRetryDelay}), {@link #CONNECT_ATTEMPTS}
   * times in all; each failure still counts as a connection error. Aborts the run if one never gets there.
   */
  void connect(List<Member> them) {
    await(CompletableFuture.allOf(them.stream().map(m -> connectUntilSynced(m, CONNECT_ATTEMPTS))
            .toArray(CompletableFuture[]::new)),
        "connecting " + them.size() + " members until their synced");
  }

  static final int CONNECT_ATTEMPTS = 5;
  private static final Duration CONNECT_RETRY_AFTER = Duration.ofSeconds(2);

  /**
   * How long a member waits before its {@code retry}-th new attempt (1 for the first): 2 s, doubling each
   * time, so that the attempts span 30 s, twice as long as a cold three-node cluster has been seen refusing
   * a burst of hellos (15 s).
   */
  static Duration connectRetryDelay(int retry) {
    return CONNECT_RETRY_AFTER.multipliedBy(1L << Math.min(retry - 1, 10));
  }

  private CompletableFuture<Member> connectUntilSynced(Member member, int attempts) {
    return member.connect().thenCompose(m -> m.synced().thenApply(synced -> m))
        .handle((m, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(m);
          }
          if (attempts <= 1) {
            return CompletableFuture.<Member>failedFuture(failure);
          }
          member.drop();
          Duration delay = connectRetryDelay(CONNECT_ATTEMPTS - attempts + 1);
          return CompletableFuture.supplyAsync(() -> member,
                  CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS))
              .thenCompose(again -> connectUntilSynced(again, attempts - 1));
        })
        .thenCompose(f -> f);
  }

  /**
   * {@code creator} creates a group with {@code others} (at most 100, the protocol's limit) and
   * {@code offline} users; the room is tracked by all connected members from the seq it has now.
   */
  CompletableFuture<TrackedRoom> createGroup(Member creator, List<Member> others, List<String> offline, Visibility visibility) {
    List<String> names = new ArrayList<>(others.stream().map(m -> m.user).toList());
    names.addAll(offline);
    // a room id of our own makes the create safe to repeat: the same creator gets the same room back
    String roomId = creator.user + "-room";
    return retried(() -> creator.client().ask(
            id -> new ClientFrame.CreateRoom(id, roomId, "load " + creator.user, names, visibility), AckResult.Room.class),
        CREATE_ATTEMPTS)
        .thenApply(ack -> track(ack.room(), creator, others, offline));
  }

  /** Set-up requests are repeated this often when the node answers with a retryable error (a timeout under load). */
  static final int CREATE_ATTEMPTS = 3;

  /** {@code request}, repeated while it fails with a retryable error, at most {@code attempts} times in all. */
  static <T> CompletableFuture<T> retried(java.util.function.Supplier<CompletableFuture<T>> request, int attempts) {
    return request.get().handle((value, failure) -> {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
      if (cause == null) {
        return CompletableFuture.completedFuture(value);
      }
      if (attempts > 1 && cause instanceof LoadClient.RequestFailed failed && failed.retryable()) {
        return retried(request, attempts - 1);
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  /** {@code a} opens the DM with {@code b}. */
  CompletableFuture<TrackedRoom> openDm(Member a, Member b) {
    return a.client().ask(id -> new ClientFrame.OpenDm(id, b.user), AckResult.Room.class)
        .thenApply(ack -> track(ack.room(), a, List.of(b), List.of()));
  }

  TrackedRoom track(RoomInfo info, Member first, List<Member> others, List<String> offline) {
    TrackedRoom room = new TrackedRoom(info.roomId(), info.lastSeq(), offline);
    first.track(room.roomId, room.base);
    room.receivers.add(first);
    for (Member m : others) {
      m.track(room.roomId, room.base);
      room.receivers.add(m);
    }
    rooms.add(room);
    return room;
  }

  /** Waits for {@code what}, no longer than the run's deadline; a failure or the deadline aborts the run. */
  <T> T await(CompletableFuture<T> future, String what) {
    phase(what);
    long left = deadlineNanos - System.nanoTime();
    try {
      return future.get(Math.max(1, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new Aborted("the run's deadline passed while " + what + " (errors so far: " + errors.byKind() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Aborted("interrupted while " + what, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new Aborted(what + " failed: " + Errors.describe(e) + " (errors: " + errors.byKind() + ")", e.getCause());
    }
  }

  long secondsLeft() {
    return TimeUnit.NANOSECONDS.toSeconds(deadlineNanos - System.nanoTime());
  }

  // --- measuring

  /**
   * Starts what runs during the measurement: acknowledgements every second, the progress line and
   * window every 5 s, the process monitor and the first metrics scrape.
   */
  void startMeasurement() {
    measuredFromNanos = nanos();
    windowStartSecond = measuredFromNanos / 1_000_000_000L;
    if (serverMetrics != null) {
      try {
        serverMetrics.before();
      } catch (IllegalStateException e) {
        throw new Aborted("the node's metrics cannot be read (--metrics): " + e.getMessage(), e);
      }
    }
    processes.start();
    ticker = fleet.scheduler().scheduleWithFixedDelay(() -> members.forEach(Member::acknowledge), 1, 1, TimeUnit.SECONDS);
    progressTicker = fleet.scheduler().scheduleAtFixedRate(this::progress, 5, 5, TimeUnit.SECONDS);
  }

  private void progress() {
    processes.sample();
    double p99 = latencies.currentReceiveP99Millis();
    long elapsed = nanos() / 1_000_000_000L;
    latencies.closeWindow(windowStartSecond);
    windowStartSecond = elapsed;
    progress.accept(String.format("[%4ds] %-10s sent=%d acked=%d received=%d errors=%d open=%d p99(5s)=%.1fms",
        elapsed, phase, counters.sent.sum(), counters.acked.sum(), counters.received.sum(), errors.total(),
        fleet.openConnections(), p99));
  }

  /** Sends on the open-loop schedule: a warm-up (not timed), then the measured seconds. */
  Traffic.Phase send(List<Traffic.Sender> senders, double rate) {
    ratePerSecond = rate;
    double warmup = options.number("--warmup");
    latencies.measureFrom(nanos() + (long) (warmup * 1e9));
    phase(warmup > 0 ? "warm-up+send" : "sending");
    return new Traffic(this, senders).run(rate, warmup + options.number("--seconds"), options.longValue("--max-messages"));
  }

  void rate(double rate) {
    ratePerSecond = rate;
  }

  /**
   * After the last send: waits until every send is answered and every receiver has every item of its
   * rooms, at most {@code --drain-seconds}. If something is still missing then, waits for it up to
   * {@code --late-seconds} more: what arrives in that window is late (see {@link Accounting}), what is
   * missing after it is lost. Under overload deliveries can take longer than the drain, and a late item
   * is a different finding from one never delivered.
   */
  void drain() {
    phase("draining");
    boolean drained = settled(options.number("--drain-seconds"));
    rooms.forEach(TrackedRoom::drainEnded);
    double lateSeconds = options.number("--late-seconds");
    if (!drained && lateSeconds > 0) {
      long lateBefore = late();
      long missing = rooms.stream().mapToLong(TrackedRoom::missing).sum();
      say(String.format(Locale.ROOT, "drain over with %d items missing and %d sends unanswered; waiting up to %.0f s"
          + " for late ones", missing, unanswered(), lateSeconds));
      phase("late");
      long from = System.nanoTime();
      settled(lateSeconds);
      say(String.format(Locale.ROOT, "late window over after %.1f s: %d items arrived late, %d still missing,"
              + " %d sends unanswered", (System.nanoTime() - from) / 1e9, late() - lateBefore,
          rooms.stream().mapToLong(TrackedRoom::missing).sum(), unanswered()));
    }
    rooms.forEach(TrackedRoom::lateWindowEnded);
    // one last acknowledgement round, so that what was received is the device's cursor
    members.forEach(Member::acknowledge);
  }

  /**
   * Waits until every send is answered and every receiver has every item of its rooms, at most
   * {@code seconds} and never past the deadline; answers whether that happened.
   */
  private boolean settled(double seconds) {
    long until = Math.min(deadlineNanos, System.nanoTime() + (long) (seconds * 1e9));
    while (true) {
      if (unanswered() <= 0 && rooms.stream().allMatch(TrackedRoom::complete)) {
        return true;
      }
      if (System.nanoTime() >= until) {
        return false;
      }
      sleep(100);
    }
  }

  private long unanswered() {
    return counters.sent.sum() - counters.acked.sum() - counters.refused.sum();
  }

  /** Items delivered after a drain ended, so far. */
  private long late() {
    return rooms.stream().mapToLong(TrackedRoom::late).sum();
  }

  void stopMeasurement() {
    if (measuredToNanos >= 0) {
      return;
    }
    measuredToNanos = nanos();
    if (ticker != null) {
      ticker.cancel(false);
      progressTicker.cancel(false);
    }
    latencies.closeWindow(windowStartSecond);
    processes.stop();
    if (serverMetrics != null) {
      try {
        serverComparison = serverMetrics.after(counters.acked.sum(), counters.received.sum());
      } catch (RuntimeException e) {
        errors.count("metrics.scrape", Errors.describe(e));
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Aborted("interrupted", e);
    }
  }

  // --- the result

  Result result(String scenario, String command) {
    stopMeasurement();
    long unanswered = unanswered();
    if (unanswered > 0) {
      errors.add(Errors.SEND + "unanswered", unanswered, unanswered + " sends had no answer within the drain time"
          + " and the late window");
    }
    long failed = counters.refused.sum() + counters.notSent.sum() + Math.max(0, unanswered);
    Result.Messages messages = new Result.Messages(counters.scheduled.sum(), counters.sent.sum(), counters.acked.sum(),
        failed, ratePerSecond);
    Result.Delivery delivery = delivery(rooms, errors.connectionErrors());

    List<String> failures = new ArrayList<>();
    // late items are delivered, neither lost nor repeated: visible in the figures, not a failure
    if (delivery.lost() > 0) {
      failures.add(delivery.lost() + " items lost (" + delivery.gaps() + " gaps)");
    }
    if (delivery.duplicates() > 0) {
      failures.add(delivery.duplicates() + " duplicates");
    }
    if (delivery.reorders() > 0) {
      failures.add(delivery.reorders() + " reordered");
    }
    if (counters.get(Counters.ANSWERED_AS_DUPLICATE) > 0) {
      failures.add(counters.get(Counters.ANSWERED_AS_DUPLICATE) + " sends answered as duplicates of another");
    }
    if (failed > 0 && !sendFailuresAreFindings) {
      failures.add(failed + " sends failed");
    }
    if (errors.connectionErrors() > 0) {
      failures.add(errors.connectionErrors() + " connection errors");
    }
    if (push != null && push.missing() > 0) {
      failures.add(push.missing() + " push requests missing");
    }
    failures.addAll(scenarioFailures);

    Runtime rt = Runtime.getRuntime();
    Result.Environment environment = new Result.Environment(rt.availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"), ProcessHandle.current().pid());
    double seconds = measuredFromNanos < 0 ? 0 : (measuredToNanos - measuredFromNanos) / 1e9;
    return new Result(scenario, startedAt.toString(), command, new java.util.TreeMap<>(options.all()), environment,
        Math.round(seconds * 10) / 10.0, messages, delivery, errors.byKind(), errors.samples(),
        distribution(latencies.ackTotal()), distribution(latencies.receiveTotal()), latencies.windows(),
        processes.usage(), serverComparison, counters.other(), idle, storm, knee, kneeLastGoodRate, push,
        failures.isEmpty(), failures);
  }

  /**
   * Every receiver's {@link Accounting} of every room, finished at the room's end, summed; the first 20 lost
   * items as samples.
   */
  static Result.Delivery delivery(List<TrackedRoom> rooms, long connectionErrors) {
    long expected = 0;
    long delivered = 0;
    long lost = 0;
    long late = 0;
    long gaps = 0;
    long duplicates = 0;
    long reorders = 0;
    long redelivered = 0;
    long receivers = 0;
    List<String> lostSamples = new ArrayList<>();
    for (TrackedRoom room : rooms) {
      long end = room.end();
      for (Member m : room.receivers) {
        Accounting a = m.accounting(room.roomId);
        a.finish(end);
        receivers++;
        expected += a.expected();
        delivered += a.delivered();
        lost += a.lost();
        late += a.late();
        gaps += a.gaps();
        duplicates += a.duplicates();
        reorders += a.reorders();
        redelivered += a.redelivered();
        if (lostSamples.size() < 20) {
          for (long seq : a.lostSeqs(20 - lostSamples.size())) {
            lostSamples.add(room.roomId + "#" + seq + "@" + m.user);
          }
        }
      }
    }
    return new Result.Delivery(receivers, rooms.size(), expected, delivered, lost, late, gaps, duplicates, reorders,
        redelivered, connectionErrors, lostSamples);
  }

  static Result.Distribution distribution(Histogram h) {
    List<Result.Point> points = new ArrayList<>();
    if (h.getTotalCount() > 0) {
      for (HistogramIterationValue v : h.percentiles(5)) {
        points.add(new Result.Point(v.getPercentileLevelIteratedTo(), Latencies.millis(v.getValueIteratedTo())));
      }
    }
    return new Result.Distribution(h.getTotalCount(), Math.round(h.getMean() / 10.0) / 100.0,
        Latencies.millis(h.getValueAtPercentile(50)), Latencies.millis(h.getValueAtPercentile(90)),
        Latencies.millis(h.getValueAtPercentile(99)), Latencies.millis(h.getValueAtPercentile(99.9)),
        Latencies.millis(h.getMaxValue()), points);
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.cancel(false);
      progressTicker.cancel(false);
    }
    fleet.close();
  }

  /** For scenarios that print figures of their own. */
  void say(String line) {
    progress.accept(line);
  }

  Map<String, Long> errorCounts() {
    return errors.byKind();
  }

  Duration elapsed() {
    return Duration.ofNanos(nanos());
  }
}
