/*
 * The only cryptography the verifier needs, over BearSSL:
 * SHA-256, SHA-384 and ECDSA P-256 verification.
 */
#ifndef CV_CRYPTO_H
#define CV_CRYPTO_H

#include "cv.h"

void cv_sha256(const void *data, size_t len, uint8_t out[32]);
void cv_sha384(const void *data, size_t len, uint8_t out[48]);

/* Incremental SHA-384 (RTMR extension and event digests). */
typedef struct { uint64_t opaque[64]; } cv_sha384_ctx;
void cv_sha384_init(cv_sha384_ctx *c);
void cv_sha384_update(cv_sha384_ctx *c, const void *data, size_t len);
void cv_sha384_final(cv_sha384_ctx *c, uint8_t out[48]);

/* Incremental SHA-256. */
typedef struct { uint64_t opaque[32]; } cv_sha256_ctx;
void cv_sha256_init(cv_sha256_ctx *c);
void cv_sha256_update(cv_sha256_ctx *c, const void *data, size_t len);
void cv_sha256_final(cv_sha256_ctx *c, uint8_t out[32]);

/*
 * ECDSA P-256 with SHA-256 over msg.
 * pub_xy: the 64-byte raw x||y public key (no 0x04 prefix).
 * sig_raw: 64-byte r||s.
 * Returns 1 when the signature verifies, 0 otherwise (including malformed keys).
 */
int cv_ecdsa_p256_verify_raw(const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t sig_raw[64]);

/* Same, with an ASN.1 DER signature (SEQUENCE { INTEGER r, INTEGER s }), as in
 * X.509 certificates and CRLs. */
int cv_ecdsa_p256_verify_der(const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t *sig_der, size_t sig_len);

/* The same over a precomputed SHA-256 of the message. */
int cv_ecdsa_p256_verify_hash(const uint8_t pub_xy[64], const uint8_t hash[32], const uint8_t sig_raw[64]);

/* An ASN.1 DER ECDSA signature (as accepted by cv_ecdsa_p256_verify_der)
 * as 64-byte r||s. Returns 0 when malformed. */
int cv_ecdsa_sig_der_to_raw(const uint8_t *sig_der, size_t sig_len, uint8_t raw[64]);

/* Keccak-256 (Ethereum's, not SHA3-256): mr_config_id V2 (docs/checks.md
 * app.compose_hash). */
void cv_keccak256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
