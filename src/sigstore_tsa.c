/*
 * RFC 3161 timestamps of a bundle (sigstore.h): a timestamp authority of the
 * trusted root signed (CMS SignedData over a TSTInfo) that the bundle's
 * signature existed at genTime. A bundle that carries a timestamp must carry
 * a true one, and its time must fall within the signing certificate's
 * validity; a timestamp this verifier cannot check fails (fail closed).
 */
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "sigstore.h"
#include "util.h"

#define INVALID(...) cv_fail(d, CV_PROVENANCE_INVALID, __VA_ARGS__)

static const uint8_t OID_SHA256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
static const uint8_t OID_SHA384[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 };
static const uint8_t OID_SIGNED_DATA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const uint8_t OID_TSTINFO[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04 };
static const uint8_t OID_CONTENT_TYPE[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03 };
static const uint8_t OID_MESSAGE_DIGEST[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04 };

/* The parts of one token that verification needs. */
typedef struct {
	cv_ss_hash digest_alg;     /* SignerInfo digestAlgorithm */
	cv_bytes tst;              /* eContent: the TSTInfo DER */
	cv_bytes signed_attrs;     /* [0] signedAttrs TLV */
	cv_bytes sig;              /* the ECDSA signature */
	cv_bytes attr_digest;      /* the messageDigest attribute */
	int attr_type_ok;          /* the contentType attribute is TSTInfo */
	cv_ss_hash imprint_alg;
	cv_bytes imprint;          /* TSTInfo messageImprint hashedMessage */
	int64_t gen_time;
} tsa_token;

static cv_err alg_id(cv_der_cur *c, cv_ss_hash *h, const char *field)
{
	cv_der_cur in;
	cv_der el, oid;
	cv_err e;
	if ((e = cv_der_expect_enter(c, CV_DER_SEQUENCE, &in, &el, field)) != CV_OK ||
		(e = cv_der_expect(&in, CV_DER_OID, &oid, field)) != CV_OK)
		return e;
	if (cv_der_oid_eq(&oid, OID_SHA256, sizeof OID_SHA256))
		*h = CV_SS_HASH_SHA256;
	else if (cv_der_oid_eq(&oid, OID_SHA384, sizeof OID_SHA384))
		*h = CV_SS_HASH_SHA384;
	else
		return cv_fail(c->d, CV_PROVENANCE_INVALID, "The timestamp's %s is not SHA-256 or SHA-384.", field);
	return CV_OK; /* parameters (NULL or absent) are ignored */
}

static cv_err parse_tstinfo(tsa_token *t, cv_diag *d)
{
	cv_der_cur top, ti, mi;
	cv_der el, x;
	cv_err e;
	cv_der_init(&top, t->tst.ptr, t->tst.len, CV_PROVENANCE_INVALID, "timestamp", d);
	if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &ti, &el, "TSTInfo")) != CV_OK ||
		(e = cv_der_expect(&ti, CV_DER_INTEGER, &x, "version")) != CV_OK ||
		(e = cv_der_expect(&ti, CV_DER_OID, &x, "policy")) != CV_OK ||
		(e = cv_der_expect_enter(&ti, CV_DER_SEQUENCE, &mi, &el, "messageImprint")) != CV_OK ||
		(e = alg_id(&mi, &t->imprint_alg, "imprint algorithm")) != CV_OK ||
		(e = cv_der_expect(&mi, CV_DER_OCTET_STRING, &x, "hashedMessage")) != CV_OK)
		return e;
	t->imprint = x.val;
	if ((e = cv_der_expect(&ti, CV_DER_INTEGER, &x, "serialNumber")) != CV_OK)
		return e;
	if (cv_der_peek(&ti) != CV_DER_GEN_TIME)
		return INVALID("The timestamp's genTime is not a GeneralizedTime.");
	return cv_der_time(&ti, &t->gen_time, "genTime");
}

