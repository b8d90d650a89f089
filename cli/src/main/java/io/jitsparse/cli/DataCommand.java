package io.jitsparse.cli;

import io.jitsparse.env.data.DataFileException;
import io.jitsparse.env.data.DataUnavailableException;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.data.FashionMnistLocator.Location;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jitsparse data}: finds (or fetches) Fashion-MNIST, checks it, and reports where it came
 * from, the sample counts and each file's SHA-256, so a user can confirm the data before training.
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Locate Fashion-MNIST (fetching the Debian package dataset-fashion-mnist if needed), "
          + "check it and print where it came from, the counts and each file's SHA-256.",
      "Search order: --data DIR; /usr/share/datasets/fashion-mnist; --data-home; "
          + "apt-get download + dpkg -x into --data-home."
    })
public final class DataCommand implements Callable<Integer> {

  /** Exit code when the data is missing, wrong or cannot be fetched. */
  public static final int EXIT_DATA_ERROR = 2;

  private static final int EXIT_OK = 0;

  @Spec private CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Use the four IDX files in this folder (raw or .gz); structural checks only, "
              + "no hash check.")
  private Path dataDir;

  @Option(
      names = "--data-home",
      paramLabel = "DIR",
      defaultValue = "data/fashion-mnist",
      description = "Project-local folder: used if present, and where fetched data is installed.")
  private Path dataHome;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      FashionMnistLocator locator = new FashionMnistLocator(dataHome, out::println);
      Location location = locator.locate(dataDir);
      FashionMnist data = location.load();
      out.println("source: " + data.source() + " (" + location.origin().description() + ")");
      out.println("train:  " + data.trainCount() + " images");
      out.println("test:   " + data.testCount() + " images");
      out.println(
          "hashes: "
              + (location.verifyKnownHashes()
                  ? "verified against " + FashionMnist.KNOWN_HASHES_PACKAGE
                  : "not checked"));
      for (Map.Entry<String, String> file : data.fileHashes().entrySet()) {
        out.println("  " + file.getValue() + "  " + file.getKey());
      }
      out.flush();
      return EXIT_OK;
    } catch (DataFileException | DataUnavailableException e) {
      // Users get the explanation, not a stack trace.
      err.println("jitsparse data: " + e.getMessage());
      err.flush();
      return EXIT_DATA_ERROR;
    }
  }
}
