package io.jitsparse.cli.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Loads the config every {@code jitsparse} command starts from: system properties, then {@code
 * application.conf}, then the node's Pekko settings ({@code jitsparse-node.conf}: cluster provider,
 * Artery, split-brain resolver, management routes), then every module's {@code reference.conf}. The
 * node settings cannot live in a {@code reference.conf}: the shaded jar concatenates those in an
 * order that lets Pekko's own defaults win.
 */
public final class NodeConfig {

  /** Resource holding the Pekko settings of a node. */
  public static final String NODE_RESOURCE = "jitsparse-node.conf";

  private NodeConfig() {}

  /** The resolved config. */
  public static Config load() {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.defaultOverrides()
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources(NODE_RESOURCE))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
