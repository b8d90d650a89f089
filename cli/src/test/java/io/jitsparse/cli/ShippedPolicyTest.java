package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.policy.GreedyPolicy;
import io.jitsparse.agent.policy.ShippedPolicies;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.trainer.ControlledEpisode;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.v1.EpisodeSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy the repository ships ({@code policies/jit-lenet5}, what {@code jitsparse run}
 * warm-starts from) still loads and drives an episode, so no later change to the features, the
 * checkpoint format or the trainer breaks it silently.
 */
class ShippedPolicyTest {

  @Test
  void theShippedPolicyLoadsByNameAndDrivesAShortEpisodeToTheTarget(@TempDir Path out)
      throws Exception {
    Path folder = ShippedPolicies.resolve(ShippedPolicies.DEFAULT).orElseThrow();
    assertTrue(Files.exists(folder.resolve("PROVENANCE.md")), "the policy says how it was made");
    GreedyPolicy policy = GreedyPolicy.load(folder);
    assertTrue(policy.version() > 1, "a learned version, not the initial network");
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    Map<String, Object> paths = new HashMap<>();
    paths.put(TrainerSettings.PATH + ".model", "lenet5-caffe");
    paths.put(TrainerSettings.PATH + ".density", 0.05);
    paths.put(TrainerSettings.PATH + ".episode-steps", 20);
    paths.put(TrainerSettings.PATH + ".train-samples", 2560);
    paths.put(TrainerSettings.PATH + ".test-samples", 500);
    paths.put(TrainerSettings.PATH + ".validation-samples", 200);
    paths.put(TrainerSettings.PATH + ".out", out.toString());
    TrainerSettings s =
        TrainerSettings.create(
            ConfigFactory.parseMap(paths).withFallback(ConfigFactory.load()).resolve());
    FashionMnist data = new FashionMnistLocator(out.resolve("data"), line -> {}).load(null);
    EpisodeSummary e = ControlledEpisode.run(s, 1, data, policy::decide, "shipped", null);
    assertFalse(e.getAborted(), e.getAbortReason());
    assertEquals(0.05, e.getGlobalDensity(), 1e-3);
    assertEquals(policy.version(), e.getPolicyVersion());
    assertTrue(e.getInferenceFlops() <= e.getReferenceInferenceFlops() * (1 + 1e-9));
  }

  @Test
  void noneAndUnknownNamesAreSaidPlainly() {
    assertTrue(ShippedPolicies.resolve("none").isEmpty());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ShippedPolicies.resolve("no-such-policy"));
    assertTrue(e.getMessage().contains("no-such-policy"), e.getMessage());
  }
}
