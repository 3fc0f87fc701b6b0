package chat.node.gateway;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * One WebSocket connection's frames, as a single stage between Pekko HTTP's frame parser and renderer and
 * the connection's actor. Inbound, it assembles messages ({@link MessageAssembler}) and hands each to the
 * actor, reading the next only once the actor acknowledged it (backpressure down to TCP); it answers pings
 * and the client's close itself. Outbound, it writes what the actor queued ({@link OutboundFrames}) as text
 * frames, pings an otherwise silent client, and runs the closing handshake.
 *
 * <p>Why a stage of our own rather than Pekko HTTP's message API: see docs/decisions.md ("The WebSocket
 * message layer").
 */
final class WebSocketStage extends GraphStage<FlowShape<FrameEvent, FrameEvent>> {

  /** Frame sizes, queue capacity and timing of one connection. */
  record Settings(int maxFrameBytes, int dropFrameBytes, int outboundBuffer, Duration pingInterval, Duration closeTimeout) {}

  /** The client sent a close frame with an error status. */
  static final class PeerClosed extends RuntimeException {
    PeerClosed(int status, String reason) {
      super("client closed with status " + status + (reason.isEmpty() ? "" : ": " + reason), null, false, false);
    }
  }

  /** The client broke the protocol; the connection was closed with {@code status}. */
  static final class ProtocolViolation extends RuntimeException {
    ProtocolViolation(int status, String reason) {
      super("closed with status " + status + ": " + reason, null, false, false);
    }
  }

  private static final int NORMAL = 1000;
  private static final int INTERNAL_ERROR = 1011;
  private static final int GOING_AWAY = 1001;
  /** Pongs owed at most: a client that pings faster than it reads gets no answer to the pings beyond these. */
  private static final int MAX_CONTROL_QUEUED = 4;
  private static final String PING_TIMER = "ping";
  private static final String CLOSE_TIMER = "close";

  private final Inlet<FrameEvent> in = Inlet.create("WebSocketStage.in");
  private final Outlet<FrameEvent> out = Outlet.create("WebSocketStage.out");
  private final FlowShape<FrameEvent, FrameEvent> shape = FlowShape.of(in, out);
  private final Settings settings;
  private final Function<OutboundFrames, ActorRef<Connection.Command>> connect;

  /**
   * {@code connect} starts the connection's actor with its outbound queue as the stream starts, or returns
   * null when the connection is not to be served after all (the stream closes at once).
   */
  WebSocketStage(Settings settings, Function<OutboundFrames, ActorRef<Connection.Command>> connect) {
    this.settings = settings;
    this.connect = connect;
  }

