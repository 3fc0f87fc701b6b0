package chat.loadtest;

import java.util.concurrent.CompletableFuture;

/** Where a run's users get their tokens: {@link DevTokens} from a dev-mode node, or a test's own issuer. */
@FunctionalInterface
interface TokenSource {

  CompletableFuture<String> token(String user);
}
