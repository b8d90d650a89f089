package io.jitsparse.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.jitsparse.agent.learner.LearnerSettings;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Settings of an agent-node, read once at start from the flat section {@code jitsparse.agent-node}
 * (defaults and one comment per key in the module's {@code reference.conf}; the CLI turns every key
 * into a flag). Invalid values fail at start with a message naming the key.
 *
 * @param runId run id reported to trainers; empty means {@link #mintRunId()} at start
 * @param nStep n of the n-step return (Ape-X, Horgan et al. 2018, uses 3)
 * @param gamma discount factor of the n-step return
 * @param handcraftedSchedule the version-0 policy: reference (the trainer's reference schedule)
 * @param transitionBatchSize transitions per TransitionBatch
 * @param maxTransitionDelay longest a transition waits for its batch to fill before it is sent
 * @param maxUnackedBatches batches an explorer keeps in flight
 * @param maxPendingTransitions transitions an explorer holds unsent (oldest dropped beyond)
 * @param maxPendingSummaries episode summaries an explorer holds unacknowledged (oldest dropped)
 * @param ackTimeout resend interval of unacknowledged batches and summaries
 * @param drainTimeout longest an explorer whose trainer left keeps delivering what it holds
 * @param policyResubscribeInterval interval of an explorer's policy subscription renewal
 * @param replayCapacity transitions the replay keeps
 * @param maxBatchTransitions largest batch the replay accepts
 * @param policyChunkSize payload bytes per PolicySnapshotChunk
 * @param maxPolicyBytes largest snapshot an explorer reassembles
 * @param learnerRole cluster role hosting the learner singleton
 * @param learning the Q-learner, replay and exploration settings
 */
public record AgentSettings(
    String runId,
    int nStep,
    double gamma,
    String handcraftedSchedule,
    int transitionBatchSize,
    Duration maxTransitionDelay,
    int maxUnackedBatches,
    int maxPendingTransitions,
    int maxPendingSummaries,
    Duration ackTimeout,
    Duration drainTimeout,
    Duration policyResubscribeInterval,
    int replayCapacity,
    int maxBatchTransitions,
    int policyChunkSize,
    long maxPolicyBytes,
    String learnerRole,
    LearnerSettings learning) {

  /** Path of the section this record reads. */
  public static final String PATH = "jitsparse.agent-node";

  /** Accepted values of {@code handcrafted-schedule}. */
  public static final List<String> SCHEDULES = List.of("reference");

  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Checks every value; the message of a failure names the key. */
  public AgentSettings {
    positive("n-step", nStep);
    if (!(gamma >= 0 && gamma <= 1)) {
      throw bad("gamma", gamma + " is outside [0, 1]");
    }
    if (!SCHEDULES.contains(handcraftedSchedule)) {
      throw bad(
          "handcrafted-schedule",
          "'" + handcraftedSchedule + "' is not one of " + String.join(", ", SCHEDULES));
    }
    positive("transition-batch-size", transitionBatchSize);
    positive("max-unacked-batches", maxUnackedBatches);
    positive("max-pending-transitions", maxPendingTransitions);
    positive("max-pending-summaries", maxPendingSummaries);
    positive("ack-timeout", ackTimeout);
    positive("drain-timeout", drainTimeout);
    positive("max-transition-delay", maxTransitionDelay);
    positive("policy-resubscribe-interval", policyResubscribeInterval);
    positive("replay-capacity", replayCapacity);
    positive("max-batch-transitions", maxBatchTransitions);
    if (transitionBatchSize > maxBatchTransitions) {
      throw bad(
          "transition-batch-size",
          transitionBatchSize
              + " exceeds "
              + PATH
              + ".max-batch-transitions "
              + maxBatchTransitions
              + ": every batch would be rejected");
    }
    positive("policy-chunk-size", policyChunkSize);
    if (maxPolicyBytes <= 0) {
      throw bad("max-policy-bytes", maxPolicyBytes + " must be positive");
    }
    if (learnerRole == null || learnerRole.isBlank()) {
      throw bad("learner-role", "must not be empty");
    }
  }

  /** Reads {@code jitsparse.agent-node} from {@code config} (which includes reference.conf). */
  public static AgentSettings create(Config config) {
    Config c = config.getConfig(PATH);
    try {
      return new AgentSettings(
          c.getString("run-id").trim(),
          c.getInt("n-step"),
          c.getDouble("gamma"),
          c.getString("handcrafted-schedule").trim().toLowerCase(Locale.ROOT),
          c.getInt("transition-batch-size"),
          c.getDuration("max-transition-delay"),
          c.getInt("max-unacked-batches"),
          c.getInt("max-pending-transitions"),
          c.getInt("max-pending-summaries"),
          c.getDuration("ack-timeout"),
          c.getDuration("drain-timeout"),
          c.getDuration("policy-resubscribe-interval"),
          c.getInt("replay-capacity"),
          c.getInt("max-batch-transitions"),
          bytesAsInt(c, "policy-chunk-size"),
          c.getBytes("max-policy-bytes"),
          c.getString("learner-role").trim(),
          LearnerSettings.read(c));
    } catch (ConfigException e) {
      // Typesafe names the key relative to the section; re-state it with the full path. Every
      // ConfigException, not just WrongType and BadValue: a key set to null escaped as
      // ConfigException.Null (found by AgentSettingsFuzzTest).
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }

  /** The configured run id, or a freshly minted one when it is empty. */
  public String runIdOrMint() {
    return runId.isEmpty() ? mintRunId() : runId;
  }

  /** A new run id {@code run-<yyyyMMdd-HHmmss>-<4 hex>}: sortable by start time, unique enough. */
  public static String mintRunId() {
    byte[] b = new byte[2];
    RANDOM.nextBytes(b);
    return "run-" + LocalDateTime.now().format(RUN_ID_TIME) + "-" + HexFormat.of().formatHex(b);
  }

  private static int bytesAsInt(Config c, String key) {
    long v = c.getBytes(key);
    if (v > Integer.MAX_VALUE) {
      throw bad(key, v + " bytes does not fit a chunk (at most " + Integer.MAX_VALUE + ")");
    }
    return (int) v;
  }

  private static void positive(String key, long v) {
    if (v <= 0) {
      throw bad(key, v + " must be positive");
    }
  }

  private static void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw bad(key, d + " must be positive");
    }
  }

  private static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException(PATH + "." + key + ": " + why);
  }
}