  @Override
  public FlowShape<FrameEvent, FrameEvent> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new Logic();
  }

  private enum State { OPEN, CLOSE_SENT }

  private final class Logic extends TimerGraphStageLogic {
    private final MessageAssembler assembler = new MessageAssembler(settings.maxFrameBytes(), settings.dropFrameBytes());
    private final OutboundFrames outbound = new OutboundFrames(settings.outboundBuffer());
    /** Frames that go before the actor's: pongs, the closing text, close frames. */
    private final ArrayDeque<FrameEvent> control = new ArrayDeque<>(2);
    private ActorRef<Connection.Command> connection;
    private Runnable ack;
    private State state = State.OPEN;
    /** A message was handed to the actor and not yet acknowledged: nothing more is read meanwhile. */
    private boolean awaitingAck;
    /** Once the control frames are out, the stage ends (the close handshake is done or abandoned). */
    private boolean endAfterControl;
    private boolean actorTold;
    private long lastWriteNanos = System.nanoTime();

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          onFrame(grab(in));
        }

        @Override
        public void onUpstreamFinish() {
          // TCP closed without a close frame (or after ours)
          tellActor(null);
          completeStage();
        }

        @Override
        public void onUpstreamFailure(Throwable cause) {
          tellActor(cause);
          if (PekkoFrames.isProtocolError(cause) && !isClosed(out)) {
            // a frame header the parser could not read: say so, as for any other violation
            closeWith(MessageAssembler.PROTOCOL_ERROR);
          } else {
            failStage(cause);
          }
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          write();
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          tellActor(null);
          completeStage();
        }
      });
    }

    @Override
    public void preStart() {
      AsyncCallback<Object> acked = createAsyncCallback(nothing -> onAck());
      AsyncCallback<Object> writable = createAsyncCallback(nothing -> write());
      ack = () -> acked.invoke(Boolean.TRUE);
      outbound.onWritable(() -> writable.invoke(Boolean.TRUE));
      connection = connect.apply(outbound);
      if (connection == null) {
        actorTold = true;
        closeWith(GOING_AWAY);
        return;
      }
      scheduleOnce(PING_TIMER, settings.pingInterval());
      pull(in);
    }

    @Override
    public void postStop() {
      outbound.close();
      tellActor(null);
    }

    // -------------------------------------------------------------- inbound

    private void onFrame(FrameEvent frame) {
      MessageAssembler.Event event = PekkoFrames.read(assembler, frame);
      if (event instanceof MessageAssembler.Message message) {
        if (state == State.OPEN && !actorTold) {
          awaitingAck = true;
          connection.tell(new Connection.Received(ack, message.inbound()));
        }
      } else if (event instanceof MessageAssembler.Ping ping) {
        if (control.size() < MAX_CONTROL_QUEUED && state == State.OPEN) {
          control.add(PekkoFrames.pong(ping.payload()));
        }
        write();
      } else if (event instanceof MessageAssembler.Close close) {
        onClientClose(close);
        return;
      } else if (event instanceof MessageAssembler.Violation violation) {
        tellActor(new ProtocolViolation(violation.status(), violation.reason()));
        closeWith(violation.status());
        return;
      }
      readOn();
    }

    private void onAck() {
      awaitingAck = false;
      readOn();
    }

    private void readOn() {
      if (!awaitingAck && !isClosed(in) && !hasBeenPulled(in)) {
        pull(in);
      }
    }

    private void onClientClose(MessageAssembler.Close close) {
      if (state == State.OPEN) {
        // answer with the same status, as RFC 6455 asks; the client closes TCP then
        boolean error = close.code() != NORMAL && close.code() != GOING_AWAY && close.code() != MessageAssembler.NO_STATUS;
        tellActor(error ? new PeerClosed(close.code(), close.reason()) : null);
        state = State.CLOSE_SENT;
        control.add(PekkoFrames.close(close.code()));
        closeDeadline();
      }
      endAfterControl = true;
      if (control.isEmpty()) {
        completeStage(); // our close frame went out before theirs came: the handshake is done
        return;
      }
      write();
      readOn();
    }

    /** A client that stops reading cannot hold the connection open once it is closing. */
    private void closeDeadline() {
      cancelTimer(PING_TIMER);
      if (!isTimerActive(CLOSE_TIMER)) {
        scheduleOnce(CLOSE_TIMER, settings.closeTimeout());
      }
    }

    // -------------------------------------------------------------- outbound

    private void write() {
      while (isAvailable(out)) {
        FrameEvent next = control.poll();
        if (next == null && endAfterControl) {
          completeStage();
          return;
        }
        if (next == null && state == State.OPEN) {
          next = fromActor();
        }
        if (next == null) {
          return;
        }
        push(out, next);
        lastWriteNanos = System.nanoTime();
        if (endAfterControl && control.isEmpty()) {
          completeStage(); // the close frame goes out before the completion
          return;
        }
      }
    }

    /** The actor's next frame, or its ending turned into frames; null if there is nothing to write now. */
    private FrameEvent fromActor() {
      while (true) {
        Throwable failure = outbound.failure();
        if (failure != null) {
          outbound.close();
          if (failure instanceof CloseConnection closing) {
            control.add(PekkoFrames.text(closing.frame()));
            startClosing(NORMAL);
          } else {
            closeWith(INTERNAL_ERROR);
          }
          return control.poll();
        }
        // the writer queues its last frames before it completes: read the flag first, so that a frame
        // queued just before completing is never left behind
        boolean completed = outbound.completed();
        ByteString payload = outbound.poll();
        if (payload != null) {
          return PekkoFrames.text(payload);
        }
        if (completed) {
          startClosing(NORMAL);
          return control.poll();
        }
        if (outbound.awaitWritable()) {
          return null;
        }
      }
    }

    /** Sends a close frame and waits (a while) for the client's. */
    private void startClosing(int status) {
      state = State.CLOSE_SENT;
      control.add(PekkoFrames.close(status));
      closeDeadline();
      // whatever the client still sends is read and dropped until its close frame arrives
      awaitingAck = false;
      readOn();
    }

    /** Sends a close frame and ends without waiting for the client's. */
    private void closeWith(int status) {
      state = State.CLOSE_SENT;
      control.clear();
      control.add(PekkoFrames.close(status));
      endAfterControl = true;
      outbound.close();
      closeDeadline();
      write();
    }

    @Override
    public void onTimer(Object key) {
      if (CLOSE_TIMER.equals(key)) {
        completeStage(); // the client never answered our close frame
      } else if (state == State.OPEN) {
        long silentNanos = System.nanoTime() - lastWriteNanos;
        long intervalNanos = settings.pingInterval().toNanos();
        if (silentNanos >= intervalNanos) {
          if (control.isEmpty()) {
            control.add(PekkoFrames.ping());
            write();
          }
          scheduleOnce(PING_TIMER, settings.pingInterval());
        } else {
          // something went out meanwhile: the silence is counted from then
          scheduleOnce(PING_TIMER, Duration.ofNanos(intervalNanos - silentNanos));
        }
      }
    }

    private void tellActor(Throwable failure) {
      if (!actorTold && connection != null) {
        actorTold = true;
        connection.tell(failure == null ? Connection.StreamCompleted.INSTANCE : new Connection.StreamFailed(failure));
      }
    }
  }
}
