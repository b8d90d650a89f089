package io.jitsparse.cli.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.monitoring.ClusterMembersMeter;
import io.jitsparse.monitoring.MetricsRoute;
import io.jitsparse.monitoring.NodeMeters;
import io.jitsparse.monitoring.SchedulingDelayProbe;
import io.jitsparse.monitoring.live.LiveBoard;
import io.jitsparse.monitoring.live.LiveRoute;
import io.jitsparse.monitoring.live.LiveSettings;
import io.jitsparse.protocol.ServiceKeys;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Starts one cluster node: builds the Pekko config from {@link NodeSettings} and the node's roles,
 * creates the actor system, joins (its seed nodes, or itself), starts the node's HTTP server (Pekko
 * Management health routes, {@code /metrics} and, on a node with the agent role, the live page) and
 * prints the addresses it bound, so that port 0 is usable from scripts. The role behaviors are
 * spawned by the caller's {@link Body} under the system guardian.
 */
public final class ClusterNode {

  /** The actor system's name: every node of one cluster must use it. */
  public static final String SYSTEM_NAME = "jitsparse";

  /** Exit code of a node that could not join its cluster in time. */
  public static final int EXIT_JOIN_FAILED = 4;

  /**
   * Exit code of a node the cluster downed (the split-brain resolver) or removed: non-zero, so that
   * a supervisor (Kubernetes, systemd) restarts it and it joins again as a new member.
   */
  public static final int EXIT_REMOVED = 3;

  /** The service Cluster Bootstrap discovers (also the pod label app.kubernetes.io/part-of). */
  public static final String BOOTSTRAP_SERVICE = "jitsparse";

  /**
   * What a role body gets to build its actors with.
   *
   * @param live the board the live page shows; present on nodes with the agent role
   */
  public record NodeContext(
      String nodeName, String runId, NodeMeters meters, Config config, Optional<LiveBoard> live) {}

  /** Builds the guardian's behavior for the node's roles. */
  @FunctionalInterface
  public interface Body extends BiFunction<ActorContext<Void>, NodeContext, Behavior<Void>> {}

  private final ActorSystem<Void> system;
  private final AtomicInteger exitCode;
  private final PrintStream out;
  private final Optional<LiveBoard> live;
  private final CompletableFuture<Void> lastPhase = new CompletableFuture<>();
  private final Duration lastPhaseTimeout;

  private ClusterNode(
      ActorSystem<Void> system, AtomicInteger exitCode, PrintStream out, Optional<LiveBoard> live) {
    this.system = system;
    this.exitCode = exitCode;
    this.out = out;
    this.live = live;
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
    String phase = CoordinatedShutdown.PhaseActorSystemTerminate();
    this.lastPhaseTimeout = Duration.ofMillis(shutdown.timeout(phase).toMillis());
    shutdown.addTask(
        phase,
        "jitsparse-last-phase",
        () -> {
          lastPhase.complete(null);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  /**
   * Starts the node.
   *
   * @param config the resolved config with the command's flags applied
   * @param roles cluster roles ({@code env}, {@code agent})
   * @param runId the run id the node's metrics carry ("" when not known)
   * @param out where the node prints its addresses
   * @param body spawns the role actors
   */
  public static ClusterNode start(
      Config config, Set<String> roles, String runId, PrintStream out, Body body) {
    NodeSettings settings = NodeSettings.create(config);
    Config full = withNode(config, settings, roles);
    // The agent knows the trainers, their episodes and the learning curve: it serves the page.
    Optional<LiveBoard> live =
        roles.contains(ServiceKeys.AGENT_ROLE)
            ? Optional.of(LiveBoard.create(LiveSettings.create(full)))
            : Optional.empty();
    AtomicInteger exitCode = new AtomicInteger(0);
    Behavior<Void> guardian =
        Behaviors.setup(
            ctx -> {
              int port = Cluster.get(ctx.getSystem()).selfMember().address().getPort().get();
              String nodeName = settings.nodeName(port);
              NodeMeters meters =
                  NodeMeters.create(String.join("+", new TreeSet<>(roles)), nodeName, runId);
              MetricsRoute.ID.get(Adapter.toClassic(ctx.getSystem())).attach(meters);
              ctx.getSystem().getWhenTerminated().thenRun(meters::close);
              ctx.spawn(
                  ClusterMembersMeter.create(
                      meters.registry(), List.of(ServiceKeys.ENV_ROLE, ServiceKeys.AGENT_ROLE)),
                  "cluster-members-meter");
              ctx.spawn(
                  SchedulingDelayProbe.create(
                      meters.registry(),
                      full.getDuration("pekko.cluster.failure-detector.heartbeat-interval")),
                  "scheduling-delay-probe",
                  SchedulingDelayProbe.CLUSTER_DISPATCHER);
              live.ifPresent(board -> board.describe(runId, nodeName));
              return body.apply(ctx, new NodeContext(nodeName, runId, meters, full, live));
            });
    // A taken port fails deep inside remoting or the HTTP server with pages of stack trace:
    // say it in one line first (a port taken between this check and the bind still fails there).
    requireFree(settings.host(), settings.port(), "--port");
    requireFree(settings.host(), settings.httpPort(), "--http-port");
    ActorSystem<Void> system = ActorSystem.create(guardian, SYSTEM_NAME, full);
    live.ifPresent(board -> LiveRoute.ID.get(Adapter.toClassic(system)).attach(board));
    ClusterNode node = new ClusterNode(system, exitCode, out, live);
    node.join(settings, new TreeSet<>(roles));
    node.startHttp(settings);
    if (settings.bootstraps()) {
      // after the HTTP server: the contact points probe each other's /bootstrap routes
      ClusterBootstrap.get(Adapter.toClassic(system)).start();
    }
    return node;
  }

  /**
   * Fails naming {@code flag} when {@code port} (a fixed one: 0 and negative ports are not checked)
   * cannot be bound on {@code host}.
   */
  static void requireFree(String host, int port, String flag) {
    if (port <= 0) {
      return;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(host, port));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          flag
              + " "
              + port
              + ": "
              + host
              + ":"
              + port
              + " cannot be bound ("
              + e.getMessage()
              + ")");
    }
  }

  /**
   * The config a node runs with: {@code config} plus remoting (TLS when {@code tls-dir} is set),
   * roles, seeds or Cluster Bootstrap, and management.
   */
  static Config withNode(Config config, NodeSettings s, Set<String> roles) {
    List<String> seeds = new ArrayList<>();
    for (String hp : s.seedNodes()) {
      seeds.add("pekko://" + SYSTEM_NAME + "@" + hp);
    }
    Config base = bootstrap(s);
    if (s.tls().isPresent()) {
      base = s.tls().get().pekkoConfig().withFallback(base);
    }
    return base.withValue(
            "pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(s.host()))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(s.port()))
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(new TreeSet<>(roles)))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
        .withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(s.host()))
        .withValue(
            "pekko.management.http.port", ConfigValueFactory.fromAnyRef(Math.max(0, s.httpPort())))
        .withFallback(config)
        .resolve();
  }

