package io.jitsparse.env.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.model.PrunableTensor.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class DensityDistributionsTest {

  private static final double TOLERANCE = 1e-12;

  private static PrunableTensor conv(int index, long kh, long kw, long in, long out) {
    return new PrunableTensor(
        index,
        "conv" + index + "/W",
        Kind.CONV,
        new long[] {kh, kw, in, out},
        kh * kw * in,
        out,
        1);
  }

  private static PrunableTensor dense(int index, long in, long out) {
    return new PrunableTensor(
        index, "dense" + index + "/W", Kind.DENSE, new long[] {in, out}, in, out, 1);
  }

  /** conv 3x3x3x16 (432), conv 3x3x16x32 (4608), dense 512x128 (65536), dense 128x10 (1280). */
  private static final List<PrunableTensor> NET =
      List.of(conv(0, 3, 3, 3, 16), conv(1, 3, 3, 16, 32), dense(2, 512, 128), dense(3, 128, 10));

  private static final double NET_SIZE = 432 + 4608 + 65536 + 1280;

  @Test
  void erkMatchesFormulaWhenNoLayerSaturates() {
    double d = 0.1;
    // raw_l * n_l = sum of the dims: 25, 54, 640, 138
    double eps = d * NET_SIZE / (25 + 54 + 640 + 138);
    double[] expected = {
      eps * 25 / 432.0, eps * 54 / 4608.0, eps * 640 / 65536.0, eps * 138 / 1280.0
    };
    double[] got = new ErkDensity().densities(NET, d);
    for (int l = 0; l < expected.length; l++) {
      assertEquals(expected[l], got[l], TOLERANCE, "layer " + l);
      assertTrue(got[l] < 1);
    }
  }

  @Test
  void erkMakesSaturatedLayersDenseAndRescalesTheRest() {
    double d = 0.2;
    // round 1: eps = 0.2 * 71856 / 857 = 16.77; dense2 = 16.77 * 138/1280 = 1.81 > 1 -> dense.
    // round 2: eps = (14371.2 - 1280) / 719 = 18.21; conv0 = 18.21 * 25/432 = 1.054 > 1 -> dense.
    // round 3: eps = (14371.2 - 1280 - 432) / 694; conv1 and dense2 stay below 1.
    double eps = (d * NET_SIZE - 1280 - 432) / (54 + 640);
    double[] got = new ErkDensity().densities(NET, d);
    assertEquals(1.0, got[0]);
    assertEquals(eps * 54 / 4608.0, got[1], TOLERANCE);
    assertEquals(eps * 640 / 65536.0, got[2], TOLERANCE);
    assertEquals(1.0, got[3]);
    assertEquals(d * NET_SIZE, keptExactly(got), 1e-6);
  }

  @Test
  void erkPowerScaleZeroIsUniform() {
    double[] got = new ErkDensity(0).densities(NET, 0.3);
    for (double x : got) {
      assertEquals(0.3, x, TOLERANCE);
    }
  }

  @Test
  void erkPowerScaleFlattensTheDistribution() {
    double d = 0.1;
    double p = 0.5;
    double[] raw = {
      Math.pow(25 / 432.0, p),
      Math.pow(54 / 4608.0, p),
      Math.pow(640 / 65536.0, p),
      Math.pow(138 / 1280.0, p)
    };
    double[] sizes = {432, 4608, 65536, 1280};
    double divisor = 0;
    for (int l = 0; l < raw.length; l++) {
      divisor += raw[l] * sizes[l];
    }
    double eps = d * NET_SIZE / divisor;
    double[] got = new ErkDensity(p).densities(NET, d);
    for (int l = 0; l < raw.length; l++) {
      assertEquals(eps * raw[l], got[l], TOLERANCE, "layer " + l);
    }
  }

  @Test
  void erUsesOnlyTheChannelDimensions() {
    double d = 0.1;
    // raw (in + out) / (in * out) over the last two dims; raw * n: conv0 19/48*432 = 171,
    // conv1 48/512*4608 = 432, dense2 640, dense3 138. Round 1: eps = 7185.6 / 1381 = 5.20,
    // conv0 = 5.20 * 19/48 = 2.06 > 1 -> dense; round 2 over the rest.
    double eps = (d * NET_SIZE - 432) / (432 + 640 + 138);
    double[] got = new ErDensity().densities(NET, d);
    assertEquals(1.0, got[0]);
    assertEquals(eps * 48 / 512.0, got[1], TOLERANCE);
    assertEquals(eps * 640 / 65536.0, got[2], TOLERANCE);
    assertEquals(eps * 138 / 1280.0, got[3], TOLERANCE);
  }

  @Test
  void uniformKeepsGlobalDensityEverywhere() {
    for (double x : new UniformDensity().densities(NET, 0.05)) {
      assertEquals(0.05, x);
    }
  }

  @Test
  void keptCountMatchesGlobalDensityWithinOneWeightPerLayer() {
    List<List<PrunableTensor>> nets =
        List.of(
            NET,
            List.of(dense(0, 784, 300), dense(1, 300, 100), dense(2, 100, 10)),
            List.of(
                conv(0, 5, 5, 1, 6),
                conv(1, 5, 5, 6, 16),
                dense(2, 400, 120),
                dense(3, 120, 84),
                dense(4, 84, 10)));
    for (String name : DensityDistributions.names()) {
      DensityDistribution dist = DensityDistributions.byName(name);
      for (List<PrunableTensor> net : nets) {
        long total = net.stream().mapToLong(PrunableTensor::size).sum();
        for (double d = 0.01; d <= 1.0 + 1e-9; d += 0.01) {
          double global = Math.min(d, 1.0);
          double[] densities = dist.densities(net, global);
          long kept = 0;
          for (int l = 0; l < net.size(); l++) {
            assertTrue(densities[l] >= 0 && densities[l] <= 1, name + " layer " + l);
            kept += Math.round(densities[l] * net.get(l).size());
          }
          long wanted = Math.round(global * total);
          assertTrue(
              Math.abs(kept - wanted) <= net.size(),
              name + " at " + global + ": kept " + kept + ", wanted " + wanted);
        }
      }
    }
  }

  @Test
  void fullDensityIsDenseEverywhere() {
    for (String name : DensityDistributions.names()) {
      for (double x : DensityDistributions.byName(name).densities(NET, 1.0)) {
        assertEquals(1.0, x, TOLERANCE, name);
      }
    }
  }

  @Test
  void rejectsGlobalDensityOutsideUnitInterval() {
    for (String name : DensityDistributions.names()) {
      DensityDistribution dist = DensityDistributions.byName(name);
      for (double bad : new double[] {0.0, -0.1, 1.5, Double.NaN}) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> dist.densities(NET, bad));
        assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
      }
    }
  }

  @Test
  void registryResolvesNames() {
    assertEquals(List.of("uniform", "er", "erk"), DensityDistributions.names());
    assertInstanceOf(ErkDensity.class, DensityDistributions.byName("erk", 1.0));
    assertInstanceOf(ErDensity.class, DensityDistributions.byName("ER"));
    assertInstanceOf(UniformDensity.class, DensityDistributions.byName("uniform"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DensityDistributions.byName("xyz"));
    assertTrue(e.getMessage().contains("xyz") && e.getMessage().contains("erk"));
  }

  private static double keptExactly(double[] densities) {
    double kept = 0;
    for (int l = 0; l < NET.size(); l++) {
      kept += densities[l] * NET.get(l).size();
    }
    return kept;
  }
}
