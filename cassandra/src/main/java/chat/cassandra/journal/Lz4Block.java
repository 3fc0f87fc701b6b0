package chat.cassandra.journal;

/**
 * Decompresses one LZ4 block (the raw block format, as lz4-java's compressors write it), which is how Pekko's
 * Jackson serializers store payloads when {@code compression.algorithm = lz4}. Implemented here from the
 * published block format, because pulling in lz4-java for an option the chat does not enable would be a
 * dependency for nothing; every read is bounds-checked so that a corrupt payload fails with a message.
 */
final class Lz4Block {

  private static final int MIN_MATCH = 4;

  private Lz4Block() {}

  /** @throws IllegalArgumentException if the block is corrupt or does not decompress to {@code outLength} */
  static byte[] decompress(byte[] src, int offset, int length, int outLength) {
    if (offset < 0 || length < 0 || offset + length > src.length || outLength < 0) {
      throw new IllegalArgumentException("LZ4 block bounds out of range");
    }
    byte[] out = new byte[outLength];
    int in = offset;
    int end = offset + length;
    int dst = 0;
    while (true) {
      if (in >= end) {
        throw new IllegalArgumentException("LZ4 block ends before its last sequence");
      }
      int token = src[in++] & 0xff;
      int literals = token >>> 4;
      if (literals == 15) {
        int[] extended = extend(src, in, end, literals);
        literals = extended[0];
        in = extended[1];
      }
      if (literals > end - in || literals > outLength - dst) {
        throw new IllegalArgumentException("LZ4 literal run of " + literals + " bytes overruns the block");
      }
      System.arraycopy(src, in, out, dst, literals);
      in += literals;
      dst += literals;
      if (in == end) {
        break; // the last sequence has literals only
      }
      if (end - in < 2) {
        throw new IllegalArgumentException("LZ4 block ends inside a match offset");
      }
      int distance = (src[in] & 0xff) | (src[in + 1] & 0xff) << 8;
      in += 2;
      if (distance == 0 || distance > dst) {
        throw new IllegalArgumentException("LZ4 match offset " + distance + " points before the output");
      }
      int match = token & 0x0f;
      if (match == 15) {
        int[] extended = extend(src, in, end, match);
        match = extended[0];
        in = extended[1];
      }
      match += MIN_MATCH;
      if (match > outLength - dst) {
        throw new IllegalArgumentException("LZ4 match of " + match + " bytes overruns the declared length");
      }
      for (int i = 0; i < match; i++, dst++) {
        out[dst] = out[dst - distance]; // byte by byte: matches may overlap their own output
      }
    }
    if (dst != outLength) {
      throw new IllegalArgumentException("LZ4 block decompressed to " + dst + " bytes, expected " + outLength);
    }
    return out;
  }

  /** A length of 15 continues in the following bytes, each added, until one is not 255. */
  private static int[] extend(byte[] src, int in, int end, int length) {
    int b;
    do {
      if (in >= end) {
        throw new IllegalArgumentException("LZ4 block ends inside a length");
      }
      b = src[in++] & 0xff;
      length += b;
      if (length < 0) {
        throw new IllegalArgumentException("LZ4 length overflows");
      }
    } while (b == 255);
    return new int[] {length, in};
  }
}
