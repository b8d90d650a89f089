package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineCommandTest {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void helpListsEveryConfigKeyWithItsDefault() {
    CliRun r = run("baseline", "--help");
    assertEquals(0, r.code());
    Config section = ConfigFactory.load().getConfig("jitsparse.baseline");
    for (String key : section.root().keySet()) {
      assertTrue(r.out().contains("--" + key), "--help lacks --" + key);
    }
    assertTrue(r.out().contains("Default: lenet5-caffe"), r.out());
    assertTrue(r.out().contains("Default: 0.05"));
    for (String flag : new String[] {"--seeds", "--data", "--out", "--resume"}) {
      assertTrue(r.out().contains(flag), flag);
    }
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"baseline", "data"}) {
      CliRun r = run(sub, "--help");
      assertEquals(0, r.code(), sub);
      assertTrue(r.out().contains("Usage: jitsparse " + sub), r.out());
    }
  }

  @Test
  void badFlagValuesGetAClearErrorNamingTheInput(@TempDir Path tmp) {
    CliRun density = run("baseline", "--density", "2", "--out", tmp.resolve("a").toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, density.code());
    assertTrue(density.err().contains("density"), density.err());
    assertTrue(!density.err().contains("\tat "), "no stack trace: " + density.err());

    CliRun method = run("baseline", "--method", "lottery", "--out", tmp.resolve("b").toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, method.code());
    assertTrue(method.err().contains("lottery"), method.err());

    Path missing = tmp.resolve("no-such-data");
    CliRun data =
        run("baseline", "--data", missing.toString(), "--out", tmp.resolve("c").toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, data.code());
    assertTrue(data.err().contains(missing.toString()), data.err());

    CliRun resume = run("baseline", "--resume", tmp.toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, resume.code());
    assertTrue(resume.err().contains("no checkpoint"), resume.err());
  }

  @Test
  void anEarlierRunIsNeverOverwritten(@TempDir Path tmp) throws Exception {
    Path done = java.nio.file.Files.createDirectories(tmp.resolve("done"));
    java.nio.file.Files.writeString(done.resolve("result.json"), "{}");
    CliRun again = run("baseline", "--method", "dense", "--epochs", "1", "--out", done.toString());
    assertEquals(2, again.code(), again.out() + again.err());
    assertTrue(again.err().contains("--resume " + done), again.err());
    assertEquals("{}", java.nio.file.Files.readString(done.resolve("result.json")));
    Path file = java.nio.file.Files.writeString(tmp.resolve("a-file"), "x");
    CliRun intoFile =
        run("baseline", "--method", "dense", "--epochs", "1", "--out", file.toString());
    assertEquals(2, intoFile.code(), intoFile.err());
    assertTrue(intoFile.err().contains("is a file"), intoFile.err());
  }

  @Test
  void anUnknownFlagIsNamedInTwoLinesNotTheWholeUsage() {
    for (String sub : new String[] {"baseline", "evaluate", "run", "env-node"}) {
      CliRun r = run(sub, "--no-such-flag", "1");
      assertEquals(2, r.code(), sub);
      assertTrue(r.err().contains("--no-such-flag"), sub + ": " + r.err());
      assertTrue(r.err().strip().lines().count() <= 2, sub + ": " + r.err());
    }
  }
}
