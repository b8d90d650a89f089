package io.jitsparse.agent.policy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A read-only copy of the learner's Q-network evaluated in plain Java: a multilayer perceptron with
 * ReLU hidden layers and a linear output of one Q-value per move, applied to each layer's row of
 * the state ({@link FeatureEncoder#row}) with the same weights (the factored per-layer heads of the
 * design, as in action-branching Q-networks, Tavakoli et al. 2018). Explorers act with it: a
 * decision is a few thousand multiply-adds per layer, cheaper in Java than a native call, and a
 * copy per explorer is immutable, so any number of explorers share none of the learner's state.
 * {@code QNetworkTest} checks it against the SameDiff graph the learner trains.
 *
 * <p>Wire format ({@link #FORMAT}): magic, encoder version, layer count, then per layer its input
 * and output sizes, weights {@code [in][out]} row-major and biases, all big-endian floats.
 */
public final class QFunction {

  /** {@code PolicySnapshot.format} of snapshots holding a {@link QFunction}. */
  public static final String FORMAT = "qnet-mlp-v1";

  private static final int MAGIC = 0x514E4554; // "QNET"

  private final float[][] weights;
  private final float[][] biases;
  private final int[] sizes;

  /**
   * @param weights per layer, {@code [in * out]} row-major
   * @param biases per layer, {@code [out]}
   * @param sizes layer widths, input first ({@code weights.length + 1} entries)
   */
  public QFunction(float[][] weights, float[][] biases, int[] sizes) {
    if (weights.length == 0
        || weights.length != biases.length
        || sizes.length != weights.length + 1) {
      throw new IllegalArgumentException("inconsistent Q-network layers");
    }
    for (int k = 0; k < weights.length; k++) {
      if (weights[k].length != sizes[k] * sizes[k + 1] || biases[k].length != sizes[k + 1]) {
        throw new IllegalArgumentException("layer " + k + " does not match sizes");
      }
    }
    this.weights = weights;
    this.biases = biases;
    this.sizes = sizes.clone();
  }

  /** Inputs per row. */
  public int inputs() {
    return sizes[0];
  }

  /** Moves scored per row. */
  public int outputs() {
    return sizes[sizes.length - 1];
  }

  /** Layer widths, input first. */
  public int[] sizes() {
    return sizes.clone();
  }

  /** Weights of layer {@code k}, {@code [in * out]} row-major (a copy). */
  public float[] weights(int k) {
    return weights[k].clone();
  }

  /** Biases of layer {@code k} (a copy). */
  public float[] biases(int k) {
    return biases[k].clone();
  }

  /** Q-values of every move for every layer of a flattened state: {@code [layer][move]}. */
  public float[][] q(float[] state) {
    int layers = FeatureEncoder.layers(state);
    float[][] out = new float[layers][];
    float[] row = new float[FeatureEncoder.ROW];
    for (int l = 0; l < layers; l++) {
      FeatureEncoder.row(state, l, row, 0);
      out[l] = forward(row);
    }
    return out;
  }

  /** Q-values of one row. */
  public float[] forward(float[] row) {
    if (row.length != sizes[0]) {
      throw new IllegalArgumentException(row.length + " inputs, expected " + sizes[0]);
    }
    float[] x = row;
    for (int k = 0; k < weights.length; k++) {
      int in = sizes[k];
      int out = sizes[k + 1];
      float[] y = biases[k].clone();
      float[] w = weights[k];
      for (int i = 0; i < in; i++) {
        float xi = x[i];
        if (xi == 0) {
          continue;
        }
        int base = i * out;
        for (int j = 0; j < out; j++) {
          y[j] += xi * w[base + j];
        }
      }
      if (k < weights.length - 1) {
        for (int j = 0; j < out; j++) {
          y[j] = Math.max(0, y[j]);
        }
      }
      x = y;
    }
    return x;
  }

  /** The best move of each layer (ties to the lowest index). */
  public int[] greedy(float[] state) {
    float[][] q = q(state);
    int[] moves = new int[q.length];
    for (int l = 0; l < q.length; l++) {
      moves[l] = argmax(q[l]);
    }
    return moves;
  }

  /** Index of the largest value (the first on ties). */
  public static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The wire form. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FeatureEncoder.VERSION);
      out.writeInt(weights.length);
      for (int k = 0; k < weights.length; k++) {
        out.writeInt(sizes[k]);
        out.writeInt(sizes[k + 1]);
        for (float f : weights[k]) {
          out.writeFloat(f);
        }
        for (float f : biases[k]) {
          out.writeFloat(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads the wire form.
   *
   * @throws IllegalArgumentException when the bytes are not a Q-network of this encoding
   */
  public static QFunction fromBytes(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a Q-network (bad magic)");
      }
      int encoder = in.readInt();
      if (encoder != FeatureEncoder.VERSION) {
        throw new IllegalArgumentException(
            "Q-network reads feature encoding v"
                + encoder
                + ", this build writes v"
                + FeatureEncoder.VERSION);
      }
      int count = in.readInt();
      if (count < 1 || count > 64) {
        throw new IllegalArgumentException("Q-network with " + count + " layers");
      }
      float[][] w = new float[count][];
      float[][] b = new float[count][];
      int[] sizes = new int[count + 1];
      for (int k = 0; k < count; k++) {
        int inputs = in.readInt();
        int outputs = in.readInt();
        if (inputs < 1 || outputs < 1 || (long) inputs * outputs > data.length / Float.BYTES) {
          throw new IllegalArgumentException(
              "Q-network layer " + k + " of " + inputs + "x" + outputs);
        }
        if (k > 0 && inputs != sizes[k]) {
          throw new IllegalArgumentException("Q-network layer " + k + " does not chain");
        }
        sizes[k] = inputs;
        sizes[k + 1] = outputs;
        w[k] = new float[inputs * outputs];
        for (int i = 0; i < w[k].length; i++) {
          w[k][i] = in.readFloat();
        }
        b[k] = new float[outputs];
        for (int i = 0; i < outputs; i++) {
          b[k][i] = in.readFloat();
        }
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException("Q-network followed by " + in.available() + " bytes");
      }
      return new QFunction(w, b, sizes);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated Q-network: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QFunction q
        && Arrays.equals(sizes, q.sizes)
        && Arrays.deepEquals(weights, q.weights)
        && Arrays.deepEquals(biases, q.biases);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sizes) * 31 + Arrays.deepHashCode(weights);
  }
}
