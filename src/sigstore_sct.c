/*
 * Embedded SCTs of a Fulcio certificate (sigstore.h): Fulcio logs each
 * precertificate to a certificate transparency log and embeds the log's
 * signed promise (RFC 6962 SignedCertificateTimestamp) in the certificate,
 * so a certificate issued out of public view cannot verify.
 *
 * The signed data of an SCT over a precertificate is
 *   version(1)=0 | signature_type(1)=0 | timestamp(8) | entry_type(2)=1 |
 *   SHA-256(issuer SubjectPublicKeyInfo)(32) | len(3) | TBS without the SCT
 *   extension | len(2) | SCT extensions.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "sigstore.h"

#define INVALID(...) cv_fail(d, CV_PROVENANCE_INVALID, __VA_ARGS__)

/* DER length octets of n into out; returns their count. */
static size_t der_len(size_t n, uint8_t out[5])
{
	if (n < 0x80) {
		out[0] = (uint8_t)n;
		return 1;
	}
	size_t k = 0;
	for (size_t v = n; v; v >>= 8)
		k++;
	out[0] = (uint8_t)(0x80u | k);
	for (size_t i = 0; i < k; i++)
		out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	return 1 + k;
}

/* The TBS with the SCT list extension removed, DER re-encoded into out
 * (cap >= leaf->tbs.len); returns its length, 0 when the layout is unexpected. */
static size_t precert_tbs(const cv_ss_cert *c, uint8_t *out, size_t cap)
{
	const uint8_t *tv = c->tbs_val.ptr, *xt = c->exts_tlv.ptr, *xv = c->exts_val.ptr, *se = c->sct_ext.ptr;
	/* The extensions must be the last TBS element and hold the SCT extension. */
	if (xt < tv || xt + c->exts_tlv.len != tv + c->tbs_val.len || se < xv || se + c->sct_ext.len > xv + c->exts_val.len)
		return 0;
	size_t exts_len = c->exts_val.len - c->sct_ext.len;
	uint8_t l1[5], l2[5], l3[5];
	size_t n1 = der_len(exts_len, l1);
	size_t ctx_len = 1 + n1 + exts_len;
	size_t n2 = der_len(ctx_len, l2);
	size_t prefix = (size_t)(xt - tv);
	size_t tbs_len = prefix + 1 + n2 + ctx_len;
	size_t n3 = der_len(tbs_len, l3);
	if (1 + n3 + tbs_len > cap)
		return 0;
	uint8_t *p = out;
	*p++ = 0x30;
	memcpy(p, l3, n3), p += n3;
	memcpy(p, tv, prefix), p += prefix;
	*p++ = 0xA3;
	memcpy(p, l2, n2), p += n2;
	*p++ = 0x30;
	memcpy(p, l1, n1), p += n1;
	memcpy(p, xv, (size_t)(se - xv)), p += se - xv;
	memcpy(p, se + c->sct_ext.len, (size_t)(xv + c->exts_val.len - (se + c->sct_ext.len)));
	p += xv + c->exts_val.len - (se + c->sct_ext.len);
	return (size_t)(p - out);
}

static const cv_ss_tlog *find_ctlog(const cv_ss_root *root, const uint8_t *id)
{
	for (size_t i = 0; i < root->n_ctlogs; i++)
		if (memcmp(root->ctlogs[i].log_id, id, 32) == 0)
			return &root->ctlogs[i];
	return NULL;
}

/* 1 when this one SCT verifies under a CT log of the trusted root. */
static int one_sct(const uint8_t *s, size_t n, const uint8_t key_hash[32], const uint8_t *tbs, size_t tbs_len,
	const cv_ss_root *root)
{
	/* version(1) log_id(32) timestamp(8) ext_len(2) ext hash(1) sig(1) sig_len(2) sig */
	if (n < 1 + 32 + 8 + 2 || s[0] != 0)
		return 0;
	size_t ext_len = (size_t)s[41] << 8 | s[42];
	if (n < 43 + ext_len + 4)
		return 0;
	const uint8_t *ext = s + 43;
	const uint8_t *sg = ext + ext_len;
	size_t sig_len = (size_t)sg[2] << 8 | sg[3];
	/* SHA-256 (4) with ECDSA (3): what the trusted roots' CT logs use. */
	if (sg[0] != 4 || sg[1] != 3 || 43 + ext_len + 4 + sig_len != n)
		return 0;
	const cv_ss_tlog *log = find_ctlog(root, s + 1);
	uint64_t ms = 0;
	for (int i = 0; i < 8; i++)
		ms = ms << 8 | s[33 + i];
	int64_t t = (int64_t)(ms / 1000);
	if (!log || !log->usable || t < log->start || t > log->end)
		return 0;
	size_t len = 1 + 1 + 8 + 2 + 32 + 3 + tbs_len + 2 + ext_len;
	uint8_t *m = malloc(len);
	if (!m)
		return 0;
	uint8_t *p = m;
	*p++ = 0;
	*p++ = 0;
	memcpy(p, s + 33, 8), p += 8;
	*p++ = 0;
	*p++ = 1;
	memcpy(p, key_hash, 32), p += 32;
	*p++ = (uint8_t)(tbs_len >> 16);
	*p++ = (uint8_t)(tbs_len >> 8);
	*p++ = (uint8_t)tbs_len;
	memcpy(p, tbs, tbs_len), p += tbs_len;
	*p++ = (uint8_t)(ext_len >> 8);
	*p++ = (uint8_t)ext_len;
	memcpy(p, ext, ext_len);
	int ok = cv_ss_verify(&log->key, CV_SS_HASH_SHA256, m, len, sg + 4, sig_len);
	free(m);
	return ok;
}

cv_err cv_ss_sct_verify(const cv_ss_cert *leaf, const cv_ss_cert *issuer, const cv_ss_root *root, cv_diag *d)
{
	if (root->n_ctlogs == 0)
		return CV_OK;
	if (!leaf->sct_ext.len)
		return INVALID("The signing certificate carries no SCT, and the trusted root requires certificate transparency.");
	const uint8_t *l = leaf->sct_list.ptr;
	size_t n = leaf->sct_list.len;
	if (n < 2 || ((size_t)l[0] << 8 | l[1]) != n - 2)
		return INVALID("The signing certificate's SCT list is malformed.");
	if (leaf->tbs.len > 0xFFFFFF)
		return INVALID("The signing certificate is too large for an SCT.");
	uint8_t *tbs = malloc(leaf->tbs.len);
	if (!tbs)
		return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
	size_t tbs_len = precert_tbs(leaf, tbs, leaf->tbs.len);
	uint8_t key_hash[32];
	cv_sha256(issuer->spki.ptr, issuer->spki.len, key_hash);
	int ok = 0;
	for (size_t i = 2; tbs_len && i + 2 <= n && !ok;) {
		size_t sl = (size_t)l[i] << 8 | l[i + 1];
		if (i + 2 + sl > n)
			break;
		ok = one_sct(l + i + 2, sl, key_hash, tbs, tbs_len, root);
		i += 2 + sl;
	}
	free(tbs);
	if (!ok)
		return INVALID("No SCT of the signing certificate verifies under a certificate transparency log of the trusted root.");
	return CV_OK;
}
