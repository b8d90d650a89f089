package io.jitsparse.agent.replay;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The {@link Replay} actor's side of its journal: records inserts and priority updates in its
 * {@link JournalBuffer}, hands what changed to the {@link ReplayPersister} at each tick (one
 * persist in flight at most; the next tick is armed when it completes), and keeps the journal's lag
 * (the age of the oldest acknowledged change not yet forced to disk) and disk use for the gauges.
 * Owned by the replay actor; only the gauges read it from another thread.
 */
final class ReplayJournal {

  private static final double NANOS = 1e9;
  private static final long NANOS_PER_MILLI = 1_000_000;

  private final JournalBuffer buffer;
  private final ActorRef<ReplayPersister.Command> persister;
  private final ActorRef<ReplayPersister.Persisted> replies;
  private final Runnable rearm;
  private final Duration interval;
  private final Path dir;
  private final Logger log;
  private long inFlightSince = -1;
  private volatile long lagSinceNanos = -1;
  private volatile long bytesOnDisk;

  /**
   * @param rearm schedules the next tick after {@code interval}
   * @param replies where the persister answers (the replay's adapter)
   */
  ReplayJournal(
      JournalBuffer buffer,
      ActorRef<ReplayPersister.Command> persister,
      ActorRef<ReplayPersister.Persisted> replies,
      Runnable rearm,
      Duration interval,
      Path dir,
      Logger log) {
    this.buffer = buffer;
    this.persister = persister;
    this.replies = replies;
    this.rearm = rearm;
    this.interval = interval;
    this.dir = dir;
    this.log = log;
  }

  /** The journal's gauges, registered in {@code meters}. */
  List<Meter> register(MeterRegistry meters) {
    return List.of(
        Gauge.builder("jitsparse.agent.replay.journal.lag", this, ReplayJournal::lagSeconds)
            .baseUnit("seconds")
            .description("age of the oldest acknowledged replay change not yet forced to disk")
            .register(meters),
        Gauge.builder("jitsparse.agent.replay.journal.disk", this, j -> (double) j.bytesOnDisk)
            .baseUnit("bytes")
            .description("bytes of the replay journal's files")
            .register(meters));
  }

  /** Transition {@code id} was just inserted into {@code store} with {@code priority}. */
  void inserted(CompactReplay store, long id, double priority) {
    buffer.inserted(store, id, priority, System.nanoTime());
    lagFrom();
  }

  /** The learner set these priorities. */
  void updated(CompactReplay store, int[] slots, long[] ids, double[] priorities) {
    buffer.updated(store, slots, ids, priorities, System.nanoTime());
    lagFrom();
  }

  /** Time to persist: what changed goes to the persister, or the next tick is armed. */
  void tick(CompactReplay store, SamplesPerInsertLimit limit) {
    Optional<JournalBuffer.Flush> f = buffer.drain(store, limit);
    if (f.isEmpty()) {
      rearm.run();
      return;
    }
    if (inFlightSince < 0) {
      // after a failed persist the writer still holds the older changes: the lag counts from them
      inFlightSince = f.get().pendingSinceNanos();
    }
    persister.tell(new ReplayPersister.Persist(f.get(), replies));
  }

  /** The persister's answer: the lag restarts from what changed since, the next tick is armed. */
  void persisted(ReplayPersister.Persisted r) {
    bytesOnDisk = r.bytesOnDisk();
    if (r.ok()) {
      inFlightSince = -1;
      lagSinceNanos = buffer.pendingSince().orElse(-1L);
    }
    if (r.writeNanos() > interval.toNanos()) {
      log.warn(
          "replay journal {}: a persist took {} ms, longer than replay-persist-interval",
          dir,
          r.writeNanos() / NANOS_PER_MILLI);
    }
    // Armed when the write is done, so a slow disk never piles persists up.
    rearm.run();
  }

  /** The lag counts from the oldest change neither on disk nor being written. */
  private void lagFrom() {
    if (lagSinceNanos < 0) {
      lagSinceNanos = inFlightSince >= 0 ? inFlightSince : buffer.pendingSince().orElse(-1L);
    }
  }

  /** Seconds since the oldest acknowledged change not yet forced to disk (0 when none). */
  double lagSeconds() {
    long since = lagSinceNanos;
    return since < 0 ? 0 : (System.nanoTime() - since) / NANOS;
  }
}
