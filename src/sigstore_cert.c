/*
 * Sigstore X.509 parsing (sigstore_cert.h) over the bounded DER reader.
 */
#include <string.h>

#include "der.h"
#include "sigstore_cert.h"

static const uint8_t OID_ECDSA_SHA256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const uint8_t OID_ECDSA_SHA384[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 };
static const uint8_t OID_BASIC_CONSTRAINTS[] = { 0x55, 0x1d, 0x13 };
static const uint8_t OID_KEY_USAGE[] = { 0x55, 0x1d, 0x0f };
static const uint8_t OID_EXT_KEY_USAGE[] = { 0x55, 0x1d, 0x25 };
static const uint8_t OID_SAN[] = { 0x55, 0x1d, 0x11 };
/* 1.3.6.1.4.1.11129.2.4.2: the embedded SignedCertificateTimestampList. */
static const uint8_t OID_SCT_LIST[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02 };
static const uint8_t OID_CODE_SIGNING[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03 };
static const uint8_t OID_TIME_STAMPING[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08 };
/* 1.3.6.1.4.1.57264.1: Fulcio's arc; the last byte is N. */
static const uint8_t OID_FULCIO_ARC[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01 };

static cv_err copy_str(char *dst, const uint8_t *p, size_t n, const char *field, cv_diag *d)
{
	if (n >= CV_SS_STR_MAX)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate's %s is longer than %u bytes.", field,
			(unsigned)(CV_SS_STR_MAX - 1));
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0)
			return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate's %s contains a NUL byte.", field);
	memcpy(dst, p, n);
	dst[n] = 0;
	return CV_OK;
}

/* The Fulcio extensions .8 onwards hold a DER UTF8String; .1 to .6 raw text. */
static cv_err fulcio_ext(cv_ss_cert *c, unsigned n, const cv_der *val, const cv_der_cur *cur, cv_diag *d)
{
	static const struct { unsigned n; size_t off; const char *name; } map[] = {
		{ 8, offsetof(cv_ss_fulcio, issuer), "OIDC issuer" },
		{ 9, offsetof(cv_ss_fulcio, build_signer_uri), "build signer URI" },
		{ 10, offsetof(cv_ss_fulcio, build_signer_digest), "build signer digest" },
		{ 11, offsetof(cv_ss_fulcio, runner_environment), "runner environment" },
		{ 12, offsetof(cv_ss_fulcio, source_repo_uri), "source repository URI" },
		{ 13, offsetof(cv_ss_fulcio, source_repo_digest), "source repository digest" },
		{ 14, offsetof(cv_ss_fulcio, source_repo_ref), "source repository ref" },
		{ 18, offsetof(cv_ss_fulcio, build_config_uri), "build config URI" },
		{ 20, offsetof(cv_ss_fulcio, build_trigger), "build trigger" },
		{ 21, offsetof(cv_ss_fulcio, run_invocation_uri), "run invocation URI" },
	};
	if (n == 1) {
		/* Deprecated raw issuer: used only when the .8 form is absent. */
		if (c->fulcio.issuer[0])
			return CV_OK;
		return copy_str(c->fulcio.issuer, val->val.ptr, val->val.len, "OIDC issuer", d);
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (map[i].n != n)
			continue;
		cv_der_cur in;
		cv_der s;
		cv_err e;
		cv_der_init(&in, val->val.ptr, val->val.len, CV_PROVENANCE_MALFORMED, "certificate", cur->d);
		if ((e = cv_der_expect(&in, CV_DER_UTF8_STRING, &s, map[i].name)) != CV_OK ||
			(e = cv_der_expect_end(&in, map[i].name)) != CV_OK)
			return e;
		return copy_str((char *)&c->fulcio + map[i].off, s.val.ptr, s.val.len, map[i].name, d);
	}
	return CV_OK; /* other Fulcio extensions are informational */
}

