package chat.node.gateway;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) as they arrive, chunk by chunk, so a text message split over frames or reads is checked without
 * being held whole. One per connection, reset per message.
 */
final class Utf8Validator {

  /** Continuation bytes still expected for the current character. */
  private int needed;
  /** The range the next continuation byte must fall in (narrower right after some lead bytes). */
  private int lower = 0x80;
  private int upper = 0xBF;
  private boolean invalid;

  /** Feeds {@code length} bytes of {@code bytes} from {@code offset}; false once anything was malformed. */
  boolean feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end && !invalid; i++) {
      int b = bytes[i] & 0xFF;
      if (needed == 0) {
        if (b >= 0x80) {
          lead(b);
        }
      } else if (b < lower || b > upper) {
        invalid = true;
      } else {
        lower = 0x80;
        upper = 0xBF;
        needed--;
      }
    }
    return !invalid;
  }

  private void lead(int b) {
    if (b >= 0xC2 && b <= 0xDF) {
      expect(1, 0x80, 0xBF);
    } else if (b == 0xE0) {
      expect(2, 0xA0, 0xBF); // below A0 would be an overlong form
    } else if (b == 0xED) {
      expect(2, 0x80, 0x9F); // above 9F would be a surrogate
    } else if (b >= 0xE1 && b <= 0xEF) {
      expect(2, 0x80, 0xBF);
    } else if (b == 0xF0) {
      expect(3, 0x90, 0xBF);
    } else if (b >= 0xF1 && b <= 0xF3) {
      expect(3, 0x80, 0xBF);
    } else if (b == 0xF4) {
      expect(3, 0x80, 0x8F); // above 8F would be past U+10FFFF
    } else {
      invalid = true; // a stray continuation byte, C0, C1 or F5..FF
    }
  }

  private void expect(int continuations, int nextLower, int nextUpper) {
    needed = continuations;
    lower = nextLower;
    upper = nextUpper;
  }

  /** True if everything fed so far was well-formed and no character is cut off at the end. */
  boolean complete() {
    return !invalid && needed == 0;
  }

  void reset() {
    needed = 0;
    lower = 0x80;
    upper = 0xBF;
    invalid = false;
  }
}
