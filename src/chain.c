/*
 * Certificate chain validation to the pinned Intel SGX Root CA, and CRL
 * checks (docs/checks.md Steps 1, 2 and 6).
 *
 * Order: parse everything, anchor the chain to the pinned root, check every
 * link and signature, then constraints and Intel names, then validity
 * windows, then revocation. Authenticity comes first so that a forged
 * certificate is reported as forged, not as expired; certificate windows
 * come before CRLs so that each failure has its own, isolatable code.
 */
#include <string.h>

#include "cache.h"
#include "crypto.h"
#include "util.h"
#include "x509.h"

_Static_assert(CV_MAX_CHAIN_CERTS >= 4, "a 3-certificate chain plus the appended root must fit");

static const char *chain_name(cv_chain_kind kind)
{
	return kind == CV_CHAIN_PCK ? "PCK" : "TCB signing";
}

static const char *role_name(size_t i, size_t total)
{
	if (i == 0)
		return "leaf";
	return i + 1 == total ? "root CA" : "intermediate CA";
}

static int self_issued(const cv_cert *c)
{
	return cv_bytes_eq(c->issuer.ptr, c->issuer.len, c->subject.ptr, c->subject.len);
}

/* m: the verification's signature memo (cache.h), may be NULL. */
static int verify_by(const cv_cert *subject, const cv_cert *issuer, cv_sigmemo *m)
{
	return cv_sigmemo_verify_der(m, issuer->pub_xy, subject->tbs.ptr, subject->tbs.len, subject->sig.ptr,
		subject->sig.len);
}

cv_err cv_crl_check(const cv_crl *crl, const cv_cert *issuer, int64_t now, const char *what,
	cv_diag *d)
{
	return cv_crl_check_memo(crl, issuer, now, what, NULL, d);
}

cv_err cv_crl_check_memo(const cv_crl *crl, const cv_cert *issuer, int64_t now, const char *what,
	cv_sigmemo *m, cv_diag *d)
{
	if (!crl || !issuer)
		return cv_fail(d, CV_CRL_INVALID, "the %s or its issuer certificate is missing", what);
	/* The authoritative-issuer rule: only a CRL from the certificate's own
	 * issuer says anything about it (a Processor-CA CRL says nothing about
	 * a Platform-CA leaf). */
	if (!cv_bytes_eq(crl->issuer.ptr, crl->issuer.len, issuer->subject.ptr, issuer->subject.len))
		return cv_fail(d, CV_CRL_INVALID, "the %s is issued by '%s', not by '%s' as required", what,
			crl->issuer_cn, issuer->subject_cn);
	if (!issuer->has_key_usage || !(issuer->key_usage & CV_KU_CRL_SIGN))
		return cv_fail(d, CV_CRL_INVALID, "the %s's issuer '%s' is not allowed to sign CRLs (no cRLSign key usage)",
			what, issuer->subject_cn);
	if (!cv_sigmemo_verify_der(m, issuer->pub_xy, crl->tbs.ptr, crl->tbs.len, crl->sig.ptr, crl->sig.len))
		return cv_fail(d, CV_CRL_INVALID, "the %s's signature does not verify under the key of '%s'", what,
			issuer->subject_cn);
	if (now < crl->this_update)
		return cv_fail(d, CV_COLLATERAL_NOT_YET_VALID,
			"the %s is not valid before its thisUpdate %T (verification time %T)", what, crl->this_update,
			now);
	if (now > crl->next_update)
		return cv_fail(d, CV_CRL_EXPIRED, "the %s expired at its nextUpdate %T (verification time %T)", what,
			crl->next_update, now);
	return CV_OK;
}

/* Re-issue a callee's failure with the chain position in front. */
static cv_err fail_at(cv_diag *d, const cv_diag *inner, cv_chain_kind kind, size_t i, size_t n)
{
	return cv_fail(d, inner->code, "%s chain certificate %U of %U: %s", chain_name(kind), (uint64_t)i + 1,
		(uint64_t)n, inner->msg);
}

