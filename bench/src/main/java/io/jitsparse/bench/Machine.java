package io.jitsparse.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.factory.Nd4j;

/** What a result was measured on: cores, CPU, Java, the ND4J native classifier and its threads. */
final class Machine {

  /** The classifier part of an {@code nd4j-native-VERSION-CLASSIFIER.jar} on the class path. */
  private static final Pattern NATIVE_JAR =
      Pattern.compile(
          "nd4j-native-[0-9][^" + Pattern.quote(File.separator) + "]*?-(linux-.+)\\.jar$");

  private static final Path CPU_INFO = Path.of("/proc/cpuinfo");
  private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");
  private static final String MODEL_NAME = "model name";
  private static final String UNKNOWN = "unknown";

  /** Environment variables that change how the native thread pools behave. */
  private static final List<String> THREADING_ENVIRONMENT =
      List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OPENBLAS_NUM_THREADS");

  private Machine() {}

  /** The ND4J native classifier on this JVM's class path, e.g. {@code linux-x86_64-onednn-avx2}. */
  static String nativeClassifier() {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Matcher m = NATIVE_JAR.matcher(entry);
      if (m.find()) {
        return m.group(1);
      }
    }
    return UNKNOWN;
  }

  /** The machine description written into every result file. */
  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("java", System.getProperty("java.version"));
    m.put("java_vm", System.getProperty("java.vm.name"));
    m.put(
        "max_heap_mb", Math.round(Runtime.getRuntime().maxMemory() / MemorySnapshot.BYTES_PER_MB));
    m.put("classifier", nativeClassifier());
    m.put("nd4j_threads", Nd4j.getEnvironment().maxThreads());
    m.put(
        "helpers_disabled", System.getProperty("org.eclipse.deeplearning4j.helpers.disable", "?"));
    for (String variable : THREADING_ENVIRONMENT) {
      m.put(variable, System.getenv().getOrDefault(variable, "(unset)"));
    }
    m.put("load_average_at_start", loadAverage());
    return m;
  }

  /**
   * A warning when other work keeps the machine busy (load average above the cores), or null:
   * absolute figures are then low and noisy, and only the interleaved ratios mean much.
   */
  static String busyWarning() {
    try {
      double load = Double.parseDouble(loadAverage().split(" ")[0]);
      int cores = Runtime.getRuntime().availableProcessors();
      return load > cores
          ? "machine busy: 1-minute load average "
              + load
              + " on "
              + cores
              + " cores; absolute figures are low and noisy, compare the interleaved ratios"
          : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The 1-, 5- and 15-minute load averages: how busy the machine was with other work. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(LOAD_AVERAGE).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return UNKNOWN;
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(CPU_INFO)) {
        if (line.startsWith(MODEL_NAME)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return UNKNOWN;
    }
    return UNKNOWN;
  }
}
