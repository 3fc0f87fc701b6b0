package chat.loadtest.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WsFramesTest {

  record Seen(boolean fin, int opcode, String payload) {}

  @Test
  void masksAClientFrameAsTheRfcExampleDoes() {
    // RFC 6455 section 5.7: a single-frame masked text message "Hello"
    ByteBuffer frame = WsFrames.clientFrame(WsFrames.TEXT, "Hello".getBytes(StandardCharsets.UTF_8), 0x37fa213d);
    assertArrayEquals(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58), remaining(frame));
  }

  @Test
  void writesTheLengthInTheFormItsSizeNeeds() {
    assertEquals(0x80 | 125, WsFrames.clientFrame(WsFrames.TEXT, new byte[125], 0).get(1) & 0xFF);

    ByteBuffer medium = WsFrames.clientFrame(WsFrames.TEXT, new byte[126], 0);
    assertEquals(0x80 | 126, medium.get(1) & 0xFF);
    assertEquals(126, medium.getShort(2) & 0xFFFF);
    assertEquals(2 + 2 + 4 + 126, medium.remaining());

    ByteBuffer largestMedium = WsFrames.clientFrame(WsFrames.TEXT, new byte[65535], 0);
    assertEquals(65535, largestMedium.getShort(2) & 0xFFFF);

    ByteBuffer large = WsFrames.clientFrame(WsFrames.TEXT, new byte[65536], 0);
    assertEquals(0x80 | 127, large.get(1) & 0xFF);
    assertEquals(65536, large.getLong(2));
    assertEquals(2 + 8 + 4 + 65536, large.remaining());
  }

  @Test
  void answersTheRfcHandshakeKey() {
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsFrames.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
  }

  @Test
  void cutsWholeFramesAndLeavesAPartialOneInPlace() throws ProtocolException {
    byte[] medium = new byte[256];
    ByteBuffer in = ByteBuffer.allocate(1024)
        .put(bytes(0x01, 0x03, 'H', 'e', 'l')) // first fragment, not final
        .put(bytes(0x89, 0x01, 'p')) // a ping between the fragments
        .put(bytes(0x80, 0x02, 'l', 'o')) // the final continuation
        .put(bytes(0x81, 0x7E, 0x01, 0x00)).put(medium) // 256 bytes: a 16-bit length
        .put(bytes(0x81, 0x05, 'w', 'o')); // three of its five bytes missing
    in.flip();
    List<Seen> seen = new ArrayList<>();

    WsFrames.Reader.read(in, (fin, opcode, payload) -> seen.add(new Seen(fin, opcode, new String(payload,
        StandardCharsets.UTF_8))));

    assertEquals(List.of(new Seen(false, WsFrames.TEXT, "Hel"), new Seen(true, WsFrames.PING, "p"),
        new Seen(true, WsFrames.CONTINUATION, "lo"), new Seen(true, WsFrames.TEXT, new String(medium,
            StandardCharsets.UTF_8))), seen);
    assertArrayEquals(bytes(0x81, 0x05, 'w', 'o'), remaining(in));
  }

  @Test
  void waitsForA64BitLengthToArriveWhole() throws ProtocolException {
    ByteBuffer in = ByteBuffer.wrap(bytes(0x81, 0x7F, 0, 0, 0, 0)); // the length itself cut off
    List<Seen> seen = new ArrayList<>();
    WsFrames.Reader.read(in, (fin, opcode, payload) -> seen.add(new Seen(fin, opcode, "")));
    assertEquals(List.of(), seen);
    assertEquals(0, in.position());
  }

  @Test
  void refusesWhatAServerMustNotSend() {
    assertRefused("masked", bytes(0x81, 0x81, 1, 2, 3, 4, 'x'));
    assertRefused("reserved bits", bytes(0xC1, 0x01, 'x'));
    assertRefused("fragmented or oversized control", bytes(0x09, 0x01, 'x'));
    assertRefused("fragmented or oversized control", bytes(0x89, 0x7E, 0x00, 0x7E));
    assertRefused("a frame of 9223372036854775807 bytes", bytes(0x81, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    assertRefused("a frame of -1 bytes", bytes(0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
  }

  @Test
  void sizesTheFrameInFrontOnceItsHeaderIsThere() {
    assertEquals(-1, WsFrames.Reader.frameSize(ByteBuffer.wrap(bytes(0x81))));
    assertEquals(7, WsFrames.Reader.frameSize(ByteBuffer.wrap(bytes(0x81, 0x05, 'H'))));
    assertEquals(-1, WsFrames.Reader.frameSize(ByteBuffer.wrap(bytes(0x81, 0x7F, 0, 0, 0))));
    assertEquals(10 + 600_000, WsFrames.Reader.frameSize(ByteBuffer.wrap(bytes(0x81, 0x7F, 0, 0, 0, 0, 0, 0x09, 0x27, 0xC0))));
  }

  private static void assertRefused(String why, byte[] frame) {
    ProtocolException refused = assertThrows(ProtocolException.class,
        () -> WsFrames.Reader.read(ByteBuffer.wrap(frame), (fin, opcode, payload) -> { }));
    assertTrue(refused.getMessage().contains(why), refused.getMessage());
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] remaining(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
