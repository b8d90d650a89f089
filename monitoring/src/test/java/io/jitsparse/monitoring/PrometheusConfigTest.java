package io.jitsparse.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jitsparse.monitoring.DashboardQueries.Dashboard;
import io.jitsparse.monitoring.DashboardQueries.Query;
import io.jitsparse.monitoring.DashboardQueries.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring files are well-formed: {@code promtool} accepts the scrape configuration
 * and the alert rules, and the rules' unit tests pass (each alert fires on a synthetic failing
 * series and stays silent on healthy ones); every Grafana dashboard is valid, provisioning-ready
 * JSON with the template variables, every jitsparse metric it uses is in the catalogue ({@code
 * docs/metrics.md}), and every panel and variable query parses as PromQL (checked by {@code
 * promtool check rules} on a generated file of recording rules, one per expression).
 */
class PrometheusConfigTest {

  /** Longest a promtool call may take. */
  private static final Duration PROMTOOL_TIMEOUT = Duration.ofMinutes(1);

  /** The template variables every dashboard has, in this order. */
  private static final List<String> TEMPLATE_VARIABLES = List.of("run", "model", "trainer");

  /** Values substituted for the variables when only the syntax matters. */
  private static final Map<String, String> SYNTAX_VALUES =
      Map.of(
          "run",
          "run-20260101-000000-abcd",
          "model",
          "lenet5-caffe",
          "trainer",
          "127.0.0.1-25521-0",
          DashboardQueries.RATE_INTERVAL,
          "1m",
          DashboardQueries.INTERVAL,
          "15s",
          DashboardQueries.RANGE,
          "1h");

  /** Severity labels an alert may carry. */
  private static final Set<String> SEVERITIES = Set.of("warning", "critical");

  /** Range windows a dashboard query may use. */
  private static final Set<String> WINDOWS = Set.of("$__rate_interval", "$__range");

  /** A vector selector with label matchers: the metric name and the matchers. */
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");

  /** A metric name of the jitsparse nodes (jitsparse's own, and Micrometer's JVM binders). */
  private static final Pattern METRIC =
      Pattern.compile("\\b(?:jitsparse|jvm|process|system)_[a-zA-Z0-9_]+\\b(\\{?)");

  /** A metric name in the catalogue's tables (backquoted). */
  private static final Pattern CATALOGUE_NAME = Pattern.compile("`(jitsparse_[a-z0-9_]+)`");

  /** A jitsparse metric name in a query. */
  private static final Pattern USED_NAME = Pattern.compile("\\bjitsparse_[a-z0-9_]+");

  /** The series suffixes of a histogram, summary or timer beside its catalogued name. */
  private static final String SERIES_SUFFIX = "_(bucket|sum|count|max)$";

  private static final Pattern WINDOW = Pattern.compile("\\[([^\\]]+)]");

  /** Labels only trainer meters carry. */
  private static final String TRAINER_PREFIX = "jitsparse_trainer_";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final MonitoringFiles files = MonitoringFiles.locate();

  @TempDir Path tmp;

  @Test
  void promtoolAcceptsTheLocalScrapeConfigAsIs() throws Exception {
    // As the README runs it: any Prometheus, Debian's included, must take this file unchanged.
    Path promtool = ExternalTools.require("promtool");
    Path config = files.prometheusConfig();
    ExternalTools.Result r = promtool(promtool, "check", "config", config.toString());
    assertTrue(r.ok(), "promtool check config " + config + ":\n" + r.output());
    JsonNode yaml = YAML.readTree(config.toFile());
    assertTrue(job(yaml, "jitsparse-local").has("static_configs"));
    assertEquals(1, yaml.path("scrape_configs").size(), "only static targets: " + yaml);
  }

