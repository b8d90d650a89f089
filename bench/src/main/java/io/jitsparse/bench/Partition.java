package io.jitsparse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A network partition between nodes that are hosts on loopback addresses of one machine, made with
 * nftables (as root). Every node's process is placed in a cgroup (v2) of its own; a cut drops, in
 * the output hook, every packet a process of one side sends to an address of the other. Matching by
 * the sending process and not by source address is what makes it a partition: on loopback the
 * kernel gives outbound connections the source 127.0.0.1 whatever address a node listens on. The
 * machine itself (this program's scrapes, for one) still reaches every node.
 */
final class Partition implements AutoCloseable {

  /** Where the v2 hierarchy is mounted (beside the v1 controllers, or alone). */
  private static final List<Path> CGROUP2_MOUNTS =
      List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"));

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final long COMMAND_SECONDS = 30;

  private final String table;
  private final Path mount;
  private final Path group;
  private final Map<String, Path> nodes = new LinkedHashMap<>();
  private boolean cut;

  /**
   * @param name identifies this run's cgroup folder and nftables table (letters, digits, '_')
   * @throws IllegalStateException when nftables or a writable cgroup v2 hierarchy is missing
   */
  Partition(String name) throws IOException, InterruptedException {
    if (!name.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("partition name '" + name + "': letters, digits, '_'");
    }
    this.table = "jitsparse_" + name;
    this.mount = cgroup2Mount();
    this.group = mount.resolve("jitsparse-" + name);
    nft("list", "tables");
    Files.createDirectories(group);
  }

  /** Whether this machine can make partitions: root, nftables and a cgroup v2 hierarchy. */
  static String missing() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "partitions need root (nftables, cgroups)";
    }
    if (ExternalTool.find("nft") == null) {
      return "partitions need nftables (apt-get install nftables)";
    }
    try {
      cgroup2Mount();
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    return null;
  }

  /** Moves process {@code pid} (all its threads, and what it starts later) into node's cgroup. */
  void place(String node, long pid) throws IOException {
    Path dir = nodes.computeIfAbsent(node, n -> group.resolve(n));
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid), StandardCharsets.US_ASCII);
  }

  /**
   * Cuts every link between the nodes of {@code a} and {@code b}: packets a process of {@code a}
   * sends to any of {@code bAddresses} are dropped, and the reverse.
   */
  void cut(List<String> a, List<String> aAddresses, List<String> b, List<String> bAddresses)
      throws IOException, InterruptedException {
    nft("add", "table", "inet", table);
    nft(
        "add",
        "chain",
        "inet",
        table,
        "out",
        "{ type filter hook output priority 0; policy accept; }");
    for (String n : a) {
      drop(n, bAddresses);
    }
    for (String n : b) {
      drop(n, aAddresses);
    }
    cut = true;
  }

  private void drop(String node, List<String> addresses) throws IOException, InterruptedException {
    Path dir = nodes.get(node);
    if (dir == null) {
      throw new IllegalStateException(node + " was never placed in its cgroup");
    }
    String path = CGROUP_ROOT.relativize(dir).toString();
    int level = mount.relativize(dir).getNameCount();
    for (String address : addresses) {
      nft(
          "add",
          "rule",
          "inet",
          table,
          "out",
          "socket",
          "cgroupv2",
          "level",
          Integer.toString(level),
          "\"" + path + "\"",
          "ip",
          "daddr",
          address,
          "drop");
    }
  }

  /** Heals the cut: every rule removed. */
  void heal() throws IOException, InterruptedException {
    if (cut) {
      nft("delete", "table", "inet", table);
      cut = false;
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    heal();
    // a cgroup folder goes once its processes have; one still busy is left for the kernel
    List<Path> dirs = new ArrayList<>(nodes.values());
    dirs.add(group);
    for (Path d : dirs) {
      try {
        Files.deleteIfExists(d);
      } catch (IOException e) {
        System.out.println("hosts: cgroup " + d + " not removed: " + e.getMessage());
      }
    }
  }

  private static Path cgroup2Mount() {
    for (Path p : CGROUP2_MOUNTS) {
      if (Files.isRegularFile(p.resolve("cgroup.procs")) && Files.isWritable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("partitions need a writable cgroup v2 hierarchy");
  }

  private static void nft(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("nft"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
    }
  }

  /** Finds a program on the PATH. */
  private static final class ExternalTool {
    static Path find(String name) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
      for (String dir : List.of("/usr/sbin", "/sbin")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
      return null;
    }
  }
}
