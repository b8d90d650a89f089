package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.jitsparse.cli.cluster.TestCertificates;
import io.jitsparse.cli.node.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node commands reject bad flags and config values at start, naming them, before any I/O. */
class NodeCommandsTest {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void everyNodeCommandListsItsSectionsKeysAsFlags() {
    Config c = NodeConfig.load();
    String[][] commands = {
      {"env-node", "jitsparse.node", "jitsparse.env-node"},
      {"agent-node", "jitsparse.node", "jitsparse.agent-node"},
      {"run", "jitsparse.node", "jitsparse.env-node"},
      {"loadgen", "jitsparse.node", "jitsparse.loadgen"},
    };
    for (String[] command : commands) {
      CliRun r = run(command[0], "--help");
      assertEquals(0, r.code(), command[0]);
      for (int i = 1; i < command.length; i++) {
        for (String key : c.getConfig(command[i]).root().keySet()) {
          assertTrue(r.out().contains("--" + key), command[0] + " --help lacks --" + key);
        }
      }
    }
  }

  @Test
  void unknownFlagsAndBadValuesFailWithTheirName() {
    CliRun unknown = run("env-node", "--trainer", "2");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--trainer"), unknown.err());

    CliRun port = run("agent-node", "--port", "70000");
    assertEquals(2, port.code());
    assertTrue(port.err().contains("jitsparse.node.port"), port.err());

    CliRun seed = run("env-node", "--seed-node", "localhost");
    assertEquals(2, seed.code());
    assertTrue(seed.err().contains("seed-node"), seed.err());

    CliRun density = run("env-node", "--density", "1.5");
    assertEquals(2, density.code());
    assertTrue(density.err().contains("jitsparse.env-node.density"), density.err());

    CliRun notANumber = run("env-node", "--trainers", "many");
    assertEquals(2, notANumber.code());
    assertTrue(notANumber.err().contains("trainers"), notANumber.err());

    CliRun gamma = run("agent-node", "--gamma", "2");
    assertEquals(2, gamma.code());
    assertTrue(gamma.err().contains("jitsparse.agent-node.gamma"), gamma.err());

    CliRun policy = run("run", "--policy", "/nonexistent/policy.ckpt", "--budget", "5s");
    assertEquals(2, policy.code());
    assertTrue(policy.err().contains("/nonexistent/policy.ckpt"), policy.err());

    CliRun batch = run("agent-node", "--learner-batch-size", "0");
    assertEquals(2, batch.code());
    assertTrue(batch.err().contains("jitsparse.agent-node.learner-batch-size"), batch.err());

    CliRun budget = run("agent-node", "--budget", "soon");
    assertEquals(2, budget.code());
    assertTrue(budget.err().contains("budget"), budget.err());
  }

  @Test
  void aTakenPortIsOneLineNamingTheFlag() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      String port = Integer.toString(taken.getLocalPort());
      CliRun remoting =
          run("agent-node", "--host", "127.0.0.1", "--port", port, "--http-port", "-1");
      assertEquals(2, remoting.code(), remoting.err());
      assertTrue(remoting.err().contains("--port " + port), remoting.err());
      assertTrue(remoting.err().strip().lines().count() <= 2, remoting.err());
      CliRun http = run("agent-node", "--host", "127.0.0.1", "--port", "0", "--http-port", port);
      assertEquals(2, http.code(), http.err());
      assertTrue(http.err().contains("--http-port " + port), http.err());
    }
  }

  @Test
  void aMissingTlsFileIsOneLineNamingIt(@TempDir Path dir) throws Exception {
    Path tls = TestCertificates.make(dir.resolve("tls"));
    Files.delete(tls.resolve("tls.key"));
    for (String command : new String[] {"agent-node", "env-node", "loadgen"}) {
      CliRun r = run(command, "--port", "0", "--http-port", "-1", "--tls-dir", tls.toString());
      assertEquals(2, r.code(), command + ": " + r.err());
      assertEquals(
          "jitsparse "
              + command
              + ": jitsparse.node.tls-dir (--tls-dir) = "
              + tls
              + ": tls.key ("
              + tls.resolve("tls.key")
              + ") is missing",
          r.err().strip(),
          command);
    }
  }
}