  @Test
  void promtoolAcceptsTheKubernetesScrapeConfig() throws Exception {
    Path promtool = ExternalTools.require("promtool");
    Path config = files.prometheusKubernetesConfig();
    ExternalTools.Result r = promtool(promtool, "check", "config", config.toString());
    if (!r.ok() && r.output().contains("kubernetes_sd_configs not found")) {
      // Debian builds Prometheus without Kubernetes service discovery: check the same file with
      // the discovery block replaced by an empty static list, so everything else (the relabel
      // rules of the Kubernetes job included) is still checked by promtool.
      Path copy = withoutKubernetesDiscovery(config);
      r = promtool(promtool, "check", "config", copy.toString());
    }
    assertTrue(r.ok(), "promtool check config " + config + ":\n" + r.output());

    JsonNode yaml = YAML.readTree(config.toFile());
    List<String> jobs = new ArrayList<>();
    yaml.path("scrape_configs").forEach(j -> jobs.add(j.path("job_name").asText()));
    assertTrue(jobs.stream().allMatch(j -> j.startsWith("jitsparse")), "job names: " + jobs);
    JsonNode k8s = job(yaml, "jitsparse-kubernetes");
    assertEquals("pod", k8s.path("kubernetes_sd_configs").path(0).path("role").asText());
    assertTrue(
        k8s.path("relabel_configs").toString().contains("app_kubernetes_io_part_of"),
        "the Kubernetes job keeps pods labelled app.kubernetes.io/part-of");
  }

  @Test
  void promtoolAcceptsTheAlertRules() throws Exception {
    Path promtool = ExternalTools.require("promtool");
    ExternalTools.Result r = promtool(promtool, "check", "rules", files.alertRules().toString());
    assertTrue(r.ok(), "promtool check rules:\n" + r.output());
  }

  @Test
  void alertRuleUnitTestsPass() throws Exception {
    Path promtool = ExternalTools.require("promtool");
    ExternalTools.Result r = promtool(promtool, "test", "rules", files.alertRuleTests().toString());
    assertTrue(r.ok(), "promtool test rules:\n" + r.output());
  }

  @Test
  void everyAlertHasForSeverityAnnotationsAndFiringAndSilentTests() throws Exception {
    Set<String> alerts = new TreeSet<>();
    for (JsonNode group : YAML.readTree(files.alertRules().toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name = rule.path("alert").asText();
        alerts.add(name);
        assertFalse(rule.path("for").asText().isEmpty(), name + " has for:");
        assertTrue(
            SEVERITIES.contains(rule.path("labels").path("severity").asText()),
            name + " has a severity label in " + SEVERITIES);
        for (String a : List.of("summary", "description")) {
          assertFalse(
              rule.path("annotations").path(a).asText().isBlank(), name + " has annotation " + a);
        }
      }
    }
    Set<String> fires = new HashSet<>();
    Set<String> silent = new HashSet<>();
    for (JsonNode group : YAML.readTree(files.alertRuleTests().toFile()).path("tests")) {
      for (JsonNode t : group.path("alert_rule_test")) {
        String name = t.path("alertname").asText();
        (t.path("exp_alerts").isEmpty() ? silent : fires).add(name);
      }
    }
    for (String a : alerts) {
      assertTrue(fires.contains(a), a + " has a test where it fires");
      assertTrue(silent.contains(a), a + " has a test where it stays silent");
    }
  }

  @Test
  void grafanaProvisioningNamesTheDashboardsDatasource() throws Exception {
    JsonNode ds = YAML.readTree(files.datasourceProvisioning().toFile());
    JsonNode prometheus = ds.path("datasources").path(0);
    assertEquals(MonitoringFiles.DATASOURCE_UID, prometheus.path("uid").asText());
    assertEquals("prometheus", prometheus.path("type").asText());
    JsonNode providers = YAML.readTree(files.dashboardProvisioning().toFile()).path("providers");
    assertEquals("file", providers.path(0).path("type").asText());
    assertFalse(providers.path(0).path("options").path("path").asText().isEmpty());
  }

