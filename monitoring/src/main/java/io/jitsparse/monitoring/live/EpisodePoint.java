package io.jitsparse.monitoring.live;

/**
 * One finished episode on the learning curve.
 *
 * @param n the episode's rank among all finished episodes this board has seen (from 1): the curve's
 *     x axis
 * @param trainerId the trainer that ran it
 * @param episode the trainer's episode index
 * @param episodeReturn the episode's return (sum of rewards)
 * @param testAccuracy test accuracy at its end
 * @param globalDensity global density at its end
 * @param policyVersion the newest policy version that acted in it
 */
public record EpisodePoint(
    long n,
    String trainerId,
    long episode,
    double episodeReturn,
    double testAccuracy,
    double globalDensity,
    long policyVersion) {}
