package io.jitsparse.env.node;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Sizes ND4J's native threads so that the trainers of one JVM together use the CPUs it has and no
 * more: {@code max(1, cpus / trainers)} threads for each trainer's ops, where {@code cpus} is what
 * the JVM may use (a container's CPU limit included, as Java reports it). More runnable threads
 * than cores is what delays the cluster's heartbeats until a healthy node looks unreachable (the
 * scheduling delay the nodes export as {@code jitsparse_cluster_scheduling_delay_seconds}). An
 * explicit {@code OMP_NUM_THREADS} (the Kubernetes manifests set it to the CPU limit) is left
 * alone.
 */
public final class TrainerThreads {

  /** The environment variable that, when set, decides instead. */
  public static final String OMP_NUM_THREADS = "OMP_NUM_THREADS";

  private TrainerThreads() {}

  /** Native threads per trainer for {@code trainers} trainers on {@code cpus} CPUs. */
  public static int perTrainer(int cpus, int trainers) {
    if (cpus < 1 || trainers < 1) {
      throw new IllegalArgumentException(cpus + " cpus, " + trainers + " trainers: both >= 1");
    }
    return Math.max(1, cpus / trainers);
  }

  /**
   * Applies {@link #perTrainer} for this JVM unless {@code OMP_NUM_THREADS} is set; returns a line
   * saying what was decided.
   */
  public static String apply(int trainers) {
    String env = System.getenv(OMP_NUM_THREADS);
    int cpus = Runtime.getRuntime().availableProcessors();
    if (env != null && !env.isBlank()) {
      return "native threads: " + OMP_NUM_THREADS + "=" + env + " (set outside), " + cpus + " cpus";
    }
    int n = perTrainer(cpus, trainers);
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    return "native threads: " + n + " per trainer (" + cpus + " cpus, " + trainers + " trainers)";
  }
}
