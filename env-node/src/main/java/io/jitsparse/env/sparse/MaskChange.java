package io.jitsparse.env.sparse;

/**
 * How one mask update changed a layer.
 *
 * @param layer index of the prunable tensor
 * @param pruned weights removed
 * @param grown weights brought back
 * @param activeAfter active weights after the update
 */
public record MaskChange(int layer, long pruned, long grown, long activeAfter) {}
