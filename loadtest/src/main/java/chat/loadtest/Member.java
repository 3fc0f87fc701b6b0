package chat.loadtest;

import chat.protocol.ClientFrame;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One simulated user with one device: its current connection, and per tracked room an {@link Accounting}
 * of what it received. Like an app, it acknowledges what it has (with {@code received}) once a second,
 * so it is not pushed, and after a reconnect the server replays from there.
 *
 * <p>Latency: a message from another member, received live for the first time, is a send-to-receive
 * sample. The member's own messages (the server pushes them to the sender too) are checked for loss and
 * order like any other item, but are not latency samples: that path is the ack's.
 */
final class Member implements LoadClient.Handler {

  private final Run run;
  final String user;
  final String device;
  private final Map<String, Accounting> rooms = new ConcurrentHashMap<>();
  /** Acknowledged and confirmed read by the server (see {@link #acknowledge}). */
  private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
  /** Acknowledged on the current connection, confirmed or not. */
  private final Map<String, Long> written = new ConcurrentHashMap<>();
  private static final long CONFIRM_EVERY_SECONDS = 30;
  private volatile long lastConfirmNanos = System.nanoTime();
  private volatile LoadClient client;
  private volatile CompletableFuture<ServerFrame.Synced> synced = new CompletableFuture<>();
  /** Between a reconnect and its synced: items are replayed, not live. */
  private volatile boolean replaying;

  Member(Run run, String user, String device) {
    this.run = run;
    this.user = user;
    this.device = device;
  }

  /** Connects with a fresh token (device hello), completing once welcomed. */
  CompletableFuture<Member> connect() {
    synced = new CompletableFuture<>();
    return run.tokens().token(user)
        .whenComplete((t, failure) -> {
          if (failure != null) {
            run.errors().count(Errors.CONNECTION + "token", user + ": " + Errors.describe(failure));
          }
        })
        .thenCompose(token -> run.connects().submit(() -> LoadClient.open(run.fleet(), user, device, token, this)))
        .thenApply(c -> {
          client = c;
          return this;
        });
  }

  /** Completes with the {@code synced} that ends the replay after the latest hello. */
  CompletableFuture<ServerFrame.Synced> synced() {
    return synced;
  }

  LoadClient client() {
    return client;
  }

  boolean connected() {
    LoadClient c = client;
    return c != null && c.isOpen();
  }

  /** Starts checking {@code roomId} from seq {@code base} on. */
  void track(String roomId, long base) {
    rooms.put(roomId, new Accounting(base));
  }

  Accounting accounting(String roomId) {
    return rooms.get(roomId);
  }

  Map<String, Accounting> rooms() {
    return rooms;
  }

  /** Drops the connection without a close handshake (the reconnect storm). */
  void drop() {
    LoadClient c = client;
    if (c != null) {
      c.abort();
    }
  }

  /** Reconnects as the same device after {@link #drop}: what it acknowledged is not replayed. */
  CompletableFuture<Member> reconnect() {
    rooms.forEach((roomId, a) -> a.newConnection(acknowledged.getOrDefault(roomId, a.base())));
    written.clear(); // what the old connection wrote and no confirmation covered may not have been taken
    replaying = true;
    return connect();
  }

  /** Closed by the server before its {@code synced}: whoever waits for that hears it now, not at a deadline. */
  @Override
  public void onClosed(LoadClient from, int status, boolean expected) {
    if (!expected && from == client) {
      synced.completeExceptionally(new IllegalStateException(user + "'s connection closed (" + status + ") before synced"));
    }
  }

  @Override
  public void onPush(LoadClient from, ServerFrame frame) {
    if (!from.isOpen()) {
      return; // a dropped connection's last frames; its successor replays them
    }
    if (frame instanceof TimelineItem item) {
      Accounting a = rooms.get(item.roomId());
      if (a == null) {
        return;
      }
      run.counters().received.increment();
      boolean first = a.receive(item.seq());
      if (first && !replaying && item instanceof TimelineItem.Message m && !user.equals(m.sender())) {
        long scheduled = Traffic.scheduledNanos(run.tag(), m.clientMsgId());
        if (scheduled >= 0) {
          run.latencies().receive(scheduled, run.nanos());
        }
      }
    } else if (frame instanceof ServerFrame.Synced s) {
      replaying = false;
      synced.complete(s);
    } else if (frame instanceof ServerFrame.Error e && e.id() == null) {
      unsolicitedError(e);
    } else if (frame instanceof ServerFrame.Gap) {
      run.counters().count("gap frames");
    } else if (frame instanceof ServerFrame.TypingIndicator) {
      run.counters().count("typing frames received");
    } else if (frame instanceof ServerFrame.Presence) {
      run.counters().count("presence frames received");
    }
  }

  /**
   * Acknowledges, with one {@code received} without id (which the server does not answer, as an app would
   * send it), every room whose contiguous seq moved since the last time. What was written counts as
   * acknowledged for the duplicate check only once the server answered an acknowledgement with an id for
   * it (its answer comes after the session took the cursors); that goes at most every
   * {@value #CONFIRM_EVERY_SECONDS} s (and on {@link #confirmAcknowledged}), so what a device acknowledged
   * after the last confirmation and before it dropped may come again and counts as redelivered.
   */
  void acknowledge() {
    LoadClient c = client;
    if (c == null || !c.isOpen() || replaying) {
      return;
    }
    Map<String, Long> cursors = new HashMap<>();
    rooms.forEach((roomId, a) -> {
      long upTo = a.contiguous();
      if (upTo > Math.max(acknowledged.getOrDefault(roomId, a.base()), written.getOrDefault(roomId, a.base()))) {
        cursors.put(roomId, upTo);
      }
    });
    if (!cursors.isEmpty()) {
      cursors.forEach((roomId, seq) -> written.merge(roomId, seq, Math::max));
      c.tell(new ClientFrame.Received(null, cursors));
    }
    if (System.nanoTime() - lastConfirmNanos >= CONFIRM_EVERY_SECONDS * 1_000_000_000L) {
      confirmAcknowledged();
    }
  }

  /** Acknowledges everything written so far once more, with an id; its answer confirms it. */
  CompletableFuture<?> confirmAcknowledged() {
    LoadClient c = client;
    if (c == null || !c.isOpen() || written.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    lastConfirmNanos = System.nanoTime();
    Map<String, Long> confirming = Map.copyOf(written);
    return c.request(id -> new ClientFrame.Received(id, confirming)).whenComplete((answer, failure) -> {
      if (answer instanceof ServerFrame.Ack) {
        confirming.forEach((roomId, seq) -> acknowledged.merge(roomId, seq, Math::max));
      } else if (answer instanceof ServerFrame.Error e) {
        run.errors().count(Errors.CONNECTION + "received." + e.code(), user + ": " + e.message());
      }
      // a connection that went away is counted where it went away; the next connection acknowledges again
    });
  }

  /** An error without id: the answer to a frame without one, here a refused acknowledgement. */
  private void unsolicitedError(ServerFrame.Error e) {
    run.errors().count(Errors.CONNECTION + "received." + e.code(), user + ": " + e.message());
  }
}
