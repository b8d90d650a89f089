package io.jitsparse.env.trainer;

import io.jitsparse.monitoring.MetricBuckets;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.Observation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one {@link Trainer}, tagged {@code trainer} and {@code model} (names and meaning in
 * docs/metrics.md). Counters are registered when the trainer starts, so rare events exist at zero
 * and are scraped before their first occurrence; the per-layer density gauges (the live schedule)
 * are registered once the first episode knows the model's layers. Gauges are removed when the
 * trainer stops: a stopped trainer has no current density.
 */
final class TrainerMeters implements AutoCloseable {
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

  private final MeterRegistry registry;
  private final Tags tags;
  private final Counter samples;
  private final Counter completed;
  private final Counter aborted;
  private final Counter prunes;
  private final Counter grows;
  private final Counter keeps;
  private final DistributionSummary episodeAccuracy;
  private final List<Meter> gauges = new ArrayList<>();

  // Written by the trainer's thread, read by scrapes.
  private volatile double loss = Double.NaN;
  private volatile double trainAccuracy = Double.NaN;
  private volatile double validationAccuracy = Double.NaN;
  private volatile double globalDensity = Double.NaN;
  private volatile double lastEpisodeAccuracy = Double.NaN;
  private volatile double lastEpisodeReturn = Double.NaN;
  private volatile double[] densities;

  TrainerMeters(MeterRegistry r, String trainer, String model, double targetDensity) {
    this.registry = r;
    this.tags = Tags.of("trainer", trainer, "model", model);
    applied =
        Counter.builder("jitsparse.trainer.actions")
            .description("actions received from the agent, by outcome")
            .tags(tags.and("outcome", "applied"))
            .register(r);
    stale =
        Counter.builder("jitsparse.trainer.actions")
            .description("actions received from the agent, by outcome")
            .tags(tags.and("outcome", "stale"))
            .register(r);
    rejected =
        Counter.builder("jitsparse.trainer.actions")
            .description("actions received from the agent, by outcome")
            .tags(tags.and("outcome", "rejected"))
            .register(r);
    superseded =
        Counter.builder("jitsparse.trainer.actions")
            .description("actions received from the agent, by outcome")
            .tags(tags.and("outcome", "superseded"))
            .register(r);
    observationsDropped =
        Counter.builder("jitsparse.trainer.observations.dropped")
            .description("observations dropped from the bounded unacknowledged window")
            .tags(tags)
            .register(r);
    summariesDropped =
        Counter.builder("jitsparse.trainer.summaries.dropped")
            .description("episode summaries dropped from the bounded outbox")
            .tags(tags)
            .register(r);
    resent =
        Counter.builder("jitsparse.trainer.observations.resent")
            .description("observations re-sent after an ack timeout")
            .tags(tags)
            .register(r);
    steps =
        Counter.builder("jitsparse.trainer.steps")
            .description("training steps")
            .tags(tags)
            .register(r);
    fallback =
        Counter.builder("jitsparse.trainer.fallback.decisions")
            .description("decisions taken by the fallback schedule while the agent was away")
            .tags(tags)
            .register(r);
    registrationsRejected =
        Counter.builder("jitsparse.trainer.registrations.rejected")
            .description("registrations the agent refused")
            .tags(tags)
            .register(r);
    latency =
        Timer.builder("jitsparse.trainer.decision.latency")
            .description("observation sent to action received")
            .tags(tags)
            .serviceLevelObjectives(MetricBuckets.LATENCY)
            .register(r);
    samples =
        Counter.builder("jitsparse.trainer.samples")
            .description("training samples processed")
            .tags(tags)
            .register(r);
    completed =
        Counter.builder("jitsparse.trainer.episodes")
            .description("episodes ended, by outcome")
            .tags(tags.and("outcome", "completed"))
            .register(r);
    aborted =
        Counter.builder("jitsparse.trainer.episodes")
            .description("episodes ended, by outcome")
            .tags(tags.and("outcome", "aborted"))
            .register(r);
    prunes =
        Counter.builder("jitsparse.trainer.layer.moves")
            .description("per-layer density changes applied, by kind")
            .tags(tags.and("kind", "prune"))
            .register(r);
    grows =
        Counter.builder("jitsparse.trainer.layer.moves")
            .description("per-layer density changes applied, by kind")
            .tags(tags.and("kind", "grow"))
            .register(r);
    keeps =
        Counter.builder("jitsparse.trainer.layer.moves")
            .description("per-layer density changes applied, by kind")
            .tags(tags.and("kind", "keep"))
            .register(r);
    // In percent: Micrometer's fixed-bucket histograms round a recorded value up to an integer,
    // which would put every accuracy in [0, 1] into the bucket le=1.
    episodeAccuracy =
        DistributionSummary.builder("jitsparse.trainer.episode.accuracy")
            .description("final test accuracy of every completed episode, in percent")
            .baseUnit("percent")
            .scale(MetricBuckets.PERCENT)
            .tags(tags)
            .serviceLevelObjectives(MetricBuckets.ACCURACY_PERCENT)
            .register(r);
    gauge("jitsparse.trainer.loss", "training loss of the last step", m -> m.loss);
    gauge(
        "jitsparse.trainer.train.accuracy", "last training batch's accuracy", m -> m.trainAccuracy);
    gauge(
        "jitsparse.trainer.validation.accuracy",
        "validation accuracy at the last decision",
        m -> m.validationAccuracy);
    gauge("jitsparse.trainer.density", "current global density", m -> m.globalDensity);
    gauge("jitsparse.trainer.target.density", "the episode's final target", m -> targetDensity);
    gauge(
        "jitsparse.trainer.last.episode.accuracy",
        "test accuracy of the last completed episode",
        m -> m.lastEpisodeAccuracy);
    gauge(
        "jitsparse.trainer.last.episode.return",
        "return of the last completed episode",
        m -> m.lastEpisodeReturn);
  }

