package io.jitsparse.cli.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Remoting TLS material for tests, made by the checkout's own {@code k8s/tls/make-certs.sh} (so the
 * script is tested too) with the machine's openssl, into a test's temporary folder.
 */
public final class TestCertificates {

  /** The script, relative to the checkout's root. */
  public static final String SCRIPT = "k8s/tls/make-certs.sh";

  /** The password of the PKCS#12 files {@link #pkcs12} writes (test material only). */
  public static final String P12_PASSWORD = "test-only";

  private static final long TIMEOUT_SECONDS = 120;

  private TestCertificates() {}

  /** The script, found in the checkout above the working folder (any module of the build). */
  public static Path script() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve(SCRIPT);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no executable " + SCRIPT + " above " + dir);
  }

  /** Runs the script into {@code out} (a new CA, or the one {@code out} holds) and returns it. */
  public static Path make(Path out, String... flags) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(script().toString()));
    cmd.addAll(List.of(flags));
    cmd.add(out.toString());
    run(cmd);
    return out;
  }

  /**
   * {@code dir}'s tls.crt and tls.key (with ca.crt as its chain) as a PKCS#12 key store with {@link
   * #P12_PASSWORD}, for a plain Java TLS client.
   */
  public static Path pkcs12(Path dir) throws IOException, InterruptedException {
    Path p12 = dir.resolve("node.p12");
    run(
        List.of(
            "openssl",
            "pkcs12",
            "-export",
            "-in",
            dir.resolve("tls.crt").toString(),
            "-inkey",
            dir.resolve("tls.key").toString(),
            "-certfile",
            dir.resolve("ca.crt").toString(),
            "-passout",
            "pass:" + P12_PASSWORD,
            "-out",
            p12.toString()));
    return p12;
  }

  private static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(cmd + " took over " + TIMEOUT_SECONDS + " s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(cmd + " exited " + p.exitValue() + ":\n" + out);
    }
  }
}
