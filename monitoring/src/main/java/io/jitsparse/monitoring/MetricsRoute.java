package io.jitsparse.monitoring;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * Adds {@code GET /metrics} (Prometheus text format of the node's {@link NodeMeters}) to Pekko
 * Management's HTTP server, so that a node has one HTTP port for health routes and metrics. Named
 * in {@code pekko.management.http.routes}; Pekko Management loads it as an extension.
 */
public final class MetricsRoute extends AbstractExtensionId<MetricsRoute.Routes>
    implements ExtensionIdProvider {

  /** The extension id (Pekko Management instantiates the class and asks for {@link #lookup}). */
  public static final MetricsRoute ID = new MetricsRoute();

  @Override
  public Routes createExtension(ExtendedActorSystem system) {
    return new Routes();
  }

  @Override
  public ExtensionId<? extends org.apache.pekko.actor.Extension> lookup() {
    return ID;
  }

  /** The routes; serve 503 until the node has attached its meters. */
  public static final class Routes implements ManagementRouteProvider {
    private volatile NodeMeters meters;

    /** Makes {@code meters} the registry {@code /metrics} shows. */
    public void attach(NodeMeters meters) {
      this.meters = meters;
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
      return Directives.path(
          "metrics",
          () ->
              Directives.get(
                  () -> {
                    NodeMeters m = meters;
                    if (m == null) {
                      return Directives.complete(
                          StatusCodes.SERVICE_UNAVAILABLE, "metrics are not ready yet");
                    }
                    return Directives.complete(
                        HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, m.scrape()));
                  }));
    }
  }
}
