package io.jitsparse.env.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one {@link Trainer}, tagged {@code trainer} (names in docs/cluster.md). They are
 * registered when the trainer starts, so rare-event counters exist at zero and are scraped before
 * their first event.
 */
final class TrainerMeters {
  final Counter applied;
  final Counter stale;
  final Counter rejected;
  final Counter superseded;
  final Counter observationsDropped;
  final Counter summariesDropped;
  final Counter resent;
  final Counter steps;
  final Counter fallback;
  final Counter registrationsRejected;
  final Timer latency;

  TrainerMeters(MeterRegistry r, String trainer) {
    Tags t = Tags.of("trainer", trainer);
    applied = r.counter("jitsparse.trainer.actions", t.and("outcome", "applied"));
    stale = r.counter("jitsparse.trainer.actions", t.and("outcome", "stale"));
    rejected = r.counter("jitsparse.trainer.actions", t.and("outcome", "rejected"));
    superseded = r.counter("jitsparse.trainer.actions", t.and("outcome", "superseded"));
    observationsDropped = r.counter("jitsparse.trainer.observations.dropped", t);
    summariesDropped = r.counter("jitsparse.trainer.summaries.dropped", t);
    resent = r.counter("jitsparse.trainer.observations.resent", t);
    steps = r.counter("jitsparse.trainer.steps", t);
    fallback = r.counter("jitsparse.trainer.fallback.decisions", t);
    registrationsRejected = r.counter("jitsparse.trainer.registrations.rejected", t);
    latency = r.timer("jitsparse.trainer.decision.latency", t);
  }
}
