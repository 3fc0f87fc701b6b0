package chat.loadtest.wire;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * RFC 6455 framing as a client needs it: frames it writes are masked, frames it reads must not be. Pure
 * functions and one parser, so that every byte layout is tested without a socket.
 */
public final class WsFrames {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** Larger frames are refused: nothing the chat server sends comes near it, a corrupt length would. */
  static final long MAX_PAYLOAD = 16L << 20;

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WsFrames() {
  }

  /** A final client frame: header, the mask key, the payload masked with it. */
  public static ByteBuffer clientFrame(int opcode, byte[] payload, int maskKey) {
    int length = payload.length;
    int extended = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8;
    ByteBuffer out = ByteBuffer.allocate(2 + extended + 4 + length);
    out.put((byte) (0x80 | opcode));
    if (extended == 0) {
      out.put((byte) (0x80 | length));
    } else if (extended == 2) {
      out.put((byte) (0x80 | 126)).putShort((short) length);
    } else {
      out.put((byte) (0x80 | 127)).putLong(length);
    }
    out.putInt(maskKey);
    byte[] mask = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
    for (int i = 0; i < length; i++) {
      out.put((byte) (payload[i] ^ mask[i & 3]));
    }
    return out.flip();
  }

  /** A close frame's payload: the status code, then the reason in UTF-8. */
  public static byte[] closePayload(int status, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + text.length).putShort((short) status).put(text).array();
  }

  /** What {@code Sec-WebSocket-Accept} must say for {@code key}. */
  public static String acceptFor(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  /** Receives whole frames from a {@link Reader}. */
  public interface FrameSink {
    void frame(boolean fin, int opcode, byte[] payload) throws ProtocolException;
  }

  /**
   * Cuts whole frames off the front of a buffer. What is left (a frame not yet complete) stays in the
   * buffer for the caller to keep and feed again with the next bytes.
   */
  public static final class Reader {
    private Reader() {
    }

    /**
     * The size of the frame at the front of {@code in}, header included, once its header is there (and
     * its length within bounds); -1 before that. Does not move {@code in}.
     */
    public static int frameSize(ByteBuffer in) {
      if (in.remaining() < 2) {
        return -1;
      }
      int lengthCode = in.get(in.position() + 1) & 0x7F;
      int header = (lengthCode < 126 ? 2 : lengthCode == 126 ? 4 : 10) + ((in.get(in.position() + 1) & 0x80) != 0 ? 4 : 0);
      if (in.remaining() < header) {
        return -1;
      }
      long length = lengthCode < 126 ? lengthCode
          : lengthCode == 126 ? in.getShort(in.position() + 2) & 0xFFFF
          : in.getLong(in.position() + 2);
      return length < 0 || length > MAX_PAYLOAD ? -1 : (int) (header + length);
    }

    /** Feeds {@code sink} every whole frame in {@code in}; leaves {@code in} positioned at the rest. */
    public static void read(ByteBuffer in, FrameSink sink) throws ProtocolException {
      while (in.remaining() >= 2) {
        int start = in.position();
        int b0 = in.get(start) & 0xFF;
        int b1 = in.get(start + 1) & 0xFF;
        if ((b0 & 0x70) != 0) {
          throw new ProtocolException("reserved bits set in a frame header (no extension was agreed)");
        }
        if ((b1 & 0x80) != 0) {
          throw new ProtocolException("a masked frame from the server");
        }
        int lengthCode = b1 & 0x7F;
        int header = lengthCode < 126 ? 2 : lengthCode == 126 ? 4 : 10;
        if (in.remaining() < header) {
          return;
        }
        long length = lengthCode < 126 ? lengthCode
            : lengthCode == 126 ? in.getShort(start + 2) & 0xFFFF
            : in.getLong(start + 2);
        if (length < 0 || length > MAX_PAYLOAD) {
          throw new ProtocolException("a frame of " + length + " bytes (at most " + MAX_PAYLOAD + ")");
        }
        int opcode = b0 & 0x0F;
        boolean fin = (b0 & 0x80) != 0;
        if (opcode >= CLOSE && (!fin || length > 125)) {
          throw new ProtocolException("a fragmented or oversized control frame");
        }
        if (in.remaining() < header + length) {
          return;
        }
        byte[] payload = new byte[(int) length];
        in.position(start + header);
        in.get(payload);
        sink.frame(fin, opcode, payload);
      }
    }
  }
}
