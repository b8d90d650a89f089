package io.jitsparse.env.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.train.ScheduleLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordedScheduleTest {

  private static final List<String> LAYERS = List.of("fc1/W", "fc2/W", "fc3/W");

  @Test
  void readsWhatEveryRunWritesAndBindsItByLayerName(@TempDir Path dir) {
    Path file = dir.resolve("schedule.csv");
    try (ScheduleLog log = new ScheduleLog(file, LAYERS, false)) {
      log.log(0, new double[] {1.0, 1.0, 1.0});
      log.log(5, new double[] {0.5, 0.25, 0.75});
      log.log(9, new double[] {0.1, 0.05, 0.5});
    }
    RecordedSchedule s = RecordedSchedule.read(file);
    assertEquals(
        List.of(0L, 5L, 9L), s.points().stream().map(RecordedSchedule.Point::step).toList());
    assertEquals(5, s.points().get(1).line(), "header, three rows of step 0, then step 5");
    // bound to a network whose tensors come in another order
    double[][] d = s.densities(List.of("fc3/W", "fc1/W", "fc2/W"));
    assertArrayEquals(new double[] {1, 1, 1}, d[0]);
    assertArrayEquals(new double[] {0.75, 0.5, 0.25}, d[1]);
    assertArrayEquals(new double[] {0.5, 0.1, 0.05}, d[2]);
  }

  @Test
  void badFilesNameTheFileAndLine(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.csv");
    assertMessage(missing, missing.toString(), "no such");

    assertMessage(write(dir, "step,density\n0,a,1\n"), "line 1", "header");
    assertMessage(write(dir, "step,layer,density\n0,a,1\n0,b,x\n"), "line 3", "not a number");
    assertMessage(write(dir, "step,layer,density\n0,a,1\nfive,b,1\n"), "line 3", "not a number");
    assertMessage(write(dir, "step,layer,density\n0,a,1\n0,b\n"), "line 3", "step,layer,density");
    assertMessage(write(dir, "step,layer,density\n0,a,1\n0,b,0\n"), "line 3", "(0, 1]");
    assertMessage(write(dir, "step,layer,density\n0,a,1.5\n"), "line 2", "(0, 1]");
    assertMessage(write(dir, "step,layer,density\n0,a,NaN\n"), "line 2", "(0, 1]");
    assertMessage(
        write(dir, "step,layer,density\n0,a,1\n8,a,0.5\n4,a,0.2\n"), "line 4", "after step 8");
    assertMessage(write(dir, "step,layer,density\n0,a,1\n0,a,0.5\n"), "line 3", "twice");
    assertMessage(write(dir, "step,layer,density\n3,a,1\n"), "step 0");
    assertMessage(write(dir, "step,layer,density\n"), "step 0");

    // two layers recorded, three in the network: the step's first line is named
    Path two =
        write(
            dir, "step,layer,density\n0,fc1/W,1\n0,fc2/W,1\n0,fc3/W,1\n6,fc1/W,0.5\n6,fc2/W,0.5\n");
    RecordedSchedule s = RecordedSchedule.read(two);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.densities(LAYERS));
    assertTrue(e.getMessage().startsWith(two + ": line 5:"), e.getMessage());
    assertTrue(e.getMessage().contains("2 layers"), e.getMessage());
  }

  private static Path write(Path dir, String text) throws Exception {
    Path f = Files.createTempFile(dir, "schedule", ".csv");
    Files.writeString(f, text);
    return f;
  }

  private static void assertMessage(Path file, String... parts) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RecordedSchedule.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }
  }

  @Test
  void aByteOrderMarkIsReadAndABinaryFileIsNamed(@TempDir Path dir) throws Exception {
    Path bom = dir.resolve("bom.csv");
    java.nio.file.Files.writeString(
        bom, "\uFEFFstep,layer,density\n0,fc1/W,1.0\n0,fc2/W,1.0\n0,fc3/W,1.0\n");
    assertEquals(1, RecordedSchedule.read(bom).points().size());
    Path binary = dir.resolve("binary.csv");
    java.nio.file.Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RecordedSchedule.read(binary));
    assertTrue(
        e.getMessage().contains(binary.toString()) && e.getMessage().contains("not UTF-8"),
        e.getMessage());
  }
}
