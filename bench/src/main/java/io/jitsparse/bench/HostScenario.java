package io.jitsparse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multi-host run of real nodes on this machine: an agent-node and up to three env-nodes (real
 * trainers on Fashion-MNIST), each its own host on a loopback address of its own ({@code
 * 127.21.0.1} the agent, {@code .2}-{@code .4} the env-nodes: the whole of 127/8 is the loopback
 * interface, so traffic never leaves the machine), same ports on every host, forming one cluster by
 * Pekko Management Cluster Bootstrap with config discovery as pods do on Kubernetes.
 *
 * <p>It measures what the Kubernetes deployment relies on: transitions/s into the replay with 1, 2
 * and 3 env hosts (env-nodes added while learning runs), the time from an env-node's start to its
 * first transition in the replay; what {@code kill -9} of the agent-node costs: the restarted agent
 * joins the cluster the env-nodes kept, resumes from its checkpoint, the trainers follow their
 * fallback while it is away and register again, policy versions keep increasing; the learner's
 * downtime and the transitions lost (held in the replay, in flight, never made because the trainers
 * decided on their fallback) are counted; then what {@code kill -9} of one env-node costs (its
 * explorers dropped, its open episodes counted abandoned, learning goes on).
 *
 * <p>Every condition is awaited on a sampler that scrapes every node's {@code /metrics} once per
 * {@link Settings#sampleEvery}; each wait has a timeout that fails the run with the node's last
 * lines. Every process it starts is ended by {@link #close}.
 */
final class HostScenario implements AutoCloseable {

  /**
   * What a run does.
   *
   * @param launcher the command that runs {@code jitsparse} (the subcommand and flags follow)
   * @param out folder of the nodes' logs and outputs (the agent's checkpoints under it)
   * @param nodeOut the same folder as the nodes see it (another path when they run from the image,
   *     which mounts {@code out} as its data volume)
   * @param addressPrefix the first three octets of the hosts' loopback addresses, e.g. "127.21.0."
   * @param remotingPort Artery port of every host
   * @param httpPort management/metrics port of every host
   * @param envHosts env-node hosts, added one after the other (1 to 3)
   * @param window time over which each host count's rate is measured
   * @param startTimeout longest a node may take to start, join or deliver its first transition
   * @param sampleEvery interval of the metrics sampler
   * @param envArgs extra flags of every env-node (trainers, model, episode settings)
   * @param agentArgs extra flags of the agent-node
   * @param killAgent whether to kill and restart the agent-node at the end
   * @param partition how long to cut the agent-node from the env-nodes (zero: no partition)
   * @param environment added to every node's environment (e.g. {@code OMP_NUM_THREADS}: the hosts
   *     share this machine's cores)
   */
  record Settings(
      List<String> launcher,
      Path out,
      Path nodeOut,
      String addressPrefix,
      int remotingPort,
      int httpPort,
      int envHosts,
      Duration window,
      Duration startTimeout,
      Duration sampleEvery,
      List<String> envArgs,
      List<String> agentArgs,
      boolean killAgent,
      Duration partition,
      Map<String, String> environment) {
    Settings {
      if (envHosts < 1 || envHosts > MAX_ENV_HOSTS) {
        throw new IllegalArgumentException(
            "env hosts " + envHosts + " outside [1, " + MAX_ENV_HOSTS + "]");
      }
      if ((killAgent || !partition.isZero()) && envHosts < 2) {
        throw new IllegalArgumentException(
            "killing the agent needs at least 2 env hosts: with one, the split-brain resolver's"
                + " tie-break by address keeps the agent's side and downs the env-node");
      }
    }
  }

  /** Transitions/s into the replay and trainer steps/s over one window with {@code hosts}. */
  record Rate(
      int hosts,
      int trainers,
      double seconds,
      double transitionsPerSecond,
      double stepsPerSecond) {}

  /** What {@code kill -9} of the last env-node cost. */
  record EnvLoss(
      int explorersBefore,
      int explorersAfter,
      double episodesAbandoned,
      double transitionsLost,
      double updatesBefore,
      double updatesAfter,
      double seconds) {}

  /**
   * What {@code kill -9} of the agent-node and its restart cost.
   *
   * @param memberUpSeconds from the kill to the new agent's "member up"
   * @param reconnectSeconds from the kill to every trainer's explorer running again
   * @param learnerDowntimeSeconds from the kill to the first learner update of the new agent
   * @param replayHeldAtKill transitions in the replay at the last scrape before the kill
   * @param inFlightAtKill transitions sent by explorers and not acknowledged at that scrape
   * @param restored transitions the new agent restored from disk (its log line; 0 without one)
   * @param fallbackDecisions decisions the trainers took on their fallback meanwhile (no experience
   *     is made from them)
   * @param resumedVersion policy version the new agent resumed from
   * @param versionBeforeKill newest published version before the kill
   * @param versionAfter newest published version at the end
   */
  record AgentRestart(
      double memberUpSeconds,
      double reconnectSeconds,
      double learnerDowntimeSeconds,
      double replayHeldAtKill,
      double inFlightAtKill,
      long restored,
      double fallbackDecisions,
      long resumedVersion,
      double versionBeforeKill,
      double versionAfter,
      String resumedLine) {}

  /**
   * What cutting the agent-node from every env-node for {@link Settings#partition} cost. The
   * split-brain resolver (keep-majority) downs the agent's side, whose process exits; as Kubernetes
   * would, the scenario starts it again at once, still cut off, and heals the cut at the end.
   *
   * @param exitCode the downed agent-node's exit code (3: the cluster stopped it)
   * @param exitLine its line saying why
   * @param downedSeconds from the cut to its exit
   * @param rejoinSeconds from the heal to every trainer's explorer running on the new agent-node
   * @param replayAtCut transitions in the replay at the scrape just before the cut
   * @param receivedByCutAgent transitions the cut-off agent-node's replay had received at its last
   *     scrape before it exited (the batches in flight at the cut included)
   * @param restored transitions the new agent-node restored from the replay journal: at least
   *     {@code replayAtCut} (nothing acknowledged lost), at most {@code receivedByCutAgent}
   *     (nothing counted twice)
   * @param envSteps trainer steps of the env side during the cut (it kept training)
   * @param fallbackDecisions decisions the trainers took on their fallback during the cut
   * @param summariesDropped episode summaries the trainers dropped (bounded outbox)
   * @param versionAtCut newest published policy version at the cut
   * @param resumedVersion the version the new agent-node resumed from
   * @param versionAfter the newest published version at the end
   */
  record PartitionCost(
      int exitCode,
      String exitLine,
      double downedSeconds,
      double partitionSeconds,
      double rejoinSeconds,
      double replayAtCut,
      double receivedByCutAgent,
      long restored,
      double envSteps,
      double fallbackDecisions,
      double summariesDropped,
      double versionAtCut,
      long resumedVersion,
      double versionAfter) {}

  /**
   * How trustworthy a node stayed to the failure detector over the whole run.
   *
   * @param unreachableEvents times its failure detector marked a member unreachable
   * @param worstDelaySeconds the largest scheduling delay on the cluster's dispatcher seen in any
   *     scrape (Micrometer's rolling maximum, scraped every second)
   * @param p99DelaySeconds the 99th percentile of those delays, as the upper bound of its bucket
   * @param ticks delays recorded
   */
  record Health(
      double unreachableEvents, double worstDelaySeconds, double p99DelaySeconds, double ticks) {}

  /** Everything measured. */
  record Result(
      List<Rate> rates,
      List<Double> firstTransitionSeconds,
      PartitionCost partition,
      EnvLoss envLoss,
      AgentRestart agentRestart,
      Map<String, Health> health,
      List<Map<String, Object>> timeline) {}

  static final int MAX_ENV_HOSTS = 3;
  private static final String AGENT = "agent";
  private static final Pattern MEMBER_UP = Pattern.compile("jitsparse: member up");
  private static final Pattern RESUMED = Pattern.compile("learner resumed: policy v(\\d+)");
  private static final Pattern RESTORED = Pattern.compile("replay restored: (\\d+) transitions");
  private static final Pattern REMOVED = Pattern.compile("jitsparse: (this node was .*); exiting");
  private static final String SUMMARIES_DROPPED = "jitsparse_trainer_summaries_dropped_total";
  private static final String UNREACHABLE_EVENTS = "jitsparse_cluster_unreachable_events_total";
  private static final String DELAY = "jitsparse_cluster_scheduling_delay_seconds";
  private static final double P99 = 0.99;
  private static final String RECEIVED = "jitsparse_agent_replay_transitions_received_total";
  private static final String ACKED = "jitsparse_agent_transitions_acked_total";
  private static final String SENT = "jitsparse_agent_transitions_sent_total";
  private static final String EXPLORERS = "jitsparse_agent_explorers";
  private static final String UPDATES = "jitsparse_agent_learner_updates_total";
  private static final String PUBLISHED = "jitsparse_agent_policy_published_version";
  private static final String REPLAY_SIZE = "jitsparse_agent_replay_size";
  private static final String ABANDONED = "jitsparse_agent_episodes_abandoned_total";
  private static final String LOST = "jitsparse_agent_transitions_lost_total";
  private static final String STEPS = "jitsparse_trainer_steps_total";
  private static final String FALLBACK = "jitsparse_trainer_fallback_decisions_total";
  private static final Duration GRACE = Duration.ofSeconds(20);

  /**
   * The node lines shown: its own status lines and errors, except Bootstrap's probe failures (a
   * contact point slow to answer on a loaded machine; the node joins through the others).
   */
  private static final Predicate<String> SHOWN =
      NodeChild.NODE_LINES.and(l -> !l.contains("HttpContactPointBootstrap"));

  private final Settings s;
  private final Map<String, NodeChild> nodes = new LinkedHashMap<>();
  private final java.util.Set<String> killed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<String, PrometheusText> latest = new LinkedHashMap<>();
  // per node: the newest scrape it answered (kept after it is gone) and the worst delay seen
  private final Map<String, PrometheusText> lastAnswered = new LinkedHashMap<>();
  private final Map<String, Double> worstDelay = new LinkedHashMap<>();
  private final List<Map<String, Object>> timeline = new ArrayList<>();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "host-sampler");
            t.setDaemon(true);
            return t;
          });
  private final long t0 = System.nanoTime();
  private final int trainersPerHost;
  // The agent-node's incarnation now running: agent, agent-2, ... (each restart a new process).
  private volatile String currentAgent = AGENT;
  private int agentIncarnations = 1;
  private final Partition partition;

  HostScenario(Settings s) throws IOException, InterruptedException {
    this.s = s;
    this.trainersPerHost = trainersOf(s.envArgs());
    this.partition =
        s.partition().isZero()
            ? null
            : new Partition(
                s.addressPrefix().replaceAll("[^0-9]", "_") + ProcessHandle.current().pid());
  }

  /** Names the next agent-node incarnation and makes it the one the scenario watches. */
  private String nextAgent() {
    agentIncarnations++;
    currentAgent = AGENT + "-" + agentIncarnations;
    return currentAgent;
  }

  /** Runs the whole scenario; throws with a node's last lines when an expectation fails. */
  Result run() throws IOException, InterruptedException {
    Files.createDirectories(s.out());
    sampler.scheduleAtFixedRate(this::sample, 0, s.sampleEvery().toMillis(), TimeUnit.MILLISECONDS);
    start(AGENT, agentCommand(1));
    List<Rate> rates = new ArrayList<>();
    List<Double> first = new ArrayList<>();
    for (int h = 1; h <= s.envHosts(); h++) {
      String env = envName(h);
      long started = System.nanoTime();
      start(env, envCommand(h));
      String prefix = env + "-";
      awaitAgent(m -> m.sum(ACKED, prefix) > 0, "first transition acknowledged from " + env);
      first.add(seconds(System.nanoTime() - started));
      progress("%s: first transition in the replay %.1f s after its start", env, first.get(h - 1));
      rates.add(measure(h));
    }
    // The agent first, while every env-node runs: keep-majority downs the agent side only when
    // the env side is the larger one (two nodes tie, and the lower address, the agent's, wins).
    PartitionCost cut = s.partition().isZero() ? null : partitionAgent();
    AgentRestart restart = s.killAgent() ? restartAgent() : null;
    EnvLoss envLoss = s.envHosts() > 1 ? killLastEnv() : null;
    return new Result(rates, first, cut, envLoss, restart, health(), List.copyOf(timeline));
  }

  private Rate measure(int hosts) throws InterruptedException {
    PrometheusText a = agentNow();
    double steps0 = envSum(STEPS);
    long from = System.nanoTime();
    awaitNanos(from + s.window().toNanos());
    PrometheusText b = agentNow();
    double steps1 = envSum(STEPS);
    double dt = seconds(b.nanos() - a.nanos());
    Rate r =
        new Rate(
            hosts,
            hosts * trainersPerHost,
            dt,
            (b.sum(RECEIVED) - a.sum(RECEIVED)) / dt,
            (steps1 - steps0) / dt);
    progress(
        "%d env host(s), %d trainers: %.3f transitions/s into the replay, %.2f trainer steps/s"
            + " (%.0f s)",
        r.hosts(), r.trainers(), r.transitionsPerSecond(), r.stepsPerSecond(), dt);
    return r;
  }

  private EnvLoss killLastEnv() throws InterruptedException {
    String env = envName(s.envHosts());
    PrometheusText before = agentNow();
    int explorersBefore = (int) before.sum(EXPLORERS);
    double abandoned0 = before.sum(ABANDONED);
    double lost0 = before.sum(LOST);
    double updates0 = before.sum(UPDATES);
    long killed = System.nanoTime();
    kill(env);
    int expected = explorersBefore - trainersPerHost;
    PrometheusText after = awaitAgent(m -> m.sum(EXPLORERS) == expected, env + "'s explorers gone");
    double dropSeconds = seconds(System.nanoTime() - killed);
    // Learning goes on: the learner keeps updating from the remaining env-nodes' experience.
    PrometheusText later = awaitAgent(m -> m.sum(UPDATES) > after.sum(UPDATES), "learner updating");
    EnvLoss loss =
        new EnvLoss(
            explorersBefore,
            (int) later.sum(EXPLORERS),
            later.sum(ABANDONED) - abandoned0,
            later.sum(LOST) - lost0,
            updates0,
            later.sum(UPDATES),
            dropSeconds);
    progress(
        "kill -9 %s: explorers %d -> %d after %.1f s, %.0f episodes abandoned, %.0f transitions"
            + " lost, learner updates %.0f -> %.0f",
        env,
        loss.explorersBefore(),
        loss.explorersAfter(),
        loss.seconds(),
        loss.episodesAbandoned(),
        loss.transitionsLost(),
        loss.updatesBefore(),
        loss.updatesAfter());
    return loss;
  }

  private PartitionCost partitionAgent() throws IOException, InterruptedException {
    awaitSomethingToResume("the partition");
    PrometheusText before = agentNow();
    double steps0 = envSum(STEPS);
    double fallback0 = envSum(FALLBACK);
    double dropped0 = envSum(SUMMARIES_DROPPED);
    int explorers = (int) before.sum(EXPLORERS);
    String cutOff = currentAgent;
    // its exit is what the cluster should make of it
    killed.add(cutOff);
    List<String> envs = new ArrayList<>();
    List<String> envAddresses = new ArrayList<>();
    for (int h = 1; h <= s.envHosts(); h++) {
      envs.add(envName(h));
      envAddresses.add(address(h));
    }
    long cutAt = System.nanoTime();
    partition.cut(List.of(AGENT), List.of(address(0)), envs, envAddresses);
    progress(
        "partition: agent-node cut from %d env-nodes for %d s (replay %.0f, policy v%.0f)",
        envs.size(), s.partition().toSeconds(), before.sum(REPLAY_SIZE), before.sum(PUBLISHED));
    NodeChild downed = nodes.get(cutOff);
    int exit = downed.awaitExit(s.startTimeout());
    double downedSeconds = seconds(System.nanoTime() - cutAt);
    String why = downed.find(REMOVED).map(m -> m.group(1)).orElse("(no line)");
    double receivedByCutAgent;
    synchronized (latest) {
      receivedByCutAgent = latest.get(cutOff).sum(RECEIVED);
    }
    progress("partition: agent-node exited %d after %.1f s: %s", exit, downedSeconds, why);
    awaitPortsFree(cutOff);
    // as its supervisor would: started again at once, still cut off until the heal
    String again = nextAgent();
    start(again, agentCommand(s.envHosts()));
    awaitNanos(cutAt + s.partition().toNanos());
    double envSteps = envSum(STEPS) - steps0;
    double fallback = envSum(FALLBACK) - fallback0;
    partition.heal();
    long healedAt = System.nanoTime();
    progress(
        "partition healed after %.0f s: the env side made %.0f steps, %.0f decisions on fallback",
        seconds(healedAt - cutAt), envSteps, fallback);
    NodeChild node = nodes.get(again);
    node.await(MEMBER_UP, s.startTimeout());
    Matcher resumed = node.await(RESUMED, s.startTimeout());
    long resumedVersion = Long.parseLong(resumed.group(1));
    awaitAgent(m -> m.sum(EXPLORERS) == explorers, "every trainer registered again after the heal");
    double rejoin = seconds(System.nanoTime() - healedAt);
    long restored = node.find(RESTORED).map(m -> Long.parseLong(m.group(1))).orElse(0L);
    PrometheusText end =
        awaitAgent(m -> m.sum(PUBLISHED) > resumedVersion, "a newer policy than the resumed one");
    PartitionCost c =
        new PartitionCost(
            exit,
            why,
            downedSeconds,
            seconds(healedAt - cutAt),
            rejoin,
            before.sum(REPLAY_SIZE),
            receivedByCutAgent,
            restored,
            envSteps,
            fallback,
            envSum(SUMMARIES_DROPPED) - dropped0,
            before.sum(PUBLISHED),
            resumedVersion,
            end.sum(PUBLISHED));
    progress(
        "partition: rejoined %.1f s after the heal; replay %.0f at the cut, %.0f received by the"
            + " cut-off agent, %d restored; resumed v%d (v%.0f at the cut), now v%.0f; %.0f"
            + " summaries dropped",
        c.rejoinSeconds(),
        c.replayAtCut(),
        c.receivedByCutAgent(),
        c.restored(),
        c.resumedVersion(),
        c.versionAtCut(),
        c.versionAfter(),
        c.summariesDropped());
    return c;
  }

  /**
   * Waits for a published policy and a learner checkpoint: an agent-node restarted after {@code
   * what} must have a checkpoint to resume from.
   */
  private void awaitSomethingToResume(String what) throws InterruptedException {
    awaitAgent(m -> m.sum(PUBLISHED) > 1, "a published policy before " + what);
    Path checkpoints = s.out().resolve(AGENT).resolve("checkpoints");
    awaitAgent(m -> hasCheckpoint(checkpoints), "a learner checkpoint in " + checkpoints);
  }

  private AgentRestart restartAgent() throws IOException, InterruptedException {
    awaitSomethingToResume("the agent is killed");
    PrometheusText before = agentNow();
    double fallback0 = envSum(FALLBACK);
    int explorers = (int) before.sum(EXPLORERS);
    long killed = System.nanoTime();
    kill(currentAgent);
    progress(
        "kill -9 agent-node: replay held %.0f, %.0f in flight",
        before.sum(REPLAY_SIZE), before.sum(SENT) - before.sum(ACKED));
    String again = nextAgent();
    start(again, agentCommand(s.envHosts()));
    NodeChild node = nodes.get(again);
    node.await(MEMBER_UP, s.startTimeout());
    double memberUp = seconds(System.nanoTime() - killed);
    Matcher resumed = node.await(RESUMED, s.startTimeout());
    long resumedVersion = Long.parseLong(resumed.group(1));
    awaitAgent(m -> m.sum(EXPLORERS) == explorers, "every trainer registered again");
    double reconnect = seconds(System.nanoTime() - killed);
    PrometheusText firstScrape = agentNow();
    double updatesAtStart = firstScrape.sum(UPDATES);
    awaitAgent(m -> m.sum(UPDATES) > updatesAtStart, "the resumed learner updating");
    double downtime = seconds(System.nanoTime() - killed);
    PrometheusText end =
        awaitAgent(m -> m.sum(PUBLISHED) > resumedVersion, "a newer policy than the resumed one");
    // The replay restores before it answers anything, so its line is out by the first update.
    long restored = node.find(RESTORED).map(m -> Long.parseLong(m.group(1))).orElse(0L);
    AgentRestart a =
        new AgentRestart(
            memberUp,
            reconnect,
            downtime,
            before.sum(REPLAY_SIZE),
            before.sum(SENT) - before.sum(ACKED),
            restored,
            envSum(FALLBACK) - fallback0,
            resumedVersion,
            before.sum(PUBLISHED),
            end.sum(PUBLISHED),
            resumed.group());
    progress(
        "agent restart: member up %.1f s, trainers back %.1f s, learner updating again %.1f s"
            + " after the kill; resumed v%d (v%.0f before), now v%.0f; replay held %.0f,"
            + " restored %d; %.0f decisions on fallback",
        a.memberUpSeconds(),
        a.reconnectSeconds(),
        a.learnerDowntimeSeconds(),
        a.resumedVersion(),
        a.versionBeforeKill(),
        a.versionAfter(),
        a.replayHeldAtKill(),
        a.restored(),
        a.fallbackDecisions());
    return a;
  }

  // --- nodes ---

  /** The agent-node's command; {@code envHostsUp}: the env hosts it lists as contact points. */
  private List<String> agentCommand(int envHostsUp) {
    List<String> cmd = new ArrayList<>(s.launcher());
    cmd.add("agent-node");
    cmd.addAll(hostFlags(address(0), AGENT, envHostsUp));
    cmd.addAll(List.of("--out", s.nodeOut().resolve(AGENT).toString()));
    cmd.addAll(s.agentArgs());
    return cmd;
  }

  private List<String> envCommand(int h) {
    List<String> cmd = new ArrayList<>(s.launcher());
    cmd.add("env-node");
    cmd.addAll(hostFlags(address(h), envName(h), h));
    cmd.addAll(List.of("--out", s.nodeOut().resolve(envName(h)).toString()));
    cmd.addAll(s.envArgs());
    return cmd;
  }

  /**
   * Bootstrap's flags. The contact points are the hosts started so far (the agent and env hosts 1
   * to {@code envHostsUp}), as the Kubernetes API lists the pods that exist: Bootstrap forms a new
   * cluster only once it has talked to every contact point, so listing a host not yet started would
   * keep the first two from ever forming one.
   */
  private List<String> hostFlags(String host, String name, int envHostsUp) {
    List<String> contacts = new ArrayList<>();
    for (int i = 0; i <= envHostsUp; i++) {
      contacts.add(address(i) + ":" + s.httpPort());
    }
    return List.of(
        "--host",
        host,
        "--port",
        Integer.toString(s.remotingPort()),
        "--http-port",
        Integer.toString(s.httpPort()),
        "--discovery",
        "config",
        "--contact-point",
        String.join(",", contacts),
        "--required-contact-points",
        "2",
        "--name",
        name.startsWith(AGENT) ? AGENT : name);
  }

  private void start(String name, List<String> cmd) throws IOException {
    Path log = s.out().resolve(name + ".log");
    NodeChild child = NodeChild.start(cmd, "[" + name + "] ", SHOWN, log, s.environment());
    nodes.put(name, child);
    if (partition != null) {
      // before the JVM opens a socket: a socket keeps the cgroup it was made in
      partition.place(host(name), child.pid());
    }
  }

  /** The host a node runs on: "agent" for every agent incarnation, else its name. */
  private static String host(String name) {
    return name.startsWith(AGENT) ? AGENT : name;
  }

  private void kill(String name) throws InterruptedException {
    NodeChild n = nodes.get(name);
    killed.add(name);
    n.killHard();
    synchronized (latest) {
      latest.remove(name);
    }
    awaitPortsFree(name);
  }

  /**
   * Waits until the killed node's ports can be bound again. The process started may be a launcher
   * whose node dies after it (the image's unshare, its node then killed by the kernel), and a node
   * started on the same address before the old one is gone could not bind its ports.
   */
  private void awaitPortsFree(String name) throws InterruptedException {
    String host = httpOf(name).replaceFirst("^http://", "").replaceFirst(":\\d+$", "");
    long deadline = System.nanoTime() + s.startTimeout().toNanos();
    synchronized (latest) {
      while (!free(host, s.remotingPort()) || !free(host, s.httpPort())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              name + "'s ports on " + host + " still bound " + s.startTimeout() + " after kill -9");
        }
        latest.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  private static boolean free(String host, int port) {
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String address(int host) {
    return s.addressPrefix() + (host + 1);
  }

  private static String envName(int h) {
    return "env-" + h;
  }

  private String httpOf(String name) {
    int host = name.startsWith("env-") ? Integer.parseInt(name.substring(4)) : 0;
    return "http://" + address(host) + ":" + s.httpPort();
  }

  // --- sampling and waiting ---

  private void sample() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("seconds", seconds(System.nanoTime() - t0));
    List<String> live = new ArrayList<>();
    synchronized (latest) {
      nodes.forEach(
          (n, c) -> {
            if (c.isAlive()) {
              live.add(n);
            }
          });
    }
    for (String n : live) {
      try {
        PrometheusText m = PrometheusText.scrape(httpOf(n));
        synchronized (latest) {
          if (nodes.get(n).isAlive()) {
            latest.put(n, m);
          }
          lastAnswered.put(n, m);
          worstDelay.merge(n, m.sum(DELAY + "_max"), Math::max);
        }
        if (n.startsWith(AGENT)) {
          row.put("received", m.sum(RECEIVED));
          row.put("updates", m.sum(UPDATES));
          row.put("version", m.sum(PUBLISHED));
          row.put("explorers", m.sum(EXPLORERS));
          row.put("replay", m.sum(REPLAY_SIZE));
        } else {
          row.put(n + "_steps", m.sum(STEPS));
          row.put(n + "_fallback", m.sum(FALLBACK));
        }
      } catch (IOException e) {
        // not serving yet, or just killed: the next sample tries again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    synchronized (latest) {
      timeline.add(row);
      latest.notifyAll();
    }
  }

  /** The agent's newest scrape once it matches {@code condition}. */
  private PrometheusText awaitAgent(Predicate<PrometheusText> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + s.startTimeout().toNanos();
    synchronized (latest) {
      while (true) {
        PrometheusText m = agentScrape();
        if (m != null && condition.test(m)) {
          return m;
        }
        long left = deadline - System.nanoTime();
        String agent = currentAgent;
        NodeChild node = nodes.get(agent);
        if (left <= 0 || !node.isAlive()) {
          throw new IllegalStateException(
              (node.isAlive() ? "not seen within " + s.startTimeout() : agent + " exited")
                  + ": "
                  + what
                  + "\n"
                  + node.tail());
        }
        for (Map.Entry<String, NodeChild> e : nodes.entrySet()) {
          if (!e.getValue().isAlive() && !killed.contains(e.getKey())) {
            throw new IllegalStateException(
                e.getKey() + " exited while waiting for " + what + "\n" + e.getValue().tail());
          }
        }
        latest.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** A scrape of the agent taken after this call. */
  private PrometheusText agentNow() throws InterruptedException {
    long now = System.nanoTime();
    return awaitAgent(m -> m.nanos() >= now, "a fresh scrape of the agent");
  }

  private PrometheusText agentScrape() {
    return latest.get(currentAgent);
  }

  private double envSum(String metric) {
    synchronized (latest) {
      double sum = 0;
      for (Map.Entry<String, PrometheusText> e : latest.entrySet()) {
        if (e.getKey().startsWith("env-")) {
          sum += e.getValue().sum(metric);
        }
      }
      return sum;
    }
  }

  /** Waits on the sampler until {@code deadline} ({@link System#nanoTime()}). */
  private void awaitNanos(long deadline) throws InterruptedException {
    synchronized (latest) {
      for (long left = deadline - System.nanoTime();
          left > 0;
          left = deadline - System.nanoTime()) {
        latest.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** Every node's {@link Health} from its last scrape and the worst delay seen. */
  private Map<String, Health> health() {
    Map<String, Health> out = new LinkedHashMap<>();
    synchronized (latest) {
      lastAnswered.forEach(
          (n, m) ->
              out.put(
                  n,
                  new Health(
                      m.sum(UNREACHABLE_EVENTS),
                      worstDelay.getOrDefault(n, Double.NaN),
                      quantileBound(m, DELAY, P99),
                      m.sum(DELAY + "_count"))));
    }
    return out;
  }

  /** The upper bound of the histogram bucket that holds quantile {@code q} of {@code name}. */
  static double quantileBound(PrometheusText m, String name, double q) {
    java.util.TreeMap<Double, Double> cumulative = new java.util.TreeMap<>();
    for (String line : m.samples()) {
      if (!line.startsWith(name + "_bucket{")) {
        continue;
      }
      // the label itself, not the end of another one (role="..." ends in le=")
      int le = Math.max(line.indexOf("{le=\""), line.indexOf(",le=\""));
      if (le < 0) {
        continue;
      }
      String bound = line.substring(le + 5, line.indexOf('"', le + 5));
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      cumulative.merge(
          upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
    }
    if (cumulative.isEmpty()) {
      return Double.NaN;
    }
    double total = cumulative.lastEntry().getValue();
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      if (e.getValue() >= q * total) {
        return e.getKey();
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  private static boolean hasCheckpoint(Path dir) {
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".ckpt"));
    } catch (IOException e) {
      return false;
    }
  }

  private static int trainersOf(List<String> envArgs) {
    int i = envArgs.indexOf("--trainers");
    return i >= 0 && i + 1 < envArgs.size() ? Integer.parseInt(envArgs.get(i + 1)) : 1;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void progress(String format, Object... args) {
    System.out.println("hosts: " + String.format(java.util.Locale.ROOT, format, args));
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    for (NodeChild n : nodes.values()) {
      n.stop(GRACE);
    }
    if (partition != null) {
      try {
        partition.close();
      } catch (IOException e) {
        System.out.println("hosts: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