/* Links, signatures, the root's self-signature. */
static cv_err check_links(cv_chain_kind kind, const cv_cert *certs, size_t total, cv_sigmemo *m, cv_diag *d)
{
	const char *cn = chain_name(kind);
	const cv_cert *root = &certs[total - 1];
	for (size_t i = 0; i + 1 < total; i++) {
		/* Only the anchor may be self-issued: a self-signed certificate in
		 * the middle would be a second, unpinned root. */
		if (self_issued(&certs[i]))
			return cv_fail(d, CV_CERT_CHAIN_INVALID,
				"the %s chain's %s '%s' is self-issued, but only the last certificate may be a root", cn,
				role_name(i, total), certs[i].subject_cn);
		if (!cv_bytes_eq(certs[i].issuer.ptr, certs[i].issuer.len, certs[i + 1].subject.ptr,
				certs[i + 1].subject.len))
			return cv_fail(d, CV_CERT_CHAIN_INVALID,
				"the %s chain does not link: the %s's issuer '%s' is not the next certificate's subject '%s'",
				cn, role_name(i, total), certs[i].issuer_cn, certs[i + 1].subject_cn);
		if (!verify_by(&certs[i], &certs[i + 1], m))
			return cv_fail(d, CV_CERT_CHAIN_INVALID,
				"the signature on the %s chain's %s '%s' does not verify under the key of '%s'", cn,
				role_name(i, total), certs[i].subject_cn, certs[i + 1].subject_cn);
	}
	/* The anchor is pinned by its bytes, but must still be a sound root:
	 * a trusted DER that fails its own signature is corrupt. */
	if (!self_issued(root) || !verify_by(root, root, m))
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the root CA '%s' is not correctly self-signed (its self-signature does not verify)",
			root->subject_cn);
	return CV_OK;
}

/* basicConstraints, key usage, path length, EKU, and Intel's name checks. */
static cv_err check_constraints(cv_chain_kind kind, const cv_cert *certs, size_t total, cv_diag *d)
{
	const char *cn = chain_name(kind);
	const cv_cert *leaf = &certs[0];
	for (size_t i = 0; i < total; i++) {
		/* Intel certificates carry no EKU; one would restrict the key to
		 * uses this verifier cannot judge, so fail closed. */
		if (certs[i].has_ext_key_usage)
			return cv_fail(d, CV_CERT_CHAIN_INVALID,
				"the %s chain's %s '%s' has an extended key usage, which Intel certificates never carry", cn,
				role_name(i, total), certs[i].subject_cn);
	}
	if (leaf->is_ca)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s chain's leaf '%s' is a CA certificate used as an end entity",
			cn, leaf->subject_cn);
	if (!leaf->has_key_usage || !(leaf->key_usage & CV_KU_DIGITAL_SIGNATURE))
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s chain's leaf '%s' is not allowed to sign (no digitalSignature key usage)",
			cn, leaf->subject_cn);
	for (size_t i = 1; i < total; i++) {
		const cv_cert *ca = &certs[i];
		if (!ca->is_ca)
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s chain's %s '%s' is not a CA (basicConstraints)", cn,
				role_name(i, total), ca->subject_cn);
		if (!ca->has_key_usage || !(ca->key_usage & CV_KU_KEY_CERT_SIGN))
			return cv_fail(d, CV_CERT_CHAIN_INVALID,
				"the %s chain's %s '%s' is not allowed to sign certificates (no keyCertSign key usage)", cn,
				role_name(i, total), ca->subject_cn);
		/* Intermediate CAs below this one (the leaf does not count). */
		if (ca->path_len >= 0 && i - 1 > (size_t)ca->path_len)
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s chain is longer than the path length %d of '%s'", cn,
				ca->path_len, ca->subject_cn);
	}
	const cv_cert *root = &certs[total - 1];
	if (!strstr(root->subject_cn, "SGX Root CA"))
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s chain's root CN '%s' does not contain 'SGX Root CA'", cn,
			root->subject_cn);
	if (kind == CV_CHAIN_PCK) {
		if (!strstr(leaf->subject_cn, "SGX PCK Certificate"))
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "the PCK chain's leaf CN '%s' does not contain 'SGX PCK Certificate'",
				leaf->subject_cn);
		if (!strstr(certs[1].subject_cn, "CA"))
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "the PCK chain's issuing CA CN '%s' does not contain 'CA'",
				certs[1].subject_cn);
		if (!leaf->sgx.present)
			return cv_fail(d, CV_CERT_CHAIN_INVALID, "the PCK leaf '%s' has no Intel SGX extension (FMSPC, TCB)",
				leaf->subject_cn);
	} else if (!strstr(leaf->subject_cn, "SGX TCB Signing")) {
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the TCB signing chain's leaf CN '%s' does not contain 'SGX TCB Signing'",
			leaf->subject_cn);
	}
	return CV_OK;
}

