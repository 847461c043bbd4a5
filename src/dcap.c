/*
 * The DCAP pipeline (docs/checks.md, DCAP steps): independent stages
 * (quote, anchor, root CA CRL, TCB info, QE identity, PCK chain source,
 * PCK CRL) each record their own outcome; the five checks are then decided
 * from them, so each check names the failure that blocks it instead of
 * silently passing. Nothing here reads a clock or keeps global state.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "crypto.h"
#include "dcap.h"
#include "der.h"
#include "policy.h"
#include "tcb.h"
#include "util.h"
#include "x509.h"

/* SHA-256 of the pinned root (docs/checks.md Step 1): a guard against a corrupted
 * build, checked every time the pinned root is used. */
static const uint8_t pinned_root_sha256[32] = {
	0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
	0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3,
};

/* The outcome of one stage: CV_OK, or a code and a sentence. */
typedef struct {
	cv_err code;
	cv_diag d;
} stage;

/* A certificate chain as read from PEM (or concatenated DER). */
typedef struct {
	size_t n;
	cv_bytes der[CV_MAX_CHAIN_CERTS];
	cv_cert cert[CV_MAX_CHAIN_CERTS]; /* parsed copies, valid where parsed[i] */
	int parsed[CV_MAX_CHAIN_CERTS];
	uint8_t *buf;                     /* owned: decoded PEM */
} chain;

typedef struct {
	const cv_policy *pol;
	int64_t now;
	cv_dcap_result *r;

	const uint8_t *root_der;
	size_t root_len;
	cv_cert root;

	int has_coll;
	cv_collateral coll;
	cv_crl root_crl, pck_crl;
	int root_crl_parsed, pck_crl_parsed;
	cv_tcb_info ti;
	cv_qe_identity qi;
	int ti_parsed, qi_parsed;
	chain tcb_chain, qe_chain, pck;

	stage s_quote, s_coll, s_anchor, s_root_crl, s_tcb_info, s_qe_id, s_pck_src, s_pck_crl;
	/* Every certificate, CRL and collateral signature goes through the memo
	 * (cache.h): each distinct one is computed once per verification, and
	 * not at all when the caller's cache has seen it verify with this very
	 * collateral. The quote signature never does: it is new with every quote. */
	cv_sigmemo memo;
	cv_cert pck_certs[CV_MAX_CHAIN_CERTS]; /* from cv_chain_verify: authentic */
	int hw_ok;
} ctx;

static void stage_ok(stage *s)
{
	s->code = CV_OK;
	cv_diag_clear(&s->d);
}

/* Record a failure whose sentence is built from a lower layer's diag (the
 * x509 layer writes lower-case fragments without a final period). */
static void stage_wrap(stage *s, const char *prefix, const cv_diag *inner)
{
	char m[CV_DIAG_MSG_MAX];
	memcpy(m, inner->msg, sizeof m);
	m[sizeof m - 1] = '\0';
	size_t l = strlen(m);
	int dot = l > 0 && m[l - 1] == '.';
	if (!prefix[0] && m[0] >= 'a' && m[0] <= 'z')
		m[0] = (char)(m[0] - 32);
	/* Mid-sentence: "The quote ..." becomes "the quote ..."; acronyms
	 * ("PCK ...") keep their case. */
	if (prefix[0] && m[0] >= 'A' && m[0] <= 'Z' && m[1] >= 'a' && m[1] <= 'z')
		m[0] = (char)(m[0] + 32);
	s->code = cv_fail(&s->d, inner->code, "%s%s%s", prefix, m, dot ? "" : ".");
}

static void stage_copy(stage *dst, const stage *src)
{
	*dst = *src;
}

static void note_expiry(ctx *x, int64_t t)
{
	if (x->r->expires_at == CV_TIME_UNKNOWN || t < x->r->expires_at)
		x->r->expires_at = t;
}

/* ---- certificate chains ---- */

static const uint8_t *find_bytes(const uint8_t *h, size_t hl, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; hl >= nl && i <= hl - nl; i++)
		if (memcmp(h + i, needle, nl) == 0)
			return h + i;
	return NULL;
}

static void chain_free(chain *ch)
{
	free(ch->buf);
	ch->buf = NULL;
	ch->n = 0;
}

/* Read PEM certificates, or (as in Intel's sample TDX quote) concatenated
 * DER certificates, and parse each for reporting; validation is
 * cv_chain_verify's. */
