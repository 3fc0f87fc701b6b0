package chat.node.gateway;

import java.util.concurrent.ConcurrentHashMap;

/** Open connections per client address on this node, capped. Thread-safe. */
final class ConnectionsPerAddress {

  private final int max;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  ConnectionsPerAddress(int max) {
    this.max = max;
  }

  /** Counts a new connection from {@code address}, unless that would exceed the cap. */
  boolean tryOpen(String address) {
    boolean[] accepted = {false};
    open.compute(address, (a, count) -> {
      int now = count == null ? 0 : count;
      if (now >= max) {
        return now;
      }
      accepted[0] = true;
      return now + 1;
    });
    return accepted[0];
  }

  void closed(String address) {
    open.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
  }
}