  /**
   * Cluster Bootstrap's settings when the node discovers its cluster: the contact points are the
   * nodes' HTTP servers (service {@value #BOOTSTRAP_SERVICE}), listed by config discovery or by the
   * Kubernetes API (pods labelled {@code app.kubernetes.io/part-of=jitsparse}, port {@code http},
   * raw pod IPs). A node that finds a contact point in a cluster joins that cluster; when none is
   * in one and {@code required-contact-points} answer, the lowest address starts it.
   */
  static Config bootstrap(NodeSettings s) {
    Config c = ConfigFactory.empty();
    if (!s.bootstraps()) {
      return c;
    }
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    c =
        c.withValue(discovery + "service-name", ConfigValueFactory.fromAnyRef(BOOTSTRAP_SERVICE))
            .withValue(discovery + "discovery-method", ConfigValueFactory.fromAnyRef(s.discovery()))
            .withValue(
                discovery + "required-contact-point-nr",
                ConfigValueFactory.fromAnyRef(s.requiredContactPoints()));
    if (s.discovery().equals(NodeSettings.CONFIG_DISCOVERY)) {
      List<Map<String, Object>> endpoints = new ArrayList<>();
      for (String hp : s.contactPoints()) {
        int colon = hp.lastIndexOf(':');
        endpoints.add(
            Map.of(
                "host", hp.substring(0, colon), "port", Integer.parseInt(hp.substring(colon + 1))));
      }
      return c.withValue(
              "pekko.discovery.config.services." + BOOTSTRAP_SERVICE + ".endpoints",
              ConfigValueFactory.fromIterable(endpoints))
          // contact points listed with their own ports (several nodes on one host)
          .withValue(
              "pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port",
              ConfigValueFactory.fromAnyRef(false));
    }
    return c.withValue(discovery + "port-name", ConfigValueFactory.fromAnyRef("http"))
        .withValue(
            "pekko.discovery.kubernetes-api.pod-label-selector",
            ConfigValueFactory.fromAnyRef("app.kubernetes.io/part-of=%s"))
        .withValue(
            "pekko.discovery.kubernetes-api.use-raw-ip", ConfigValueFactory.fromAnyRef(true));
  }