static cv_err check_validity(cv_chain_kind kind, const cv_cert *certs, size_t total, int64_t now, cv_diag *d)
{
	for (size_t i = 0; i < total; i++) {
		const cv_cert *c = &certs[i];
		if (now < c->not_before)
			return cv_fail(d, CV_CERT_NOT_YET_VALID,
				"the %s chain's %s '%s' is not valid before %T (verification time %T)", chain_name(kind),
				role_name(i, total), c->subject_cn, c->not_before, now);
		if (now > c->not_after)
			return cv_fail(d, CV_CERT_EXPIRED, "the %s chain's %s '%s' expired at %T (verification time %T)",
				chain_name(kind), role_name(i, total), c->subject_cn, c->not_after, now);
	}
	return CV_OK;
}

static cv_err check_revocation(cv_chain_kind kind, const cv_cert *certs, size_t total, const cv_crl *root_crl,
	const cv_crl *pck_crl, int64_t now, cv_sigmemo *m, cv_diag *d)
{
	const cv_cert *root = &certs[total - 1];
	const char *cn = chain_name(kind);
	cv_err e;
	if (!root_crl)
		return cv_fail(d, CV_COLLATERAL_MISSING, "the root CA CRL is missing, so the %s chain's revocation cannot be checked",
			cn);
	if ((e = cv_crl_check_memo(root_crl, root, now, "root CA CRL", m, d)))
		return e;
	/* Every certificate the root issued, and the root itself (as dcap-qvl
	 * does: upstream path builders never check an anchor), against the
	 * root's CRL; the PCK leaf is covered by the PCK CRL below. */
	size_t first = kind == CV_CHAIN_PCK ? 1 : 0;
	for (size_t i = first; i < total; i++) {
		if (cv_crl_lists_serial(root_crl, certs[i].serial.ptr, certs[i].serial.len))
			return cv_fail(d, CV_CERT_REVOKED, "the %s chain's %s '%s' (serial %H) is revoked by the root CA CRL", cn,
				role_name(i, total), certs[i].subject_cn, certs[i].serial.ptr, certs[i].serial.len);
	}
	if (kind != CV_CHAIN_PCK)
		return CV_OK;

	const cv_cert *leaf = &certs[0], *pck_ca = &certs[1];
	if (!pck_crl)
		return cv_fail(d, CV_COLLATERAL_MISSING, "the PCK CRL is missing, so the PCK leaf's revocation cannot be checked");
	/* Raw issuer equality (Intel compares the names byte for byte). */
	if (!cv_bytes_eq(pck_crl->issuer.ptr, pck_crl->issuer.len, leaf->issuer.ptr, leaf->issuer.len))
		return cv_fail(d, CV_CRL_INVALID, "the PCK CRL is issued by '%s', but the PCK leaf is issued by '%s'",
			pck_crl->issuer_cn, leaf->issuer_cn);
	if (!strstr(pck_crl->issuer_cn, "CA"))
		return cv_fail(d, CV_CRL_INVALID, "the PCK CRL issuer CN '%s' does not contain 'CA'", pck_crl->issuer_cn);
	if ((e = cv_crl_check_memo(pck_crl, pck_ca, now, "PCK CRL", m, d)))
		return e;
	if (cv_crl_lists_serial(pck_crl, leaf->serial.ptr, leaf->serial.len))
		return cv_fail(d, CV_CERT_REVOKED, "the PCK leaf certificate (serial %H) is revoked by the PCK CRL of '%s'",
			leaf->serial.ptr, leaf->serial.len, pck_crl->issuer_cn);
	return CV_OK;
}

