package io.jitsparse.agent.policy;

/**
 * The per-explorer exploration rates of Ape-X (Horgan et al. 2018, Sec. 4.1): explorer slot {@code
 * i} of a population of {@code N} acts epsilon-greedily with {@code eps_i = base^(1 + alpha i / (N
 * - 1))} (base 0.4, alpha 7 in the paper), and {@code base} when {@code N = 1}.
 *
 * <p>The population is a configured number of slots, not the number of trainers running, so a
 * trainer's rate does not change as others join and leave. Slots are handed out lowest free first
 * ({@link io.jitsparse.agent.registry.TrainerRegistry}), so the first trainers get the most
 * exploratory rates: two trainers in a population of 8 explore with 0.4 and 0.16, where spreading
 * them over the whole range would leave the second almost greedy (0.4^8 = 0.0007) and a two-trainer
 * run would barely explore. Trainers beyond the population share slots modulo N.
 */
public final class EpsilonSpread {

  private EpsilonSpread() {}

  /**
   * @param slot the explorer's slot, at least 0 (taken modulo {@code population})
   * @param population N, at least 1
   * @param base the largest rate (0.4)
   * @param alpha the spread exponent (7)
   */
  public static double epsilon(int slot, int population, double base, double alpha) {
    if (slot < 0 || population < 1) {
      throw new IllegalArgumentException("slot " + slot + " of population " + population);
    }
    if (population == 1) {
      return base;
    }
    int i = slot % population;
    return Math.pow(base, 1 + alpha * i / (population - 1.0));
  }
}