static cv_err chain_load(const uint8_t *data, size_t len, chain *ch, cv_diag *d)
{
	memset(ch, 0, sizeof *ch);
	if (!data || len == 0)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate chain is empty");
	if (find_bytes(data, len, "-----BEGIN")) {
		ch->buf = malloc(len);
		if (!ch->buf)
			return cv_fail(d, CV_OUT_OF_MEMORY, "out of memory while decoding a certificate chain");
		cv_err e = cv_pem_decode_certs((const char *)data, len, ch->buf, len, ch->der, CV_MAX_CHAIN_CERTS,
			&ch->n, d);
		if (e)
			return e;
	} else if (data[0] == CV_DER_SEQUENCE) {
		cv_der_cur c;
		cv_der_init(&c, data, len, CV_CERT_CHAIN_INVALID, "certificate chain", d);
		while (!cv_der_at_end(&c)) {
			cv_der el;
			if (ch->n == CV_MAX_CHAIN_CERTS)
				return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate chain holds more than %u certificates",
					(unsigned)CV_MAX_CHAIN_CERTS);
			cv_err e = cv_der_expect(&c, CV_DER_SEQUENCE, &el, "certificate");
			if (e)
				return e;
			ch->der[ch->n++] = el.tlv;
		}
	} else {
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate chain is neither PEM nor DER");
	}
	if (ch->n == 0)
		return cv_fail(d, CV_CERT_CHAIN_INVALID, "the certificate chain holds no certificate");
	/* Intel's sample TDX quote lists its DER chain root first; Intel's QVL
	 * orders chains itself. Reverse a root-first chain into the leaf-first
	 * order cv_chain_verify expects (it still validates every link). */
	cv_cert first;
	if (ch->n > 1 && cv_cert_parse(ch->der[0].ptr, ch->der[0].len, &first, NULL) == CV_OK &&
		cv_bytes_eq(first.issuer.ptr, first.issuer.len, first.subject.ptr, first.subject.len)) {
		for (size_t i = 0; i < ch->n / 2; i++) {
			cv_bytes t = ch->der[i];
			ch->der[i] = ch->der[ch->n - 1 - i];
			ch->der[ch->n - 1 - i] = t;
		}
	}
	for (size_t i = 0; i < ch->n; i++)
		ch->parsed[i] = cv_cert_parse(ch->der[i].ptr, ch->der[i].len, &ch->cert[i], NULL) == CV_OK;
	return CV_OK;
}

static void chain_note_expiry(ctx *x, const chain *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		if (ch->parsed[i])
			note_expiry(x, ch->cert[i].not_after);
}

/* ---- stages ---- */

static void stage_anchor(ctx *x)
{
	cv_diag d;
	x->root_der = cv_intel_root_ca_der;
	x->root_len = cv_intel_root_ca_der_len;
#ifdef CV_TEST_BUILD
	if (x->pol->trusted_root_der && x->pol->trusted_root_len) {
		x->root_der = x->pol->trusted_root_der;
		x->root_len = x->pol->trusted_root_len;
		x->r->test_root = 1;
	}
#endif
	if (!x->r->test_root) {
		uint8_t h[32];
		cv_sha256(x->root_der, x->root_len, h);
		if (memcmp(h, pinned_root_sha256, 32) != 0) {
			x->s_anchor.code = cv_fail(&x->s_anchor.d, CV_INTERNAL,
				"The compiled-in Intel SGX Root CA does not have the pinned SHA-256 fingerprint.");
			return;
		}
	}
	if (cv_cert_parse(x->root_der, x->root_len, &x->root, &d)) {
		stage_wrap(&x->s_anchor, "The trusted root certificate does not parse: ", &d);
		x->s_anchor.code = x->s_anchor.d.code = CV_ROOT_CA_MISMATCH;
		return;
	}
	note_expiry(x, x->root.not_after);
	stage_ok(&x->s_anchor);
}

/* Parse one collateral CRL for a stage and record its window; 0 when the
 * stage has failed (collateral unreadable or the CRL does not parse). */
static int parse_stage_crl(ctx *x, stage *s, cv_bytes der, const char *what, cv_crl *crl, int *parsed,
	int64_t *this_update, int64_t *next_update)
{
	cv_diag d;
	if (x->s_coll.code) {
		stage_copy(s, &x->s_coll);
		return 0;
	}
	if (cv_crl_parse(der.ptr, der.len, crl, &d)) {
		stage_wrap(s, what, &d);
		return 0;
	}
	*parsed = 1;
	*this_update = crl->this_update;
	*next_update = crl->next_update;
	note_expiry(x, crl->next_update);
	return 1;
}

/* Step 2: the root CA CRL. */
static void stage_root_crl(ctx *x)
{
	stage *s = &x->s_root_crl;
	cv_diag d;
	if (!parse_stage_crl(x, s, x->coll.root_ca_crl, "Root CA CRL: ", &x->root_crl, &x->root_crl_parsed,
		&x->r->root_crl_this_update, &x->r->root_crl_next_update))
		return;
	if (x->s_anchor.code) {
		stage_copy(s, &x->s_anchor);
		return;
	}
	if (cv_crl_check_memo(&x->root_crl, &x->root, x->now, "root CA CRL", &x->memo, &d)) {
		stage_wrap(s, "", &d);
		return;
	}
	if (cv_crl_lists_serial(&x->root_crl, x->root.serial.ptr, x->root.serial.len)) {
		s->code = cv_fail(&s->d, CV_CERT_REVOKED, "The root CA CRL revokes the trusted root itself (serial %H).",
			x->root.serial.ptr, x->root.serial.len);
		return;
	}
	stage_ok(s);
}

/* Steps 4 and 5: TCB info / QE identity: signing chain, signature over the
 * exact text, strict parse, window. */
