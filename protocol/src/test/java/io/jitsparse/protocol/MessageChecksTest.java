package io.jitsparse.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerDescription;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageChecksTest {

  static TrainerDescription trainer() {
    return TrainerDescription.newBuilder()
        .setTrainerId("node-a-0")
        .setTargetDensity(0.1)
        .setEpisodeSteps(100)
        .setDecisionInterval(10)
        .addLayers(LayerFeatures.newBuilder().setIndex(0))
        .addLayers(LayerFeatures.newBuilder().setIndex(1))
        .build();
  }

  static Observation.Builder observation() {
    return Observation.newBuilder()
        .setTrainerId("node-a-0")
        .setStep(10)
        .setTotalSteps(100)
        .setGlobalDensity(0.5)
        .setTargetDensity(0.1)
        .setValidationAccuracy(0.3)
        .addLayers(LayerFeatures.newBuilder().setIndex(0).setDensity(0.5))
        .addLayers(LayerFeatures.newBuilder().setIndex(1).setDensity(0.5));
  }

  @Test
  void acceptsWellFormedMessages() {
    assertEquals(Optional.empty(), MessageChecks.observation(observation().build(), trainer()));
    assertEquals(
        Optional.empty(),
        MessageChecks.registration(
            RegisterTrainer.newBuilder().setTrainer(trainer()).setTrainerRef("ref").build()));
  }

  @Test
  void namesTheFieldOfEveryRejection() {
    assertTrue(
        MessageChecks.observation(observation().setStep(-1).build(), trainer())
            .get()
            .contains("negative"));
    assertTrue(
        MessageChecks.observation(observation().setGlobalDensity(1.5).build(), trainer())
            .get()
            .contains("global_density"));
    assertTrue(
        MessageChecks.observation(observation().removeLayers(1).build(), trainer())
            .get()
            .contains("1 layers"));
    assertTrue(
        MessageChecks.observation(observation().setReward(Double.NaN).build(), trainer())
            .get()
            .contains("reward"));
    assertTrue(
        MessageChecks.registration(
                RegisterTrainer.newBuilder()
                    .setTrainer(trainer().toBuilder().setTrainerId("../etc/passwd"))
                    .setTrainerRef("ref")
                    .build())
            .get()
            .contains("trainer_id"));
    SparsityAction future =
        SparsityAction.newBuilder()
            .setEpisode(5)
            .setDecision(0)
            .addAllLayerDensities(List.of(0.5, 0.5))
            .addAllLayerLogOffsets(List.of(0.0, -0.3))
            .build();
    assertTrue(MessageChecks.action(future, 4, 3, 2).get().contains("episode 5"));
    SparsityAction ahead = future.toBuilder().setEpisode(4).setDecision(9).build();
    assertTrue(MessageChecks.action(ahead, 4, 3, 2).get().contains("decision 9"));
    SparsityAction wide = future.toBuilder().setEpisode(4).addLayerDensities(0.1).build();
    assertTrue(MessageChecks.action(wide, 4, 3, 2).get().contains("3 layer densities"));
    SparsityAction ok = future.toBuilder().setEpisode(4).setDecision(3).build();
    assertEquals(Optional.empty(), MessageChecks.action(ok, 4, 3, 2));
    SparsityAction noOffsets = ok.toBuilder().clearLayerLogOffsets().build();
    assertTrue(MessageChecks.action(noOffsets, 4, 3, 2).get().contains("0 layer log-offsets"));
    SparsityAction nan = ok.toBuilder().setLayerLogOffsets(1, Double.NaN).build();
    assertTrue(MessageChecks.action(nan, 4, 3, 2).get().contains("layer 1 log-offset NaN"));
    SparsityAction huge = ok.toBuilder().setLayerLogOffsets(0, -20).build();
    assertTrue(MessageChecks.action(huge, 4, 3, 2).get().contains("layer 0 log-offset -20"));
  }
}
