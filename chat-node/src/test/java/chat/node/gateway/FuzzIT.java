package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.HostileInputs;
import chat.node.testing.HostileInputs.Input;
import chat.node.testing.HostileInputs.Outcome;
import chat.node.testing.RawWebSocket;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ErrorCode;
import chat.protocol.FrameCodec;
import chat.protocol.Limits;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.Visibility;
import chat.protocol.client.ChatClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A seeded, bounded fuzz run over real WebSockets: {@value #ATTACKERS} hostile connections (half of them
 * never authenticated) send {@code chat.fuzz.inputs} (default 10,000) malformed inputs from
 * {@link HostileInputs}, in lockstep, while three honest users keep chatting in a private group and a DM.
 *
 * <p>Every input must get the outcome it calls for: exactly one ack or error frame, or the close it
 * deserves; every error and closing code the server uses must be one {@code PROTOCOL.md} documents. At the
 * end the node still serves, its heap has not grown beyond a bound, no hostile connection is left behind,
 * and the honest users received every message they were acknowledged, once and in order.
 *
 * <p>Rate limits and the abuse threshold are lifted for the run, so that every input reaches the server's
 * parsing and authorisation; {@code AbuseIT} tests those limits.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FuzzIT {

  private static final long SEED = Long.getLong("chat.fuzz.seed", 20261204L);
  private static final int INPUTS = Integer.getInteger("chat.fuzz.inputs", 10_000);
  private static final int ATTACKERS = 4;
  /** Bytes the node's heap may grow by over the run, after garbage collection. */
  private static final long HEAP_GROWTH_BOUND = 64L << 20;
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<String> HONEST = List.of("fuzz-alice", "fuzz-bob", "fuzz-carol");
  private static final int HONEST_MESSAGES_AT_LEAST = 40;

  private static TestNode node;
  private static FrameCodec codec;
  private static Set<String> documentedCodes;

  @BeforeAll
  static void startNode(TestCassandra cassandra) throws IOException {
    node = TestNode.start(cassandra, Map.of(
        "chat.gateway.auth-timeout", "120s",
        "chat.gateway.rate-limits.abuse-threshold", 1_000_000));
    codec = new FrameCodec(node.limits());
    documentedCodes = documentedCodes();
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  /** The codes PROTOCOL.md documents: error and closing codes, and WebSocket close statuses. */
  private static Set<String> documentedCodes() throws IOException {
    String protocol = Files.readString(Path.of("..", "protocol", "PROTOCOL.md"));
    Set<String> codes = new HashSet<>();
    // `code` anywhere, and the first column of the WebSocket status table
    Matcher code = Pattern.compile("`([a-z_]+)`|^\\| (\\d{4}) \\|", Pattern.MULTILINE).matcher(protocol);
    while (code.find()) {
      codes.add(code.group(1) != null ? code.group(1) : code.group(2));
    }
    return codes;
  }

  /** What one attacker saw, for the assertions and the summary. */
  private static final class Tally {
    final Map<String, Long> outcomes = new TreeMap<>();
    final List<String> violations = new ArrayList<>();
    long inputs;
    long reconnects;

    void count(String what) {
      outcomes.merge(what, 1L, Long::sum);
    }

    void violation(Input input, String what) {
      if (violations.size() < 20) {
        violations.add(input.kind() + " (" + input.outcome() + ", " + input.bytes() + " bytes): " + what);
      }
    }
  }

  @Test
  void malformedInputGetsItsDocumentedAnswerAndHonestClientsLoseNothing() throws Exception {
    Limits limits = node.limits();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    try (ChatClient alice = node.login(HONEST.get(0)); ChatClient bob = node.login(HONEST.get(1));
        ChatClient carol = node.login(HONEST.get(2))) {
      String group = Await.result(alice.createRoom(null, "honest", HONEST.subList(1, 3), Visibility.PRIVATE)).room().roomId();
      String dm = Await.result(alice.openDm(HONEST.get(1))).room().roomId();
      int baselineConnections = node.openConnections();
      long heapBefore = heapAfterGc(memory);

      // the honest users chat until the attackers are done
      AtomicBoolean attacking = new AtomicBoolean(true);
      Map<String, List<AckResult.Sent>> sent = new ConcurrentHashMap<>();
      ExecutorService threads = Executors.newFixedThreadPool(ATTACKERS + HONEST.size());
      List<Future<?>> honest = new ArrayList<>();
      Map<String, ChatClient> clients = Map.of(HONEST.get(0), alice, HONEST.get(1), bob, HONEST.get(2), carol);
      for (String user : HONEST) {
        honest.add(threads.submit(() -> {
          chat(clients.get(user), user, user.equals(HONEST.get(2)) ? List.of(group) : List.of(group, dm), attacking, sent);
          return null;
        }));
      }

      List<String> templates = HostileInputs.templates(List.of(group, dm, "no-such-room", "d:" + HONEST.get(0) + ":x"),
          List.of(HONEST.get(0), "mallory-0", "mallory-2"), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.");
      List<Future<Tally>> attackers = new ArrayList<>();
      for (int a = 0; a < ATTACKERS; a++) {
        String user = a % 2 == 0 ? "mallory-" + a : null;
        HostileInputs inputs = new HostileInputs(SEED + a, templates, limits.maxFrameBytes(), node.settings().gateway().dropFrameBytes());
        int count = INPUTS / ATTACKERS + (a < INPUTS % ATTACKERS ? 1 : 0);
        attackers.add(threads.submit(() -> attack(user, inputs, count)));
      }

      List<Tally> tallies = new ArrayList<>();
      for (Future<Tally> attacker : attackers) {
        tallies.add(attacker.get(240, TimeUnit.SECONDS));
      }
      attacking.set(false);
      for (Future<?> h : honest) {
        h.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();

      Tally total = new Tally();
      for (Tally t : tallies) {
        t.outcomes.forEach((k, v) -> total.outcomes.merge(k, v, Long::sum));
        total.violations.addAll(t.violations);
        total.inputs += t.inputs;
        total.reconnects += t.reconnects;
      }
      System.out.printf("fuzz seed %d: %d inputs over %d connections; outcomes %s%n", SEED, total.inputs,
          total.reconnects + ATTACKERS, total.outcomes);
      assertEquals(List.of(), total.violations, "inputs without their documented outcome (seed " + SEED + ")");
      assertEquals(INPUTS, total.inputs);

      // the node still serves, forgot every hostile connection, and its heap is bounded
      assertEquals(200, status(node.httpUri().resolve("/ready").toString()));
      awaitConnections(baselineConnections);
      long heapAfter = heapAfterGc(memory);
      System.out.printf("heap after GC: %d MiB before the run, %d MiB after%n", heapBefore >> 20, heapAfter >> 20);
      assertTrue(heapAfter - heapBefore < HEAP_GROWTH_BOUND,
          "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB over the run");

      // the honest users lost nothing: every acknowledged message reached every member once, in order
      assertHonestTimelines(alice, List.of(group, dm), sent);
      assertHonestTimelines(bob, List.of(group, dm), sent);
      assertHonestTimelines(carol, List.of(group), sent);
      // and no hostile request changed their room
      AckResult.Room room = Await.result(alice.getRoom(group));
      assertEquals("honest", room.room().name());
      assertEquals(Set.copyOf(HONEST), Set.copyOf(room.room().members()));
    }
  }

  // ---------------------------------------------------------------- the honest side

  private static void chat(ChatClient client, String user, List<String> rooms, AtomicBoolean attacking,
      Map<String, List<AckResult.Sent>> sent) throws InterruptedException {
    for (int i = 0; attacking.get() || i < HONEST_MESSAGES_AT_LEAST; i++) {
      String roomId = rooms.get(i % rooms.size());
      AckResult.Sent ack = Await.result(client.send(roomId, user + "-" + i, "message " + i + " from " + user));
      assertFalse(ack.duplicate(), "a first send was taken for a retry");
      sent.computeIfAbsent(roomId + "/" + user, k -> new CopyOnWriteArrayList<>()).add(ack);
      Thread.sleep(100);
    }
  }

  /** What {@code member} was pushed in its rooms, until each room's last acknowledged message. */
  private static void assertHonestTimelines(ChatClient member, List<String> rooms,
      Map<String, List<AckResult.Sent>> sent) throws InterruptedException {
    Map<String, List<Long>> acked = new HashMap<>();
    for (String roomId : rooms) {
      acked.put(roomId, sent.entrySet().stream().filter(e -> e.getKey().startsWith(roomId + "/"))
          .flatMap(e -> e.getValue().stream()).map(AckResult.Sent::seq).sorted().toList());
    }
    Map<String, List<Long>> pushed = new HashMap<>();
    rooms.forEach(r -> pushed.put(r, new ArrayList<>()));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (rooms.stream().anyMatch(r -> !pushed.get(r).contains(acked.get(r).get(acked.get(r).size() - 1)))) {
      assertTrue(System.nanoTime() < deadline, "not everything was pushed within " + WAIT + ": " + pushed);
      ServerFrame frame = member.nextPush(Duration.ofNanos(deadline - System.nanoTime()));
      if (frame instanceof TimelineItem.Message m && pushed.containsKey(m.roomId())) {
        pushed.get(m.roomId()).add(m.seq());
      }
    }
    for (String roomId : rooms) {
      List<Long> seqs = pushed.get(roomId);
      List<Long> sorted = new ArrayList<>(seqs);
      Collections.sort(sorted);
      assertEquals(sorted, seqs, "pushed out of order in " + roomId);
      assertEquals(Set.copyOf(seqs).size(), seqs.size(), "pushed twice in " + roomId);
      assertTrue(seqs.containsAll(acked.get(roomId)), "acknowledged messages missing in " + roomId + ": "
          + acked.get(roomId).stream().filter(seq -> !seqs.contains(seq)).toList());
    }
  }

  // ---------------------------------------------------------------- the hostile side

  private static Tally attack(String user, HostileInputs inputs, int count) throws IOException {
    Tally tally = new Tally();
    RawWebSocket ws = open(user);
    for (int i = 0; i < count; i++) {
      Input input = inputs.next(true);
      tally.inputs++;
      boolean sentAll = send(ws, input);
      String seen = outcome(ws, input, tally);
      tally.count(input.outcome() + " → " + seen);
      if (!sentAll && input.outcome() == Outcome.ANSWER) {
        tally.violation(input, "the server closed the connection while the input was being sent");
      }
      if (seen.startsWith("close")) {
        ws.close();
        tally.reconnects++;
        ws = open(user);
      }
    }
    ws.close();
    return tally;
  }

  private static RawWebSocket open(String user) throws IOException {
    RawWebSocket ws = RawWebSocket.connect(node.webSocketUri(), 64 * 1024);
    if (user != null) {
      ws.sendText(codec.encode(new ClientFrame.Hello("hello", Protocol.VERSION, node.token(user), null)));
      ServerFrame welcome = ws.nextAnswer(codec);
      assertInstanceOf(ServerFrame.Ack.class, welcome, "the attacker could not log in: " + welcome);
    }
    return ws;
  }

  /** False if the server closed the socket before all frames were written (only fine for closing inputs). */
  private static boolean send(RawWebSocket ws, Input input) {
    try {
      for (HostileInputs.Frame f : input.frames()) {
        ws.sendFrame(f.fin(), f.rsv(), f.opcode(), f.payload(), f.masked());
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads what the input caused and checks it against what it calls for; returns a short description:
   * {@code ack}, {@code error <code>} or {@code close <status>[ after <closing code>]}.
   */
  private static String outcome(RawWebSocket ws, Input input, Tally tally) {
    String closing = null;
    while (true) {
      RawWebSocket.Frame frame;
      try {
        frame = ws.read();
      } catch (IOException e) {
        tally.violation(input, "the connection ended without a close frame: " + e);
        return "close (none)";
      }
      if (frame.opcode() == RawWebSocket.CLOSE) {
        int status = frame.closeStatus();
        String seen = "close " + status + (closing == null ? "" : " after " + closing);
        if (!documentedCodes.contains(String.valueOf(status))) {
          tally.violation(input, "close status " + status + " is not documented");
        }
        Outcome expected = input.outcome();
        boolean right = switch (expected) {
          case CLOSE_FAR_TOO_LARGE -> status == 1000 && ErrorCode.FRAME_FAR_TOO_LARGE.wireName().equals(closing);
          case CLOSE_PROTOCOL_ERROR -> status == 1002;
          case CLOSE_INVALID_UTF8 -> status == 1007;
          default -> false;
        };
        if (!right) {
          tally.violation(input, "expected " + expected + ", got " + seen);
        }
        return seen;
      }
      if (frame.opcode() != RawWebSocket.TEXT) {
        tally.violation(input, "unexpected opcode " + frame.opcode());
        continue;
      }
      ServerFrame server;
      try {
        server = codec.decodeServerFrame(frame.text());
      } catch (IllegalArgumentException e) {
        tally.violation(input, "the server sent something that is not a server frame: " + frame.text());
        continue;
      }
      if (server instanceof ServerFrame.Closing c) {
        closing = c.code().wireName();
        if (!documentedCodes.contains(closing)) {
          tally.violation(input, "closing code " + closing + " is not documented");
        }
        continue;
      }
      if (server instanceof ServerFrame.Error error) {
        String code = error.code().wireName();
        if (!documentedCodes.contains(code)) {
          tally.violation(input, "error code " + code + " is not documented");
        }
        Outcome expected = input.outcome();
        boolean right = switch (expected) {
          case ANSWER -> true;
          case FRAME_TOO_LARGE -> error.code() == ErrorCode.FRAME_TOO_LARGE;
          case BINARY_NOT_SUPPORTED -> error.code() == ErrorCode.BINARY_NOT_SUPPORTED;
          default -> false;
        };
        if (!right) {
          tally.violation(input, "expected " + expected + ", got error " + code + ": " + error.message());
        }
        return "error " + code;
      }
      if (server instanceof ServerFrame.Ack) {
        if (input.outcome() != Outcome.ANSWER) {
          tally.violation(input, "expected " + input.outcome() + ", got an ack: " + frame.text());
        }
        return "ack";
      }
      // a push (e.g. a room the attacker created): not an answer
    }
  }


  // ---------------------------------------------------------------- helpers

  private static long heapAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static void awaitConnections(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (node.openConnections() != expected) {
      assertTrue(System.nanoTime() < deadline, node.openConnections() + " connections open, expected " + expected);
      Thread.sleep(50);
    }
  }

  private static int status(String url) throws IOException {
    HttpURLConnection http = (HttpURLConnection) URI.create(url).toURL().openConnection();
    try {
      return http.getResponseCode();
    } finally {
      http.disconnect();
    }
  }

}
