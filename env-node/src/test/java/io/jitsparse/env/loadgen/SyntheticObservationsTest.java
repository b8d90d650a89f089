package io.jitsparse.env.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.TrainerDescription;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyntheticObservationsTest {

  private static final int DECISIONS = 20;
  private static final double TARGET = 0.05;

  private static SyntheticObservations of(String model) {
    List<PrunableTensor> shapes = ModelShapes.of(model, ModelRegistry.DEFAULT_RESNET_WIDTH);
    return new SyntheticObservations("lg-sim-0", "lg", model, shapes, 7, DECISIONS, 100, TARGET);
  }

  @Test
  void lenet5DescribesItsFourRealLayers() {
    TrainerDescription d = of("lenet5-caffe").description();
    assertEquals(4, d.getLayersCount());
    assertEquals(LayerKind.LAYER_KIND_CONV, d.getLayers(0).getKind());
    assertEquals(25, d.getLayers(0).getFanIn());
    assertEquals(20, d.getLayers(0).getFanOut());
    assertEquals(800L * 500, d.getLayers(2).getParameterCount());
    assertEquals(LayerKind.LAYER_KIND_DENSE, d.getLayers(3).getKind());
    assertEquals(0, d.getLayers(0).getRelativeDepth());
    assertEquals(1, d.getLayers(3).getRelativeDepth());
    assertTrue(d.getSimulated());
    Optional<String> problem =
        MessageChecks.registration(
            RegisterTrainer.newBuilder().setTrainer(d).setTrainerRef("ref").build());
    assertEquals(Optional.empty(), problem);
  }

  @Test
  void resnet18DescribesItsTwentyConvAndOneDenseLayers() {
    TrainerDescription d = of("resnet18").description();
    assertEquals(21, d.getLayersCount());
    assertEquals(
        20,
        d.getLayersList().stream().filter(l -> l.getKind() == LayerKind.LAYER_KIND_CONV).count());
    assertEquals(LayerKind.LAYER_KIND_DENSE, d.getLayers(20).getKind());
  }

  @Test
  void everyObservationPassesTheExplorersChecksAndTheEpisodeEndsAtTheTarget() {
    for (String model : List.of("lenet5-caffe", "resnet18")) {
      SyntheticObservations s = of(model);
      double returns = 0;
      Observation previous = null;
      for (int d = 0; d < DECISIONS; d++) {
        Observation o = s.observation(3, d, 1000 + d);
        assertEquals(
            Optional.empty(), MessageChecks.observation(o, s.description()), model + " " + d);
        assertEquals(d, o.getDecision());
        assertEquals(d * 100L, o.getStep());
        assertEquals(d == DECISIONS - 1, o.getDone());
        if (previous != null) {
          assertTrue(o.getGlobalDensity() <= previous.getGlobalDensity() + 0.02, "drifts down");
          assertEquals(
              o.getValidationAccuracy() - previous.getValidationAccuracy(), o.getReward(), 1e-12);
        }
        returns += o.getReward();
        previous = o;
      }
      assertEquals(1.0, s.observation(3, 0, 0).getGlobalDensity(), 1e-9, "starts dense");
      assertEquals(TARGET, previous.getGlobalDensity(), 0.01, model + " ends at the target");
      assertTrue(previous.getValidationAccuracy() > 0.7, "learns");
      assertTrue(previous.getSmoothedLoss() < 0.5, "loss falls");
      EpisodeSummary summary = s.summary("run-1", 3, 0);
      assertEquals(returns, summary.getReturn(), 1e-9);
      assertEquals(DECISIONS, summary.getDecisionStepsCount());
      assertEquals(s.layers(), summary.getScheduleCount());
      assertEquals(DECISIONS, summary.getSchedule(0).getDensityCount());
    }
  }

  @Test
  void observationsAreSeededAndResendsAreIdentical() {
    SyntheticObservations s = of("lenet5-caffe");
    assertEquals(s.observation(1, 5, 42), of("lenet5-caffe").observation(1, 5, 42));
    assertFalse(s.observation(1, 5, 42).equals(s.observation(2, 5, 42)), "episodes differ");
  }
}
