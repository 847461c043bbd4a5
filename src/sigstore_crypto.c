/*
 * ECDSA P-256 / P-384 verification for Sigstore over BearSSL
 * (sigstore_crypto.h). P-256 uses the fast m31 code the Intel path already
 * links; P-384 the generic i31 code.
 */
#include <string.h>

#include "bearssl_ec.h"
#include "bearssl_hash.h"

#include "crypto.h"
#include "der.h"
#include "sigstore_crypto.h"

/* 1.2.840.10045.2.1 id-ecPublicKey; 1.2.840.10045.3.1.7 P-256; 1.3.132.0.34 P-384 */
static const uint8_t OID_EC_PUBKEY[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t OID_P256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };

cv_err cv_ss_key_parse_spki(const uint8_t *der, size_t len, cv_ss_key *k, cv_diag *d)
{
	cv_der_cur top, spki, alg;
	cv_der el, oid, curve, bits;
	cv_err e;

	memset(k, 0, sizeof *k);
	cv_der_init(&top, der, len, CV_PROVENANCE_MALFORMED, "public key", d);
	if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &spki, &el, "SubjectPublicKeyInfo")) != CV_OK ||
		(e = cv_der_expect_end(&top, "SubjectPublicKeyInfo")) != CV_OK ||
		(e = cv_der_expect_enter(&spki, CV_DER_SEQUENCE, &alg, &el, "algorithm")) != CV_OK ||
		(e = cv_der_expect(&alg, CV_DER_OID, &oid, "algorithm")) != CV_OK)
		return e;
	if (!cv_der_oid_eq(&oid, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY))
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The public key is not an EC key (only ECDSA P-256/P-384 are supported).");
	if ((e = cv_der_expect(&alg, CV_DER_OID, &curve, "curve")) != CV_OK ||
		(e = cv_der_expect_end(&alg, "algorithm")) != CV_OK ||
		(e = cv_der_expect(&spki, CV_DER_BIT_STRING, &bits, "public key")) != CV_OK ||
		(e = cv_der_expect_end(&spki, "SubjectPublicKeyInfo")) != CV_OK)
		return e;
	size_t coord;
	if (cv_der_oid_eq(&curve, OID_P256, sizeof OID_P256)) {
		k->curve_bits = 256;
		coord = 32;
	} else if (cv_der_oid_eq(&curve, OID_P384, sizeof OID_P384)) {
		k->curve_bits = 384;
		coord = 48;
	} else {
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The EC public key is on an unsupported curve (only P-256/P-384).");
	}
	/* BIT STRING: 0 unused bits, then 04 || x || y. */
	if (bits.val.len != 2 + 2 * coord || bits.val.ptr[0] != 0 || bits.val.ptr[1] != 0x04) {
		k->curve_bits = 0;
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The EC public key is not an uncompressed point of the right size.");
	}
	k->q_len = 1 + 2 * coord;
	memcpy(k->q, bits.val.ptr + 1, k->q_len);
	return CV_OK;
}

size_t cv_ss_digest(cv_ss_hash h, const uint8_t *msg, size_t len, uint8_t out[48])
{
	if (h == CV_SS_HASH_SHA384) {
		cv_sha384(msg, len, out);
		return 48;
	}
	cv_sha256(msg, len, out);
	return 32;
}

int cv_ss_verify_digest(const cv_ss_key *k, const uint8_t *digest, size_t digest_len, const uint8_t *sig_der,
	size_t sig_len)
{
	uint8_t raw[112];
	br_ec_public_key pk;

	if (k->curve_bits != 256 && k->curve_bits != 384)
		return 0;
	if (sig_len == 0 || sig_len > 2 * 48 + 8)
		return 0;
	memcpy(raw, sig_der, sig_len);
	size_t raw_len = br_ecdsa_asn1_to_raw(raw, sig_len);
	if (raw_len == 0 || raw_len > (k->curve_bits == 256 ? 64u : 96u))
		return 0;
	pk.curve = k->curve_bits == 256 ? BR_EC_secp256r1 : BR_EC_secp384r1;
	pk.q = (unsigned char *)k->q;
	pk.qlen = k->q_len;
	const br_ec_impl *impl = k->curve_bits == 256 ? &br_ec_p256_m31 : &br_ec_prime_i31;
	return br_ecdsa_i31_vrfy_raw(impl, digest, digest_len, &pk, raw, raw_len) == 1;
}

int cv_ss_verify(const cv_ss_key *k, cv_ss_hash h, const uint8_t *msg, size_t len, const uint8_t *sig_der,
	size_t sig_len)
{
	uint8_t dg[48];
	size_t n = cv_ss_digest(h, msg, len, dg);
	return cv_ss_verify_digest(k, dg, n, sig_der, sig_len);
}