  /** Registers one density gauge per layer, once: the model's layer count does not change. */
  void layers(int count) {
    if (densities != null) {
      return;
    }
    densities = new double[count];
    java.util.Arrays.fill(densities, Double.NaN);
    for (int i = 0; i < count; i++) {
      int layer = i;
      gauges.add(
          Gauge.builder("jitsparse.trainer.layer.density", this, m -> m.densities[layer])
              .description("current density of one layer: the live schedule")
              .tags(tags.and("layer", MetricBuckets.layerLabel(layer)))
              .strongReference(true)
              .register(registry));
    }
  }

  /** One training step of {@code batchSize} samples ended in {@code st}. */
  void stepped(io.jitsparse.env.train.StepState st, int batchSize) {
    steps.increment();
    samples.increment(batchSize);
    loss = st.loss();
    trainAccuracy = st.accuracy();
    double[] d = densities;
    if (d != null && d.length == st.densities().length) {
      System.arraycopy(st.densities(), 0, d, 0, d.length);
    }
  }

  /**
   * A decision boundary moved the densities to {@code after} and sent {@code o}: counts each
   * layer's move by kind and records the observed validation accuracy and global density.
   */
  void boundary(double[] after, Observation o) {
    double[] d = densities;
    if (d != null && d.length == after.length) {
      for (int i = 0; i < after.length; i++) {
        // NaN before the first step: the episode's starting densities are no move.
        if (after[i] < d[i]) {
          prunes.increment();
        } else if (after[i] > d[i]) {
          grows.increment();
        } else if (!Double.isNaN(d[i])) {
          keeps.increment();
        }
        d[i] = after[i];
      }
    }
    validationAccuracy = o.getValidationAccuracy();
    globalDensity = o.getGlobalDensity();
  }

  /** An episode ended with {@code summary}. */
  void episodeEnded(EpisodeSummary summary) {
    if (summary.getAborted()) {
      aborted.increment();
      return;
    }
    completed.increment();
    lastEpisodeAccuracy = summary.getTestAccuracy();
    lastEpisodeReturn = summary.getReturn();
    episodeAccuracy.record(summary.getTestAccuracy());
  }

  private void gauge(String name, String help, ToDoubleFunction<TrainerMeters> f) {
    gauges.add(
        Gauge.builder(name, this, f)
            .description(help)
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  /** Removes the gauges (a stopped trainer has no current value); counters stay. */
  @Override
  public void close() {
    gauges.forEach(registry::remove);
    gauges.clear();
  }
}
