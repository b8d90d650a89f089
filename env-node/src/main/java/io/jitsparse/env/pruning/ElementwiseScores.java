package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;

/** Scores computed weight by weight from {@code w} and its gradient {@code g}. */
final class ElementwiseScores {

  /** The importance of one weight from its value and gradient. */
  @FunctionalInterface
  interface Score {
    float of(float w, float g);
  }

  private ElementwiseScores() {}

  /** Applies {@code score} to every weight of {@code layer}. */
  static float[] of(LayerView layer, Score score) {
    float[] w = layer.weights();
    float[] g = layer.gradient();
    float[] s = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      s[i] = score.of(w[i], g[i]);
    }
    return s;
  }
}
