package chat.cassandra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;

/** TCP port checks done before forking Cassandra, so that a taken port fails in milliseconds, not at timeout. */
final class Ports {

  private Ports() {
  }

  /**
   * A port that is free on {@code host} right now and not in {@code exclude}. Another process may
   * take it before Cassandra binds it; the window is small and the start then fails with a clear log.
   */
  static int pickFree(String host, Set<Integer> exclude) {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
        int port = socket.getLocalPort();
        if (!exclude.contains(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new CassandraStartException("Cannot find a free TCP port on " + host + ": " + e.getMessage(), e);
      }
    }
    throw new CassandraStartException("Cannot find a free TCP port on " + host + " outside " + exclude);
  }

  /**
   * Fails if {@code host:port} cannot be bound. Binding (rather than connecting) also catches a
   * listener on the wildcard address, and SO_REUSEADDR keeps a port in TIME_WAIT from counting
   * as taken, the same as for Cassandra's own (Netty) listeners.
   */
  static void requireFree(String host, int port, String purpose) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
    } catch (IOException e) {
      throw new CassandraStartException("Cannot start Cassandra: " + purpose + " port " + port + " on " + host
          + " is already in use (" + e.getMessage() + "). Stop whatever listens there, or configure "
          + "another port (0 picks a free one).", e);
    }
  }

  /** Whether something accepts TCP connections on {@code host:port}. */
  static boolean accepts(String host, int port, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