static cv_err parse_attrs(tsa_token *t, const cv_der_cur *si, const cv_der *attrs_el, cv_diag *d)
{
	cv_der_cur attrs, attr, set;
	cv_der el, oid, v;
	cv_err e;
	if ((e = cv_der_enter(si, attrs_el, &attrs, "signedAttrs")) != CV_OK)
		return e;
	while (!cv_der_at_end(&attrs)) {
		if ((e = cv_der_expect_enter(&attrs, CV_DER_SEQUENCE, &attr, &el, "attribute")) != CV_OK ||
			(e = cv_der_expect(&attr, CV_DER_OID, &oid, "attribute type")) != CV_OK ||
			(e = cv_der_expect_enter(&attr, CV_DER_SET, &set, &el, "attribute values")) != CV_OK ||
			(e = cv_der_next(&set, &v, "attribute value")) != CV_OK)
			return e;
		if (cv_der_oid_eq(&oid, OID_MESSAGE_DIGEST, sizeof OID_MESSAGE_DIGEST)) {
			if (v.tag != CV_DER_OCTET_STRING || !cv_der_at_end(&set) || t->attr_digest.ptr)
				return INVALID("The timestamp's messageDigest attribute is malformed.");
			t->attr_digest = v.val;
		} else if (cv_der_oid_eq(&oid, OID_CONTENT_TYPE, sizeof OID_CONTENT_TYPE)) {
			t->attr_type_ok = v.tag == CV_DER_OID && cv_der_oid_eq(&v, OID_TSTINFO, sizeof OID_TSTINFO) &&
				cv_der_at_end(&set);
		}
	}
	return CV_OK;
}

static cv_err parse_token(const cv_bytes *der, tsa_token *t, cv_diag *d)
{
	cv_der_cur top, outer, ci, ctx, sd, enc, ectx, sis, si;
	cv_der el, x;
	int present;
	cv_err e;
	memset(t, 0, sizeof *t);
	cv_der_init(&top, der->ptr, der->len, CV_PROVENANCE_INVALID, "timestamp", d);
	/* No whole-tree walk: CMS attributes nest deeper than the X.509 limit;
	 * the path read here stays within it, and the rest is skipped unread. */
	if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &outer, &el, "timestamp")) != CV_OK ||
		(e = cv_der_expect_end(&top, "timestamp")) != CV_OK)
		return e;
	/* A TimeStampResp (status, token) or the token (ContentInfo) alone. */
	if (cv_der_peek(&outer) == CV_DER_SEQUENCE) {
		cv_der_cur st;
		uint32_t status;
		if ((e = cv_der_expect_enter(&outer, CV_DER_SEQUENCE, &st, &el, "status")) != CV_OK ||
			(e = cv_der_expect(&st, CV_DER_INTEGER, &x, "status")) != CV_OK ||
			(e = cv_der_small_uint(&st, &x, 5, &status, "status")) != CV_OK)
			return e;
		if (status > 1)
			return INVALID("The timestamp response's status is not granted.");
		if ((e = cv_der_expect_enter(&outer, CV_DER_SEQUENCE, &ci, &el, "timeStampToken")) != CV_OK)
			return e;
	} else {
		ci = outer;
	}
	if ((e = cv_der_expect(&ci, CV_DER_OID, &x, "contentType")) != CV_OK)
		return e;
	if (!cv_der_oid_eq(&x, OID_SIGNED_DATA, sizeof OID_SIGNED_DATA))
		return INVALID("The timestamp token is not CMS SignedData.");
	if ((e = cv_der_expect_enter(&ci, CV_DER_CTX(0), &ctx, &el, "content")) != CV_OK ||
		(e = cv_der_expect_enter(&ctx, CV_DER_SEQUENCE, &sd, &el, "SignedData")) != CV_OK ||
		(e = cv_der_expect(&sd, CV_DER_INTEGER, &x, "version")) != CV_OK ||
		(e = cv_der_expect(&sd, CV_DER_SET, &x, "digestAlgorithms")) != CV_OK ||
		(e = cv_der_expect_enter(&sd, CV_DER_SEQUENCE, &enc, &el, "encapContentInfo")) != CV_OK ||
		(e = cv_der_expect(&enc, CV_DER_OID, &x, "eContentType")) != CV_OK)
		return e;
	if (!cv_der_oid_eq(&x, OID_TSTINFO, sizeof OID_TSTINFO))
		return INVALID("The timestamp token does not hold a TSTInfo.");
	if ((e = cv_der_expect_enter(&enc, CV_DER_CTX(0), &ectx, &el, "eContent")) != CV_OK ||
		(e = cv_der_expect(&ectx, CV_DER_OCTET_STRING, &x, "eContent")) != CV_OK)
		return e;
	t->tst = x.val;
	if ((e = cv_der_optional(&sd, CV_DER_CTX(0), &x, &present, "certificates")) != CV_OK ||
		(e = cv_der_optional(&sd, CV_DER_CTX(1), &x, &present, "crls")) != CV_OK ||
		(e = cv_der_expect_enter(&sd, CV_DER_SET, &sis, &el, "signerInfos")) != CV_OK ||
		(e = cv_der_expect_enter(&sis, CV_DER_SEQUENCE, &si, &el, "signerInfo")) != CV_OK)
		return e;
	if (!cv_der_at_end(&sis))
		return INVALID("The timestamp token has more than one signer.");
	if ((e = cv_der_expect(&si, CV_DER_INTEGER, &x, "version")) != CV_OK ||
		(e = cv_der_next(&si, &x, "sid")) != CV_OK ||
		(e = alg_id(&si, &t->digest_alg, "digest algorithm")) != CV_OK ||
		(e = cv_der_optional(&si, CV_DER_CTX(0), &x, &present, "signedAttrs")) != CV_OK)
		return e;
	if (!present)
		return INVALID("The timestamp token has no signed attributes.");
	t->signed_attrs = x.tlv;
	if ((e = parse_attrs(t, &si, &x, d)) != CV_OK ||
		(e = cv_der_expect(&si, CV_DER_SEQUENCE, &x, "signatureAlgorithm")) != CV_OK ||
		(e = cv_der_expect(&si, CV_DER_OCTET_STRING, &x, "signature")) != CV_OK)
		return e;
	t->sig = x.val;
	return parse_tstinfo(t, d);
}

