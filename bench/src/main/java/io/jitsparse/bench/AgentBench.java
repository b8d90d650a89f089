package io.jitsparse.bench;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.learner.LearnerSettings;
import io.jitsparse.agent.learner.QLearner;
import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.agent.replay.CompactReplay;
import io.jitsparse.agent.replay.JournalBuffer;
import io.jitsparse.agent.replay.JournalReader;
import io.jitsparse.agent.replay.JournalWriter;
import io.jitsparse.agent.replay.PrioritizedSlots;
import io.jitsparse.agent.replay.SampledBatch;
import io.jitsparse.agent.replay.SamplesPerInsertLimit;
import io.jitsparse.env.loadgen.ModelShapes;
import io.jitsparse.env.loadgen.SyntheticObservations;
import io.jitsparse.protocol.v1.Observation;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run agent}: how much experience the Ape-X agent can take and learn from, against how
 * much real trainers produce, all measured in one run.
 *
 * <ol>
 *   <li><b>Replay</b> in this JVM: a {@link CompactReplay} of {@code --replay-capacity} (10^6)
 *       lenet5-caffe transitions (4 layers, states encoded by {@link FeatureEncoder} from realistic
 *       {@link SyntheticObservations}); insert ops/s while filling it and while full (evicting),
 *       encode ops/s, sample + priority-update ops/s at the learner's batch size, and its memory
 *       ({@link CompactReplay#bytes()} and the heap in use after GC before and after filling).
 *   <li><b>Replay journal</b> in this JVM: the same fill and sample + update loop with the
 *       journal's bookkeeping ({@link JournalBuffer}), a persist ({@link JournalWriter}: append and
 *       force, into a temporary folder) every {@value #PERSIST_INSERTS} inserts or {@value
 *       #PERSIST_SECONDS} s of sampling, timed apart (the persister runs on its own thread in the
 *       agent), the disk it takes and the time to restore it ({@link JournalReader}). {@code
 *       --replay-only} runs just these two parts.
 *   <li><b>Learner</b> in this JVM: {@link QLearner} updates/s at the default settings on
 *       lenet5-caffe rows (4 per transition) and resnet18 rows (21), interleaved over rounds.
 *   <li><b>Agent under load</b>: a real {@code jitsparse agent-node} process driven by a real
 *       {@code jitsparse loadgen} process per N of {@code --trainers} (64, 512) simulated trainers
 *       at one decision per {@code --interval}; over a window the agent's own /metrics give
 *       observations/s, transitions sent by its explorers, transitions reaching replay, anything
 *       dropped or rejected, and learner updates/s.
 *   <li><b>Baseline</b>: {@code jitsparse run} with two real trainers on lenet5-caffe at the
 *       production settings, whose decisions/s (one transition each) are what the agent must keep
 *       up with; the ratios of the figures above to it say how much headroom the agent has.
 * </ol>
 */
public final class AgentBench {

  private static final String NAME = "agent";
  private static final String DEFAULT_OUT = "bench/results/" + NAME + ".json";
  private static final String DEFAULT_JAR = "cli/target/jitsparse.jar";
  private static final String MODEL = "lenet5-caffe";
  private static final String DEEP_MODEL = "resnet18";

  /** resnet18's channel multiplier (the loadgen's and env-node's default). */
  private static final double RESNET_WIDTH = 0.25;

  private static final int DEFAULT_CAPACITY = 1_000_000;
  private static final int QUICK_CAPACITY = 100_000;

  /** Episodes of synthetic observations cycled through by the inserts. */
  private static final int POOL_EPISODES = 8;

  private static final int EPISODE_DECISIONS = 20;
  private static final int DECISION_STEPS = 100;
  private static final double TARGET_DENSITY = 0.05;
  private static final int ENCODES = 200_000;
  private static final int PROGRESS_EVERY = 250_000;

  /** Inserts between two persists in the journal benchmark (a 2 s interval at 5,000/s). */
  private static final int PERSIST_INSERTS = 10_000;

  /** Seconds of sampling between two persists in the journal benchmark (the default interval). */
  private static final int PERSIST_SECONDS = 2;

  private static final int LEARNER_REPLAY = 10_000;
  private static final int LEARNER_WARMUP_UPDATES = 20;
  private static final double MAX_PRIORITY = 2.0;

  private static final int DEFAULT_SAMPLE_S = 5;
  private static final int DEFAULT_LEARNER_S = 5;
  private static final int DEFAULT_ROUNDS = 3;
  private static final int DEFAULT_WARMUP_S = 10;
  private static final int DEFAULT_WINDOW_S = 30;
  private static final int DEFAULT_BASELINE_WINDOW_S = 60;
  private static final int QUICK_SECONDS = 2;
  private static final int QUICK_WARMUP_S = 3;
  private static final int QUICK_WINDOW_S = 8;
  private static final int QUICK_BASELINE_WINDOW_S = 20;
  private static final int DEFAULT_STARTUP_S = 120;

  /** Time for all of a loadgen's trainers to register and send, and for the first transitions. */
  private static final Duration REGISTRATION = Duration.ofSeconds(60);

  private static final Duration FIRST_TRANSITION = Duration.ofSeconds(180);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration BASELINE_STOP = Duration.ofSeconds(30);
  private static final Duration CHILD_STOP = Duration.ofSeconds(15);

  /** Extra life of a loadgen beyond warm-up and window: the benchmark stops it. */
  private static final int LOADGEN_SLACK_S = 120;

  /** Kept up: transitions received at least this share of those sent, as many observations. */
  private static final double KEPT_UP_SHARE = 0.95;

  private static final String AGENT_OPTS =
      "-Xmx1g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=1g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=3g";
  private static final String LOADGEN_OPTS = AGENT_OPTS;

  /** The jitsparse launcher's options: the baseline runs as production does. */
  private static final String BASELINE_OPTS =
      "-Xmx2g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=4g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=8g"
          + " -Dorg.eclipse.deeplearning4j.helpers.disable=false";

  private static final Pattern CLUSTER_ADDRESS =
      Pattern.compile("jitsparse: cluster address pekko://[^@\\s]+@([^:\\s]+):(\\d+)");
  private static final Pattern HTTP_ADDRESS = Pattern.compile("jitsparse: http (http://[^\\s/]+)");

  private static final String OBSERVATIONS = "jitsparse_agent_observations_total";
  private static final String ACTIONS = "jitsparse_agent_actions_total";
  private static final String SENT = "jitsparse_agent_transitions_sent_total";
  private static final String ACKED = "jitsparse_agent_transitions_acked_total";
  private static final String DROPPED = "jitsparse_agent_transitions_dropped_total";
  private static final String RECEIVED = "jitsparse_agent_replay_transitions_received_total";
  private static final String REJECTED = "jitsparse_agent_replay_batches_rejected_total";
  private static final String UPDATES = "jitsparse_agent_learner_updates_total";
  private static final String REPLAY_SIZE = "jitsparse_agent_replay_size";
  private static final String STEPS = "jitsparse_trainer_steps_total";

  private static final int RATE_DIGITS = 1;
  private static final int RATIO_DIGITS = 1;
  private static final int MB_DIGITS = 1;
  private static final double NANOS = 1e9;

  private AgentBench() {}

  /** Entry point: {@code bench/run agent [flags]}. */
  public static void main(String[] args) throws Exception {
    Flags flags =
        new Flags(NAME)
            .declare(
                "quick",
                false,
                "smoke run: 100k replay, 2 s timings, N = 64 only, 8 s windows, 20 s baseline")
            .declare("replay-capacity", DEFAULT_CAPACITY, "transitions in the replay benchmark")
            .declare("replay-only", false, "only the replay and replay journal parts (no jar)")
            .declare("sample-seconds", DEFAULT_SAMPLE_S, "seconds of sample + update timing")
            .declare("learner-seconds", DEFAULT_LEARNER_S, "seconds per model per round")
            .declare("rounds", DEFAULT_ROUNDS, "learner rounds (lenet5, resnet18 interleaved)")
            .declare("trainers", "64,512", "simulated trainers driving the agent-node")
            .declare("interval", "1s", "decision interval of every simulated trainer")
            .declare("warmup", DEFAULT_WARMUP_S, "seconds after registration before a window")
            .declare("window", DEFAULT_WINDOW_S, "seconds of each loadgen window")
            .declare("baseline", true, "measure two real trainers (jitsparse run)")
            .declare("baseline-window", DEFAULT_BASELINE_WINDOW_S, "seconds of the baseline")
            .declare("jar", DEFAULT_JAR, "the jitsparse fat jar")
            .declare("java", Path.of(System.getProperty("java.home"), "bin", "java"), "java")
            .declare("agent-opts", AGENT_OPTS, "JVM options of the agent-node")
            .declare("loadgen-opts", LOADGEN_OPTS, "JVM options of each loadgen")
            .declare("baseline-opts", BASELINE_OPTS, "JVM options of the baseline run")
            .declare("startup-timeout", DEFAULT_STARTUP_S, "seconds to wait for a node to start")
            .declare("out", DEFAULT_OUT, "result file");
    if (!flags.parse(args)) {
      return;
    }
    new Run(flags).execute();
  }

  /** One transition as the replay stores it. */
  private record Encoded(float[] state, float[] next, int[] moves, float reward, float discount) {}

  /** One benchmark run. */
  private static final class Run {
    private final Flags flags;
    private final boolean quick;
    private final LearnerSettings defaults;
    private final int nStep;
    private final double gamma;
    private final Progress progress = new Progress(NAME);
    private final List<NodeChild> children = new ArrayList<>();
    private final Path work;
    private final double planned;

    Run(Flags flags) throws IOException {
      this.flags = flags;
      this.quick = flags.bool("quick");
      var agent = ConfigFactory.load().getConfig("jitsparse.agent-node");
      this.defaults = LearnerSettings.read(agent);
      this.nStep = agent.getInt("n-step");
      this.gamma = agent.getDouble("gamma");
      this.work = Files.createTempDirectory("jitsparse-agent-bench");
      this.planned = plannedSeconds();
    }

    private int capacity() {
      return quick ? QUICK_CAPACITY : flags.integer("replay-capacity", 1);
    }

    private int seconds(String flag) {
      return quick ? QUICK_SECONDS : flags.integer(flag, 1);
    }

    private int rounds() {
      return quick ? 1 : flags.integer("rounds", 1);
    }

    private int warmup() {
      return quick ? QUICK_WARMUP_S : flags.integer("warmup", 0);
    }

    private int window() {
      return quick ? QUICK_WINDOW_S : flags.integer("window", 1);
    }

    private int baselineWindow() {
      return quick ? QUICK_BASELINE_WINDOW_S : flags.integer("baseline-window", 1);
    }

    private List<Integer> trainers() {
      List<Integer> all = flags.list("trainers").stream().map(Integer::parseInt).toList();
      return quick ? all.subList(0, 1) : all;
    }

    /** A rough plan of the run's length, for the progress lines' ETA. */
    private double plannedSeconds() {
      double replay = capacity() / 1e6 * 20 + seconds("sample-seconds");
      double learner = 2.0 * rounds() * seconds("learner-seconds") + 10;
      double agent = 20 + trainers().size() * (20.0 + warmup() + window());
      double baseline = flags.bool("baseline") ? 60 + baselineWindow() : 0;
      return replay + learner + agent + baseline;
    }

    private void line(String message) {
      progress.line(Math.max(0, planned - progress.elapsedSeconds()), message);
    }

    void execute() throws Exception {
      Path jar = Path.of(flags.string("jar"));
      boolean replayOnly = flags.bool("replay-only");
      if (!replayOnly && !Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar + " is missing: build it with `mvn -pl cli -am package -DskipTests`");
      }
      Map<String, Object> machine = Machine.describe();
      machine.put("load_average_at_start", Machine.loadAverage());
      machine.put(
          "max_heap_mb",
          Stats.round(
              ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax()
                  / MemorySnapshot.BYTES_PER_MB,
              MB_DIGITS));
      Thread hook = new Thread(this::stopChildren, "stop-children");
      Runtime.getRuntime().addShutdownHook(hook);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("benchmark", NAME);
      result.put("machine", machine);
      result.put("settings", settings());
      try {
        Map<String, Object> replay = replay();
        result.put("replay", replay);
        result.put("journal", journal());
        if (replayOnly) {
          Path out = Path.of(flags.string("out"));
          ResultFile.write(out, result);
          line("wrote " + out);
          return;
        }
        Map<String, Object> learner = learner();
        result.put("learner", learner);
        List<Map<String, Object>> load = agentUnderLoad();
        result.put("agent_under_load", load);
        Map<String, Object> baseline = flags.bool("baseline") ? baseline() : null;
        result.put("baseline", baseline);
        result.put("ratios", ratios(replay, learner, load, baseline));
      } finally {
        stopChildren();
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      machine.put("load_average_at_end", Machine.loadAverage());
      printTable(result);
      Path out = Path.of(flags.string("out"));
      ResultFile.write(out, result);
      line("wrote " + out);
    }

    // ---------------------------------------------------------------- replay

    /** Encoded transitions of {@code model} from synthetic episodes (n-step next state: +3). */
    private List<Encoded> pool(String model, double width) {
      var tensors = ModelShapes.of(model, width);
      List<Encoded> pool = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(1);
      int n = nStep;
      for (int e = 0; e < POOL_EPISODES; e++) {
        SyntheticObservations synthetic =
            new SyntheticObservations(
                "bench-" + e,
                "bench",
                model,
                tensors,
                e,
                EPISODE_DECISIONS,
                DECISION_STEPS,
                TARGET_DENSITY);
        for (int d = 0; d + 1 < EPISODE_DECISIONS; d++) {
          int to = Math.min(d + n, EPISODE_DECISIONS - 1);
          Observation now = synthetic.observation(e, d, 0);
          Observation next = synthetic.observation(e, to, 0);
          int[] moves = new int[tensors.size()];
          for (int l = 0; l < moves.length; l++) {
            moves[l] = random.nextInt(MoveSet.size());
          }
          boolean done = to == EPISODE_DECISIONS - 1;
          pool.add(
              new Encoded(
                  FeatureEncoder.encode(now),
                  FeatureEncoder.encode(next),
                  moves,
                  (float) next.getReward(),
                  done ? 0f : (float) Math.pow(gamma, n)));
        }
      }
      return pool;
    }

    private Map<String, Object> replay() {
      int capacity = capacity();
      List<Encoded> pool = pool(MODEL, RESNET_WIDTH);
      int layers = pool.get(0).moves().length;
      int batch = defaults.batchSize();
      line(
          String.format(
              Locale.ROOT,
              "replay: filling %,d %s transitions (%d layers, %d floats each)",
              capacity,
              MODEL,
              layers,
              CompactReplay.payloadFloats(layers)));
      MemorySnapshot before = MemorySnapshot.take();
      CompactReplay replay =
          new CompactReplay(
              capacity,
              Math.multiplyExact(capacity, CompactReplay.payloadFloats(layers)),
              defaults.priorityAlpha(),
              defaults.priorityEpsilon());
      SplittableRandom priorities = new SplittableRandom(2);
      long t0 = System.nanoTime();
      for (int i = 0; i < capacity; i++) {
        insert(replay, pool.get(i % pool.size()), priorities);
        if ((i + 1) % PROGRESS_EVERY == 0) {
          line(
              String.format(
                  Locale.ROOT,
                  "replay: %,d inserted, %,.0f inserts/s",
                  i + 1,
                  (i + 1) / ((System.nanoTime() - t0) / NANOS)));
        }
      }
      double fillSeconds = (System.nanoTime() - t0) / NANOS;
      MemorySnapshot after = MemorySnapshot.take();
      // full: every insert now evicts the oldest
      int evicting = capacity / 4;
      long t1 = System.nanoTime();
      for (int i = 0; i < evicting; i++) {
        insert(replay, pool.get(i % pool.size()), priorities);
      }
      double evictSeconds = (System.nanoTime() - t1) / NANOS;
      // the replay actor encodes a transition's two observations before inserting it
      List<Observation> observations = observations(MODEL, RESNET_WIDTH);
      long t2 = System.nanoTime();
      long sink = 0;
      for (int i = 0; i < ENCODES; i++) {
        sink += FeatureEncoder.encode(observations.get(i % observations.size())).length;
      }
      double encodeSeconds = (System.nanoTime() - t2) / NANOS;
      // the learner's loop on the replay: sample a batch, send back new priorities
      Random random = new Random(3);
      int sampleSeconds = seconds("sample-seconds");
      line(
          String.format(
              Locale.ROOT, "replay: sampling batches of %d for %d s", batch, sampleSeconds));
      long deadline = System.nanoTime() + (long) (sampleSeconds * NANOS);
      long batches = 0;
      long t3 = System.nanoTime();
      while (System.nanoTime() < deadline) {
        SampledBatch b = replay.sample(batch, PrioritizedSlots.beta(0.4, batches, 20_000), random);
        double[] p = new double[batch];
        for (int i = 0; i < batch; i++) {
          p[i] = priorities.nextDouble() * MAX_PRIORITY;
        }
        replay.updatePriorities(b.slots(), b.ids(), p);
        sink += b.rows();
        batches++;
      }
      double sampleSecondsTaken = (System.nanoTime() - t3) / NANOS;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("model", MODEL);
      r.put("layers", layers);
      r.put("capacity", capacity);
      r.put("payload_floats", CompactReplay.payloadFloats(layers));
      r.put("size", replay.size());
      r.put("insert_ops_per_s", Stats.round(capacity / fillSeconds, 0));
      r.put("fill_s", Stats.round(fillSeconds, 2));
      r.put("insert_evicting_ops_per_s", Stats.round(evicting / evictSeconds, 0));
      r.put("encode_ops_per_s", Stats.round(ENCODES / encodeSeconds, 0));
      // what the replay actor does per transition: two encodes and one insert
      r.put(
          "encode_and_insert_ops_per_s",
          Stats.round(1 / (2 * encodeSeconds / ENCODES + fillSeconds / capacity), 0));
      r.put("batch", batch);
      r.put("sample_update_ops_per_s", Stats.round(batches / sampleSecondsTaken, RATE_DIGITS));
      r.put("sampled_transitions_per_s", Stats.round(batches * batch / sampleSecondsTaken, 0));
      r.put("bytes", replay.bytes());
      r.put("bytes_mb", Stats.round(replay.bytes() / MemorySnapshot.BYTES_PER_MB, MB_DIGITS));
      r.put("heap_before_mb", Stats.round(before.heapMb(), MB_DIGITS));
      r.put("heap_after_mb", Stats.round(after.heapMb(), MB_DIGITS));
      r.put("heap_growth_mb", Stats.round(after.heapMb() - before.heapMb(), MB_DIGITS));
      r.put("bytes_per_transition", Stats.round(replay.bytes() / (double) capacity, RATE_DIGITS));
      // printed so the timed loops' results are used and cannot be optimised away
      r.put("checksum", sink);
      line(
          String.format(
              Locale.ROOT,
              "replay: %,.0f inserts/s filling, %,.0f evicting, %,.1f sample+update/s (batch %d),"
                  + " %.1f MB (heap +%.1f MB)",
              capacity / fillSeconds,
              evicting / evictSeconds,
              batches / sampleSecondsTaken,
              batch,
              replay.bytes() / MemorySnapshot.BYTES_PER_MB,
              after.heapMb() - before.heapMb()));
      return r;
    }

    /** The replay's journal: its bookkeeping on the replay's thread, its writes, its restore. */
    private Map<String, Object> journal() throws IOException {
      int capacity = capacity();
      List<Encoded> pool = pool(MODEL, RESNET_WIDTH);
      int layers = pool.get(0).moves().length;
      int batch = defaults.batchSize();
      int arena = Math.multiplyExact(capacity, CompactReplay.payloadFloats(layers));
      Path dir = work.resolve("replay");
      line(String.format(Locale.ROOT, "journal: filling %,d transitions into %s", capacity, dir));
      CompactReplay replay =
          new CompactReplay(capacity, arena, defaults.priorityAlpha(), defaults.priorityEpsilon());
      JournalBuffer buffer = new JournalBuffer(capacity);
      SamplesPerInsertLimit limit =
          new SamplesPerInsertLimit(defaults.samplesPerInsert(), defaults.minReplaySize(), batch);
      SplittableRandom priorities = new SplittableRandom(2);
      long writeNanos = 0;
      long written = 0;
      long persists = 0;
      long t0 = System.nanoTime();
      try (JournalWriter writer = new JournalWriter(dir, defaults.journal().segmentBytes())) {
        for (int i = 0; i < capacity; i++) {
          Encoded t = pool.get(i % pool.size());
          double p = priorities.nextDouble() * MAX_PRIORITY;
          long id = replay.insert(t.state(), t.next(), t.moves(), t.reward(), t.discount(), p);
          buffer.inserted(replay, id, p, System.nanoTime());
          limit.inserted(1);
          if ((i + 1) % PERSIST_INSERTS == 0 || i + 1 == capacity) {
            long w0 = System.nanoTime();
            JournalBuffer.Flush f = buffer.drain(replay, limit).orElseThrow();
            written += f.transitions().remaining() + f.priorities().remaining();
            writer.append(f);
            writeNanos += System.nanoTime() - w0;
            persists++;
          }
        }
        double fillSeconds = (System.nanoTime() - t0 - writeNanos) / NANOS;
        double fillWriteSeconds = writeNanos / NANOS;
        long fillWritten = written;
        // the learner's loop with the journal's bookkeeping, a persist every PERSIST_SECONDS
        Random random = new Random(3);
        int sampleSeconds = seconds("sample-seconds");
        line(
            String.format(
                Locale.ROOT, "journal: sampling batches of %d for %d s", batch, sampleSeconds));
        long deadline = System.nanoTime() + (long) (sampleSeconds * NANOS);
        long nextPersist = System.nanoTime() + (long) (PERSIST_SECONDS * NANOS);
        long batches = 0;
        long sampleWriteNanos = 0;
        long deltaBytes = 0;
        long t3 = System.nanoTime();
        while (System.nanoTime() < deadline) {
          SampledBatch b =
              replay.sample(batch, PrioritizedSlots.beta(0.4, batches, 20_000), random);
          double[] p = new double[batch];
          for (int i = 0; i < batch; i++) {
            p[i] = priorities.nextDouble() * MAX_PRIORITY;
          }
          replay.updatePriorities(b.slots(), b.ids(), p);
          buffer.updated(replay, b.slots(), b.ids(), p, System.nanoTime());
          limit.sampled(batch);
          batches++;
          if (System.nanoTime() >= nextPersist) {
            long w0 = System.nanoTime();
            JournalBuffer.Flush f = buffer.drain(replay, limit).orElseThrow();
            deltaBytes += f.priorities().remaining();
            writer.append(f);
            sampleWriteNanos += System.nanoTime() - w0;
            nextPersist = System.nanoTime() + (long) (PERSIST_SECONDS * NANOS);
          }
        }
        double sampleTaken = (System.nanoTime() - t3 - sampleWriteNanos) / NANOS;
        long disk = writer.bytesOnDisk();
        writer.close();
        line("journal: restoring " + dir);
        long t4 = System.nanoTime();
        CompactReplay restored =
            new CompactReplay(
                capacity, arena, defaults.priorityAlpha(), defaults.priorityEpsilon());
        JournalReader.Restored r =
            JournalReader.restore(dir, restored, new JournalBuffer(capacity));
        double restoreSeconds = (System.nanoTime() - t4) / NANOS;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("capacity", capacity);
        m.put("persists_while_filling", persists);
        m.put("journaled_insert_ops_per_s", Stats.round(capacity / fillSeconds, 0));
        m.put("fill_write_s", Stats.round(fillWriteSeconds, 2));
        m.put(
            "fill_write_mb_per_s",
            Stats.round(fillWritten / MemorySnapshot.BYTES_PER_MB / fillWriteSeconds, MB_DIGITS));
        m.put("journaled_sample_update_ops_per_s", Stats.round(batches / sampleTaken, RATE_DIGITS));
        m.put("sample_write_s", Stats.round(sampleWriteNanos / NANOS, 3));
        m.put("priority_bytes_written", deltaBytes);
        m.put("disk_mb", Stats.round(disk / MemorySnapshot.BYTES_PER_MB, MB_DIGITS));
        m.put("replay_mb", Stats.round(replay.bytes() / MemorySnapshot.BYTES_PER_MB, MB_DIGITS));
        m.put("restored", r.transitions());
        m.put("restore_s", Stats.round(restoreSeconds, 2));
        m.put("restore_warnings", r.warnings());
        line(
            String.format(
                Locale.ROOT,
                "journal: %,.0f inserts/s filling with the journal's bookkeeping, writes %.2f s"
                    + " (%.0f MB/s forced); %,.1f sample+update/s with it, writes %.3f s;"
                    + " %.1f MB on disk for %.1f MB of replay; restored %,d in %.2f s",
                capacity / fillSeconds,
                fillWriteSeconds,
                fillWritten / MemorySnapshot.BYTES_PER_MB / fillWriteSeconds,
                batches / sampleTaken,
                sampleWriteNanos / NANOS,
                disk / MemorySnapshot.BYTES_PER_MB,
                replay.bytes() / MemorySnapshot.BYTES_PER_MB,
                r.transitions(),
                restoreSeconds));
        return m;
      } finally {
        deleteTree(dir);
      }
    }

    /** Deletes the journal folder the benchmark wrote (hundreds of MB at full size). */
    private static void deleteTree(Path dir) throws IOException {
      if (!Files.exists(dir)) {
        return;
      }
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }

    private static void insert(CompactReplay replay, Encoded t, SplittableRandom priorities) {
      replay.insert(
          t.state(),
          t.next(),
          t.moves(),
          t.reward(),
          t.discount(),
          priorities.nextDouble() * MAX_PRIORITY);
    }

    private static List<Observation> observations(String model, double width) {
      var tensors = ModelShapes.of(model, width);
      SyntheticObservations synthetic =
          new SyntheticObservations(
              "bench",
              "bench",
              model,
              tensors,
              1,
              EPISODE_DECISIONS,
              DECISION_STEPS,
              TARGET_DENSITY);
      List<Observation> out = new ArrayList<>();
      for (int d = 0; d < EPISODE_DECISIONS; d++) {
        out.add(synthetic.observation(0, d, 0));
      }
      return out;
    }

    // ---------------------------------------------------------------- learner

    private Map<String, Object> learner() {
      QLearner.Config config = defaults.qLearner();
      int batch = defaults.batchSize();
      List<String> models = List.of(MODEL, DEEP_MODEL);
      Map<String, CompactReplay> replays = new LinkedHashMap<>();
      Map<String, QLearner> learners = new LinkedHashMap<>();
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      Map<String, Integer> rows = new LinkedHashMap<>();
      Random random = new Random(4);
      SplittableRandom priorities = new SplittableRandom(5);
      try {
        for (String m : models) {
          List<Encoded> pool = pool(m, RESNET_WIDTH);
          int payload = CompactReplay.payloadFloats(pool.get(0).moves().length);
          CompactReplay r =
              new CompactReplay(
                  LEARNER_REPLAY,
                  LEARNER_REPLAY * payload,
                  defaults.priorityAlpha(),
                  defaults.priorityEpsilon());
          for (int i = 0; i < LEARNER_REPLAY; i++) {
            insert(r, pool.get(i % pool.size()), priorities);
          }
          replays.put(m, r);
          rows.put(m, pool.get(0).moves().length);
          QLearner l = new QLearner(config);
          learners.put(m, l);
          for (int i = 0; i < LEARNER_WARMUP_UPDATES; i++) {
            step(r, l, batch, random);
          }
          rates.put(m, new ArrayList<>());
        }
        int perModel = seconds("learner-seconds");
        for (int round = 0; round < rounds(); round++) {
          for (String m : models) {
            long deadline = System.nanoTime() + (long) (perModel * NANOS);
            long updateNanos = 0;
            long updates = 0;
            while (System.nanoTime() < deadline) {
              updateNanos += step(replays.get(m), learners.get(m), batch, random);
              updates++;
            }
            double rate = updates / (updateNanos / NANOS);
            rates.get(m).add(rate);
            line(
                String.format(
                    Locale.ROOT,
                    "learner round %d/%d: %s (%d rows per transition) %.1f updates/s at batch %d",
                    round + 1,
                    rounds(),
                    m,
                    rows.get(m),
                    rate,
                    batch));
          }
        }
      } finally {
        learners.values().forEach(QLearner::close);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("batch", batch);
      out.put("hidden_sizes", defaults.hidden());
      List<Map<String, Object>> perModel = new ArrayList<>();
      for (String m : models) {
        double median = Stats.median(rates.get(m));
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("model", m);
        e.put("rows_per_transition", rows.get(m));
        e.put("updates_per_s", Stats.round(median, RATE_DIGITS));
        e.put("samples_per_s", Stats.round(median * batch, 0));
        e.put("rounds", rates.get(m).stream().map(v -> Stats.round(v, RATE_DIGITS)).toList());
        perModel.add(e);
      }
      out.put("models", perModel);
      return out;
    }

    /** One sampled update; returns the nanoseconds of the update alone. */
    private static long step(CompactReplay r, QLearner l, int batch, Random random) {
      SampledBatch b = r.sample(batch, PrioritizedSlots.beta(0.4, l.updates(), 20_000), random);
      long t0 = System.nanoTime();
      QLearner.Update u = l.update(b);
      long t = System.nanoTime() - t0;
      r.updatePriorities(b.slots(), b.ids(), u.priorities());
      return t;
    }

    // ---------------------------------------------------------------- agent under load

    private List<String> java(String opts) {
      return NodeChild.jarCommand(flags.string("java"), opts, flags.string("jar"));
    }

    private NodeChild child(List<String> cmd, String prefix) throws IOException {
      line("starting " + String.join(" ", cmd));
      NodeChild c = NodeChild.start(cmd, prefix, NodeChild.NODE_LINES);
      children.add(c);
      return c;
    }

    private Duration startup() {
      return Duration.ofSeconds(flags.integer("startup-timeout", 1));
    }

    private List<Map<String, Object>> agentUnderLoad() throws Exception {
      List<String> cmd = java(flags.string("agent-opts"));
      cmd.addAll(
          List.of(
              "agent-node",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--http-port",
              "0",
              "--run-id",
              "agent-bench"));
      NodeChild agent = child(cmd, "[agent] ");
      Matcher address = agent.await(CLUSTER_ADDRESS, startup());
      String seed = address.group(1) + ":" + address.group(2);
      String http = agent.await(HTTP_ADDRESS, startup()).group(1);
      List<Map<String, Object>> rows = new ArrayList<>();
      try {
        for (int n : trainers()) {
          rows.add(load(agent, seed, http, n));
        }
      } finally {
        agent.stop(CHILD_STOP);
      }
      return rows;
    }

    private Map<String, Object> load(NodeChild agent, String seed, String http, int n)
        throws Exception {
      String name = "agentbench-" + n;
      String prefix = name + "-";
      List<String> cmd = java(flags.string("loadgen-opts"));
      cmd.addAll(
          List.of(
              "loadgen",
              "--seed-node",
              seed,
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--trainers",
              Integer.toString(n),
              "--interval",
              flags.string("interval"),
              "--warmup",
              "0s",
              "--duration",
              (warmup() + window() + LOADGEN_SLACK_S) + "s",
              "--node-name",
              name));
      double updatesBefore = PrometheusText.scrape(http).sum(UPDATES);
      NodeChild loadgen = child(cmd, "[loadgen " + n + "] ");
      try {
        // every trainer registered and observing (the explorers' series of this loadgen)
        long deadline = System.nanoTime() + REGISTRATION.toNanos();
        while (PrometheusText.scrape(http).count(OBSERVATIONS, prefix) < n) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "not all " + n + " simulated trainers reached the agent within " + REGISTRATION);
          }
          loadgen.expectAliveFor(POLL);
        }
        // and the learner learning from their transitions (a fresh agent first fills its replay
        // to min-replay-size), so the window sees the steady state
        while (PrometheusText.scrape(http).sum(UPDATES) <= updatesBefore) {
          if (System.nanoTime() > deadline + FIRST_TRANSITION.toNanos()) {
            throw new IllegalStateException("the learner did not start: " + agent.tail());
          }
          loadgen.expectAliveFor(POLL);
        }
        line(
            String.format(
                Locale.ROOT,
                "N = %d: all registered, learner learning; %d s warm-up",
                n,
                warmup()));
        loadgen.expectAliveFor(Duration.ofSeconds(warmup()));
        PrometheusText a = PrometheusText.scrape(http);
        long cpuA = agent.cpuNanos();
        line(String.format(Locale.ROOT, "N = %d: measuring for %d s", n, window()));
        loadgen.expectAliveFor(Duration.ofSeconds(window()));
        PrometheusText b = PrometheusText.scrape(http);
        long cpuB = agent.cpuNanos();
        double dt = (b.nanos() - a.nanos()) / NANOS;
        double intervalS =
            ConfigFactory.parseString("i = " + flags.string("interval")).getDuration("i").toNanos()
                / NANOS;
        double observations = (b.sum(OBSERVATIONS, prefix) - a.sum(OBSERVATIONS, prefix)) / dt;
        double sent = (b.sum(SENT, prefix) - a.sum(SENT, prefix)) / dt;
        double acked = (b.sum(ACKED, prefix) - a.sum(ACKED, prefix)) / dt;
        double dropped = b.sum(DROPPED, prefix) - a.sum(DROPPED, prefix);
        double received = (b.sum(RECEIVED) - a.sum(RECEIVED)) / dt;
        double rejected = b.sum(REJECTED) - a.sum(REJECTED);
        double updates = (b.sum(UPDATES) - a.sum(UPDATES)) / dt;
        double expected = n / intervalS;
        boolean keptUp =
            dropped == 0
                && rejected == 0
                && received >= KEPT_UP_SHARE * sent
                && observations >= KEPT_UP_SHARE * expected;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("trainers", n);
        r.put("window_s", Stats.round(dt, 2));
        r.put("observations_expected_per_s", Stats.round(expected, RATE_DIGITS));
        r.put("observations_per_s", Stats.round(observations, RATE_DIGITS));
        r.put("transitions_sent_per_s", Stats.round(sent, RATE_DIGITS));
        r.put("transitions_acked_per_s", Stats.round(acked, RATE_DIGITS));
        r.put("transitions_received_per_s", Stats.round(received, RATE_DIGITS));
        r.put("transitions_dropped", dropped);
        r.put("batches_rejected", rejected);
        r.put("learner_updates_per_s", Stats.round(updates, RATE_DIGITS));
        r.put("learner_samples_per_s", Stats.round(updates * defaults.batchSize(), RATE_DIGITS));
        r.put("replay_size_at_end", b.sum(REPLAY_SIZE));
        r.put(
            "agent_cpu_cores",
            cpuA >= 0 && cpuB >= 0 ? Stats.round((cpuB - cpuA) / NANOS / dt, 2) : null);
        r.put("kept_up", keptUp);
        line(
            String.format(
                Locale.ROOT,
                "N = %d: %.1f obs/s (of %.0f), %.1f transitions/s sent, %.1f received, %.0f"
                    + " dropped, %.1f updates/s, kept up: %s",
                n,
                observations,
                expected,
                sent,
                received,
                dropped + rejected,
                updates,
                keptUp));
        return r;
      } finally {
        loadgen.stop(CHILD_STOP);
      }
    }

    // ---------------------------------------------------------------- baseline

    private Map<String, Object> baseline() throws Exception {
      List<String> cmd = java(flags.string("baseline-opts"));
      cmd.addAll(
          List.of(
              "run",
              "--trainers",
              "2",
              "--model",
              MODEL,
              "--episodes",
              "0",
              "--http-port",
              "0",
              "--run-id",
              "agent-bench-baseline",
              "--out",
              work.resolve("baseline").toString()));
      NodeChild run = child(cmd, "[baseline] ");
      try {
        String http = run.await(HTTP_ADDRESS, startup()).group(1);
        long deadline = System.nanoTime() + FIRST_TRANSITION.toNanos();
        while (PrometheusText.scrape(http).sum(RECEIVED) < 1) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "no transition reached replay within " + FIRST_TRANSITION + ":\n" + run.tail());
          }
          run.expectAliveFor(POLL);
        }
        line(
            String.format(
                Locale.ROOT,
                "baseline: 2 real %s trainers learning; measuring for %d s",
                MODEL,
                baselineWindow()));
        PrometheusText a = PrometheusText.scrape(http);
        run.expectAliveFor(Duration.ofSeconds(baselineWindow()));
        PrometheusText b = PrometheusText.scrape(http);
        double dt = (b.nanos() - a.nanos()) / NANOS;
        double decisions = (b.sum(ACTIONS) - a.sum(ACTIONS)) / dt;
        double observations = (b.sum(OBSERVATIONS) - a.sum(OBSERVATIONS)) / dt;
        double received = (b.sum(RECEIVED) - a.sum(RECEIVED)) / dt;
        double steps = (b.sum(STEPS) - a.sum(STEPS)) / dt;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("trainers", 2);
        r.put("model", MODEL);
        r.put("window_s", Stats.round(dt, 2));
        r.put("training_steps_per_s", Stats.round(steps, 2));
        r.put("observations_per_s", Stats.round(observations, 3));
        // every action starts exactly one transition: the rate transitions are produced at
        r.put("transitions_per_s", Stats.round(decisions, 3));
        r.put("transitions_received_per_s", Stats.round(received, 3));
        r.put("learner_updates_per_s", Stats.round((b.sum(UPDATES) - a.sum(UPDATES)) / dt, 2));
        line(
            String.format(
                Locale.ROOT,
                "baseline: %.1f training steps/s, %.3f decisions (transitions)/s, %.3f reaching"
                    + " replay/s",
                steps,
                decisions,
                received));
        return r;
      } finally {
        run.stop(BASELINE_STOP);
      }
    }

    // ---------------------------------------------------------------- ratios and output

    @SuppressWarnings("unchecked")
    private Map<String, Object> ratios(
        Map<String, Object> replay,
        Map<String, Object> learner,
        List<Map<String, Object>> load,
        Map<String, Object> baseline) {
      Map<String, Object> r = new LinkedHashMap<>();
      double base =
          baseline == null
              ? Double.NaN
              : ((Number) baseline.get("transitions_per_s")).doubleValue();
      r.put("baseline_transitions_per_s", base);
      for (Map<String, Object> m : (List<Map<String, Object>>) learner.get("models")) {
        double samples = ((Number) m.get("samples_per_s")).doubleValue();
        r.put(
            "learner_samples_per_s_" + m.get("model") + "_over_baseline",
            Stats.round(Stats.ratio(samples, base), RATIO_DIGITS));
      }
      r.put(
          "replay_insert_ops_per_s_over_baseline",
          Stats.round(
              Stats.ratio(((Number) replay.get("insert_ops_per_s")).doubleValue(), base),
              RATIO_DIGITS));
      r.put(
          "replay_encode_and_insert_ops_per_s_over_baseline",
          Stats.round(
              Stats.ratio(((Number) replay.get("encode_and_insert_ops_per_s")).doubleValue(), base),
              RATIO_DIGITS));
      for (Map<String, Object> row : load) {
        int n = (Integer) row.get("trainers");
        double received = ((Number) row.get("transitions_received_per_s")).doubleValue();
        double samples = ((Number) row.get("learner_samples_per_s")).doubleValue();
        r.put(
            "received_at_" + n + "_over_baseline",
            Stats.round(Stats.ratio(received, base), RATIO_DIGITS));
        r.put(
            "agent_learner_samples_at_" + n + "_over_baseline",
            Stats.round(Stats.ratio(samples, base), RATIO_DIGITS));
        r.put("kept_up_at_" + n, row.get("kept_up"));
      }
      return r;
    }

    @SuppressWarnings("unchecked")
    private static void printTable(Map<String, Object> result) {
      Map<String, Object> replay = (Map<String, Object>) result.get("replay");
      Map<String, Object> learner = (Map<String, Object>) result.get("learner");
      List<Map<String, Object>> load = (List<Map<String, Object>>) result.get("agent_under_load");
      Map<String, Object> baseline = (Map<String, Object>) result.get("baseline");
      Map<String, Object> ratios = (Map<String, Object>) result.get("ratios");
      System.out.println();
      String row = "%-58s %16s%n";
      System.out.printf(Locale.ROOT, row, "figure", "value");
      String shape =
          String.format(
              Locale.ROOT, "%,d %s transitions", replay.get("capacity"), replay.get("model"));
      print(row, "replay insert ops/s, filling (" + shape + ")", replay.get("insert_ops_per_s"));
      print(row, "replay insert ops/s, full (evicting)", replay.get("insert_evicting_ops_per_s"));
      print(
          row,
          "replay encode + insert ops/s (the replay actor's work)",
          replay.get("encode_and_insert_ops_per_s"));
      print(
          row,
          "replay sample + priority update ops/s (batch " + replay.get("batch") + ")",
          replay.get("sample_update_ops_per_s"));
      print(row, "replay bytes() MB", replay.get("bytes_mb"));
      print(row, "replay heap growth after GC, MB", replay.get("heap_growth_mb"));
      for (Map<String, Object> m : (List<Map<String, Object>>) learner.get("models")) {
        print(
            row,
            "learner updates/s, " + m.get("model") + " (" + m.get("rows_per_transition") + " rows)",
            m.get("updates_per_s"));
        print(row, "learner samples/s, " + m.get("model"), m.get("samples_per_s"));
      }
      if (baseline != null) {
        print(
            row,
            "baseline: 2 real lenet5-caffe trainers, training steps/s",
            baseline.get("training_steps_per_s"));
        print(row, "baseline: transitions/s (decisions)", baseline.get("transitions_per_s"));
        print(
            row,
            "baseline: transitions reaching replay/s",
            baseline.get("transitions_received_per_s"));
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%8s %10s %12s %12s %9s %11s %12s %8s %8s%n",
          "N",
          "obs/s",
          "sent/s",
          "received/s",
          "dropped",
          "updates/s",
          "samples/s",
          "cores",
          "kept up");
      for (Map<String, Object> r : load) {
        System.out.printf(
            Locale.ROOT,
            "%8s %10s %12s %12s %9s %11s %12s %8s %8s%n",
            r.get("trainers"),
            r.get("observations_per_s"),
            r.get("transitions_sent_per_s"),
            r.get("transitions_received_per_s"),
            ((Number) r.get("transitions_dropped")).longValue()
                + ((Number) r.get("batches_rejected")).longValue(),
            r.get("learner_updates_per_s"),
            r.get("learner_samples_per_s"),
            r.get("agent_cpu_cores"),
            r.get("kept_up"));
      }
      System.out.println();
      ratios.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-58s %16s%n", k, v));
      System.out.println();
    }

    private static void print(String format, String label, Object value) {
      System.out.printf(Locale.ROOT, format, label, value);
    }

    private Map<String, Object> settings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("quick", quick);
      s.put("replay_capacity", capacity());
      s.put("batch", defaults.batchSize());
      s.put("priority_alpha", defaults.priorityAlpha());
      s.put("sample_seconds", seconds("sample-seconds"));
      s.put("learner_seconds", seconds("learner-seconds"));
      s.put("rounds", rounds());
      s.put("trainers", trainers());
      s.put("interval", flags.string("interval"));
      s.put("warmup_s", warmup());
      s.put("window_s", window());
      s.put("baseline_window_s", baselineWindow());
      s.put("agent_opts", flags.string("agent-opts"));
      s.put("loadgen_opts", flags.string("loadgen-opts"));
      s.put("baseline_opts", flags.string("baseline-opts"));
      s.put("jar", flags.string("jar"));
      return s;
    }

    private void stopChildren() {
      for (NodeChild c : children) {
        c.stop(CHILD_STOP);
      }
    }
  }
}
