package io.jitsparse.agent;

import com.google.protobuf.Message;
import io.jitsparse.agent.learner.LearnerGateway;
import io.jitsparse.agent.registry.TrainerRegistry;
import io.jitsparse.protocol.LocalCommand;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The guardian of an agent-node's actors: starts the learner singleton (its manager runs on every
 * node of the learner role, the singleton on the oldest) and the node's {@link TrainerRegistry}.
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
   * @param runId the run id trainers are told (see {@link AgentSettings#runIdOrMint()})
   */
  public static Behavior<Command> create(AgentSettings s, String runId, MeterRegistry meters) {
    return Behaviors.setup(
        ctx -> {
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