  @Test
  void dashboardsAreProvisioningReadyWithTheTemplateVariables() throws Exception {
    List<Path> paths = files.dashboards();
    assertTrue(paths.size() >= 4, "dashboards: " + paths);
    Set<String> uids = new HashSet<>();
    for (Path p : paths) {
      Dashboard d = DashboardQueries.read(p);
      assertTrue(d.uid().startsWith("jitsparse-"), p + ": uid " + d.uid());
      assertTrue(uids.add(d.uid()), p + ": duplicate uid " + d.uid());
      assertTrue(d.title().startsWith("jitsparse / "), p + ": title " + d.title());
      assertTrue(d.json().path("schemaVersion").isInt(), p + ": schemaVersion");
      assertTrue(d.json().path("id").isNull(), p + ": id must be null for provisioning");

      List<String> names = new ArrayList<>();
      d.templateVariables().forEach(v -> names.add(v.path("name").asText()));
      assertEquals(TEMPLATE_VARIABLES, names.subList(0, Math.min(names.size(), 3)), p.toString());
      for (Variable v : d.variables()) {
        JsonNode def = variable(d, v.name());
        assertEquals(MonitoringFiles.DATASOURCE_UID, def.path("datasource").path("uid").asText());
        assertTrue(v.selector().isPresent(), p + ": " + v.name() + " is label_values(sel, l)");
        assertEquals(v.name(), v.label(), p + ": variable " + v.name() + " lists its label");
        if (!v.name().equals("run")) {
          assertTrue(v.definition().contains("run=~\"$run\""), p + ": " + v + " filtered by run");
          assertTrue(def.path("multi").asBoolean() && def.path("includeAll").asBoolean(), v.name());
        }
      }
      for (JsonNode panel : d.panels()) {
        if (panel.path("type").asText().equals("row")) {
          continue;
        }
        String where = d.title() + " / " + panel.path("title").asText();
        assertEquals(
            MonitoringFiles.DATASOURCE_UID,
            panel.path("datasource").path("uid").asText(),
            where + ": datasource");
        assertFalse(panel.path("targets").isEmpty(), where + ": has targets");
        for (JsonNode t : panel.path("targets")) {
          assertEquals(
              MonitoringFiles.DATASOURCE_UID,
              t.path("datasource").path("uid").asText(),
              where + ": target datasource");
        }
      }
    }
  }

