package io.jitsparse.agent.learner;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Episode statistics of the run as the learner sees them: how many episodes ended and their mean
 * return. Explorers re-forward a summary until acknowledged, so each (trainer, episode) is counted
 * once: episodes of a trainer arrive in order, and one not newer than its last is a resend.
 */
public final class EpisodeStats {

  private static final int MAX_TRAINERS = 100_000;

  private final Map<String, Long> lastEpisode =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_TRAINERS;
        }
      };
  private long count;
  private double returnSum;

  /** Records an episode's return; returns false (and records nothing) for a resend. */
  public boolean add(String trainerId, long episode, double episodeReturn) {
    Long last = lastEpisode.get(trainerId);
    if (last != null && episode <= last) {
      return false;
    }
    lastEpisode.put(trainerId, episode);
    count++;
    returnSum += episodeReturn;
    return true;
  }

  /** Episodes recorded. */
  public long count() {
    return count;
  }

  /** Mean return of the recorded episodes, 0 before the first. */
  public double meanReturn() {
    return count == 0 ? 0 : returnSum / count;
  }
}
