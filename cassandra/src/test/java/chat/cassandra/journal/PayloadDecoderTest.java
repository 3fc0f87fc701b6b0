package chat.cassandra.journal;

import static chat.cassandra.journal.JournalFixtures.cbor;
import static chat.cassandra.journal.JournalFixtures.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class PayloadDecoderTest {

  private final PayloadDecoder decoder = new PayloadDecoder();

  private JsonNode ok(int serId, byte[] bytes) {
    return assertInstanceOf(PayloadDecoder.Decoded.Ok.class, decoder.decode(serId, "chat.X", bytes)).payload();
  }

  private String failed(int serId, byte[] bytes) {
    return assertInstanceOf(PayloadDecoder.Decoded.Failed.class, decoder.decode(serId, "chat.X", bytes)).reason();
  }

  @Test
  void decodesJacksonCborWithoutTheClasses() {
    JsonNode payload = ok(33, cbor(map("type", "message-posted", "sender", "alice", "clientMsgId", "m-1",
        "body", "grüße 👋", "ts", 1_714_557_600_123L, "members", List.of("a", "b"), "name", null)));
    assertEquals("message-posted", payload.get("type").asText());
    assertEquals("grüße 👋", payload.get("body").asText());
    assertEquals(1_714_557_600_123L, payload.get("ts").asLong());
    assertEquals(2, payload.get("members").size());
    assertTrue(payload.get("name").isNull());
  }

  @Test
  void decodesJsonAndTheOldCborIdThatWasJson() {
    byte[] json = "{\"user\":\"bob\",\"at\":5}".getBytes(StandardCharsets.UTF_8);
    assertEquals("bob", ok(31, json).get("user").asText());
    assertEquals(5, ok(32, json).get("at").asInt());
  }

  @Test
  void decompressesGzipAsPekkoDoes() throws IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write(cbor(map("body", "x".repeat(50_000))));
    }
    assertEquals(50_000, ok(33, zipped.toByteArray()).get("body").asText().length());
  }

  @Test
  void decompressesPekkosLz4Framing() {
    byte[] plain = cbor(map("user", "carol", "note", "x".repeat(40))); // 15..269 bytes: one extension byte
    // one literal-only LZ4 block: token (length in the high nibble, 15 = extended), then the bytes
    ByteBuffer block = ByteBuffer.allocate(8 + 2 + plain.length);
    block.putInt(PayloadDecoder.LZ4_MAGIC).putInt(plain.length);
    block.put((byte) 0xF0).put((byte) (plain.length - 15)).put(plain);
    assertEquals("carol", ok(33, block.array()).get("user").asText());
  }

  @Test
  void saysWhyAPayloadCannotBeDecoded() {
    assertTrue(failed(1, new byte[] {1, 2}).contains("serializer id 1 (Java serialization) is not one of Pekko's"
        + " Jackson serializers"), failed(1, new byte[] {1, 2}));
    assertTrue(failed(33, "not cbor".getBytes(StandardCharsets.UTF_8)).startsWith("not valid CBOR"));
    assertTrue(failed(31, "{\"a\":".getBytes(StandardCharsets.UTF_8)).startsWith("not valid JSON"));
    assertEquals("the payload is empty", failed(33, new byte[0]));
    assertTrue(failed(33, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}).contains("does not decompress"));
  }

  @Test
  void trailingBytesAreCorruption() {
    byte[] valid = cbor(map("a", 1));
    byte[] withGarbage = Arrays.copyOf(valid, valid.length + 3);
    assertTrue(failed(33, withGarbage).startsWith("not valid CBOR"), failed(33, withGarbage));
  }

  @Test
  void typeNamesComeFromTheManifest() {
    assertEquals("MessagePosted", JournalEvent.typeName("chat.node.room.ChatRoom$MessagePosted"));
    assertEquals("CursorsAdvanced", JournalEvent.typeName("chat.node.user.UserSession$CursorsAdvanced#3"));
    assertEquals("Plain", JournalEvent.typeName("Plain"));
    assertEquals("?", JournalEvent.typeName(""));
  }

  @Test
  void lz4MatchesMayOverlapTheirOutput() {
    // "abc", then a match 3 back of length 9 (token 0x35: 3 literals, match 4+5), then an empty last sequence
    byte[] block = {0x35, 'a', 'b', 'c', 3, 0, 0x00};
    assertArrayEquals("abcabcabcabc".getBytes(StandardCharsets.US_ASCII), Lz4Block.decompress(block, 0, block.length, 12));
  }

  @Test
  void lz4RejectsCorruptBlocks() {
    assertThrows(IllegalArgumentException.class, () -> Lz4Block.decompress(new byte[] {0x35, 'a', 'b', 'c', 9, 0, 0}, 0, 7, 12));
    assertThrows(IllegalArgumentException.class, () -> Lz4Block.decompress(new byte[] {0x30, 'a', 'b', 'c'}, 0, 4, 5));
    assertThrows(IllegalArgumentException.class, () -> Lz4Block.decompress(new byte[] {0x50, 'a'}, 0, 2, 5));
  }
}
