package chat.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The node's own view of a run, to set next to the generator's: {@code /metrics} scraped before and after,
 * and the deltas of the message counters and latency histograms (docs/observability.md names them).
 */
final class ServerMetrics {

  static final String ACCEPTED = "chat_messages_accepted_total";
  static final String SEND_ACK = "chat_send_ack_seconds";
  static final String PERSIST = "chat_persist_seconds";
  static final String DELIVERY = "chat_delivery_seconds";

  /** p50 and p99 in ms of what a histogram recorded between the scrapes; {@code count} samples. */
  record Quantiles(double count, double p50, double p99) {}

  /**
   * The server's deltas with the generator's figures beside them: {@code accepted} (server) against
   * {@code generatorAcked}; {@code deliveries} ({@code chat_delivery_seconds_count}: messages queued on a
   * recipient's socket, the sender's own copy included) against {@code generatorReceived} (items the
   * generator's members received, repeats included). Server percentiles are estimated from bucket
   * deltas, so they are only as fine as the buckets.
   */
  record Comparison(String endpoint, double accepted, long generatorAcked, double deliveries, long generatorReceived,
      Quantiles sendAck, Quantiles persist, Quantiles delivery) {}

  private final HttpClient http;
  private final List<URI> endpoints;
  private Exposition before;

  /** {@code endpoints}: every node's; a scrape is their sum. */
  ServerMetrics(HttpClient http, List<URI> endpoints) {
    this.http = http;
    this.endpoints = List.copyOf(endpoints);
  }

  void before() {
    before = scrape();
  }

  Comparison after(long generatorAcked, long generatorReceived) {
    Exposition after = scrape();
    String names = endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
    return compare(names, before, after, generatorAcked, generatorReceived);
  }

  static Comparison compare(String endpoint, Exposition before, Exposition after, long generatorAcked,
      long generatorReceived) {
    return new Comparison(endpoint,
        after.sum(ACCEPTED) - before.sum(ACCEPTED), generatorAcked,
        after.sum(DELIVERY + "_count") - before.sum(DELIVERY + "_count"), generatorReceived,
        quantiles(before, after, SEND_ACK), quantiles(before, after, PERSIST), quantiles(before, after, DELIVERY));
  }

  private static Quantiles quantiles(Exposition before, Exposition after, String histogram) {
    TreeMap<Double, Double> delta = Exposition.delta(before.buckets(histogram), after.buckets(histogram));
    double count = delta.isEmpty() ? 0 : delta.lastEntry().getValue();
    return new Quantiles(count, ms(Exposition.quantile(0.5, delta)), ms(Exposition.quantile(0.99, delta)));
  }

  private static double ms(double seconds) {
    return Double.isNaN(seconds) ? -1 : Math.round(seconds * 100_000) / 100.0;
  }

  /** Every node's exposition in one: sums and bucket counts add up across nodes. */
  private Exposition scrape() {
    StringBuilder all = new StringBuilder();
    for (URI endpoint : endpoints) {
      all.append(scrape(endpoint)).append('\n');
    }
    return Exposition.parse(all.toString());
  }

  private String scrape(URI endpoint) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + endpoint + " answered " + response.statusCode());
      }
      return response.body();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot scrape " + endpoint + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
