package io.jitsparse.monitoring.live;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What the live page shows, held in memory with fixed bounds: per trainer its description, a
 * downsampled history of steps (episode, step, a global step counter, per-layer densities, loss,
 * accuracy) and its newest step; the learning curve of finished episodes; the cluster's members.
 * One writer (the agent's live feed) and any number of HTTP readers share it; every method is
 * thread-safe and short.
 *
 * <p>Every kept point and curve entry is stamped with a sequence number. A reader passes the {@code
 * cursor} of its last {@link LiveView} as {@code since} and gets only what is newer, unless a
 * series was halved since then, in which case it gets that series whole and is told to reset.
 */
public final class LiveBoard {

  /**
   * Recent (trainer, episode) pairs remembered to drop resent episode summaries; a resend arrives
   * within seconds, while this many other episodes take far longer.
   */
  static final int RECENT_EPISODES = 1024;

  private static final int BOARD_ID_BYTES = 6;

  private final LiveSettings settings;
  private final LongSupplier clock;
  private final String boardId;
  private final Map<String, Trainer> trainers = new TreeMap<>();
  private final DownsampledSeries<EpisodePoint> curve;
  private final LinkedHashSet<String> recentEpisodes = new LinkedHashSet<>();
  private EpisodePoint latestEpisode;
  private List<Member> members = List.of();
  private String runId = "";
  private String node = "";
  private long seq;
  private long episodes;

  private static final class Trainer {
    TrainerInfo info;
    final DownsampledSeries<StepPoint> history;
    StepPoint latest;
    long updatedAtMillis;
    // Steps of the episodes before the current one: the global step's base.
    long offset;

    Trainer(TrainerInfo info, int capacity, long seq) {
      this.info = info;
      this.history = new DownsampledSeries<>(capacity, seq);
    }
  }

  /**
   * @param clock milliseconds for the ages the page shows (tests pass a fake)
   */
  public LiveBoard(LiveSettings settings, LongSupplier clock) {
    this.settings = settings;
    this.clock = clock;
    byte[] id = new byte[BOARD_ID_BYTES];
    new SecureRandom().nextBytes(id);
    this.boardId = HexFormat.of().formatHex(id);
    this.curve = new DownsampledSeries<>(settings.curvePoints(), 0);
  }

  /** A board on the system clock. */
  public static LiveBoard create(LiveSettings settings) {
    return new LiveBoard(settings, System::currentTimeMillis);
  }

  /** The board's bounds. */
  public LiveSettings settings() {
    return settings;
  }

  /** Names the run and the node in the page's header. */
  public synchronized void describe(String runId, String node) {
    this.runId = runId;
    this.node = node;
  }

  /**
   * Starts showing a trainer, or updates its description when it is shown already (a trainer that
   * registered again); its history is kept unless its layer count changed.
   *
   * @return false when {@link LiveSettings#maxTrainers()} are shown and this one is new
   */
  public synchronized boolean addTrainer(TrainerInfo info) {
    Trainer old = trainers.get(info.id());
    if (old != null && old.info.layers().size() == info.layers().size()) {
      old.info = info;
      return true;
    }
    if (old == null && trainers.size() >= settings.maxTrainers()) {
      return false;
    }
    trainers.put(info.id(), new Trainer(info, settings.historyPoints(), ++seq));
    return true;
  }

  /** Stops showing a trainer (its explorer stopped). */
  public synchronized void removeTrainer(String trainerId) {
    if (trainers.remove(trainerId) != null) {
      seq++;
    }
  }

  /** Whether a trainer is shown. */
  public synchronized boolean hasTrainer(String trainerId) {
    return trainers.containsKey(trainerId);
  }

  /** Number of trainers shown. */
  public synchronized int trainerCount() {
    return trainers.size();
  }

  /**
   * Records one training step.
   *
   * @param densities per-layer densities after the step
   * @return false when the step was ignored: unknown trainer, wrong layer count, or not newer than
   *     the trainer's newest step of the same episode
   */
  public synchronized boolean addStep(
      String trainerId, long episode, long step, double loss, double accuracy, double[] densities) {
    Trainer t = trainers.get(trainerId);
    if (t == null || densities.length != t.info.layers().size()) {
      return false;
    }
    StepPoint last = t.latest;
    if (last != null) {
      if (episode == last.episode() && step <= last.step()) {
        return false;
      }
      if (episode != last.episode()) {
        // A new episode (or a restarted trainer): time goes on from the previous one's end.
        t.offset = last.globalStep();
      }
    }
    StepPoint p = new StepPoint(episode, step, t.offset + step, densities, loss, accuracy);
    t.latest = p;
    t.updatedAtMillis = clock.getAsLong();
    if (t.history.wants(p.globalStep())) {
      t.history.add(p, p.globalStep(), ++seq);
    }
    return true;
  }

  /**
   * Adds a finished episode to the learning curve; a resent summary of an episode already on it is
   * ignored.
   *
   * @return whether it was new
   */
  public synchronized boolean addEpisode(
      String trainerId,
      long episode,
      double episodeReturn,
      double testAccuracy,
      double globalDensity,
      long policyVersion) {
    if (!recentEpisodes.add(trainerId + "\n" + episode)) {
      return false;
    }
    if (recentEpisodes.size() > RECENT_EPISODES) {
      recentEpisodes.remove(recentEpisodes.iterator().next());
    }
    episodes++;
    EpisodePoint p =
        new EpisodePoint(
            episodes,
            trainerId,
            episode,
            episodeReturn,
            testAccuracy,
            globalDensity,
            policyVersion);
    latestEpisode = p;
    if (curve.wants(episodes)) {
      curve.add(p, episodes, ++seq);
    }
    return true;
  }

  /** Replaces the members table. */
  public synchronized void setMembers(List<Member> current) {
    List<Member> sorted = new ArrayList<>(current);
    sorted.sort(Comparator.comparing(Member::address));
    members = List.copyOf(sorted);
  }

  /**
   * What changed after cursor {@code since} (0: everything). A cursor from the future (another
   * board's) counts as 0.
   */
  public synchronized LiveView view(long since) {
    long from = since < 0 || since > seq ? 0 : since;
    List<LiveView.TrainerView> ts = new ArrayList<>(trainers.size());
    for (Trainer t : trainers.values()) {
      boolean reset = from == 0 || t.history.needsReset(from);
      ts.add(
          new LiveView.TrainerView(
              t.info,
              t.history.stride(),
              reset,
              reset ? t.history.all() : t.history.after(from),
              t.latest,
              t.updatedAtMillis));
    }
    boolean curveReset = from == 0 || curve.needsReset(from);
    LiveView.CurveView c =
        new LiveView.CurveView(
            curveReset,
            curve.stride(),
            episodes,
            curveReset ? curve.all() : curve.after(from),
            latestEpisode);
    return new LiveView(
        boardId, seq, clock.getAsLong(), settings, runId, node, List.copyOf(ts), c, members);
  }
}
