package io.jitsparse.env.sparse;

/**
 * Per-layer state the trainer reports every step and the agent observes.
 *
 * @param density fraction of the layer's weights that are active
 * @param weightMagnitudeMean mean |w| over active weights
 * @param weightMagnitudeStd standard deviation of |w| over active weights
 * @param gradientNorm L2 norm of the (masked) gradient at the last step
 * @param maskChurn fraction of the layer's weights whose mask changed at the last mask update
 */
public record LayerStatistics(
    double density,
    double weightMagnitudeMean,
    double weightMagnitudeStd,
    double gradientNorm,
    double maskChurn) {}
