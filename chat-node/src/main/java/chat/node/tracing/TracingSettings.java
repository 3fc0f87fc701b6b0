package chat.node.tracing;

import com.typesafe.config.Config;

/**
 * {@code chat.tracing} (tracing.conf): whether the node traces a message's path, and where the spans go.
 *
 * @param exporter {@code otlp} (OTLP over gRPC) or {@code otlp-http} (OTLP over HTTP/protobuf)
 * @param otlpEndpoint the collector: for {@code otlp} its gRPC address, for {@code otlp-http} the full URL
 *     of its traces path ({@code .../v1/traces})
 * @param sampleRatio the share of sends that start a recorded trace, from 0 to 1
 * @param serviceName {@code service.name} of the spans
 */
public record TracingSettings(
    boolean enabled, String exporter, String otlpEndpoint, double sampleRatio, String serviceName) {

  public static final String OTLP = "otlp";
  public static final String OTLP_HTTP = "otlp-http";

  public TracingSettings {
    if (!exporter.equals(OTLP) && !exporter.equals(OTLP_HTTP)) {
      throw new IllegalArgumentException("chat.tracing.exporter must be otlp or otlp-http, not " + exporter);
    }
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw new IllegalArgumentException("chat.tracing.sample-ratio must be between 0 and 1, not " + sampleRatio);
    }
    if (enabled && otlpEndpoint.isBlank()) {
      throw new IllegalArgumentException("chat.tracing.otlp-endpoint must be set when tracing is on");
    }
  }

  public static TracingSettings fromConfig(Config root) {
    Config c = root.getConfig("chat.tracing");
    return new TracingSettings(c.getBoolean("enabled"), c.getString("exporter"), c.getString("otlp-endpoint"),
        c.getDouble("sample-ratio"), c.getString("service-name"));
  }
}
