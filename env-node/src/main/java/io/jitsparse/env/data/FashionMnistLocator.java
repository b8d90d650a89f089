package io.jitsparse.env.data;

import io.jitsparse.env.data.CommandRunner.CommandResult;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Decides where Fashion-MNIST comes from, fetching it from the Debian archive when it is nowhere on
 * this machine.
 *
 * <p>Order: an explicit directory (structural checks only); else the installed Debian package's
 * directory; else the project-local folder; else {@code apt-get download} + {@code dpkg -x} into
 * the project-local folder. Data from the last three is checked against the package's known SHA-256
 * hashes (unless the locator was built with verification off, for tests).
 */
public final class FashionMnistLocator {

  /** Where the Debian package {@value #PACKAGE} installs the files. */
  public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The default project-local folder, relative to the working directory. */
  public static final Path DEFAULT_PROJECT_DIR = Path.of("data/fashion-mnist");

  /** Where apt keeps its package lists; without a {@code *Packages*} file apt knows no package. */
  public static final Path APT_LISTS_DIR = Path.of("/var/lib/apt/lists");

  /** The Debian package that ships Fashion-MNIST. */
  public static final String PACKAGE = "dataset-fashion-mnist";

  /** The data's directory inside the package, relative to the extraction root. */
  public static final String PACKAGE_DATA_PATH = "usr/share/datasets/fashion-mnist";

  /** What a user can run to make the data available. */
  public static final String HOW_TO_INSTALL =
      "run as root: apt-get update && apt-get install -y "
          + PACKAGE
          + "   (or: apt-get download "
          + PACKAGE
          + " && dpkg -x "
          + PACKAGE
          + "_*.deb DIR, then pass --data DIR/"
          + PACKAGE_DATA_PATH
          + ")";

  /** Generous: apt-get update and a 30 MB download on a slow mirror. */
  static final Duration APT_TIMEOUT = Duration.ofMinutes(10);

  static final Duration QUICK_COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private static final String ROOT_UID = "0";
  private static final String PACKAGE_LISTS_MARKER = "Packages";
  private static final int OUTPUT_TAIL_LINES = 5;

  /** Where the data came from. */
  public enum Origin {
    /** A directory the user named with {@code --data}. */
    EXPLICIT("--data directory, structural checks only"),
    /** The installed Debian package. */
    SYSTEM("installed Debian package " + PACKAGE),
    /** The project-local folder, fetched earlier. */
    PROJECT("project-local folder"),
    /** Fetched just now with apt-get download and dpkg -x into the project-local folder. */
    FETCHED("fetched now with apt-get download " + PACKAGE);

    private final String description;

    Origin(String description) {
      this.description = description;
    }

    /** A short phrase for users. */
    public String description() {
      return description;
    }
  }

  /**
   * A directory holding the four files, how it was found, and whether loading it checks the known
   * hashes.
   *
   * @param dir the directory
   * @param origin where it came from
   * @param verifyKnownHashes whether {@link #load()} checks the known SHA-256 hashes
   */
  public record Location(Path dir, Origin origin, boolean verifyKnownHashes) {

    /** Loads and checks the data from {@link #dir()}. */
    public FashionMnist load() {
      return FashionMnist.load(dir, verifyKnownHashes);
    }
  }

  private final Path systemDir;
  private final Path projectDir;
  private final Path aptListsDir;
  private final CommandRunner runner;
  private final boolean verifyKnownHashes;
  private final Consumer<String> log;

  /**
   * A locator for this machine: the real system directory, apt and dpkg, with hash verification.
   *
   * @param projectDir the project-local folder, e.g. {@link #DEFAULT_PROJECT_DIR}
   * @param log receives one progress line at a time
   */
  public FashionMnistLocator(Path projectDir, Consumer<String> log) {
    this(SYSTEM_DIR, projectDir, APT_LISTS_DIR, CommandRunner.system(), true, log);
  }

  /**
   * A locator with every dependency on the machine injected.
   *
   * @param systemDir where the installed package keeps the files
   * @param projectDir the project-local folder; fetched data is placed here
   * @param aptListsDir apt's package lists directory, to decide whether apt-get update is needed
   * @param runner runs id, apt-get and dpkg
   * @param verifyKnownHashes whether data not named explicitly must match the known hashes
   * @param log receives one progress line at a time
   */
  public FashionMnistLocator(
      Path systemDir,
      Path projectDir,
      Path aptListsDir,
      CommandRunner runner,
      boolean verifyKnownHashes,
      Consumer<String> log) {
    this.systemDir = Objects.requireNonNull(systemDir);
    this.projectDir = Objects.requireNonNull(projectDir);
    this.aptListsDir = Objects.requireNonNull(aptListsDir);
    this.runner = Objects.requireNonNull(runner);
    this.verifyKnownHashes = verifyKnownHashes;
    this.log = Objects.requireNonNull(log);
  }

