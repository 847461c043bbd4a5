/*
 * Public keys and ECDSA verification for Sigstore (docs/provenance.md):
 * Fulcio's CA keys are P-384, leaf and Rekor keys P-256. The Intel path keeps
 * its P-256-only crypto.h; this adds P-384 over BearSSL's generic i31 curve
 * code (ec_prime_i31), used here only.
 */
#ifndef CV_SIGSTORE_CRYPTO_H
#define CV_SIGSTORE_CRYPTO_H

#include "cv.h"

typedef enum { CV_SS_HASH_SHA256 = 1, CV_SS_HASH_SHA384 = 2 } cv_ss_hash;

/* An EC public key: curve 256 or 384, q the uncompressed point 04||x||y. */
typedef struct {
	int curve_bits;          /* 256 or 384; 0 = none */
	uint8_t q[97];
	size_t q_len;
} cv_ss_key;

/*
 * Parse a DER SubjectPublicKeyInfo holding an id-ecPublicKey on P-256 or
 * P-384 (uncompressed point). Anything else fails (CV_PROVENANCE_MALFORMED):
 * RSA and Ed25519 keys are not supported (docs/provenance.md).
 */
cv_err cv_ss_key_parse_spki(const uint8_t *der, size_t len, cv_ss_key *k, cv_diag *d);

/* Hash msg with h into out (32 or 48 bytes); returns the digest length. */
size_t cv_ss_digest(cv_ss_hash h, const uint8_t *msg, size_t len, uint8_t out[48]);

/* 1 when the DER ECDSA signature over the given digest verifies under k. */
int cv_ss_verify_digest(const cv_ss_key *k, const uint8_t *digest, size_t digest_len, const uint8_t *sig_der,
	size_t sig_len);

/* 1 when the DER ECDSA signature over hash h of msg verifies under k. */
int cv_ss_verify(const cv_ss_key *k, cv_ss_hash h, const uint8_t *msg, size_t len, const uint8_t *sig_der,
	size_t sig_len);

#endif
