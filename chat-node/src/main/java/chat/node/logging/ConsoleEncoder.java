package chat.node.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The console's encoder in logback.xml: {@code <format>} {@code text} (the {@code <pattern>}) or {@code json}
 * ({@link JsonLineEncoder}). One appender whose encoder is chosen, rather than one appender per format
 * picked by name: logback warns about the appender left unreferenced and then prints its whole
 * configuration status to the console at every start, which would put lines that are not JSON in front of
 * the JSON ones. Any other format is reported as a logback error and falls back to text, so that a typo
 * cannot silence the node ({@code Main} refuses to start with one anyway).
 */
public final class ConsoleEncoder extends EncoderBase<ILoggingEvent> {

  private String format = "text";
  private String pattern;
  private Encoder<ILoggingEvent> delegate;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    if ("json".equals(format)) {
      delegate = new JsonLineEncoder();
    } else {
      if (!"text".equals(format)) {
        addError("log format '" + format + "' is neither text nor json; writing text");
      }
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      delegate = text;
    }
    delegate.setContext(getContext());
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