  @Test
  void everyQueryFiltersByTheTemplateVariablesAndUsesGrafanasWindows() throws Exception {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path p : files.dashboards()) {
      for (Query q : DashboardQueries.read(p).queries()) {
        checked++;
        problems.addAll(selectorProblems(q));
      }
    }
    assertTrue(checked > 0, "no queries found");
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void everyJitsparseMetricOfTheDashboardsAndAlertsIsInTheCatalogue() throws Exception {
    Set<String> catalogue = new TreeSet<>();
    Matcher named = CATALOGUE_NAME.matcher(Files.readString(files.catalogue()));
    while (named.find()) {
      catalogue.add(named.group(1));
    }
    List<String> texts = new ArrayList<>();
    for (Path p : files.dashboards()) {
      Dashboard d = DashboardQueries.read(p);
      d.queries().forEach(q -> texts.add(q.where() + ": " + q.expr()));
      d.variables().forEach(v -> texts.add(d.title() + " / $" + v.name() + ": " + v.definition()));
    }
    for (JsonNode group : YAML.readTree(files.alertRules().toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        texts.add(rule.path("alert").asText() + ": " + rule.path("expr").asText());
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String text : texts) {
      Matcher m = USED_NAME.matcher(text.substring(text.indexOf(": ")));
      while (m.find()) {
        String name = m.group().replaceFirst(SERIES_SUFFIX, "");
        if (!catalogue.contains(name) && !catalogue.contains(m.group())) {
          unknown.add(m.group() + " in " + text);
        }
      }
    }
    assertTrue(catalogue.size() > 0, "no names in " + files.catalogue());
    assertTrue(
        unknown.isEmpty(), "not in " + files.catalogue() + ":\n" + String.join("\n", unknown));
  }

  @Test
  void everyDashboardExpressionParses() throws Exception {
    Path promtool = ExternalTools.require("promtool");
    Map<String, String> origin = new LinkedHashMap<>();
    ArrayNode rules = YAML.createArrayNode();
    for (Path p : files.dashboards()) {
      Dashboard d = DashboardQueries.read(p);
      for (Query q : d.queries()) {
        String record = "jitsparse_dashboard_expr_" + origin.size();
        origin.put(record, q.where() + ": " + q.expr());
        rules
            .addObject()
            .put("record", record)
            .put("expr", DashboardQueries.substitute(q.expr(), SYNTAX_VALUES));
      }
      for (Variable v : d.variables()) {
        String record = "jitsparse_dashboard_expr_" + origin.size();
        origin.put(record, d.title() + " / $" + v.name() + ": " + v.definition());
        String selector = v.selector().orElseThrow();
        rules
            .addObject()
            .put("record", record)
            .put("expr", DashboardQueries.substitute(selector, SYNTAX_VALUES));
      }
    }
    ObjectNode file = YAML.createObjectNode();
    ObjectNode group = file.putArray("groups").addObject();
    group.put("name", "jitsparse-dashboards");
    group.set("rules", rules);
    Path generated = tmp.resolve("dashboard-exprs.yml");
    YAML.writeValue(generated.toFile(), file);

    ExternalTools.Result r = promtool(promtool, "check", "rules", generated.toString());
    // name the failing expressions by their dashboard and panel
    StringBuilder named = new StringBuilder();
    Matcher failing = Pattern.compile("jitsparse_dashboard_expr_\\d+").matcher(r.output());
    Set<String> seen = new HashSet<>();
    while (failing.find()) {
      if (seen.add(failing.group())) {
        named
            .append(failing.group())
            .append(" = ")
            .append(origin.get(failing.group()))
            .append('\n');
      }
    }
    assertTrue(
        r.ok(),
        "promtool check rules on the dashboards' expressions:\n"
            + r.output()
            + "\nwhere\n"
            + named);
    assertTrue(
        r.output().contains("SUCCESS: " + origin.size() + " rules found"),
        "every expression checked:\n" + r.output());
  }

  /** What is wrong with the selectors and range windows of {@code q}. */
  static List<String> selectorProblems(Query q) {
    List<String> problems = new ArrayList<>();
    Matcher metric = METRIC.matcher(q.expr());
    while (metric.find()) {
      if (metric.group(1).isEmpty()) {
        problems.add(q.where() + ": a metric without label matchers in " + q.expr());
      }
    }
    Matcher s = SELECTOR.matcher(q.expr());
    boolean any = false;
    while (s.find()) {
      any = true;
      String name = s.group(1);
      String matchers = s.group(2);
      List<String> needed = new ArrayList<>(List.of("run=~\"$run\""));
      if (name.startsWith(TRAINER_PREFIX)) {
        needed.addAll(List.of("model=~\"$model\"", "trainer=~\"$trainer\""));
      }
      for (String n : needed) {
        if (!matchers.contains(n)) {
          problems.add(q.where() + ": " + name + " lacks " + n + " in " + q.expr());
        }
      }
    }
    if (!any) {
      problems.add(q.where() + ": no selector with label matchers in " + q.expr());
    }
    Matcher w = WINDOW.matcher(q.expr());
    while (w.find()) {
      if (!WINDOWS.contains(w.group(1))) {
        problems.add(q.where() + ": range [" + w.group(1) + "], expected one of " + WINDOWS);
      }
    }
    return problems;
  }

  private static JsonNode variable(Dashboard d, String name) {
    for (JsonNode v : d.templateVariables()) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError(d.title() + " has no variable " + name);
  }

  private static JsonNode job(JsonNode config, String name) {
    for (JsonNode j : config.path("scrape_configs")) {
      if (j.path("job_name").asText().equals(name)) {
        return j;
      }
    }
    throw new AssertionError("no scrape job " + name);
  }

  /** A copy of {@code config} without Kubernetes discovery, rule files made absolute. */
  private Path withoutKubernetesDiscovery(Path config) throws Exception {
    ObjectNode yaml = (ObjectNode) YAML.readTree(config.toFile());
    for (JsonNode job : yaml.path("scrape_configs")) {
      if (job.has("kubernetes_sd_configs")) {
        ((ObjectNode) job).remove("kubernetes_sd_configs");
        ((ObjectNode) job).putArray("static_configs");
      }
    }
    ArrayNode rules = yaml.putArray("rule_files");
    for (JsonNode f : YAML.readTree(config.toFile()).path("rule_files")) {
      rules.add(config.resolveSibling(f.asText()).toAbsolutePath().toString());
    }
    Path copy = tmp.resolve("prometheus-without-kubernetes-sd.yml");
    YAML.writeValue(copy.toFile(), yaml);
    assertTrue(Files.size(copy) > 0);
    return copy;
  }

  private static ExternalTools.Result promtool(Path promtool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(promtool.toString());
    cmd.addAll(List.of(args));
    return ExternalTools.run(PROMTOOL_TIMEOUT, cmd);
  }
}