  /**
   * Locates (fetching if needed) and loads the data.
   *
   * @param explicitDir a directory named by the user, or null to search
   * @throws DataFileException if a file is missing or wrong
   * @throws DataUnavailableException if the data is nowhere and cannot be fetched
   */
  public FashionMnist load(Path explicitDir) {
    return locate(explicitDir).load();
  }

  /**
   * Finds the data's directory, fetching the package into the project-local folder when the data is
   * nowhere else. Fetched data has been fully checked before it is moved into place, so the
   * project-local folder never holds a partial or unverified copy.
   *
   * @param explicitDir a directory named by the user, or null to search
   * @throws DataFileException if the project-local folder exists but is incomplete, or fetched
   *     files are wrong
   * @throws DataUnavailableException if the data is nowhere and cannot be fetched
   */
  public Location locate(Path explicitDir) {
    if (explicitDir != null) {
      log.accept("using " + explicitDir + " (--data: structural checks only, hashes not verified)");
      return new Location(explicitDir, Origin.EXPLICIT, false);
    }
    if (FashionMnist.isPresentIn(systemDir)) {
      log.accept("using " + systemDir + " (" + Origin.SYSTEM.description() + ")");
      return new Location(systemDir, Origin.SYSTEM, verifyKnownHashes);
    }
    if (Files.exists(projectDir) && !Files.isDirectory(projectDir)) {
      throw new DataFileException(projectDir, "exists but is not a directory");
    }
    if (Files.isDirectory(projectDir) && !isEmptyDirectory(projectDir)) {
      requireComplete(projectDir);
      log.accept("using " + projectDir + " (" + Origin.PROJECT.description() + ")");
      return new Location(projectDir, Origin.PROJECT, verifyKnownHashes);
    }
    fetch();
    return new Location(projectDir, Origin.FETCHED, verifyKnownHashes);
  }

  private void requireComplete(Path dir) {
    for (String name : FashionMnist.FILE_NAMES) {
      if (FashionMnist.find(dir, name) == null) {
        throw new DataFileException(
            dir,
            "exists but lacks "
                + name
                + " (or "
                + name
                + FashionMnist.GZIP_SUFFIX
                + "); delete the folder to fetch the data again");
      }
    }
  }

  private void fetch() {
    log.accept(
        "Fashion-MNIST not found in "
            + systemDir
            + " or "
            + projectDir
            + "; fetching Debian package "
            + PACKAGE);
    Path workDir = createTempDirectory();
    try {
      String listsHint = updatePackageListsIfPossible(workDir);
      log.accept("running apt-get download " + PACKAGE + " in " + workDir);
      CommandResult download =
          runner.run(workDir, APT_TIMEOUT, List.of("apt-get", "download", PACKAGE));
      if (!download.succeeded()) {
        throw unavailable("apt-get download " + PACKAGE, listsHint, download);
      }
      Path deb = findDeb(workDir);
      Path extracted = workDir.resolve("extracted");
      log.accept("running dpkg -x " + deb.getFileName() + " " + extracted);
      CommandResult extract =
          runner.run(
              workDir,
              QUICK_COMMAND_TIMEOUT,
              List.of("dpkg", "-x", deb.toString(), extracted.toString()));
      if (!extract.succeeded()) {
        throw unavailable("dpkg -x " + deb.getFileName(), "", extract);
      }
      Path packaged = extracted.resolve(PACKAGE_DATA_PATH);
      if (!Files.isDirectory(packaged)) {
        throw new DataFileException(deb, "the package holds no " + PACKAGE_DATA_PATH);
      }
      installIntoProjectDir(packaged);
    } finally {
      deleteRecursively(workDir);
    }
  }

