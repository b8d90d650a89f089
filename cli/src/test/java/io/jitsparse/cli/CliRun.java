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
}
