package chat.cassandra.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * Decodes payloads written by Pekko's Jackson serializers into generic trees, without the classes they were
 * written from: the journal stores each payload's serializer id and manifest (the class name, with
 * {@code #<version>} when a Jackson migration is configured), and Jackson's CBOR and JSON are
 * self-describing. This is what lets the inspector read journals of older and newer server versions.
 *
 * <p>Like Pekko's {@code JacksonSerializer.decompress}, payloads are decompressed first when they start with
 * the gzip magic or Pekko's LZ4 header (the jackson-json binding gzips payloads over 32 KiB by default;
 * jackson-cbor compresses only when configured to).
 */
public final class PayloadDecoder {

  /** Pekko's serializer ids (pekko.actor.serialization-identifiers in pekko-serialization-jackson). */
  public static final int JACKSON_JSON = 31;
  /** Data written by the CBOR serializer of Akka 2.6.4 and earlier, which was in fact JSON. */
  public static final int JACKSON_CBOR_264 = 32;
  public static final int JACKSON_CBOR = 33;

  /** Pekko's LZ4 header: this magic, then the uncompressed length, both 4-byte big-endian. */
  static final int LZ4_MAGIC = 0x87D96DF6;
  private static final int LZ4_HEADER = 8;
  /** Refuse to inflate a payload beyond this: a corrupt length must not exhaust the inspector's heap. */
  private static final int MAX_DECOMPRESSED = 64 * 1024 * 1024;

  /** What came out of one payload: a tree, or why there is none. */
  public sealed interface Decoded {
    record Ok(JsonNode payload) implements Decoded {}

    record Failed(String reason) implements Decoded {}
  }

  private final ObjectMapper cbor = CBORMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private final ObjectMapper json = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  public Decoded decode(int serId, String manifest, byte[] bytes) {
    ObjectMapper mapper = switch (serId) {
      case JACKSON_CBOR -> cbor;
      case JACKSON_JSON, JACKSON_CBOR_264 -> json;
      default -> null;
    };
    if (mapper == null) {
      return new Decoded.Failed("serializer id " + serId + describeSerializer(serId)
          + " is not one of Pekko's Jackson serializers (31 jackson-json, 32 jackson-cbor-264, 33 jackson-cbor);"
          + " its payload cannot be decoded without the classes that wrote it");
    }
    if (bytes == null || bytes.length == 0) {
      return new Decoded.Failed("the payload is empty");
    }
    byte[] plain;
    try {
      plain = decompress(bytes);
    } catch (IOException | IllegalArgumentException e) {
      return new Decoded.Failed("the payload looks compressed but does not decompress: " + e.getMessage());
    }
    try {
      JsonNode tree = mapper.readTree(plain);
      if (tree == null || tree.isMissingNode()) {
        return new Decoded.Failed("the payload holds no value");
      }
      return new Decoded.Ok(tree);
    } catch (IOException e) {
      return new Decoded.Failed("not valid " + (mapper == cbor ? "CBOR" : "JSON") + " ("
          + firstLine(e.getMessage()) + ")");
    }
  }

  /** As Pekko's JacksonSerializer: gzip magic first, then its LZ4 header, else the bytes as they are. */
  static byte[] decompress(byte[] bytes) throws IOException {
    if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        byte[] plain = in.readNBytes(MAX_DECOMPRESSED + 1);
        if (plain.length > MAX_DECOMPRESSED) {
          throw new IOException("more than " + MAX_DECOMPRESSED + " bytes when inflated");
        }
        return plain;
      }
    }
    if (bytes.length >= LZ4_HEADER && ByteBuffer.wrap(bytes).getInt(0) == LZ4_MAGIC) {
      int length = ByteBuffer.wrap(bytes).getInt(4);
      if (length < 0 || length > MAX_DECOMPRESSED) {
        throw new IOException("LZ4 header declares " + length + " bytes");
      }
      return Lz4Block.decompress(bytes, LZ4_HEADER, bytes.length - LZ4_HEADER, length);
    }
    return bytes;
  }

  private static String describeSerializer(int serId) {
    return switch (serId) {
      case 1 -> " (Java serialization)";
      case 2 -> " (protobuf)";
      case 4 -> " (raw bytes)";
      default -> "";
    };
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