static void stage_signed_doc(ctx *x, int is_tcb)
{
	const char *name = is_tcb ? "TCB info" : "QE identity";
	stage *s = is_tcb ? &x->s_tcb_info : &x->s_qe_id;
	chain *ch = is_tcb ? &x->tcb_chain : &x->qe_chain;
	cv_diag d;
	char pre[64];
	if (x->s_coll.code) {
		stage_copy(s, &x->s_coll);
		return;
	}
	const char *pem = is_tcb ? x->coll.tcb_info_issuer_chain : x->coll.qe_identity_issuer_chain;
	size_t pem_len = is_tcb ? x->coll.tcb_info_issuer_chain_len : x->coll.qe_identity_issuer_chain_len;
	const char *text = is_tcb ? x->coll.tcb_info : x->coll.qe_identity;
	size_t text_len = is_tcb ? x->coll.tcb_info_len : x->coll.qe_identity_len;
	const uint8_t *sig = is_tcb ? x->coll.tcb_info_sig : x->coll.qe_identity_sig;

	cv_format(pre, sizeof pre, "%s issuer chain: ", name);
	if (chain_load((const uint8_t *)pem, pem_len, ch, &d)) {
		stage_wrap(s, pre, &d);
		return;
	}
	chain_note_expiry(x, ch);
	if (x->s_anchor.code) {
		stage_copy(s, &x->s_anchor);
		return;
	}
	if (!x->root_crl_parsed) {
		stage_copy(s, &x->s_root_crl);
		return;
	}
	cv_cert signer[CV_MAX_CHAIN_CERTS];
	if (cv_chain_verify_memo(CV_CHAIN_TCB_SIGNER, ch->der, ch->n, x->root_der, x->root_len, &x->root_crl, NULL,
		x->now, &x->memo, signer, &d)) {
		stage_wrap(s, pre, &d);
		return;
	}
	if (!cv_sigmemo_verify_raw(&x->memo, signer[0].pub_xy, (const uint8_t *)text, text_len, sig)) {
		s->code = cv_fail(&s->d, is_tcb ? CV_TCB_INFO_SIGNATURE_INVALID : CV_QE_IDENTITY_SIGNATURE_INVALID,
			"The %s signature does not verify under the key of '%s' over the %U-byte signed text.", name,
			signer[0].subject_cn, (uint64_t)text_len);
		return;
	}
	int64_t issue, next;
	if (is_tcb) {
		if (cv_tcb_info_parse(text, text_len, &x->ti, &d)) {
			stage_wrap(s, "", &d);
			return;
		}
		x->ti_parsed = 1;
		issue = x->ti.issue_date;
		next = x->ti.next_update;
		x->r->tcb_info_issue_date = issue;
		x->r->tcb_info_next_update = next;
		x->r->eval_data_number = x->ti.tcb_eval_num;
	} else {
		if (cv_qe_identity_parse(text, text_len, &x->qi, &d)) {
			stage_wrap(s, "", &d);
			return;
		}
		x->qi_parsed = 1;
		issue = x->qi.issue_date;
		next = x->qi.next_update;
		x->r->qe_identity_issue_date = issue;
		x->r->qe_identity_next_update = next;
	}
	note_expiry(x, next);
	/* Intel checks only nextUpdate; issueDate in the future means a wrong
	 * clock or forged timing, so it fails too (dcap-qvl does the same). */
	if (x->now < issue) {
		s->code = cv_fail(&s->d, CV_COLLATERAL_NOT_YET_VALID,
			"The %s is not valid before its issueDate %T (verification time %T).", name, issue, x->now);
		return;
	}
	if (x->now > next) {
		s->code = cv_fail(&s->d, CV_COLLATERAL_EXPIRED, "The %s expired at its nextUpdate %T (verification time %T).",
			name, next, x->now);
		return;
	}
	stage_ok(s);
}

