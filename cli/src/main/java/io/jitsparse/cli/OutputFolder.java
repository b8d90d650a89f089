package io.jitsparse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks an output folder before any work starts, so that a run that trains for hours never ends
 * unable to write what it made: the folder is created if missing, and must be a writable folder.
 */
final class OutputFolder {

  private OutputFolder() {}

  /**
   * Creates {@code folder} when missing and proves it writable.
   *
   * @param flag the flag that named it, for the message
   * @throws IllegalArgumentException naming the flag and the path when it is a file, cannot be
   *     created or cannot be written
   */
  static void prepare(Path folder, String flag) {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(flag + " " + folder + " is a file, not a folder");
    }
    try {
      Files.createDirectories(folder);
      Path probe = Files.createTempFile(folder, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new IllegalArgumentException(
          flag + " " + folder + " cannot be written: " + e.getMessage(), e);
    }
  }

  /**
   * Refuses {@code folder} when its file system has less than {@code bytes} free for this process,
   * so that a run does not learn and evaluate for minutes to fail at its first large write.
   *
   * @param what what needs the room, for the message
   */
  static void requireFree(Path folder, long bytes, String flag, String what) {
    long free;
    try {
      free = Files.getFileStore(folder).getUsableSpace();
    } catch (IOException e) {
      // not measurable here (an unusual file system): the writes themselves still name the file
      return;
    }
    if (free < bytes) {
      throw new IllegalArgumentException(
          flag
              + " "
              + folder
              + " has "
              + free / KIB
              + " KiB free; "
              + what
              + " needs at least "
              + bytes / KIB
              + " KiB");
    }
  }

  private static final long KIB = 1024;
}
