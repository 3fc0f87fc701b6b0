package chat.cassandra;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * Address and TCP port checks done before forking a server, so that a taken port fails in milliseconds,
 * not at timeout.
 */
public final class Ports {

  private Ports() {
  }

  /**
   * The IPv4 literal of {@code host}, which must be a loopback address: the servers forked here have no
   * authentication configured, so they must never listen where other machines can reach them.
   */
  public static String loopbackAddress(ServerKind kind, String host) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw kind.fail("Cannot resolve " + kind.name() + " host '" + host + "'", e);
    }
    if (!(address instanceof Inet4Address) || !address.isLoopbackAddress()) {
      throw kind.fail(kind.name() + " host must be an IPv4 loopback address such as 127.0.0.1, "
          + "was '" + host + "' (" + address.getHostAddress() + "): this dev/test server has no "
          + "authentication and must not be reachable from other machines");
    }
    return address.getHostAddress();
  }

  /**
   * A port that is free on {@code host} right now and not in {@code exclude}. Another process may
   * take it before the server binds it; the window is small and the start then fails with a clear log.
   */
  public static int pickFree(ServerKind kind, String host, Set<Integer> exclude) {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
        int port = socket.getLocalPort();
        if (!exclude.contains(port)) {
          return port;
        }
      } catch (IOException e) {
        throw kind.fail("Cannot find a free TCP port on " + host + ": " + e.getMessage(), e);
      }
    }
    throw kind.fail("Cannot find a free TCP port on " + host + " outside " + exclude);
  }

  /**
   * Fails if {@code host:port} cannot be bound. Binding (rather than connecting) also catches a
   * listener on the wildcard address, and SO_REUSEADDR keeps a port in TIME_WAIT from counting
   * as taken, the same as for the servers' own (Netty, NIO) listeners.
   */
  public static void requireFree(ServerKind kind, String host, int port, String purpose) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
    } catch (IOException e) {
      throw kind.fail("Cannot start " + kind.name() + ": " + purpose + " port " + port + " on " + host
          + " is already in use (" + e.getMessage() + "). Stop whatever listens there, or configure "
          + "another port (0 picks a free one).", e);
    }
  }

  /** Whether something accepts TCP connections on {@code host:port}. */
  public static boolean accepts(String host, int port, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
