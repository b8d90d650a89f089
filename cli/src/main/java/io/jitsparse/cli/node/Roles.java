package io.jitsparse.cli.node;

import io.jitsparse.agent.AgentNode;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.env.node.EnvNode;
import io.jitsparse.env.node.TrainerThreads;
import io.jitsparse.env.trainer.TrainerSettings;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Spawns a node's role actors under its guardian: the env role's {@link EnvNode} (with a
 * coordinated-shutdown task that lets every trainer finish its step and report its episode as
 * aborted before the node leaves) and the agent role's {@link AgentNode}.
 */
public final class Roles {

  /** Reason of a shutdown that follows the env role finishing all of its episodes. */
  public static final CoordinatedShutdown.Reason ENV_FINISHED = new EnvFinished();

  private static final class EnvFinished implements CoordinatedShutdown.Reason {
    @Override
    public String toString() {
      return "all trainers finished their episodes";
    }
  }

  /** Reason of a shutdown at the end of the learning budget. */
  public static final CoordinatedShutdown.Reason BUDGET_REACHED = new BudgetReached();

  private static final class BudgetReached implements CoordinatedShutdown.Reason {
    @Override
    public String toString() {
      return "learning budget reached";
    }
  }

  private Roles() {}

  /**
   * Stops the node once {@code budget} has passed (nothing when it is zero), and prints learning
   * progress every {@code jitsparse.node.progress-interval}.
   */
  public static void spawnBudget(
      ActorContext<Void> ctx, ClusterNode.NodeContext node, Duration budget, String label) {
    ctx.spawn(
        LearningProgress.create(
            node.meters().registry(),
            budget,
            node.config().getDuration("jitsparse.node.progress-interval"),
            System.out,
            label),
        "learning-progress");
    if (budget.isZero()) {
      return;
    }
    ctx.spawn(
        Behaviors.<String>withTimers(
            timers -> {
              timers.startSingleTimer("budget", budget);
              return Behaviors.receive(String.class)
                  .onMessage(
                      String.class,
                      m -> {
                        System.out.println(
                            "jitsparse: learning budget of "
                                + RunProgress.clock(budget.toSeconds())
                                + " reached; stopping");
                        CoordinatedShutdown.get(Adapter.toClassic(ctx.getSystem()))
                            .run(BUDGET_REACHED);
                        return Behaviors.same();
                      })
                  .build();
            }),
        "budget");
  }

  /**
   * Spawns the env role; the caller's guardian should stop the node when the returned ref
   * terminates (all trainers done).
   */
  public static ActorRef<EnvNode.Command> spawnEnv(
      ActorContext<Void> ctx, ClusterNode.NodeContext node, TrainerSettings settings) {
    ctx.getLog().info(TrainerThreads.apply(settings.trainers()));
    ActorRef<EnvNode.Command> env =
        ctx.spawn(EnvNode.create(settings, node.nodeName(), node.meters().registry()), "env");
    ctx.watch(env);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(ctx.getSystem()));
    // Before the node leaves the cluster, so that aborted episodes still reach the agent.
    Duration timeout =
        Duration.ofMillis(
            shutdown.timeout(CoordinatedShutdown.PhaseBeforeServiceUnbind()).toMillis());
    var system = ctx.getSystem();
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "stop-trainers",
        () -> {
          CompletionStage<Done> done =
              AskPattern.ask(env, EnvNode.Shutdown::new, timeout, system.scheduler());
          return done.exceptionally(e -> Done.getInstance());
        });
    return env;
  }

  /**
   * Prints progress when the env role's run is bounded ({@code episodes > 0}); the period is {@code
   * jitsparse.node.progress-interval}.
   */
  public static void spawnProgress(
      ActorContext<Void> ctx, ClusterNode.NodeContext node, TrainerSettings settings) {
    if (settings.episodes() <= 0) {
      return;
    }
    long total = settings.trainers() * settings.episodes() * settings.episodeSteps();
    ctx.spawn(
        RunProgress.create(
            node.meters().registry(),
            total,
            node.config().getDuration("jitsparse.node.progress-interval"),
            System.out),
        "progress");
  }

  /**
   * Spawns the agent role (trainer registry, explorers, learner singleton, and the feed of the live
   * page when the node has a board).
   */
  public static void spawnAgent(
      ActorContext<Void> ctx, ClusterNode.NodeContext node, AgentSettings settings) {
    var meters = node.meters().registry();
    ctx.spawn(
        node.live()
            .map(board -> AgentNode.create(settings, node.runId(), meters, board))
            .orElseGet(() -> AgentNode.create(settings, node.runId(), meters)),
        "agent");
  }

  /**
   * The guardian body of a node that runs trainers (env-node, or both roles with {@code agent}
   * non-null): spawns the roles and a progress printer, and stops the node once every trainer has
   * finished its episodes.
   */
  public static Behavior<Void> trainingNode(
      ActorContext<Void> ctx,
      ClusterNode.NodeContext node,
      TrainerSettings env,
      AgentSettings agent) {
    if (agent != null) {
      spawnAgent(ctx, node, agent);
      spawnBudget(ctx, node, agent.learning().budget(), "jitsparse run");
    }
    spawnEnv(ctx, node, env);
    spawnProgress(ctx, node, env);
    return Behaviors.<Void>receive(Void.class)
        .onSignal(
            Terminated.class,
            t -> {
              stopNode(ctx, ENV_FINISHED);
              return Behaviors.same();
            })
        .build();
  }

  /** Runs coordinated shutdown of the node {@code ctx} belongs to. */
  public static void stopNode(ActorContext<Void> ctx, CoordinatedShutdown.Reason reason) {
    CoordinatedShutdown.get(Adapter.toClassic(ctx.getSystem())).run(reason);
  }
}