static cv_err parse_san(cv_ss_cert *c, const cv_der *val, cv_diag *d)
{
	cv_der_cur top, seq;
	cv_der el, gn;
	cv_err e;
	cv_der_init(&top, val->val.ptr, val->val.len, CV_PROVENANCE_MALFORMED, "certificate", d);
	if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &seq, &el, "subjectAltName")) != CV_OK ||
		(e = cv_der_expect_end(&top, "subjectAltName")) != CV_OK)
		return e;
	while (!cv_der_at_end(&seq)) {
		if ((e = cv_der_next(&seq, &gn, "subjectAltName entry")) != CV_OK)
			return e;
		/* [6] uniformResourceIdentifier, [1] rfc822Name: the identities Fulcio issues. */
		if ((gn.tag == CV_DER_CTX_PRIM(6) || gn.tag == CV_DER_CTX_PRIM(1)) && !c->san[0])
			if ((e = copy_str(c->san, gn.val.ptr, gn.val.len, "subjectAltName", d)) != CV_OK)
				return e;
	}
	return CV_OK;
}

static cv_err parse_ext(cv_ss_cert *c, const cv_der *ext_el, const cv_der *oid, int critical, const cv_der *val,
	const cv_der_cur *cur, cv_diag *d)
{
	cv_der_cur top, in;
	cv_der el, x;
	cv_err e;
	cv_der_init(&top, val->val.ptr, val->val.len, CV_PROVENANCE_MALFORMED, "certificate", d);
	if (cv_der_oid_eq(oid, OID_BASIC_CONSTRAINTS, sizeof OID_BASIC_CONSTRAINTS)) {
		if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &in, &el, "basicConstraints")) != CV_OK)
			return e;
		if (cv_der_peek(&in) == CV_DER_BOOLEAN) {
			if ((e = cv_der_next(&in, &x, "cA")) != CV_OK || (e = cv_der_bool(&in, &x, &c->is_ca, "cA")) != CV_OK)
				return e;
		}
		if (cv_der_peek(&in) == CV_DER_INTEGER) {
			uint32_t pl;
			if ((e = cv_der_next(&in, &x, "pathLen")) != CV_OK ||
				(e = cv_der_small_uint(&in, &x, 16, &pl, "pathLen")) != CV_OK)
				return e;
			c->path_len = (int)pl;
		}
		return cv_der_expect_end(&in, "basicConstraints");
	}
	if (cv_der_oid_eq(oid, OID_KEY_USAGE, sizeof OID_KEY_USAGE)) {
		if ((e = cv_der_expect(&top, CV_DER_BIT_STRING, &x, "keyUsage")) != CV_OK)
			return e;
		if (x.val.len < 2)
			return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate's keyUsage is empty.");
		c->has_key_usage = 1;
		c->key_usage = x.val.ptr[1];
		return CV_OK;
	}
	if (cv_der_oid_eq(oid, OID_EXT_KEY_USAGE, sizeof OID_EXT_KEY_USAGE)) {
		if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &in, &el, "extKeyUsage")) != CV_OK)
			return e;
		c->has_eku = 1;
		while (!cv_der_at_end(&in)) {
			if ((e = cv_der_expect(&in, CV_DER_OID, &x, "extKeyUsage")) != CV_OK)
				return e;
			if (cv_der_oid_eq(&x, OID_CODE_SIGNING, sizeof OID_CODE_SIGNING))
				c->eku_code_signing = 1;
			if (cv_der_oid_eq(&x, OID_TIME_STAMPING, sizeof OID_TIME_STAMPING))
				c->eku_time_stamping = 1;
		}
		return CV_OK;
	}
	if (cv_der_oid_eq(oid, OID_SAN, sizeof OID_SAN))
		return parse_san(c, val, d);
	if (cv_der_oid_eq(oid, OID_SCT_LIST, sizeof OID_SCT_LIST)) {
		if (c->sct_ext.len)
			return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate has two SCT list extensions.");
		if ((e = cv_der_expect(&top, CV_DER_OCTET_STRING, &x, "SCT list")) != CV_OK ||
			(e = cv_der_expect_end(&top, "SCT list")) != CV_OK)
			return e;
		c->sct_ext = ext_el->tlv;
		c->sct_list = x.val;
		return CV_OK;
	}
	if (oid->val.len == sizeof OID_FULCIO_ARC + 1 && memcmp(oid->val.ptr, OID_FULCIO_ARC, sizeof OID_FULCIO_ARC) == 0)
		return fulcio_ext(c, oid->val.ptr[sizeof OID_FULCIO_ARC], val, cur, d);
	if (critical)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate has an unknown critical extension.");
	return CV_OK;
}

