package io.jitsparse.monitoring.live;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * Adds the live page to Pekko Management's HTTP server (the node's one HTTP port): {@code GET /}
 * (the page), {@code GET /live/...} (its scripts, styles and uPlot, from the jar) and {@code GET
 * /api/live?since=CURSOR} (the {@link LiveBoard}'s news as JSON). Named in {@code
 * pekko.management.http.routes}; Pekko Management loads it as an extension. Until a board is
 * attached (and on nodes that never attach one: env-nodes) these paths are not found.
 */
public final class LiveRoute extends AbstractExtensionId<LiveRoute.Routes>
    implements ExtensionIdProvider {

  /** The extension id (Pekko Management instantiates the class and asks for {@link #lookup}). */
  public static final LiveRoute ID = new LiveRoute();

  /** Classpath folder of the page; the monitoring build puts the web sources and uPlot there. */
  static final String RESOURCES = "io/jitsparse/monitoring/live";

  @Override
  public Routes createExtension(ExtendedActorSystem system) {
    return new Routes();
  }

  @Override
  public ExtensionId<? extends Extension> lookup() {
    return ID;
  }

  /** The routes of one node. */
  public static final class Routes implements ManagementRouteProvider {
    private static final ClassLoader LOADER = LiveRoute.class.getClassLoader();
    // The page and the API change under the same URL: browsers must ask every time (assets are
    // revalidated cheaply through their Last-Modified).
    private static final CacheControl NO_STORE = CacheControl.create(CacheDirectives.NO_STORE);
    private static final CacheControl NO_CACHE = CacheControl.create(CacheDirectives.NO_CACHE);

    private volatile LiveBoard board;

    /** Makes {@code board} what the page shows. */
    public void attach(LiveBoard board) {
      this.board = board;
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
      return Directives.get(
          () ->
              Directives.concat(
                  Directives.pathSingleSlash(
                      () ->
                          attached(
                              () ->
                                  Directives.respondWithHeader(
                                      NO_CACHE,
                                      () ->
                                          Directives.getFromResource(
                                              RESOURCES + "/index.html",
                                              ContentTypes.TEXT_HTML_UTF8,
                                              LOADER)))),
                  Directives.pathPrefix(
                      "live",
                      () ->
                          attached(
                              () ->
                                  Directives.respondWithHeader(
                                      NO_CACHE,
                                      () ->
                                          Directives.getFromResourceDirectory(RESOURCES, LOADER)))),
                  Directives.path(
                      PathMatchers.segment("api").slash("live"),
                      () -> attached(() -> Directives.parameterOptional("since", this::news)))));
    }

    private Route attached(Supplier<Route> inner) {
      return board == null ? Directives.reject() : inner.get();
    }

    private Route news(Optional<String> since) {
      long cursor;
      try {
        cursor = since.map(Long::parseLong).orElse(0L);
      } catch (NumberFormatException e) {
        cursor = -1;
      }
      if (cursor < 0) {
        return Directives.complete(
            StatusCodes.BAD_REQUEST,
            "since must be a cursor: a non-negative integer from the previous answer");
      }
      byte[] json = LiveJson.write(board.view(cursor));
      return Directives.respondWithHeader(
          NO_STORE,
          () -> Directives.complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json)));
    }
  }
}