/* The signature over the signed attributes (DER SET OF: the [0] tag becomes 0x31). */
static int signed_by(const tsa_token *t, const cv_ss_key *k)
{
	uint8_t *m = malloc(t->signed_attrs.len);
	if (!m)
		return 0;
	memcpy(m, t->signed_attrs.ptr, t->signed_attrs.len);
	m[0] = CV_DER_SET;
	int ok = cv_ss_verify(k, t->digest_alg, m, t->signed_attrs.len, t->sig.ptr, t->sig.len);
	free(m);
	return ok;
}

/* A timestamp authority of the trusted root, valid at t, whose chain holds and whose leaf (a time-stamping
 * certificate) signed the token. */
static int trusted_signer(const tsa_token *tok, const cv_ss_root *root)
{
	cv_ss_cert c[CV_SS_MAX_CA_CERTS];
	int64_t t = tok->gen_time;
	for (size_t i = 0; i < root->n_tsas; i++) {
		const cv_ss_ca *a = &root->tsas[i];
		if (t < a->start || t > a->end)
			continue;
		int ok = 1;
		for (size_t k = 0; k < a->n_certs && ok; k++) {
			cv_diag ignore;
			ok = cv_ss_cert_parse(a->certs[k].ptr, a->certs[k].len, &c[k], &ignore) == CV_OK &&
				t >= c[k].not_before && t <= c[k].not_after && (k == 0 ? c[k].eku_time_stamping : c[k].is_ca);
		}
		for (size_t k = 0; k + 1 < a->n_certs && ok; k++)
			ok = cv_ss_cert_signed_by(&c[k], &c[k + 1]);
		if (ok && signed_by(tok, &c[0].key))
			return 1;
	}
	return 0;
}

cv_err cv_ss_tsa_verify(const cv_ss_bundle *b, const cv_ss_root *root, const cv_ss_cert *leaf, cv_diag *d)
{
	for (size_t i = 0; i < b->n_tsa; i++) {
		tsa_token t;
		uint8_t h[48];
		size_t hl;
		cv_err e = parse_token(&b->tsa[i], &t, d);
		if (e != CV_OK)
			return e;
		hl = cv_ss_digest(t.digest_alg, t.tst.ptr, t.tst.len, h);
		if (!t.attr_type_ok || !t.attr_digest.ptr || !cv_bytes_eq(h, hl, t.attr_digest.ptr, t.attr_digest.len))
			return INVALID("The timestamp's signed attributes do not name its TSTInfo.");
		hl = cv_ss_digest(t.imprint_alg, b->sig.ptr, b->sig.len, h);
		if (!cv_bytes_eq(h, hl, t.imprint.ptr, t.imprint.len))
			return INVALID("The RFC 3161 timestamp is over a different signature than the bundle's.");
		if (!trusted_signer(&t, root))
			return INVALID("The RFC 3161 timestamp is not signed by a timestamp authority of the trusted root valid at %T.",
				t.gen_time);
		if (leaf && (t.gen_time < leaf->not_before || t.gen_time > leaf->not_after))
			return INVALID("The RFC 3161 timestamp's time %T is outside the signing certificate's validity.", t.gen_time);
	}
	return CV_OK;
}
