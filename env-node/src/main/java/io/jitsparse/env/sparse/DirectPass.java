package io.jitsparse.env.sparse;

import io.jitsparse.env.model.SequentialPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The forward and backward pass of a {@link SequentialPlan} (conv, dense, ReLU, 2x2 max-pool,
 * flatten, then softmax cross-entropy), written directly on ND4J's native ops into arrays allocated
 * once per batch size and reused every step, instead of running the SameDiff graph.
 *
 * <p>Why: SameDiff's session costs more than the arithmetic on these small networks. It allocates
 * every activation and gradient anew per step, and its backward of the first convolution runs
 * {@code conv2d_bp}, which always computes the gradient of the input (useless for the images) and
 * whose oneDNN kernel is several times slower than the forward for one input channel. Here:
 *
 * <ul>
 *   <li>dense layers are {@code gemm} calls into preallocated outputs, the bias added in place;
 *   <li>convolutions run the oneDNN {@code conv2d} forward; their backward is {@code conv2d_bp},
 *       except for a convolution on the input, whose kernel gradient is {@code im2col} then one
 *       {@code gemm} (no input gradient);
 *   <li>ReLU runs in place, and a ReLU followed by max-pooling runs after the pooling instead
 *       ({@code pool(relu(x)) = relu(pool(x))}, both monotone, with the same gradient), on a
 *       quarter of the values;
 *   <li>bias gradients are one {@code gemm} with a vector of ones (a column sum of a tall matrix,
 *       which ND4J's reduction along dimension 0 does slowly);
 *   <li>the loss, its gradient and the argmax of the logits ({@code [B, 10]}) are computed on the
 *       host from one copy of the logits, which also gives the accuracy.
 * </ul>
 *
 * <p>The parameters are the graph's own arrays (so masks, optimiser, checkpoints and statistics see
 * one copy); the gradients live in arrays owned here, overwritten by every backward pass. Checked
 * against the SameDiff graph on the same batch by {@code DirectPassTest}.
 *
 * <p>Not thread-safe: one thread owns a network.
 */
final class DirectPass {

  /**
   * Batch sizes whose buffers are kept: the training batch, and evaluation's full and last partial
   * chunk; more would only hold memory.
   */
  private static final int KEPT_BATCH_SIZES = 3;

  /** Samples per evaluation chunk: the default training batch, so that chunks reuse its buffers. */
  static final int EVALUATION_CHUNK = 128;

  /** ReLU's threshold argument: plain ReLU. */
  private static final double RELU_CUTOFF = 0.0;

  /** im2col's value for padded positions. */
  private static final double PAD_VALUE = 0.0;

  private static final int[] NO_INTS = {};

  /** The buffer slot of dL/d(logits); stages number theirs from 0. */
  private static final int LOGITS_GRADIENT_SLOT = -1;

