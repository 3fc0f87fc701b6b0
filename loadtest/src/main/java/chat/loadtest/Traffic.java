package chat.loadtest;

import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.ServerFrame;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The open-loop sender. Message {@code k} of a phase is due at {@code start + k / rate} and goes to sender
 * {@code k mod n}, whatever happened to earlier messages: the schedule never waits for an ack or a
 * delivery, so a slow server cannot slow the offered load down (no coordinated omission). If the
 * generator falls behind, it sends what is due at once, and every latency counts from the due time.
 *
 * <p>One thread (the caller's) runs the schedule; sends are asynchronous writes. A message's due time
 * travels in its {@code clientMsgId} ({@code <tag>.<k>.<due µs>}), so receivers need no shared map.
 */
final class Traffic {

  /** Who sends into which room. */
  record Sender(Member member, TrackedRoom room) {}

  /** What one phase did: messages due by the schedule, and how many were written to a socket. */
  record Phase(long scheduled, long sent, double rate, double seconds) {}

  private final Run run;
  private final List<Sender> senders;
  private long nextSender;

  Traffic(Run run, List<Sender> senders) {
    if (senders.isEmpty()) {
      throw new IllegalArgumentException("no senders");
    }
    this.run = run;
    this.senders = List.copyOf(senders);
  }

  /**
   * Sends at {@code rate} per second (all senders together) for {@code seconds}, or until {@code cap}
   * messages were due in this phase; returns when the last one is due (acks may still be on their way).
   */
  Phase run(double rate, double seconds, long cap) {
    long start = run.nanos();
    long end = start + (long) (seconds * 1e9);
    double periodNanos = 1e9 / rate;
    long scheduled = 0;
    long sent = 0;
    while (scheduled < cap && !Thread.currentThread().isInterrupted()) {
      long due = start + (long) (scheduled * periodNanos);
      if (due >= end) {
        break;
      }
      long wait = due - run.nanos();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      scheduled++;
      run.counters().scheduled.increment();
      if (send(senders.get((int) (nextSender++ % senders.size())), due)) {
        sent++;
      }
    }
    return new Phase(scheduled, sent, rate, (run.nanos() - start) / 1e9);
  }

  private boolean send(Sender sender, long due) {
    LoadClient client = sender.member().client();
    if (client == null || !client.isOpen()) {
      run.counters().notSent.increment();
      run.errors().count(Errors.SEND + "not-connected", sender.member().user);
      return false;
    }
    String clientMsgId = run.tag() + "." + Long.toString(run.nextMessageNumber(), 36) + "." + (due / 1000);
    String roomId = sender.room().roomId;
    client.request(id -> new ClientFrame.Send(id, roomId, clientMsgId, "load " + clientMsgId))
        .whenComplete((answer, failure) -> {
          long now = run.nanos();
          if (answer instanceof ServerFrame.Ack ack && ack.result() instanceof AckResult.Sent sentResult) {
            run.counters().acked.increment();
            run.latencies().ack(due, now);
            sender.room().acked(sentResult.seq());
            if (sentResult.duplicate()) {
              // every clientMsgId is new: the node took this send for another one
              run.errors().count(Errors.SEND + "answered-as-duplicate", clientMsgId);
              run.counters().count(Counters.ANSWERED_AS_DUPLICATE);
            }
          } else {
            run.counters().refused.increment();
            if (answer instanceof ServerFrame.Error error) {
              run.errors().count(Errors.SEND + error.code(), sender.member().user + ": " + error.message());
            } else {
              run.errors().count(Errors.SEND + "no-answer", sender.member().user + ": "
                  + (failure == null ? String.valueOf(answer) : Errors.describe(failure)));
            }
          }
        });
    run.counters().sent.increment();
    return true;
  }

  /** The due time (run clock, ns) in a clientMsgId of this run, or -1 if it is not one. */
  static long scheduledNanos(String tag, String clientMsgId) {
    if (clientMsgId == null || !clientMsgId.startsWith(tag) || clientMsgId.length() <= tag.length()
        || clientMsgId.charAt(tag.length()) != '.') {
      return -1;
    }
    int dot = clientMsgId.lastIndexOf('.');
    try {
      return Long.parseLong(clientMsgId, dot + 1, clientMsgId.length(), 10) * 1000;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
