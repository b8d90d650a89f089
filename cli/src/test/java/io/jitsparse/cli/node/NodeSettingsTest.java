package io.jitsparse.cli.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a node finds its cluster: seed nodes, or Cluster Bootstrap by config or Kubernetes API. */
class NodeSettingsTest {

  private static Config with(String node) {
    return ConfigFactory.parseString("jitsparse.node {" + node + "}")
        .withFallback(NodeConfig.load())
        .resolve();
  }

  private static String badKey(String node) {
    return assertThrows(IllegalArgumentException.class, () -> NodeSettings.create(with(node)))
        .getMessage();
  }

  @Test
  void withoutSeedsOrDiscoveryANodeStartsItsOwnCluster() {
    NodeSettings s = NodeSettings.create(with(""));
    assertEquals("", s.discovery());
    assertFalse(s.bootstraps());
    assertTrue(ClusterNode.bootstrap(s).isEmpty());
  }

  @Test
  void configDiscoveryListsEveryContactPointWithItsPort() {
    // JITSPARSE_CONTACT_POINTS arrives as one comma-separated string
    NodeSettings s =
        NodeSettings.create(
            with(
                "discovery = config, contact-point = \"127.0.0.2:8558, 127.0.0.3:8559\","
                    + " required-contact-points = 3"));
    assertTrue(s.bootstraps());
    assertEquals(List.of("127.0.0.2:8558", "127.0.0.3:8559"), s.contactPoints());
    Config c =
        ClusterNode.withNode(with("discovery = config"), s, Set.of("agent"))
            .getConfig("pekko.management.cluster.bootstrap");
    assertEquals("jitsparse", c.getString("contact-point-discovery.service-name"));
    assertEquals("config", c.getString("contact-point-discovery.discovery-method"));
    assertEquals(3, c.getInt("contact-point-discovery.required-contact-point-nr"));
    assertFalse(c.getBoolean("contact-point.filter-on-fallback-port"));
    Config endpoint =
        ClusterNode.bootstrap(s)
            .getConfigList("pekko.discovery.config.services.jitsparse.endpoints")
            .get(1);
    assertEquals("127.0.0.3", endpoint.getString("host"));
    assertEquals(8559, endpoint.getInt("port"));
  }

  @Test
  void kubernetesDiscoveryFindsThePodsOfThePartOfLabelOnPortHttp() {
    Config c = ClusterNode.bootstrap(NodeSettings.create(with("discovery = kubernetes-api")));
    assertEquals(
        "app.kubernetes.io/part-of=%s",
        c.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
    assertTrue(c.getBoolean("pekko.discovery.kubernetes-api.use-raw-ip"));
    assertEquals(
        "http",
        c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
  }

  @Test
  void seedNodesWinOverDiscovery() {
    NodeSettings s =
        NodeSettings.create(with("discovery = kubernetes-api, seed-node = [\"10.0.0.1:25520\"]"));
    assertFalse(s.bootstraps());
    assertTrue(ClusterNode.bootstrap(s).isEmpty());
  }

  @Test
  void badDiscoverySettingsNameTheirKey() {
    assertTrue(badKey("discovery = dns").contains("jitsparse.node.discovery"));
    assertTrue(badKey("discovery = config").contains("jitsparse.node.contact-point"));
    assertTrue(
        badKey("discovery = config, contact-point = [\"nohost\"]")
            .contains("jitsparse.node.contact-point"));
    assertTrue(
        badKey("discovery = kubernetes-api, http-port = -1").contains("jitsparse.node.http-port"));
    assertTrue(
        badKey("required-contact-points = 0").contains("jitsparse.node.required-contact-points"));
  }
}
