/*
 * X.509 certificate and CRL parsing for the Intel SGX PKI (RFC 5280 subset:
 * what Intel issues, parsed strictly), and PEM / base64 decoding.
 * Structures point into the caller's DER buffer. Chain validation is in
 * chain.c, the pinned root in root_ca.c.
 */
#include <string.h>

#include "der.h"
#include "util.h"
#include "x509.h"

static const uint8_t OID_ECDSA_SHA256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02 };
static const uint8_t OID_EC_PUBLIC_KEY[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
static const uint8_t OID_P256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t OID_COMMON_NAME[] = { 0x55, 0x04, 0x03 };
static const uint8_t OID_KEY_USAGE[] = { 0x55, 0x1D, 0x0F };
static const uint8_t OID_BASIC_CONSTRAINTS[] = { 0x55, 0x1D, 0x13 };
static const uint8_t OID_EXT_KEY_USAGE[] = { 0x55, 0x1D, 0x25 };
/* 1.2.840.113741.1.13.1: Intel SGX PCK extension. */
static const uint8_t OID_SGX[] = { 0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01 };

/* ---- pieces shared by certificates and CRLs ---- */

/* AlgorithmIdentifier: only ecdsa-with-SHA256, whose parameters RFC 5758
 * requires to be absent. *tlv receives the raw element for the
 * outer-equals-inner comparison. */
static cv_err parse_sig_alg(cv_der_cur *c, cv_bytes *tlv, const char *field)
{
	cv_der el, oid;
	cv_der_cur in;
	cv_err e = cv_der_expect_enter(c, CV_DER_SEQUENCE, &in, &el, field);
	if (e)
		return e;
	if ((e = cv_der_expect(&in, CV_DER_OID, &oid, field)))
		return e;
	if (!cv_der_oid_eq(&oid, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256))
		return cv_fail(c->d, c->code,
			"the %s's %s is not ecdsa-with-SHA256 (OID bytes %H), the only algorithm Intel uses", c->what,
			field, oid.val.ptr, oid.val.len);
	if ((e = cv_der_expect_end(&in, field)))
		return e;
	*tlv = el.tlv;
	return CV_OK;
}

/* signatureValue BIT STRING: no unused bits; the content is a DER
 * ECDSA-Sig-Value, checked when it is verified. */
static cv_err parse_sig_value(cv_der_cur *c, cv_bytes *sig)
{
	cv_der el;
	cv_err e = cv_der_expect(c, CV_DER_BIT_STRING, &el, "signature value");
	if (e)
		return e;
	if (el.val.len < 2 || el.val.ptr[0] != 0)
		return cv_fail(c->d, c->code, "the %s's signature value is empty or has unused bits", c->what);
	sig->ptr = el.val.ptr + 1;
	sig->len = el.val.len - 1;
	return CV_OK;
}

static int is_string_tag(uint8_t tag)
{
	return tag == CV_DER_UTF8_STRING || tag == CV_DER_PRINTABLE || tag == CV_DER_IA5_STRING;
}

/*
 * Name ::= SEQUENCE OF SET OF AttributeTypeAndValue. The raw TLV is kept for
 * byte-for-byte comparison (as Intel does); the commonName is copied out for
 * the Intel name checks. A second commonName fails: "CN contains X" checks
 * would otherwise depend on which one is read.
 */
static cv_err parse_name(cv_der_cur *c, cv_bytes *raw, char *cn, size_t cn_cap, const char *field)
{
	cv_der name;
	cv_der_cur rdns;
	int have_cn = 0;
	cv_err e = cv_der_expect_enter(c, CV_DER_SEQUENCE, &rdns, &name, field);
	if (e)
		return e;
	cn[0] = '\0';
	while (!cv_der_at_end(&rdns)) {
		cv_der_cur set;
		cv_der set_el;
		if ((e = cv_der_expect_enter(&rdns, CV_DER_SET, &set, &set_el, field)))
			return e;
		if (cv_der_at_end(&set))
			return cv_fail(c->d, c->code, "the %s's %s has an empty relative distinguished name", c->what,
				field);
		while (!cv_der_at_end(&set)) {
			cv_der_cur atv;
			cv_der oid, val;
			if ((e = cv_der_expect_enter(&set, CV_DER_SEQUENCE, &atv, NULL, field)) ||
				(e = cv_der_expect(&atv, CV_DER_OID, &oid, field)) ||
				(e = cv_der_next(&atv, &val, field)) || (e = cv_der_expect_end(&atv, field)))
				return e;
			if (!cv_der_oid_eq(&oid, OID_COMMON_NAME, sizeof OID_COMMON_NAME))
				continue;
			if (have_cn)
				return cv_fail(c->d, c->code, "the %s's %s has more than one commonName", c->what, field);
			have_cn = 1;
			if (!is_string_tag(val.tag))
				return cv_fail(c->d, c->code, "the %s's %s commonName is not a UTF8, Printable or IA5 string",
					c->what, field);
			if (val.val.len >= cn_cap)
				return cv_fail(c->d, c->code, "the %s's %s commonName is %U bytes long (at most %U accepted)",
					c->what, field, (uint64_t)val.val.len, (uint64_t)(cn_cap - 1));
			/* An embedded NUL would cut the C string and could hide text
			 * from the "CN contains" checks. */
			if (memchr(val.val.ptr, 0, val.val.len))
				return cv_fail(c->d, c->code, "the %s's %s commonName contains a NUL byte", c->what, field);
			memcpy(cn, val.val.ptr, val.val.len);
			cn[val.val.len] = '\0';
		}
	}
	*raw = name.tlv;
	return CV_OK;
}

/* The extnValue OCTET STRING holds its own DER encoding: read it as a fresh
 * document (its nesting is limited on its own). */
static void value_cursor(const cv_der_cur *c, const cv_der *octets, cv_der_cur *v)
{
	cv_der_init(v, octets->val.ptr, octets->val.len, c->code, c->what, c->d);
}

/*
 * Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, where
 * Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
 * handle() returns 1 when it knew and parsed the extension, 0 when not.
 */
typedef cv_err (*ext_handler)(void *ctx, const cv_der_cur *c, const cv_der *oid, const cv_der *value,
	int *known);

static cv_err parse_extensions(cv_der_cur *c, const cv_der *seq_el, ext_handler handle, void *ctx,
	const char *field)
{
	cv_der_cur list;
	cv_err e = cv_der_enter(c, seq_el, &list, field);
	if (e)
		return e;
	if (cv_der_at_end(&list))
		return cv_fail(c->d, c->code, "the %s's %s list is empty", c->what, field);
	while (!cv_der_at_end(&list)) {
		cv_der_cur ext;
		cv_der oid, crit_el, value;
		int critical = 0, has_crit, known = 0;
		if ((e = cv_der_expect_enter(&list, CV_DER_SEQUENCE, &ext, NULL, field)) ||
			(e = cv_der_expect(&ext, CV_DER_OID, &oid, field)) ||
			(e = cv_der_optional(&ext, CV_DER_BOOLEAN, &crit_el, &has_crit, field)))
			return e;
		if (has_crit && (e = cv_der_bool(&ext, &crit_el, &critical, "extension critical flag")))
			return e;
		if ((e = cv_der_expect(&ext, CV_DER_OCTET_STRING, &value, field)) ||
			(e = cv_der_expect_end(&ext, field)))
			return e;
		if ((e = handle(ctx, c, &oid, &value, &known)))
			return e;
		/* RFC 5280 4.2: a critical extension we cannot process must make us
		 * reject, since it may restrict what the certificate is for. */
		if (critical && !known)
			return cv_fail(c->d, c->code, "the %s has an unsupported critical extension (OID bytes %H)",
				c->what, oid.val.ptr, oid.val.len);
	}
	return CV_OK;
}

/* ---- the Intel SGX extension (docs/checks.md Step 6) ---- */

/* The last arc when oid is prefix.arc (a single-byte arc), else -1. */
static int sub_arc(const cv_der *oid, const uint8_t *prefix, size_t plen)
{
	if (oid->tag != CV_DER_OID || oid->val.len != plen + 1 || memcmp(oid->val.ptr, prefix, plen) != 0 ||
		(oid->val.ptr[plen] & 0x80u))
		return -1;
	return oid->val.ptr[plen];
}

static cv_err expect_octets(cv_der_cur *c, uint8_t *out, size_t n, const char *field)
{
	cv_der el;
	cv_err e = cv_der_expect(c, CV_DER_OCTET_STRING, &el, field);
	if (e)
		return e;
	if (el.val.len != n)
		return cv_fail(c->d, c->code, "the %s's %s is %U bytes long, expected %U", c->what, field,
			(uint64_t)el.val.len, (uint64_t)n);
	memcpy(out, el.val.ptr, n);
	return CV_OK;
}

/* TCB ::= SEQUENCE of 18 (OID, value) pairs: .2.1-.2.16 component SVNs,
 * .2.17 PCESVN, .2.18 CPUSVN; each exactly once. */
static cv_err parse_sgx_tcb(cv_der_cur *pair, cv_sgx_ext *x)
{
	uint8_t prefix[sizeof OID_SGX + 1];
	memcpy(prefix, OID_SGX, sizeof OID_SGX);
	prefix[sizeof OID_SGX] = 0x02;
	cv_der_cur tcb;
	uint32_t seen = 0;
	cv_err e = cv_der_expect_enter(pair, CV_DER_SEQUENCE, &tcb, NULL, "SGX extension TCB");
	if (e)
		return e;
	while (!cv_der_at_end(&tcb)) {
		cv_der_cur item;
		cv_der oid, val;
		uint32_t v;
		if ((e = cv_der_expect_enter(&tcb, CV_DER_SEQUENCE, &item, NULL, "SGX extension TCB entry")) ||
			(e = cv_der_expect(&item, CV_DER_OID, &oid, "SGX extension TCB entry")))
			return e;
		int arc = sub_arc(&oid, prefix, sizeof prefix);
		if (arc < 1 || arc > 18)
			return cv_fail(pair->d, pair->code,
				"the %s's SGX extension TCB has an unexpected entry (OID bytes %H)", pair->what,
				oid.val.ptr, oid.val.len);
		if (seen & (1u << arc))
			return cv_fail(pair->d, pair->code, "the %s's SGX extension TCB repeats entry %d", pair->what,
				arc);
		seen |= 1u << arc;
		if (arc <= 16) {
			if ((e = cv_der_expect(&item, CV_DER_INTEGER, &val, "SGX TCB component SVN")) ||
				(e = cv_der_small_uint(&item, &val, 255, &v, "SGX TCB component SVN")))
				return e;
			x->comp_svn[arc - 1] = (uint8_t)v;
		} else if (arc == 17) {
			if ((e = cv_der_expect(&item, CV_DER_INTEGER, &val, "SGX TCB PCESVN")) ||
				(e = cv_der_small_uint(&item, &val, 65535, &v, "SGX TCB PCESVN")))
				return e;
			x->pcesvn = (uint16_t)v;
		} else {
			if ((e = expect_octets(&item, x->cpusvn, 16, "SGX TCB CPUSVN")))
				return e;
		}
		if ((e = cv_der_expect_end(&item, "SGX extension TCB entry")))
			return e;
	}
	if (seen != 0x7fffeu) /* bits 1..18 */
		return cv_fail(pair->d, pair->code,
			"the %s's SGX extension TCB lacks entries: all 16 component SVNs, PCESVN and CPUSVN are required",
			pair->what);
	return CV_OK;
}

/* SEQUENCE of (OID, value): .1 PPID, .2 TCB, .3 PCE-ID, .4 FMSPC, .5 SGX
 * type (required, once each); .6 platform instance id and .7 configuration
 * (optional, unused); unknown entries are skipped so newer certificates
 * still parse. */
static cv_err parse_sgx_ext(const cv_der_cur *c, const cv_der *value, cv_sgx_ext *x)
{
	cv_der_cur doc, seq;
	uint32_t seen = 0;
	value_cursor(c, value, &doc);
	cv_err e = cv_der_expect_enter(&doc, CV_DER_SEQUENCE, &seq, NULL, "SGX extension");
	if (e || (e = cv_der_expect_end(&doc, "SGX extension")))
		return e;
	while (!cv_der_at_end(&seq)) {
		cv_der_cur pair;
		cv_der oid, skip;
		uint32_t v;
		if ((e = cv_der_expect_enter(&seq, CV_DER_SEQUENCE, &pair, NULL, "SGX extension entry")) ||
			(e = cv_der_expect(&pair, CV_DER_OID, &oid, "SGX extension entry")))
			return e;
		int arc = sub_arc(&oid, OID_SGX, sizeof OID_SGX);
		if (arc >= 1 && arc <= 7) {
			if (seen & (1u << arc))
				return cv_fail(c->d, c->code, "the %s's SGX extension repeats entry %d", c->what, arc);
			seen |= 1u << arc;
		}
		switch (arc) {
		case 1: e = expect_octets(&pair, x->ppid, 16, "SGX extension PPID"); break;
		case 2: e = parse_sgx_tcb(&pair, x); break;
		case 3: e = expect_octets(&pair, x->pce_id, 2, "SGX extension PCE-ID"); break;
		case 4: e = expect_octets(&pair, x->fmspc, 6, "SGX extension FMSPC"); break;
		case 5:
			if (!(e = cv_der_expect(&pair, CV_DER_ENUMERATED, &skip, "SGX extension SGX type")) &&
				!(e = cv_der_small_uint(&pair, &skip, 2, &v, "SGX extension SGX type")))
				x->sgx_type = (int)v;
			break;
		default: e = cv_der_next(&pair, &skip, "SGX extension entry value"); break;
		}
		if (e || (e = cv_der_expect_end(&pair, "SGX extension entry")))
			return e;
	}
	if ((seen & 0x3eu) != 0x3eu)
		return cv_fail(c->d, c->code,
			"the %s's SGX extension lacks a required entry (PPID, TCB, PCE-ID, FMSPC and SGX type are required)",
			c->what);
	x->present = 1;
	return CV_OK;
}

/* ---- certificates ---- */

static cv_err parse_key_usage(const cv_der_cur *c, const cv_der *value, cv_cert *cert)
{
	cv_der_cur v;
	cv_der bits;
	value_cursor(c, value, &v);
	cv_err e = cv_der_expect(&v, CV_DER_BIT_STRING, &bits, "key usage");
	if (e || (e = cv_der_expect_end(&v, "key usage")))
		return e;
	if (bits.val.len < 1 || bits.val.ptr[0] > 7 || (bits.val.len == 1 && bits.val.ptr[0] != 0))
		return cv_fail(c->d, c->code, "the %s's key usage is not a valid BIT STRING", c->what);
	cert->has_key_usage = 1;
	cert->key_usage = bits.val.len > 1 ? bits.val.ptr[1] : 0;
	if (bits.val.len > 2)
		cert->key_usage |= (unsigned)bits.val.ptr[2] << 8;
	return CV_OK;
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
static cv_err parse_basic_constraints(const cv_der_cur *c, const cv_der *value, cv_cert *cert)
{
	cv_der_cur v, seq;
	cv_der el;
	int present;
	value_cursor(c, value, &v);
	cv_err e = cv_der_expect_enter(&v, CV_DER_SEQUENCE, &seq, NULL, "basic constraints");
	if (e || (e = cv_der_expect_end(&v, "basic constraints")))
		return e;
	if ((e = cv_der_optional(&seq, CV_DER_BOOLEAN, &el, &present, "basic constraints cA")))
		return e;
	if (present && (e = cv_der_bool(&seq, &el, &cert->is_ca, "basic constraints cA")))
		return e;
	if ((e = cv_der_optional(&seq, CV_DER_INTEGER, &el, &present, "basic constraints path length")))
		return e;
	if (present) {
		uint32_t n;
		if ((e = cv_der_small_uint(&seq, &el, 255, &n, "basic constraints path length")))
			return e;
		cert->path_len = (int)n;
	}
	return cv_der_expect_end(&seq, "basic constraints");
}

typedef struct {
	cv_cert *cert;
	unsigned seen; /* 1 KU, 2 BC, 4 EKU, 8 SGX */
} cert_ext_ctx;

static cv_err cert_ext(void *vctx, const cv_der_cur *c, const cv_der *oid, const cv_der *value, int *known)
{
	cert_ext_ctx *x = vctx;
	unsigned bit;
	const char *name;
	if (cv_der_oid_eq(oid, OID_KEY_USAGE, sizeof OID_KEY_USAGE)) {
		bit = 1;
		name = "key usage";
	} else if (cv_der_oid_eq(oid, OID_BASIC_CONSTRAINTS, sizeof OID_BASIC_CONSTRAINTS)) {
		bit = 2;
		name = "basic constraints";
	} else if (cv_der_oid_eq(oid, OID_EXT_KEY_USAGE, sizeof OID_EXT_KEY_USAGE)) {
		bit = 4;
		name = "extended key usage";
	} else if (cv_der_oid_eq(oid, OID_SGX, sizeof OID_SGX)) {
		bit = 8;
		name = "Intel SGX";
	} else {
		*known = 0;
		return CV_OK;
	}
	/* RFC 5280 4.2 forbids repeats; for the SGX extension docs/checks.md Step 6 requires
	 * exactly one, so a second copy cannot smuggle another FMSPC. */
	if (x->seen & bit)
		return cv_fail(c->d, c->code, "the %s has more than one %s extension", c->what, name);
	x->seen |= bit;
	*known = 1;
	switch (bit) {
	case 1: return parse_key_usage(c, value, x->cert);
	case 2: return parse_basic_constraints(c, value, x->cert);
	case 4: x->cert->has_ext_key_usage = 1; return CV_OK; /* judged by the chain rules */
	default: return parse_sgx_ext(c, value, &x->cert->sgx);
	}
}

/* SubjectPublicKeyInfo: id-ecPublicKey on prime256v1, uncompressed point. */
static cv_err parse_spki(cv_der_cur *c, uint8_t pub_xy[64])
{
	cv_der_cur spki, alg;
	cv_der oid, bits;
	cv_err e;
	if ((e = cv_der_expect_enter(c, CV_DER_SEQUENCE, &spki, NULL, "public key")) ||
		(e = cv_der_expect_enter(&spki, CV_DER_SEQUENCE, &alg, NULL, "public key algorithm")) ||
		(e = cv_der_expect(&alg, CV_DER_OID, &oid, "public key algorithm")))
		return e;
	if (!cv_der_oid_eq(&oid, OID_EC_PUBLIC_KEY, sizeof OID_EC_PUBLIC_KEY))
		return cv_fail(c->d, c->code,
			"the %s's public key is not an elliptic-curve key (OID bytes %H); only ECDSA P-256 is accepted",
			c->what, oid.val.ptr, oid.val.len);
	if ((e = cv_der_expect(&alg, CV_DER_OID, &oid, "public key curve")))
		return e;
	if (!cv_der_oid_eq(&oid, OID_P256, sizeof OID_P256))
		return cv_fail(c->d, c->code, "the %s's public key is not on P-256 (curve OID bytes %H)", c->what,
			oid.val.ptr, oid.val.len);
	if ((e = cv_der_expect_end(&alg, "public key algorithm")) ||
		(e = cv_der_expect(&spki, CV_DER_BIT_STRING, &bits, "public key")) ||
		(e = cv_der_expect_end(&spki, "public key")))
		return e;
	if (bits.val.len != 66 || bits.val.ptr[0] != 0 || bits.val.ptr[1] != 0x04)
		return cv_fail(c->d, c->code,
			"the %s's public key is not an uncompressed P-256 point (65 bytes starting 04)", c->what);
	memcpy(pub_xy, bits.val.ptr + 2, 64);
	return CV_OK;
}

cv_err cv_cert_parse(const uint8_t *der, size_t len, cv_cert *c, cv_diag *d)
{
	cv_der_cur top, cert, tbs;
	cv_der el;
	cv_bytes tbs_alg, outer_alg;
	uint32_t version;
	int present;
	cv_err e;

	memset(c, 0, sizeof *c);
	c->path_len = -1;
	if (!der)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "no certificate bytes were given");
	cv_der_init(&top, der, len, CV_CERT_CHAIN_INVALID, "certificate", d);
	/* Check the whole tree first: lengths nest exactly and the depth is
	 * bounded, before any field is interpreted. */
	if ((e = cv_der_check_tree(&top)))
		return e;
	if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &cert, &el, "outer SEQUENCE")) ||
		(e = cv_der_expect_end(&top, "encoding")))
		return e;
	c->der = el.tlv;

	if ((e = cv_der_expect_enter(&cert, CV_DER_SEQUENCE, &tbs, &el, "TBSCertificate")))
		return e;
	c->tbs = el.tlv;

	/* version [0] EXPLICIT INTEGER: only v3 carries the extensions the
	 * chain rules need. */
	cv_der_cur ver;
	if ((e = cv_der_optional(&tbs, CV_DER_CTX(0), &el, &present, "version")))
		return e;
	if (!present)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate is X.509 v1; only v3 is accepted");
	if ((e = cv_der_enter(&tbs, &el, &ver, "version")) ||
		(e = cv_der_expect(&ver, CV_DER_INTEGER, &el, "version")) ||
		(e = cv_der_small_uint(&ver, &el, 2, &version, "version")) ||
		(e = cv_der_expect_end(&ver, "version")))
		return e;
	if (version != 2)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate is X.509 v%u; only v3 is accepted",
			version + 1);

	if ((e = cv_der_expect(&tbs, CV_DER_INTEGER, &el, "serial number")))
		return e;
	if (el.val.len == 0 || el.val.len > 32)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate's serial number is %U bytes long (1 to 32 accepted)",
			(uint64_t)el.val.len);
	c->serial = el.val;

	if ((e = parse_sig_alg(&tbs, &tbs_alg, "TBS signature algorithm")) ||
		(e = parse_name(&tbs, &c->issuer, c->issuer_cn, sizeof c->issuer_cn, "issuer")))
		return e;

	cv_der_cur validity;
	if ((e = cv_der_expect_enter(&tbs, CV_DER_SEQUENCE, &validity, NULL, "validity")) ||
		(e = cv_der_time(&validity, &c->not_before, "notBefore")) ||
		(e = cv_der_time(&validity, &c->not_after, "notAfter")) ||
		(e = cv_der_expect_end(&validity, "validity")))
		return e;
	if (c->not_after < c->not_before)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate's notAfter %T is before its notBefore %T",
			c->not_after, c->not_before);

	if ((e = parse_name(&tbs, &c->subject, c->subject_cn, sizeof c->subject_cn, "subject")) ||
		(e = parse_spki(&tbs, c->pub_xy)))
		return e;

	/* issuerUniqueID [1] / subjectUniqueID [2]: obsolete, skipped. */
	for (unsigned n = 1; n <= 2; n++) {
		if ((e = cv_der_optional(&tbs, (uint8_t)CV_DER_CTX_PRIM(n), &el, &present, "unique identifier")))
			return e;
	}
	if ((e = cv_der_optional(&tbs, CV_DER_CTX(3), &el, &present, "extensions")))
		return e;
	if (present) {
		cv_der_cur wrap;
		cv_der list;
		cert_ext_ctx ctx = { c, 0 };
		if ((e = cv_der_enter(&tbs, &el, &wrap, "extensions")) ||
			(e = cv_der_expect(&wrap, CV_DER_SEQUENCE, &list, "extensions")) ||
			(e = cv_der_expect_end(&wrap, "extensions")) ||
			(e = parse_extensions(&wrap, &list, cert_ext, &ctx, "extensions")))
			return e;
	}
	if ((e = cv_der_expect_end(&tbs, "TBSCertificate")))
		return e;

	if ((e = parse_sig_alg(&cert, &outer_alg, "signature algorithm")))
		return e;
	if (!cv_bytes_eq(tbs_alg.ptr, tbs_alg.len, outer_alg.ptr, outer_alg.len))
		return cv_fail(d, CV_CERT_CHAIN_INVALID,
			"the certificate's outer signature algorithm differs from the one inside TBSCertificate");
	if ((e = parse_sig_value(&cert, &c->sig)) || (e = cv_der_expect_end(&cert, "Certificate")))
		return e;
	return CV_OK;
}

