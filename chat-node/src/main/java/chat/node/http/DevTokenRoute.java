package chat.node.http;

import chat.node.auth.DevTokenIssuer;
import chat.protocol.FrameCodec;
import chat.protocol.Protocol;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /dev/token} with {@code {"user":"alice"}}: a signed token for any user id. Only mounted in
 * dev mode, where there is no identity provider.
 */
public final class DevTokenRoute {

  private final DevTokenIssuer issuer;
  private final ObjectMapper json = FrameCodec.newMapper();

  public DevTokenRoute(DevTokenIssuer issuer) {
    this.issuer = issuer;
  }

  public Route route() {
    return Directives.path(PathMatchers.segment("dev").slash("token"), () ->
        Directives.post(() -> Directives.entity(org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(),
            this::issue)));
  }

  private Route issue(String body) {
    String user;
    try {
      JsonNode node = json.readTree(body);
      user = node != null && node.hasNonNull("user") ? node.get("user").asText() : null;
    } catch (JsonProcessingException e) {
      return error(StatusCodes.BAD_REQUEST, "body must be JSON like {\"user\":\"alice\"}");
    }
    if (!Protocol.isUserId(user)) {
      return error(StatusCodes.BAD_REQUEST, "user must match " + Protocol.USER_ID.pattern());
    }
    DevTokenIssuer.Issued issued = issuer.issue(user);
    return json(StatusCodes.OK, Map.of(
        "token", issued.token(),
        "userId", issued.userId(),
        "expiresAt", issued.expiresAt().toEpochMilli()));
  }

  private Route error(StatusCode status, String message) {
    return json(status, Map.of("error", message));
  }

  private Route json(StatusCode status, Map<String, Object> body) {
    try {
      return Directives.complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, json.writeValueAsString(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
