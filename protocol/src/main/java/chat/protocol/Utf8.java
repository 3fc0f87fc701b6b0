package chat.protocol;

/** UTF-8 sizes without encoding: limits are in bytes, and checking one must not copy the text. */
public final class Utf8 {

  /** The most a UTF-16 char takes in UTF-8: 3 bytes (a surrogate pair takes 4 for its 2 chars). */
  static final int MAX_BYTES_PER_CHAR = 3;

  private Utf8() {}

  /** How many bytes {@code s} takes in UTF-8 (an unpaired surrogate counts as the 3 bytes of its replacement). */
  public static long length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /**
   * True when {@code s} takes at most {@code maxBytes} in UTF-8 whatever its chars are, judged by its length
   * alone; false decides nothing ({@link #length} does). Most texts are far below their limit, so checking
   * this first spares reading them char by char.
   */
  public static boolean surelyWithin(CharSequence s, long maxBytes) {
    return (long) s.length() * MAX_BYTES_PER_CHAR <= maxBytes;
  }
}