/* ---- CRLs ---- */

static const uint8_t OID_CRL_NUMBER[] = { 0x55, 0x1D, 0x14 };
static const uint8_t OID_AUTHORITY_KEY_ID[] = { 0x55, 0x1D, 0x23 };
static const uint8_t OID_CRL_REASON[] = { 0x55, 0x1D, 0x15 };
static const uint8_t OID_INVALIDITY_DATE[] = { 0x55, 0x1D, 0x18 };

/* CRL and entry extensions: the informational ones are known (and
 * ignored); anything else that is critical fails in parse_extensions. */
static cv_err crl_ext(void *ctx, const cv_der_cur *c, const cv_der *oid, const cv_der *value, int *known)
{
	(void)ctx;
	(void)c;
	(void)value;
	*known = cv_der_oid_eq(oid, OID_CRL_NUMBER, sizeof OID_CRL_NUMBER) ||
		cv_der_oid_eq(oid, OID_AUTHORITY_KEY_ID, sizeof OID_AUTHORITY_KEY_ID) ||
		cv_der_oid_eq(oid, OID_CRL_REASON, sizeof OID_CRL_REASON) ||
		cv_der_oid_eq(oid, OID_INVALIDITY_DATE, sizeof OID_INVALIDITY_DATE);
	return CV_OK;
}

