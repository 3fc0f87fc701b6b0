package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ValidatorTest {

  private static boolean valid(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    var v = new Utf8Validator();
    return v.feed(b, 0, b.length) && v.complete();
  }

  @Test
  void wellFormedTextOfEveryLengthIsAccepted() {
    assertTrue(valid());
    assertTrue(valid('a', 'b'));
    assertTrue(valid(0xC3, 0xA9)); // é
    assertTrue(valid(0xE2, 0x82, 0xAC)); // €
    assertTrue(valid(0xF0, 0x9F, 0x98, 0x80)); // 😀
    assertTrue(valid(0xF4, 0x8F, 0xBF, 0xBF)); // U+10FFFF
    assertTrue(valid(0xED, 0x9F, 0xBF)); // U+D7FF, just below the surrogates
  }

  @Test
  void overlongFormsSurrogatesAndStrayBytesAreRejected() {
    assertFalse(valid(0xC0, 0xAF)); // overlong '/'
    assertFalse(valid(0xC1, 0xBF));
    assertFalse(valid(0xE0, 0x80, 0xAF)); // overlong 3-byte
    assertFalse(valid(0xF0, 0x80, 0x80, 0xAF)); // overlong 4-byte
    assertFalse(valid(0xED, 0xA0, 0x80)); // U+D800, a surrogate
    assertFalse(valid(0xF4, 0x90, 0x80, 0x80)); // above U+10FFFF
    assertFalse(valid(0xF5, 0x80, 0x80, 0x80));
    assertFalse(valid(0x80)); // a continuation without a lead
    assertFalse(valid(0xFF));
    assertFalse(valid(0xC3, 'a')); // a lead without its continuation
  }

  @Test
  void aCharacterCutOffAtTheEndIsIncomplete() {
    var v = new Utf8Validator();
    assertTrue(v.feed(new byte[] {(byte) 0xE2, (byte) 0x82}, 0, 2));
    assertFalse(v.complete());
    assertTrue(v.feed(new byte[] {(byte) 0xAC}, 0, 1));
    assertTrue(v.complete());
  }

  /** Random bytes, fed in random chunks, against the JDK's strict decoder. */
  @Test
  void agreesWithTheJdkDecoderOnRandomInputSplitAnywhere() {
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(12)];
      for (int i = 0; i < bytes.length; i++) {
        // mostly bytes that matter to UTF-8
        bytes[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(256));
      }
      var v = new Utf8Validator();
      int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      boolean ours = v.feed(bytes, 0, at) & v.feed(bytes, at, bytes.length - at) && v.complete();
      assertEquals(jdk(bytes), ours, () -> java.util.HexFormat.of().formatHex(bytes));
    }
  }

  private static boolean jdk(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
