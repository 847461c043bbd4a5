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

/* ---- Keccak-256 ---- */

static uint64_t rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t st[25])
{
	static const uint64_t rc[24] = {
		0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808Aull, 0x8000000080008000ull,
		0x000000000000808Bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
		0x000000000000008Aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000Aull,
		0x000000008000808Bull, 0x800000000000008Bull, 0x8000000000008089ull, 0x8000000000008003ull,
		0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800Aull, 0x800000008000000Aull,
		0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
	};
	static const unsigned rotc[24] = { 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
		27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44 };
	static const unsigned piln[24] = { 10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
		15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1 };
	uint64_t bc[5], t;
	for (int r = 0; r < 24; r++) {
		for (int i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (int i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		t = st[1];
		for (int i = 0; i < 24; i++) {
			unsigned j = piln[i];
			bc[0] = st[j];
			st[j] = rotl64(t, rotc[i]);
			t = bc[0];
		}
		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (int i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= rc[r];
	}
}

static void keccak_absorb_block(uint64_t st[25], const uint8_t *b)
{
	for (int i = 0; i < 17; i++) {
		uint64_t lane = 0;
		for (int k = 7; k >= 0; k--)
			lane = lane << 8 | b[8 * i + k];
		st[i] ^= lane;
	}
	keccak_f1600(st);
}

void cv_keccak256(const uint8_t *in, size_t len, uint8_t out[32])
{
	enum { RATE = 136 };
	uint64_t st[25] = { 0 };
	uint8_t last[RATE];
	while (len >= RATE) {
		keccak_absorb_block(st, in);
		in += RATE;
		len -= RATE;
	}
	/* Keccak padding (0x01 ... 0x80), not SHA-3's 0x06. */
	memset(last, 0, sizeof last);
	if (len)
		memcpy(last, in, len);
	last[len] ^= 0x01;
	last[RATE - 1] ^= 0x80;
	keccak_absorb_block(st, last);
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(st[i / 8] >> (8 * (i % 8)));
}
