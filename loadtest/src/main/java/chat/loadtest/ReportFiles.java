package chat.loadtest;

import chat.protocol.FrameCodec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Writes a {@link Result} as JSON and, beside it, as an HTML report; reads the JSON back. */
final class ReportFiles {

  private static final ObjectMapper JSON = FrameCodec.newMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportFiles() {}

  /** {@code target/loadtest/<scenario>-<yyyyMMdd-HHmmss>.json} */
  static Path defaultPath(String scenario) {
    return Path.of("target", "loadtest",
        scenario + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
  }

  /** Writes {@code json} and the HTML next to it (same name, .html); returns the HTML's path. */
  static Path write(Result result, Path json) {
    Path html = json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".html");
    try {
      if (json.toAbsolutePath().getParent() != null) {
        Files.createDirectories(json.toAbsolutePath().getParent());
      }
      JSON.writeValue(json.toFile(), result);
      Files.writeString(html, HtmlReport.render(result));
      return html;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + json, e);
    }
  }

  static Result read(Path json) {
    try {
      return JSON.readValue(json.toFile(), Result.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json, e);
    }
  }
}
