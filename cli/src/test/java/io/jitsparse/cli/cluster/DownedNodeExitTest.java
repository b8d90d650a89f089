package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.cli.node.ClusterNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node the split-brain resolver downs exits non-zero with one line saying why, so that Kubernetes
 * restarts it instead of counting it as done: one agent-node and one loadgen (simulated trainers,
 * the env role without training) form a cluster of two; the agent is killed with SIGKILL. In a
 * two-node tie {@code keep-majority} keeps the side with the lowest address, so the loadgen listens
 * on 127.0.0.2 (above the agent's 127.0.0.1) and is the side that gives way, as the env-node of the
 * issue was. Every process the test starts is ended by it.
 */
class DownedNodeExitTest {

  private static final Duration START = Duration.ofSeconds(60);

  /** stable-after (3 s here) plus the failure detector and a coordinated shutdown. */
  private static final Duration DOWNED = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void aNodeDownedBySplitBrainResolverExitsThreeWithOneLine() throws Exception {
    List<NodeProcess> all = new ArrayList<>();
    try {
      NodeProcess agent =
          NodeProcess.start(
              "agent",
              "512m",
              dir.resolve("agent.log"),
              NodeProcess.FAST_DOWNING,
              "agent-node",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--http-port",
              "-1",
              "--run-id",
              "downing-test");
      all.add(agent);
      String seed = agent.clusterHostPort(START);
      NodeProcess load =
          NodeProcess.start(
              "loadgen",
              "384m",
              dir.resolve("loadgen.log"),
              NodeProcess.FAST_DOWNING,
              "loadgen",
              "--seed-node",
              seed,
              "--host",
              "127.0.0.2",
              "--port",
              "0",
              "--trainers",
              "2",
              "--warmup",
              "0s",
              // longer than the test: only the downing ends it
              "--duration",
              "600s");
      all.add(load);
      load.await(Pattern.compile("member up"), START);

      agent.killHard();
      assertTrue(load.process().waitFor(DOWNED.toSeconds(), TimeUnit.SECONDS), load.tail(40));
      assertEquals(ClusterNode.EXIT_REMOVED, load.process().exitValue(), load.tail(40));
      load.await(
          Pattern.compile(
              "^jitsparse: this node was downed by the cluster \\(split-brain resolver.*; exiting "
                  + ClusterNode.EXIT_REMOVED
                  + "$"),
          START);
    } finally {
      for (NodeProcess p : all) {
        p.close();
      }
    }
  }
}
