package io.jitsparse.monitoring.live;

import java.util.List;

/**
 * What the live page shows about a trainer before any step arrives: its description at
 * registration.
 *
 * @param id the trainer id
 * @param node the env-node it runs on
 * @param model the model's registry name
 * @param targetDensity the final global density its episodes end at
 * @param episodeSteps steps per episode
 * @param layers its prunable layers, in order
 */
public record TrainerInfo(
    String id,
    String node,
    String model,
    double targetDensity,
    long episodeSteps,
    List<Layer> layers) {

  /** Copies {@code layers}. */
  public TrainerInfo {
    layers = List.copyOf(layers);
  }

  /**
   * One prunable layer.
   *
   * @param index position among the model's prunable layers
   * @param kind {@code dense} or {@code conv}
   * @param parameters weights in the layer (they weigh its density in the global density)
   */
  public record Layer(int index, String kind, long parameters) {}
}
