package io.jitsparse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bench/torch_engine.py}, the PyTorch peer of the engine benchmark: the same network,
 * optimiser and batches, trained by PyTorch in a subprocess that stays up (warm, like the
 * benchmark's JVM) and times chunks of steps on request. Interpreter start-up, {@code import
 * torch}, data loading and warm-up are outside every timing.
 */
final class TorchPeer {

  /** How long an availability probe may take (importing torch is slow on a busy machine). */
  private static final long PROBE_TIMEOUT_SECONDS = 120;

  /** How long a session may take to stop once asked to. */
  private static final long STOP_TIMEOUT_SECONDS = 30;

  private static final String QUIT = "quit";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String python;
  private final Path script;
  private final int threads;
  private final String preload;

  /**
   * A peer with the BLAS the interpreter's torch is linked with.
   *
   * @param python the interpreter that has torch (Debian's {@code /usr/bin/python3})
   * @param script {@code bench/torch_engine.py}
   * @param threads {@code torch.set_num_threads}
   */
  TorchPeer(String python, Path script, int threads) {
    this(python, script, threads, null);
  }

  /**
   * A peer whose BLAS calls go to another BLAS library, loaded with {@code LD_PRELOAD}.
   *
   * @param preload a shared library exporting the Fortran BLAS symbols (OpenBLAS), or null
   */
  TorchPeer(String python, Path script, int threads, String preload) {
    this.python = python;
    this.script = script;
    this.threads = threads;
    this.preload = preload;
  }

  /** The torch version, or null when {@code python -c "import torch"} fails. */
  String version() {
    try {
      Process p =
          new ProcessBuilder(python, "-c", "import torch; print(torch.__version__)")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      if (p.exitValue() != 0) {
        return null;
      }
      String[] lines = out.split("\n");
      return lines[lines.length - 1].trim();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Starts a warm PyTorch trainer of {@code model} on the exported batches: it has run {@code
   * warmup} untimed steps when this returns.
   *
   * @throws IOException when the script fails to start or reports no readiness
   */
  Session start(String model, int warmup, int batchSize, Path features, Path labels)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(python);
    cmd.add(script.toString());
    cmd.addAll(
        List.of(
            "--serve",
            "--model",
            model,
            "--warmup",
            String.valueOf(warmup),
            "--batch",
            String.valueOf(batchSize),
            "--threads",
            String.valueOf(threads),
            "--features",
            features.toString(),
            "--labels",
            labels.toString(),
            "--lr",
            String.valueOf(BenchTrainers.LEARNING_RATE),
            "--momentum",
            String.valueOf(BenchTrainers.MOMENTUM),
            "--weight-decay",
            String.valueOf(BenchTrainers.WEIGHT_DECAY),
            "--seed",
            String.valueOf(BenchTrainers.SEED)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    if (preload != null) {
      Path dir = Path.of(preload).getParent();
      pb.environment().put("LD_PRELOAD", preload);
      pb.environment().merge("LD_LIBRARY_PATH", dir.toString(), (a, b) -> b + ":" + a);
      pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
    }
    Session s = new Session(pb.start());
    JsonNode ready = s.readResult();
    if (!ready.path("ready").asBoolean()) {
      s.close();
      throw new IOException("torch_engine.py did not report readiness: " + ready);
    }
    return s;
  }

  /** One timed chunk: {@code steps} steps took {@code seconds}. */
  record Chunk(int steps, double seconds, double lastLoss) {}

  /** A running PyTorch trainer. */
  static final class Session implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private Session(Process process) {
      this.process = process;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Trains {@code steps} more steps and returns PyTorch's own timing of them. */
    Chunk run(int steps) throws IOException {
      in.write(steps + "\n");
      in.flush();
      JsonNode n = readResult();
      return new Chunk(
          n.get("steps").asInt(), n.get("seconds").asDouble(), n.path("last_loss").asDouble());
    }

    /** The next JSON line of the script's output (other lines are skipped). */
    private JsonNode readResult() throws IOException {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.trim().startsWith("{")) {
          return JSON.readTree(line);
        }
      }
      throw new IOException("torch_engine.py stopped (exit " + exitCode() + ")");
    }

    private String exitCode() {
      return process.isAlive() ? "still running" : String.valueOf(process.exitValue());
    }

    /** Asks the script to stop, and ends it if it does not. */
    @Override
    public void close() throws IOException {
      try {
        if (process.isAlive()) {
          in.write(QUIT + "\n");
          in.flush();
        }
      } catch (IOException e) {
        // The pipe is closed when the script has already stopped; nothing left to ask.
      }
      try {
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
