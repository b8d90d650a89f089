package io.jitsparse.protocol.fuzz;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Hostile values shared by the fuzz tests of every module (issue 15, item 5). */
public final class HostileValues {

  /** How often a config value is HOCON {@code null}. */
  private static final double NULL_SHARE = 0.05;

  private HostileValues() {}

  /** Values of every HOCON type a hostile config could hold. */
  public static Arbitrary<Object> config() {
    return Arbitraries.oneOf(
            Arbitraries.of(
                "",
                " ",
                "NaN",
                "Infinity",
                "-Infinity",
                "-1",
                "0",
                "1e309",
                "1.5",
                "10%",
                "-5%",
                "150%",
                "0%",
                "1x",
                "abc",
                "\u00e9\u00e8",
                "\uD83D\uDE00",
                "1 s",
                "-1 s",
                "99999999999 d",
                "true",
                "null",
                "9223372036854775808",
                "2147483648"),
            Arbitraries.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                -1.0,
                0.0,
                Double.MAX_VALUE,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                Integer.MAX_VALUE,
                -1,
                0,
                true,
                false),
            Arbitraries.of(List.of(), List.of(1, "x"), Map.of(), Map.of("a", 1)),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s))
        .injectNull(NULL_SHARE);
  }
}
