package io.jitsparse.env.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jitsparse.protocol.LocalCommand;
import java.io.UncheckedIOException;

/**
 * The result of one load run over its measured window; {@link #toJson()} writes it with snake_case
 * keys ({@code rtt_p99_ms}, {@code observations_per_s}, ...), the form {@code bench/run cluster}
 * reads.
 *
 * @param trainers simulated trainers spawned
 * @param registered trainers registered at the end of the window
 * @param intervalS seconds between two decisions of one trainer
 * @param durationS measured seconds (the window's real length)
 * @param observations observations first sent within the window (resends not counted)
 * @param observationsPerS {@code observations / durationS}
 * @param rttSamples round trips measured within the window
 * @param rttP50Ms median round trip, send to first acknowledgement
 * @param rttP99Ms 99th percentile round trip
 * @param rttMaxMs longest round trip
 * @param transitionsReachingReplay growth of the replay's {@code transitions_received} over the
 *     window; null when the learner did not answer both queries
 * @param transitionsPerS {@code transitionsReachingReplay / durationS}, null when unknown
 * @param dropped {@code droppedObservations + rejectedActions + rejectedBatches}
 * @param droppedObservations observations the trainers dropped from full windows
 * @param rejectedActions actions the trainers rejected
 * @param rejectedBatches transition batches the replay rejected within the window (0 when unknown)
 * @param staleActions actions of an earlier episode (a late answer to a resend; not a loss)
 * @param resends observations resent after the ack timeout
 * @param episodes episode summaries sent
 * @param unanswered observations still unacknowledged when the window closed
 */
public record LoadReport(
    int trainers,
    long registered,
    double intervalS,
    double durationS,
    long observations,
    double observationsPerS,
    long rttSamples,
    double rttP50Ms,
    double rttP99Ms,
    double rttMaxMs,
    Long transitionsReachingReplay,
    Double transitionsPerS,
    long dropped,
    long droppedObservations,
    long rejectedActions,
    long rejectedBatches,
    long staleActions,
    long resends,
    long episodes,
    long unanswered)
    implements LocalCommand {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  /** The report as a JSON object with snake_case keys. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads what {@link #toJson()} wrote. */
  public static LoadReport fromJson(String json) {
    try {
      return JSON.readValue(json, LoadReport.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line for people: rates, round trips and losses. */
  public String summaryLine() {
    return String.format(
        java.util.Locale.ROOT,
        "%d trainers (%d registered), %.1f obs/s, rtt p50 %.2f ms p99 %.2f ms max %.2f ms,"
            + " transitions/s %s, dropped %d, unanswered %d",
        trainers,
        registered,
        observationsPerS,
        rttP50Ms,
        rttP99Ms,
        rttMaxMs,
        transitionsPerS == null
            ? "?"
            : String.format(java.util.Locale.ROOT, "%.1f", transitionsPerS),
        dropped,
        unanswered);
  }
}
