package io.jitsparse.agent.policy;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds a policy by name or path: the policies that ship in the repository live in {@code
 * policies/<name>/} (a small {@code policy-*.ckpt} and a {@code PROVENANCE.md} saying how it was
 * made), so {@code --policy jit-lenet5} works from any checkout, and {@code --policy none} means
 * none. A value that names an existing file or folder is that path.
 */
public final class ShippedPolicies {

  /** The folder of shipped policies, at the repository's top. */
  public static final String FOLDER = "policies";

  /** The value that asks for no policy. */
  public static final String NONE = "none";

  /** The policy {@code jitsparse run} warm-starts from unless told {@code --policy none}. */
  public static final String DEFAULT = "jit-lenet5";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private ShippedPolicies() {}

  /**
   * The checkpoint file or folder {@code value} stands for; empty for {@code none} or an empty
   * value.
   *
   * @throws IllegalArgumentException when it is neither an existing path nor a shipped name,
   *     listing where it looked
   */
  public static Optional<Path> resolve(String value) {
    String v = value == null ? "" : value.trim();
    if (v.isEmpty() || v.equals(NONE)) {
      return Optional.empty();
    }
    Path direct = Path.of(v);
    if (Files.exists(direct)) {
      return Optional.of(direct);
    }
    List<Path> looked = new ArrayList<>();
    if (NAME.matcher(v).matches()) {
      for (Path root : roots()) {
        Path p = root.resolve(FOLDER).resolve(v);
        looked.add(p);
        if (Files.isDirectory(p)) {
          return Optional.of(p);
        }
      }
    }
    throw new IllegalArgumentException(
        "policy '"
            + v
            + "' is neither a file or folder nor a shipped policy"
            + (looked.isEmpty() ? "" : " (looked in " + looked + ")"));
  }

  /** Whether the shipped policy {@code name} is present in this checkout. */
  public static boolean present(String name) {
    try {
      return resolve(name).isPresent();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The working directory, and the repository the running jar was built in. */
  private static List<Path> roots() {
    List<Path> roots = new ArrayList<>();
    roots.add(Path.of("").toAbsolutePath());
    java.security.CodeSource code = ShippedPolicies.class.getProtectionDomain().getCodeSource();
    if (code == null) {
      return roots;
    }
    try {
      // <repo>/cli/target/jitsparse.jar, or <repo>/<module>/target/classes in a build
      Path target = Path.of(code.getLocation().toURI()).getParent();
      Path module = target == null ? null : target.getParent();
      if (module != null && module.getParent() != null) {
        roots.add(module.getParent());
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // a code source that is not a file: the working directory is the only root
    }
    return roots;
  }
}
