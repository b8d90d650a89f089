package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Settings and the real dataset for the training tests. */
final class TestRuns {

  private static FashionMnist data;

  private TestRuns() {}

  /** Settings from reference.conf with the given {@code jitsparse.baseline} overrides. */
  static BaselineSettings settings(Map<String, Object> overrides) {
    Map<String, Object> m = new HashMap<>(overrides);
    m.putIfAbsent("progress-seconds", 1000);
    return BaselineSettings.withOverrides(ConfigFactory.defaultReference(), m);
  }

  /**
   * The real Fashion-MNIST from the Debian package; skipped where it is absent, except under {@code
   * CI=true}, where a missing dataset fails.
   */
  static synchronized FashionMnist realData() {
    if (data == null) {
      boolean present = FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR);
      if (!"true".equals(System.getenv("CI"))) {
        assumeTrue(present, "dataset-fashion-mnist is not installed");
      }
      data = new FashionMnistLocator(Path.of("target/no-project-data"), s -> {}).load(null);
    }
    return data;
  }
}
