package io.jitsparse.env.sparse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every trainable parameter of a network as a view of one flat array, with a flat gradient array
 * and a flat mask of the same layout (ones over the parameters that are not prunable), so that the
 * update after a step runs a handful of native calls over all parameters at once instead of a
 * handful per parameter. The views are the live parameters; the graph keeps copies of its own
 * (SameDiff copies an array given to a variable), which the network refreshes before the graph
 * runs.
 *
 * @param parameters all parameters end to end, in trainable order
 * @param gradient the gradients in the same layout
 * @param mask the masks in the same layout
 * @param lengths values of each parameter, in trainable order
 * @param views each parameter's view, by name
 * @param gradients each parameter's gradient view, by name
 * @param masks each prunable tensor's mask view, by name
 */
record FlatParameters(
    INDArray parameters,
    INDArray gradient,
    INDArray mask,
    long[] lengths,
    Map<String, INDArray> views,
    Map<String, INDArray> gradients,
    Map<String, INDArray> masks) {

  /**
   * Copies the graph's parameters into one flat array.
   *
   * @param trainable every trainable variable, in order
   * @param prunable the prunable ones (they get mask views)
   */
  static FlatParameters bind(SameDiff sd, List<String> trainable, List<String> prunable) {
    long[] lengths = new long[trainable.size()];
    long total = 0;
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = sd.getArrForVarName(trainable.get(i)).length();
      total += lengths[i];
    }
    INDArray parameters = Nd4j.create(DataType.FLOAT, total);
    INDArray gradient = Nd4j.zeros(DataType.FLOAT, total);
    INDArray mask = Nd4j.ones(DataType.FLOAT, total);
    Map<String, INDArray> views = new LinkedHashMap<>();
    Map<String, INDArray> gradients = new LinkedHashMap<>();
    Map<String, INDArray> masks = new LinkedHashMap<>();
    long offset = 0;
    for (int i = 0; i < lengths.length; i++) {
      String name = trainable.get(i);
      INDArray original = sd.getArrForVarName(name);
      long[] shape = original.shape();
      INDArray view = view(parameters, offset, lengths[i], shape);
      view.assign(original);
      views.put(name, view);
      gradients.put(name, view(gradient, offset, lengths[i], shape));
      if (prunable.contains(name)) {
        masks.put(name, view(mask, offset, lengths[i], shape));
      }
      offset += lengths[i];
    }
    return new FlatParameters(parameters, gradient, mask, lengths, views, gradients, masks);
  }

  /** Whether {@code a} is a view of {@code flat} starting at element {@code offset}. */
  private static boolean sharesMemory(INDArray a, INDArray flat, long offset) {
    boolean same = a.data() == flat.data() || a.data().originalDataBuffer() == flat.data();
    return same && a.offset() == offset;
  }

  /** Values {@code [offset, offset + length)} of {@code flat} as an array of {@code shape}. */
  private static INDArray view(INDArray flat, long offset, long length, long[] shape) {
    INDArray v = flat.get(NDArrayIndex.interval(offset, offset + length)).reshape('c', shape);
    // reshape copies when it cannot make a view; a copy would silently detach the parameter.
    if (!sharesMemory(v, flat, offset)) {
      throw new IllegalStateException("not a view of the flat array");
    }
    return v;
  }
}