static cv_err parse_extensions(cv_ss_cert *c, cv_der_cur *tbs, cv_diag *d)
{
	cv_der_cur ctx, seq, ext;
	cv_der el, oid, x, val;
	int present;
	cv_err e;
	if ((e = cv_der_optional(tbs, CV_DER_CTX(3), &el, &present, "extensions")) != CV_OK)
		return e;
	if (!present)
		return CV_OK;
	c->exts_tlv = el.tlv;
	if ((e = cv_der_enter(tbs, &el, &ctx, "extensions")) != CV_OK ||
		(e = cv_der_expect_enter(&ctx, CV_DER_SEQUENCE, &seq, &el, "extensions")) != CV_OK ||
		(e = cv_der_expect_end(&ctx, "extensions")) != CV_OK)
		return e;
	c->exts_val = el.val;
	while (!cv_der_at_end(&seq)) {
		int critical = 0;
		cv_der ext_el;
		if ((e = cv_der_expect_enter(&seq, CV_DER_SEQUENCE, &ext, &ext_el, "extension")) != CV_OK ||
			(e = cv_der_expect(&ext, CV_DER_OID, &oid, "extension id")) != CV_OK)
			return e;
		if (cv_der_peek(&ext) == CV_DER_BOOLEAN) {
			if ((e = cv_der_next(&ext, &x, "critical")) != CV_OK ||
				(e = cv_der_bool(&ext, &x, &critical, "critical")) != CV_OK)
				return e;
		}
		if ((e = cv_der_expect(&ext, CV_DER_OCTET_STRING, &val, "extension value")) != CV_OK ||
			(e = cv_der_expect_end(&ext, "extension")) != CV_OK ||
			(e = parse_ext(c, &ext_el, &oid, critical, &val, &ext, d)) != CV_OK)
			return e;
	}
	return CV_OK;
}

static cv_err sig_alg(cv_der_cur *c, cv_ss_hash *h, const char *field, cv_diag *d)
{
	cv_der_cur in;
	cv_der el, oid;
	cv_err e;
	if ((e = cv_der_expect_enter(c, CV_DER_SEQUENCE, &in, &el, field)) != CV_OK ||
		(e = cv_der_expect(&in, CV_DER_OID, &oid, field)) != CV_OK ||
		(e = cv_der_expect_end(&in, field)) != CV_OK)
		return e;
	if (cv_der_oid_eq(&oid, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256))
		*h = CV_SS_HASH_SHA256;
	else if (cv_der_oid_eq(&oid, OID_ECDSA_SHA384, sizeof OID_ECDSA_SHA384))
		*h = CV_SS_HASH_SHA384;
	else
		return cv_fail(d, CV_PROVENANCE_MALFORMED,
			"The certificate is signed with an unsupported algorithm (only ECDSA with SHA-256/SHA-384).");
	return CV_OK;
}

