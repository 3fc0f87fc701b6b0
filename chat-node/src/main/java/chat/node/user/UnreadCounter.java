package chat.node.user;

import java.util.concurrent.CompletionStage;

/** Counts, from a room's journal, the messages not sent by {@code userId} with seq in ({@code afterSeq}, {@code upToSeq}]. */
@FunctionalInterface
public interface UnreadCounter {
  CompletionStage<Long> count(String roomId, String userId, long afterSeq, long upToSeq);
}
