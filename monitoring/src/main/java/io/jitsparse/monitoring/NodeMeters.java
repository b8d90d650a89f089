package io.jitsparse.monitoring;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * Builds a node's one {@link PrometheusMeterRegistry}: common tags that name the node (role, host
 * or pod, run id) on every series, plus JVM and process metrics. Actors receive the registry (as a
 * {@code MeterRegistry}) at creation and register their own meters on it.
 */
public final class NodeMeters implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private NodeMeters(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * @param role the node's roles as one label value, e.g. {@code env}, {@code agent} or {@code
   *     env+agent}
   * @param node the node's name (host-port or pod name)
   * @param runId the run id, empty while not known
   */
  public static NodeMeters create(String role, String node, String runId) {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    r.config()
        .commonTags(List.of(Tag.of("role", role), Tag.of("node", node), Tag.of("run", runId)));
    NodeMeters m = new NodeMeters(r);
    new ClassLoaderMetrics().bindTo(r);
    new JvmMemoryMetrics().bindTo(r);
    m.gc.bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    return m;
  }

  /** The registry actors register on. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
