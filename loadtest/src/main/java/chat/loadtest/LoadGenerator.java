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
 */
public final class LoadGenerator {

  private record Options(URI http, int users, double ratePerUser, int seconds, int warmupSeconds) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    Report report = run(o.http(), o.users(), o.ratePerUser(), Duration.ofSeconds(o.seconds()),
        Duration.ofSeconds(o.warmupSeconds()));
    System.out.println(report.render());
    System.exit(report.lost() == 0 && report.duplicates() == 0 && report.reordered() == 0 ? 0 : 1);
  }

  /**
   * Messages sent during {@code warmup} (JIT, connection pools, Cassandra caches) count for loss,
   * duplicates and order, but not for latency.
   */
  public static Report run(URI http, int users, double ratePerUser, Duration duration, Duration warmup)
      throws Exception {
    URI ws = URI.create(http.toString().replaceFirst("^http", "ws") + "/v1/ws");
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<ChatClient> clients = new ArrayList<>();
    List<Member> members = new ArrayList<>();
    try {
      for (int i = 0; i < users; i++) {
        String user = "load-" + run + "-" + i;
        ChatClient client = ChatClient.connect(ws, Duration.ofSeconds(10));
        client.hello(ChatClient.devToken(http, user)).get(10, TimeUnit.SECONDS);
        clients.add(client);
      }
      List<String> others = new ArrayList<>();
      for (int i = 1; i < users; i++) {
        others.add("load-" + run + "-" + i);
      }
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
      long measureFrom = System.nanoTime() + warmup.toNanos();
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
      return Report.of(users, duration, sent.get(), failed.get(), expectedLastSeq, members);
    } finally {
      members.forEach(Member::stop);
      clients.forEach(ChatClient::close);
    }
  }

  /** One member's view: every item pushed for the room, checked for gaps, duplicates and order. */
  static final class Member {
    private final ChatClient client;
    private final String roomId;
    private final Map<String, Long> sentAt;
    final List<Long> latenciesMicros = new ArrayList<>();
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
      while (running) {
        try {
          ServerFrame frame = client.nextPush(Duration.ofMillis(200));
          if (frame instanceof TimelineItem.Message m && m.roomId().equals(roomId)) {
            long now = System.nanoTime();
            synchronized (this) {
              Long at = sentAt.get(m.clientMsgId());
              if (at != null) {
                latenciesMicros.add((now - at) / 1000);
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

  /** The outcome of a run. Seqs 2..lastSeq are the messages (1 is the room's creation). */
  public record Report(
      int users, Duration duration, long sent, long failed, long delivered, long lost, long duplicates,
      long reordered, long p50Micros, long p95Micros, long p99Micros, long maxMicros) {

    static Report of(int users, Duration duration, long sent, long failed, long lastSeq, List<Member> members) {
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
        }
      }
      long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Report(users, duration, sent, failed, delivered, lost, duplicates, reordered,
          percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
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
      return String.format(
          "users=%d duration=%ds sent=%d failed=%d deliveries=%d lost=%d duplicates=%d reordered=%d%n"
              + "send->receive latency: p50=%.1fms p95=%.1fms p99=%.1fms max=%.1fms",
          users, duration.toSeconds(), sent, failed, delivered, lost, duplicates, reordered,
          p50Micros / 1000.0, p95Micros / 1000.0, p99Micros / 1000.0, maxMicros / 1000.0);
    }
  }

  private static Options parse(String[] args) {
    Map<String, String> o = new HashMap<>(Map.of("--url", "http://127.0.0.1:8080", "--users", "10",
        "--rate", "5", "--seconds", "20", "--warmup", "10"));
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
        Double.parseDouble(o.get("--rate")), Integer.parseInt(o.get("--seconds")), Integer.parseInt(o.get("--warmup")));
  }
}
