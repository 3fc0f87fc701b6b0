package chat.node.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a node's {@code /metrics}: every sample, keyed by its name and labels as exposed. */
public final class Scrape {

  /** Name, labels, value, and an optional timestamp, which is ignored. */
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)( -?\\d+)?$", Pattern.MULTILINE);

  private Scrape() {}

  /** The exposition format writes infinities as {@code +Inf} and {@code -Inf}, which Java does not parse. */
  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  public static Map<String, Double> samples(URI uri) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("GET " + uri + " answered " + response.statusCode());
      }
      Map<String, Double> samples = new HashMap<>();
      Matcher m = SAMPLE.matcher(response.body());
      while (m.find()) {
        samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), value(m.group(3)));
      }
      return samples;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
