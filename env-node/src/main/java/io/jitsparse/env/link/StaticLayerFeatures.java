package io.jitsparse.env.link;

import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The static part of every layer's {@link LayerFeatures} (index, kind, fan-in, fan-out, parameter
 * count, relative depth, share of the dense forward FLOPs), which a trainer registers with and
 * repeats in every observation. One builder for the real and the simulated trainers, so the agent
 * sees the same features for the same model from both.
 */
public final class StaticLayerFeatures {

  private StaticLayerFeatures() {}

  /**
   * The static features of a model's prunable tensors, in order; the dynamic fields (density,
   * magnitudes, gradient norm, churn) are left unset.
   *
   * @param tensors the model's prunable tensors, input side first
   */
  public static List<LayerFeatures> of(List<PrunableTensor> tensors) {
    int last = tensors.size() - 1;
    double flops = 0;
    for (PrunableTensor t : tensors) {
      flops += t.denseForwardFlops();
    }
    List<LayerFeatures> out = new ArrayList<>(tensors.size());
    for (PrunableTensor t : tensors) {
      out.add(
          LayerFeatures.newBuilder()
              .setIndex(t.index())
              .setKind(
                  t.kind() == PrunableTensor.Kind.CONV
                      ? LayerKind.LAYER_KIND_CONV
                      : LayerKind.LAYER_KIND_DENSE)
              .setFanIn(t.fanIn())
              .setFanOut(t.fanOut())
              .setParameterCount(t.size())
              // a single layer is both first and last; 0 keeps the feature finite
              .setRelativeDepth(last == 0 ? 0 : t.index() / (double) last)
              .setFlopsShare(flops > 0 ? t.denseForwardFlops() / flops : 0)
              .build());
    }
    return List.copyOf(out);
  }
}