static void platform_from_leaf(ctx *x, const cv_cert *leaf)
{
	cv_dcap_result *r = x->r;
	if (!leaf->sgx.present)
		return;
	r->has_platform = 1;
	cv_hex_encode(leaf->sgx.fmspc, 6, r->fmspc_hex);
	for (char *p = r->fmspc_hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	memcpy(r->pce_id, leaf->sgx.pce_id, 2);
	memcpy(r->ppid, leaf->sgx.ppid, 16);
	memcpy(r->pck_comp, leaf->sgx.comp_svn, 16);
	r->pck_pcesvn = leaf->sgx.pcesvn;
	r->pck_ca = strstr(leaf->issuer_cn, "Processor") ? "processor" :
		strstr(leaf->issuer_cn, "Platform") ? "platform" : NULL;
}

/* Step 6, chain source: the quote's own chain; the collateral's only when the
 * quote carries none (certification data types 1-3). */
static void stage_pck_source(ctx *x)
{
	stage *s = &x->s_pck_src;
	const cv_quote *q = &x->r->quote;
	cv_diag d;
	if (x->s_quote.code) {
		stage_copy(s, &x->s_quote);
		return;
	}
	if (q->cert_type == CV_CERT_PCK_CHAIN) {
		if (chain_load(q->cert_data, q->cert_data_len, &x->pck, &d)) {
			stage_wrap(s, "The quote's PCK certificate chain: ", &d);
			return;
		}
	} else if (q->cert_type >= CV_CERT_PPID_CLEAR && q->cert_type <= CV_CERT_PPID_RSA3072) {
		if (x->s_coll.code) {
			stage_copy(s, &x->s_coll);
			return;
		}
		if (!x->coll.pck_certificate_chain) {
			s->code = cv_fail(&s->d, CV_COLLATERAL_MISSING,
				"The quote carries no PCK certificate chain (certification data type %u) and the collateral has no pck_certificate_chain.",
				(unsigned)q->cert_type);
			return;
		}
		if (chain_load((const uint8_t *)x->coll.pck_certificate_chain, x->coll.pck_certificate_chain_len, &x->pck,
			&d)) {
			stage_wrap(s, "The collateral's pck_certificate_chain: ", &d);
			return;
		}
	} else {
		s->code = cv_fail(&s->d, CV_CERT_CHAIN_INVALID,
			"Certification data type %u is not supported; a PCK certificate chain (type 5) is required.",
			(unsigned)q->cert_type);
		return;
	}
	chain_note_expiry(x, &x->pck);
	if (x->pck.parsed[0])
		platform_from_leaf(x, &x->pck.cert[0]);
	if (x->pck.n < 2 || !x->pck.parsed[0] || !x->pck.parsed[1]) {
		s->code = cv_fail(&s->d, CV_CERT_CHAIN_INVALID,
			"The PCK certificate chain does not start with a parsable leaf and PCK CA certificate.");
		return;
	}
	/* The PCK CRL is judged against cert[1]: it must be the leaf's issuer. */
	const cv_cert *leaf = &x->pck.cert[0], *ca = &x->pck.cert[1];
	if (leaf->is_ca || !cv_bytes_eq(leaf->issuer.ptr, leaf->issuer.len, ca->subject.ptr, ca->subject.len)) {
		s->code = cv_fail(&s->d, CV_CERT_CHAIN_INVALID,
			"The PCK certificate chain does not start with a leaf ('%s') followed by its issuing CA ('%s').",
			leaf->subject_cn, ca->subject_cn);
		return;
	}
	stage_ok(s);
}

/* The PCK CRL as collateral: parsed, issued and signed by the PCK CA of the
 * chain in use (itself signed by the trusted root), inside its window. */
static void stage_pck_crl(ctx *x)
{
	stage *s = &x->s_pck_crl;
	cv_diag d;
	if (!parse_stage_crl(x, s, x->coll.pck_crl, "PCK CRL: ", &x->pck_crl, &x->pck_crl_parsed,
		&x->r->pck_crl_this_update, &x->r->pck_crl_next_update))
		return;
	if (x->s_pck_src.code) {
		stage_wrap(s, "The PCK CRL cannot be authenticated without the PCK chain's CA certificate: ", &x->s_pck_src.d);
		return;
	}
	if (x->s_anchor.code) {
		stage_copy(s, &x->s_anchor);
		return;
	}
	const cv_cert *ca = &x->pck.cert[1];
	if (!cv_bytes_eq(ca->issuer.ptr, ca->issuer.len, x->root.subject.ptr, x->root.subject.len) ||
		!cv_sigmemo_verify_der(&x->memo, x->root.pub_xy, ca->tbs.ptr, ca->tbs.len, ca->sig.ptr, ca->sig.len)) {
		s->code = cv_fail(&s->d, CV_CERT_CHAIN_INVALID,
			"The PCK CA certificate '%s' is not signed by the trusted root, so the PCK CRL cannot be authenticated.",
			ca->subject_cn);
		return;
	}
	if (cv_crl_check_memo(&x->pck_crl, ca, x->now, "PCK CRL", &x->memo, &d)) {
		stage_wrap(s, "", &d);
		return;
	}
	stage_ok(s);
}

/* ---- checks ---- */

static void check_fail_blocked(cv_check *c, const char *what, const char *blocker, const stage *s)
{
	char m[CV_DIAG_MSG_MAX];
	memcpy(m, s->d.msg, sizeof m);
	m[sizeof m - 1] = '\0';
	/* "The TCB info ..." continues the sentence as "the TCB info ...";
	 * acronyms ("PCK ...") keep their case. */
	if (m[0] >= 'A' && m[0] <= 'Z' && m[1] >= 'a' && m[1] <= 'z')
		m[0] = (char)(m[0] + 32);
	size_t l = strlen(m);
	int dot = l > 0 && m[l - 1] == '.';
	cv_check_set(c, CV_FAIL, s->code, "%s cannot be judged because %s failed: %s%s", what, blocker, m,
		dot ? "" : ".");
}

static void check_from_stage(cv_check *c, const stage *s)
{
	cv_check_set(c, CV_FAIL, s->code, "%s", s->d.msg);
}

static void decide_quote_format(ctx *x)
{
	cv_check *c = &x->r->quote_format;
	const cv_quote *q = &x->r->quote;
	if (x->s_quote.code) {
		check_from_stage(c, &x->s_quote);
		return;
	}
	cv_check_set(c, CV_PASS, CV_OK,
		"%s quote version %u with body type %u parses (%U bytes of quote data, attestation key ECDSA P-256, QE vendor Intel).",
		cv_quote_tee_name(q), (unsigned)q->version, (unsigned)q->body_type, (uint64_t)q->raw_len);
}

static void decide_collateral(ctx *x)
{
	cv_check *c = &x->r->collateral_validity;
	const stage *order[] = { &x->s_coll, &x->s_anchor, &x->s_root_crl, &x->s_tcb_info, &x->s_qe_id, &x->s_pck_crl };
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i]->code) {
			check_from_stage(c, order[i]);
			return;
		}
	cv_check_set(c, CV_PASS, CV_OK,
		"Root CA CRL, PCK CRL of '%s', TCB info and QE identity (%s) are signed by Intel and valid at %T; the earliest expires at %T.",
		x->pck_crl.issuer_cn, x->qi.id, x->now, x->r->expires_at);
}

