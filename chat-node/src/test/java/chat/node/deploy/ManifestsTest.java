package chat.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.EnvironmentOverrides;
import chat.node.http.HealthRoutes;
import chat.node.logging.LogContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in deploy/kubernetes, read with the Kubernetes object model and checked
 * against what the node actually reads and serves: ports, probe paths, environment variables, labels
 * and selectors, and the disruption the split brain resolver tolerates.
 */
class ManifestsTest {

  private static final Path MANIFESTS = Path.of("..", "deploy", "kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static StatefulSet statefulSet;
  private static Service headless;
  private static Service clientService;
  private static PodDisruptionBudget pdb;
  private static ConfigMap configMap;
  private static ServiceAccount serviceAccount;
  private static Container container;
  private static JsonNode networkPolicy;

  @BeforeAll
  static void load() throws IOException {
    Map<String, List<JsonNode>> byKind = new HashMap<>();
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        JsonNode node = YAML.readTree(file.toFile());
        byKind.computeIfAbsent(node.get("kind").asText(), k -> new java.util.ArrayList<>()).add(node);
      }
    }
    statefulSet = one(byKind, "StatefulSet", StatefulSet.class);
    pdb = one(byKind, "PodDisruptionBudget", PodDisruptionBudget.class);
    configMap = one(byKind, "ConfigMap", ConfigMap.class);
    serviceAccount = one(byKind, "ServiceAccount", ServiceAccount.class);
    List<Service> services = byKind.get("Service").stream().map(n -> YAML.convertValue(n, Service.class)).toList();
    headless = services.stream().filter(s -> "None".equals(s.getSpec().getClusterIP())).findFirst().orElseThrow();
    clientService = services.stream().filter(s -> s != headless).findFirst().orElseThrow();
    container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<JsonNode> policies = byKind.get("NetworkPolicy");
    assertNotNull(policies, "no NetworkPolicy manifest");
    networkPolicy = policies.get(0);
  }

  private static <T> T one(Map<String, List<JsonNode>> byKind, String kind, Class<T> type) {
    List<JsonNode> nodes = byKind.get(kind);
    assertNotNull(nodes, "no " + kind + " manifest");
    assertEquals(1, nodes.size(), "one " + kind);
    return YAML.convertValue(nodes.get(0), type);
  }

  /** The node's configuration as a pod resolves it, from the ConfigMap and the pod's own name. */
  private static Config podConfig() {
    Map<String, String> env = new HashMap<>(configMap.getData());
    env.put("POD_NAME", statefulSet.getMetadata().getName() + "-2");
    env.put("CHAT_JWT_SECRET", "x".repeat(32));
    // substitutions find the pod's environment as root paths, the way ${VAR} falls back to the environment
    return EnvironmentOverrides.from(env)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("kubernetes.conf"))
        .withFallback(ConfigFactory.parseMap(env))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static int containerPort(String name) {
    return container.getPorts().stream().filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort).findFirst().orElseThrow(() -> new AssertionError("no port " + name));
  }

  @Test
  void theStatefulSetStartsPodsInParallelUnderTheHeadlessService() {
    assertEquals("Parallel", statefulSet.getSpec().getPodManagementPolicy());
    assertEquals(headless.getMetadata().getName(), statefulSet.getSpec().getServiceName());
    assertEquals(headless.getMetadata().getName(), configMap.getData().get("CHAT_HEADLESS_SERVICE"));
    assertEquals(statefulSet.getMetadata().getName(), configMap.getData().get("CHAT_STATEFULSET"));
    assertEquals(Boolean.TRUE, headless.getSpec().getPublishNotReadyAddresses());
    assertEquals(serviceAccount.getMetadata().getName(), statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName());
  }

  @Test
  void selectorsMatchThePodLabels() {
    Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(statefulSet.getSpec().getSelector().getMatchLabels().entrySet()));
    assertTrue(podLabels.entrySet().containsAll(headless.getSpec().getSelector().entrySet()));
    assertTrue(podLabels.entrySet().containsAll(clientService.getSpec().getSelector().entrySet()));
    assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
  }

  @Test
  void portsAreTheOnesTheNodeListensOn() {
    Config config = podConfig();
    assertEquals(config.getInt("chat.http.port"), containerPort("http"));
    assertEquals(config.getInt("pekko.remote.artery.canonical.port"), containerPort("remoting"));
    assertEquals(config.getInt("chat.metrics.port"), containerPort("metrics"));
    assertEquals(Integer.toString(config.getInt("chat.metrics.port")),
        statefulSet.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/port"));
    assertEquals("0.0.0.0", config.getString("chat.http.host"));
    // services target named container ports that exist
    for (Service service : List.of(headless, clientService)) {
      service.getSpec().getPorts().forEach(p -> containerPort(p.getTargetPort().getStrVal()));
    }
  }

  @Test
  void probesUseTheNodesHealthEndpoints() {
    assertEquals("/" + HealthRoutes.READY_PATH, container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/" + HealthRoutes.ALIVE_PATH, container.getLivenessProbe().getHttpGet().getPath());
    assertEquals("http", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("http", container.getLivenessProbe().getHttpGet().getPort().getStrVal());
    // liveness is patient: a busy node must not be restarted for it
    var liveness = container.getLivenessProbe();
    assertTrue(liveness.getPeriodSeconds() * liveness.getFailureThreshold() >= 60);
  }

  @Test
  void everyEnvironmentVariableIsOneTheNodeReadsAndSecretsAreReferenced() throws IOException {
    Set<String> read = environmentTheNodeReads();
    Set<String> set = new HashSet<>(configMap.getData().keySet());
    container.getEnv().stream().map(EnvVar::getName).forEach(set::add);
    set.removeAll(read);
    assertEquals(Set.of(), set, "set in the manifests but read by nothing");
    assertTrue(read.contains("CHAT_JWT_SECRET"));
    EnvVar secret = container.getEnv().stream().filter(e -> e.getName().equals("CHAT_JWT_SECRET")).findFirst().orElseThrow();
    assertNull(secret.getValue(), "the JWT secret is never inlined");
    assertNotNull(secret.getValueFrom().getSecretKeyRef());
    assertTrue(configMap.getData().keySet().stream().noneMatch(k -> k.contains("SECRET") || k.contains("PASSWORD")));
  }

  @Test
  void podsLogJson() {
    assertEquals("json", configMap.getData().get("CHAT_LOG_FORMAT"));
    assertTrue(LogContext.invalidFormat(null, configMap.getData()).isEmpty());
  }

  @Test
  void thePushDispatcherRunsItsOwnModeWithSettingsItReadsAndNoClusterConfiguration() throws IOException {
    JsonNode deployment = YAML.readTree(MANIFESTS.resolve("push-dispatcher.yaml").toFile());
    JsonNode dispatcher = deployment.at("/spec/template/spec/containers/0");
    assertEquals("push-dispatcher", dispatcher.at("/args/0").asText());
    Set<String> read = environmentTheNodeReads();
    for (JsonNode env : dispatcher.get("env")) {
      assertTrue(read.contains(env.get("name").asText()), env.get("name").asText() + " is read by nothing");
    }
    String javaOpts = java.util.stream.StreamSupport.stream(dispatcher.get("env").spliterator(), false)
        .filter(e -> e.get("name").asText().equals("JAVA_OPTS")).findFirst().orElseThrow().get("value").asText();
    assertTrue(!javaOpts.contains("kubernetes.conf"), "the cluster's configuration needs a StatefulSet pod");
    assertTrue(configMap.getData().containsKey("KAFKA_BOOTSTRAP_SERVERS"));
  }

  @Test
  void theResolvedConfigurationFormsAClusterFromTheStatefulSetsOwnPods() {
    Config config = podConfig();
    String name = statefulSet.getMetadata().getName();
    String service = headless.getMetadata().getName();
    assertEquals(name + "-2." + service, config.getString("pekko.remote.artery.canonical.hostname"));
    List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    assertEquals(List.of(
        "pekko://chat@" + name + "-0." + service + ":25520",
        "pekko://chat@" + name + "-1." + service + ":25520"), seeds);
    assertTrue(statefulSet.getSpec().getReplicas() >= seeds.size());
    assertEquals(List.of("cassandra-0.cassandra:9042", "cassandra-1.cassandra:9042", "cassandra-2.cassandra:9042"),
        config.getStringList("datastax-java-driver.basic.contact-points"));
  }

  @Test
  void voluntaryDisruptionsNeverCostTheMajorityTheSplitBrainResolverKeeps() {
    Config config = podConfig();
    assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    int replicas = statefulSet.getSpec().getReplicas();
    int maxUnavailable = pdb.getSpec().getMaxUnavailable().getIntVal();
    assertTrue(replicas - maxUnavailable > replicas / 2,
        replicas + " pods minus " + maxUnavailable + " unavailable must stay a majority");
  }

  @Test
  void onlyChatPodsReachTheRemotingPortWhileClientsReachHttp() {
    assertEquals("chat", networkPolicy.at("/spec/podSelector/matchLabels/app").asText());
    assertEquals(statefulSet.getSpec().getTemplate().getMetadata().getLabels().get("app"),
        networkPolicy.at("/spec/podSelector/matchLabels/app").asText());
    Map<String, JsonNode> rulesByPort = new HashMap<>();
    for (JsonNode rule : networkPolicy.at("/spec/ingress")) {
      assertEquals(1, rule.path("ports").size(), "one port per rule: " + rule);
      rulesByPort.put(rule.at("/ports/0/port").asText(), rule);
    }
    assertEquals(Set.of("http", "remoting", "metrics"), rulesByPort.keySet());
    containerPort("http");
    containerPort("remoting");
    containerPort("metrics");
    // the client Service never exposes the metrics port
    clientService.getSpec().getPorts().forEach(p -> assertTrue(!"metrics".equals(p.getTargetPort().getStrVal())));
    assertTrue(rulesByPort.get("http").path("from").isMissingNode(), "clients come from anywhere");
    JsonNode remotingFrom = rulesByPort.get("remoting").path("from");
    assertEquals(1, remotingFrom.size());
    assertEquals("chat", remotingFrom.at("/0/podSelector/matchLabels/app").asText());
  }

  @Test
  void theTerminationGracePeriodCoversTheGracefulShutdown() {
    Config config = podConfig();
    // the coordinated-shutdown phases the node's shutdown goes through are each bounded; the grace
    // period must exceed the ones it actually waits in
    long phases = Stream.of("before-service-unbind", "service-unbind", "service-requests-done",
            "cluster-sharding-shutdown-region", "cluster-leave", "cluster-exiting")
        .mapToLong(p -> {
          String path = "pekko.coordinated-shutdown.phases." + p + ".timeout";
          return config.hasPath(path) ? config.getDuration(path).toSeconds()
              : config.getDuration("pekko.coordinated-shutdown.default-phase-timeout").toSeconds();
        })
        .sum();
    long grace = statefulSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertTrue(grace >= 30, "grace " + grace + " s");
    assertTrue(grace <= phases + 30, "grace " + grace + " s is far beyond the shutdown phases (" + phases + " s)");
  }

  /**
   * ${?VAR} and ${VAR} in the node's .conf files, ${VAR} and ${VAR:-default} in logback.xml, plus what
   * EnvironmentOverrides and the start script read.
   */
  private static Set<String> environmentTheNodeReads() throws IOException {
    Set<String> names = new HashSet<>(EnvironmentOverrides.NAMES);
    names.add("JAVA_OPTS");
    names.add("CHAT_HOME");
    Pattern variable = Pattern.compile("\\$\\{\\??([A-Z][A-Z0-9_]*)(:-[^}$]*)?}");
    try (Stream<Path> confs = Files.list(Path.of("src", "main", "resources"))) {
      for (Path conf : confs.filter(p -> p.toString().endsWith(".conf") || p.endsWith("logback.xml")).toList()) {
        Matcher m = variable.matcher(Files.readString(conf));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }
}
