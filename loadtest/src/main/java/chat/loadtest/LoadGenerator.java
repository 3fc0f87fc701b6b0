package chat.loadtest;

import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a dev-mode node over the public protocol: {@code users} clients in one group room, each sending
 * at a fixed rate for a fixed time. Every member checks what it is pushed, so the report covers
 * send-to-receive latency (percentiles), loss, duplicates and reordering, not just throughput.
 *
 * <pre>java -jar loadtest/target/chat-loadtest.jar --url http://127.0.0.1:8080 --users 20 --rate 5 --seconds 30 --warmup 10</pre>
 *
 * <p>With {@code --offline 5 --kafka 127.0.0.1:9092}, five members never connect and the run ends by
 * checking that Kafka holds a push request for each of them for every message ({@link PushAudit}).
 */
public final class LoadGenerator {

  /**
   * {@code offline}: members of the room who never connect, so every message is a push request for each;
   * with {@code kafka} (bootstrap servers), the run ends by checking that the push request topic holds
   * one for every message and offline member ({@link PushAudit}).
   */
  private record Options(URI http, int users, double ratePerUser, int seconds, int warmupSeconds, int offline,
      String kafka, int pushTimeoutSeconds) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    Report report = run(o.http(), o.users(), o.ratePerUser(), Duration.ofSeconds(o.seconds()),
        Duration.ofSeconds(o.warmupSeconds()), o.offline());
    System.out.println(report.render());
    boolean ok = report.lost() == 0 && report.duplicates() == 0 && report.reordered() == 0;
    if (!o.kafka().isEmpty() && o.offline() > 0) {
      PushAudit.Result push = PushAudit.audit(o.kafka(), report.roomId(), report.offline(), 2, report.lastSeq(),
          Duration.ofSeconds(o.pushTimeoutSeconds()));
      System.out.println(push.render());
      ok &= push.missing() == 0;
    }
    System.exit(ok ? 0 : 1);
  }

  public static Report run(URI http, int users, double ratePerUser, Duration duration, Duration warmup)
      throws Exception {
    return run(http, users, ratePerUser, duration, warmup, 0);
  }

  /**
   * Messages sent during {@code warmup} (JIT, connection pools, Cassandra caches) count for loss,
   * duplicates and order, but not for latency.
   */
  public static Report run(URI http, int users, double ratePerUser, Duration duration, Duration warmup, int offline)
      throws Exception {
    URI ws = URI.create(http.toString().replaceFirst("^http", "ws") + "/v1/ws");
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<ChatClient> clients = new ArrayList<>();
    List<Member> members = new ArrayList<>();
    try {
      for (int i = 0; i < users; i++) {
        String user = "load-" + run + "-" + i;
        ChatClient client = ChatClient.connect(ws, Duration.ofSeconds(10));
        // with a device, as apps connect: the member acknowledges what it receives, so it is not pushed
        client.hello(ChatClient.devToken(http, user), "loadtest-" + user).get(10, TimeUnit.SECONDS);
        clients.add(client);
      }
      List<String> others = new ArrayList<>();
      for (int i = 1; i < users; i++) {
        others.add("load-" + run + "-" + i);
      }
      List<String> offlineMembers = new ArrayList<>();
      for (int i = 0; i < offline; i++) {
        offlineMembers.add("load-" + run + "-offline-" + i);
      }
      others.addAll(offlineMembers);
      String roomId = clients.get(0).createRoom(null, "load " + run, others, null).get(10, TimeUnit.SECONDS).room().roomId();

      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      for (ChatClient client : clients) {
        Member member = new Member(client, roomId, sentAt);
        members.add(member);
        member.start();
      }

      ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
      AtomicLong sent = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long periodMicros = (long) (1_000_000 / ratePerUser);
      long started = System.nanoTime();
      long measureFrom = started + warmup.toNanos();
      List<CompletableFuture<?>> acks = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        ChatClient client = clients.get(i);
        String prefix = "u" + i + "-";
        AtomicLong n = new AtomicLong();
        scheduler.scheduleAtFixedRate(() -> {
          String id = prefix + n.incrementAndGet();
          long now = System.nanoTime();
          if (now >= measureFrom) {
            sentAt.put(id, now);
          }
          sent.incrementAndGet();
          CompletableFuture<?> ack = client.send(roomId, id, "load " + id).exceptionally(e -> {
            failed.incrementAndGet();
            return null;
          });
          synchronized (acks) {
            acks.add(ack);
          }
        }, (long) (Math.random() * periodMicros), periodMicros, TimeUnit.MICROSECONDS);
      }
      Thread.sleep(warmup.toMillis() + duration.toMillis());
      scheduler.shutdownNow();
      synchronized (acks) {
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      }
      long expectedLastSeq = 1 + sent.get() - failed.get();
      for (Member member : members) {
        member.awaitSeq(expectedLastSeq, Duration.ofSeconds(30));
      }
      return Report.of(users, duration, sent.get(), failed.get(), expectedLastSeq, members, roomId, offlineMembers,
          started);
    } finally {
      members.forEach(Member::stop);
      clients.forEach(ChatClient::close);
    }
  }

  /**
   * One member's view: every item pushed for the room, checked for gaps, duplicates and order. Like an
   * app, it acknowledges what it received once a second.
   */
  static final class Member {
    private static final long ACK_EVERY_NANOS = 1_000_000_000L;
    private final ChatClient client;
    private final String roomId;
    private final Map<String, Long> sentAt;
    final List<Long> latenciesMicros = new ArrayList<>();
    /** When each measured message was sent (System.nanoTime), in the order of {@link #latenciesMicros}. */
    final List<Long> sentNanos = new ArrayList<>();
    final Map<Long, Integer> seen = new HashMap<>();
    long highest;
    long reordered;
    private volatile boolean running = true;
    private Thread thread;

    Member(ChatClient client, String roomId, Map<String, Long> sentAt) {
      this.client = client;
      this.roomId = roomId;
      this.sentAt = sentAt;
    }

    void start() {
      thread = new Thread(this::loop, "member");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      long lastAck = System.nanoTime();
      long acked = 0;
      while (running) {
        if (System.nanoTime() - lastAck >= ACK_EVERY_NANOS) {
          lastAck = System.nanoTime();
          long upTo;
          synchronized (this) {
            upTo = highest;
          }
          if (upTo > acked) {
            acked = upTo;
            client.received(Map.of(roomId, upTo));
          }
        }
        try {
          ServerFrame frame = client.nextPush(Duration.ofMillis(200));
          if (frame instanceof TimelineItem.Message m && m.roomId().equals(roomId)) {
            long now = System.nanoTime();
            synchronized (this) {
              Long at = sentAt.get(m.clientMsgId());
              if (at != null) {
                latenciesMicros.add((now - at) / 1000);
                sentNanos.add(at);
              }
              seen.merge(m.seq(), 1, Integer::sum);
              if (m.seq() < highest) {
                reordered++;
              }
              highest = Math.max(highest, m.seq());
              notifyAll();
            }
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    synchronized void awaitSeq(long seq, Duration timeout) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (highest < seq && System.currentTimeMillis() < deadline) {
        wait(200);
      }
    }

    void stop() {
      running = false;
    }
  }

  /**
   * The outcome of a run. Seqs 2..lastSeq are the messages (1 is the room's creation). {@code timeline}:
   * p50 and p99 per {@link #WINDOW_SECONDS} seconds of sending (index 0 is the run's first window).
   */
  public record Report(
      int users, Duration duration, long sent, long failed, long delivered, long lost, long duplicates,
      long reordered, long p50Micros, long p95Micros, long p99Micros, long maxMicros, String roomId,
      List<String> offline, long lastSeq, List<long[]> timeline) {

    static final int WINDOW_SECONDS = 5;

    static Report of(int users, Duration duration, long sent, long failed, long lastSeq, List<Member> members,
        String roomId, List<String> offline, long started) {
      java.util.TreeMap<Long, List<Long>> windows = new java.util.TreeMap<>();
      long delivered = 0;
      long lost = 0;
      long duplicates = 0;
      long reordered = 0;
      List<Long> all = new ArrayList<>();
      for (Member m : members) {
        synchronized (m) {
          for (long seq = 2; seq <= lastSeq; seq++) {
            int count = m.seen.getOrDefault(seq, 0);
            if (count == 0) {
              lost++;
            } else {
              delivered++;
              duplicates += count - 1;
            }
          }
          reordered += m.reordered;
          all.addAll(m.latenciesMicros);
          for (int i = 0; i < m.latenciesMicros.size(); i++) {
            long window = (m.sentNanos.get(i) - started) / 1_000_000_000L / WINDOW_SECONDS;
            windows.computeIfAbsent(window, w -> new ArrayList<>()).add(m.latenciesMicros.get(i));
          }
        }
      }
      long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
      List<long[]> timeline = new ArrayList<>();
      windows.forEach((window, latencies) -> {
        long[] w = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        timeline.add(new long[] {window * WINDOW_SECONDS, percentile(w, 50), percentile(w, 99), w.length});
      });
      return new Report(users, duration, sent, failed, delivered, lost, duplicates, reordered,
          percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1], roomId, List.copyOf(offline), lastSeq, timeline);
    }

    private static long percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    public long lost() {
      return lost;
    }

    String render() {
      StringBuilder out = new StringBuilder(String.format(
          "users=%d offline=%d duration=%ds sent=%d failed=%d deliveries=%d lost=%d duplicates=%d reordered=%d%n"
              + "send->receive latency: p50=%.1fms p95=%.1fms p99=%.1fms max=%.1fms",
          users, offline.size(), duration.toSeconds(), sent, failed, delivered, lost, duplicates, reordered,
          p50Micros / 1000.0, p95Micros / 1000.0, p99Micros / 1000.0, maxMicros / 1000.0));
      out.append(String.format("%nper %d s of sending (from the run's start): ", WINDOW_SECONDS));
      for (long[] w : timeline) {
        out.append(String.format("%n  %3ds  p50=%.1fms p99=%.1fms (%d)", w[0], w[1] / 1000.0, w[2] / 1000.0, w[3]));
      }
      return out.toString();
    }
  }

  private static Options parse(String[] args) {
    Map<String, String> o = new HashMap<>(Map.of("--url", "http://127.0.0.1:8080", "--users", "10",
        "--rate", "5", "--seconds", "20", "--warmup", "10", "--offline", "0", "--kafka", "", "--push-timeout", "120"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!o.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
      }
      o.put(args[i], args[i + 1]);
    }
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("options come in pairs: " + Arrays.toString(args));
    }
    return new Options(URI.create(o.get("--url")), Integer.parseInt(o.get("--users")),
        Double.parseDouble(o.get("--rate")), Integer.parseInt(o.get("--seconds")), Integer.parseInt(o.get("--warmup")),
        Integer.parseInt(o.get("--offline")), o.get("--kafka"), Integer.parseInt(o.get("--push-timeout")));
  }
}
