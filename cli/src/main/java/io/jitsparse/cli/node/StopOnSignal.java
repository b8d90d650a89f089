package io.jitsparse.cli.node;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a command that still has work to do after its node stops ({@code
 * jitsparse run} evaluates and writes its report): the first signal stops the node by coordinated
 * shutdown instead of exiting the JVM, so the command carries on from what was learned; a second
 * one exits at once with 130. JVM shutdown hooks would be too late for that: once they run, the JVM
 * is exiting, and an evaluation of minutes would be cut off.
 */
public final class StopOnSignal {

  /** Reason of a shutdown caused by a signal. */
  public static final CoordinatedShutdown.Reason SIGNALLED = new Signalled();

  private static final class Signalled implements CoordinatedShutdown.Reason {
    @Override
    public String toString() {
      return "stopped by a signal";
    }
  }

  /** Exit code of a second signal. */
  public static final int EXIT_SIGNALLED = 130;

  private StopOnSignal() {}

  /** Installs the handlers for {@code system}; {@code what} names what stops ("learning"). */
  public static void install(ActorSystem<?> system, PrintStream out, String what) {
    AtomicInteger count = new AtomicInteger();
    for (String name : new String[] {"INT", "TERM"}) {
      Signal.handle(
          new Signal(name),
          sig -> {
            if (count.incrementAndGet() == 1) {
              out.println(
                  "jitsparse: SIG" + sig.getName() + ": stopping " + what + " (again to quit now)");
              CoordinatedShutdown.get(Adapter.toClassic(system)).run(SIGNALLED);
            } else {
              Runtime.getRuntime().halt(EXIT_SIGNALLED);
            }
          });
    }
  }
}
