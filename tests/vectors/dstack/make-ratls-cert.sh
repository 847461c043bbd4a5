#!/bin/sh
# A FORGED RA-TLS certificate for tests (tests/vectors/README.md): a fresh
# P-256 key, self-signed, carrying the reconstructed stripped V1 attestation
# in dstack's extension 1.3.6.1.4.1.62397.1.8 (extnValue = DER OCTET STRING
# holding the attestation bytes). The quote inside is the real V0 fixture's,
# whose report_data is all zero: it is NOT bound to this certificate's key,
# so a binding check against it must fail.
#   sh tests/vectors/dstack/make-ratls-cert.sh
set -e
cd "$(dirname "$0")"
att=attestation_v1_stripped_reconstructed.bin
len=$(stat -c %s "$att")
hex=$(printf '0482%04x' "$len"; xxd -p "$att" | tr -d '\n')
tmp=$(mktemp -d)
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/key.pem"
cat > "$tmp/ext.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = forged-ratls-test.invalid
[ext]
basicConstraints = critical, CA:FALSE
1.3.6.1.4.1.62397.1.8 = DER:$hex
CNF
openssl req -new -x509 -key "$tmp/key.pem" -days 36500 -config "$tmp/ext.cnf" -extensions ext \
	-set_serial 1 -out ratls_forged_cert.pem
openssl x509 -in ratls_forged_cert.pem -outform DER -out ratls_forged_cert.der
# The expected report_data, computed independently of the verifier.
{ printf 'ratls-cert:'; openssl x509 -in ratls_forged_cert.pem -noout -pubkey | openssl pkey -pubin -outform DER; } |
	openssl dgst -sha512 -r | cut -c1-128 > ratls_forged_cert.report_data.hex
rm -rf "$tmp"
