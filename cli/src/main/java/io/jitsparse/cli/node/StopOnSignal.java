package io.jitsparse.cli.node;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

  private final PrintStream out;
  private final String what;
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicReference<ActorSystem<?>> system = new AtomicReference<>();

  private StopOnSignal(PrintStream out, String what) {
    this.out = out;
    this.what = what;
  }

  /**
   * Installs the handlers before the node exists: starting a node with many trainers takes a while,
   * and a signal in that window must stop it too, not kill the JVM half-started. {@code what} names
   * what stops ("learning"); {@link #attach} gives the node to stop.
   */
  public static StopOnSignal install(PrintStream out, String what) {
    StopOnSignal handler = new StopOnSignal(out, what);
    for (String name : new String[] {"INT", "TERM"}) {
      Signal.handle(new Signal(name), handler::onSignal);
    }
    return handler;
  }

  /** The node to stop; a signal that came before stops it now. */
  public void attach(ActorSystem<?> node) {
    system.set(node);
    if (count.get() > 0) {
      stop(node);
    }
  }

  /** Whether a signal came. */
  public boolean signalled() {
    return count.get() > 0;
  }

  private void onSignal(Signal sig) {
    if (count.incrementAndGet() == 1) {
      out.println("jitsparse: SIG" + sig.getName() + ": stopping " + what + " (again to quit now)");
      ActorSystem<?> node = system.get();
      if (node != null) {
        stop(node);
      }
    } else {
      Runtime.getRuntime().halt(EXIT_SIGNALLED);
    }
  }

  private static void stop(ActorSystem<?> node) {
    CoordinatedShutdown.get(Adapter.toClassic(node)).run(SIGNALLED);
  }
}
