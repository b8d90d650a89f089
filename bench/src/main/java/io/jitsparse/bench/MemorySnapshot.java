package io.jitsparse.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/**
 * The process's memory at one moment, after a full garbage collection.
 *
 * <p>ND4J 1.0.0-M2.1 allocates its array buffers in libnd4j, outside JavaCPP's accounting, so
 * {@link Pointer#totalBytes()} stays near zero however many arrays exist; the resident set size is
 * what shows native memory.
 *
 * @param heapMb heap in use after GC, from {@link java.lang.management.MemoryMXBean}
 * @param javacppMb bytes allocated through JavaCPP ({@link Pointer#totalBytes()})
 * @param physicalMb the process's physical memory as JavaCPP reads it ({@link
 *     Pointer#physicalBytes()})
 * @param rssMb {@code VmRSS} of {@code /proc/self/status}
 */
record MemorySnapshot(double heapMb, double javacppMb, double physicalMb, double rssMb) {

  /** Bytes in a megabyte (MiB). */
  static final double BYTES_PER_MB = 1024.0 * 1024.0;

  private static final double KB_PER_MB = 1024.0;
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final String RSS_KEY = "VmRSS:";
  private static final int MB_DIGITS = 1;

  /** Collects garbage, then measures. */
  static MemorySnapshot take() {
    System.gc();
    System.runFinalization();
    System.gc();
    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new MemorySnapshot(
        heap / BYTES_PER_MB,
        Pointer.totalBytes() / BYTES_PER_MB,
        Pointer.physicalBytes() / BYTES_PER_MB,
        readRssMb());
  }

  /** This snapshot minus an earlier one: what was allocated in between. */
  MemorySnapshot minus(MemorySnapshot before) {
    return new MemorySnapshot(
        heapMb - before.heapMb,
        javacppMb - before.javacppMb,
        physicalMb - before.physicalMb,
        rssMb - before.rssMb);
  }

  /** As a JSON object, rounded to 0.1 MB. */
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heap_mb", Stats.round(heapMb, MB_DIGITS));
    m.put("javacpp_mb", Stats.round(javacppMb, MB_DIGITS));
    m.put("physical_mb", Stats.round(physicalMb, MB_DIGITS));
    m.put("rss_mb", Stats.round(rssMb, MB_DIGITS));
    return m;
  }

  private static double readRssMb() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(RSS_KEY)) {
          String kb = line.substring(RSS_KEY.length()).trim().split("\\s+")[0];
          return Long.parseLong(kb) / KB_PER_MB;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
