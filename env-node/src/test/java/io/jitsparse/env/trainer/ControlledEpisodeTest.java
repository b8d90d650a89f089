package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerSchedule;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real episodes (lenet-300-100, tiny data: 40 steps, a decision every 5) driven without Pekko: by a
 * scripted controller, and by the engine's own gradual pruning.
 */
class ControlledEpisodeTest {

  private static final long STEPS = 40;
  private static final long INTERVAL = 5;
  private static final double TARGET = 0.1;
  private static final double FLOPS_WEIGHT = 0.1;

  private static TrainerSettings settings(Path out) {
    return ActorTests.settings(
        out,
        Map.of(
            "episode-steps",
            STEPS,
            "decision-interval",
            INTERVAL,
            "density",
            TARGET,
            "flops-weight",
            FLOPS_WEIGHT));
  }

  /** Zhu and Gupta's cubic from dense to the target over the episode. */
  private static double cubic(long step) {
    double left = 1 - Math.min(1.0, step / (double) STEPS);
    return TARGET + (1 - TARGET) * left * left * left;
  }

  @Test
  void aCubicControllerEndsAtTheTargetWithOneScheduleEntryPerDecisionAndThePricedReward(
      @TempDir Path out) {
    TrainerSettings s = settings(out);
    FashionMnist data = ActorTests.data().get();
    List<Observation> seen = new ArrayList<>();
    DensityController cubic =
        o -> {
          seen.add(o);
          double d = cubic(o.getStep() + INTERVAL);
          SparsityAction.Builder a = SparsityAction.newBuilder().setPolicyVersion(7);
          for (int i = 0; i < o.getLayersCount(); i++) {
            a.addLayerDensities(d);
          }
          return Optional.of(a.build());
        };

    List<Long> stepped = new ArrayList<>();
    List<Observation> decided = new ArrayList<>();
    ControlledEpisode.ProgressListener progress =
        new ControlledEpisode.ProgressListener() {
          @Override
          public void stepped(StepState st, long totalSteps) {
            assertEquals(STEPS, totalSteps);
            stepped.add(st.step());
          }

          @Override
          public void decided(Observation o) {
            decided.add(o);
          }
        };

    EpisodeSummary summary = ControlledEpisode.run(s, 11, data, cubic, "eval-0", progress);

    assertFalse(summary.getAborted(), summary.getAbortReason());
    assertEquals(STEPS, summary.getSteps());
    assertEquals(11, summary.getSeed());
    assertEquals(7, summary.getPolicyVersion());
    assertEquals(TARGET, summary.getGlobalDensity(), 1e-3);
    assertTrue(summary.getTestAccuracy() >= 0 && summary.getTestAccuracy() <= 1);
    long decisions = s.decisionsPerEpisode();
    assertEquals(STEPS / INTERVAL + 1, decisions);
    assertEquals(decisions, summary.getDecisionStepsCount());
    for (int k = 0; k < decisions; k++) {
      assertEquals(k * INTERVAL, summary.getDecisionSteps(k));
    }
    assertEquals(3, summary.getScheduleCount());
    for (LayerSchedule l : summary.getScheduleList()) {
      assertEquals(decisions, l.getDensityCount(), "layer " + l.getIndex());
      assertEquals(1.0, l.getDensity(0), "decision 0 keeps the start density");
    }

    // The listener saw every step and every decision, the final (done) one included.
    assertEquals(STEPS, stepped.size());
    assertEquals(STEPS, stepped.get(stepped.size() - 1));
    assertEquals(decisions, decided.size());
    assertTrue(decided.get(decided.size() - 1).getDone());
    assertEquals(TARGET, decided.get(decided.size() - 1).getGlobalDensity(), 1e-3);
    // The return is the sum of the decisions' rewards.
    assertEquals(
        decided.stream().mapToDouble(Observation::getReward).sum(), summary.getReturn(), 1e-12);

    // Asked at every decision but the last, never with a done observation.
    assertEquals(decisions - 1, seen.size());
    for (int k = 0; k < seen.size(); k++) {
      assertEquals(k, seen.get(k).getDecision());
      assertFalse(seen.get(k).getDone());
    }
    // The answer to decision 0 is applied at decision 1, before the wall's final phase.
    for (int i = 0; i < 3; i++) {
      assertEquals(cubic(INTERVAL), seen.get(1).getLayers(i).getDensity(), 2e-3);
      assertEquals(
          cubic(2 * INTERVAL), summary.getSchedule(i).getDensity(2), 2e-3, "decision 2, " + i);
    }

    // The first interval trains dense: its FLOPs are INTERVAL / STEPS of a dense episode's, so
    // r_1 = v_1 - v_0 - w * 5 / 40 and F_dense = 8 F_1 for the rewards after it.
    double denseEpisode = seen.get(1).getTrainingFlops() * STEPS / INTERVAL;
    Observation first = seen.get(1);
    assertEquals(
        first.getValidationAccuracy()
            - seen.get(0).getValidationAccuracy()
            - FLOPS_WEIGHT * INTERVAL / STEPS,
        first.getReward(),
        1e-9);
    assertEquals(0.0, seen.get(0).getReward());
    for (int k = 2; k < seen.size(); k++) {
      Observation o = seen.get(k);
      Observation p = seen.get(k - 1);
      double expected =
          o.getValidationAccuracy()
              - p.getValidationAccuracy()
              - FLOPS_WEIGHT * (o.getTrainingFlops() - p.getTrainingFlops()) / denseEpisode;
      assertEquals(expected, o.getReward(), 1e-9, "reward of decision " + k);
    }
    // Pruning makes the later intervals cheaper than the dense first one.
    double lastInterval = seen.get(7).getTrainingFlops() - seen.get(6).getTrainingFlops();
    assertTrue(lastInterval < seen.get(1).getTrainingFlops(), "sparse intervals cost less");
  }

