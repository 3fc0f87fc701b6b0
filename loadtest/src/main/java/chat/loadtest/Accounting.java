package chat.loadtest;

import java.util.BitSet;

/**
 * What one receiver (a member's device) got of one room's timeline, checked against what it should have
 * got. Seqs are the room's gap-free timeline positions; {@code base} is the room's last seq before the
 * measured traffic, and every seq after it is expected, up to the room's end given to {@link #finish}.
 *
 * <p>Every receipt of an expected seq is exactly one of:
 * <ul>
 *   <li><b>first</b>: the seq was never received before. It is a <b>reorder</b> as well if a higher seq
 *       was already received on the same connection (it arrived after a later item).</li>
 *   <li><b>duplicate</b>: the seq was already received on this connection, or on an earlier connection up
 *       to the cursor the device acknowledged there (the resume must not replay what was acknowledged).
 *       Counted once per extra receipt: 2, 2, 2 is two duplicates.</li>
 *   <li><b>redelivered</b>: received on an earlier connection but above the cursor acknowledged there, and
 *       now again on a later connection. The protocol replays from the acknowledged cursor, so this is
 *       expected after a reconnect and not an error.</li>
 * </ul>
 * Receipts of seqs at or below {@code base} (the room's setup) are ignored. After {@link #finish}, every
 * expected seq never received is <b>lost</b>, and each maximal run of lost seqs is one <b>gap</b>; so
 * with base 0 and end 6, the stream 1, 2, 2, 4, 3, 6 has 5 delivered, 1 duplicate, 1 reorder, 1 lost in 1 gap.
 *
 * <p>A first receipt is also <b>late</b> if the seq was still missing when the drain ended
 * ({@link #drainEnded}) and arrived after it, in the late window or later: delivered, but not in time. A
 * late seq is neither lost nor an error; {@code delivered} includes it. Once the late window is over,
 * {@link #lateWindowEnded} bounds lateness to the seqs sent by then, so that a later drain's traffic (the
 * knee's next step) is on time again while this drain's stragglers stay late.
 *
 * <p>Thread-safe (one writer at a time in practice: a connection's listener; read at the end).
 */
final class Accounting {

  private final long base;
  /** Bit {@code seq - base - 1}: received on any connection. */
  private final BitSet seen = new BitSet();
  /** The same, for the current connection only. */
  private BitSet current = new BitSet();
  /** Highest seq received on the current connection (base if none). */
  private long highestOnConnection;
  private long highest;
  /** Seqs at or below this were acknowledged on an earlier connection. */
  private long acknowledgedBefore;
  private long delivered;
  private long duplicates;
  private long reorders;
  private long redelivered;
  private long late;
  /**
   * A first receipt of a seq up to this is late: base (nothing) until a drain ends, unbounded from then
   * until its late window is over, then the room's end at that time.
   */
  private long lateUpTo;
  private long end = -1;

  Accounting(long base) {
    this.base = base;
    this.highestOnConnection = base;
    this.highest = base;
    this.acknowledgedBefore = base;
    this.lateUpTo = base;
  }

  /** One receipt of {@code seq}; answers whether it was the seq's first receipt. */
  synchronized boolean receive(long seq) {
    if (seq <= base) {
      return false;
    }
    int bit = Math.toIntExact(seq - base - 1);
    boolean first = !seen.get(bit);
    boolean onThisConnection = current.get(bit);
    if (!first && (onThisConnection || seq <= acknowledgedBefore)) {
      duplicates++;
    } else {
      // a first receipt or a redelivery after a reconnect: either must come in order on its connection
      if (seq < highestOnConnection) {
        reorders++;
      }
      if (first) {
        delivered++;
        if (seq <= lateUpTo) {
          late++;
        }
        seen.set(bit);
      } else {
        redelivered++;
      }
    }
    current.set(bit);
    highestOnConnection = Math.max(highestOnConnection, seq);
    highest = Math.max(highest, seq);
    return first;
  }

  /**
   * The receiver reconnected after acknowledging everything up to {@code acknowledged} on its earlier
   * connections: order is checked afresh, and what was received but not acknowledged may come again.
   */
  synchronized void newConnection(long acknowledged) {
    current = new BitSet();
    highestOnConnection = base;
    acknowledgedBefore = Math.max(acknowledgedBefore, acknowledged);
  }

  /** The highest seq up to which every seq was received (base if none): what the device may acknowledge. */
  synchronized long contiguous() {
    return base + seen.nextClearBit(0);
  }

  synchronized long highest() {
    return highest;
  }

  long base() {
    return base;
  }

  /** The drain ended: whatever arrives from now on was missing then, and is late. */
  synchronized void drainEnded() {
    lateUpTo = Long.MAX_VALUE;
  }

  /**
   * The late window after the drain is over and the room's timeline ends at {@code end}: seqs up to it that
   * are still missing stay late if they come at all; higher ones belong to traffic sent after the window.
   */
  synchronized void lateWindowEnded(long end) {
    lateUpTo = Math.min(lateUpTo, end);
  }

  /** The room's timeline ends at {@code end}: every seq in (base, end] was expected. */
  synchronized void finish(long end) {
    this.end = Math.max(end, highest);
  }

  synchronized long expected() {
    requireFinished();
    return end - base;
  }

  synchronized long delivered() {
    return delivered;
  }

  synchronized long duplicates() {
    return duplicates;
  }

  synchronized long reorders() {
    return reorders;
  }

  synchronized long redelivered() {
    return redelivered;
  }

  /** Delivered after the drain ended (see the class comment); part of {@link #delivered}. */
  synchronized long late() {
    return late;
  }

  synchronized long lost() {
    return expected() - delivered;
  }

  /** Maximal runs of lost seqs. */
  synchronized long gaps() {
    requireFinished();
    long gaps = 0;
    int size = Math.toIntExact(end - base);
    int from = seen.nextClearBit(0);
    while (from < size) {
      gaps++;
      int to = seen.nextSetBit(from);
      if (to < 0 || to >= size) {
        break;
      }
      from = seen.nextClearBit(to);
    }
    return gaps;
  }

  /** The first lost seqs (at most {@code limit}), for the report. */
  synchronized java.util.List<Long> lostSeqs(int limit) {
    requireFinished();
    java.util.List<Long> lost = new java.util.ArrayList<>();
    int size = Math.toIntExact(end - base);
    for (int bit = seen.nextClearBit(0); bit < size && lost.size() < limit; bit = seen.nextClearBit(bit + 1)) {
      lost.add(base + 1 + bit);
    }
    return lost;
  }

  private void requireFinished() {
    if (end < 0) {
      throw new IllegalStateException("finish(end) first");
    }
  }
}
