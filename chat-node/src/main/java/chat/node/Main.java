package chat.node;

import chat.node.dev.DevMode;
import chat.node.logging.LogContext;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The process entry point. {@code run} (default) starts a node from application.conf and the environment;
 * {@code migrate} applies the Cassandra schema with the same configuration and exits; {@code dev} starts a
 * single dev-mode node together with its own local Cassandra.
 */
public final class Main {

  private Main() {}

  /** application.conf (or -Dconfig.resource=kubernetes.conf), with list-valued environment variables laid over. */
  static com.typesafe.config.Config load() {
    return EnvironmentOverrides.from(System.getenv()).withFallback(ConfigFactory.load());
  }

  /** One-shot: the production wiring without cluster membership, then exit. */
  private static void migrate() {
    var config = ConfigFactory.parseString("pekko.actor.provider = local").withFallback(load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chat-migrate", ConfigFactory.load(config));
    int status = 0;
    try {
      ChatNode.migrate(system, ChatNodeSettings.Cassandra.fromConfig(system.settings().config()));
    } catch (RuntimeException e) {
      System.err.println("migration failed: " + e.getMessage());
      status = 1;
    } finally {
      system.terminate();
    }
    System.exit(status);
  }

  public static void main(String[] args) throws Exception {
    LogContext.invalidFormat(System.getProperty(LogContext.FORMAT_PROPERTY), System.getenv()).ifPresent(problem -> {
      System.err.println(problem);
      System.exit(2);
    });
    String command = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "run" -> {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chat", load());
        ChatNode.init(system);
      }
      case "dev" -> DevMode.main(rest);
      case "dev-join" -> DevMode.join(rest);
      case "migrate" -> migrate();
      default -> {
        System.err.println("usage: chat-node run | migrate | dev [--data-dir DIR] [--cql-port N] [--storage-port N] [--http-port N]"
            + " | dev-join [--http-port 8081] [--remote-port 25521] [--seed-port 25520] [--cql-port 9042]");
        System.exit(2);
      }
    }
  }
}
