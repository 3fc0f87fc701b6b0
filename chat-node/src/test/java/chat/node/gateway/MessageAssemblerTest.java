package chat.node.gateway;

import static chat.node.gateway.MessageAssembler.BINARY;
import static chat.node.gateway.MessageAssembler.CLOSE;
import static chat.node.gateway.MessageAssembler.CONTINUATION;
import static chat.node.gateway.MessageAssembler.PING;
import static chat.node.gateway.MessageAssembler.PONG;
import static chat.node.gateway.MessageAssembler.TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import chat.node.gateway.MessageAssembler.Binary;
import chat.node.gateway.MessageAssembler.Close;
import chat.node.gateway.MessageAssembler.Event;
import chat.node.gateway.MessageAssembler.FarTooLarge;
import chat.node.gateway.MessageAssembler.Message;
import chat.node.gateway.MessageAssembler.Ping;
import chat.node.gateway.MessageAssembler.Text;
import chat.node.gateway.MessageAssembler.TooLarge;
import chat.node.gateway.MessageAssembler.Violation;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Frames as Pekko HTTP's parser hands them over: a header with the first part of the payload, then parts. */
class MessageAssemblerTest {

  private static final int MAX = 16;
  private static final int DROP = 32;
  private static final int MASK = 0x1A2B3C4D;

  private final MessageAssembler assembler = new MessageAssembler(MAX, DROP);

