#!/usr/bin/env bash
# Makes the remoting TLS material of a jitsparse cluster with Debian's openssl: a CA and one node
# certificate that every node presents and accepts (docs/deploy.md "TLS").
#
#   k8s/tls/make-certs.sh [--days N] [--name NAME] OUT_DIR
#
# OUT_DIR receives tls.crt, tls.key and ca.crt (the keys of the Secret jitsparse-remoting-tls, the
# layout cert-manager writes) and ca.key, the CA's private key: keep it out of the cluster, it only
# signs node certificates. When OUT_DIR already holds ca.crt and ca.key the CA is reused and only a
# new node certificate is issued (rotation: the nodes read the files again within 5 minutes).
#
# What Artery's RotatingKeysSSLEngineProvider needs (pekko-remote reference.conf):
#   - an RSA key, unencrypted PKCS#8 PEM (what `openssl genpkey` writes);
#   - a node certificate signed directly by the CA (no intermediate);
#   - a subject name (CN or DNS SAN) that every node's certificate shares: after the handshake each
#     side checks that the peer's certificate carries one of its own names. Pod IPs change, so the
#     certificate names no address; --name (default jitsparse-node) is that shared name.
#   - clientAuth and serverAuth: every node is both the client and the server of a connection.
set -euo pipefail

days=365
ca_days=3650
name=jitsparse-node
key_bits=3072

usage() {
  sed -n '5,5p' "$0" | sed 's/^#   //' >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --days) days="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "make-certs.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || usage
out="$1"
command -v openssl >/dev/null || { echo "make-certs.sh: needs openssl (apt-get install openssl)" >&2; exit 3; }

umask 077
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ -s "$out/ca.crt" && -s "$out/ca.key" ]]; then
  echo "make-certs.sh: reusing the CA in $out" >&2
else
  openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$key_bits" -out "$out/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$ca_days" \
    -subj "/O=jitsparse/CN=jitsparse remoting CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
fi

openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$key_bits" -out "$work/tls.key" 2>/dev/null
openssl req -new -key "$work/tls.key" -subj "/O=jitsparse/CN=$name" -out "$work/tls.csr"
cat > "$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:$name
EXT
openssl x509 -req -in "$work/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -CAserial "$work/ca.srl" -sha256 -days "$days" -extfile "$work/ext.cnf" -out "$work/tls.crt" 2>/dev/null
openssl verify -CAfile "$out/ca.crt" "$work/tls.crt" >/dev/null
mv "$work/tls.key" "$work/tls.crt" "$out/"
# the node reads these three; ca.key stays private to whoever issues certificates
chmod 0444 "$out/tls.crt" "$out/ca.crt"
chmod 0400 "$out/tls.key" "$out/ca.key"

echo "make-certs.sh: $out/tls.crt (CN=$name, $days days), tls.key, ca.crt; CA key $out/ca.key" >&2
echo "kubectl -n jitsparse create secret generic jitsparse-remoting-tls \\"
echo "  --from-file=tls.crt=$out/tls.crt --from-file=tls.key=$out/tls.key --from-file=ca.crt=$out/ca.crt"