  /**
   * Runs apt-get update when apt knows no packages and we are root.
   *
   * @return a note for the error message when the lists are missing and could not be updated
   */
  private String updatePackageListsIfPossible(Path workDir) {
    if (hasPackageLists()) {
      return "";
    }
    if (!isRoot(workDir)) {
      log.accept(
          "apt has no package lists in "
              + aptListsDir
              + " and apt-get update needs root; trying apt-get download anyway");
      return " (apt has no package lists and apt-get update needs root)";
    }
    log.accept("apt has no package lists in " + aptListsDir + "; running apt-get update");
    CommandResult update = runner.run(workDir, APT_TIMEOUT, List.of("apt-get", "update"));
    if (!update.succeeded()) {
      throw unavailable("apt-get update", "", update);
    }
    return "";
  }

  private boolean hasPackageLists() {
    if (!Files.isDirectory(aptListsDir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(aptListsDir)) {
      return files.anyMatch(file -> file.getFileName().toString().contains(PACKAGE_LISTS_MARKER));
    } catch (IOException e) {
      return false;
    }
  }

  private boolean isRoot(Path workDir) {
    CommandResult id = runner.run(workDir, QUICK_COMMAND_TIMEOUT, List.of("id", "-u"));
    return id.succeeded() && id.output().strip().equals(ROOT_UID);
  }

  private static Path findDeb(Path workDir) {
    try (DirectoryStream<Path> debs = Files.newDirectoryStream(workDir, PACKAGE + "_*.deb")) {
      for (Path deb : debs) {
        return deb;
      }
    } catch (IOException e) {
      throw new DataUnavailableException("cannot list " + workDir + ": " + e);
    }
    throw new DataUnavailableException(
        "apt-get download "
            + PACKAGE
            + " reported success but left no "
            + PACKAGE
            + "_*.deb in "
            + workDir
            + "; "
            + HOW_TO_INSTALL);
  }

  /**
   * Copies the package's files next to the project folder, checks them, then renames the copy into
   * place so that an interrupted fetch never leaves a half-filled project folder behind.
   */
  private void installIntoProjectDir(Path packaged) {
    Path target = projectDir.toAbsolutePath();
    Path staging = null;
    try {
      Files.createDirectories(target.getParent());
      // Not createTempDirectory: its owner-only permissions would carry over to the final folder.
      staging =
          Files.createDirectory(
              target.resolveSibling(target.getFileName() + ".partial-" + UUID.randomUUID()));
      try (DirectoryStream<Path> files = Files.newDirectoryStream(packaged)) {
        for (Path file : files) {
          if (Files.isRegularFile(file)) {
            Files.copy(file, staging.resolve(file.getFileName().toString()));
          }
        }
      }
      log.accept("checking the fetched files" + (verifyKnownHashes ? " against known hashes" : ""));
      FashionMnist.load(staging, verifyKnownHashes);
      if (Files.isDirectory(target)) {
        // Only an empty folder gets here (see locate); rename cannot replace it portably.
        Files.delete(target);
      }
      moveIntoPlace(staging, target);
      staging = null;
      log.accept("installed Fashion-MNIST into " + projectDir);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // Another process installed it meanwhile; theirs was checked the same way, so use it.
      log.accept(projectDir + " appeared while fetching; using it");
    } catch (IOException e) {
      throw new DataFileException(projectDir, "cannot install fetched files: " + e, e);
    } finally {
      if (staging != null) {
        deleteRecursively(staging);
      }
    }
  }

  private static void moveIntoPlace(Path staging, Path target) throws IOException {
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      // A sibling is on the same file system, so this is not expected; a plain move still works.
      Files.move(staging, target);
    }
  }

  private static DataUnavailableException unavailable(
      String command, String note, CommandResult result) {
    String exit =
        result.exitCode() == CommandResult.NOT_COMPLETED
            ? "did not complete"
            : "failed with exit code " + result.exitCode();
    return new DataUnavailableException(
        "Fashion-MNIST is not on this machine and `"
            + command
            + "` "
            + exit
            + note
            + outputTail(result.output())
            + "\nTo make it available, "
            + HOW_TO_INSTALL);
  }

  private static String outputTail(String output) {
    List<String> lines = output.strip().lines().toList();
    if (lines.isEmpty()) {
      return "";
    }
    List<String> tail = lines.subList(Math.max(0, lines.size() - OUTPUT_TAIL_LINES), lines.size());
    return ":\n  " + String.join("\n  ", tail);
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new DataFileException(dir, "cannot list: " + e, e);
    }
  }

  private static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("jitsparse-fashion-mnist-");
    } catch (IOException e) {
      throw new DataUnavailableException("cannot create a temporary directory: " + e);
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Leftovers in a temporary directory are harmless and must not hide the real outcome.
    }
  }
}