  private void join(NodeSettings s, Set<String> roles) {
    Cluster cluster = Cluster.get(system);
    out.println("jitsparse: cluster address " + cluster.selfMember().address());
    s.tls()
        .ifPresent(
            tls ->
                out.println(
                    "jitsparse: remoting over TLS with mutual authentication ("
                        + RemotingTls.TRANSPORT
                        + "), certificates in "
                        + tls.dir()));
    if (s.bootstraps()) {
      out.println(
          "jitsparse: cluster bootstrap by "
              + s.discovery()
              + " discovery"
              + (s.contactPoints().isEmpty() ? "" : ", contact points " + s.contactPoints())
              + ", "
              + s.requiredContactPoints()
              + " required to start a new cluster");
    } else if (s.seedNodes().isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    org.apache.pekko.cluster.Cluster classic =
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
    classic.registerOnMemberUp(
        () -> out.println("jitsparse: member up, roles " + String.join(",", roles)));
    Duration timeout = s.joinTimeout();
    system
        .scheduler()
        .scheduleOnce(
            timeout,
            () -> {
              MemberStatus status = cluster.selfMember().status();
              if (status != MemberStatus.up() && status != MemberStatus.weaklyUp()) {
                out.println(
                    "jitsparse: error: could not join the cluster at "
                        + (s.bootstraps()
                            ? "its contact points (" + s.discovery() + " discovery)"
                            : s.seedNodes().isEmpty() ? "itself" : s.seedNodes())
                        + " within "
                        + timeout.toSeconds()
                        + "s (--join-timeout); are the other nodes running?");
                shutdown(EXIT_JOIN_FAILED);
              }
            },
            system.executionContext());
  }

  private void startHttp(NodeSettings s) {
    if (s.httpPort() < 0) {
      return;
    }
    try {
      var uri =
          PekkoManagement.get(Adapter.toClassic(system))
              .start()
              .toCompletableFuture()
              .get(s.joinTimeout().toSeconds(), TimeUnit.SECONDS);
      out.println("jitsparse: http " + uri + "/ (health: /alive /ready, metrics: /metrics)");
      if (live.isPresent()) {
        out.println("jitsparse: live page " + uri + "/  metrics " + uri + "/metrics");
      }
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException(
          "could not start the HTTP server on "
              + s.host()
              + ":"
              + s.httpPort()
              + " (--http-port): "
              + e.getMessage(),
          e);
    }
  }

  /** The node's actor system. */
  public ActorSystem<Void> system() {
    return system;
  }

  /** Leaves the cluster and stops the node (coordinated shutdown), exiting with {@code code}. */
  public void shutdown(int code) {
    exitCode.compareAndSet(0, code);
    CoordinatedShutdown.get(Adapter.toClassic(system)).run(CoordinatedShutdown.unknownReason());
  }

  /**
   * Blocks until the node has stopped; returns its exit code: {@link #EXIT_REMOVED}, with one line
   * saying why, when the cluster rather than this process stopped it. Waits for the actor system to
   * terminate, but no longer than coordinated shutdown's last phase allows: in Pekko 1.2.1 Artery
   * waits without a deadline for its streams to complete, and a TLS stream that never does (seen
   * with {@code tls-tcp}, at a node's own end) would keep the process alive for good.
   */
  public int awaitTermination() {
    CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
    CompletableFuture<?> givenUp =
        lastPhase.thenCompose(
            v ->
                new CompletableFuture<Void>()
                    .completeOnTimeout(null, lastPhaseTimeout.toMillis(), TimeUnit.MILLISECONDS));
    CompletableFuture.anyOf(terminated, givenUp).join();
    if (!terminated.isDone()) {
      out.println(
          "jitsparse: warning: the actor system did not terminate within "
              + lastPhaseTimeout.toSeconds()
              + " s of its last shutdown phase (a remoting stream did not close); exiting anyway");
    }
    Optional<String> removed =
        removedBecause(
            CoordinatedShutdown.get(Adapter.toClassic(system)).getShutdownReason().orElse(null));
    if (removed.isPresent() && exitCode.compareAndSet(0, EXIT_REMOVED)) {
      out.println("jitsparse: " + removed.get() + "; exiting " + EXIT_REMOVED);
      out.flush();
    }
    return exitCode.get();
  }

  /**
   * Why the cluster stopped this node, when {@code reason} (the coordinated shutdown's) was the
   * cluster's own: a downed node or one made to leave by another member has no work of its own left
   * but its supervisor must start it again, whereas a shutdown this process asked for (a signal,
   * the budget, finished episodes) already set its reason first and is not one of these.
   */
  static Optional<String> removedBecause(CoordinatedShutdown.Reason reason) {
    if (reason == CoordinatedShutdown.clusterDowningReason()) {
      return Optional.of(
          "this node was downed by the cluster (split-brain resolver: it lost contact with the"
              + " other members and was on the side that gives way)");
    }
    if (reason == CoordinatedShutdown.clusterLeavingReason()) {
      return Optional.of("this node was removed from the cluster by another member");
    }
    return Optional.empty();
  }
}