cv_err cv_chain_verify(cv_chain_kind kind, const cv_bytes *chain, size_t n,
	const uint8_t *trusted_root_der, size_t trusted_root_len,
	const cv_crl *root_crl, const cv_crl *pck_crl, int64_t now,
	cv_cert *certs_out, cv_diag *d)
{
	return cv_chain_verify_memo(kind, chain, n, trusted_root_der, trusted_root_len, root_crl, pck_crl, now, NULL,
		certs_out, d);
}

cv_err cv_chain_verify_memo(cv_chain_kind kind, const cv_bytes *chain, size_t n,
	const uint8_t *trusted_root_der, size_t trusted_root_len,
	const cv_crl *root_crl, const cv_crl *pck_crl, int64_t now, cv_sigmemo *m,
	cv_cert *certs_out, cv_diag *d)
{
	cv_cert certs[CV_MAX_CHAIN_CERTS];
	cv_diag inner;
	cv_err e;

	if (kind != CV_CHAIN_PCK && kind != CV_CHAIN_TCB_SIGNER)
		return cv_fail(d, CV_INTERNAL, "unknown certificate chain kind %d", (int)kind);
	const char *cn = chain_name(kind);
	/* PCK: leaf, PCK CA, root. TCB signing: leaf, root. Intel issues no
	 * other shapes, and a fixed shape leaves no room for path games. */
	const size_t want = kind == CV_CHAIN_PCK ? 3 : 2;
	if (!chain || n == 0)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s certificate chain is empty", cn);
	if (n > want)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s certificate chain has %U certificates; at most %U are expected",
			cn, (uint64_t)n, (uint64_t)want);
	if (!trusted_root_der)
		return cv_fail(d, CV_ROOT_CA_MISMATCH, "no trusted root certificate was given");

	cv_cert root;
	if (cv_cert_parse(trusted_root_der, trusted_root_len, &root, &inner))
		return cv_fail(d, CV_ROOT_CA_MISMATCH, "the trusted root certificate does not parse: %s", inner.msg);
	for (size_t i = 0; i < n; i++) {
		if (cv_cert_parse(chain[i].ptr, chain[i].len, &certs[i], &inner))
			return fail_at(d, &inner, kind, i, n);
	}

	/* The anchor is the pinned DER, never a root carried by the evidence. */
	size_t total = n;
	if (!cv_bytes_eq(chain[n - 1].ptr, chain[n - 1].len, trusted_root_der, trusted_root_len)) {
		if (self_issued(&certs[n - 1]))
			return cv_fail(d, CV_ROOT_CA_MISMATCH,
				"the %s chain ends in the root '%s' (serial %H), which is not the pinned Intel SGX Root CA", cn,
				certs[n - 1].subject_cn, certs[n - 1].serial.ptr, certs[n - 1].serial.len);
		certs[n] = root; /* n <= want < CV_MAX_CHAIN_CERTS */
		total = n + 1;
	}
	if (total != want)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the %s chain has %U certificates including the root; %U are expected",
			cn, (uint64_t)total, (uint64_t)want);

	if ((e = check_links(kind, certs, total, m, d)) || (e = check_constraints(kind, certs, total, d)) ||
		(e = check_validity(kind, certs, total, now, d)) ||
		(e = check_revocation(kind, certs, total, root_crl, pck_crl, now, m, d)))
		return e;

	if (certs_out)
		memcpy(certs_out, certs, n * sizeof *certs);
	return CV_OK;
}
