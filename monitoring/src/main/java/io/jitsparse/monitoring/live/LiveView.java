package io.jitsparse.monitoring.live;

import java.util.List;

/**
 * What the page receives for one poll: everything changed since the reader's cursor, plus the small
 * parts (trainer headers, latest points, members) whole.
 *
 * @param boardId identity of the board: a reader that sees it change (a restarted node) starts over
 * @param cursor the reader's next {@code since}
 * @param nowMillis the server's clock, so the page shows ages without trusting its own clock
 * @param settings the board's bounds and the poll interval
 * @param runId the run id ("" when not known)
 * @param node the node's name ("" when not known)
 * @param trainers the trainers shown, by id
 * @param curve the learning curve's news
 * @param members the cluster's members, by address
 */
public record LiveView(
    String boardId,
    long cursor,
    long nowMillis,
    LiveSettings settings,
    String runId,
    String node,
    List<TrainerView> trainers,
    CurveView curve,
    List<Member> members) {

  /**
   * One trainer's news.
   *
   * @param info its description
   * @param stride steps between its kept points (doubles each time its history is halved)
   * @param reset whether {@code points} is its whole history (the reader's copy is to be replaced)
   *     or only what came after the cursor
   * @param points history points, oldest first
   * @param latest its newest step (kept even when the stride skips it); null before the first
   * @param updatedAtMillis server time of its newest step; 0 before the first
   */
  public record TrainerView(
      TrainerInfo info,
      long stride,
      boolean reset,
      List<StepPoint> points,
      StepPoint latest,
      long updatedAtMillis) {}

  /**
   * The learning curve's news.
   *
   * @param reset whether {@code points} is the whole curve or only what came after the cursor
   * @param stride episodes between kept points
   * @param episodes finished episodes seen in all (kept or not)
   * @param points curve points, oldest first
   * @param latest the newest finished episode (kept even when the stride skips it); null before the
   *     first
   */
  public record CurveView(
      boolean reset, long stride, long episodes, List<EpisodePoint> points, EpisodePoint latest) {}
}
