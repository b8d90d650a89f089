package io.jitsparse.env.data;

import java.nio.file.Path;

/**
 * A problem with one input data file (missing, truncated, corrupt, wrong format or wrong hash). The
 * message always starts with the file's path and then says what is wrong, so it can be shown to
 * users as is, without a stack trace.
 */
public class DataFileException extends RuntimeException {

  private final transient Path file;

  /**
   * @param file the offending file (or directory, when a file is missing from it)
   * @param problem what is wrong, in words a user can act on
   */
  public DataFileException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /**
   * @param file the offending file
   * @param problem what is wrong
   * @param cause the underlying I/O error
   */
  public DataFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file the problem is about. */
  public Path file() {
    return file;
  }
}
