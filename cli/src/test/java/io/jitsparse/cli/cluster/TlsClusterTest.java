package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication, with real JVMs on loopback: an agent-node and a
 * {@code loadgen} env node (simulated trainers speaking the trainers' protocol without training),
 * both started with {@code --tls-dir} on certificates that {@code k8s/tls/make-certs.sh} makes in
 * the test's folder, form a cluster and the trainers' transitions reach the agent's replay. Then
 * two intruders try to join the agent: a node speaking plain TCP, and a node with a certificate of
 * another authority. Neither becomes a member (each gives up after its join timeout with exit code
 * 4), the agent still sees one env node, and no trainer of theirs registers or gets an explorer.
 * Last, plain TLS clients at the agent's remoting port show that the agent itself refuses a client
 * with no certificate and one whose certificate another authority signed even though it trusts the
 * cluster's authority, while a client holding the cluster's certificate is let in (the control),
 * and a TLS node that ends by itself exits. Every process the test starts is ended by it.
 */
class TlsClusterTest {

  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration SETTLE = Duration.ofSeconds(60);

  /** An intruder's --join-timeout: how long it keeps trying before it exits. */
  private static final Duration INTRUDER_JOIN_TIMEOUT = Duration.ofSeconds(15);

  /** An intruder's start, join attempts and exit. */
  private static final Duration INTRUDER_DONE = START.plus(INTRUDER_JOIN_TIMEOUT);

  /** A TLS client the agent let in sees no data and no close within this. */
  private static final int ACCEPTED_READ_TIMEOUT_MILLIS = 3000;

  private static final String HOST = "127.0.0.1";
  private static final int TRAINERS = 2;
  private static final Pattern MEMBER_UP = Pattern.compile("jitsparse: member up");
  private static final Pattern TLS_ON =
      Pattern.compile("jitsparse: remoting over TLS with mutual authentication");
  private static final Pattern COULD_NOT_JOIN =
      Pattern.compile("jitsparse: error: could not join the cluster");
  private static final Pattern FOREIGN_SERVER =
      Pattern.compile("SSLHandshakeException: PKIX path validation failed");
  private static final int EXIT_JOIN_FAILED = 4;

  /** The measured window of a loadgen that ends by itself. */
  private static final Duration BRIEF = Duration.ofSeconds(3);

  private static final Pattern LOADGEN_DONE = Pattern.compile("jitsparse loadgen: .* done: ");
  private static final String EXPLORERS = "jitsparse_agent_explorers";
  private static final String REGISTRATIONS = "jitsparse_agent_registrations_total";
  private static final String RECEIVED = "jitsparse_agent_replay_transitions_received_total";

  @TempDir Path dir;

  @Test
  void onlyNodesWithACertificateOfTheClusterAuthorityJoinOrSend() throws Exception {
    Path good = TestCertificates.make(dir.resolve("tls"));
    Path other = TestCertificates.make(dir.resolve("other-ca"));
    List<NodeProcess> all = new ArrayList<>();
    try {
      long start = System.nanoTime();
      NodeProcess agent = agent(good);
      all.add(agent);
      agent.await(TLS_ON, START);
      String seed = agent.clusterHostPort(START);
      String agentHttp = agent.httpBase(START);
      agent.await(MEMBER_UP, START);
      NodeProcess member = loadgen("member", seed, List.of("--tls-dir", good.toString()));
      all.add(member);
      member.await(TLS_ON, START);
      member.await(MEMBER_UP, START);
      NodeProcess.awaitTrue(
          () ->
              NodeProcess.membersUp(agentHttp, "env") == 1
                  && NodeProcess.metricOrNaN(agentHttp, EXPLORERS) == TRAINERS
                  && NodeProcess.metricOrNaN(agentHttp, RECEIVED) > 0,
          SETTLE,
          agent);
      System.out.printf(
          "TLS cluster: agent and env node up, %d explorers, transitions in replay after %.1f s%n",
          TRAINERS, (System.nanoTime() - start) / 1e9);
      double registrations = NodeProcess.metricOrNaN(agentHttp, REGISTRATIONS);

      // both intruders at once: each tries for its join timeout, then exits
      String joinTimeout = INTRUDER_JOIN_TIMEOUT.toSeconds() + "s";
      NodeProcess plain = loadgen("plain-tcp", seed, List.of("--join-timeout", joinTimeout));
      all.add(plain);
      NodeProcess foreign =
          loadgen(
              "other-ca",
              seed,
              List.of("--join-timeout", joinTimeout, "--tls-dir", other.toString()));
      all.add(foreign);
      for (NodeProcess intruder : List.of(plain, foreign)) {
        intruder.await(COULD_NOT_JOIN, INTRUDER_DONE);
        assertTrue(
            intruder.process().waitFor(SETTLE.toSeconds(), TimeUnit.SECONDS), intruder.tail(20));
        assertEquals(EXIT_JOIN_FAILED, intruder.process().exitValue(), intruder.tail(20));
        assertFalse(MEMBER_UP.matcher(intruder.tail(Integer.MAX_VALUE)).find(), intruder.tail(40));
      }
      foreign.await(TLS_ON, START);
      // it does not trust the agent's certificate either: the agent's own refusal of a foreign
      // certificate is what the TLS clients below show
      foreign.await(FOREIGN_SERVER, START);
      // the agent's view did not change: one env node, its trainers only, and still fed
      assertEquals(1.0, NodeProcess.membersUp(agentHttp, "env"), agent.tail(40));
      assertEquals(1.0, NodeProcess.membersUp(agentHttp, "agent"), agent.tail(40));
      assertEquals(TRAINERS, NodeProcess.metricOrNaN(agentHttp, EXPLORERS), agent.tail(40));
      assertEquals(registrations, NodeProcess.metricOrNaN(agentHttp, REGISTRATIONS));
      double received = NodeProcess.metricOrNaN(agentHttp, RECEIVED);
      NodeProcess.awaitTrue(
          () -> NodeProcess.metricOrNaN(agentHttp, RECEIVED) > received, SETTLE, agent);
      assertTrue(member.isAlive() && agent.isAlive(), agent.tail(40));

      int port = Integer.parseInt(seed.substring(seed.lastIndexOf(':') + 1));
      KeyStore trustsCluster = trusting(good.resolve("ca.crt"));
      assertTrue(
          accepted(port, keys(TestCertificates.pkcs12(good)), trustsCluster),
          "control: a client with the cluster's certificate completes the handshake");
      assertFalse(accepted(port, null, trustsCluster), "a client with no certificate");
      assertFalse(
          accepted(port, keys(TestCertificates.pkcs12(other)), trustsCluster),
          "a client with a certificate of another authority");
      assertTrue(agent.isAlive(), agent.tail(40));

      // a TLS node that ends by itself exits: its wait for the actor system is bounded (Artery of
      // Pekko 1.2.1 can wait for a TLS stream for good)
      NodeProcess brief =
          NodeProcess.start(
              "brief",
              "384m",
              dir.resolve("brief.log"),
              List.of(),
              loadgenArgs(
                  seed,
                  NodeProcess.simulatedTrainers("brief", TRAINERS, BRIEF),
                  List.of("--tls-dir", good.toString())));
      all.add(brief);
      brief.await(LOADGEN_DONE, START);
      assertTrue(brief.process().waitFor(SETTLE.toSeconds(), TimeUnit.SECONDS), brief.tail(20));
      assertEquals(0, brief.process().exitValue(), brief.tail(20));
    } finally {
      for (NodeProcess p : all) {
        p.close();
      }
    }
  }

  /**
   * Whether the agent at {@code port} keeps a TLS connection from a client presenting {@code keys}
   * (none when null): the handshake succeeds and the connection stays open, silent, until the read
   * times out. A refused client sees the handshake fail, an alert, or the connection closed.
   */
  private static boolean accepted(int port, KeyManager[] keys, KeyStore trust) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys, tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(HOST, port)) {
      socket.setSoTimeout(ACCEPTED_READ_TIMEOUT_MILLIS);
      socket.startHandshake();
      InputStream in = socket.getInputStream();
      // Artery waits for the client's first frame: a kept connection answers nothing
      return in.read() != -1;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (SSLException | SocketException e) {
      System.out.println("TLS client refused: " + e);
      return false;
    }
  }

  private static KeyManager[] keys(Path p12) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, TestCertificates.P12_PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, TestCertificates.P12_PASSWORD.toCharArray());
    return kmf.getKeyManagers();
  }

  private static KeyStore trusting(Path caCert) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caCert)) {
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    return ks;
  }

  private NodeProcess agent(Path tls) throws IOException {
    String name = "agent";
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent-node",
                "--host",
                HOST,
                "--port",
                "0",
                "--http-port",
                "0",
                "--tls-dir",
                tls.toString(),
                "--run-id",
                "tls-test",
                "--out",
                dir.resolve("agent-out").toString()));
    args.addAll(NodeProcess.SMALL_LEARNER);
    return NodeProcess.start(
        name, "768m", dir.resolve(name + ".log"), List.of(), args.toArray(String[]::new));
  }

  /** A {@code loadgen} node joining {@code seed} with {@code extra} flags (TLS or not). */
  private NodeProcess loadgen(String name, String seed, List<String> extra) throws IOException {
    return NodeProcess.start(
        name,
        "384m",
        dir.resolve(name + ".log"),
        List.of(),
        loadgenArgs(seed, NodeProcess.simulatedTrainers(name, TRAINERS), extra));
  }

  private static String[] loadgenArgs(String seed, List<String> trainers, List<String> extra) {
    List<String> args =
        new ArrayList<>(List.of("loadgen", "--seed-node", seed, "--host", HOST, "--port", "0"));
    args.addAll(trainers);
    args.addAll(extra);
    return args.toArray(String[]::new);
  }
}
