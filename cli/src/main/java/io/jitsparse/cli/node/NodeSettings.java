package io.jitsparse.cli.node;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a node listens and how it joins the cluster: section {@code jitsparse.node} of {@code
 * reference.conf}, every key also a flag of the node commands.
 *
 * @param host address other nodes reach this node at
 * @param port remoting port, 0 for a free one
 * @param tls the remoting TLS files when {@code tls-dir} is set; empty: plain TCP
 * @param httpPort port of the node's HTTP server, 0 for a free one, -1 for none
 * @param seedNodes seed nodes as {@code host:port}; empty: discovery, else a new cluster
 * @param discovery {@code ""}, {@link #CONFIG_DISCOVERY} or {@link #KUBERNETES_DISCOVERY}: how a
 *     node without seed nodes finds its cluster (Pekko Management Cluster Bootstrap)
 * @param contactPoints the HTTP addresses {@code host:port} config discovery probes
 * @param requiredContactPoints contact points Bootstrap must find before forming a new cluster
 * @param name node name for trainer ids, files and metrics; empty for {@code <host>-<port>}
 * @param joinTimeout how long to wait to become a member before giving up
 */
public record NodeSettings(
    String host,
    int port,
    Optional<RemotingTls> tls,
    int httpPort,
    List<String> seedNodes,
    String discovery,
    List<String> contactPoints,
    int requiredContactPoints,
    String name,
    Duration joinTimeout) {

  /** Cluster Bootstrap over the contact points listed in {@code jitsparse.node.contact-point}. */
  public static final String CONFIG_DISCOVERY = "config";

  /** Cluster Bootstrap over the pods the Kubernetes API lists. */
  public static final String KUBERNETES_DISCOVERY = "kubernetes-api";

  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]+:\\d{1,5}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final int MAX_PORT = 65535;

  /** Reads and checks {@code jitsparse.node}; errors name the key and the value. */
  public static NodeSettings create(Config root) {
    Config c = root.getConfig("jitsparse.node");
    String host = c.getString("host").trim();
    if (host.isEmpty() || host.equals("0.0.0.0")) {
      throw bad("host", host, "name the address other nodes reach this node at");
    }
    int port = port(c, "port", 0);
    Optional<RemotingTls> tls = tls(c.getString("tls-dir").trim());
    int httpPort = port(c, "http-port", -1);
    List<String> seeds = hostPorts(c, "seed-node");
    String discovery = c.getString("discovery").trim();
    if (!List.of("", CONFIG_DISCOVERY, KUBERNETES_DISCOVERY).contains(discovery)) {
      throw bad("discovery", discovery, "expected config, kubernetes-api or empty");
    }
    List<String> contactPoints = hostPorts(c, "contact-point");
    if (discovery.equals(CONFIG_DISCOVERY) && contactPoints.isEmpty()) {
      throw bad("contact-point", contactPoints, "config discovery needs contact points");
    }
    if (!discovery.isEmpty() && httpPort < 0) {
      throw bad("http-port", httpPort, "Cluster Bootstrap (--discovery) needs the HTTP server");
    }
    int requiredContactPoints = c.getInt("required-contact-points");
    if (requiredContactPoints < 1) {
      throw bad("required-contact-points", requiredContactPoints, "must be at least 1");
    }
    String name = c.getString("name").trim();
    if (!name.isEmpty() && !NAME.matcher(name).matches()) {
      throw bad("name", name, "use letters, digits, '.', '_' and '-' (it names files)");
    }
    Duration joinTimeout = c.getDuration("join-timeout");
    if (joinTimeout.isNegative() || joinTimeout.isZero()) {
      throw bad("join-timeout", joinTimeout, "must be positive");
    }
    return new NodeSettings(
        host,
        port,
        tls,
        httpPort,
        seeds,
        discovery,
        contactPoints,
        requiredContactPoints,
        name,
        joinTimeout);
  }

  /** A list of {@code host:port}, from a config list or one comma-separated string (env var). */
  private static List<String> hostPorts(Config c, String key) {
    List<String> list;
    if (c.getValue(key).valueType() == com.typesafe.config.ConfigValueType.STRING) {
      list = List.of(c.getString(key).split(","));
    } else {
      list = c.getStringList(key);
    }
    list = list.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String s : list) {
      if (!HOST_PORT.matcher(s).matches()
          || Integer.parseInt(s.substring(s.lastIndexOf(':') + 1)) > MAX_PORT
          || s.endsWith(":0")) {
        throw bad(key, s, "expected host:port with a port in 1..65535");
      }
    }
    return list;
  }

  /** Whether the node finds its cluster by Cluster Bootstrap rather than seed nodes. */
  public boolean bootstraps() {
    return seedNodes.isEmpty() && !discovery.isEmpty();
  }

  /** The checked TLS folder, empty when {@code dir} is; a bad file fails naming it. */
  private static Optional<RemotingTls> tls(String dir) {
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    try {
      // absolute: the files are named in logs and in the engine's config
      return Optional.of(RemotingTls.load(Path.of(dir).toAbsolutePath()));
    } catch (IllegalArgumentException e) {
      throw bad("tls-dir", dir, e.getMessage());
    }
  }

  private static int port(Config c, String key, int min) {
    int p = c.getInt(key);
    if (p < min || p > MAX_PORT) {
      throw bad(key, p, "must be in " + min + ".." + MAX_PORT);
    }
    return p;
  }

  private static IllegalArgumentException bad(String key, Object value, String why) {
    return new IllegalArgumentException(
        "jitsparse.node." + key + " (--" + key + ") = " + value + ": " + why);
  }

  /** The node name once the remoting port is known. */
  public String nodeName(int boundPort) {
    return name.isEmpty() ? host + "-" + boundPort : name;
  }
}
