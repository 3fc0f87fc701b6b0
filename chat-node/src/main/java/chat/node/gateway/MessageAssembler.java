package chat.node.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.pekko.util.ByteString;

/**
 * The server's side of RFC 6455 above the frame parser: unmasks a client's frames, assembles fragmented
 * messages, checks text for UTF-8, tells control frames apart and enforces the two size limits, without
 * ever holding more than the frame limit of one message. Frames arrive as a header with the first part of
 * the payload ({@link #start}) and then further parts ({@link #data}), as the socket delivers them; each call
 * returns what that part completed, if anything.
 *
 * <p>A message over {@code maxFrameBytes} is read to its end and reported by size only; one that reaches
 * past {@code dropFrameBytes} is reported as soon as that is known (from a frame's declared length if
 * possible) and the rest is skipped. Anything no client may send is a {@link Violation}, after which
 * nothing more is read. One per connection; not thread-safe.
 */
final class MessageAssembler {

  /** A complete message, as the connection sees it. */
  sealed interface Inbound {}

  record Text(String text) implements Inbound {}

  /** A text message over the frame limit: read to its end and discarded. */
  record TooLarge(long bytes) implements Inbound {}

  /** A binary message: read to its end and discarded. */
  record Binary(long bytes) implements Inbound {}

  /** A message over the drop limit: not read further; the connection must be closed. */
  record FarTooLarge() implements Inbound {}

  /** What one part of a frame completed. */
  sealed interface Event {}

  record Message(Inbound inbound) implements Event {}

  /** A ping: answer with a pong carrying the same payload. */
  record Ping(ByteString payload) implements Event {}

  /** The client's close frame: {@code code} is {@link #NO_STATUS} when it carried none. */
  record Close(int code, String reason) implements Event {}

  /** A frame no client may send: close with {@code status} (1002 or 1007) and read nothing more. */
  record Violation(int status, String reason) implements Event {}

  static final int NO_STATUS = 1005;
  static final int PROTOCOL_ERROR = 1002;
  static final int INVALID_DATA = 1007;

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;
  private static final int NONE = -1;
  private static final int MAX_CONTROL_PAYLOAD = 125;

  private final int maxFrameBytes;
  private final int dropFrameBytes;
  private final Utf8Validator utf8 = new Utf8Validator();

  // the frame being read
  private int frameOpcode = NONE;
  private boolean frameFin;
  private long frameRemaining;
  private int mask;
  private long frameOffset;
  private byte[] control;
  private int controlLength;

  // the data message being assembled (over one or more frames)
  private int messageOpcode = NONE;
  private long messageBytes;
  private byte[] text;
  private int textLength;
  private boolean dropped;

  private boolean failed;

  MessageAssembler(int maxFrameBytes, int dropFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
    this.dropFrameBytes = dropFrameBytes;
  }

  /** A frame's header with the first part of its payload ({@code length} is the whole payload's). */
  Event start(int opcode, boolean fin, boolean reservedBits, Integer maskKey, long length, ByteString data) {
    if (failed) {
      return null;
    }
    if (frameOpcode != NONE) {
      return fail(PROTOCOL_ERROR, "a frame started before the previous one ended");
    }
    if (maskKey == null) {
      return fail(PROTOCOL_ERROR, "a client frame must be masked");
    }
    if (reservedBits) {
      return fail(PROTOCOL_ERROR, "reserved bits set, and no extension was agreed");
    }
    boolean isControl = opcode == CLOSE || opcode == PING || opcode == PONG;
    if (isControl) {
      if (!fin) {
        return fail(PROTOCOL_ERROR, "a fragmented control frame");
      }
      if (length > MAX_CONTROL_PAYLOAD) {
        return fail(PROTOCOL_ERROR, "a control frame over 125 bytes");
      }
      control = new byte[(int) length];
      controlLength = 0;
    } else if (opcode == TEXT || opcode == BINARY) {
      if (messageOpcode != NONE) {
        return fail(PROTOCOL_ERROR, "a new message inside a fragmented one");
      }
      messageOpcode = opcode;
      messageBytes = 0;
      dropped = false;
      utf8.reset();
    } else if (opcode == CONTINUATION) {
      if (messageOpcode == NONE) {
        return fail(PROTOCOL_ERROR, "a continuation frame without a message to continue");
      }
    } else {
      return fail(PROTOCOL_ERROR, "reserved opcode " + opcode);
    }
    frameOpcode = opcode;
    frameFin = fin;
    frameRemaining = length;
    mask = maskKey;
    frameOffset = 0;
    if (!isControl && !dropped && length > dropFrameBytes - messageBytes) {
      // known from the header alone: not worth reading
      dropped = true;
      text = null;
      data(data, data.size() == length);
      return new Message(new FarTooLarge());
    }
    return data(data, data.size() == length);
  }

