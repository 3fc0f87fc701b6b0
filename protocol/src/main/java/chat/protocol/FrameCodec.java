package chat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * JSON text frames to and from records. Decoding a client frame never throws: every way a frame can be
 * wrong maps to a {@link DecodeResult.Invalid} with a stable {@link ErrorCode}. Thread-safe.
 */
public final class FrameCodec {

  private static final Set<String> CLIENT_TYPES = Arrays.stream(
          ClientFrame.class.getAnnotation(JsonSubTypes.class).value())
      .map(JsonSubTypes.Type::name)
      .collect(Collectors.toUnmodifiableSet());

  /** Deeper JSON is a bad_frame; no valid frame nests more than a few levels. */
  public static final int MAX_NESTING_DEPTH = 16;
  /** Longer numbers (in characters) are a bad_frame; seqs and limits fit in 19 digits. */
  public static final int MAX_NUMBER_LENGTH = 20;

  private final ObjectMapper mapper;
  private final FrameValidator validator;

  public FrameCodec(Limits limits) {
    this.mapper = newMapper();
    this.validator = new FrameValidator(limits);
  }

  /**
   * The mapper used on the wire: unknown fields are ignored (a newer peer may add some), nulls are left
   * out, duplicate keys are rejected (a frame must not mean two things).
   */
  public static ObjectMapper newMapper() {
    return JsonMapper.builder(JsonFactory.builder()
            // hostile input: no deep nesting, no absurd numbers; strings are bounded by the frame limit
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build())
            .build())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        // a decimal is no string: bound from the text it is "1e2", read through a tree it is "100.0", and
        // an id or room id must not depend on how a frame happens to be read (an integer stays a string)
        .withCoercionConfig(LogicalType.Textual, config -> config.setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
        .build();
  }

  public DecodeResult decodeClientFrame(String text) {
    if (!startsAsObject(text)) {
      // Jackson would take a [type, {...}] array as a typed value: only an object is a frame
      return decodeInvalid(text);
    }
    ClientFrame bound;
    try {
      // almost every frame is valid: bound in one pass, without a tree in between
      bound = mapper.readValue(text, ClientFrame.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return decodeInvalid(text);
    }
    return validated(bound);
  }

  private DecodeResult validated(ClientFrame frame) {
    return validator.validate(frame).<DecodeResult>map(invalid -> invalid).orElse(new DecodeResult.Valid(frame));
  }

  private static boolean startsAsObject(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return c == '{';
      }
    }
    return false;
  }

  /**
   * A frame that did not bind, read again step by step for the most precise error: not JSON, not an
   * object, no or an unknown type (with the frame's id where it has one), or fields that do not fit the type.
   */
  private DecodeResult decodeInvalid(String text) {
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return new DecodeResult.Invalid(null, ErrorCode.BAD_FRAME, "not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return new DecodeResult.Invalid(null, ErrorCode.BAD_FRAME, "a frame must be a JSON object");
    }
    JsonNode idNode = node.get("id");
    String id = idNode != null && (idNode.isTextual() || idNode.isIntegralNumber())
        ? FrameValidator.safeId(idNode.asText()) : null;
    JsonNode typeNode = node.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      return new DecodeResult.Invalid(id, ErrorCode.UNKNOWN_TYPE, "type is required and must be a string");
    }
    if (!CLIENT_TYPES.contains(typeNode.asText())) {
      return new DecodeResult.Invalid(id, ErrorCode.UNKNOWN_TYPE, "unknown type '" + clip(typeNode.asText()) + "'");
    }
    ClientFrame frame;
    try {
      frame = mapper.treeToValue(node, ClientFrame.class);
    } catch (JsonProcessingException e) {
      return new DecodeResult.Invalid(id, ErrorCode.INVALID_REQUEST, describe(e));
    } catch (IllegalArgumentException e) {
      return new DecodeResult.Invalid(id, ErrorCode.INVALID_REQUEST, clip(e.getMessage()));
    }
    return validated(frame);
  }

  public String encode(ServerFrame frame) {
    return write(frame);
  }

  /** The frame's JSON in UTF-8, as it goes on the wire: no string is built on the way. */
  public byte[] encodeBytes(ServerFrame frame) {
    try {
      return mapper.writeValueAsBytes(frame);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String encode(ClientFrame frame) {
    return write(frame);
  }

  /** For clients: reads a server frame, throwing {@link IllegalArgumentException} if it is not one. */
  public ServerFrame decodeServerFrame(String text) {
    try {
      return mapper.readValue(text, ServerFrame.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a server frame: " + e.getOriginalMessage(), e);
    }
  }

  private String write(Object frame) {
    try {
      return mapper.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Names the offending field, e.g. "limit: expected an integer", without echoing the input. */
  private static String describe(JsonProcessingException e) {
    String path = e instanceof JsonMappingException m
        ? m.getPath().stream()
            .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining("."))
        : "";
    String what = clip(e.getOriginalMessage());
    return path.isEmpty() ? what : path + ": " + what;
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    String oneLine = s.replace('\n', ' ');
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "…";
  }
}
