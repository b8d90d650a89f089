package io.jitsparse.k8s;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jitsparse.monitoring.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manifests of {@code k8s/} as a cluster would take them, checked offline: {@code kubectl
 * kustomize} renders every overlay, {@code validate/validate.mjs} checks every rendered object
 * against its kind's schema and rejects fields the schema does not know, and the rendered objects
 * keep the promises docs/deploy.md makes (dashboards from their one source, environment variables
 * that the nodes read, restricted pods). Without kubectl or node the tests are skipped, except
 * under {@code CI=true}, where they fail.
 */
class K8sManifestsTest {

  private static final List<String> OVERLAYS = List.of("dev", "prod");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CONF_OVERRIDE = Pattern.compile("\\$\\{\\?([A-Z0-9_]+)}");
  private static final Pattern NAMESPACE_MATCHER = Pattern.compile("namespace=\"([^\"]*)\"");
  private static final long TIMEOUT_SECONDS = 120;

  private static final Map<String, List<JsonNode>> RENDERED = new TreeMap<>();

  private static Path k8s() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  }

  private static Path repo() {
    return k8s().getParent();
  }

  private static Path work() throws IOException {
    return Files.createDirectories(k8s().resolve("target/k8s-rendered"));
  }

  /** Skips, or fails under CI, when a tool the test needs is missing. */
  private static void require(boolean present, String what) {
    if (!present) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(what + " (CI=true: the manifest checks must run)");
      }
      Assumptions.assumeTrue(false, what);
    }
  }

  /** Runs a command in {@code dir}; returns its stdout, with stderr in the failure message. */
  private static String run(Path dir, List<String> command, boolean mustSucceed)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(work(), "out", ".txt");
    Path err = Files.createTempFile(work(), "err", ".txt");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        fail(command + " did not end within " + TIMEOUT_SECONDS + " s");
      }
      String stdout = Files.readString(out);
      if (mustSucceed && p.exitValue() != 0) {
        fail(command + " exited " + p.exitValue() + ":\n" + Files.readString(err) + stdout);
      }
      return stdout;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @BeforeAll
  static void render() throws Exception {
    require(
        ExternalTools.find("kubectl").isPresent(),
        "no kubectl on the PATH (kubectl with kustomize v5)");
    require(
        ExternalTools.find("node").isPresent(), "no node on the PATH: apt-get install nodejs npm");
    require(
        Files.isDirectory(k8s().resolve("validate/node_modules/kubernetes-models")),
        "no validate/node_modules: build the k8s module with Maven (npm ci)");
    for (String overlay : OVERLAYS) {
      String yaml =
          run(
              k8s(),
              List.of("kubectl", "kustomize", "overlays/" + overlay),
              /* mustSucceed= */ true);
      Files.writeString(work().resolve(overlay + ".yaml"), yaml);
      List<JsonNode> objects = new ArrayList<>();
      try (var parser = new YAMLFactory().createParser(yaml)) {
        YAML.readValues(parser, JsonNode.class).forEachRemaining(objects::add);
      }
      RENDERED.put(overlay, objects);
    }
  }

  /** The validator's result for these files. */
  private static JsonNode validate(List<Path> files) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
    files.forEach(f -> command.add(f.toString()));
    String stdout = run(k8s().resolve("validate"), command, /* mustSucceed= */ false);
    String[] lines = stdout.strip().split("\n");
    assertFalse(lines[lines.length - 1].isEmpty(), "the validator printed nothing");
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static JsonNode object(String overlay, String kind, String namePrefix) {
    return RENDERED.get(overlay).stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.path("metadata").path("name").asText().startsWith(namePrefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + namePrefix + "*"));
  }

  private static List<JsonNode> workloads(String overlay) {
    return RENDERED.get(overlay).stream()
        .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.path("kind").asText()))
        .toList();
  }

  @Test
  void everyRenderedObjectValidatesAgainstItsSchema() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String overlay : OVERLAYS) {
      files.add(work().resolve(overlay + ".yaml"));
    }
    JsonNode r = validate(files);
    assertEquals(0, r.get("errors").size(), r.toPrettyString());
    assertTrue(r.get("ok").asBoolean(), r.toString());
    int objects = RENDERED.values().stream().mapToInt(List::size).sum();
    assertEquals(objects, r.get("objects").asInt(), "objects the validator saw");
    Set<String> kinds = new TreeSet<>();
    RENDERED.get("dev").forEach(o -> kinds.add(o.get("kind").asText()));
    assertEquals(RENDERED.get("dev").size(), RENDERED.get("prod").size(), "overlays' objects");
    for (String kind :
        List.of(
            "Namespace",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Service",
            "Deployment",
            "StatefulSet",
            "PodDisruptionBudget",
            "NetworkPolicy",
            "ServiceMonitor",
            "ScaledObject")) {
      assertTrue(kinds.contains(kind), "no " + kind + " in " + kinds);
    }
  }

  @Test
  void misspeltOrUnknownFieldsFail() throws Exception {
    List<JsonNode> objects = new ArrayList<>();
    RENDERED.get("dev").forEach(o -> objects.add(o.deepCopy()));
    Map<String, String> planted = new TreeMap<>();
    for (JsonNode o : objects) {
      switch (o.get("kind").asText()) {
        case "Deployment" -> {
          ObjectNode spec = (ObjectNode) o.get("spec");
          spec.set("replicaz", spec.remove("replicas"));
          planted.put("Deployment", "replicaz");
        }
        case "StatefulSet" -> {
          ObjectNode c = (ObjectNode) o.at("/spec/template/spec/containers/0");
          c.put("imagez", c.get("image").asText());
          planted.put("StatefulSet", "imagez");
        }
        case "ScaledObject" -> {
          ((ObjectNode) o.get("spec")).put("minReplicaCountz", 1);
          planted.put("ScaledObject", "minReplicaCountz");
        }
        case "ServiceMonitor" -> {
          ((ObjectNode) o.at("/spec/endpoints/0")).put("portz", "http");
          planted.put("ServiceMonitor", "portz");
        }
        default -> {}
      }
    }
    assertEquals(4, planted.size(), "fields planted: " + planted);
    Path bad = work().resolve("dev-misspelt.yaml");
    StringBuilder yaml = new StringBuilder();
    for (JsonNode o : objects) {
      yaml.append(YAML.writeValueAsString(o));
    }
    Files.writeString(bad, yaml);

    JsonNode r = validate(List.of(bad));
    assertFalse(r.get("ok").asBoolean(), r.toString());
    Map<String, String> found = new TreeMap<>();
    for (JsonNode e : r.get("errors")) {
      String kind = e.get("kind").asText();
      found.put(kind.substring(kind.lastIndexOf('/') + 1), e.get("error").asText());
    }
    assertEquals(planted.keySet(), found.keySet(), r.toPrettyString());
    planted.forEach(
        (kind, field) ->
            assertTrue(found.get(kind).contains("'\"" + field + "\"'"), kind + ": " + found));
    assertEquals(4, r.get("errors").size(), r.toPrettyString());
  }

  @Test
  void wrongTypesFailTheSchemaCheck() throws Exception {
    JsonNode d = object("dev", "Deployment", "jitsparse-env-node").deepCopy();
    ((ObjectNode) d.get("spec")).put("replicas", "two");
    Path bad = work().resolve("dev-wrong-type.yaml");
    Files.writeString(bad, YAML.writeValueAsString(d));
    JsonNode r = validate(List.of(bad));
    assertFalse(r.get("ok").asBoolean(), r.toString());
    Set<String> checks = new TreeSet<>();
    r.get("errors").forEach(e -> checks.add(e.get("check").asText()));
    assertEquals(Set.of("schema", "types"), checks, r.toPrettyString());
    assertTrue(r.toString().contains("replicas must be integer"), r.toString());
  }

  @Test
  void dashboardsConfigMapIsByteIdenticalToMonitoringGrafana() throws Exception {
    Path dashboards = repo().resolve("monitoring/grafana/dashboards");
    Map<String, byte[]> source = new TreeMap<>();
    try (Stream<Path> files = Files.list(dashboards)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        source.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    assertTrue(source.size() >= 4, "dashboards: " + source.keySet());
    for (String overlay : OVERLAYS) {
      JsonNode cm = object(overlay, "ConfigMap", "jitsparse-grafana-dashboards");
      assertEquals("1", cm.at("/metadata/labels/grafana_dashboard").asText(), overlay);
      Set<String> keys = new TreeSet<>();
      cm.get("data").fieldNames().forEachRemaining(keys::add);
      assertEquals(source.keySet(), keys, overlay + ": dashboards in the ConfigMap");
      for (var e : source.entrySet()) {
        byte[] rendered = cm.get("data").get(e.getKey()).asText().getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(e.getValue(), rendered, overlay + ": " + e.getKey());
      }
    }
  }

  @Test
  void everyEnvironmentVariableSetIsReadByTheNodes() throws Exception {
    Set<String> overrides = new TreeSet<>();
    try (Stream<Path> files = Files.walk(repo())) {
      for (Path conf :
          files
              .filter(f -> f.toString().endsWith(".conf"))
              .filter(f -> f.toString().contains("src/main/resources"))
              .filter(f -> !f.toString().contains("/target/"))
              .toList()) {
        Matcher m = CONF_OVERRIDE.matcher(Files.readString(conf));
        while (m.find()) {
          overrides.add(m.group(1));
        }
      }
    }
    // read by the JVM, JavaCPP or OpenMP themselves, not by the nodes' config
    Set<String> runtime = Set.of("JAVA_TOOL_OPTIONS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY");
    for (String overlay : OVERLAYS) {
      Map<String, JsonNode> configMaps = new TreeMap<>();
      RENDERED.get(overlay).stream()
          .filter(o -> o.get("kind").asText().equals("ConfigMap"))
          .forEach(o -> configMaps.put(o.at("/metadata/name").asText(), o.get("data")));
      for (JsonNode w : workloads(overlay)) {
        Set<String> names = new TreeSet<>();
        JsonNode c = w.at("/spec/template/spec/containers/0");
        c.path("env").forEach(e -> names.add(e.get("name").asText()));
        for (JsonNode from : c.path("envFrom")) {
          JsonNode data = configMaps.get(from.at("/configMapRef/name").asText());
          assertTrue(data != null, overlay + ": envFrom names a ConfigMap not rendered: " + from);
          data.fieldNames().forEachRemaining(names::add);
        }
        assertTrue(names.contains("JITSPARSE_RUN_ID"), overlay + ": no shared run id " + names);
        for (String name : names) {
          if (!runtime.contains(name)) {
            assertTrue(
                overrides.contains(name),
                overlay
                    + " "
                    + w.at("/metadata/name").asText()
                    + " sets "
                    + name
                    + ", which no reference.conf reads as ${?"
                    + name
                    + "}");
          }
        }
      }
    }
  }

  @Test
  void autoscalerQueriesTheSeriesOfItsOwnNamespace() {
    for (String overlay : OVERLAYS) {
      JsonNode so = object(overlay, "ScaledObject", "jitsparse-env-node");
      String namespace = so.at("/metadata/namespace").asText();
      String query = so.at("/spec/triggers/0/metadata/query").asText();
      Matcher m = NAMESPACE_MATCHER.matcher(query);
      int matchers = 0;
      while (m.find()) {
        assertEquals(namespace, m.group(1), overlay + ": " + query);
        matchers++;
      }
      assertEquals(2, matchers, overlay + ": " + query);
      assertEquals("Deployment", so.at("/spec/scaleTargetRef/kind").asText());
      assertEquals("prometheus", so.at("/spec/triggers/0/type").asText());
    }
  }

  /** Where the node container mounts the remoting TLS Secret's volume, read-only. */
  private static String remotingTlsMount(JsonNode pod, String where) {
    String volume = null;
    for (JsonNode v : pod.path("volumes")) {
      if (v.at("/secret/secretName").asText().equals("jitsparse-remoting-tls")) {
        volume = v.get("name").asText();
      }
    }
    for (JsonNode m : pod.at("/containers/0/volumeMounts")) {
      if (m.get("name").asText().equals(volume)) {
        assertTrue(m.path("readOnly").asBoolean(), where + ": TLS Secret mounted read-only");
        return m.get("mountPath").asText();
      }
    }
    throw new AssertionError(where + ": the TLS Secret's volume " + volume + " is not mounted");
  }

  @Test
  void podsAreRestrictedProbedAndBounded() {
    for (String overlay : OVERLAYS) {
      for (JsonNode w : workloads(overlay)) {
        String where = overlay + " " + w.at("/metadata/name").asText();
        JsonNode pod = w.at("/spec/template/spec");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), where);
        assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        assertTrue(pod.get("terminationGracePeriodSeconds").asInt() >= 30, where);
        assertEquals(
            "true", w.at("/spec/template/metadata/annotations/prometheus.io~1scrape").asText());
        for (JsonNode c : pod.get("containers")) {
          JsonNode s = c.get("securityContext");
          assertTrue(s.get("readOnlyRootFilesystem").asBoolean(), where);
          assertFalse(s.get("allowPrivilegeEscalation").asBoolean(), where);
          assertFalse(s.path("privileged").asBoolean(false), where);
          assertEquals("[\"ALL\"]", s.at("/capabilities/drop").toString(), where);
          assertEquals("/ready", c.at("/readinessProbe/httpGet/path").asText(), where);
          assertEquals("/alive", c.at("/livenessProbe/httpGet/path").asText(), where);
          for (String r : List.of("requests", "limits")) {
            assertFalse(c.at("/resources/" + r + "/memory").isMissingNode(), where + " " + r);
            assertFalse(c.at("/resources/" + r + "/cpu").isMissingNode(), where + " " + r);
          }
        }
        boolean tls =
            pod.path("volumes").findValuesAsText("secretName").contains("jitsparse-remoting-tls");
        assertEquals(overlay.equals("prod"), tls, where + ": remoting TLS Secret mounted");
        List<String> tlsDir = new ArrayList<>();
        for (JsonNode e : pod.at("/containers/0/env")) {
          if (e.get("name").asText().equals("JITSPARSE_TLS_DIR")) {
            tlsDir.add(e.path("value").asText());
          }
        }
        assertEquals(
            tls ? List.of(remotingTlsMount(pod, where)) : List.of(),
            tlsDir,
            where + ": JITSPARSE_TLS_DIR (remoting over TLS) is where the Secret is mounted");
      }
      JsonNode agent = object(overlay, "StatefulSet", "jitsparse-agent");
      assertEquals(1, agent.at("/spec/replicas").asInt(), overlay + ": one learner");
      assertEquals(1, agent.at("/spec/volumeClaimTemplates").size(), overlay + ": agent volume");
    }
  }
}