/* revokedCertificates entries: SEQUENCE { userCertificate INTEGER,
 * revocationDate Time, crlEntryExtensions Extensions OPTIONAL }. */
static cv_err check_revoked_list(cv_der_cur *list, int v2)
{
	cv_err e;
	while (!cv_der_at_end(list)) {
		cv_der_cur entry;
		cv_der serial, exts;
		int64_t when;
		int present;
		if ((e = cv_der_expect_enter(list, CV_DER_SEQUENCE, &entry, NULL, "revoked entry")) ||
			(e = cv_der_expect(&entry, CV_DER_INTEGER, &serial, "revoked serial number")) ||
			(e = cv_der_time(&entry, &when, "revocation date")) ||
			(e = cv_der_optional(&entry, CV_DER_SEQUENCE, &exts, &present, "revoked entry extensions")))
			return e;
		if (serial.val.len == 0)
			return cv_fail(list->d, list->code, "the CRL lists an empty serial number");
		if (present) {
			if (!v2)
				return cv_fail(list->d, list->code, "a v1 CRL entry carries extensions");
			if ((e = parse_extensions(&entry, &exts, crl_ext, NULL, "revoked entry extensions")))
				return e;
		}
		if ((e = cv_der_expect_end(&entry, "revoked entry")))
			return e;
	}
	return CV_OK;
}