  private final List<Stage> stages;
  private final Map<String, INDArray> gradients = new LinkedHashMap<>();
  private final LinkedHashMap<Integer, Buffers> buffers =
      new LinkedHashMap<>(KEPT_BATCH_SIZES + 1, 1f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Buffers> eldest) {
          return size() > KEPT_BATCH_SIZES;
        }
      };
  private int nextSlot;
  private final Function<String, INDArray> gradientArrays;

  /**
   * What one forward pass gives.
   *
   * @param loss mean softmax cross-entropy over the batch
   * @param correct samples whose largest logit is their label
   */
  record Result(double loss, int correct) {}

  /**
   * @param plan the network
   * @param parameters the graph's array of each parameter, by name (live: updated in place)
   * @param gradientArrays where each parameter's gradient is written, by name (null: arrays of its
   *     own)
   */
  DirectPass(
      SequentialPlan plan,
      Function<String, INDArray> parameters,
      Function<String, INDArray> gradientArrays) {
    this.gradientArrays = gradientArrays;
    List<SequentialPlan.Layer> layers = reorderReluAndPooling(plan.layers());
    List<Stage> built = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      built.add(stage(layers.get(i), i == 0, parameters));
    }
    this.stages = List.copyOf(built);
  }

  /** Runs max-pooling before a ReLU that precedes it: a quarter of the values pass the ReLU. */
  private static List<SequentialPlan.Layer> reorderReluAndPooling(List<SequentialPlan.Layer> in) {
    List<SequentialPlan.Layer> out = new ArrayList<>(in);
    for (int i = 0; i + 1 < out.size(); i++) {
      if (out.get(i) instanceof SequentialPlan.Relu
          && out.get(i + 1) instanceof SequentialPlan.MaxPool2) {
        out.set(i, out.get(i + 1));
        out.set(i + 1, new SequentialPlan.Relu());
        i++;
      }
    }
    return out;
  }

  private Stage stage(
      SequentialPlan.Layer layer, boolean first, Function<String, INDArray> parameters) {
    if (layer instanceof SequentialPlan.Conv c) {
      return new ConvStage(c, param(parameters, c.weight()), param(parameters, c.bias()));
    }
    if (layer instanceof SequentialPlan.Dense d) {
      return new DenseStage(d, param(parameters, d.weight()), param(parameters, d.bias()));
    }
    if (layer instanceof SequentialPlan.MaxPool2 p) {
      return new PoolStage(p);
    }
    if (layer instanceof SequentialPlan.Relu) {
      // In place, except on the input itself: that array belongs to the caller.
      return new ReluStage(!first);
    }
    return new FlattenStage(((SequentialPlan.Flatten) layer).size());
  }

  private Param param(Function<String, INDArray> parameters, String name) {
    INDArray value = parameters.apply(name);
    INDArray gradient =
        gradientArrays == null
            ? Nd4j.zeros(value.dataType(), value.shape())
            : gradientArrays.apply(name);
    gradients.put(name, gradient);
    return new Param(value, gradient);
  }

  /** The gradient of every parameter from the last {@link #backward} (live, overwritten). */
  Map<String, INDArray> gradients() {
    return gradients;
  }

  /** Forward pass only: the mean loss and the correct count. */
  Result evaluate(INDArray features, INDArray labels) {
    Buffers buf = buffers(Math.toIntExact(features.size(0)));
    INDArray[] acts = forward(features, buf);
    return loss(acts[acts.length - 1], labels, null);
  }

  /**
   * Forward and backward pass: fills {@link #gradients()}, returns the loss and correct count.
   *
   * @param phases where to record the time of the passes and of the host copies, or null
   */
  Result trainingPass(INDArray features, INDArray labels, StepPhases phases) {
    long t = System.nanoTime();
    int batch = Math.toIntExact(features.size(0));
    Buffers buf = buffers(batch);
    INDArray[] acts = forward(features, buf);
    INDArray logits = acts[acts.length - 1];
    INDArray gradient = buf.get(LOGITS_GRADIENT_SLOT, logits.shape());
    if (phases != null) {
      t = phases.lap(StepPhases.Phase.FORWARD_BACKWARD, t);
    }
    Result r = loss(logits, labels, gradient);
    if (phases != null) {
      t = phases.lap(StepPhases.Phase.HOST_COPIES, t);
    }
    for (int i = stages.size() - 1; i >= 0; i--) {
      gradient = stages.get(i).backward(acts[i], acts[i + 1], gradient, i > 0, buf);
    }
    if (phases != null) {
      phases.lap(StepPhases.Phase.FORWARD_BACKWARD, t);
    }
    return r;
  }

  private INDArray[] forward(INDArray features, Buffers buf) {
    INDArray[] acts = new INDArray[stages.size() + 1];
    acts[0] = features;
    for (int i = 0; i < stages.size(); i++) {
      acts[i + 1] = stages.get(i).forward(acts[i], buf);
    }
    return acts;
  }

  private Buffers buffers(int batch) {
    return buffers.computeIfAbsent(batch, Buffers::new);
  }

  /**
   * Mean softmax cross-entropy of {@code logits} against {@code labels} (rows of class weights,
   * one-hot here), as SameDiff's {@code softmaxCrossEntropy} with its default mean reduction, and
   * its gradient {@code (softmax * sum(y) - y) / B} into {@code gradient} when not null. In double
   * precision on the host: the logits are {@code B x 10} values, a single copy.
   */
  private static Result loss(INDArray logits, INDArray labels, INDArray gradient) {
    int batch = Math.toIntExact(logits.size(0));
    int classes = Math.toIntExact(logits.size(1));
    float[] z = logits.data().asFloat();
    float[] y = labels.reshape(labels.length()).toFloatVector();
    float[] g = gradient == null ? null : new float[z.length];
    double total = 0;
    int correct = 0;
    double[] e = new double[classes];
    for (int r = 0; r < batch; r++) {
      int o = r * classes;
      int best = 0;
      double max = z[o];
      for (int k = 1; k < classes; k++) {
        if (z[o + k] > max) {
          max = z[o + k];
          best = k;
        }
      }
      double sum = 0;
      double labelSum = 0;
      int label = 0;
      for (int k = 0; k < classes; k++) {
        e[k] = Math.exp(z[o + k] - max);
        sum += e[k];
        labelSum += y[o + k];
        if (y[o + k] > y[o + label]) {
          label = k;
        }
      }
      double logSum = Math.log(sum);
      for (int k = 0; k < classes; k++) {
        total -= y[o + k] * (z[o + k] - max - logSum);
        if (g != null) {
          g[o + k] = (float) ((e[k] / sum * labelSum - y[o + k]) / batch);
        }
      }
      if (best == label) {
        correct++;
      }
    }
    if (g != null) {
      gradient.data().setData(g);
    }
    return new Result(total / batch, correct);
  }

  /** A parameter and its gradient. */
  private record Param(INDArray value, INDArray gradient) {}

  /** The arrays of one batch size, each stage's in its own slots, allocated on first use. */
  private final class Buffers {
    private final int batch;
    private final Map<Integer, INDArray> slots = new HashMap<>();
    private INDArray ones;

    Buffers(int batch) {
      this.batch = batch;
    }

    INDArray get(int slot, long... shape) {
      return slots.computeIfAbsent(slot, s -> Nd4j.create(DataType.FLOAT, shape));
    }

    /** A {@code [rows, 1]} column of ones (for column sums as a gemm). */
    INDArray ones(long rows) {
      if (ones == null || ones.length() < rows) {
        ones = Nd4j.ones(DataType.FLOAT, rows, 1);
      }
      return ones.length() == rows ? ones : ones.get(NDArrayIndex.interval(0, rows));
    }
  }

  /** One layer's forward and backward on the buffers of a batch size. */
  private abstract class Stage {
    final int outSlot = nextSlot++;
    final int gradientSlot = nextSlot++;

    /** Returns the output of the layer for {@code in}. */
    abstract INDArray forward(INDArray in, Buffers buf);

    /**
     * Accumulates nothing: writes the parameter gradients and returns dL/d(in), or null when {@code
     * needInput} is false.
     *
     * @param in the layer's forward input
     * @param out the layer's forward output
     * @param gradOut dL/d(out) (may be overwritten)
     */
    abstract INDArray backward(
        INDArray in, INDArray out, INDArray gradOut, boolean needInput, Buffers buf);
  }

  /** Runs libnd4j's op {@code name} on {@code inputs} into the preallocated {@code outputs}. */
  private static void run(
      String name, INDArray[] inputs, INDArray[] outputs, int[] ints, double... floats) {
    Nd4j.exec(
        DynamicCustomOp.builder(name)
            .addInputs(inputs)
            .addOutputs(outputs)
            .addIntegerArguments(ints)
            .addFloatingPointArguments(
                java.util.Arrays.stream(floats).boxed().toArray(Double[]::new))
            .build());
  }

  /** Column sums of {@code matrix [rows, cols]} into {@code out [cols]}, as one gemm with ones. */
  private static void columnSums(INDArray matrix, INDArray out, Buffers buf) {
    long rows = matrix.size(0);
    Nd4j.gemm(buf.ones(rows), matrix, out.reshape(1, out.length()), true, false, 1.0, 0.0);
  }

  private final class DenseStage extends Stage {
    private final SequentialPlan.Dense layer;
    private final Param w;
    private final Param b;

    DenseStage(SequentialPlan.Dense layer, Param w, Param b) {
      this.layer = layer;
      this.w = w;
      this.b = b;
    }

    @Override
    INDArray forward(INDArray in, Buffers buf) {
      INDArray out = buf.get(outSlot, buf.batch, layer.out());
      Nd4j.gemm(in, w.value, out, false, false, 1.0, 0.0);
      out.addiRowVector(b.value);
      return out;
    }

    @Override
    INDArray backward(INDArray in, INDArray out, INDArray gradOut, boolean needInput, Buffers buf) {
      Nd4j.gemm(in, gradOut, w.gradient, true, false, 1.0, 0.0);
      columnSums(gradOut, b.gradient, buf);
      if (!needInput) {
        return null;
      }
      INDArray gradIn = buf.get(gradientSlot, buf.batch, layer.in());
      Nd4j.gemm(gradOut, w.value, gradIn, false, true, 1.0, 0.0);
      return gradIn;
    }
  }

  private final class ConvStage extends Stage {
    private final SequentialPlan.Conv layer;
    private final Param w;
    private final Param b;
    private final int[] convArgs;
    private final int[] im2colArgs;
    private final int colSlot = nextSlot++;
    private final int patchSlot = nextSlot++;
    private final int kernelSlot = nextSlot++;

    ConvStage(SequentialPlan.Conv layer, Param w, Param b) {
      this.layer = layer;
      this.w = w;
      this.b = b;
      int k = layer.kernel();
      int s = layer.stride();
      int p = layer.pad();
      // libnd4j conv2d / conv2d_bp: kH, kW, sH, sW, pH, pW, dH, dW, same-mode (0: explicit
      // padding), data format (1: NHWC), weights format (0: YXIO).
      this.convArgs = new int[] {k, k, s, s, p, p, 1, 1, 0, 1, 0};
      // im2col: kH, kW, sH, sW, pH, pW, dH, dW, same-mode; input NCHW.
      this.im2colArgs = new int[] {k, k, s, s, p, p, 1, 1, 0};
    }

    @Override
    INDArray forward(INDArray in, Buffers buf) {
      INDArray out = buf.get(outSlot, buf.batch, layer.outH(), layer.outW(), layer.outC());
      run("conv2d", new INDArray[] {in, w.value, b.value}, new INDArray[] {out}, convArgs);
      return out;
    }

    @Override
    INDArray backward(INDArray in, INDArray out, INDArray gradOut, boolean needInput, Buffers buf) {
      if (needInput) {
        INDArray gradIn = buf.get(gradientSlot, buf.batch, layer.inH(), layer.inW(), layer.inC());
        run(
            "conv2d_bp",
            new INDArray[] {in, w.value, b.value, gradOut},
            new INDArray[] {gradIn, w.gradient, b.gradient},
            convArgs);
        return gradIn;
      }
      // The input's own gradient is not needed: dW = patches^T . dY, with the patches from
      // im2col (NCHW order [B, C, kH, kW, oH, oW], that is [B, C*kH*kW, positions]) turned into
      // rows (b, position) by a batched transpose, columns in (c, ky, kx) order.
      int k = layer.kernel();
      long positions = layer.outH() * layer.outW();
      long rows = buf.batch * positions;
      long fanIn = (long) k * k * layer.inC();
      INDArray col = buf.get(colSlot, buf.batch, layer.inC(), k, k, layer.outH(), layer.outW());
      run(
          "im2col",
          new INDArray[] {in.permute(0, 3, 1, 2)},
          new INDArray[] {col},
          im2colArgs,
          PAD_VALUE);
      INDArray patches = buf.get(patchSlot, buf.batch, positions, fanIn);
      patches.assign(col.reshape(buf.batch, fanIn, positions).permute(0, 2, 1));
      INDArray dy = gradOut.reshape(rows, layer.outC());
      if (layer.inC() == 1) {
        // With one input channel (c, ky, kx) is the kernel's own (ky, kx, c) order.
        Nd4j.gemm(
            patches.reshape(rows, fanIn),
            dy,
            w.gradient.reshape(fanIn, layer.outC()),
            true,
            false,
            1.0,
            0.0);
      } else {
        INDArray byChannel = buf.get(kernelSlot, layer.inC(), k, k, layer.outC());
        Nd4j.gemm(
            patches.reshape(rows, fanIn),
            dy,
            byChannel.reshape(fanIn, layer.outC()),
            true,
            false,
            1.0,
            0.0);
        w.gradient.assign(byChannel.permute(1, 2, 0, 3));
      }
      columnSums(dy, b.gradient, buf);
      return null;
    }
  }

  private final class PoolStage extends Stage {
    private final SequentialPlan.MaxPool2 layer;

    /** libnd4j maxpool2d: kH, kW, sH, sW, pH, pW, dH, dW, same-mode, unused, 1 = NHWC. */
    private final int[] poolArgs = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 1};

    PoolStage(SequentialPlan.MaxPool2 layer) {
      this.layer = layer;
    }

    @Override
    INDArray forward(INDArray in, Buffers buf) {
      INDArray out =
          buf.get(outSlot, buf.batch, layer.inH() / 2, layer.inW() / 2, layer.channels());
      run("maxpool2d", new INDArray[] {in}, new INDArray[] {out}, poolArgs);
      return out;
    }

    @Override
    INDArray backward(INDArray in, INDArray out, INDArray gradOut, boolean needInput, Buffers buf) {
      if (!needInput) {
        return null;
      }
      INDArray gradIn = buf.get(gradientSlot, in.shape());
      run("maxpool2d_bp", new INDArray[] {in, gradOut}, new INDArray[] {gradIn}, poolArgs);
      return gradIn;
    }
  }

  private final class ReluStage extends Stage {
    private final boolean inPlace;

    ReluStage(boolean inPlace) {
      this.inPlace = inPlace;
    }

    @Override
    INDArray forward(INDArray in, Buffers buf) {
      INDArray out = inPlace ? in : buf.get(outSlot, in.shape());
      run("relu", new INDArray[] {in}, new INDArray[] {out}, NO_INTS, RELU_CUTOFF);
      return out;
    }

    @Override
    INDArray backward(INDArray in, INDArray out, INDArray gradOut, boolean needInput, Buffers buf) {
      if (!needInput) {
        return null;
      }
      // relu_bp passes the gradient where its input is positive; the output is positive exactly
      // there, and it is what survives an in-place forward. Written over dL/d(out) in place.
      run("relu_bp", new INDArray[] {out, gradOut}, new INDArray[] {gradOut}, NO_INTS, RELU_CUTOFF);
      return gradOut;
    }
  }

  private final class FlattenStage extends Stage {
    private final long size;

    FlattenStage(long size) {
      this.size = size;
    }

    @Override
    INDArray forward(INDArray in, Buffers buf) {
      return in.reshape(buf.batch, size);
    }

    @Override
    INDArray backward(INDArray in, INDArray out, INDArray gradOut, boolean needInput, Buffers buf) {
      return needInput ? gradOut.reshape(in.shape()) : null;
    }
  }
}
