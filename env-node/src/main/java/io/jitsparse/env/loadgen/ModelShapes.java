package io.jitsparse.env.loadgen;

import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.env.model.NetworkBuilder;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.model.WeightTransform;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The real prunable layers of a registered model. The architectures only exist as SameDiff graphs,
 * so the shapes are read off a graph built once per (model, width) and cached: building loads
 * ND4J's native library and allocates the initial weights (a few seconds the first time), which is
 * why {@link LoadGenerator} does it off the actor threads, before spawning any trainer.
 */
public final class ModelShapes {

  private static final Map<String, List<PrunableTensor>> CACHE = new ConcurrentHashMap<>();

  private ModelShapes() {}

  /**
   * The prunable tensors of {@code model} at channel multiplier {@code width}.
   *
   * @throws IllegalArgumentException for an unknown model
   */
  public static List<PrunableTensor> of(String model, double width) {
    return CACHE.computeIfAbsent(model + "@" + width, k -> build(model, width));
  }

  private static List<PrunableTensor> build(String model, double width) {
    SameDiff sd = SameDiff.create();
    NetworkBuilder b = new NetworkBuilder(sd, 0, WeightTransform.IDENTITY);
    ModelRegistry.byName(model, width).build(b);
    return List.copyOf(b.prunable());
  }
}
