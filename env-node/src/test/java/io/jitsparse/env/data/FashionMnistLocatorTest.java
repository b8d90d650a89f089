package io.jitsparse.env.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.data.CommandRunner.CommandResult;
import io.jitsparse.env.data.FashionMnistLocator.Location;
import io.jitsparse.env.data.FashionMnistLocator.Origin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistLocatorTest {

  private static final int TRAIN = 20;
  private static final int TEST = 4;
  private static final int APT_NOT_FOUND_EXIT = 100;
  private static final String DEB_NAME = "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb";

  @TempDir Path root;

  private Path systemDir;
  private Path projectDir;
  private Path aptLists;
  private final List<String> logLines = new ArrayList<>();

  @BeforeEach
  void createDirectories() throws IOException {
    systemDir = root.resolve("usr-share-datasets/fashion-mnist");
    projectDir = root.resolve("project/data/fashion-mnist");
    aptLists = Files.createDirectories(root.resolve("apt-lists"));
  }

  /**
   * Pretends to be id, apt-get and dpkg: records every command and, for a successful dpkg -x,
   * writes a tiny data set where the package would put it.
   */
  private static final class FakeSystem implements CommandRunner {
    final List<List<String>> commands = new ArrayList<>();
    String uid = "1000";
    int downloadExit = 0;

    @Override
    public CommandResult run(Path workDir, Duration timeout, List<String> command) {
      commands.add(command);
      try {
        switch (command.get(0)) {
          case "id":
            return new CommandResult(0, uid + "\n");
          case "apt-get":
            if (command.get(1).equals("download")) {
              if (downloadExit != 0) {
                return new CommandResult(
                    downloadExit, "E: Unable to locate package dataset-fashion-mnist\n");
              }
              Files.writeString(workDir.resolve(DEB_NAME), "not really a deb");
            }
            return new CommandResult(0, "");
          case "dpkg":
            Path target = Path.of(command.get(3)).resolve(FashionMnistLocator.PACKAGE_DATA_PATH);
            IdxFixtureFiles.writeDataSet(target, TRAIN, TEST);
            return new CommandResult(0, "");
          default:
            throw new AssertionError("unexpected command " + command);
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    List<String> programs() {
      return commands.stream().map(c -> String.join(" ", c.subList(0, 2))).toList();
    }
  }

  private FashionMnistLocator locator(FakeSystem system, boolean verifyKnownHashes) {
    return new FashionMnistLocator(
        systemDir, projectDir, aptLists, system, verifyKnownHashes, logLines::add);
  }

  private void givePackageLists() throws IOException {
    Files.writeString(
        aptLists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"),
        "");
  }

  @Test
  void explicitDirectoryWinsAndSkipsHashes() throws IOException {
    Path explicit = IdxFixtureFiles.writeDataSet(root.resolve("mine"), TRAIN, TEST);
    IdxFixtureFiles.writeDataSet(systemDir, TRAIN, TEST);
    FakeSystem system = new FakeSystem();

    Location location = locator(system, true).locate(explicit);

    assertEquals(new Location(explicit, Origin.EXPLICIT, false), location);
    assertEquals(TRAIN, location.load().trainCount());
    assertTrue(system.commands.isEmpty(), system.commands::toString);
  }

  @Test
  void systemDirectoryIsUsedWhenItHoldsTheFilesAndIsHashChecked() throws IOException {
    IdxFixtureFiles.writeDataSet(systemDir, TRAIN, TEST);
    IdxFixtureFiles.writeDataSet(projectDir, TRAIN, TEST);
    FakeSystem system = new FakeSystem();

    Location location = locator(system, true).locate(null);

    assertEquals(new Location(systemDir, Origin.SYSTEM, true), location);
    // The tiny fixture is not the real package, so the hash check must reject it.
    DataFileException e = assertThrows(DataFileException.class, location::load);
    assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
    assertTrue(system.commands.isEmpty(), system.commands::toString);
  }

  @Test
  void projectFolderIsUsedWhenSystemDirectoryIsAbsent() throws IOException {
    IdxFixtureFiles.writeDataSet(projectDir, TRAIN, TEST);
    FakeSystem system = new FakeSystem();

    Location location = locator(system, false).locate(null);

    assertEquals(new Location(projectDir, Origin.PROJECT, false), location);
    assertEquals(TEST, location.load().testCount());
    assertTrue(system.commands.isEmpty(), system.commands::toString);
  }

  @Test
  void incompleteProjectFolderIsAnErrorNotARefetch() throws IOException {
    IdxFixtureFiles.writeDataSet(projectDir, TRAIN, TEST);
    Files.delete(projectDir.resolve(FashionMnist.TRAIN_LABELS + FashionMnist.GZIP_SUFFIX));
    FakeSystem system = new FakeSystem();

    DataFileException e =
        assertThrows(DataFileException.class, () -> locator(system, false).locate(null));

    assertTrue(
        e.getMessage().startsWith(projectDir + ": exists but lacks " + FashionMnist.TRAIN_LABELS),
        e.getMessage());
    assertTrue(system.commands.isEmpty(), system.commands::toString);
  }

  @Test
  void projectPathThatIsAFileIsAnError() throws IOException {
    Files.createDirectories(projectDir.getParent());
    Files.writeString(projectDir, "not a folder");
    FakeSystem system = new FakeSystem();

    DataFileException e =
        assertThrows(DataFileException.class, () -> locator(system, false).locate(null));

    assertEquals(projectDir + ": exists but is not a directory", e.getMessage());
    assertTrue(system.commands.isEmpty(), system.commands::toString);
  }

  @Test
  void fetchDownloadsExtractsAndInstallsIntoProjectFolder() throws IOException {
    givePackageLists();
    FakeSystem system = new FakeSystem();

    FashionMnistLocator locator = locator(system, false);
    Location location = locator.locate(null);

    assertEquals(new Location(projectDir, Origin.FETCHED, false), location);
    assertEquals(List.of("apt-get download", "dpkg -x"), system.programs());
    assertEquals(List.of("apt-get", "download", "dataset-fashion-mnist"), system.commands.get(0));
    assertTrue(system.commands.get(1).get(2).endsWith(DEB_NAME), system.commands::toString);
    for (String name : FashionMnist.FILE_NAMES) {
      assertTrue(Files.isRegularFile(projectDir.resolve(name + FashionMnist.GZIP_SUFFIX)), name);
    }
    assertEquals(TRAIN, location.load().trainCount());
    assertEquals(List.of("fashion-mnist"), siblingsOf(projectDir));
    assertFalse(logLines.isEmpty());

    // A second run finds the installed copy and runs nothing.
    system.commands.clear();
    assertEquals(Origin.PROJECT, locator.locate(null).origin());
    assertTrue(system.commands.isEmpty(), system.commands::toString);
  }

  @Test
  void fetchAsRootUpdatesEmptyPackageListsFirst() {
    FakeSystem system = new FakeSystem();
    system.uid = "0";

    locator(system, false).locate(null);

    assertEquals(
        List.of("id -u", "apt-get update", "apt-get download", "dpkg -x"), system.programs());
  }

  @Test
  void fetchWithoutRootSkipsUpdateAndExplainsTheFailure() {
    FakeSystem system = new FakeSystem();
    system.downloadExit = APT_NOT_FOUND_EXIT;

    DataUnavailableException e =
        assertThrows(DataUnavailableException.class, () -> locator(system, false).locate(null));

    assertEquals(List.of("id -u", "apt-get download"), system.programs());
    assertTrue(e.getMessage().contains("apt-get update needs root"), e.getMessage());
  }

  @Test
  void failedDownloadSaysWhatToRun() throws IOException {
    givePackageLists();
    FakeSystem system = new FakeSystem();
    system.downloadExit = APT_NOT_FOUND_EXIT;

    DataUnavailableException e =
        assertThrows(DataUnavailableException.class, () -> locator(system, false).locate(null));

    String message = e.getMessage();
    assertTrue(
        message.contains("`apt-get download dataset-fashion-mnist` failed with exit code 100"),
        message);
    assertTrue(message.contains("Unable to locate package"), message);
    assertTrue(message.contains("apt-get install -y dataset-fashion-mnist"), message);
    assertTrue(message.contains("dpkg -x"), message);
    assertTrue(message.contains("--data DIR/usr/share/datasets/fashion-mnist"), message);
    assertFalse(Files.exists(projectDir));
  }

  @Test
  void fetchedFilesFailingTheHashCheckAreNotInstalled() throws IOException {
    givePackageLists();
    FakeSystem system = new FakeSystem();

    DataFileException e =
        assertThrows(DataFileException.class, () -> locator(system, true).locate(null));

    assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
    assertFalse(Files.exists(projectDir));
    assertEquals(List.of(), siblingsOf(projectDir));
  }

  private static List<String> siblingsOf(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir.toAbsolutePath().getParent())) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