/* The attestation key binding: SHA-256(att_key || qe_auth) == report_data[0..32]. */
static int qe_binding_ok(const cv_quote *q)
{
	cv_sha256_ctx h;
	uint8_t md[32];
	cv_sha256_init(&h);
	cv_sha256_update(&h, q->att_key, 64);
	cv_sha256_update(&h, q->qe_auth, q->qe_auth_len);
	cv_sha256_final(&h, md);
	return memcmp(md, q->qe_report.report_data, 32) == 0;
}

static void decide_hardware(ctx *x)
{
	cv_check *c = &x->r->hardware_signature;
	const cv_quote *q = &x->r->quote;
	const char *w = "The hardware signature";
	cv_diag d;
	if (x->s_quote.code) {
		check_fail_blocked(c, w, "quote.format", &x->s_quote);
		return;
	}
	if (x->s_coll.code) {
		check_fail_blocked(c, w, "the collateral", &x->s_coll);
		return;
	}
	if (x->s_anchor.code) {
		check_from_stage(c, &x->s_anchor);
		return;
	}
	if (x->s_pck_src.code) {
		check_from_stage(c, &x->s_pck_src);
		return;
	}
	/* Revocation cannot be judged without both CRLs. */
	if (!x->root_crl_parsed) {
		check_fail_blocked(c, w, "the root CA CRL", &x->s_root_crl);
		return;
	}
	if (!x->pck_crl_parsed) {
		check_fail_blocked(c, w, "the PCK CRL", &x->s_pck_crl);
		return;
	}

	/* Step 6. */
	if (cv_chain_verify_memo(CV_CHAIN_PCK, x->pck.der, x->pck.n, x->root_der, x->root_len, &x->root_crl,
		&x->pck_crl, x->now, &x->memo, x->pck_certs, &d)) {
		stage s;
		stage_wrap(&s, "PCK certificate chain: ", &d);
		{
			check_from_stage(c, &s);
			return;
		}
	}
	const cv_cert *leaf = &x->pck_certs[0];
	/* Step 7. Through the memo: the QE report certifies the attestation key,
	 * which a platform keeps across quotes, so quotes of one CVM share it. */
	if (!cv_sigmemo_verify_raw(&x->memo, leaf->pub_xy, q->qe_report.raw, 384, q->qe_report_sig)) {
		cv_check_set(c, CV_FAIL, CV_QE_REPORT_SIGNATURE_INVALID,
			"The QE report signature does not verify under the PCK leaf key of '%s'.", leaf->subject_cn);
		return;
	}
	/* Step 8. */
	if (!qe_binding_ok(q)) {
		cv_check_set(c, CV_FAIL, CV_QE_REPORT_DATA_MISMATCH,
			"The QE report data %H does not equal SHA-256(attestation key || %U bytes of QE auth data).",
			q->qe_report.report_data, (size_t)32, (uint64_t)q->qe_auth_len);
		return;
	}
	/* Step 10 (before 9 and 11, which need collateral: the order only
	 * changes which failure is reported first). */
	if (!cv_ecdsa_p256_verify_raw(q->att_key, q->raw, q->signed_len, q->quote_sig)) {
		cv_check_set(c, CV_FAIL, CV_QUOTE_SIGNATURE_INVALID,
			"The quote signature over its first %U bytes does not verify under the attestation key.",
			(uint64_t)q->signed_len);
		return;
	}
	/* Step 9.1-9.4. */
	if (x->s_qe_id.code) {
		check_fail_blocked(c, "The quoting enclave's identity", "the QE identity", &x->s_qe_id);
		return;
	}
	int tdx = cv_quote_is_tdx(q);
	if (strcmp(x->qi.id, tdx ? "TD_QE" : "QE") != 0) {
		cv_check_set(c, CV_FAIL, CV_QE_IDENTITY_MISMATCH,
			"The QE identity is for \"%s\", but a %s quote needs \"%s\".", x->qi.id, cv_quote_tee_name(q),
			tdx ? "TD_QE" : "QE");
		return;
	}
	if (cv_tcb_check_qe_identity(&x->qi, &q->qe_report, &d)) {
		cv_check_from_diag(c, CV_FAIL, &d);
		return;
	}
	/* Step 11, and the TCB info id / version gate of Step 4.5. */
	if (x->s_tcb_info.code) {
		check_fail_blocked(c, "The platform's FMSPC", "the TCB info", &x->s_tcb_info);
		return;
	}
	if (tdx ? !(x->ti.is_tdx && x->ti.version >= 3) : x->ti.is_tdx) {
		cv_check_set(c, CV_FAIL, CV_FMSPC_MISMATCH,
			"The TCB info is for %s (version %d), but the quote is %s.", x->ti.is_tdx ? "TDX" : "SGX",
			x->ti.version, cv_quote_tee_name(q));
		return;
	}
	if (memcmp(leaf->sgx.fmspc, x->ti.fmspc, 6) != 0) {
		cv_check_set(c, CV_FAIL, CV_FMSPC_MISMATCH, "The PCK certificate's FMSPC %H differs from the TCB info's FMSPC %H.",
			leaf->sgx.fmspc, (size_t)6, x->ti.fmspc, (size_t)6);
		return;
	}
	if (memcmp(leaf->sgx.pce_id, x->ti.pce_id, 2) != 0) {
		cv_check_set(c, CV_FAIL, CV_FMSPC_MISMATCH, "The PCK certificate's PCE-ID %H differs from the TCB info's %H.",
			leaf->sgx.pce_id, (size_t)2, x->ti.pce_id, (size_t)2);
		return;
	}
	x->hw_ok = 1;
	cv_check_set(c, CV_PASS, CV_OK,
		"The PCK chain ('%s') leads to the %s and is not revoked; it signs the QE report, which binds the attestation key that signs the quote; the QE matches Intel's %s identity and FMSPC %s matches the TCB info.",
		x->pck_certs[1].subject_cn, x->r->test_root ? "caller-supplied test root" : "pinned Intel SGX Root CA",
		x->qi.id, x->r->fmspc_hex);
}

