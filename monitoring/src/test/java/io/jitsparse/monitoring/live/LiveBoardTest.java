package io.jitsparse.monitoring.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveBoardTest {

  private static final int HISTORY = 8;
  private static final int CURVE = 4;
  private static final int LAYERS = 3;

  private final AtomicLong clock = new AtomicLong(1_000);
  private final LiveBoard board =
      new LiveBoard(
          new LiveSettings(HISTORY, CURVE, 2, Duration.ofSeconds(1), Duration.ofSeconds(15)),
          clock::get);

  private static TrainerInfo trainer(String id, int layers) {
    List<TrainerInfo.Layer> ls =
        java.util.stream.IntStream.range(0, layers)
            .mapToObj(i -> new TrainerInfo.Layer(i, i == layers - 1 ? "dense" : "conv", 100L * i))
            .toList();
    return new TrainerInfo(id, "env-a", "lenet5-caffe", 0.1, 60, ls);
  }

  private static double[] densities(double d) {
    double[] a = new double[LAYERS];
    java.util.Arrays.fill(a, d);
    return a;
  }

  private LiveView.TrainerView only(LiveView v) {
    assertEquals(1, v.trainers().size());
    return v.trainers().get(0);
  }

  @Test
  void defaultsComeFromReferenceConf() {
    LiveSettings s = LiveSettings.create(ConfigFactory.load());
    assertEquals(1500, s.historyPoints());
    assertEquals(Duration.ofSeconds(1), s.pollInterval());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LiveSettings(1, CURVE, 1, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("jitsparse.live.history-points"), e.getMessage());
  }

  @Test
  void historyStaysBoundedAndSpansTheWholeRun() {
    board.addTrainer(trainer("t-0", LAYERS));
    int steps = 1000;
    for (int s = 1; s <= steps; s++) {
      assertTrue(board.addStep("t-0", 0, s, 1.0 / s, 0.5, densities(1.0 - s / 2000.0)));
    }
    LiveView.TrainerView t = only(board.view(0));
    assertTrue(t.points().size() <= HISTORY, "kept " + t.points().size());
    assertTrue(t.points().size() >= HISTORY / 2, "kept " + t.points().size());
    // evenly spread over the run: the oldest kept point is from its first stride
    assertTrue(t.points().get(0).globalStep() <= t.stride(), "oldest " + t.points().get(0));
    assertTrue(t.stride() >= steps / HISTORY, "stride " + t.stride());
    for (int i = 1; i < t.points().size(); i++) {
      assertTrue(t.points().get(i).globalStep() > t.points().get(i - 1).globalStep());
    }
    // the newest step is always there, even when the stride skipped it
    assertEquals(steps, t.latest().step());
    assertEquals(1.0 - steps / 2000.0, t.latest().density(0), 1e-6);
    assertEquals(clock.get(), t.updatedAtMillis());
  }

  @Test
  void globalStepRunsOnAcrossEpisodes() {
    board.addTrainer(trainer("t-0", LAYERS));
    for (int s = 1; s <= 5; s++) {
      board.addStep("t-0", 0, s, 1, 0.5, densities(1));
    }
    for (int s = 1; s <= 3; s++) {
      board.addStep("t-0", 1, s, 1, 0.5, densities(0.5));
    }
    List<StepPoint> ps = only(board.view(0)).points();
    assertEquals(
        List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), ps.stream().map(StepPoint::globalStep).toList());
    assertEquals(1, ps.get(7).episode());
    assertEquals(3, ps.get(7).step());
  }

  @Test
  void sinceCursorGivesOnlyNewsUntilAHalvingResetsTheReader() {
    board.addTrainer(trainer("t-0", LAYERS));
    board.addStep("t-0", 0, 1, 1, 0.5, densities(1));
    LiveView first = board.view(0);
    assertTrue(only(first).reset());
    assertEquals(1, only(first).points().size());

    board.addStep("t-0", 0, 2, 1, 0.5, densities(0.9));
    board.addStep("t-0", 0, 3, 1, 0.5, densities(0.8));
    LiveView second = board.view(first.cursor());
    assertFalse(only(second).reset());
    assertEquals(List.of(2L, 3L), only(second).points().stream().map(StepPoint::step).toList());
    assertTrue(second.cursor() > first.cursor());

    // nothing new: nothing sent, the latest point still is
    LiveView idle = board.view(second.cursor());
    assertEquals(List.of(), only(idle).points());
    assertEquals(3, only(idle).latest().step());
    assertEquals(second.cursor(), idle.cursor());

    // overflow halves the history: a reader from before must start over with the whole of it
    for (int s = 4; s <= HISTORY + 1; s++) {
      board.addStep("t-0", 0, s, 1, 0.5, densities(0.5));
    }
    LiveView after = board.view(second.cursor());
    assertTrue(only(after).reset());
    assertEquals(2, only(after).stride());
    assertEquals(only(board.view(0)).points().size(), only(after).points().size());
    // ... and a reader from after the halving gets news only
    board.addStep("t-0", 0, HISTORY + 3, 1, 0.5, densities(0.4));
    LiveView news = board.view(after.cursor());
    assertFalse(only(news).reset());
    assertEquals(1, only(news).points().size());

    // a cursor from another board (a restarted node) is taken as 0
    assertTrue(only(board.view(news.cursor() + 100)).reset());
  }

  @Test
  void ignoresWhatItCannotShow() {
    assertFalse(board.addStep("nobody", 0, 1, 1, 0.5, densities(1)));
    board.addTrainer(trainer("t-0", LAYERS));
    assertFalse(board.addStep("t-0", 0, 1, 1, 0.5, new double[LAYERS + 1]));
    assertTrue(board.addStep("t-0", 0, 2, 1, 0.5, densities(1)));
    assertFalse(board.addStep("t-0", 0, 2, 1, 0.5, densities(1)), "duplicate");
    assertFalse(board.addStep("t-0", 0, 1, 1, 0.5, densities(1)), "older");
    assertEquals(1, only(board.view(0)).points().size());
  }

  @Test
  void trainersAreBoundedAndForgotten() {
    assertTrue(board.addTrainer(trainer("t-0", LAYERS)));
    assertTrue(board.addTrainer(trainer("t-1", LAYERS)));
    assertFalse(board.addTrainer(trainer("t-2", LAYERS)), "max-trainers is 2");
    board.addStep("t-0", 0, 1, 1, 0.5, densities(1));
    // registering again keeps the history
    assertTrue(board.addTrainer(trainer("t-0", LAYERS)));
    assertEquals(1, board.view(0).trainers().get(0).points().size());
    board.removeTrainer("t-0");
    assertFalse(board.hasTrainer("t-0"));
    assertTrue(board.addTrainer(trainer("t-2", LAYERS)));
    assertEquals(
        List.of("t-1", "t-2"), board.view(0).trainers().stream().map(t -> t.info().id()).toList());
    assertNull(board.view(0).trainers().get(0).latest());
  }

  @Test
  void learningCurveDropsResentSummariesAndStaysBounded() {
    assertTrue(board.addEpisode("t-0", 0, 0.1, 0.8, 0.1, 0));
    assertFalse(board.addEpisode("t-0", 0, 0.1, 0.8, 0.1, 0), "a resent summary");
    assertTrue(board.addEpisode("t-1", 0, 0.2, 0.7, 0.1, 0));
    LiveView v = board.view(0);
    assertEquals(2, v.curve().episodes());
    assertEquals(List.of(1L, 2L), v.curve().points().stream().map(EpisodePoint::n).toList());
    for (int e = 1; e <= 20; e++) {
      board.addEpisode("t-0", e, 0.1 * e, 0.8, 0.1, e);
    }
    LiveView.CurveView c = board.view(v.cursor()).curve();
    assertTrue(c.reset());
    assertTrue(c.points().size() <= CURVE);
    assertEquals(22, c.episodes());
    long newestKept = c.points().get(c.points().size() - 1).n();
    assertTrue(
        newestKept > 22 - c.stride(), "kept up to " + newestKept + " at stride " + c.stride());
    assertEquals(22, c.latest().n(), "the newest episode is always told");
    assertEquals(20, c.latest().episode());
  }

  @Test
  void membersAreSortedByAddress() {
    board.setMembers(
        List.of(
            new Member("pekko://jitsparse@127.0.0.1:2", List.of("env"), "Up", false, false),
            new Member("pekko://jitsparse@127.0.0.1:1", List.of("agent"), "Up", true, true)));
    List<Member> ms = board.view(0).members();
    assertEquals("pekko://jitsparse@127.0.0.1:1", ms.get(0).address());
    assertFalse(ms.get(1).reachable());
  }
}
