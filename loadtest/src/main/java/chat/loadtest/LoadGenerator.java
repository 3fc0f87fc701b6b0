package chat.loadtest;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's command line (docs/benchmarks.md): runs one {@link Scenario} against a node,
 * prints a progress line every 5 s on stderr and a summary on stdout, writes the JSON result and the
 * HTML report.
 *
 * <pre>java -jar loadtest/target/chat-loadtest.jar --scenario groups --rooms 25 --room-size 20 --rate 500 --seconds 30</pre>
 *
 * <p>Exit code: 0 if the run passed; 1 if anything was lost, duplicated or reordered, a send or a
 * connection failed, or a scenario check failed; 2 if the run could not be made (bad options, a setup
 * step failed, the hard deadline passed).
 */
public final class LoadGenerator {

  private LoadGenerator() {}

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      Scenario.named(options.scenario(), options.flag("--knee"));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    long deadline = options.longValue("--deadline") > 0 ? options.longValue("--deadline") : Run.derivedDeadline(options);
    // the backstop: whatever hangs, the process ends shortly after the run's own deadline
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(deadline + 60));
        System.err.println("the run exceeded its hard deadline of " + deadline + " s; stopping");
        Runtime.getRuntime().halt(2);
      } catch (InterruptedException e) {
        // the run ended
      }
    }, "deadline");
    watchdog.setDaemon(true);
    watchdog.start();
    int code;
    try {
      Result result = run(options, null, System.err::println, "java -jar chat-loadtest.jar " + String.join(" ", args));
      System.out.println(Summary.render(result));
      code = result.passed() ? 0 : 1;
    } catch (Run.Aborted | IllegalArgumentException e) {
      System.err.println("run aborted: " + e.getMessage());
      code = 2;
    } catch (RuntimeException e) {
      // not a finding about the node: the run itself could not be made or reported (exit code 1 means findings)
      System.err.println("run failed: " + e);
      e.printStackTrace();
      code = 2;
    }
    watchdog.interrupt();
    System.exit(code);
  }

  /**
   * Runs the scenario the options name and writes the report files. {@code tokens}: null for dev-mode
   * tokens ({@code POST /dev/token}).
   */
  static Result run(Options options, TokenSource tokens, java.util.function.Consumer<String> progress, String command) {
    Scenario scenario = Scenario.named(options.scenario(), options.flag("--knee"));
    Result result;
    try (Run run = new Run(options, tokens, progress)) {
      scenario.run(run);
      result = run.result(scenario.name(), command);
    }
    Path json = options.string("--out").isEmpty() ? ReportFiles.defaultPath(scenario.name()) : Path.of(options.string("--out"));
    Path html = ReportFiles.write(result, json);
    progress.accept("result: " + json + "\nreport: " + html);
    return result;
  }
}
