package chat.cassandra;

import java.net.InetSocketAddress;

/** Parses {@code host:port} contact points as given on command lines and in system properties. */
public final class ContactPoints {

  private ContactPoints() {
  }

  /**
   * Parses {@code host:port}, {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException with a message naming the bad value
   */
  public static InetSocketAddress parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("Contact point must be host:port, was empty");
    }
    String trimmed = value.strip();
    int colon = trimmed.lastIndexOf(':');
    if (colon <= 0 || colon == trimmed.length() - 1) {
      throw new IllegalArgumentException("Contact point must be host:port, was '" + value + "'");
    }
    String host = trimmed.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(trimmed.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Contact point must be host:port, port is not a number in '"
          + value + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Contact point port must be 1-65535, was " + port + " in '" + value
          + "'");
    }
    return new InetSocketAddress(host, port);
  }

  /** {@code host:port} as the driver's config and this class's {@link #parse} expect it. */
  public static String format(InetSocketAddress address) {
    String host = address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
