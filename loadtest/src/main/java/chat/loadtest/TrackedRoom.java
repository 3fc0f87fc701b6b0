package chat.loadtest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A room whose timeline the run checks: its seq when the measured traffic began ({@code base}), the members
 * who receive it, members who never connect ({@code offline}, for the push audit), and the highest seq any
 * send was acknowledged with.
 */
final class TrackedRoom {

  final String roomId;
  final long base;
  final List<Member> receivers = new CopyOnWriteArrayList<>();
  final List<String> offline;
  private final AtomicLong highestAcked;

  TrackedRoom(String roomId, long base, List<String> offline) {
    this.roomId = roomId;
    this.base = base;
    this.offline = List.copyOf(offline);
    this.highestAcked = new AtomicLong(base);
  }

  void acked(long seq) {
    highestAcked.accumulateAndGet(seq, Math::max);
  }

  /** The room's last seq as far as the run knows: the highest acked or received. */
  long end() {
    long end = highestAcked.get();
    for (Member m : receivers) {
      Accounting a = m.accounting(roomId);
      if (a != null) {
        end = Math.max(end, a.highest());
      }
    }
    return end;
  }

  /** Whether every receiver has every seq up to {@link #end()}. */
  boolean complete() {
    long end = end();
    return receivers.stream().allMatch(m -> m.accounting(roomId).contiguous() >= end);
  }

  /** Seqs up to {@link #end()} that receivers have not received yet, over all of them. */
  long missing() {
    long end = end();
    return receivers.stream().mapToLong(m -> {
      Accounting a = m.accounting(roomId);
      return Math.max(0, end - a.base() - a.delivered());
    }).sum();
  }

  /** Items delivered after a drain ended, over all receivers. */
  long late() {
    return receivers.stream().mapToLong(m -> m.accounting(roomId).late()).sum();
  }

  /** See {@link Accounting#drainEnded}. */
  void drainEnded() {
    receivers.forEach(m -> m.accounting(roomId).drainEnded());
  }

  /** See {@link Accounting#lateWindowEnded}. */
  void lateWindowEnded() {
    long end = end();
    receivers.forEach(m -> m.accounting(roomId).lateWindowEnded(end));
  }
}
