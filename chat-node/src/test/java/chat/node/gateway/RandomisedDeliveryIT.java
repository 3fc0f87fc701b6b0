package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Device;
import chat.node.testing.TestNode;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeded random connect / disconnect / send / acknowledge sequences for three users with two devices
 * each, in one group room. For every device: within a connection, seqs only increase; nothing it had
 * acknowledged is sent again; and over all its connections it receives every item from where it
 * started, with no hole.
 */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RandomisedDeliveryIT {

  private static final long SEED = 20261204L;
  private static final int STEPS = 120;
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** A device's life across connections. */
  private static final class Life {
    final String user;
    final String id;
    Device connection;
    /** How many of the current connection's items were already folded in. */
    int absorbed;
    long baseline = -1;
    long acked;
    final TreeSet<Long> received = new TreeSet<>();
    final List<String> violations = new ArrayList<>();

    Life(String user, String id) {
      this.user = user;
      this.id = id;
    }

    void connect(TestNode node) throws InterruptedException {
      connection = Device.connect(node, user, id);
      absorbed = 0;
      connection.awaitSynced(WAIT);
    }

    /** Folds what the current connection got into the device's record, checking the per-connection rules. */
    void absorb(String roomId) {
      List<Long> seqs = connection.seqs(roomId);
      if (baseline < 0) {
        baseline = connection.caughtUpAt(roomId);
      }
      for (int i = absorbed; i < seqs.size(); i++) {
        long seq = seqs.get(i);
        if (i > 0 && seq <= seqs.get(i - 1)) {
          violations.add(id + ": seq " + seq + " after " + seqs.get(i - 1) + " in one connection");
        }
        if (seq <= acked) {
          violations.add(id + ": acknowledged seq " + seq + " sent again");
        }
        received.add(seq);
      }
      absorbed = seqs.size();
    }

    void disconnect(String roomId) {
      absorb(roomId);
      connection.close();
      connection = null;
    }

    /** Acknowledges the contiguous prefix of what it has, as a careful client does. */
    void acknowledge(String roomId) {
      absorb(roomId);
      long upTo = Math.max(acked, baseline);
      while (received.contains(upTo + 1)) {
        upTo++;
      }
      if (upTo > acked && upTo > 0) {
        connection.acknowledge(roomId, upTo);
        acked = upTo;
      }
    }
  }

  @Test
  void everyDeviceGetsEverythingOnceInOrder(TestCassandra cassandra) throws Exception {
    Random random = new Random(SEED);
    try (TestNode node = TestNode.start(cassandra); ChatClient owner = node.login("rnd-owner")) {
      String roomId = owner.createRoom(null, "Random", List.of("rnd-0", "rnd-1", "rnd-2"), null)
          .orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      List<Life> devices = new ArrayList<>();
      for (int u = 0; u < 3; u++) {
        for (int d = 0; d < 2; d++) {
          devices.add(new Life("rnd-" + u, "rnd-" + u + "-dev-" + d));
        }
      }
      long lastSeq = 1;
      int sent = 0;
      for (int step = 0; step < STEPS; step++) {
        Life device = devices.get(random.nextInt(devices.size()));
        int roll = random.nextInt(100);
        if (device.connection == null) {
          if (roll < 60) {
            device.connect(node);
          }
        } else if (roll < 20) {
          device.disconnect(roomId);
        } else if (roll < 70) {
          lastSeq = device.connection.client().send(roomId, "m" + sent++, "step " + step)
              .orTimeout(20, TimeUnit.SECONDS).join().seq();
        } else {
          device.acknowledge(roomId);
        }
      }

      // everyone comes back and catches up to the end
      Map<String, Long> expectedEnd = new HashMap<>();
      for (Life device : devices) {
        if (device.connection == null) {
          device.connect(node);
        }
        device.connection.awaitSeq(roomId, lastSeq, WAIT);
        device.absorb(roomId);
        expectedEnd.put(device.id, lastSeq);
      }

      assertTrue(sent > 20, "the sequence must exercise sending (sent " + sent + ")");
      for (Life device : devices) {
        assertEquals(List.of(), device.violations);
        List<Long> expected = LongStream.rangeClosed(device.baseline + 1, lastSeq).boxed().toList();
        assertEquals(expected, List.copyOf(device.received), device.id + " starting after " + device.baseline);
        device.connection.close();
      }
    }
  }
}
