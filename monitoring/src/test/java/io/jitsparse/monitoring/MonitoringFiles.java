package io.jitsparse.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shipped monitoring files of the checkout: Grafana dashboards and provisioning under {@code
 * monitoring/grafana/}, Prometheus configuration, alert rules and their unit tests under {@code
 * monitoring/prometheus/}. Found by walking up from the working directory (a module's folder when
 * Maven runs the tests).
 */
public final class MonitoringFiles {

  /** The uid every dashboard and the provisioned datasource use for Prometheus. */
  public static final String DATASOURCE_UID = "jitsparse-prometheus";

  private final Path monitoring;

  private MonitoringFiles(Path monitoring) {
    this.monitoring = monitoring;
  }

  /** The files of the checkout the tests run in. */
  public static MonitoringFiles locate() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("monitoring");
      if (Files.isDirectory(candidate.resolve("grafana").resolve("dashboards"))) {
        return new MonitoringFiles(candidate);
      }
    }
    throw new IllegalStateException("no monitoring/grafana/dashboards above " + dir);
  }

  /** Every dashboard, {@code monitoring/grafana/dashboards/*.json}, sorted by name. */
  public List<Path> dashboards() {
    try (Stream<Path> s = Files.list(monitoring.resolve("grafana").resolve("dashboards"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Grafana's datasource provisioning file. */
  public Path datasourceProvisioning() {
    return monitoring.resolve("grafana").resolve("provisioning").resolve("datasources.yaml");
  }

  /** Grafana's dashboard provisioning file. */
  public Path dashboardProvisioning() {
    return monitoring.resolve("grafana").resolve("provisioning").resolve("dashboards.yaml");
  }

  /** The shipped Prometheus configuration for nodes on one machine (static targets). */
  public Path prometheusConfig() {
    return monitoring.resolve("prometheus").resolve("prometheus.yml");
  }

  /** The shipped Prometheus configuration for Kubernetes (pod discovery). */
  public Path prometheusKubernetesConfig() {
    return monitoring.resolve("prometheus").resolve("prometheus-kubernetes.yml");
  }

  /** The shipped alert rules. */
  public Path alertRules() {
    return monitoring.resolve("prometheus").resolve("alerts.yml");
  }

  /** The metric catalogue, {@code docs/metrics.md}. */
  public Path catalogue() {
    return monitoring.resolveSibling("docs").resolve("metrics.md");
  }

  /** The {@code promtool test rules} file of the alert rules. */
  public Path alertRuleTests() {
    return monitoring.resolve("prometheus").resolve("tests").resolve("alerts-test.yml");
  }
}
