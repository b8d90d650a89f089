package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.learner.LearnerCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner survives {@code kill -9} of its agent-node: a real {@code jitsparse agent-node} JVM
 * learns from a real {@code jitsparse loadgen} process (simulated trainers on the wire protocol),
 * with small publish and checkpoint intervals so that checkpoints appear within seconds; once a
 * checkpoint exists and a policy version above 1 is published, the agent is killed with SIGKILL (no
 * shutdown checkpoint). Started again on the same {@code --out}, it must resume from the newest
 * checkpoint on disk (its log says {@code learner resumed: policy vN, M updates} with N and M at
 * least those of that file, and no checkpoint is skipped as unreadable, so the kill never left a
 * half-written one), and keep publishing newer versions (from the restored replay at once, and from
 * new transitions once a new loadgen drives it).
 *
 * <p>The replay survives the kill too: its journal ({@code <out>/replay/}) is persisted every
 * {@code --replay-persist-interval}. The loadgen is stopped before the kill and the agent killed as
 * soon as its explorers are gone, so nothing is received after the last scrape (but the newest
 * transitions may not be on disk yet: the journal's lag is not waited for). The restarted agent
 * must log {@code replay restored: N transitions} with {@code 0 < N <= received}, and report a
 * non-zero replay size before any new loadgen drives it. Every process the test starts is ended by
 * it.
 */
class AgentResumeAfterKillTest {

  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration LEARN = Duration.ofSeconds(90);
  private static final Pattern RESUMED =
      Pattern.compile("learner resumed: policy v(\\d+), (\\d+) updates");
  private static final String PUBLISHED = "jitsparse_agent_policy_published_version";
  private static final String UPDATES = "jitsparse_agent_learner_updates_total";
  private static final String RECEIVED = "jitsparse_agent_replay_transitions_received_total";
  private static final String SIZE = "jitsparse_agent_replay_size";
  private static final String EXPLORERS = "jitsparse_agent_explorers";
  private static final String JOURNAL_LAG = "jitsparse_agent_replay_journal_lag_seconds";
  private static final Pattern RESTORED =
      Pattern.compile("replay restored: (\\d+) transitions from (\\S+)");

  /** Updates between checkpoints: small, so several are written before the kill. */
  private static final int CHECKPOINT_INTERVAL = 20;

  /** Checkpoints the test waits for before it kills the agent. */
  private static final int CHECKPOINTS_BEFORE_KILL = 2;

  @TempDir Path dir;

  @Test
  void learnerResumesFromItsNewestCheckpointAfterKillMinusNine() throws Exception {
    Path out = dir.resolve("agent-out");
    Path checkpoints = out.resolve("checkpoints");
    List<NodeProcess> all = new ArrayList<>();
    try {
      NodeProcess agent = agent("agent-1", out);
      all.add(agent);
      String http = agent.httpBase(START);
      NodeProcess load = loadgen("loadgen-1", agent.clusterHostPort(START));
      all.add(load);
      NodeProcess.awaitTrue(
          () ->
              metric(http, PUBLISHED) > 1
                  && newestUpdates(checkpoints) >= CHECKPOINTS_BEFORE_KILL * CHECKPOINT_INTERVAL,
          LEARN,
          agent);

      // no more transitions once the loadgen's trainers are gone and their explorers with them
      load.close();
      NodeProcess.awaitTrue(() -> metric(http, EXPLORERS) == 0, START, agent);
      String last = NodeProcess.scrape(http);
      double received = NodeProcess.sum(last, RECEIVED);
      double sizeAtKill = NodeProcess.sum(last, SIZE);
      double lagAtKill = NodeProcess.sum(last, JOURNAL_LAG);
      agent.killHard();
      assertTrue(!agent.isAlive());
      List<String> warnings = new ArrayList<>();
      LearnerCheckpoint before = LearnerCheckpoint.latest(checkpoints, warnings).orElseThrow();
      assertEquals(List.of(), warnings, "every checkpoint on disk reads after kill -9");
      assertTrue(before.updates() >= CHECKPOINTS_BEFORE_KILL * CHECKPOINT_INTERVAL);
      assertTrue(before.policyVersion() > 1, "version " + before.policyVersion());

      NodeProcess again = agent("agent-2", out);
      all.add(again);
      Matcher restoredLine = again.await(RESTORED, START);
      long restored = Long.parseLong(restoredLine.group(1));
      assertEquals(out.resolve("replay").toString(), restoredLine.group(2));
      assertTrue(
          restored > 0 && restored <= received,
          "restored " + restored + " of " + received + " received");
      Matcher resumed = again.await(RESUMED, START);
      long version = Long.parseLong(resumed.group(1));
      long updates = Long.parseLong(resumed.group(2));
      assertTrue(
          version >= before.policyVersion(),
          "resumed at v" + version + ", newest checkpoint had v" + before.policyVersion());
      assertTrue(
          updates >= before.updates(),
          "resumed at " + updates + " updates, newest checkpoint had " + before.updates());
      assertFalse(again.tail(200).contains("skipped checkpoint"), again.tail(200));
      String http2 = again.httpBase(START);
      // it republishes its own version, and may go on at once: the restored replay feeds it
      NodeProcess.awaitTrue(() -> metric(http2, PUBLISHED) >= version, START, again);
      // the restored replay is reported before any new loadgen drives the agent
      double sizeRestored = metric(http2, SIZE);
      assertTrue(sizeRestored > 0, "replay size " + sizeRestored + " after the restart");

      all.add(loadgen("loadgen-2", again.clusterHostPort(START)));
      // learning goes on from there: new updates, and versions above the resumed one
      NodeProcess.awaitTrue(
          () -> metric(http2, UPDATES) > 0 && metric(http2, PUBLISHED) > version, LEARN, again);
      assertTrue(again.isAlive());
      System.out.printf(
          "newest checkpoint before kill -9: v%d, %d updates; resumed at v%d, %d updates;"
              + " now v%.0f%n",
          before.policyVersion(), before.updates(), version, updates, metric(http2, PUBLISHED));
      System.out.printf(
          "replay at kill -9: %.0f transitions held, %.0f received, journal lag %.1f s;"
              + " restored %d transitions; replay size after restart %.0f%n",
          sizeAtKill, received, lagAtKill, restored, sizeRestored);
    } finally {
      for (NodeProcess p : all) {
        p.close();
      }
    }
  }

  private NodeProcess agent(String name, Path out) throws IOException {
    return NodeProcess.start(
        name,
        "512m",
        dir.resolve(name + ".log"),
        List.of(),
        "agent-node",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--http-port",
        "0",
        "--run-id",
        "resume-test",
        "--out",
        out.toString(),
        "--checkpoint-interval",
        Integer.toString(CHECKPOINT_INTERVAL),
        "--publish-interval",
        "5",
        "--min-replay-size",
        "32",
        "--learner-batch-size",
        "16");
  }

  private NodeProcess loadgen(String name, String seed) throws IOException {
    return NodeProcess.start(
        name,
        "384m",
        dir.resolve(name + ".log"),
        List.of(),
        "loadgen",
        "--seed-node",
        seed,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--trainers",
        "16",
        "--interval",
        "200ms",
        "--warmup",
        "0s",
        // longer than the test: the test ends it
        "--duration",
        "300s",
        // fresh trainer ids per loadgen
        "--node-name",
        name);
  }

  /** Updates of the newest checkpoint file in {@code dir} (by name), or -1. */
  private static long newestUpdates(Path dir) {
    try {
      Path newest = LearnerCheckpoint.resolve(dir);
      Matcher m = LearnerCheckpoint.NAME.matcher(newest.getFileName().toString());
      return m.matches() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private static double metric(String http, String name) {
    try {
      return NodeProcess.metric(http, name);
    } catch (IOException | InterruptedException e) {
      return Double.NaN;
    }
  }
}
