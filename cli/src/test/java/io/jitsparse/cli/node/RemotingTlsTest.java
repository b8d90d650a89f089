package io.jitsparse.cli.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.cli.cluster.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --tls-dir}: a folder made by {@code k8s/tls/make-certs.sh} turns Artery's {@code tls-tcp}
 * transport on with Pekko's PEM-reading engine; a missing, foreign or broken file fails at start in
 * one line naming it.
 */
class RemotingTlsTest {

  private static final String ENGINE = "pekko.remote.artery.ssl.rotating-keys-engine.";

  @TempDir static Path dir;
  private static Path good;
  private static Path other;

  @BeforeAll
  static void certificates() throws Exception {
    good = TestCertificates.make(dir.resolve("good"));
    other = TestCertificates.make(dir.resolve("other"));
  }

  private static Config with(Path tlsDir) {
    return NodeConfig.load()
        .withValue("jitsparse.node.tls-dir", ConfigValueFactory.fromAnyRef(tlsDir.toString()));
  }

  /** The error of a node started with {@code tlsDir}; checks it is one line naming the flag. */
  private static String error(Path tlsDir) {
    String m =
        assertThrows(IllegalArgumentException.class, () -> NodeSettings.create(with(tlsDir)))
            .getMessage();
    assertTrue(m.startsWith("jitsparse.node.tls-dir (--tls-dir) = " + tlsDir + ": "), m);
    assertFalse(m.contains("\n"), m);
    return m;
  }

  /** A copy of the good folder with {@code file} taken from {@code from}, or removed if null. */
  private static Path goodWith(String name, String file, Path from) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    for (String f : new String[] {RemotingTls.CERT, RemotingTls.KEY, RemotingTls.CA}) {
      Path source = f.equals(file) ? from : good;
      if (source != null) {
        Files.copy(source.resolve(f), d.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return d;
  }

  @Test
  void aGoodFolderTurnsOnTlsTcpWithItsFiles() {
    NodeSettings s = NodeSettings.create(with(good));
    assertEquals(good, s.tls().orElseThrow().dir());
    Config c = ClusterNode.withNode(with(good), s, Set.of("agent")).getConfig("pekko.remote");
    assertEquals("tls-tcp", c.getString("artery.transport"));
    assertEquals(
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
        c.getString("artery.ssl.ssl-engine-provider"));
    Config root = ClusterNode.withNode(with(good), s, Set.of("agent"));
    assertEquals(good.resolve("tls.crt").toString(), root.getString(ENGINE + "cert-file"));
    assertEquals(good.resolve("tls.key").toString(), root.getString(ENGINE + "key-file"));
    assertEquals(good.resolve("ca.crt").toString(), root.getString(ENGINE + "ca-cert-file"));
  }

  @Test
  void withoutTlsDirRemotingIsPlainTcp() {
    NodeSettings s = NodeSettings.create(NodeConfig.load());
    assertTrue(s.tls().isEmpty());
    assertEquals(
        "tcp",
        ClusterNode.withNode(NodeConfig.load(), s, Set.of("env"))
            .getString("pekko.remote.artery.transport"));
  }

  @Test
  void aMissingFolderOrFileIsNamed() throws IOException {
    assertTrue(error(dir.resolve("nowhere")).endsWith("no such folder " + dir.resolve("nowhere")));
    for (String f : new String[] {RemotingTls.CERT, RemotingTls.KEY, RemotingTls.CA}) {
      Path d = goodWith("without-" + f, f, null);
      assertTrue(error(d).endsWith(f + " (" + d.resolve(f) + ") is missing"), f);
    }
  }

  @Test
  void aCertificateOfAnotherAuthorityIsRefused() throws IOException {
    Path d = goodWith("foreign-ca", RemotingTls.CA, other);
    assertTrue(error(d).contains("tls.crt (" + d.resolve("tls.crt") + ") is not signed by ca.crt"));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws IOException {
    Path d = goodWith("foreign-key", RemotingTls.KEY, other);
    assertTrue(error(d).contains("tls.key (" + d.resolve("tls.key") + ") is not the private key"));
  }

  @Test
  void filesThatAreNotPemAreRefused() throws IOException {
    Path cert = goodWith("broken-cert", null, null);
    // replaced, not written over: the script makes the files read-only
    Files.delete(cert.resolve(RemotingTls.CERT));
    Files.writeString(cert.resolve(RemotingTls.CERT), "not a certificate\n");
    assertTrue(error(cert).contains("tls.crt (" + cert.resolve("tls.crt") + ") is not a valid"));
    Path key = goodWith("broken-key", null, null);
    Files.delete(key.resolve(RemotingTls.KEY));
    Files.writeString(key.resolve(RemotingTls.KEY), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
    assertTrue(error(key).contains("tls.key (" + key.resolve("tls.key") + ") is not an"));
  }
}
