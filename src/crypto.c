/*
 * SHA-2 and ECDSA P-256 verification over BearSSL. Only the P-256 "m31"
 * implementation and the i31 ECDSA verifier are linked, which keeps the
 * WASM small.
 */
#include <string.h>

#include "bearssl_ec.h"
#include "bearssl_hash.h"

#include "crypto.h"

_Static_assert(sizeof(cv_sha384_ctx) >= sizeof(br_sha384_context), "sha384 ctx");
_Static_assert(sizeof(cv_sha256_ctx) >= sizeof(br_sha256_context), "sha256 ctx");

void cv_sha256(const void *data, size_t len, uint8_t out[32])
{
	br_sha256_context c;
	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, out);
}

void cv_sha384(const void *data, size_t len, uint8_t out[48])
{
	br_sha384_context c;
	br_sha384_init(&c);
	br_sha384_update(&c, data, len);
	br_sha384_out(&c, out);
}

void cv_sha384_init(cv_sha384_ctx *c) { br_sha384_init((br_sha384_context *)c); }
void cv_sha384_update(cv_sha384_ctx *c, const void *data, size_t len)
{
	br_sha384_update((br_sha384_context *)c, data, len);
}
void cv_sha384_final(cv_sha384_ctx *c, uint8_t out[48]) { br_sha384_out((br_sha384_context *)c, out); }

void cv_sha256_init(cv_sha256_ctx *c) { br_sha256_init((br_sha256_context *)c); }
void cv_sha256_update(cv_sha256_ctx *c, const void *data, size_t len)
{
	br_sha256_update((br_sha256_context *)c, data, len);
}
void cv_sha256_final(cv_sha256_ctx *c, uint8_t out[32]) { br_sha256_out((br_sha256_context *)c, out); }

int cv_ecdsa_p256_verify_hash(const uint8_t pub_xy[64], const uint8_t hash[32], const uint8_t sig_raw[64])
{
	uint8_t q[65];
	br_ec_public_key pk;

	q[0] = 0x04;
	memcpy(q + 1, pub_xy, 64);
	pk.curve = BR_EC_secp256r1;
	pk.q = q;
	pk.qlen = sizeof q;
	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, 32, &pk, sig_raw, 64) == 1;
}

int cv_ecdsa_p256_verify_raw(const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t sig_raw[64])
{
	uint8_t hash[32];
	cv_sha256(msg, msg_len, hash);
	return cv_ecdsa_p256_verify_hash(pub_xy, hash, sig_raw);
}

/* Read one DER INTEGER holding a positive value < 2^256 into 32 big-endian bytes. */
static int der_int_to_32(const uint8_t **p, const uint8_t *end, uint8_t out[32])
{
	const uint8_t *c = *p;
	if (end - c < 2 || c[0] != 0x02 || c[1] & 0x80)
		return 0;
	size_t len = c[1];
	c += 2;
	if (len == 0 || (size_t)(end - c) < len || c[0] & 0x80)
		return 0;
	const uint8_t *v = c;
	size_t vlen = len;
	if (vlen > 1 && v[0] == 0x00) {
		if (!(v[1] & 0x80))
			return 0; /* non-minimal encoding */
		v++;
		vlen--;
	}
	if (vlen > 32)
		return 0;
	memset(out, 0, 32);
	memcpy(out + 32 - vlen, v, vlen);
	*p = c + len;
	return 1;
}

int cv_ecdsa_sig_der_to_raw(const uint8_t *sig_der, size_t sig_len, uint8_t raw[64])
{
	const uint8_t *p = sig_der, *end = sig_der + sig_len;
	/* SEQUENCE { INTEGER r, INTEGER s }, short-form lengths only (at most 72 bytes). */
	if (sig_len < 8 || p[0] != 0x30 || p[1] & 0x80 || (size_t)p[1] + 2 != sig_len)
		return 0;
	p += 2;
	return der_int_to_32(&p, end, raw) && der_int_to_32(&p, end, raw + 32) && p == end;
}

int cv_ecdsa_p256_verify_der(const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t *sig_der, size_t sig_len)
{
	uint8_t raw[64];
	if (!cv_ecdsa_sig_der_to_raw(sig_der, sig_len, raw))
		return 0;
	return cv_ecdsa_p256_verify_raw(pub_xy, msg, msg_len, raw);
}
