package chat.node.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ContinuationsTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  private interface Command {}

  private record Question(ActorRef<String> replyTo) implements Command {}

  /** Answers the question it holds, on its own thread, with that thread's name. */
  private enum Release implements Command { NOW }

  private static Behavior<Command> holding(ActorRef<String> asked) {
    return Behaviors.receiveMessage(command -> {
      if (command instanceof Question q) {
        return holding(q.replyTo());
      }
      asked.tell(Thread.currentThread().getName());
      return Behaviors.same();
    });
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void dependentStagesRunOnTheThreadThatAnswered() throws Exception {
    ActorRef<Command> answerer = testKit.spawn(holding(null));
    CompletableFuture<String[]> threads = Continuations
        .inline(AskPattern.<Command, String>ask(answerer, Question::new, Duration.ofSeconds(3), testKit.scheduler()))
        .thenApply(answeredOn -> new String[] {answeredOn, Thread.currentThread().getName()});
    // the dependent stage is in place before the answer comes
    answerer.tell(Release.NOW);

    String[] seen = threads.get(3, TimeUnit.SECONDS);
    assertEquals(seen[0], seen[1], "the continuation ran on " + seen[1] + ", not on the answering actor's thread");
  }

  @Test
  void aFailureIsPassedOnAsItIs() {
    ActorRef<Command> silent = testKit.spawn(Behaviors.ignore());
    CompletableFuture<String> answer = Continuations
        .inline(AskPattern.<Command, String>ask(silent, Question::new, Duration.ofMillis(100), testKit.scheduler()));

    CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> answer.thenApply(s -> s).join());
    assertInstanceOf(TimeoutException.class, failed.getCause());
    assertTrue(answer.isCompletedExceptionally());
  }

  @Test
  void anAnswerThatIsAlreadyThereIsPassedOnAtOnce() {
    CompletableFuture<String> answer = Continuations.inline(CompletableFuture.completedFuture("done"));
    assertTrue(answer.isDone());
    assertEquals("done", answer.join());
  }

  @Test
  void anActorsAskBringsTheAnswerOrTheFailureToTheActor() {
    ActorRef<Command> answerer = testKit.spawn(Behaviors.receiveMessage(command -> {
      ((Question) command).replyTo().tell(Thread.currentThread().getName());
      return Behaviors.same();
    }));
    ActorRef<Command> silent = testKit.spawn(Behaviors.ignore());
    org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<String> seen = testKit.createTestProbe();
    testKit.spawn(Behaviors.<String>setup(context -> {
      Continuations.<String, Command, String>ask(context, answerer, Duration.ofSeconds(3), Question::new,
          (answer, failure) -> "answered on " + answer);
      Continuations.<String, Command, String>ask(context, silent, Duration.ofMillis(100), Question::new,
          (answer, failure) -> "failed with " + failure.getClass().getSimpleName());
      return Behaviors.receiveMessage(message -> {
        seen.ref().tell(message);
        return Behaviors.same();
      });
    }));

    java.util.Set<String> messages = new java.util.HashSet<>(seen.receiveSeveralMessages(2, Duration.ofSeconds(3)));
    assertTrue(messages.stream().anyMatch(m -> m.startsWith("answered on ContinuationsTest")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.startsWith("failed with") && m.endsWith("TimeoutException")), messages.toString());
  }
}
