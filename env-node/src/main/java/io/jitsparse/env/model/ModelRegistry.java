package io.jitsparse.env.model;

import java.util.List;

/** The models jitsparse trains, by name. */
public final class ModelRegistry {

  /** Default width multiplier of resnet18: trainable on two cores. */
  public static final double DEFAULT_RESNET_WIDTH = 0.25;

  private ModelRegistry() {}

  /** Registered model names. */
  public static List<String> names() {
    return List.of(Lenet300100.NAME, Lenet5Caffe.NAME, ResNet18.NAME);
  }

  /**
   * The architecture called {@code name}.
   *
   * @param width the width multiplier (used by resnet18 only)
   * @throws IllegalArgumentException naming the unknown model and the known ones
   */
  public static ModelArchitecture byName(String name, double width) {
    return switch (name) {
      case Lenet300100.NAME -> new Lenet300100();
      case Lenet5Caffe.NAME -> new Lenet5Caffe();
      case ResNet18.NAME -> new ResNet18(width);
      default ->
          throw new IllegalArgumentException(
              "unknown model '" + name + "'; known models: " + String.join(", ", names()));
    };
  }
}
