package chat.node.gateway;

import java.util.Optional;
import org.apache.pekko.http.impl.engine.ws.FrameData;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHeader;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.http.impl.engine.ws.ProtocolException;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * The one place that touches Pekko HTTP's frame-level WebSocket API, which is internal to it: the upgrade
 * that hands a connection's parsed frames to our own stage ({@link WebSocketStage}) instead of Pekko HTTP's
 * message layer, and the frame objects that cross between the two. Pekko HTTP still parses and renders
 * the frames and runs the handshake. Why: docs/decisions.md ("The WebSocket message layer").
 */
final class PekkoFrames {

  private static final Protocol.Opcode TEXT = Protocol.Opcode$.MODULE$.forCode((byte) MessageAssembler.TEXT);
  private static final Protocol.Opcode PING = Protocol.Opcode$.MODULE$.forCode((byte) MessageAssembler.PING);
  private static final Protocol.Opcode PONG = Protocol.Opcode$.MODULE$.forCode((byte) MessageAssembler.PONG);
  private static final Protocol.Opcode CLOSE = Protocol.Opcode$.MODULE$.forCode((byte) MessageAssembler.CLOSE);
  private static final FrameEvent EMPTY_PING = frame(PING, ByteString.emptyByteString());
  private static final FrameEvent EMPTY_CLOSE = frame(CLOSE, ByteString.emptyByteString());

  private PekkoFrames() {}

  /** The response that switches the connection to WebSocket with {@code handler} reading and writing frames. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static HttpResponse upgrade(
      WebSocketUpgrade upgrade, Graph<FlowShape<FrameEvent, FrameEvent>, ?> handler, Optional<String> subprotocol) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      throw new IllegalStateException("this Pekko HTTP has no frame-level WebSocket upgrade: "
          + upgrade.getClass().getName());
    }
    return lowLevel.handleFrames((Graph) handler, (Option) Option.apply(subprotocol.orElse(null)));
  }

  static FrameEvent text(ByteString utf8) {
    return frame(TEXT, utf8);
  }

  static FrameEvent ping() {
    return EMPTY_PING;
  }

  static FrameEvent pong(ByteString payload) {
    return frame(PONG, payload);
  }

  /** A close frame with no reason; {@link MessageAssembler#NO_STATUS} stands for one without a status. */
  static FrameEvent close(int status) {
    if (status == MessageAssembler.NO_STATUS) {
      return EMPTY_CLOSE;
    }
    return FrameEvent$.MODULE$.closeFrame(status, "", Option.empty());
  }

  /** The frame parser's failure on bytes that are no WebSocket frame (a length with its top bit set, say). */
  static boolean isProtocolError(Throwable cause) {
    return cause instanceof ProtocolException;
  }

  /** Feeds one parsed frame part to {@code assembler}. */
  static MessageAssembler.Event read(MessageAssembler assembler, FrameEvent event) {
    if (event instanceof FrameStart start) {
      FrameHeader header = start.header();
      Option<Object> mask = header.mask();
      return assembler.start(header.opcode().code(), header.fin(), header.rsv1() || header.rsv2() || header.rsv3(),
          mask.isDefined() ? (Integer) mask.get() : null, header.length(), start.data());
    }
    FrameData data = (FrameData) event;
    return assembler.data(data.data(), data.lastPart());
  }

  private static FrameStart frame(Protocol.Opcode opcode, ByteString payload) {
    return FrameEvent$.MODULE$.fullFrame(opcode, Option.empty(), payload, true, false, false, false);
  }
}