static void adv_copy(cv_advisory_list *dst, const char *const *ids, size_t n)
{
	dst->n = 0;
	for (size_t i = 0; i < n && dst->n < CV_MAX_ADVISORIES; i++) {
		size_t l = strlen(ids[i]);
		if (l > CV_ADVISORY_ID_MAX)
			l = CV_ADVISORY_ID_MAX;
		memcpy(dst->id[dst->n], ids[i], l);
		dst->id[dst->n][l] = '\0';
		dst->n++;
	}
}

/* "; advisories INTEL-SA-00289, INTEL-SA-00615" (bounded), or "". */
static void adv_text(const cv_advisory_list *a, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < a->n; i++) {
		const char *sep = i ? ", " : "; advisories ";
		size_t need = strlen(sep) + strlen(a->id[i]);
		if (len + need + 16 >= cap) {
			len += cv_format(out + len, cap - len, ", and %u more", (unsigned)(a->n - i));
			return;
		}
		len += cv_format(out + len, cap - len, "%s%s", sep, a->id[i]);
	}
}

/* Apply the TCB policy to the merged status and write the check. */
static void apply_tcb_policy(ctx *x, cv_tcb_status st, const char *detail)
{
	cv_check *c = &x->r->tcb_status;
	char adv[200];
	adv_text(&x->r->advisory_ids, adv, sizeof adv);
	const char *name = cv_tcb_status_name(st), *by;
	cv_err code;
	cv_status out = cv_policy_tcb_judge(st, x->pol, &code, &by);
	if (code == CV_TCB_REVOKED)
		cv_check_set(c, CV_FAIL, code, "Intel lists this platform's TCB as Revoked%s%s.", detail, adv);
	else if (out == CV_FAIL)
		cv_check_set(c, CV_FAIL, code, "TCB status %s%s is not accepted by the %s TCB policy%s.", name, detail, by,
			adv);
	else if (out == CV_WARN)
		cv_check_set(c, CV_WARN, CV_TCB_NOT_UP_TO_DATE, "TCB status %s%s is accepted with a warning by the %s TCB policy%s.", name,
			detail, by, adv);
	else
		cv_check_set(c, CV_PASS, CV_OK, "TCB status %s%s (TCB level of %T, evaluation data number %d)%s.", name,
			detail, x->r->tcb_date, x->r->eval_data_number, adv);
}

static void decide_tcb(ctx *x)
{
	cv_check *c = &x->r->tcb_status;
	cv_dcap_result *r = x->r;
	const cv_quote *q = &r->quote;
	const char *w = "The TCB status";
	cv_diag d;
	if (x->s_quote.code) {
		check_fail_blocked(c, w, "quote.format", &x->s_quote);
		return;
	}
	if (x->s_coll.code) {
		check_fail_blocked(c, w, "the collateral", &x->s_coll);
		return;
	}
	if (r->collateral_validity.status == CV_FAIL) {
		stage s = { r->collateral_validity.code, { r->collateral_validity.code, { 0 } } };
		memcpy(s.d.msg, r->collateral_validity.msg, sizeof s.d.msg);
		{
			check_fail_blocked(c, w, "collateral.validity", &s);
			return;
		}
	}
	if (!x->hw_ok) {
		stage s = { r->hardware_signature.code, { r->hardware_signature.code, { 0 } } };
		memcpy(s.d.msg, r->hardware_signature.msg, sizeof s.d.msg);
		{
			check_fail_blocked(c, w, "hardware.signature", &s);
			return;
		}
	}
	const cv_cert *leaf = &x->pck_certs[0];
	int tdx = cv_quote_is_tdx(q);

	/* Step 12. */
	size_t idx;
	cv_tcb_sort_levels(x->ti.levels, x->ti.n_levels);
	if (cv_tcb_match_platform(x->ti.levels, x->ti.n_levels, leaf->sgx.comp_svn, leaf->sgx.pcesvn,
		tdx ? q->td.tee_tcb_svn : NULL, &idx, &d)) {
		cv_check_from_diag(c, CV_FAIL, &d);
		return;
	}
	const cv_tcb_level *pl = &x->ti.levels[idx];
	cv_tcb_status st = pl->status;
	r->platform_status = cv_tcb_status_name(pl->status);
	r->tcb_date = pl->tcb_date;
	adv_copy(&r->advisory_ids, pl->advisory_ids, pl->n_advisory_ids);

	/* Step 13. */
	cv_tcb_status ms = CV_TCB_ST_UP_TO_DATE, qs;
	if (tdx) {
		const cv_isv_level *ml;
		if (cv_tcb_check_module(&x->ti, &q->td, &ms, &ml, &d)) {
			cv_check_from_diag(c, CV_FAIL, &d);
			return;
		}
		r->module_status = cv_tcb_status_name(ms);
		if (ml)
			adv_copy(&r->module_advisory_ids, ml->advisory_ids, ml->n_advisory_ids);
		st = cv_tcb_merge(st, ms);
	}
	/* Step 9.5 and the QE part of Step 14. */
	const cv_isv_level *ql;
	if (cv_tcb_qe_level(&x->qi, q->qe_report.isv_svn, &qs, &ql, &d)) {
		cv_check_from_diag(c, CV_FAIL, &d);
		return;
	}
	r->qe_status = cv_tcb_status_name(qs);
	adv_copy(&r->qe_advisory_ids, ql->advisory_ids, ql->n_advisory_ids);
	st = cv_tcb_merge(st, qs);
	r->merged_status = cv_tcb_status_name(st);

	char detail[160] = "";
	if (st != pl->status)
		cv_format(detail, sizeof detail, " (platform %s%s%s, QE %s)", r->platform_status,
			tdx ? ", TDX module " : "", tdx ? r->module_status : "", r->qe_status);
	apply_tcb_policy(x, st, detail);
}

