package io.jitsparse.env.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainerThreadsTest {

  @Test
  void theTrainersShareTheCpusAndEachHasAtLeastOneThread() {
    assertEquals(1, TrainerThreads.perTrainer(2, 2));
    assertEquals(2, TrainerThreads.perTrainer(2, 1));
    assertEquals(2, TrainerThreads.perTrainer(8, 3));
    assertEquals(1, TrainerThreads.perTrainer(1, 4));
    assertThrows(IllegalArgumentException.class, () -> TrainerThreads.perTrainer(0, 1));
    assertThrows(IllegalArgumentException.class, () -> TrainerThreads.perTrainer(2, 0));
  }
}
