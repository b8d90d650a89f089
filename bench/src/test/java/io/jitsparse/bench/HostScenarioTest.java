package io.jitsparse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-host run of {@link HostScenario} in small: real JVMs, each its own host on a loopback
 * address of its own, real trainers (lenet-300-100 on Fashion-MNIST). An agent-node and one
 * env-node start; a second env-node added while learning runs registers and its transitions reach
 * the replay; {@code kill -9} of it drops its explorer, counts its open episode abandoned and
 * learning goes on; a partition cutting the agent-node from both env-nodes (nftables) gets the
 * agent's side downed (its process exits 3 saying so), the env side keeps training on its fallback,
 * and the agent started again at once joins after the heal with every transition its replay had
 * acknowledged; {@code kill -9} of the agent-node and a restart on the same address: it joins the
 * cluster the env-node kept, resumes from its checkpoint, the trainer followed its fallback
 * meanwhile and registers again, and the policy version keeps increasing. {@code bench/run hosts}
 * runs the same scenario at full length for the figures.
 */
class HostScenarioTest {

  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(240);
  private static final Duration PARTITION = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void envNodesJoinAndLeaveAndTheAgentRestartsIntoTheClusterTheyKept() throws Exception {
    String missing = Partition.missing();
    if (missing != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(missing + " (CI=true: the partition must be tried; ./run-tests installs nftables)");
      }
      Assumptions.abort(missing);
    }
    List<String> launcher =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx768m",
            "-XX:+UseParallelGC",
            "-Dorg.bytedeco.javacpp.maxbytes=1g",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=3g",
            "-Dorg.eclipse.deeplearning4j.helpers.disable=false",
            // split-brain decisions within seconds, so the test waits little for downing
            "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
            // the nodes' own INFO events ("learner resumed"), as the jar's logging settings have
            // them; the bench module's own settings, first on this class path, keep WARN
            "-Dorg.slf4j.simpleLogger.log.io.jitsparse=info",
            "-cp",
            System.getProperty("java.class.path"),
            "io.jitsparse.cli.JitsparseCommand");
    HostScenario.Settings settings =
        new HostScenario.Settings(
            launcher,
            dir,
            dir,
            "127.22.0.",
            25520,
            8558,
            2,
            WINDOW,
            TIMEOUT,
            Duration.ofMillis(500),
            List.of(
                "--trainers",
                "1",
                "--model",
                "lenet-300-100",
                "--run-id",
                "hosts-test",
                "--train-samples",
                "6000",
                "--validation-samples",
                "200"),
            List.of(
                "--run-id",
                "hosts-test",
                "--min-replay-size",
                "8",
                "--checkpoint-interval",
                "5",
                "--learner-batch-size",
                "8",
                "--publish-interval",
                "5"),
            true,
            PARTITION,
            Map.of("OMP_NUM_THREADS", "1", "OMP_WAIT_POLICY", "PASSIVE"));
    HostScenario.Result r;
    try (HostScenario scenario = new HostScenario(settings)) {
      r = scenario.run();
    }
    assertEquals(2, r.rates().size());
    assertEquals(2, r.firstTransitionSeconds().size());
    for (HostScenario.Rate rate : r.rates()) {
      assertTrue(rate.stepsPerSecond() > 0, rate.toString());
    }
    HostScenario.EnvLoss loss = r.envLoss();
    assertNotNull(loss);
    assertEquals(loss.explorersBefore() - 1, loss.explorersAfter(), loss.toString());
    assertEquals(1.0, loss.episodesAbandoned(), loss.toString());
    assertTrue(loss.updatesAfter() > loss.updatesBefore(), loss.toString());
    HostScenario.PartitionCost cut = r.partition();
    assertNotNull(cut);
    // the agent's side is the minority: downed by the resolver, its process says so and exits 3
    assertEquals(3, cut.exitCode(), cut.toString());
    assertTrue(cut.exitLine().contains("downed"), cut.toString());
    // the env side kept training on its fallback
    assertTrue(cut.envSteps() > 0 && cut.fallbackDecisions() > 0, cut.toString());
    // nothing the replay acknowledged is lost (the journal caught up while the cut-off agent
    // waited to be downed) and nothing is counted twice
    assertTrue(cut.restored() >= cut.replayAtCut(), cut.toString());
    assertTrue(cut.restored() <= cut.receivedByCutAgent(), cut.toString());
    assertTrue(
        cut.resumedVersion() >= 1 && cut.versionAfter() > cut.resumedVersion(), cut.toString());
    assertEquals(0.0, cut.summariesDropped(), cut.toString());
    HostScenario.AgentRestart restart = r.agentRestart();
    assertNotNull(restart);
    assertTrue(restart.resumedVersion() >= 1, restart.toString());
    assertTrue(restart.versionAfter() > restart.resumedVersion(), restart.toString());
    assertTrue(restart.fallbackDecisions() > 0, restart.toString());
    assertTrue(restart.learnerDowntimeSeconds() >= restart.memberUpSeconds(), restart.toString());
  }
}
