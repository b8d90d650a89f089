package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A damaged or edited checkpoint is refused with one line naming its file, never a library's bare
 * message ("null", "java.io.EOFException", Jackson's parser state); the rows a kill leaves after
 * the checkpoint are cut back to it.
 */
class CheckpointFilesTest {

  private static final int STEPS = 20;
  private static final int BATCHES_PER_EPOCH = 10;

  @TempDir Path dir;

  private void writeCheckpoint(long step, int epoch, int batch) throws IOException {
    Map<String, INDArray> arrays =
        Map.of("w", Nd4j.rand(4, 3), "mask:w", Nd4j.ones(4, 3), "b", Nd4j.zeros(3));
    Checkpoint.write(
        dir, arrays, new Checkpoint.Progress(step, epoch, batch, 1.0, 2.0, Map.of("seed", 1)));
  }

  private Path arrays() {
    return dir.resolve(Checkpoint.DIR).resolve("arrays.bin");
  }

  private Path progress() {
    return dir.resolve(Checkpoint.DIR).resolve("progress.json");
  }

  @Test
  void anEmptyOrTruncatedArraysFileIsNamedAndSaysWhy() throws IOException {
    writeCheckpoint(5, 0, 5);
    byte[] whole = Files.readAllBytes(arrays());
    Files.write(arrays(), Arrays.copyOf(whole, whole.length / 2));
    IOException truncated = assertThrows(IOException.class, () -> Checkpoint.readArrays(dir));
    assertTrue(truncated.getMessage().startsWith(arrays().toString()), truncated.getMessage());
    assertFalse(truncated.getMessage().contains("null"), truncated.getMessage());
    assertFalse(truncated.getMessage().contains("java.io"), truncated.getMessage());

    Files.write(arrays(), new byte[0]);
    IOException empty = assertThrows(IOException.class, () -> Checkpoint.readArrays(dir));
    assertEquals(arrays() + " is empty: the checkpoint is damaged", empty.getMessage());
  }

  @Test
  void aTruncatedProgressFileIsNamedWithWhereItBreaks() throws IOException {
    writeCheckpoint(5, 0, 5);
    String json = Files.readString(progress());
    Files.writeString(progress(), json.substring(0, json.length() / 2));
    IOException e = assertThrows(IOException.class, () -> Checkpoint.readProgress(dir));
    assertTrue(
        e.getMessage().startsWith(progress() + " is not valid JSON (truncated or edited?) at line"),
        e.getMessage());
  }

  @Test
  void aProgressBeyondTheRunOrOffItsPositionIsRefusedNamingTheFile() throws IOException {
    writeCheckpoint(5, 0, 5);
    Checkpoint.checkPosition(dir, Checkpoint.readProgress(dir), STEPS, BATCHES_PER_EPOCH);
    for (Checkpoint.Progress edited :
        List.of(
            new Checkpoint.Progress(STEPS + 1, 2, 1, 0, 0, Map.of()),
            new Checkpoint.Progress(-1, 0, 0, 0, 0, Map.of()),
            new Checkpoint.Progress(5, 1, 5, 0, 0, Map.of()),
            new Checkpoint.Progress(5, 0, BATCHES_PER_EPOCH + 1, 0, 0, Map.of()))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Checkpoint.checkPosition(dir, edited, STEPS, BATCHES_PER_EPOCH));
      assertTrue(e.getMessage().startsWith(progress() + ": "), e.getMessage());
    }
  }

  @Test
  void aFailedWriteLeavesNoTemporaryFolderAndNamesTheCheckpoint() throws IOException {
    writeCheckpoint(5, 0, 5);
    // progress.json fails half-way (a value JSON cannot write), after arrays.bin is written, as a
    // disk that fills up during the write would
    Map<String, Object> unwritable = Map.of("seed", new Object());
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                Checkpoint.write(
                    dir,
                    Map.of("w", Nd4j.rand(2, 2)),
                    new Checkpoint.Progress(6, 0, 6, 0, 0, unwritable)));
    assertTrue(
        e.getMessage().startsWith("cannot write the checkpoint " + dir.resolve(Checkpoint.DIR)),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve(Checkpoint.DIR + ".tmp")));
    assertEquals(5L, Checkpoint.readProgress(dir).step(), "the earlier checkpoint is kept");
  }

  @Test
  void rowsAfterTheCheckpointAreCutBackToIt() throws IOException {
    Path schedule = dir.resolve(BaselineRun.SCHEDULE_FILE);
    Files.write(
        schedule, List.of(ScheduleLog.HEADER, "0,a,1.0", "4,a,0.5", "8,a,0.4", "9,a,0.3", "9,b"));
    StepRows.keepThrough(schedule, 8);
    assertEquals(
        List.of(ScheduleLog.HEADER, "0,a,1.0", "4,a,0.5", "8,a,0.4"), Files.readAllLines(schedule));
    StepRows.keepThrough(dir.resolve("missing.csv"), 8);
    assertFalse(Files.exists(dir.resolve("missing.csv")));
  }
}
