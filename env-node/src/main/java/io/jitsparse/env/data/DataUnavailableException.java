package io.jitsparse.env.data;

/**
 * The data set is neither on this machine nor could it be fetched; the message says what the user
 * should run to make it available.
 */
public class DataUnavailableException extends RuntimeException {

  /**
   * @param message what failed and the commands that make the data available
   */
  public DataUnavailableException(String message) {
    super(message);
  }
}
