package io.jitsparse.agent;

import com.google.protobuf.Message;
import io.jitsparse.agent.learner.LearnerGateway;
import io.jitsparse.agent.live.LiveFeed;
import io.jitsparse.agent.registry.TrainerRegistry;
import io.jitsparse.monitoring.live.LiveBoard;
import io.jitsparse.protocol.LocalCommand;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The guardian of an agent-node's actors: starts the learner singleton (its manager runs on every
 * node of the learner role, the singleton on the oldest), the node's {@link TrainerRegistry} and,
 * when the node serves the live page, the {@link LiveFeed} that fills its board.
 */
public final class AgentNode {

  /** What the agent-node guardian handles. */
  public sealed interface Command extends LocalCommand permits GetRefs {}

  /** Asks for the node's learner proxy and registry (status pages, tests). */
  public record GetRefs(ActorRef<Refs> replyTo) implements Command {}

  /** Answer to {@link GetRefs}. */
  public record Refs(ActorRef<Message> learner, ActorRef<TrainerRegistry.Command> registry)
      implements LocalCommand {}

  private AgentNode() {}

  /**
   * An agent-node without a live page.
   *
   * @param runId the run id trainers are told (see {@link AgentSettings#runIdOrMint()})
   */
  public static Behavior<Command> create(AgentSettings s, String runId, MeterRegistry meters) {
    return create(s, runId, meters, Optional.empty());
  }

  /**
   * An agent-node whose trainers, episodes and cluster members are shown on the live page.
   *
   * @param runId the run id trainers are told (see {@link AgentSettings#runIdOrMint()})
   * @param live the board the node's HTTP server shows
   */
  public static Behavior<Command> create(
      AgentSettings s, String runId, MeterRegistry meters, LiveBoard live) {
    return create(s, runId, meters, Optional.of(live));
  }

  private static Behavior<Command> create(
      AgentSettings s, String runId, MeterRegistry meters, Optional<LiveBoard> live) {
    return Behaviors.setup(
        ctx -> {
          // Before the registry, so that the feed hears of every trainer it registers.
          live.ifPresent(board -> LiveFeed.spawn(ctx, board, "live-feed"));
          ActorRef<Message> learner = LearnerGateway.init(ctx.getSystem(), s, runId, meters);
          ActorRef<TrainerRegistry.Command> registry =
              ctx.spawn(TrainerRegistry.create(s, runId, learner, meters), "registry");
          ctx.getLog().info("agent-node ready (run id {})", runId);
          Refs refs = new Refs(learner, registry);
          return Behaviors.receive(Command.class)
              .onMessage(
                  GetRefs.class,
                  g -> {
                    g.replyTo().tell(refs);
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
