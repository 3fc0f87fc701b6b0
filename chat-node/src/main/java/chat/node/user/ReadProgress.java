package chat.node.user;

import java.util.Optional;

/**
 * A user's read marker and unread count in one room: {@code unread} is the number of messages from
 * others with seq in ({@code readSeq}, {@code countedUpTo}].
 *
 * <p>Counting is incremental while the session sees the room's items in order. When it cannot be (an
 * item was missed, or the marker moved back into counted territory), a recount of the range from the
 * journal is requested; its result only applies if nothing moved meanwhile, and messages counted while
 * it ran are added on top. Pure and not thread-safe: the session owns one per room.
 */
final class ReadProgress {

  enum Outcome {
    /** Nothing a device needs to hear about. */
    NOTHING,
    /** The count changed by a message the devices see anyway. */
    COUNTED,
    /** The read marker moved or the count was corrected: tell the devices. */
    CHANGED
  }

  /** Count messages from others with seq in ({@code afterSeq}, {@code upToSeq}], then report {@code version}. */
  record Recount(long version, long afterSeq, long upToSeq) {}

  private long readSeq;
  private long countedUpTo;
  private long unread;
  private long version;
  private Recount requested;
  private boolean inFlight;
  private long countedDuringRecount;

  private ReadProgress(long readSeq, long countedUpTo, long unread) {
    this.readSeq = readSeq;
    this.countedUpTo = countedUpTo;
    this.unread = unread;
  }

  static ReadProgress from(UserSession.ReadState state) {
    return new ReadProgress(state.readSeq(), state.countedUpTo(), state.unread());
  }

  /** A room the user joined at {@code joinSeq}: that item and what came before it are not unread. */
  static ReadProgress joinedAt(long joinSeq) {
    return new ReadProgress(joinSeq, joinSeq, 0);
  }

  UserSession.ReadState state() {
    return new UserSession.ReadState(readSeq, countedUpTo, unread);
  }

  long readSeq() {
    return readSeq;
  }

  /** The highest seq of the room this progress has taken into account. */
  long countedUpTo() {
    return countedUpTo;
  }

  long unread() {
    return unread;
  }

  /** The room's item {@code seq}; {@code fromOther}: a message by someone else; {@code own}: one by the user. */
  Outcome item(long seq, boolean fromOther, boolean own) {
    if (seq <= countedUpTo) {
      return Outcome.NOTHING;
    }
    if (own) {
      // writing in a room reads it
      countedUpTo = seq;
      readSeq = Math.max(readSeq, seq);
      unread = 0;
      cancelRecount();
      return Outcome.CHANGED;
    }
    boolean missedSome = seq > countedUpTo + 1;
    countedUpTo = seq;
    if (missedSome) {
      requestRecount();
      return Outcome.NOTHING;
    }
    if (fromOther && seq > readSeq) {
      unread++;
      if (requested != null || inFlight) {
        countedDuringRecount++;
      }
      return Outcome.COUNTED;
    }
    return Outcome.NOTHING;
  }

  Outcome markRead(long seq) {
    if (seq <= readSeq) {
      return Outcome.NOTHING;
    }
    readSeq = seq;
    if (seq >= countedUpTo) {
      countedUpTo = seq;
      unread = 0;
      cancelRecount();
    } else {
      unread = Math.min(unread, countedUpTo - readSeq);
      requestRecount();
    }
    return Outcome.CHANGED;
  }

  /**
   * The room's timeline ends at {@code lastSeq}, and the count may be wrong (a crash lost counting, or a
   * recount that never came back was saved): recount everything after the read marker.
   */
  Outcome caughtUpTo(long lastSeq) {
    countedUpTo = Math.max(countedUpTo, lastSeq);
    if (countedUpTo <= readSeq) {
      // nothing after the marker: nothing can be unread
      boolean changed = unread != 0;
      unread = 0;
      cancelRecount();
      return changed ? Outcome.CHANGED : Outcome.NOTHING;
    }
    requestRecount();
    return Outcome.NOTHING;
  }

  /** A recount is due or running: {@link #state} holds a count that is not final yet. */
  boolean recountOutstanding() {
    return requested != null || inFlight;
  }

  /** The recount to start now, if one is due. */
  Optional<Recount> takeRecount() {
    Recount next = requested;
    requested = null;
    if (next != null) {
      inFlight = true;
    }
    return Optional.ofNullable(next);
  }

  Outcome recounted(long recountVersion, long count) {
    if (recountVersion != version || !inFlight) {
      return Outcome.NOTHING;
    }
    inFlight = false;
    unread = count + countedDuringRecount;
    countedDuringRecount = 0;
    return Outcome.CHANGED;
  }

  /** The recount could not run (the journal was unreachable): ask for it again. */
  void recountFailed(long recountVersion) {
    if (recountVersion == version && inFlight) {
      inFlight = false;
      requestRecount();
    }
  }

  private void requestRecount() {
    version++;
    countedDuringRecount = 0;
    requested = new Recount(version, readSeq, countedUpTo);
  }

  private void cancelRecount() {
    version++;
    requested = null;
    inFlight = false;
    countedDuringRecount = 0;
  }
}
