package io.jitsparse.cli.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.Map;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/**
 * Artery over TLS with mutual authentication: the folder holding a node's PEM files, in the layout
 * of a Kubernetes TLS Secret written by cert-manager ({@value #CERT}, {@value #KEY}, {@value #CA}),
 * checked at start so that a missing, unreadable or mismatched file is one line naming it rather
 * than a handshake failure on the first connection.
 *
 * <p>The node then runs transport {@code tls-tcp} with Pekko's {@code
 * RotatingKeysSSLEngineProvider} (set in {@code jitsparse-node.conf}), which reads these files
 * again every {@code ssl-context-cache-ttl} (5 minutes), so a renewed certificate is picked up
 * without a restart. That provider always requires the peer's certificate (mutual authentication),
 * trusts only {@value #CA}, and performs no hostname verification: after the handshake it checks
 * that the peer's certificate shares a subject name (CN or SAN) with this node's own. Pod IPs
 * change with every restart, so a certificate cannot name them; the shared name is what it checks
 * instead.
 *
 * @param dir the folder; every file is read from it
 */
public record RemotingTls(Path dir) {

  /** The node's certificate, signed directly by {@value #CA}. */
  public static final String CERT = "tls.crt";

  /** The node's RSA private key, unencrypted PKCS#8 or PKCS#1 PEM. */
  public static final String KEY = "tls.key";

  /** The one authority whose certificates this node accepts. */
  public static final String CA = "ca.crt";

  /** Artery's transport when TLS is on. */
  static final String TRANSPORT = "tls-tcp";

  private static final String ENGINE = "pekko.remote.artery.ssl.rotating-keys-engine.";

  /**
   * Checks the folder: every file present and readable, both certificates parse and are valid now,
   * {@value #CERT} is signed by {@value #CA}, and {@value #KEY} is an RSA key (the only kind
   * Pekko's PEM loader takes) that belongs to {@value #CERT}.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static RemotingTls load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no such folder " + dir);
    }
    X509Certificate ca = certificate(dir.resolve(CA));
    X509Certificate cert = certificate(dir.resolve(CERT));
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          file(dir.resolve(CERT))
              + " is not signed by "
              + CA
              + " (issuer "
              + cert.getIssuerX500Principal().getName()
              + ", CA "
              + ca.getSubjectX500Principal().getName()
              + ")");
    }
    PrivateKey key = privateKey(dir.resolve(KEY));
    if (!(key instanceof RSAKey rsaKey)
        || !(cert.getPublicKey() instanceof RSAKey rsaCert)
        || !rsaKey.getModulus().equals(rsaCert.getModulus())) {
      throw new IllegalArgumentException(
          file(dir.resolve(KEY)) + " is not the private key of " + CERT + " (an RSA key)");
    }
    return new RemotingTls(dir);
  }

  /** The Pekko settings that turn TLS on with these files. */
  Config pekkoConfig() {
    return ConfigFactory.parseMap(
        Map.of(
            "pekko.remote.artery.transport",
            TRANSPORT,
            ENGINE + "cert-file",
            dir.resolve(CERT).toString(),
            ENGINE + "key-file",
            dir.resolve(KEY).toString(),
            ENGINE + "ca-cert-file",
            dir.resolve(CA).toString()));
  }

  private static byte[] read(Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(file(file) + " is missing");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(file(file) + " is not a readable file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file(file) + " cannot be read: " + oneLine(e.getMessage()));
    }
  }

  private static X509Certificate certificate(Path file) {
    byte[] bytes = read(file);
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      X509Certificate c =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      c.checkValidity();
      return c;
    } catch (CertificateException | IOException e) {
      throw new IllegalArgumentException(
          file(file) + " is not a valid PEM certificate now: " + oneLine(e.getMessage()));
    }
  }

  private static PrivateKey privateKey(Path file) {
    String pem = new String(read(file), StandardCharsets.US_ASCII);
    try {
      // the loader Artery itself uses, so that what passes here also loads there
      return DERPrivateKeyLoader.load(PEMDecoder.decode(pem));
    } catch (RuntimeException e) {
      // PEMLoadingException, and the loader's own errors on an unknown key kind
      throw new IllegalArgumentException(
          file(file) + " is not an unencrypted RSA private key in PEM: " + oneLine(e.getMessage()));
    }
  }

  /** A library's message as one line: the node's error is one line. */
  private static String oneLine(String message) {
    return String.valueOf(message).replaceAll("\\s+", " ").trim();
  }

  private static String file(Path file) {
    return file.getFileName() + " (" + file + ")";
  }
}