cv_err cv_crl_parse(const uint8_t *der, size_t len, cv_crl *crl, cv_diag *d)
{
	cv_der_cur top, list, tbs;
	cv_der el;
	cv_bytes tbs_alg, outer_alg;
	int present, v2 = 0;
	cv_err e;

	memset(crl, 0, sizeof *crl);
	if (!der)
		return cv_fail(d, CV_CRL_INVALID, "no CRL bytes were given");
	cv_der_init(&top, der, len, CV_CRL_INVALID, "CRL", d);
	if ((e = cv_der_check_tree(&top)))
		return e;
	if ((e = cv_der_expect_enter(&top, CV_DER_SEQUENCE, &list, &el, "outer SEQUENCE")) ||
		(e = cv_der_expect_end(&top, "encoding")))
		return e;
	crl->der = el.tlv;
	if ((e = cv_der_expect_enter(&list, CV_DER_SEQUENCE, &tbs, &el, "TBSCertList")))
		return e;
	crl->tbs = el.tlv;

	if ((e = cv_der_optional(&tbs, CV_DER_INTEGER, &el, &present, "version")))
		return e;
	if (present) {
		uint32_t version;
		if ((e = cv_der_small_uint(&tbs, &el, 1, &version, "version")))
			return e;
		if (version != 1)
			return cv_fail(d, CV_CRL_INVALID, "the CRL's version field is %u; only v2 (1) may be written", version);
		v2 = 1;
	}
	if ((e = parse_sig_alg(&tbs, &tbs_alg, "TBS signature algorithm")) ||
		(e = parse_name(&tbs, &crl->issuer, crl->issuer_cn, sizeof crl->issuer_cn, "issuer")) ||
		(e = cv_der_time(&tbs, &crl->this_update, "thisUpdate")))
		return e;
	/* nextUpdate is optional in RFC 5280, but without it nobody can tell a
	 * stale CRL from a fresh one: refuse. */
	int next = cv_der_peek(&tbs);
	if (next != CV_DER_UTC_TIME && next != CV_DER_GEN_TIME)
		return cv_fail(d, CV_CRL_INVALID, "the CRL has no nextUpdate, so its freshness cannot be judged");
	if ((e = cv_der_time(&tbs, &crl->next_update, "nextUpdate")))
		return e;
	if (crl->next_update < crl->this_update)
		return cv_fail(d, CV_CRL_INVALID, "the CRL's nextUpdate %T is before its thisUpdate %T",
			crl->next_update, crl->this_update);

	if ((e = cv_der_optional(&tbs, CV_DER_SEQUENCE, &el, &present, "revoked certificates")))
		return e;
	if (present) {
		cv_der_cur revoked;
		if ((e = cv_der_enter(&tbs, &el, &revoked, "revoked certificates")) ||
			(e = check_revoked_list(&revoked, v2)))
			return e;
		crl->revoked = el.val;
	}
	if ((e = cv_der_optional(&tbs, CV_DER_CTX(0), &el, &present, "CRL extensions")))
		return e;
	if (present) {
		cv_der_cur wrap;
		cv_der exts;
		if (!v2)
			return cv_fail(d, CV_CRL_INVALID, "a v1 CRL carries CRL extensions");
		if ((e = cv_der_enter(&tbs, &el, &wrap, "CRL extensions")) ||
			(e = cv_der_expect(&wrap, CV_DER_SEQUENCE, &exts, "CRL extensions")) ||
			(e = cv_der_expect_end(&wrap, "CRL extensions")) ||
			(e = parse_extensions(&wrap, &exts, crl_ext, NULL, "CRL extensions")))
			return e;
	}
	if ((e = cv_der_expect_end(&tbs, "TBSCertList")))
		return e;

	if ((e = parse_sig_alg(&list, &outer_alg, "signature algorithm")))
		return e;
	if (!cv_bytes_eq(tbs_alg.ptr, tbs_alg.len, outer_alg.ptr, outer_alg.len))
		return cv_fail(d, CV_CRL_INVALID,
			"the CRL's outer signature algorithm differs from the one inside TBSCertList");
	if ((e = parse_sig_value(&list, &crl->sig)) || (e = cv_der_expect_end(&list, "CertificateList")))
		return e;
	return CV_OK;
}

