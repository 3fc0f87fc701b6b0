package chat.node.push.dispatch;

import chat.node.EnvironmentOverrides;
import chat.node.logging.LogContext;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push dispatcher as its own process ({@code deploy/bin/chat-node push-dispatcher}): the node's
 * application.conf and environment, an actor system named {@value #SYSTEM_NAME} that joins no cluster, and the
 * {@link PushDispatcher} with the HTTP sender. SIGTERM runs coordinated shutdown, which drains the dispatcher
 * (its task is in service-requests-done, whose timeout is raised here to cover {@code drain-timeout}); the
 * process exits once the actor system has terminated.
 */
public final class DispatcherMain {

  public static final String SYSTEM_NAME = "chat-push-dispatcher";

  private static final Logger log = LoggerFactory.getLogger(DispatcherMain.class);

  private DispatcherMain() {}

  /**
   * This process's overrides on top of {@code base}: application.conf makes every node a cluster member
   * (cluster.conf), which a dispatcher neither needs nor should be (it would try to join the chat cluster).
   */
  public static Config forDispatcher(Config base) {
    long drainMillis = base.getDuration(DispatcherSettings.PATH + ".drain-timeout").toMillis();
    Config overrides = ConfigFactory.parseString(
        "pekko.actor.provider = local\n"
            + "pekko.coordinated-shutdown.phases.service-requests-done.timeout = " + (drainMillis + 5000) + "ms\n");
    return ConfigFactory.load(overrides.withFallback(base));
  }

  /** Starts the dispatcher with the production sender (FCM and APNs over HTTP) in {@code system}. */
  public static PushDispatcher init(ActorSystem<?> system) {
    DispatcherSettings settings = DispatcherSettings.fromConfig(system.settings().config());
    log.info("push dispatcher settings: {}", settings);
    return PushDispatcher.start(system, settings, new HttpPushSender(settings, Clock.systemUTC()));
  }

  public static void main(String[] args) {
    LogContext.invalidFormat(System.getProperty(LogContext.FORMAT_PROPERTY), System.getenv()).ifPresent(problem -> {
      System.err.println(problem);
      System.exit(2);
    });
    LogContext.node(SYSTEM_NAME + "@" + hostName());
    Config config = forDispatcher(EnvironmentOverrides.from(System.getenv()).withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    try {
      init(system);
    } catch (RuntimeException e) {
      log.error("push dispatcher could not start", e);
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      System.exit(1);
    }
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /** In Kubernetes, the pod's name. */
  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown";
    }
  }
}