  /** A further part of the current frame's payload. */
  Event data(ByteString data, boolean lastPart) {
    if (failed) {
      return null;
    }
    if (frameOpcode == NONE) {
      return fail(PROTOCOL_ERROR, "payload outside a frame");
    }
    frameRemaining -= data.size();
    Event event;
    if (frameOpcode == CLOSE || frameOpcode == PING || frameOpcode == PONG) {
      byte[] part = unmasked(data);
      System.arraycopy(part, 0, control, controlLength, part.length);
      controlLength += part.length;
      event = lastPart ? controlFrame() : null;
    } else {
      event = payload(data);
    }
    if (lastPart && !failed) {
      boolean endsMessage = frameFin && frameOpcode != CLOSE && frameOpcode != PING && frameOpcode != PONG;
      frameOpcode = NONE;
      if (endsMessage && event == null) {
        event = endOfMessage();
      }
    }
    return event;
  }

  /** True while a fragmented data message or a frame is only partly read. */
  boolean midMessage() {
    return messageOpcode != NONE || frameOpcode != NONE;
  }

  private Event payload(ByteString data) {
    messageBytes += data.size();
    if (dropped) {
      return null; // already reported: skipped unread
    }
    if (messageBytes > dropFrameBytes) {
      dropped = true;
      text = null;
      return new Message(new FarTooLarge());
    }
    if (messageOpcode == BINARY) {
      return null; // binary content is never looked at
    }
    byte[] part = unmasked(data);
    if (!utf8.feed(part, 0, part.length)) {
      return fail(INVALID_DATA, "a text message that is not valid UTF-8");
    }
    if (messageBytes <= maxFrameBytes) {
      keep(part);
    } else {
      text = null; // over the frame limit: only counted and checked from here on
    }
    return null;
  }

  private void keep(byte[] part) {
    if (text == null && textLength == 0 && frameFin && frameRemaining == 0) {
      text = part; // the whole message in one part: the common case, no copy
      textLength = part.length;
      return;
    }
    if (text == null) {
      text = new byte[Math.max(part.length, 256)];
    } else if (textLength + part.length > text.length) {
      text = Arrays.copyOf(text, Math.min(maxFrameBytes, Math.max(textLength + part.length, text.length * 2)));
    }
    System.arraycopy(part, 0, text, textLength, part.length);
    textLength += part.length;
  }

  private Event endOfMessage() {
    int opcode = messageOpcode;
    messageOpcode = NONE;
    byte[] bytes = text;
    int length = textLength;
    text = null;
    textLength = 0;
    if (dropped) {
      return null; // already reported
    }
    if (opcode == BINARY) {
      return new Message(new Binary(messageBytes));
    }
    if (!utf8.complete()) {
      return fail(INVALID_DATA, "a text message that ends inside a UTF-8 character");
    }
    if (messageBytes > maxFrameBytes) {
      return new Message(new TooLarge(messageBytes));
    }
    return new Message(new Text(length == 0 ? "" : new String(bytes, 0, length, StandardCharsets.UTF_8)));
  }

  private Event controlFrame() {
    byte[] payload = control;
    control = null;
    return switch (frameOpcode) {
      case PING -> new Ping(ByteString.fromArrayUnsafe(payload));
      case CLOSE -> closeFrame(payload);
      default -> null; // a pong: nothing to do
    };
  }

  private Event closeFrame(byte[] payload) {
    if (payload.length == 0) {
      return new Close(NO_STATUS, "");
    }
    if (payload.length == 1) {
      return fail(PROTOCOL_ERROR, "a close frame with a one-byte body");
    }
    int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    if (!validCloseCode(code)) {
      return fail(PROTOCOL_ERROR, "close code " + code + " may not be sent");
    }
    Utf8Validator reason = new Utf8Validator();
    if (!reason.feed(payload, 2, payload.length - 2) || !reason.complete()) {
      return fail(INVALID_DATA, "a close reason that is not valid UTF-8");
    }
    return new Close(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
  }

  /** The codes RFC 6455 (7.4) lets an endpoint put in a close frame. */
  static boolean validCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
  }

  /** The part's bytes, unmasked; the mask continues where the frame's previous part left it. */
  private byte[] unmasked(ByteString data) {
    byte[] bytes = data.toArray();
    int shift = (int) (frameOffset & 3);
    for (int i = 0; i < bytes.length; i++) {
      int k = (shift + i) & 3;
      bytes[i] ^= (byte) (mask >>> (24 - 8 * k));
    }
    frameOffset += bytes.length;
    return bytes;
  }

  private Event fail(int status, String reason) {
    failed = true;
    text = null;
    control = null;
    return new Violation(status, reason);
  }
}