int cv_crl_lists_serial(const cv_crl *crl, const uint8_t *serial, size_t serial_len)
{
	cv_der_cur list;
	if (!crl->revoked.ptr || crl->revoked.len == 0)
		return 0;
	cv_der_init(&list, crl->revoked.ptr, crl->revoked.len, CV_CRL_INVALID, "CRL", NULL);
	while (!cv_der_at_end(&list)) {
		cv_der_cur entry;
		cv_der el;
		if (cv_der_expect_enter(&list, CV_DER_SEQUENCE, &entry, NULL, "revoked entry") ||
			cv_der_expect(&entry, CV_DER_INTEGER, &el, "revoked serial number"))
			return 1; /* cannot read the list: treat the serial as revoked */
		if (cv_der_int_eq(el.val.ptr, el.val.len, serial, serial_len))
			return 1;
	}
	return 0;
}

/* ---- PEM and base64 ---- */

static int b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z') return ch - 'A';
	if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9') return ch - '0' + 52;
	if (ch == '+') return 62;
	if (ch == '/') return 63;
	return -1;
}

static int b64_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Strict RFC 4648: padded groups of four, '=' only at the end, unused bits
 * zero (one encoding per byte string). */
size_t cv_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	uint32_t quad = 0;
	unsigned q = 0, pad = 0;
	int done = 0;
	for (size_t i = 0; i < in_len; i++) {
		char ch = in[i];
		if (b64_space(ch))
			continue;
		if (done)
			return (size_t)-1; /* data after the padded final group */
		if (ch == '=') {
			if (q < 2)
				return (size_t)-1;
			pad++;
			quad <<= 6;
		} else {
			int v = b64_value(ch);
			if (v < 0 || pad)
				return (size_t)-1;
			quad = (quad << 6) | (uint32_t)v;
		}
		if (++q < 4)
			continue;
		size_t take = 3 - pad;
		if (pad && (quad & ((1u << (8 * pad)) - 1u)))
			return (size_t)-1; /* non-zero unused bits */
		if (cap - n < take)
			return (size_t)-1;
		for (size_t k = 0; k < take; k++)
			out[n++] = (uint8_t)(quad >> (16 - 8 * k));
		quad = 0;
		q = 0;
		done = pad != 0;
	}
	return q == 0 ? n : (size_t)-1;
}

