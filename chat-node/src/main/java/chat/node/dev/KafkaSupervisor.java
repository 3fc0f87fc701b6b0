package chat.node.dev;

import chat.kafka.KafkaServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps dev mode's Kafka running: when the broker dies (killed, crashed), it is started again on the same
 * ports and data after {@code restartDelay}. Meanwhile the node goes on chatting and keeps its push
 * requests in the journal; this is also how to watch a Kafka outage locally (kill -9 the broker's pid).
 */
final class KafkaSupervisor {

  private final AtomicReference<KafkaServer> current;
  private final Duration restartDelay;
  private volatile boolean stopping;

  KafkaSupervisor(KafkaServer started, Duration restartDelay) {
    this.current = new AtomicReference<>(started);
    this.restartDelay = restartDelay;
    watch(started);
  }

  private void watch(KafkaServer server) {
    ProcessHandle.of(server.pid()).ifPresent(process -> process.onExit().thenRun(() -> {
      if (stopping) {
        return;
      }
      System.out.println("Kafka (pid " + server.pid() + ") exited; starting it again in " + restartDelay.toSeconds()
          + " s. Chat goes on; push requests wait in the journal.");
      restartAfterDelay(server);
    }));
  }

  private void restartAfterDelay(KafkaServer dead) {
    Thread restart = new Thread(() -> {
      try {
        Thread.sleep(restartDelay.toMillis());
        if (stopping) {
          return;
        }
        KafkaServer again = KafkaServer.start(dead.config());
        current.set(again);
        System.out.println("Kafka is back on " + again.bootstrapServers() + " (pid " + again.pid() + ")");
        watch(again);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        System.err.println("Kafka did not start again: " + e.getMessage() + "; retrying");
        restartAfterDelay(dead);
      }
    }, "dev-kafka-restart");
    restart.setDaemon(true);
    restart.start();
  }

  void stop() {
    stopping = true;
    current.get().stop();
  }
}
