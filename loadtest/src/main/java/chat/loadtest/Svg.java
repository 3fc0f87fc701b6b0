package chat.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** Inline SVG line charts for the HTML report: no scripts, no external files. */
final class Svg {

  /** One line: its name (the legend), colour, and points. */
  record Series(String name, String color, double[] x, double[] y) {}

  private static final int WIDTH = 760;
  private static final int HEIGHT = 300;
  private static final int LEFT = 64;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 44;

  private Svg() {}

  /**
   * A chart of {@code series} over x from {@code xMin} to {@code xMax} (y from 0 to the highest point);
   * {@code xTicks} are where to label the x axis, {@code xLabel} how.
   */
  static String lineChart(String id, String title, String xTitle, String yTitle, List<Series> series, double xMin,
      double xMax, double[] xTicks, DoubleFunction<String> xLabel) {
    double yMax = series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.y())).max().orElse(1);
    yMax = niceCeiling(Math.max(yMax, 0.001));
    double xSpan = xMax > xMin ? xMax - xMin : 1;
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"11\">%n", id, WIDTH, HEIGHT, WIDTH, HEIGHT));
    out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
        LEFT, Html.escape(title)));
    out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>%n",
        LEFT, TOP, plotW, plotH));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double y = TOP + plotH - plotH * i / 4;
      out.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
          LEFT, y, LEFT + plotW, y, LEFT - 4, y + 4, format(v)));
    }
    for (double t : xTicks) {
      double x = LEFT + plotW * (t - xMin) / xSpan;
      out.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>%n",
          x, TOP, x, TOP + plotH, x, TOP + plotH + 14, Html.escape(xLabel.apply(t))));
    }
    out.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
        LEFT + plotW / 2, HEIGHT - 6, Html.escape(xTitle)));
    out.append(String.format(Locale.ROOT,
        "<text x=\"14\" y=\"%.0f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.0f)\">%s</text>%n",
        TOP + plotH / 2, TOP + plotH / 2, Html.escape(yTitle)));
    int legend = 0;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        double x = LEFT + plotW * (s.x()[i] - xMin) / xSpan;
        double y = TOP + plotH - plotH * Math.min(s.y()[i], yMax) / yMax;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      out.append(String.format(Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\"><title>%s</title></polyline>%n",
          s.color(), points.toString().strip(), Html.escape(s.name())));
      double lx = LEFT + 10 + legend * 150;
      out.append(String.format(Locale.ROOT,
          "<line x1=\"%.0f\" y1=\"%d\" x2=\"%.0f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/><text x=\"%.0f\" y=\"%d\">%s</text>%n",
          lx, TOP + 12, lx + 18, TOP + 12, s.color(), lx + 22, TOP + 16, Html.escape(s.name())));
      legend++;
    }
    out.append("</svg>\n");
    return out.toString();
  }

  private static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String format(double v) {
    return v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
