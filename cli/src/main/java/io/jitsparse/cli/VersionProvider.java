package io.jitsparse.cli;

import io.jitsparse.env.train.RunResult;
import java.util.Map;
import picocli.CommandLine.IVersionProvider;

/** Prints jitsparse's and its engine's versions for {@code --version}. */
final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    Map<String, Object> v = RunResult.versions();
    return new String[] {
      "jitsparse " + v.get("jitsparse"),
      "DL4J/ND4J " + v.get("dl4j") + " (" + v.get("nd4j_classifier") + ")",
      "Java " + v.get("java") + " on " + v.get("os")
    };
  }
}
