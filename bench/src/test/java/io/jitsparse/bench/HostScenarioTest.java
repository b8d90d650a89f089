package io.jitsparse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-host run of {@link HostScenario} in small: real JVMs, each its own host on a loopback
 * address of its own, real trainers (lenet-300-100 on Fashion-MNIST). An agent-node and one
 * env-node start; a second env-node added while learning runs registers and its transitions reach
 * the replay; {@code kill -9} of it drops its explorer, counts its open episode abandoned and
 * learning goes on; {@code kill -9} of the agent-node and a restart on the same address: it joins
 * the cluster the env-node kept, resumes from its checkpoint, the trainer followed its fallback
 * meanwhile and registers again, and the policy version keeps increasing. {@code bench/run hosts}
 * runs the same scenario at full length for the figures.
 */
class HostScenarioTest {

  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(240);

  @TempDir Path dir;

  @Test
  void envNodesJoinAndLeaveAndTheAgentRestartsIntoTheClusterTheyKept() throws Exception {
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
    HostScenario.AgentRestart restart = r.agentRestart();
    assertNotNull(restart);
    assertTrue(restart.resumedVersion() >= 1, restart.toString());
    assertTrue(restart.versionAfter() > restart.resumedVersion(), restart.toString());
    assertTrue(restart.fallbackDecisions() > 0, restart.toString());
    assertTrue(restart.learnerDowntimeSeconds() >= restart.memberUpSeconds(), restart.toString());
  }
}
