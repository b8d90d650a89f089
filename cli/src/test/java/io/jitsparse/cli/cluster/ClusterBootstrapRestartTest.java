package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster formation survives an agent restart: three real JVMs, each its own host on a loopback
 * address of its own (127.13.0.2 the agent-node, .3 and .4 two {@code loadgen} env nodes whose
 * simulated trainers speak the trainers' protocol without training), find each other by Pekko
 * Management Cluster Bootstrap with config discovery (every node lists the three HTTP addresses, as
 * the Kubernetes API lists the pods on Kubernetes). The agent-node is killed with SIGKILL, the env
 * nodes down it (keep-majority), and an agent-node started again on the same address must join the
 * cluster the env nodes kept, not form one of its own (what a seed-node setup with the agent as the
 * only seed does): it sees both env nodes, they see it, and their trainers register with it again
 * and send it transitions. Every process the test starts is ended by it.
 */
class ClusterBootstrapRestartTest {

  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final Pattern MEMBER_UP = Pattern.compile("jitsparse: member up");
  private static final String AGENT_HOST = "127.13.0.2";
  private static final List<String> ENV_HOSTS = List.of("127.13.0.3", "127.13.0.4");
  private static final int REMOTING_PORT = 25520;
  private static final int HTTP_PORT = 8558;
  private static final String EXPLORERS = "jitsparse_agent_explorers";
  private static final String RECEIVED = "jitsparse_agent_replay_transitions_received_total";

  @TempDir Path dir;

  @Test
  void restartedAgentJoinsTheClusterItsEnvNodesKept() throws Exception {
    List<NodeProcess> all = new ArrayList<>();
    try {
      String agentHttp = "http://" + AGENT_HOST + ":" + HTTP_PORT;
      String envHttp = "http://" + ENV_HOSTS.get(0) + ":" + HTTP_PORT;
      // alone, a node finds one contact point of the two required: no cluster, alive, not ready
      NodeProcess env = loadgen(ENV_HOSTS.get(0));
      all.add(env);
      env.httpBase(START);
      assertEquals(200, NodeProcess.status(envHttp, "/alive"));
      // Pekko Management answers a failed health check with 500
      assertEquals(500, NodeProcess.status(envHttp, "/ready"), env.tail(20));
      NodeProcess agent = agent("agent-1");
      all.add(agent);
      all.add(loadgen(ENV_HOSTS.get(1)));
      agent.await(MEMBER_UP, START);
      awaitOneClusterFeedingTheAgent(agent, agentHttp, envHttp);

      agent.killHard();
      // keep-majority: the two env nodes down the unreachable agent-node and stay a cluster
      NodeProcess.awaitTrue(
          () -> members(envHttp, "agent") == 0 && members(envHttp, "env") == 2, SETTLE, env);

      long restart = System.nanoTime();
      NodeProcess again = agent("agent-2");
      all.add(again);
      again.await(MEMBER_UP, START);
      double upSeconds = (System.nanoTime() - restart) / 1e9;
      // joined the env nodes' cluster: a cluster of its own would hold no env member
      awaitOneClusterFeedingTheAgent(again, agentHttp, envHttp);
      double transitionSeconds = (System.nanoTime() - restart) / 1e9;
      assertTrue(env.isAlive() && all.get(2).isAlive(), env.tail(40));
      assertEquals(2.0, members(agentHttp, "env"), again.tail(40));
      System.out.printf(
          "restarted agent-node: member of the existing cluster after %.1f s, 8 explorers and"
              + " transitions in its replay after %.1f s%n",
          upSeconds, transitionSeconds);
    } finally {
      for (NodeProcess p : all) {
        p.close();
      }
    }
  }

  /**
   * Waits until the agent-node and both env nodes see each other up and all eight simulated
   * trainers have explorers on the agent that sent transitions to its replay.
   */
  private static void awaitOneClusterFeedingTheAgent(
      NodeProcess agent, String agentHttp, String envHttp) throws Exception {
    NodeProcess.awaitTrue(
        () -> members(agentHttp, "env") == 2 && members(envHttp, "agent") == 1, SETTLE, agent);
    NodeProcess.awaitTrue(
        () -> metric(agentHttp, EXPLORERS) == 8 && metric(agentHttp, RECEIVED) > 0, SETTLE, agent);
  }

  private static double members(String http, String role) {
    return NodeProcess.membersUp(http, role);
  }

  private static double metric(String http, String name) {
    return NodeProcess.metricOrNaN(http, name);
  }

  private static List<String> nodeFlags(String host) {
    List<String> contactPoints = new ArrayList<>();
    contactPoints.add(AGENT_HOST + ":" + HTTP_PORT);
    ENV_HOSTS.forEach(h -> contactPoints.add(h + ":" + HTTP_PORT));
    return List.of(
        "--host",
        host,
        "--port",
        Integer.toString(REMOTING_PORT),
        "--http-port",
        Integer.toString(HTTP_PORT),
        "--discovery",
        "config",
        "--contact-point",
        String.join(",", contactPoints),
        "--required-contact-points",
        "2");
  }

  /** Split-brain resolver decisions within seconds, so the test waits little for downing. */
  private static final List<String> FAST_DOWNING =
      List.of("-Dpekko.cluster.split-brain-resolver.stable-after=3s");

  private NodeProcess agent(String name) throws IOException {
    List<String> flags =
        new ArrayList<>(
            List.of("--run-id", "bootstrap-test", "--out", dir.resolve("agent-out").toString()));
    flags.addAll(NodeProcess.SMALL_LEARNER);
    return node(name, "768m", "agent-node", AGENT_HOST, flags);
  }

  private NodeProcess loadgen(String host) throws IOException {
    String name = "loadgen-" + host.substring(host.lastIndexOf('.') + 1);
    return node(name, "384m", "loadgen", host, NodeProcess.simulatedTrainers(name, 4));
  }

  /** {@code jitsparse <command>} on {@code host} with Bootstrap's flags and {@code extra}. */
  private NodeProcess node(
      String name, String heap, String command, String host, List<String> extra)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(nodeFlags(host));
    args.addAll(extra);
    return NodeProcess.start(
        name, heap, dir.resolve(name + ".log"), FAST_DOWNING, args.toArray(String[]::new));
  }
}
