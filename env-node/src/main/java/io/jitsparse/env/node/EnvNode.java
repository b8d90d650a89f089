package io.jitsparse.env.node;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.trainer.Trainer;
import io.jitsparse.env.trainer.TrainerData;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.LocalCommand;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The env role of a node: one {@link EpisodeJournal} (on {@code jitsparse.io-dispatcher}) and
 * {@code trainers} {@link Trainer}s (on {@code jitsparse.trainer-dispatcher}), named {@code
 * <node>-<index>}. It watches its trainers and stops itself when all of them have stopped (finished
 * their episodes, or failed), so the CLI, which watches it, knows the node's work is over. {@link
 * Shutdown} (called from a CoordinatedShutdown task) stops the trainers gracefully and answers once
 * every one of them has journaled its episode in progress.
 */
public final class EnvNode extends AbstractBehavior<EnvNode.Command> {

  /** The node's commands. */
  public sealed interface Command extends LocalCommand
      permits Shutdown, TrainerDone, JournalFlushed {}

  /**
   * Stop every trainer gracefully; {@code replyTo} gets {@link Done} when all have.
   *
   * @param replyTo told when every trainer is done
   */
  public record Shutdown(ActorRef<Done> replyTo) implements Command {}

  /** A trainer confirmed its Stop, or did not within the time allowed. */
  private record TrainerDone(ActorRef<Trainer.Command> trainer) implements Command {}

  /** The journal has written everything sent to it before the flush (or did not answer). */
  private record JournalFlushed() implements Command {}

  private final Set<ActorRef<Trainer.Command>> trainers = new HashSet<>();
  private final ActorRef<EpisodeJournal.Command> journal;
  private final Set<ActorRef<Trainer.Command>> awaitingDone = new HashSet<>();
  private final Duration stopTimeout;
  private ActorRef<Done> shutdownReply;

  /**
   * The env node, loading Fashion-MNIST once (through {@code jitsparse.baseline.data-home}) for all
   * its trainers.
   *
   * @param s trainer settings
   * @param nodeName the node's name; characters outside [A-Za-z0-9._-] are replaced by '-'
   * @param meters where trainers register their meters
   */
  public static Behavior<Command> create(TrainerSettings s, String nodeName, MeterRegistry meters) {
    BaselineSettings engine = s.engine(s.seed());
    return create(
        s,
        nodeName,
        meters,
        TrainerData.shared(Path.of(engine.dataHome()), s.testSamples(), line -> {}));
  }

  /**
   * The env node with an injected data supplier (tests share one loaded data set).
   *
   * @param s trainer settings
   * @param nodeName the node's name (sanitized)
   * @param meters where trainers register their meters
   * @param data the data set, loaded lazily by the first trainer that needs it
   */
  public static Behavior<Command> create(
      TrainerSettings s, String nodeName, MeterRegistry meters, Supplier<FashionMnist> data) {
    return Behaviors.setup(ctx -> new EnvNode(ctx, s, sanitize(nodeName), meters, data));
  }

  /**
   * {@code name} with every character outside [A-Za-z0-9._-] replaced by '-', and a leading
   * non-alphanumeric prefixed: trainer ids name files and metric series.
   */
  public static String sanitize(String name) {
    String clean = name == null ? "" : name.replaceAll("[^A-Za-z0-9._-]", "-");
    if (clean.isEmpty() || !Character.isLetterOrDigit(clean.charAt(0))) {
      clean = "n" + clean;
    }
    return clean.length() > 100 ? clean.substring(0, 100) : clean;
  }

  private EnvNode(
      ActorContext<Command> ctx,
      TrainerSettings s,
      String node,
      MeterRegistry meters,
      Supplier<FashionMnist> data) {
    super(ctx);
    this.stopTimeout = s.agentTimeout();
    // A journal whose disk fails is restarted (it reopens the file); repeated failure stops it.
    this.journal =
        ctx.spawn(
            Behaviors.supervise(EpisodeJournal.create(s.out()))
                .onFailure(
                    SupervisorStrategy.restartWithBackoff(
                            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)
                        .withMaxRestarts(10)),
            "episode-journal",
            DispatcherSelector.fromConfig(TrainerSettings.IO_DISPATCHER));
    for (int i = 0; i < s.trainers(); i++) {
      String id = node + "-" + i;
      ActorRef<Trainer.Command> t =
          ctx.spawn(
              Trainer.create(s, i, id, journal, meters, node, data),
              id,
              DispatcherSelector.fromConfig(TrainerSettings.TRAINER_DISPATCHER));
      ctx.watch(t);
      trainers.add(t);
    }
    ctx.getLog().info("env node {}: {} trainers, output {}", node, s.trainers(), s.out());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(TrainerDone.class, this::onTrainerDone)
        .onMessage(JournalFlushed.class, m -> Behaviors.stopped())
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> onShutdown(Shutdown m) {
    if (trainers.isEmpty()) {
      m.replyTo().tell(Done.getInstance());
      return Behaviors.stopped();
    }
    shutdownReply = m.replyTo();
    for (ActorRef<Trainer.Command> t : trainers) {
      awaitingDone.add(t);
      // Per-trainer asks: a Done must be matched to its trainer, and a trainer that stops on its
      // own before reading Stop never answers, so each ask is bounded by agent-timeout.
      getContext()
          .ask(
              Done.class, t, stopTimeout, Trainer.Stop::new, (done, failure) -> new TrainerDone(t));
    }
    return this;
  }

  private Behavior<Command> onTrainerDone(TrainerDone m) {
    awaitingDone.remove(m.trainer());
    return maybeDone();
  }

  private Behavior<Command> onTerminated(Terminated t) {
    trainers.remove(t.getRef());
    if (shutdownReply == null && trainers.isEmpty()) {
      getContext().getLog().info("all trainers stopped");
      // Stopping now would stop the journal with the last episodes still in its mailbox: a
      // trainer's Append was enqueued before its termination was signalled, so a Flush sent now
      // is answered after them.
      getContext()
          .ask(
              Done.class,
              journal,
              stopTimeout,
              EpisodeJournal.Flush::new,
              (done, failure) -> new JournalFlushed());
      return this;
    }
    return maybeDone();
  }

  private Behavior<Command> maybeDone() {
    // Terminated alone does not count: a stopping trainer's Done comes from the journal, after
    // its last line is on disk, which is usually later than the trainer's own termination.
    if (shutdownReply != null && awaitingDone.isEmpty()) {
      shutdownReply.tell(Done.getInstance());
      return Behaviors.stopped();
    }
    return this;
  }
}