static void decide_td_attributes(ctx *x)
{
	cv_check *c = &x->r->td_attributes;
	if (x->s_quote.code) {
		check_fail_blocked(c, "The TD attributes", "quote.format", &x->s_quote);
		return;
	}
	*c = cv_policy_td_attributes(&x->r->quote, x->pol);
}

static void result_init(cv_dcap_result *r)
{
	memset(r, 0, sizeof *r);
	r->tcb_date = CV_TIME_UNKNOWN;
	r->eval_data_number = -1;
	r->tcb_info_issue_date = r->tcb_info_next_update = CV_TIME_UNKNOWN;
	r->qe_identity_issue_date = r->qe_identity_next_update = CV_TIME_UNKNOWN;
	r->pck_crl_this_update = r->pck_crl_next_update = CV_TIME_UNKNOWN;
	r->root_crl_this_update = r->root_crl_next_update = CV_TIME_UNKNOWN;
	r->expires_at = CV_TIME_UNKNOWN;
}

/* ---- the cache hooks (cache.h) ---- */

/* The key of the collateral in use: every field the pipeline reads, and the
 * trust anchor. */
static void collateral_key(const ctx *x, uint8_t key[32])
{
	const cv_collateral *c = &x->coll;
	cv_cache_key_ctx k;
	cv_cache_key_init(&k);
	cv_cache_key_field(&k, x->root_der, x->root_len);
	cv_cache_key_field(&k, c->root_ca_crl.ptr, c->root_ca_crl.len);
	cv_cache_key_field(&k, c->pck_crl.ptr, c->pck_crl.len);
	cv_cache_key_field(&k, c->tcb_info_sig, 64);
	cv_cache_key_field(&k, c->qe_identity_sig, 64);
	cv_cache_key_field(&k, c->tcb_info, c->tcb_info_len);
	cv_cache_key_field(&k, c->qe_identity, c->qe_identity_len);
	cv_cache_key_field(&k, c->tcb_info_issuer_chain, c->tcb_info_issuer_chain_len);
	cv_cache_key_field(&k, c->qe_identity_issuer_chain, c->qe_identity_issuer_chain_len);
	cv_cache_key_field(&k, c->pck_crl_issuer_chain, c->pck_crl_issuer_chain_len);
	cv_cache_key_field(&k, c->pck_certificate_chain, c->pck_certificate_chain_len);
	cv_cache_key_final(&k, key);
}

static void narrow(int64_t *from, int64_t *until, int64_t a, int64_t b)
{
	if (a > *from)
		*from = a;
	if (b < *until)
		*until = b;
}

/* The window in which all of the collateral's own items are valid: its CRLs,
 * TCB info, QE identity, their signing chains and the trust anchor. Called
 * only when collateral.validity passed, so all of them parsed. */
static void collateral_window(const ctx *x, int64_t *from, int64_t *until)
{
	*from = INT64_MIN;
	*until = INT64_MAX;
	narrow(from, until, x->root.not_before, x->root.not_after);
	narrow(from, until, x->root_crl.this_update, x->root_crl.next_update);
	narrow(from, until, x->pck_crl.this_update, x->pck_crl.next_update);
	narrow(from, until, x->ti.issue_date, x->ti.next_update);
	narrow(from, until, x->qi.issue_date, x->qi.next_update);
	const chain *chains[2] = { &x->tcb_chain, &x->qe_chain };
	for (int i = 0; i < 2; i++)
		for (size_t j = 0; j < chains[i]->n; j++) {
			if (!chains[i]->parsed[j]) {
				*from = INT64_MAX; /* cannot happen once verified; never cache it */
				return;
			}
			narrow(from, until, chains[i]->cert[j].not_before, chains[i]->cert[j].not_after);
		}
}

void cv_dcap_verify(const uint8_t *quote, size_t quote_len, const cJSON *collateral, int64_t now,
	const cv_policy *pol, cv_dcap_result *r)
{
	cv_dcap_verify_cached(NULL, quote, quote_len, collateral, now, pol, r);
}

