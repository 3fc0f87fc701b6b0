package chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

  @Test
  void lengthIsThatOfTheEncodedBytes() {
    for (String s : new String[] {"", "abc", "é", "€", "😀", "a€😀é", "\uD83D", "x\uDE00y"}) {
      // an unpaired surrogate is encoded as '?' by getBytes but counted as its 3-byte replacement
      long expected = s.codePoints().mapToLong(cp -> Character.isSurrogate((char) cp) && cp < 0x10000 ? 3
          : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length).sum();
      assertEquals(expected, Utf8.length(s), s);
    }
  }

  @Test
  void surelyWithinJudgesByLengthAlone() {
    assertTrue(Utf8.surelyWithin("€€", 6));
    assertFalse(Utf8.surelyWithin("€€", 5));
    // false decides nothing: 2 ASCII chars do fit in 5 bytes
    assertFalse(Utf8.surelyWithin("ab", 5));
    assertTrue(Utf8.surelyWithin("", 0));
  }

  @Test
  void surelyWithinNeverAdmitsATextOverTheLimit() {
    var random = new Random(42);
    char[] kinds = {'a', 'é', '€', '\uD83D', '\uDE00'};
    for (int i = 0; i < 10_000; i++) {
      var s = new StringBuilder();
      int length = random.nextInt(12);
      for (int k = 0; k < length; k++) {
        s.append(kinds[random.nextInt(kinds.length)]);
      }
      long max = random.nextInt(40);
      if (Utf8.surelyWithin(s, max)) {
        assertTrue(Utf8.length(s) <= max, s + " within " + max);
      }
    }
  }
}
