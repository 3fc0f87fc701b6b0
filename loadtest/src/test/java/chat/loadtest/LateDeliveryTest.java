package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Items that arrive after the drain are late, apart from those that never arrive (lost). */
class LateDeliveryTest {

  private static void receive(Accounting a, long... seqs) {
    for (long seq : seqs) {
      a.receive(seq);
    }
  }

  @Test
  void whatArrivesAfterTheDrainIsLateAndWhatNeverArrivesIsLost() {
    Accounting a = new Accounting(0);
    // in time: a duplicate (2) and a reorder (3 after 4)
    receive(a, 1, 2, 2, 4, 3);
    assertEquals(0, a.late(), "nothing is late before the drain ends");
    a.drainEnded();
    // the late window: 5, 7 and 9 arrive, 7 twice; 6, 8 and 10 never do
    receive(a, 5, 7, 7, 9);
    a.lateWindowEnded(10);
    a.finish(10);
    assertEquals(10, a.expected());
    assertEquals(7, a.delivered());
    assertEquals(3, a.late());
    assertEquals(3, a.lost());
    assertEquals(3, a.gaps());
    assertEquals(List.of(6L, 8L, 10L), a.lostSeqs(10));
    assertEquals(2, a.duplicates(), "2 again in time, 7 again when late");
    assertEquals(1, a.reorders());
  }

  @Test
  void aRepeatOrARedeliveryAfterTheDrainIsNotLate() {
    Accounting a = new Accounting(0);
    receive(a, 1, 2, 3);
    a.drainEnded();
    a.receive(3); // already delivered in time: a duplicate, not a late item
    a.newConnection(1);
    a.receive(2); // received before, not acknowledged: redelivered, not late
    a.receive(3);
    a.lateWindowEnded(3);
    a.finish(3);
    assertEquals(0, a.late());
    assertEquals(1, a.duplicates());
    assertEquals(2, a.redelivered());
    assertEquals(0, a.lost());
  }

  @Test
  void aStragglerAfterTheLateWindowIsStillLateButTheNextStepsTrafficIsNot() {
    Accounting a = new Accounting(0);
    receive(a, 1, 2);
    a.drainEnded();
    a.lateWindowEnded(4); // 3 and 4 still missing
    // the knee's next step: 5 and 6 in time, then 3 from the step before, out of order
    receive(a, 5, 6, 3);
    assertEquals(1, a.late());
    assertEquals(1, a.reorders());
    a.drainEnded();
    a.receive(7);
    a.lateWindowEnded(8);
    a.finish(8);
    assertEquals(2, a.late(), "3 and 7");
    assertEquals(List.of(4L, 8L), a.lostSeqs(10));
  }

  @Test
  void theRunsDeliverySumsLateAndLostPerReceiverAndRoom() {
    TrackedRoom room = new TrackedRoom("r1", 10, List.of());
    Member alice = receiver(room, "alice");
    Member bob = receiver(room, "bob");
    room.acked(15); // 11..15 sent
    receive(alice.accounting("r1"), 11, 12, 13);
    receive(bob.accounting("r1"), 11, 12, 13, 14);
    assertEquals(2 + 1, room.missing());
    room.drainEnded();
    alice.accounting("r1").receive(14);
    bob.accounting("r1").receive(15);
    assertEquals(1, room.missing(), "alice's 15");
    assertEquals(2, room.late());
    room.lateWindowEnded();

    Result.Delivery d = Run.delivery(List.of(room), 0);
    assertEquals(2, d.receivers());
    assertEquals(10, d.expected());
    assertEquals(9, d.delivered());
    assertEquals(2, d.late());
    assertEquals(1, d.lost());
    assertEquals(1, d.gaps());
    assertEquals(List.of("r1#15@alice"), d.lostSamples());
  }

  private static Member receiver(TrackedRoom room, String user) {
    Member m = new Member(null, user, "d-" + user);
    m.track(room.roomId, room.base);
    room.receivers.add(m);
    return m;
  }
}