/* First occurrence of needle in h[0..hlen), or NULL (text need not be
 * NUL-terminated). */
static const char *find_text(const char *h, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);
	for (size_t i = 0; nlen <= hlen && i <= hlen - nlen; i++)
		if (memcmp(h + i, needle, nlen) == 0)
			return h + i;
	return NULL;
}

cv_err cv_pem_decode_certs(const char *pem, size_t pem_len, uint8_t *out, size_t cap,
	cv_bytes *ders, size_t max, size_t *n, cv_diag *d)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	size_t pos = 0, used = 0;
	*n = 0;
	if (!pem)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "no PEM certificate text was given");
	for (;;) {
		const char *b = find_text(pem + pos, pem_len - pos, begin);
		if (!b)
			break;
		const char *body = b + sizeof begin - 1;
		size_t body_room = pem_len - (size_t)(body - pem);
		const char *e = find_text(body, body_room, end);
		if (!e)
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "PEM certificate %U has no END CERTIFICATE line",
				(uint64_t)*n + 1);
		if (*n == max)
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "the PEM text holds more certificates than the %U expected",
				(uint64_t)max);
		size_t got = cv_base64_decode(body, (size_t)(e - body), out + used, cap - used);
		if (got == (size_t)-1 || got == 0)
			return cv_fail(d, CV_CERT_CHAIN_INVALID,
				"PEM certificate %U is not valid base64 or does not fit in the %U bytes left",
				(uint64_t)*n + 1, (uint64_t)(cap - used));
		ders[*n].ptr = out + used;
		ders[*n].len = got;
		used += got;
		(*n)++;
		pos = (size_t)(e - pem) + sizeof end - 1;
	}
	return CV_OK;
}
