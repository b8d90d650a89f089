package io.jitsparse.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jitsparse} process started by a benchmark: its output is kept (the lines {@code show}
 * accepts are also printed with a prefix), a line can be awaited with a timeout, and it is stopped
 * by its PID (SIGTERM, then SIGKILL after a grace period).
 */
final class NodeChild implements AutoCloseable {

  private static final int TAIL_LINES = 40;
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

  private final String prefix;
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private NodeChild(String prefix, Process process, Predicate<String> show, Path log) {
    this.prefix = prefix;
    this.process = process;
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter w =
                      log == null ? null : new PrintWriter(Files.newBufferedWriter(log), true)) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (w != null) {
                    w.println(line);
                  }
                  synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                  }
                  if (show.test(line)) {
                    System.out.println(prefix + line);
                  }
                }
              } catch (IOException e) {
                // the child went away: nothing more to copy
              } finally {
                synchronized (lines) {
                  lines.notifyAll();
                }
              }
            },
            "pump-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /** The lines a benchmark shows of a node's output: its own status lines and errors. */
  static final Predicate<String> NODE_LINES = l -> l.startsWith("jitsparse") || l.contains("ERROR");

  /**
   * The command that runs the jitsparse jar: {@code java}, then the JVM options in {@code opts}
   * (space-separated, may be empty), then {@code -jar jar}; the caller appends the subcommand.
   */
  static List<String> jarCommand(String java, String opts, String jar) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String o : opts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        cmd.add(o);
      }
    }
    cmd.add("-jar");
    cmd.add(jar);
    return cmd;
  }

  /** Starts {@code cmd}; lines that {@code show} accepts are printed after {@code prefix}. */
  static NodeChild start(List<String> cmd, String prefix, Predicate<String> show)
      throws IOException {
    return start(cmd, prefix, show, null, java.util.Map.of());
  }

  /**
   * As {@link #start(List, String, Predicate)}, with {@code env} added to the child's environment
   * and every line also written to {@code log} (when not null).
   */
  static NodeChild start(
      List<String> cmd,
      String prefix,
      Predicate<String> show,
      Path log,
      java.util.Map<String, String> env)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    return new NodeChild(prefix, pb.start(), show, log);
  }

  /** The first line printed so far that matches {@code pattern}, without waiting. */
  java.util.Optional<Matcher> find(Pattern pattern) {
    synchronized (lines) {
      for (String line : lines) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return java.util.Optional.of(m);
        }
      }
      return java.util.Optional.empty();
    }
  }

  /** The first line matching {@code pattern}, waiting up to {@code timeout}. */
  Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = pattern.matcher(lines.get(seen));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive()) {
          throw new IllegalStateException(
              prefix
                  + "no line matching "
                  + pattern
                  + " within "
                  + timeout
                  + (process.isAlive() ? "" : " (the process exited)")
                  + "; last lines:\n"
                  + tail());
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /**
   * Waits up to {@code d} for the process to end; throws when it does (a benchmark's children run
   * until they are stopped, so an exit is a failure).
   */
  void expectAliveFor(Duration d) throws InterruptedException {
    if (process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          prefix + "exited with " + process.exitValue() + "; last lines:\n" + tail());
    }
  }

  /** Waits up to {@code d} for the process to end by itself; returns its exit code. */
  int awaitExit(Duration d) throws InterruptedException {
    if (!process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          prefix + "still running after " + d + "; last lines:\n" + tail());
    }
    return process.exitValue();
  }

  /** CPU time the process has used so far, or -1 when unknown. */
  long cpuNanos() {
    if (!process.isAlive()) {
      return -1;
    }
    return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines of output. */
  String tail() {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    }
  }

  /** SIGKILL, as a crashed machine would; returns once the process is gone. */
  void killHard() throws InterruptedException {
    // The node may be a descendant (a launcher such as the image's unshare and chroot, which
    // clears the kernel's parent-death signal when it changes user): kill the whole tree.
    List<ProcessHandle> tree = tree();
    tree.forEach(ProcessHandle::destroyForcibly);
    awaitGone(tree, DEFAULT_GRACE);
  }

  /** The process and its descendants, deepest first. */
  private List<ProcessHandle> tree() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    java.util.Collections.reverse(tree);
    tree.add(process.toHandle());
    return tree;
  }

  private static void awaitGone(List<ProcessHandle> tree, Duration grace)
      throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : tree) {
      long left = deadline - System.nanoTime();
      try {
        h.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // still there after the grace: the caller escalates or reports it
      }
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> tree = tree();
    tree.forEach(ProcessHandle::destroy);
    try {
      awaitGone(tree, grace);
      if (tree.stream().anyMatch(ProcessHandle::isAlive)) {
        tree.forEach(ProcessHandle::destroyForcibly);
        awaitGone(tree, grace);
      }
    } catch (InterruptedException e) {
      tree.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(DEFAULT_GRACE);
  }
}