cv_err cv_ss_cert_parse(const uint8_t *der, size_t len, cv_ss_cert *c, cv_diag *d)
{
	cv_der_cur top, cert, tbs, validity, vcur;
	cv_der el, tbs_el, x, sig;
	cv_ss_hash inner;
	int present;
	cv_err e;

	memset(c, 0, sizeof *c);
	c->path_len = -1;
	cv_der_init(&top, der, len, CV_PROVENANCE_MALFORMED, "certificate", d);
	if ((e = cv_der_check_tree(&top)) != CV_OK ||
		(e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &cert, &el, "Certificate")) != CV_OK ||
		(e = cv_der_expect_end(&top, "Certificate")) != CV_OK)
		return e;
	c->der.ptr = der;
	c->der.len = len;
	if ((e = cv_der_expect_enter(&cert, CV_DER_SEQUENCE, &tbs, &tbs_el, "TBSCertificate")) != CV_OK ||
		(e = sig_alg(&cert, &c->sig_hash, "signatureAlgorithm", d)) != CV_OK ||
		(e = cv_der_expect(&cert, CV_DER_BIT_STRING, &sig, "signature")) != CV_OK ||
		(e = cv_der_expect_end(&cert, "Certificate")) != CV_OK)
		return e;
	c->tbs = tbs_el.tlv;
	c->tbs_val = tbs_el.val;
	if (sig.val.len < 2 || sig.val.ptr[0] != 0)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate's signature BIT STRING is malformed.");
	c->sig.ptr = sig.val.ptr + 1;
	c->sig.len = sig.val.len - 1;

	/* version [0] must be v3 (2) */
	if ((e = cv_der_optional(&tbs, CV_DER_CTX(0), &el, &present, "version")) != CV_OK)
		return e;
	if (!present || el.val.len != 3 || el.val.ptr[0] != CV_DER_INTEGER || el.val.ptr[1] != 1 || el.val.ptr[2] != 2)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate is not X.509 v3.");
	if ((e = cv_der_expect(&tbs, CV_DER_INTEGER, &x, "serialNumber")) != CV_OK ||
		(e = sig_alg(&tbs, &inner, "signature", d)) != CV_OK)
		return e;
	if (inner != c->sig_hash)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The certificate's two signature algorithms differ.");
	if ((e = cv_der_expect(&tbs, CV_DER_SEQUENCE, &x, "issuer")) != CV_OK)
		return e;
	c->issuer = x.tlv;
	if ((e = cv_der_expect_enter(&tbs, CV_DER_SEQUENCE, &validity, &el, "validity")) != CV_OK)
		return e;
	vcur = validity;
	if ((e = cv_der_time(&vcur, &c->not_before, "notBefore")) != CV_OK ||
		(e = cv_der_time(&vcur, &c->not_after, "notAfter")) != CV_OK ||
		(e = cv_der_expect_end(&vcur, "validity")) != CV_OK)
		return e;
	if ((e = cv_der_expect(&tbs, CV_DER_SEQUENCE, &x, "subject")) != CV_OK)
		return e;
	c->subject = x.tlv;
	if ((e = cv_der_expect(&tbs, CV_DER_SEQUENCE, &x, "subjectPublicKeyInfo")) != CV_OK)
		return e;
	c->spki = x.tlv;
	if ((e = cv_ss_key_parse_spki(x.tlv.ptr, x.tlv.len, &c->key, d)) != CV_OK)
		return e;
	/* issuerUniqueID [1], subjectUniqueID [2]: skipped. */
	if ((e = cv_der_optional(&tbs, CV_DER_CTX_PRIM(1), &x, &present, "issuerUniqueID")) != CV_OK ||
		(e = cv_der_optional(&tbs, CV_DER_CTX_PRIM(2), &x, &present, "subjectUniqueID")) != CV_OK ||
		(e = parse_extensions(c, &tbs, d)) != CV_OK ||
		(e = cv_der_expect_end(&tbs, "TBSCertificate")) != CV_OK)
		return e;
	return CV_OK;
}

int cv_ss_cert_signed_by(const cv_ss_cert *child, const cv_ss_cert *parent)
{
	if (child->issuer.len != parent->subject.len ||
		memcmp(child->issuer.ptr, parent->subject.ptr, child->issuer.len) != 0)
		return 0;
	return cv_ss_verify(&parent->key, child->sig_hash, child->tbs.ptr, child->tbs.len, child->sig.ptr, child->sig.len);
}

int cv_ss_cert_self_signed(const cv_ss_cert *c)
{
	return cv_ss_cert_signed_by(c, c);
}
