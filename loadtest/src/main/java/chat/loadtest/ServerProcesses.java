package chat.loadtest;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Which processes to watch: the pids given on the command line, else those a dev-mode stack left in its
 * data directory ({@code <dev-dir>/cassandra/cassandra.pid} names Cassandra ({@code pid}) and the dev-mode
 * JVM that runs the node ({@code ownerPid}); {@code <dev-dir>/kafka/kafka.pid} names Kafka), if those
 * processes are alive. The generator always watches itself, since it shares the machine.
 */
final class ServerProcesses {

  private ServerProcesses() {}

  /** {@code serverPids}: the nodes', named node, node-2, node-3, ...; empty for the dev-mode JVM's. */
  static Map<String, Long> find(List<Long> serverPids, Long cassandraPid, Long kafkaPid, Path devDir) {
    Properties cassandra = read(devDir.resolve("cassandra").resolve("cassandra.pid"));
    Properties kafka = read(devDir.resolve("kafka").resolve("kafka.pid"));
    Map<String, Long> out = new LinkedHashMap<>();
    if (serverPids.isEmpty()) {
      put(out, "node", number(cassandra, "ownerPid"));
    }
    for (int i = 0; i < serverPids.size(); i++) {
      put(out, i == 0 ? "node" : "node-" + (i + 1), serverPids.get(i));
    }
    put(out, "cassandra", cassandraPid != null ? cassandraPid : number(cassandra, "pid"));
    put(out, "kafka", kafkaPid != null ? kafkaPid : number(kafka, "pid"));
    out.put("generator", ProcessHandle.current().pid());
    return out;
  }

  private static void put(Map<String, Long> out, String name, Long pid) {
    if (pid != null && pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      out.put(name, pid);
    }
  }

  private static Properties read(Path file) {
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (Reader in = Files.newBufferedReader(file)) {
        p.load(in);
      } catch (IOException e) {
        // unreadable: nothing found there
      }
    }
    return p;
  }

  private static Long number(Properties p, String key) {
    try {
      String v = p.getProperty(key);
      return v == null ? null : Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
