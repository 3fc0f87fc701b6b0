package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccountingTest {

  private static Accounting stream(long base, long... seqs) {
    Accounting a = new Accounting(base);
    for (long seq : seqs) {
      a.receive(seq);
    }
    return a;
  }

  @Test
  void aDuplicateAReorderAndAGapAreEachCountedOnce() {
    Accounting a = stream(0, 1, 2, 2, 4, 3, 6);
    a.finish(6);
    assertEquals(6, a.expected());
    assertEquals(5, a.delivered());
    assertEquals(1, a.duplicates());
    assertEquals(1, a.reorders());
    assertEquals(1, a.lost());
    assertEquals(1, a.gaps());
    assertEquals(List.of(5L), a.lostSeqs(10));
    assertEquals(0, a.redelivered());
  }

  @Test
  void aCleanStreamHasNothingToReport() {
    Accounting a = stream(1, 2, 3, 4, 5);
    a.finish(5);
    assertEquals(4, a.expected());
    assertEquals(4, a.delivered());
    assertEquals(0, a.duplicates() + a.reorders() + a.lost() + a.gaps());
    assertEquals(5, a.contiguous());
  }

  @Test
  void everyExtraReceiptIsADuplicate() {
    Accounting a = stream(0, 1, 1, 1, 2);
    a.finish(2);
    assertEquals(2, a.duplicates());
    assertEquals(0, a.reorders());
  }

  @Test
  void itemsAtOrBelowTheBaseAreIgnored() {
    Accounting a = stream(3, 1, 2, 3, 4, 3);
    a.finish(4);
    assertEquals(1, a.expected());
    assertEquals(1, a.delivered());
    assertEquals(0, a.duplicates());
  }

  @Test
  void lossAtTheEndAndSeparateHolesAreGapsOfTheirOwn() {
    // expected 1..10; missing 2, 3 (one gap), 6 (another), 9..10 (a third)
    Accounting a = stream(0, 1, 4, 5, 7, 8);
    a.finish(10);
    assertEquals(5, a.lost());
    assertEquals(3, a.gaps());
    assertEquals(1, a.contiguous());
    assertEquals(List.of(2L, 3L, 6L, 9L, 10L), a.lostSeqs(10));
  }

  @Test
  void theEndIsNeverBelowWhatWasReceived() {
    Accounting a = stream(0, 1, 2, 3);
    a.finish(2);
    assertEquals(3, a.expected());
    assertEquals(0, a.lost());
  }

  @Test
  void afterAReconnectWhatWasNotAcknowledgedMayComeAgain() {
    Accounting a = stream(0, 1, 2, 3, 4);
    a.newConnection(2);
    // the replay starts after the acknowledged cursor: 3 and 4 again, then 5
    a.receive(3);
    a.receive(4);
    a.receive(5);
    a.finish(5);
    assertEquals(2, a.redelivered());
    assertEquals(0, a.duplicates());
    assertEquals(0, a.reorders());
    assertEquals(5, a.delivered());
  }

  @Test
  void afterAReconnectWhatWasAcknowledgedMustNotComeAgain() {
    Accounting a = stream(0, 1, 2, 3);
    a.newConnection(2);
    a.receive(2);
    a.receive(3);
    a.receive(3);
    a.finish(3);
    // 2 was acknowledged: a duplicate; 3 once more on the new connection: redelivered; the third 3: duplicate
    assertEquals(2, a.duplicates());
    assertEquals(1, a.redelivered());
  }

  @Test
  void orderIsCheckedPerConnection() {
    Accounting a = stream(0, 1, 2, 5);
    a.newConnection(2);
    a.receive(3);
    a.receive(4);
    a.finish(5);
    // 3 and 4 came after 5, but on a new connection, in order there
    assertEquals(0, a.reorders());
    assertEquals(0, a.lost());
  }

  @Test
  void aRedeliveryAfterAHigherSeqOnTheSameConnectionIsAReorder() {
    Accounting a = stream(0, 1, 2, 3);
    a.newConnection(1);
    // the new connection sends 4, then replays 3 (received before, not acknowledged): out of order
    a.receive(2);
    a.receive(4);
    a.receive(3);
    a.finish(4);
    assertEquals(2, a.redelivered());
    assertEquals(1, a.reorders());
    assertEquals(0, a.duplicates());
  }

  @Test
  void countsNeedTheEnd() {
    assertThrows(IllegalStateException.class, () -> stream(0, 1).lost());
  }
}
