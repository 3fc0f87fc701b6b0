package chat.node.push;

/** The Kafka topics of the push pipeline; partitions and retention are set in push.conf (chat.push.topics). */
public final class PushTopics {

  /** {@link PushRequest}s, keyed by user id, so one user's requests stay in order on one partition. */
  public static final String REQUESTS = "chat.push.requests.v1";
  /** {@link PushFeedback} from the dispatcher back to the nodes, keyed by user id. */
  public static final String FEEDBACK = "chat.push.feedback.v1";

  private PushTopics() {}
}
