package io.jitsparse.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One execution of the {@code jitsparse} command line in-process, with its output captured. */
record CliRun(int code, String out, String err) {

  static CliRun of(String... args) {
    var cl = JitsparseCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /**
   * {@code jitsparse baseline} of lenet-300-100, dense, one epoch of 512 samples (4 steps) into
   * {@code out}: the cheapest real run, for tests of what surrounds training.
   */
  static CliRun tinyBaseline(java.nio.file.Path out) {
    return of(
        "baseline",
        "--model",
        "lenet-300-100",
        "--method",
        "dense",
        "--epochs",
        "1",
        "--train-samples",
        "512",
        "--progress-seconds",
        "1000",
        "--out",
        out.toString());
  }
}