  /** {@code plain} masked as a client masks it, from {@code offset} within its frame. */
  private static ByteString masked(byte[] plain, int offset) {
    byte[] out = new byte[plain.length];
    for (int i = 0; i < plain.length; i++) {
      int k = (offset + i) & 3;
      out[i] = (byte) (plain[i] ^ (MASK >>> (24 - 8 * k)));
    }
    return ByteString.fromArrayUnsafe(out);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Event frame(int opcode, boolean fin, byte[] payload) {
    return assembler.start(opcode, fin, false, MASK, payload.length, masked(payload, 0));
  }

  private Event text(String s) {
    return frame(TEXT, true, utf8(s));
  }

  private static Message message(MessageAssembler.Inbound inbound) {
    return new Message(inbound);
  }

  @Test
  void aMaskedTextFrameIsOneMessage() {
    assertEquals(message(new Text("hello")), text("hello"));
    assertEquals(message(new Text("")), text(""));
    assertEquals(message(new Text("€uro 😀")), text("€uro 😀"));
  }

  @Test
  void aFramesPayloadMayArriveInPartsAndTheMaskCarriesOn() {
    byte[] all = utf8("a frame in bits");
    assertNull(assembler.start(TEXT, true, false, MASK, all.length, masked(slice(all, 0, 3), 0)));
    assertNull(assembler.data(masked(slice(all, 3, 5), 3), false));
    assertEquals(message(new Text("a frame in bits")), assembler.data(masked(slice(all, 8, all.length - 8), 8), true));
  }

  @Test
  void fragmentsAreJoinedEvenWhereTheySplitACharacterAndControlFramesMayComeBetween() {
    byte[] euro = utf8("€"); // three bytes
    assertNull(frame(TEXT, false, new byte[] {'x', euro[0]}));
    assertEquals(new Ping(ByteString.fromString("p")), frame(PING, true, utf8("p")));
    assertNull(frame(PONG, true, new byte[0]));
    assertNull(frame(CONTINUATION, false, new byte[] {euro[1]}));
    assertEquals(message(new Text("x€y")), frame(CONTINUATION, true, new byte[] {euro[2], 'y'}));
    assertEquals(message(new Text("next")), text("next"));
  }

  @Test
  void textIsMeasuredInBytesAgainstBothLimits() {
    assertEquals(message(new Text("a".repeat(MAX))), text("a".repeat(MAX)));
    assertEquals(message(new TooLarge(MAX + 1)), text("a".repeat(MAX + 1)));
    assertEquals(message(new TooLarge(18)), text("€".repeat(6)));
    assertEquals(message(new TooLarge(DROP)), text("a".repeat(DROP)));
    assertEquals(message(new Text("still served")), text("still served"));
  }

  @Test
  void aFrameDeclaredPastTheDropLimitIsReportedBeforeItIsRead() {
    byte[] big = utf8("a".repeat(DROP + 10));
    assertEquals(message(new FarTooLarge()),
        assembler.start(TEXT, true, false, MASK, big.length, masked(slice(big, 0, 4), 0)));
    assertNull(assembler.data(masked(slice(big, 4, big.length - 4), 4), true));
    assertEquals(message(new Text("after")), text("after"));
  }

  @Test
  void fragmentsPastTheDropLimitTogetherAreReportedOnce() {
    assertNull(frame(TEXT, false, utf8("a".repeat(20))));
    assertEquals(message(new FarTooLarge()), frame(CONTINUATION, false, utf8("a".repeat(20))));
    assertNull(frame(CONTINUATION, true, utf8("a".repeat(20))));
  }

  @Test
  void binaryIsCountedNotKept() {
    assertEquals(message(new Binary(3)), frame(BINARY, true, new byte[] {1, 2, 3}));
    assertNull(frame(BINARY, false, new byte[20]));
    assertEquals(message(new FarTooLarge()), frame(CONTINUATION, true, new byte[20]));
  }

  @Test
  void invalidUtf8ClosesWith1007() {
    assertEquals(new Violation(1007, "a text message that is not valid UTF-8"),
        frame(TEXT, true, new byte[] {'a', (byte) 0xC0, (byte) 0xAF}));
    assertNull(text("nothing is read after a violation"));
  }

  @Test
  void aMessageEndingInsideACharacterClosesWith1007() {
    byte[] euro = utf8("€");
    assertEquals(1007, ((Violation) frame(TEXT, true, new byte[] {euro[0], euro[1]})).status());
  }

  @Test
  void closeFramesCarryTheirStatusAndReason() {
    byte[] payload = {0x03, (byte) 0xE8, 'b', 'y', 'e'}; // 1000 "bye"
    assertEquals(new Close(1000, "bye"), frame(CLOSE, true, payload));
  }

  @Test
  void aCloseFrameWithoutBodyHasNoStatus() {
    assertEquals(new Close(MessageAssembler.NO_STATUS, ""), frame(CLOSE, true, new byte[0]));
  }

  @Test
  void malformedCloseFramesAreProtocolErrors() {
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), CLOSE, true, new byte[] {0x03}));
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), CLOSE, true, new byte[] {0x03, (byte) 0xED})); // 1005
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), CLOSE, true, new byte[] {0x03, (byte) 0xE7})); // 999
    assertEquals(1007, status(new MessageAssembler(MAX, DROP), CLOSE, true, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF}));
  }

  @Test
  void framesNoClientMaySendAreProtocolErrors() {
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), CONTINUATION, true, utf8("orphan")));
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), 0x3, true, utf8("reserved opcode")));
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), 0xB, true, new byte[0]));
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), PING, false, utf8("fragmented ping")));
    assertEquals(1002, status(new MessageAssembler(MAX, DROP), PING, true, new byte[126]));
    var fragmented = new MessageAssembler(MAX, DROP);
    assertNull(fragmented.start(TEXT, false, false, MASK, 1, masked(utf8("a"), 0)));
    assertEquals(1002, ((Violation) fragmented.start(TEXT, true, false, MASK, 1, masked(utf8("b"), 0))).status());
    assertEquals(new Violation(1002, "a client frame must be masked"),
        new MessageAssembler(MAX, DROP).start(TEXT, true, false, null, 1, ByteString.fromString("a")));
    assertEquals(new Violation(1002, "reserved bits set, and no extension was agreed"),
        new MessageAssembler(MAX, DROP).start(TEXT, true, true, MASK, 1, masked(utf8("a"), 0)));
  }

  private static int status(MessageAssembler assembler, int opcode, boolean fin, byte[] payload) {
    return ((Violation) assembler.start(opcode, fin, false, MASK, payload.length, masked(payload, 0))).status();
  }

  private static byte[] slice(byte[] bytes, int from, int length) {
    byte[] out = new byte[length];
    System.arraycopy(bytes, from, out, 0, length);
    return out;
  }
}