  @Test
  void anEngineMethodEpisodeIsMeasuredLikeAControlledOne(@TempDir Path out) {
    TrainerSettings s = settings(out);
    FashionMnist data = ActorTests.data().get();
    EpisodeSummary gmp =
        ControlledEpisode.runMethod(
            s,
            11,
            data,
            Map.of(
                "method", "gmp",
                "schedule", "cubic",
                "distribution", "uniform",
                "gmp-initial-density", 1.0,
                "gmp-start", "0%",
                "gmp-end", "75%",
                "delta-t", INTERVAL),
            "eval-gmp",
            null);
    assertFalse(gmp.getAborted(), gmp.getAbortReason());
    assertEquals(TARGET, gmp.getGlobalDensity(), 1e-3);
    assertEquals(s.decisionsPerEpisode(), gmp.getDecisionStepsCount());
    for (LayerSchedule l : gmp.getScheduleList()) {
      assertEquals(s.decisionsPerEpisode(), l.getDensityCount());
      assertEquals(1.0, l.getDensity(0), "gmp starts dense");
      // done pruning at 75% of the episode (step 30, decision 6)
      assertEquals(TARGET, l.getDensity(6), 1e-3);
    }
    assertEquals(0, gmp.getPolicyVersion());
    assertTrue(Double.isFinite(gmp.getReturn()));
    List<String> names = ControlledEpisode.layers(s).stream().map(PrunableTensor::name).toList();
    assertEquals(3, names.size());
    assertEquals(3, names.stream().distinct().filter(n -> !n.isBlank()).count(), "" + names);
  }

  @Test
  void anInvalidEngineMethodNamesTheBadValue(@TempDir Path out) {
    TrainerSettings s = settings(out);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ControlledEpisode.runMethod(
                    s, 1, ActorTests.data().get(), Map.of("method", "lottery"), "eval", null));
    assertTrue(e.getMessage().contains("lottery"), e.getMessage());
  }
}
