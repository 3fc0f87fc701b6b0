package chat.node.push.dispatch;

import java.util.concurrent.CompletionStage;

/**
 * Hands one message to its push platform. Implementations never complete exceptionally for a platform or
 * transport error: those are {@link SendOutcome}s.
 */
public interface PushSender {

  CompletionStage<SendOutcome> send(PushMessage message);
}
