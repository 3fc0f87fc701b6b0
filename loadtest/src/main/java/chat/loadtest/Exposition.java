package chat.loadtest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text exposition, parsed: every sample by metric name and labels. Enough of the format for
 * what a node serves (no timestamps are used, comments are skipped), plus the arithmetic to compare two
 * scrapes: counter deltas and quantiles from histogram bucket deltas.
 */
final class Exposition {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private Exposition(List<Sample> samples) {
    this.samples = samples;
  }

  static Exposition parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(l);
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(2) != null) {
        Matcher lm = LABEL.matcher(m.group(2));
        while (lm.find()) {
          labels.put(lm.group(1), lm.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
      }
      samples.add(new Sample(m.group(1), labels, parseValue(m.group(3))));
    }
    return new Exposition(samples);
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  /** The sum of every sample named {@code name}, over all label sets (0 if none). */
  double sum(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
  }

  boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  /** Cumulative bucket counts of histogram {@code name} ({@code name_bucket}), summed over other labels, by {@code le}. */
  TreeMap<Double, Double> buckets(String name) {
    TreeMap<Double, Double> out = new TreeMap<>();
    for (Sample s : samples) {
      if (s.name().equals(name + "_bucket") && s.labels().containsKey("le")) {
        out.merge(parseValue(s.labels().get("le")), s.value(), Double::sum);
      }
    }
    return out;
  }

  /** {@code after - before} of each bucket: the cumulative counts of what happened between two scrapes. */
  static TreeMap<Double, Double> delta(TreeMap<Double, Double> before, TreeMap<Double, Double> after) {
    TreeMap<Double, Double> out = new TreeMap<>();
    after.forEach((le, count) -> out.put(le, count - before.getOrDefault(le, 0.0)));
    return out;
  }

  /**
   * The {@code q} quantile (0..1) of cumulative buckets, as Prometheus' {@code histogram_quantile}: find
   * the bucket the rank falls in and interpolate linearly between its lower and upper bound (the lowest
   * bucket's lower bound is 0; a rank in the +Inf bucket answers the highest finite bound). NaN without samples.
   */
  static double quantile(double q, TreeMap<Double, Double> cumulative) {
    if (cumulative.isEmpty()) {
      return Double.NaN;
    }
    double total = cumulative.lastEntry().getValue();
    if (total <= 0 || !Double.isInfinite(cumulative.lastKey())) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      double upperBound = bucket.getKey();
      double count = bucket.getValue();
      if (count >= rank) {
        if (Double.isInfinite(upperBound)) {
          return lowerBound;
        }
        double inBucket = count - lowerCount;
        return inBucket <= 0 ? upperBound : lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / inBucket;
      }
      lowerBound = upperBound;
      lowerCount = count;
    }
    return lowerBound;
  }

  /** Sums of all samples by name, for a quick look. */
  Map<String, Double> totals() {
    Map<String, Double> out = new HashMap<>();
    samples.forEach(s -> out.merge(s.name(), s.value(), Double::sum));
    return out;
  }
}