void cv_dcap_verify_cached(cv_cache *cache, const uint8_t *quote, size_t quote_len, const cJSON *collateral,
	int64_t now, const cv_policy *pol, cv_dcap_result *r)
{
	static const cv_policy strict = { 0 };
	ctx *x = calloc(1, sizeof *x);
	result_init(r);
	if (!pol)
		pol = &strict;
	cv_check *all[5] = { &r->quote_format, &r->collateral_validity, &r->hardware_signature, &r->tcb_status,
		&r->td_attributes };
	if (!x) {
		for (int i = 0; i < 5; i++) {
			cv_check_set(all[i], CV_FAIL, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
			all[i]->enforced = 1;
		}
		r->code = CV_OUT_OF_MEMORY;
		return;
	}
	x->pol = pol;
	x->now = now;
	x->r = r;
	cv_sigmemo_init(&x->memo);
	uint8_t key[32] = { 0 };

	cv_diag d;
	/* Step 3 first: every other stage needs to know what the quote is. */
	if (cv_quote_parse(quote, quote_len, &r->quote, &d))
		stage_wrap(&x->s_quote, "", &d);
	else
		r->has_quote = 1;
	if (cv_collateral_parse(collateral, &x->coll, &d))
		stage_wrap(&x->s_coll, "", &d);
	else
		x->has_coll = 1;
	stage_anchor(x);          /* Step 1 */
	/* The cache: attach the entry of this collateral when it is valid at now. */
	const int cached = cache && x->has_coll && !x->s_anchor.code;
	if (cached) {
		collateral_key(x, key);
		cv_cache_begin(cache, key, now, &x->memo);
	}
	stage_root_crl(x);        /* Step 2 */
	stage_signed_doc(x, 1);   /* Step 4 */
	stage_signed_doc(x, 0);   /* Step 5 */
	stage_pck_source(x);      /* Step 6: which chain */
	stage_pck_crl(x);         /* Step 6: the PCK CRL as collateral */

	decide_quote_format(x);
	decide_collateral(x);
	decide_hardware(x);       /* Steps 6-11 */
	decide_tcb(x);            /* Steps 12-14 */
	decide_td_attributes(x);  /* Step 15 */

	/* Keep what verified for the next request with this collateral. */
	if (cached && r->collateral_validity.status == CV_PASS) {
		int64_t from, until;
		collateral_window(x, &from, &until);
		if (from <= now && now <= until)
			cv_cache_commit(cache, key, from, until, &x->memo);
	}

	/* Without collateral nothing was verified that could expire. */
	if (x->s_coll.code)
		r->expires_at = CV_TIME_UNKNOWN;
	r->code = CV_OK;
	for (int i = 0; i < 5; i++) {
		all[i]->enforced = 1;
		if ((all[i]->status == CV_FAIL || all[i]->status == CV_UNDECIDED) && r->code == CV_OK)
			r->code = all[i]->code != CV_OK ? all[i]->code : CV_INTERNAL;
	}

	chain_free(&x->tcb_chain);
	chain_free(&x->qe_chain);
	chain_free(&x->pck);
	cv_tcb_info_free(&x->ti);
	cv_qe_identity_free(&x->qi);
	cv_collateral_free(&x->coll);
	free(x);
}

/* ---- inspect ---- */

cv_err cv_dcap_inspect(const uint8_t *quote, size_t len, char fmspc_hex[13], const char **pck_ca,
	const char **tee, cv_diag *d)
{
	cv_quote q;
	cv_err e;
	fmspc_hex[0] = '\0';
	*pck_ca = NULL;
	*tee = NULL;
	if ((e = cv_quote_parse(quote, len, &q, d)))
		return e;
	*tee = cv_quote_tee_name(&q);
	if (q.cert_type != CV_CERT_PCK_CHAIN)
		return cv_fail(d, CV_CERT_CHAIN_INVALID,
			"The quote carries no PCK certificate chain (certification data type %u), so its FMSPC is unknown.",
			(unsigned)q.cert_type);
	chain *ch = malloc(sizeof *ch);
	if (!ch)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory while reading the PCK certificate chain.");
	cv_diag inner;
	if (chain_load(q.cert_data, q.cert_data_len, ch, &inner)) {
		e = cv_fail(d, inner.code, "The quote's PCK certificate chain: %s.", inner.msg);
	} else if (!ch->parsed[0] || !ch->cert[0].sgx.present) {
		e = cv_fail(d, CV_CERT_CHAIN_INVALID,
			"The quote's PCK leaf certificate does not parse or has no Intel SGX extension.");
	} else {
		const cv_cert *leaf = &ch->cert[0];
		cv_hex_encode(leaf->sgx.fmspc, 6, fmspc_hex);
		for (char *p = fmspc_hex; *p; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 32);
		*pck_ca = strstr(leaf->issuer_cn, "Processor") ? "processor" :
			strstr(leaf->issuer_cn, "Platform") ? "platform" : NULL;
		if (!*pck_ca)
			e = cv_fail(d, CV_CERT_CHAIN_INVALID,
				"The PCK leaf's issuer '%s' is neither the Processor nor the Platform CA.", leaf->issuer_cn);
	}
	chain_free(ch);
	free(ch);
	return e;
}
