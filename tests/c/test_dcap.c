/*
 * DCAP quote verification: the cases of tests/vectors/cases.json (real
 * Intel quotes and collateral), a mutation suite over every region of a
 * real quote and its collateral, truncation and trailing bytes, length
 * fields, the TD attribute policy, the TCB policy, and the TCB
 * sort / match / module / QE / merge functions on constructed levels.
 *
 * Run from tests/ (paths are relative to it). The mutation suites sample
 * each region; CV_TEST_EXHAUSTIVE=1 flips every byte with two masks (slow:
 * tens of thousands of verifications).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check.h"
#include "collateral.h"
#include "dcap.h"
#include "jsonw.h"
#include "report.h"
#include "quote.h"
#include "tcb.h"
#include "util.h"
#include "x509.h"

#define VEC "vectors/"

/* ---- loading ---- */

static uint8_t *load_quote(const char *path, const char *encoding, size_t *len)
{
	size_t n;
	unsigned char *raw = check_read_file(path, &n);
	if (!raw)
		return NULL;
	if (strcmp(encoding, "json-byte-array") != 0) {
		*len = n;
		return raw;
	}
	cJSON *a = cJSON_Parse((const char *)raw);
	free(raw);
	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		return NULL;
	}
	size_t cnt = (size_t)cJSON_GetArraySize(a), i = 0;
	uint8_t *q = malloc(cnt ? cnt : 1);
	for (cJSON *it = a->child; it; it = it->next)
		q[i++] = (uint8_t)it->valueint;
	cJSON_Delete(a);
	*len = cnt;
	return q;
}

static cJSON *load_json(const char *path)
{
	unsigned char *raw = check_read_file(path, NULL);
	if (!raw)
		return NULL;
	cJSON *j = cJSON_Parse((const char *)raw);
	free(raw);
	return j;
}

static cv_policy policy(int preset)
{
	cv_policy p;
	memset(&p, 0, sizeof p);
	p.tcb_preset = preset;
	return p;
}

static const char *code_name(const cv_check *c)
{
	return cv_err_name(c->code);
}

static void dump(const char *what, const cv_dcap_result *r)
{
	const cv_check *cs[5] = { &r->quote_format, &r->hardware_signature, &r->collateral_validity, &r->tcb_status,
		&r->td_attributes };
	static const char *names[5] = { "quote.format", "hardware.signature", "collateral.validity", "tcb.status",
		"td.attributes" };
	fprintf(stderr, "  [%s]\n", what);
	for (int i = 0; i < 5; i++)
		fprintf(stderr, "    %-20s %-4s %-28s %s\n", names[i], cv_status_name(cs[i]->status), code_name(cs[i]),
			cs[i]->msg);
}

/* No check may pass when the DCAP judgement failed, and a failed judgement
 * must be visible on the checks. */
static int consistent(const cv_dcap_result *r)
{
	const cv_check *cs[5] = { &r->quote_format, &r->collateral_validity, &r->hardware_signature, &r->tcb_status,
		&r->td_attributes };
	int failed = 0;
	for (int i = 0; i < 5; i++) {
		if (cs[i]->status == CV_UNDECIDED || !cs[i]->enforced || !cs[i]->msg[0])
			return 0;
		if (cs[i]->status == CV_FAIL && cs[i]->code == CV_OK)
			return 0;
		if (cs[i]->status == CV_FAIL)
			failed = 1;
	}
	return failed == (r->code != CV_OK);
}

/* ---- cases.json ---- */

static void check_advisories(const cv_advisory_list *got, const cJSON *want, const char *id)
{
	size_t n = (size_t)cJSON_GetArraySize(want);
	CHECK(got->n == n);
	size_t i = 0;
	for (const cJSON *it = want->child; it && i < got->n; it = it->next, i++)
		CHECK_STR(got->id[i], it->valuestring);
	if (got->n != n)
		fprintf(stderr, "  %s: %u advisories, expected %u\n", id, (unsigned)got->n, (unsigned)n);
}

static void run_case(const cJSON *cs)
{
	const char *id = cJSON_GetObjectItem(cs, "id")->valuestring;
	const cJSON *qf = cJSON_GetObjectItem(cs, "quote"), *cf = cJSON_GetObjectItem(cs, "collateral");
	const cJSON *exp = cJSON_GetObjectItem(cs, "expect");
	if (!qf || !cf || !cJSON_GetObjectItem(exp, "hardware"))
		return; /* not a DCAP case */
	char qpath[256], cpath[256];
	cv_format(qpath, sizeof qpath, "%s%s", VEC, qf->valuestring);
	cv_format(cpath, sizeof cpath, "%s%s", VEC, cf->valuestring);
	size_t qlen = 0;
	uint8_t *q = load_quote(qpath, cJSON_GetObjectItem(cs, "quote_encoding")->valuestring, &qlen);
	cJSON *coll = load_json(cpath);
	CHECK(q != NULL);
	CHECK(coll != NULL);
	if (!q || !coll) {
		free(q);
		cJSON_Delete(coll);
		return;
	}
	int64_t now = (int64_t)cJSON_GetObjectItem(cs, "now")->valuedouble;
	cv_policy pol = policy(CV_TCB_PRESET_DEFAULT);
	cv_dcap_result *r = malloc(sizeof *r);
	cv_dcap_verify(q, qlen, coll, now, &pol, r);
	int failed_before = check_failed;
	CHECK(consistent(r));

	const cJSON *it;
	if ((it = cJSON_GetObjectItem(exp, "tee")))
		CHECK_STR(cv_quote_tee_name(&r->quote), it->valuestring);
	if ((it = cJSON_GetObjectItem(exp, "version")))
		CHECK(r->has_quote && r->quote.version == it->valueint);
	if ((it = cJSON_GetObjectItem(exp, "body_type")))
		CHECK(r->quote.body_type == it->valueint);
	if ((it = cJSON_GetObjectItem(exp, "fmspc")))
		CHECK_STR(r->fmspc_hex, it->valuestring);
	if ((it = cJSON_GetObjectItem(exp, "pck_ca")))
		CHECK_STR(r->pck_ca, it->valuestring);

	const char *hw = cJSON_GetObjectItem(exp, "hardware")->valuestring;
	if (strcmp(hw, "pass") == 0) {
		CHECK(r->quote_format.status == CV_PASS);
		CHECK(r->hardware_signature.status == CV_PASS);
		CHECK(r->collateral_validity.status == CV_PASS);
		CHECK(r->tcb_status.status != CV_FAIL);
		CHECK(r->td_attributes.status == CV_PASS);
		CHECK(r->code == CV_OK);
		CHECK_STR(r->merged_status, cJSON_GetObjectItem(exp, "tcb_status")->valuestring);
		check_advisories(&r->advisory_ids, cJSON_GetObjectItem(exp, "advisory_ids"), id);
		CHECK(r->expires_at != CV_TIME_UNKNOWN && r->expires_at >= now);
		CHECK(r->tcb_date != CV_TIME_UNKNOWN);
	} else {
		const char *code = cJSON_GetObjectItem(exp, "code")->valuestring;
		CHECK_STR(cv_err_name(r->code), code);
		/* Nothing may report a TCB judgement that passes. */
		CHECK(r->tcb_status.status == CV_FAIL);
		if (strcmp(code, "TCB_LEVEL_NOT_FOUND") == 0) {
			/* The signatures are valid: the failure is the TCB level. */
			CHECK(r->hardware_signature.status == CV_PASS);
			CHECK(r->collateral_validity.status == CV_PASS);
			CHECK_STR(code_name(&r->tcb_status), code);
			CHECK(r->merged_status == NULL);
		} else {
			CHECK(r->hardware_signature.status == CV_FAIL);
			CHECK_STR(code_name(&r->collateral_validity), code);
			CHECK_STR(code_name(&r->hardware_signature), code);
		}
	}
	if (check_failed != failed_before)
		dump(id, r);
	free(r);
	free(q);
	cJSON_Delete(coll);
}

static void test_cases(void)
{
	cJSON *cases = load_json(VEC "cases.json");
	CHECK(cases != NULL);
	int n = 0;
	for (const cJSON *cs = cJSON_GetObjectItem(cases, "cases")->child; cs; cs = cs->next) {
		run_case(cs);
		n++;
	}
	CHECK(n >= 6);
	cJSON_Delete(cases);
}

/* ---- a fixture: the v4 TDX quote with its collateral ---- */

typedef struct {
	uint8_t *q;
	size_t len;
	cJSON *coll;
	int64_t now;
} fixture;

static int fixture_load(fixture *f, const char *quote, const char *coll, int64_t now)
{
	f->q = load_quote(quote, "binary", &f->len);
	f->coll = load_json(coll);
	f->now = now;
	return f->q && f->coll;
}

static void fixture_free(fixture *f)
{
	free(f->q);
	cJSON_Delete(f->coll);
}

#define TDX_NOW 1752919234
#define SGX_NOW 1752919277

static cv_dcap_result *verify(const uint8_t *q, size_t len, const cJSON *coll, int64_t now, const cv_policy *p)
{
	static cv_dcap_result r;
	cv_dcap_verify(q, len, coll, now, p, &r);
	return &r;
}

static cv_dcap_result *verify_default(const uint8_t *q, size_t len, const cJSON *coll, int64_t now)
{
	cv_policy p = policy(CV_TCB_PRESET_DEFAULT);
	return verify(q, len, coll, now, &p);
}

/* ---- quote parser ---- */

static void test_parser(void)
{
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));
	cv_quote q;
	cv_diag d;
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	CHECK(q.version == 4 && q.body_type == 2 && q.body_size == 584 && q.signed_len == 632);
	CHECK(q.raw_len == 4936 && f.len == 5006);
	CHECK(q.sig_data_len == 4300 && q.outer_cert_type == 6 && q.cert_type == 5);
	CHECK(q.qe_auth_len == 32 && q.cert_data_len == 3678);
	CHECK(q.qe_report.isv_prod_id == 2 && q.qe_report.isv_svn == 6);
	CHECK(q.td.tee_tcb_svn[0] == 6 && q.td.tee_tcb_svn[1] == 1 && q.td.tee_tcb_svn[2] == 3);
	CHECK(q.td.tee_tcb_svn2 == NULL && q.td.mr_servicetd == NULL);
	CHECK(memcmp(q.cert_data, "-----BEGIN CERTIFICATE-----", 27) == 0);

	/* Every truncation is QUOTE_TRUNCATED; the full data (without the 70
	 * trailing zero bytes) parses. */
	int bad = 0;
	for (size_t n = 0; n < 4936; n++) {
		cv_err e = cv_quote_parse(f.q, n, &q, &d);
		if (e != CV_QUOTE_TRUNCATED) {
			if (!bad++)
				fprintf(stderr, "truncation at %u: %s %s\n", (unsigned)n, cv_err_name(e), d.msg);
		}
	}
	CHECK(bad == 0);
	CHECK(cv_quote_parse(f.q, 4936, &q, &d) == CV_OK);
	CHECK(cv_quote_parse(NULL, 0, &q, &d) == CV_QUOTE_TRUNCATED);

	/* Header gates. */
	uint8_t *m = malloc(f.len);
#define MUT(off, val, code) do { \
		memcpy(m, f.q, f.len); m[off] = (uint8_t)(val); \
		cv_err e_ = cv_quote_parse(m, f.len, &q, &d); \
		if (e_ != (code)) fprintf(stderr, "mutation @%u=%u: %s (%s)\n", (unsigned)(off), (unsigned)(val), cv_err_name(e_), d.msg); \
		CHECK(e_ == (code)); \
	} while (0)
	MUT(0, 2, CV_QUOTE_UNSUPPORTED_VERSION);
	MUT(0, 6, CV_QUOTE_UNSUPPORTED_VERSION);
	MUT(0, 3, CV_QUOTE_UNSUPPORTED_VERSION); /* TDX in a v3 quote */
	MUT(1, 1, CV_QUOTE_UNSUPPORTED_VERSION);
	MUT(2, 3, CV_QUOTE_UNSUPPORTED_KEY_TYPE);
	MUT(2, 0, CV_QUOTE_UNSUPPORTED_KEY_TYPE);
	MUT(4, 0x80, CV_QUOTE_UNSUPPORTED_TEE);
	MUT(4, 0x00, CV_QUOTE_UNSUPPORTED_VERSION); /* SGX in a v4 quote */
	MUT(7, 0x01, CV_QUOTE_UNSUPPORTED_TEE);
	for (int i = 12; i < 28; i++)
		MUT(i, f.q[i] ^ 0x01, CV_QUOTE_UNSUPPORTED_TEE);
	MUT(8, 0x55, CV_OK);  /* reserved qe_svn: parses (the signature catches it) */
	/* Signature data lengths. */
	MUT(633, 0x11, CV_QUOTE_TRUNCATED);      /* 4300 -> 4556 > the 4370 bytes left */
	MUT(632, 0xff, CV_QUOTE_MALFORMED);      /* 4351: fits, but the type-6 block no longer fills it */
	MUT(635, 0xff, CV_QUOTE_MALFORMED);      /* absurd: > 1 MiB */
	MUT(632, 0xcd, CV_QUOTE_MALFORMED);      /* 4301: one trailing byte inside, block no longer exact */
	MUT(632, 0xcb, CV_QUOTE_MALFORMED);      /* 4299 */
	MUT(636 + 128, 5, CV_QUOTE_MALFORMED);   /* outer type must be 6 */
	MUT(636 + 128, 7, CV_QUOTE_MALFORMED);
	MUT(636 + 130, 0x47, CV_QUOTE_MALFORMED);/* S 4166 -> 4167 */
	MUT(636 + 130, 0x45, CV_QUOTE_MALFORMED);
	MUT(636 + 133, 0x01, CV_QUOTE_MALFORMED);
	size_t auth = 636 + 134 + 384 + 64;
	MUT(auth, 33, CV_QUOTE_MALFORMED);       /* QE auth size */
	MUT(auth, 31, CV_QUOTE_MALFORMED);
	MUT(auth + 1, 0xff, CV_QUOTE_MALFORMED);
	MUT(auth + 2 + 32, 6, CV_QUOTE_MALFORMED);  /* inner type 6 */
	MUT(auth + 2 + 32, 0, CV_QUOTE_MALFORMED);
	MUT(auth + 2 + 32, 8, CV_QUOTE_MALFORMED);
	MUT(auth + 2 + 32, 1, CV_OK);               /* type 1 parses; the pipeline needs a chain */
	MUT(auth + 2 + 34, 0x5f, CV_QUOTE_MALFORMED); /* inner size 3678 -> 3679 */
	MUT(auth + 2 + 34, 0x5d, CV_QUOTE_MALFORMED);
	MUT(auth + 2 + 37, 0x80, CV_QUOTE_MALFORMED);
#undef MUT
	/* Trailing bytes are ignored. */
	uint8_t *big = malloc(f.len + 1000);
	memcpy(big, f.q, f.len);
	memset(big + f.len, 0xa5, 1000);
	CHECK(cv_quote_parse(big, f.len + 1000, &q, &d) == CV_OK && q.raw_len == 4936);
	free(big);
	free(m);
	fixture_free(&f);

	/* v5, body type 3. */
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote_outdated", VEC "dcap/tdx_quote_outdated_collateral.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	CHECK(q.version == 5 && q.body_type == 3 && q.body_size == 648 && q.signed_len == 702);
	CHECK(q.td.tee_tcb_svn2 == f.q + 54 + 584 && q.td.mr_servicetd == f.q + 54 + 600);
	CHECK(q.raw_len == f.len);
	m = malloc(f.len);
	struct { size_t off; uint8_t val; cv_err code; } v5[] = {
		{ 48, 4, CV_QUOTE_UNSUPPORTED_BODY_TYPE },  /* TD 1.5 Ex */
		{ 48, 9, CV_QUOTE_UNSUPPORTED_BODY_TYPE },
		{ 48, 0, CV_QUOTE_UNSUPPORTED_BODY_TYPE },
		{ 48, 1, CV_QUOTE_UNSUPPORTED_BODY_TYPE },  /* SGX body in a TDX quote */
		{ 48, 2, CV_QUOTE_UNSUPPORTED_BODY_TYPE },  /* type 2 with size 648 */
		{ 50, 0x89, CV_QUOTE_UNSUPPORTED_BODY_TYPE },/* size 649 */
		{ 53, 0x10, CV_QUOTE_UNSUPPORTED_BODY_TYPE },
	};
	for (size_t i = 0; i < sizeof v5 / sizeof v5[0]; i++) {
		memcpy(m, f.q, f.len);
		m[v5[i].off] = v5[i].val;
		cv_err e = cv_quote_parse(m, f.len, &q, &d);
		CHECK(e == v5[i].code);
	}
	for (size_t n = 0; n < f.len; n += 7) {
		if (cv_quote_parse(f.q, n, &q, &d) != CV_QUOTE_TRUNCATED)
			CHECK(0);
	}
	CHECK(cv_quote_parse(f.q, 53, &q, &d) == CV_QUOTE_TRUNCATED);
	free(m);
	fixture_free(&f);

	/* v3 SGX. */
	CHECK(fixture_load(&f, VEC "dcap/sgx_quote", VEC "dcap/sgx_quote_collateral.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	CHECK(q.version == 3 && q.body_type == 1 && q.signed_len == 432 && q.raw_len == 4600);
	CHECK(q.cert_type == 5 && q.outer_cert_type == 5 && q.qe_auth_len == 32);
	CHECK(memcmp(q.sgx.report_data, "Hello, world!", 13) == 0);
	m = malloc(f.len);
	memcpy(m, f.q, f.len);
	m[4] = 0x81; /* TDX in v3 */
	CHECK(cv_quote_parse(m, f.len, &q, &d) == CV_QUOTE_UNSUPPORTED_VERSION);
	memcpy(m, f.q, f.len);
	m[432] ^= 1; /* signature data length 4164 -> 4165 */
	CHECK(cv_quote_parse(m, f.len, &q, &d) == CV_QUOTE_TRUNCATED);
	memcpy(m, f.q, f.len);
	m[436 + 576] = 33; /* QE auth size */
	CHECK(cv_quote_parse(m, f.len, &q, &d) == CV_QUOTE_MALFORMED);
	free(m);
	fixture_free(&f);

	/* Intel's synthetic quotes: v3 with certification type 1 (no chain),
	 * v4 with a DER chain and empty QE auth data (Intel accepts N = 0). */
	CHECK(fixture_load(&f, VEC "intel-synthetic/quote.dat", VEC "cases.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK && q.cert_type == 1 && q.qe_auth_len == 0);
	fixture_free(&f);
	CHECK(fixture_load(&f, VEC "intel-synthetic/tdx/quote.dat", VEC "cases.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK && q.cert_type == 5 && q.qe_auth_len == 0);
	fixture_free(&f);
}

/* ---- mutation suite: one flipped byte anywhere must never pass ---- */

/* Decode a PEM chain (for "did the flip change any certificate?"). */
static size_t pem_ders(const uint8_t *pem, size_t len, uint8_t *buf, size_t cap, cv_bytes ders[CV_MAX_CHAIN_CERTS])
{
	size_t n = 0;
	cv_diag d;
	if (cv_pem_decode_certs((const char *)pem, len, buf, cap, ders, CV_MAX_CHAIN_CERTS, &n, &d) != CV_OK)
		return 0;
	return n;
}

/* A flipped chain still describes the same chain when the non-root
 * certificates decode to the same DER and the root is identical or gone
 * (the pinned root is appended then): base64 padding bits and ignored
 * characters can make a flip invisible. */
static int same_chain(const uint8_t *a, const uint8_t *b, size_t len, size_t nonroot)
{
	uint8_t *ba = malloc(len), *bb = malloc(len);
	cv_bytes da[CV_MAX_CHAIN_CERTS], db[CV_MAX_CHAIN_CERTS];
	size_t na = pem_ders(a, len, ba, len, da), nb = pem_ders(b, len, bb, len, db);
	int same = na == nonroot + 1 && nb >= nonroot && nb <= na;
	for (size_t i = 0; same && i < nb; i++)
		same = cv_bytes_eq(da[i].ptr, da[i].len, db[i].ptr, db[i].len);
	free(ba);
	free(bb);
	return same;
}

static int code_in(cv_err e, const cv_err *set)
{
	for (; *set != CV_OK; set++)
		if (e == *set)
			return 1;
	return 0;
}

static int mutations_run, mutations_bad;

/* Judge one mutated verification: must fail with a code of the set (or,
 * when expect_pass, pass exactly as the original). */
static void judge(const char *region, size_t off, const cv_dcap_result *r, const cv_err *codes, int expect_pass)
{
	mutations_run++;
	int ok;
	if (expect_pass)
		ok = r->code == CV_OK && r->hardware_signature.status == CV_PASS && r->tcb_status.status != CV_FAIL;
	else
		ok = r->code != CV_OK && r->hardware_signature.status == CV_FAIL && r->tcb_status.status == CV_FAIL &&
			code_in(r->code, codes);
	ok = ok && consistent(r);
	if (!ok) {
		if (mutations_bad++ < 12) {
			fprintf(stderr, "mutation %s +%u: code %s, expected %s\n", region, (unsigned)off, cv_err_name(r->code),
				expect_pass ? "pass" : cv_err_name(codes[0]));
			dump(region, r);
		}
	}
	CHECK(ok);
}

typedef struct {
	const char *name;
	size_t off, len, stride;
	cv_err codes[6];
	int pem;             /* the region is a PEM chain of this many non-root certificates */
	int ignored;         /* flips must not matter */
} region;

/* Every verification costs ~15 ECDSA verifications under ASan, so the
 * default run samples each region (stride, one mask per offset, alternating
 * 0x01 / 0x80); CV_TEST_EXHAUSTIVE=1 flips every byte with both masks. */
static int exhaustive(void)
{
	const char *e = getenv("CV_TEST_EXHAUSTIVE");
	return e && e[0] == '1';
}

static void mutate_quote(const fixture *f, const region *rg)
{
	uint8_t *m = malloc(f->len);
	size_t stride = exhaustive() ? 1 : rg->stride;
	for (size_t i = 0, j = 0; i < rg->len; i += stride, j++) {
		for (int k = 0; k < 2; k++) {
			if (!exhaustive() && k != (int)(j & 1))
				continue;
			uint8_t mask = k ? 0x80 : 0x01;
			memcpy(m, f->q, f->len);
			m[rg->off + i] ^= mask;
			int pass = rg->ignored ||
				(rg->pem && same_chain(f->q + rg->off, m + rg->off, rg->len, (size_t)rg->pem));
			judge(rg->name, i, verify_default(m, f->len, f->coll, f->now), rg->codes, pass);
		}
	}
	free(m);
}

static void test_quote_mutations(void)
{
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));
	const size_t sd = 636, qe = sd + 134, auth = qe + 384 + 64, pem = auth + 2 + 32 + 6;
	const region regions[] = {
		{ "header version/key/tee", 0, 8, 1, { CV_QUOTE_UNSUPPORTED_VERSION, CV_QUOTE_UNSUPPORTED_KEY_TYPE,
			CV_QUOTE_UNSUPPORTED_TEE, CV_QUOTE_UNSUPPORTED_BODY_TYPE /* 4 -> 5 reads a v5 descriptor */ }, 0, 0 },
		{ "header qe_svn/pce_svn", 8, 4, 1, { CV_QUOTE_SIGNATURE_INVALID }, 0, 0 },
		{ "header QE vendor ID", 12, 16, 1, { CV_QUOTE_UNSUPPORTED_TEE }, 0, 0 },
		{ "header user data", 28, 20, 3, { CV_QUOTE_SIGNATURE_INVALID }, 0, 0 },
		{ "body (TD report)", 48, 584, 29, { CV_QUOTE_SIGNATURE_INVALID }, 0, 0 },
		{ "signature data length", 632, 4, 1, { CV_QUOTE_MALFORMED, CV_QUOTE_TRUNCATED }, 0, 0 },
		{ "quote signature", sd, 64, 5, { CV_QUOTE_SIGNATURE_INVALID }, 0, 0 },
		{ "attestation key", sd + 64, 64, 5, { CV_QE_REPORT_DATA_MISMATCH }, 0, 0 },
		{ "certification data type/size", sd + 128, 6, 1, { CV_QUOTE_MALFORMED, CV_QUOTE_TRUNCATED }, 0, 0 },
		{ "QE report", qe, 384, 23, { CV_QE_REPORT_SIGNATURE_INVALID }, 0, 0 },
		{ "QE report signature", qe + 384, 64, 5, { CV_QE_REPORT_SIGNATURE_INVALID }, 0, 0 },
		{ "QE auth data size", auth, 2, 1, { CV_QUOTE_MALFORMED }, 0, 0 },
		{ "QE auth data", auth + 2, 32, 3, { CV_QE_REPORT_DATA_MISMATCH }, 0, 0 },
		{ "PCK chain type/size", auth + 34, 6, 1, { CV_QUOTE_MALFORMED, CV_CERT_CHAIN_INVALID }, 0, 0 },
		{ "PCK chain PEM", pem, 4936 - pem, 47, { CV_CERT_CHAIN_INVALID, CV_ROOT_CA_MISMATCH }, 2, 0 },
		{ "trailing bytes", 4936, 70, 9, { CV_OK }, 0, 1 },
	};
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		mutate_quote(&f, &regions[i]);

	/* Truncation through the whole pipeline. */
	static const size_t cuts[] = { 0, 1, 47, 48, 100, 631, 632, 635, 636, 700, 770, 1154, 1219, 1252, 1257, 1258,
		2000, 4935 };
	const cv_err trunc[] = { CV_QUOTE_TRUNCATED, CV_OK };
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		cv_dcap_result *r = verify_default(f.q, cuts[i], f.coll, f.now);
		judge("truncated", cuts[i], r, trunc, 0);
		CHECK(r->quote_format.code == CV_QUOTE_TRUNCATED && r->td_attributes.status == CV_FAIL &&
			r->collateral_validity.status == CV_FAIL);
	}
	/* Trailing bytes: appended, or the sample's own 70 removed. */
	uint8_t *big = malloc(f.len + 4096);
	memcpy(big, f.q, f.len);
	for (size_t i = 0; i < 4096; i++)
		big[f.len + i] = (uint8_t)(i * 7 + 1);
	judge("appended", 0, verify_default(big, f.len + 4096, f.coll, f.now), trunc, 1);
	judge("trailing removed", 0, verify_default(f.q, 4936, f.coll, f.now), trunc, 1);
	free(big);
	fixture_free(&f);
}

/* ---- collateral mutations ---- */

static int hexv(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Flip byte k of a hex field in place (same length). */
static void flip_hex(cJSON *coll, const char *key, size_t k, uint8_t mask)
{
	static const char hd[] = "0123456789abcdef";
	char *s = cJSON_GetObjectItem(coll, key)->valuestring;
	unsigned v = (unsigned)(hexv(s[2 * k]) << 4 | hexv(s[2 * k + 1])) ^ mask;
	s[2 * k] = hd[v >> 4];
	s[2 * k + 1] = hd[v & 15];
}

typedef struct {
	const char *key;
	int hex;             /* a hex byte field (else a text field) */
	size_t samples;      /* how many offsets to try (spread over the field) */
	cv_err codes[4];
	int pem;             /* PEM chain: non-root certificates in it */
	int ignored;         /* flips must not matter */
} coll_region;

static void mutate_collateral(const fixture *f, const coll_region *cr)
{
	const cJSON *field = cJSON_GetObjectItem(f->coll, cr->key);
	CHECK(field != NULL && cJSON_IsString(field));
	if (!field)
		return;
	size_t len = strlen(field->valuestring), n = cr->hex ? len / 2 : len;
	size_t samples = exhaustive() ? n : cr->samples, stride = n / samples ? n / samples : 1;
	for (size_t i = 0, j = 0; i < n; i += stride, j++) {
		uint8_t mask = j & 1 ? 0x80 : 0x01;
		if (!cr->hex && (unsigned char)field->valuestring[i] >= 0x80)
			mask = 0x01;
		if (!cr->hex && mask == 0x80)
			mask = 0x02; /* keep the text valid UTF-8: cJSON re-reads nothing, but keep it plain */
		cJSON *c = cJSON_Duplicate(f->coll, 1);
		if (cr->hex)
			flip_hex(c, cr->key, i, mask);
		else
			cJSON_GetObjectItem(c, cr->key)->valuestring[i] ^= (char)mask;
		int pass = cr->ignored || (cr->pem && same_chain((const uint8_t *)field->valuestring,
			(const uint8_t *)cJSON_GetObjectItem(c, cr->key)->valuestring, len, (size_t)cr->pem));
		cv_dcap_result *r = verify_default(f->q, f->len, c, f->now);
		judge(cr->key, i, r, cr->codes, pass);
		if (!pass && !cr->ignored)
			CHECK(code_in(r->collateral_validity.code, cr->codes));
		cJSON_Delete(c);
	}
}

static void test_collateral_mutations(void)
{
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));
	const coll_region regions[] = {
		{ "tcb_info_signature", 1, 12, { CV_TCB_INFO_SIGNATURE_INVALID }, 0, 0 },
		{ "qe_identity_signature", 1, 12, { CV_QE_IDENTITY_SIGNATURE_INVALID }, 0, 0 },
		{ "tcb_info", 0, 12, { CV_TCB_INFO_SIGNATURE_INVALID }, 0, 0 },
		{ "qe_identity", 0, 8, { CV_QE_IDENTITY_SIGNATURE_INVALID }, 0, 0 },
		{ "root_ca_crl", 1, 16, { CV_CRL_INVALID }, 0, 0 },
		{ "pck_crl", 1, 20, { CV_CRL_INVALID }, 0, 0 },
		{ "tcb_info_issuer_chain", 0, 16, { CV_CERT_CHAIN_INVALID, CV_ROOT_CA_MISMATCH }, 1, 0 },
		{ "qe_identity_issuer_chain", 0, 16, { CV_CERT_CHAIN_INVALID, CV_ROOT_CA_MISMATCH }, 1, 0 },
		/* Not needed to verify: the PCK CRL is authenticated with the quote's PCK CA. */
		{ "pck_crl_issuer_chain", 0, 6, { CV_OK }, 0, 1 },
	};
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		mutate_collateral(&f, &regions[i]);
	fixture_free(&f);

	/* The collateral's pck_certificate_chain never overrides the quote's. */
	CHECK(fixture_load(&f, VEC "dstack/near-mpc_quote.json", VEC "dstack/near-mpc_collateral.json", 1788000000));
	free(f.q);
	f.q = load_quote(VEC "dstack/near-mpc_quote.json", "json-byte-array", &f.len);
	const coll_region pcc = { "pck_certificate_chain", 0, 8, { CV_OK }, 0, 1 };
	mutate_collateral(&f, &pcc);
	cJSON *c = cJSON_Duplicate(f.coll, 1);
	cJSON_ReplaceItemInObject(c, "pck_certificate_chain", cJSON_CreateString("garbage"));
	judge("pck_certificate_chain garbage", 0, verify_default(f.q, f.len, c, f.now), pcc.codes, 1);
	cJSON_Delete(c);
	fixture_free(&f);
	fprintf(stderr, "mutations: %d run, %d wrong\n", mutations_run, mutations_bad);
}

/* ---- collateral form, windows, mismatches ---- */

static cJSON *hex_to_array(const char *hex)
{
	size_t n = strlen(hex) / 2;
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(hexv(hex[2 * i]) << 4 | hexv(hex[2 * i + 1])));
	return a;
}

static void expect_codes(const char *what, const cv_dcap_result *r, cv_err coll, cv_err hw, cv_err overall)
{
	int ok = r->collateral_validity.code == coll && r->hardware_signature.code == hw && r->code == overall &&
		(coll == CV_OK || r->collateral_validity.status == CV_FAIL) &&
		(hw == CV_OK || r->hardware_signature.status == CV_FAIL) && consistent(r) &&
		(overall == CV_OK || r->tcb_status.status == CV_FAIL);
	if (!ok)
		dump(what, r);
	CHECK(ok);
}

static void test_collateral_cases(void)
{
	fixture f;
	cv_dcap_result *r;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));

	/* Windows: CRLs inclusive at nextUpdate (Intel); then expiry. */
	expect_codes("at PCK CRL nextUpdate", verify_default(f.q, f.len, f.coll, 1752919235), CV_OK, CV_OK, CV_OK);
	expect_codes("1 s after", verify_default(f.q, f.len, f.coll, 1752919236), CV_CRL_EXPIRED, CV_CRL_EXPIRED,
		CV_CRL_EXPIRED);
	/* TCB info expired too: collateral reports it first; hardware still
	 * names the CRL that blocks revocation. */
	expect_codes("TCB info expired", verify_default(f.q, f.len, f.coll, 1752920200), CV_COLLATERAL_EXPIRED,
		CV_CRL_EXPIRED, CV_COLLATERAL_EXPIRED);
	/* Between the TCB info issueDate and the QE identity's. */
	expect_codes("QE identity not yet valid", verify_default(f.q, f.len, f.coll, 1750329000),
		CV_COLLATERAL_NOT_YET_VALID, CV_COLLATERAL_NOT_YET_VALID, CV_COLLATERAL_NOT_YET_VALID);
	r = verify_default(f.q, f.len, f.coll, 1750329000);
	CHECK(strstr(r->collateral_validity.msg, "QE identity") != NULL);
	CHECK(strstr(r->hardware_signature.msg, "QE identity") != NULL);

	/* No collateral: the quote still parses and td.attributes is judged. */
	r = verify_default(f.q, f.len, NULL, f.now);
	CHECK(r->quote_format.status == CV_PASS && r->td_attributes.status == CV_PASS);
	CHECK(r->hardware_signature.code == CV_COLLATERAL_MISSING && r->hardware_signature.status == CV_FAIL);
	CHECK(r->collateral_validity.code == CV_COLLATERAL_MISSING && r->tcb_status.code == CV_COLLATERAL_MISSING);
	CHECK(r->code == CV_COLLATERAL_MISSING && consistent(r));
	CHECK(r->has_quote && r->has_platform && r->merged_status == NULL); /* platform: from the quote's PCK leaf */
	CHECK(r->expires_at == CV_TIME_UNKNOWN && r->eval_data_number == -1);

	/* A missing or mistyped field. */
	static const char *const required[] = { "tcb_info", "tcb_info_signature", "tcb_info_issuer_chain", "qe_identity",
		"qe_identity_signature", "qe_identity_issuer_chain", "root_ca_crl", "pck_crl" };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		cJSON *c = cJSON_Duplicate(f.coll, 1);
		cJSON_DeleteItemFromObject(c, required[i]);
		expect_codes(required[i], verify_default(f.q, f.len, c, f.now), CV_COLLATERAL_MISSING,
			CV_COLLATERAL_MISSING, CV_COLLATERAL_MISSING);
		cJSON_AddItemToObject(c, required[i], cJSON_CreateTrue());
		expect_codes(required[i], verify_default(f.q, f.len, c, f.now), CV_COLLATERAL_MALFORMED,
			CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED);
		cJSON_Delete(c);
	}
	cJSON *c = cJSON_Duplicate(f.coll, 1);
	cJSON_ReplaceItemInObject(c, "tcb_info", cJSON_Parse(cJSON_GetObjectItem(f.coll, "tcb_info")->valuestring));
	r = verify_default(f.q, f.len, c, f.now);
	expect_codes("tcb_info as an object", r, CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED);
	cJSON_Delete(c);
	c = cJSON_Duplicate(f.coll, 1);
	cJSON_ReplaceItemInObject(c, "tcb_info_signature", cJSON_CreateString("00ff"));
	expect_codes("short signature", verify_default(f.q, f.len, c, f.now), CV_COLLATERAL_MALFORMED,
		CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED);
	cJSON_ReplaceItemInObject(c, "tcb_info_signature", cJSON_CreateString("zz"));
	expect_codes("bad hex", verify_default(f.q, f.len, c, f.now), CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED,
		CV_COLLATERAL_MALFORMED);
	cJSON_Delete(c);
	c = cJSON_CreateString("not an object");
	expect_codes("collateral string", verify_default(f.q, f.len, c, f.now), CV_COLLATERAL_MALFORMED,
		CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED);
	cJSON_Delete(c);

	/* Byte fields as arrays of numbers (the pure-JS getCollateral form),
	 * upper-case hex, and Phala's {"quote_collateral": ...} wrapper. */
	c = cJSON_Duplicate(f.coll, 1);
	static const char *const bytes[] = { "root_ca_crl", "pck_crl", "tcb_info_signature", "qe_identity_signature" };
	for (size_t i = 0; i < 4; i++)
		cJSON_ReplaceItemInObject(c, bytes[i], hex_to_array(cJSON_GetObjectItem(f.coll, bytes[i])->valuestring));
	expect_codes("byte arrays", verify_default(f.q, f.len, c, f.now), CV_OK, CV_OK, CV_OK);
	cJSON *bad = cJSON_Duplicate(c, 1);
	cJSON_AddItemToArray(cJSON_GetObjectItem(bad, "pck_crl"), cJSON_CreateNumber(256));
	expect_codes("byte 256", verify_default(f.q, f.len, bad, f.now), CV_COLLATERAL_MALFORMED,
		CV_COLLATERAL_MALFORMED, CV_COLLATERAL_MALFORMED);
	cJSON_Delete(bad);
	cJSON *wrap = cJSON_CreateObject();
	cJSON_AddItemToObject(wrap, "quote_collateral", c);
	expect_codes("wrapped", verify_default(f.q, f.len, wrap, f.now), CV_OK, CV_OK, CV_OK);
	cJSON_Delete(wrap);
	c = cJSON_Duplicate(f.coll, 1);
	for (char *p = cJSON_GetObjectItem(c, "pck_crl")->valuestring; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	expect_codes("upper-case hex", verify_default(f.q, f.len, c, f.now), CV_OK, CV_OK, CV_OK);
	cJSON_Delete(c);

	/* The wrong CA's CRL: a Processor-CA CRL for a Platform-CA leaf. */
	cJSON *sgx = load_json(VEC "dcap/sgx_quote_collateral.json");
	c = cJSON_Duplicate(f.coll, 1);
	cJSON_ReplaceItemInObject(c, "pck_crl", cJSON_Duplicate(cJSON_GetObjectItem(sgx, "pck_crl"), 1));
	expect_codes("swapped PCK CRL", verify_default(f.q, f.len, c, f.now), CV_CRL_INVALID, CV_CRL_INVALID,
		CV_CRL_INVALID);
	cJSON_Delete(c);
	/* The PCK CRL in the root CRL's place and back. */
	c = cJSON_Duplicate(f.coll, 1);
	cJSON_ReplaceItemInObject(c, "root_ca_crl", cJSON_Duplicate(cJSON_GetObjectItem(f.coll, "pck_crl"), 1));
	r = verify_default(f.q, f.len, c, f.now);
	CHECK(r->collateral_validity.code == CV_CRL_INVALID && r->hardware_signature.status == CV_FAIL && consistent(r));
	cJSON_Delete(c);
	/* TCB info signature and QE identity swapped between documents. */
	c = cJSON_Duplicate(f.coll, 1);
	cJSON_ReplaceItemInObject(c, "tcb_info_signature",
		cJSON_Duplicate(cJSON_GetObjectItem(f.coll, "qe_identity_signature"), 1));
	expect_codes("swapped signatures", verify_default(f.q, f.len, c, f.now), CV_TCB_INFO_SIGNATURE_INVALID,
		CV_TCB_INFO_SIGNATURE_INVALID, CV_TCB_INFO_SIGNATURE_INVALID);
	cJSON_Delete(c);
	/* SGX collateral for a TDX quote. */
	r = verify_default(f.q, f.len, sgx, f.now);
	CHECK(r->code != CV_OK && r->hardware_signature.status == CV_FAIL && consistent(r));
	cJSON_Delete(sgx);

	/* Collateral of another FMSPC (same Platform CA), at a time both are valid. */
	cJSON *other = load_json(VEC "dcap/tdx_quote_outdated_collateral.json");
	r = verify_default(f.q, f.len, other, 1774003274);
	expect_codes("other FMSPC", r, CV_OK, CV_FMSPC_MISMATCH, CV_FMSPC_MISMATCH);
	cJSON_Delete(other);
	fixture_free(&f);
}

/* ---- TCB policy ---- */

static void test_tcb_policy(void)
{
	static const struct { int preset; cv_status want[CV_TCB_ST_COUNT]; } table[] = {
		{ CV_TCB_PRESET_STRICT, { CV_PASS, CV_FAIL, CV_FAIL, CV_FAIL, CV_FAIL, CV_FAIL, CV_FAIL } },
		{ CV_TCB_PRESET_DEFAULT, { CV_PASS, CV_WARN, CV_WARN, CV_WARN, CV_FAIL, CV_FAIL, CV_FAIL } },
		{ CV_TCB_PRESET_PERMISSIVE, { CV_PASS, CV_WARN, CV_WARN, CV_WARN, CV_WARN, CV_WARN, CV_FAIL } },
	};
	for (size_t i = 0; i < 3; i++) {
		cv_policy p = policy(table[i].preset);
		for (int st = 0; st < CV_TCB_ST_COUNT; st++) {
			cv_err code;
			const char *by;
			cv_status got = cv_policy_tcb_judge((cv_tcb_status)st, &p, &code, &by);
			CHECK(got == table[i].want[st]);
			CHECK(got == CV_FAIL ? code == (st == CV_TCB_ST_REVOKED ? CV_TCB_REVOKED : CV_TCB_STATUS_NOT_ALLOWED)
				: code == CV_OK);
		}
	}
	/* An allow list replaces the preset; Revoked never passes. */
	cv_policy p = policy(CV_TCB_PRESET_PERMISSIVE);
	p.has_allow = 1;
	p.allow_mask = 1u << CV_TCB_ST_OUT_OF_DATE | 1u << CV_TCB_ST_REVOKED;
	for (int st = 0; st < CV_TCB_ST_COUNT; st++) {
		cv_err code;
		const char *by;
		cv_status got = cv_policy_tcb_judge((cv_tcb_status)st, &p, &code, &by);
		CHECK(got == (st == CV_TCB_ST_OUT_OF_DATE ? CV_PASS : CV_FAIL));
		CHECK_STR(by, "allow-list");
	}
	cv_err code;
	const char *by;
	CHECK(cv_policy_tcb_judge(CV_TCB_ST_COUNT, &p, &code, &by) == CV_FAIL);

	/* Through the pipeline on the SGX sample (ConfigurationAndSWHardeningNeeded). */
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/sgx_quote", VEC "dcap/sgx_quote_collateral.json", SGX_NOW));
	p = policy(CV_TCB_PRESET_STRICT);
	cv_dcap_result *r = verify(f.q, f.len, f.coll, f.now, &p);
	CHECK(r->tcb_status.status == CV_FAIL && r->tcb_status.code == CV_TCB_STATUS_NOT_ALLOWED);
	CHECK(r->code == CV_TCB_STATUS_NOT_ALLOWED && consistent(r));
	CHECK(strstr(r->tcb_status.msg, "INTEL-SA-00289, INTEL-SA-00615") != NULL);
	CHECK_STR(r->merged_status, "ConfigurationAndSWHardeningNeeded");
	p = policy(CV_TCB_PRESET_PERMISSIVE);
	r = verify(f.q, f.len, f.coll, f.now, &p);
	CHECK(r->tcb_status.status == CV_WARN && r->code == CV_OK);
	p.has_allow = 1;
	p.allow_mask = 1u << CV_TCB_ST_CONFIGURATION_AND_SW_HARDENING_NEEDED;
	r = verify(f.q, f.len, f.coll, f.now, &p);
	CHECK(r->tcb_status.status == CV_PASS && r->code == CV_OK);
	p.allow_mask = 1u << CV_TCB_ST_UP_TO_DATE;
	r = verify(f.q, f.len, f.coll, f.now, &p);
	CHECK(r->tcb_status.status == CV_FAIL && r->tcb_status.code == CV_TCB_STATUS_NOT_ALLOWED);
	/* Platform SWHardeningNeeded level, QE UpToDate: the QE part. */
	CHECK_STR(r->platform_status, "ConfigurationAndSWHardeningNeeded");
	CHECK_STR(r->qe_status, "UpToDate");
	CHECK(r->module_status == NULL && r->qe_advisory_ids.n == 0);
	fixture_free(&f);
}

/* ---- TD attributes ---- */

static void td_attr(const cv_quote *base, uint64_t attrs, const cv_policy *p, cv_status st, cv_err code)
{
	cv_quote q = *base;
	uint8_t a[8];
	for (int i = 0; i < 8; i++)
		a[i] = (uint8_t)(attrs >> (8 * i));
	q.td.td_attributes = a;
	cv_check c;
	memset(&c, 0, sizeof c);
	c = cv_policy_td_attributes(&q, p);
	if (c.status != st || c.code != code)
		fprintf(stderr, "td_attributes %016llx: %s %s (%s)\n", (unsigned long long)attrs, cv_status_name(c.status),
			cv_err_name(c.code), c.msg);
	CHECK(c.status == st && c.code == code && c.status != CV_UNDECIDED && c.msg[0]);
}

static void test_td_attributes(void)
{
	fixture f;
	cv_quote q;
	cv_diag d;
	cv_policy p = policy(CV_TCB_PRESET_DEFAULT), dbg = p;
	dbg.allow_debug = 1;
	const uint64_t sept = 1ull << 28;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "cases.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	CHECK(cv_le64(q.td.td_attributes) == sept);
	td_attr(&q, sept, &p, CV_PASS, CV_OK);
	td_attr(&q, sept | 1, &p, CV_FAIL, CV_TD_DEBUG);
	td_attr(&q, sept | 1, &dbg, CV_WARN, CV_TD_DEBUG);
	td_attr(&q, 0, &p, CV_FAIL, CV_TD_ATTRIBUTES_INVALID);             /* SEPT_VE_DISABLE clear */
	td_attr(&q, 1, &p, CV_FAIL, CV_TD_DEBUG);
	for (int bit = 1; bit < 64; bit++) {
		if (bit == 28)
			continue;
		int allowed = bit == 30 || bit == 31 || bit == 63;             /* PKS, KL, PERFMON */
		td_attr(&q, sept | 1ull << bit, &p, allowed ? CV_PASS : CV_FAIL, allowed ? CV_OK : CV_TD_ATTRIBUTES_INVALID);
		td_attr(&q, sept | 1ull << bit, &dbg, allowed ? CV_PASS : CV_FAIL, allowed ? CV_OK : CV_TD_ATTRIBUTES_INVALID);
	}
	td_attr(&q, sept | 1 | 2, &dbg, CV_FAIL, CV_TD_ATTRIBUTES_INVALID);  /* TUD never allowed */
	/* Through the pipeline: a debug TD fails td.attributes (and the
	 * signature, since the bit is signed). */
	uint8_t *m = malloc(f.len);
	memcpy(m, f.q, f.len);
	m[48 + 120] |= 1;
	cv_dcap_result *r = verify_default(m, f.len, NULL, 0);
	CHECK(r->td_attributes.code == CV_TD_DEBUG && r->td_attributes.status == CV_FAIL);
	free(m);
	fixture_free(&f);

	/* TD 1.5: a service TD binding. */
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote_outdated", VEC "cases.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	td_attr(&q, sept, &p, CV_PASS, CV_OK);
	uint8_t st[48] = { 0 };
	st[47] = 1;
	q.td.mr_servicetd = st;
	td_attr(&q, sept, &p, CV_FAIL, CV_TD_ATTRIBUTES_INVALID);
	cv_policy svc = p;
	svc.allow_service_td = 1;
	td_attr(&q, sept, &svc, CV_PASS, CV_OK);
	fixture_free(&f);

	/* SGX: the DEBUG attribute bit. */
	CHECK(fixture_load(&f, VEC "dcap/sgx_quote", VEC "cases.json", 0));
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	cv_check c;
	c = cv_policy_td_attributes(&q, &p);
	CHECK(c.status == CV_PASS);
	uint8_t attrs[16];
	memcpy(attrs, q.sgx.attributes, 16);
	attrs[0] |= 2;
	q.sgx.attributes = attrs;
	c = cv_policy_td_attributes(&q, &p);
	CHECK(c.status == CV_FAIL && c.code == CV_TD_DEBUG);
	c = cv_policy_td_attributes(&q, &dbg);
	CHECK(c.status == CV_WARN && c.code == CV_TD_DEBUG);
	fixture_free(&f);
}

/* ---- TCB levels: sort, match, module, QE, merge ---- */

static cv_tcb_level lvl(const char *sgx16, unsigned pcesvn, const char *tdx16, cv_tcb_status st)
{
	cv_tcb_level l;
	memset(&l, 0, sizeof l);
	CHECK(cv_hex_decode(sgx16, 32, l.sgx_comp, 16) == 16);
	l.pcesvn = (uint16_t)pcesvn;
	if (tdx16) {
		CHECK(cv_hex_decode(tdx16, 32, l.tdx_comp, 16) == 16);
		l.has_tdx = 1;
	}
	l.status = st;
	return l;
}

static void test_tcb_levels(void)
{
	cv_diag d;
	size_t idx;
	/* Shuffled levels sort into descending order (SGX tuple, then PCESVN,
	 * then TDX components), stably. */
	cv_tcb_level v[6] = {
		lvl("02020202030100050000000000000000", 5, "05000200000000000000000000000000", CV_TCB_ST_OUT_OF_DATE),
		lvl("02020202030100050000000000000000", 11, "05000200000000000000000000000000", CV_TCB_ST_UP_TO_DATE),
		lvl("01010101010100000000000000000000", 11, "02000100000000000000000000000000", CV_TCB_ST_REVOKED),
		lvl("02020202030100050000000000000000", 11, "03000100000000000000000000000000", CV_TCB_ST_SW_HARDENING_NEEDED),
		lvl("02020202040100050000000000000000", 3, "03000100000000000000000000000000", CV_TCB_ST_CONFIGURATION_NEEDED),
		lvl("02020202030100050000000000000000", 11, "05000200000000000000000000000000",
			CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED), /* duplicate key: stays after its twin */
	};
	cv_tcb_sort_levels(v, 6);
	static const cv_tcb_status order[6] = { CV_TCB_ST_CONFIGURATION_NEEDED, CV_TCB_ST_UP_TO_DATE,
		CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED, CV_TCB_ST_SW_HARDENING_NEEDED, CV_TCB_ST_OUT_OF_DATE,
		CV_TCB_ST_REVOKED };
	for (int i = 0; i < 6; i++)
		CHECK(v[i].status == order[i]);
	for (int i = 0; i + 1 < 6; i++)
		CHECK(cv_tcb_level_cmp(&v[i], &v[i + 1]) >= 0);

	uint8_t pck[16] = { 3, 3, 2, 2, 4, 1, 0, 5 }, tee[16] = { 6, 1, 3 };
	/* The tdx_quote platform: the highest level it meets is the 4th sorted
	 * (component 5 = 4 >= 4 but PCESVN 11 >= 3: level 0 matches). */
	CHECK(cv_tcb_match_platform(v, 6, pck, 11, tee, &idx, &d) == CV_OK && idx == 0);
	/* SGX only (no TEE SVN): the same walk without TDX components. */
	CHECK(cv_tcb_match_platform(v, 6, pck, 11, NULL, &idx, &d) == CV_OK && idx == 0);
	pck[4] = 3; /* below level 0's component 5 (4) */
	CHECK(cv_tcb_match_platform(v, 6, pck, 11, tee, &idx, &d) == CV_OK && idx == 1);
	CHECK(v[idx].status == CV_TCB_ST_UP_TO_DATE);
	/* PCESVN 5: levels 1-3 need 11, level 4 needs 5. */
	CHECK(cv_tcb_match_platform(v, 6, pck, 5, tee, &idx, &d) == CV_OK && idx == 4);
	CHECK(v[idx].status == CV_TCB_ST_OUT_OF_DATE);
	CHECK(cv_tcb_match_platform(v, 6, pck, 4, tee, &idx, &d) == CV_TCB_LEVEL_NOT_FOUND);
	CHECK(strstr(d.msg, "PCESVN >= 11, the platform has 4") != NULL);

	/* tee_tcb_svn[1] > 0: bytes 0-1 are the module's, skipped. Levels 1 and
	 * 2 need tdx_comp[0] = 5 > 3 but still match. */
	uint8_t tee2[16] = { 3, 1, 2 };
	CHECK(cv_tcb_match_platform(v, 6, pck, 11, tee2, &idx, &d) == CV_OK && idx == 1);
	/* tee_tcb_svn[1] == 0: all 16 compared, 3 < 5 for levels 1 and 2. */
	uint8_t tee3[16] = { 3, 0, 2 };
	CHECK(cv_tcb_match_platform(v, 6, pck, 11, tee3, &idx, &d) == CV_OK && idx == 3);
	uint8_t tee4[16] = { 2, 0, 2 };
	CHECK(cv_tcb_match_platform(v, 6, pck, 11, tee4, &idx, &d) == CV_OK && idx == 5);
	CHECK(v[idx].status == CV_TCB_ST_REVOKED);
	/* Per component, never lexicographic: 03 01 ... is "greater" than
	 * 02 02 ... as a string but component 2 is lower. */
	cv_tcb_level one = lvl("02020000000000000000000000000000", 0, NULL, CV_TCB_ST_UP_TO_DATE);
	uint8_t lex[16] = { 3, 1 };
	CHECK(cv_tcb_match_platform(&one, 1, lex, 0, NULL, &idx, &d) == CV_TCB_LEVEL_NOT_FOUND);
	CHECK(strstr(d.msg, "SGX component 2 >= 2, the platform has 1") != NULL);
	uint8_t hi[16] = { 2, 2 };
	CHECK(cv_tcb_match_platform(&one, 1, hi, 0, NULL, &idx, &d) == CV_OK);
	/* TDX match needs TDX components on the level. */
	CHECK(cv_tcb_match_platform(&one, 1, hi, 0, tee, &idx, &d) == CV_TCB_LEVEL_NOT_FOUND);
	CHECK(cv_tcb_match_platform(v, 0, pck, 11, tee, &idx, &d) == CV_TCB_LEVEL_NOT_FOUND);
	uint8_t zero[16] = { 0 };
	CHECK(cv_tcb_match_platform(v, 6, zero, 65535, tee, &idx, &d) == CV_TCB_LEVEL_NOT_FOUND);

	/* Status merge (Step 14): other OutOfDate / Revoked / anything else. */
	static const cv_tcb_status with_ood[CV_TCB_ST_COUNT] = { CV_TCB_ST_OUT_OF_DATE, CV_TCB_ST_OUT_OF_DATE,
		CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED, CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED, CV_TCB_ST_OUT_OF_DATE,
		CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED, CV_TCB_ST_REVOKED };
	for (int p = 0; p < CV_TCB_ST_COUNT; p++) {
		CHECK(cv_tcb_merge((cv_tcb_status)p, CV_TCB_ST_OUT_OF_DATE) == with_ood[p]);
		CHECK(cv_tcb_merge((cv_tcb_status)p, CV_TCB_ST_REVOKED) == CV_TCB_ST_REVOKED);
		CHECK(cv_tcb_merge((cv_tcb_status)p, CV_TCB_ST_UP_TO_DATE) == (cv_tcb_status)p);
	}

	/* Status names round-trip; unknown names are rejected. */
	for (int i = 0; i < CV_TCB_ST_COUNT; i++) {
		cv_tcb_status st;
		CHECK(cv_tcb_status_parse(cv_tcb_status_name((cv_tcb_status)i), &st) == 0 && st == (cv_tcb_status)i);
	}
	cv_tcb_status st;
	CHECK(cv_tcb_status_parse("uptodate", &st) == -1 && cv_tcb_status_parse("Unknown", &st) == -1);
}

static void test_module_and_qe(void)
{
	cv_diag d;
	cv_tcb_status st;
	const cv_isv_level *lv;
	/* A TCB info with tdxModule and identities TDX_01, TDX_03. */
	static const char *const adv[] = { "INTEL-SA-01000" };
	cv_isv_level l1[2] = { { 4, 0, CV_TCB_ST_UP_TO_DATE, NULL, 0 }, { 2, 0, CV_TCB_ST_OUT_OF_DATE, adv, 1 } };
	cv_isv_level l3[1] = { { 3, 0, CV_TCB_ST_UP_TO_DATE, NULL, 0 } };
	cv_tdx_module_identity mods[2];
	memset(mods, 0, sizeof mods);
	memcpy(mods[0].id, "TDX_03", 7);
	mods[0].levels = l3;
	mods[0].n_levels = 1;
	memcpy(mods[1].id, "tdx_01", 7); /* matched upper-cased */
	mods[1].levels = l1;
	mods[1].n_levels = 2;
	cv_tcb_info ti;
	memset(&ti, 0, sizeof ti);
	ti.is_tdx = 1;
	ti.has_tdx_module = 1;
	memset(ti.module_attributes_mask, 0xff, 8);
	ti.has_module_identities = 1;
	ti.modules = mods;
	ti.n_modules = 2;

	uint8_t tcbsvn[16] = { 6, 1 }, signer[48] = { 0 }, seam[8] = { 0 };
	cv_td_report td;
	memset(&td, 0, sizeof td);
	td.tee_tcb_svn = tcbsvn;
	td.mr_signer_seam = signer;
	td.seam_attributes = seam;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_UP_TO_DATE && lv == &l1[0]);
	tcbsvn[0] = 3;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_OUT_OF_DATE && lv == &l1[1]);
	tcbsvn[0] = 1;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TCB_LEVEL_NOT_FOUND);
	tcbsvn[1] = 3;
	tcbsvn[0] = 3;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_OK && lv == &l3[0]);
	tcbsvn[1] = 2;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);
	CHECK(strstr(d.msg, "TDX_02") != NULL);
	tcbsvn[1] = 0x1a;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH && strstr(d.msg, "TDX_1A"));
	/* Version 0: tdxModule, UpToDate, no level. */
	tcbsvn[1] = 0;
	tcbsvn[0] = 0;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_UP_TO_DATE && lv == NULL);
	/* Signer and SEAM attributes. */
	signer[0] = 1;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);
	signer[0] = 0;
	seam[7] = 0x80;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);
	ti.module_attributes[7] = 0x80; /* Intel: must be zero even when expected */
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);
	seam[7] = 0;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);
	ti.module_attributes[7] = 0;
	/* Versioned module without identities: no fallback (Intel). */
	tcbsvn[1] = 1;
	tcbsvn[0] = 6;
	ti.has_module_identities = 0;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);
	ti.has_module_identities = 1;
	ti.has_tdx_module = 0;
	CHECK(cv_tcb_check_module(&ti, &td, &st, &lv, &d) == CV_TDX_MODULE_MISMATCH);

	/* QE identity policy on the real TD_QE identity and QE report. */
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));
	cv_quote q;
	CHECK(cv_quote_parse(f.q, f.len, &q, &d) == CV_OK);
	const char *text = cJSON_GetObjectItem(f.coll, "qe_identity")->valuestring;
	cv_qe_identity qi;
	CHECK(cv_qe_identity_parse(text, strlen(text), &qi, &d) == CV_OK);
	CHECK_STR(qi.id, "TD_QE");
	CHECK(qi.version == 2 && qi.isvprodid == 2 && qi.n_levels == 1 && qi.miscselect_mask == 0xffffffffu);
	CHECK(cv_tcb_check_qe_identity(&qi, &q.qe_report, &d) == CV_OK);
	cv_enclave_report qe = q.qe_report;
	qe.isv_prod_id = 1;
	CHECK(cv_tcb_check_qe_identity(&qi, &qe, &d) == CV_QE_IDENTITY_MISMATCH && strstr(d.msg, "ISVPRODID"));
	qe = q.qe_report;
	qe.misc_select = 1;
	CHECK(cv_tcb_check_qe_identity(&qi, &qe, &d) == CV_QE_IDENTITY_MISMATCH);
	uint8_t buf[32];
	memcpy(buf, q.qe_report.mr_signer, 32);
	buf[31] ^= 1;
	qe = q.qe_report;
	qe.mr_signer = buf;
	CHECK(cv_tcb_check_qe_identity(&qi, &qe, &d) == CV_QE_IDENTITY_MISMATCH && strstr(d.msg, "MRSIGNER"));
	uint8_t at[16];
	memcpy(at, q.qe_report.attributes, 16);
	qe = q.qe_report;
	qe.attributes = at;
	at[0] ^= 0x04; /* outside the mask FB: ignored */
	CHECK(cv_tcb_check_qe_identity(&qi, &qe, &d) == CV_OK);
	at[0] ^= 0x04 | 0x02; /* DEBUG: inside the mask */
	CHECK(cv_tcb_check_qe_identity(&qi, &qe, &d) == CV_QE_IDENTITY_MISMATCH);
	/* QE TCB level: first listed with isvsvn <= the QE's. */
	CHECK(cv_tcb_qe_level(&qi, 6, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_UP_TO_DATE);
	CHECK(cv_tcb_qe_level(&qi, 4, &st, &lv, &d) == CV_OK);
	CHECK(cv_tcb_qe_level(&qi, 3, &st, &lv, &d) == CV_TCB_LEVEL_NOT_FOUND);
	cv_isv_level ql[3] = { { 8, 0, CV_TCB_ST_UP_TO_DATE, NULL, 0 }, { 6, 0, CV_TCB_ST_SW_HARDENING_NEEDED, NULL, 0 },
		{ 2, 0, CV_TCB_ST_REVOKED, NULL, 0 } };
	cv_qe_identity fake = qi;
	fake.levels = ql;
	fake.n_levels = 3;
	CHECK(cv_tcb_qe_level(&fake, 9, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_UP_TO_DATE);
	CHECK(cv_tcb_qe_level(&fake, 7, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_OUT_OF_DATE); /* any other -> OutOfDate */
	CHECK(cv_tcb_qe_level(&fake, 5, &st, &lv, &d) == CV_OK && st == CV_TCB_ST_REVOKED);
	cv_qe_identity_free(&qi);
	fixture_free(&f);
}

/* ---- TCB info / QE identity parsing ---- */

static cv_err parse_tcb(const char *text)
{
	cv_tcb_info t;
	cv_diag d;
	cv_err e = cv_tcb_info_parse(text, strlen(text), &t, &d);
	cv_tcb_info_free(&t);
	return e;
}

/* Re-serialise a modified tcbInfo (test only: cJSON's printer). */
static cv_err parse_tcb_json(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	cv_err e = parse_tcb(s);
	free(s);
	return e;
}

static void test_collateral_parsing(void)
{
	cJSON *coll = load_json(VEC "dcap/tdx_quote_collateral.json");
	const char *text = cJSON_GetObjectItem(coll, "tcb_info")->valuestring;
	size_t len = strlen(text);
	cv_tcb_info t;
	cv_diag d;
	CHECK(cv_tcb_info_parse(text, len, &t, &d) == CV_OK);
	CHECK(t.is_tdx && t.version == 3 && t.tcb_eval_num == 17 && t.n_levels >= 2 && t.has_tdx_module);
	CHECK(t.fmspc[0] == 0xb0 && t.fmspc[1] == 0xc0 && t.fmspc[2] == 0x6f);
	CHECK(t.has_module_identities && t.n_modules == 2);
	CHECK_STR(t.modules[0].id, "TDX_03");
	CHECK(t.modules[1].n_levels == 2 && t.modules[1].levels[1].status == CV_TCB_ST_OUT_OF_DATE);
	CHECK(t.levels[0].has_tdx && t.levels[0].pcesvn == 11 && t.levels[0].sgx_comp[7] == 5);
	CHECK(t.issue_date == 1750328163);
	size_t adv = 0;
	for (size_t i = 0; i < t.n_levels; i++)
		adv += t.levels[i].n_advisory_ids;
	CHECK(adv > 0);
	cv_tcb_info_free(&t);

	/* Strictness. */
	char *buf = malloc(len + 16);
	memcpy(buf, text, len);
	memcpy(buf + len, " \r\n\t", 5);
	CHECK(parse_tcb(buf) == CV_OK);
	memcpy(buf + len, " x", 3);
	CHECK(parse_tcb(buf) == CV_COLLATERAL_MALFORMED);
	memcpy(buf + len, "{}", 3);
	CHECK(parse_tcb(buf) == CV_COLLATERAL_MALFORMED);
	free(buf);
	CHECK(parse_tcb("") == CV_COLLATERAL_MALFORMED);
	CHECK(parse_tcb("[]") == CV_COLLATERAL_MALFORMED);
	CHECK(parse_tcb("{\"id\":\"TDX\"") == CV_COLLATERAL_MALFORMED);
	/* Nesting is capped before cJSON recurses; brackets in strings do not count. */
	char deep[200] = "{\"a\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	CHECK(parse_tcb(deep) == CV_COLLATERAL_MALFORMED);
	static const char pre[] = "{\"x\":\"[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\",";
	buf = malloc(len + sizeof pre);
	memcpy(buf, pre, sizeof pre - 1);
	memcpy(buf + sizeof pre - 1, text + 1, len); /* text + 1 skips its '{'; copies its NUL */
	CHECK(parse_tcb(buf) == CV_OK);
	free(buf);

	cJSON *j = cJSON_Parse(text);
	cJSON *lv0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tcbLevels"), 0);
	cJSON *tcb0 = cJSON_GetObjectItem(lv0, "tcb");
	CHECK(parse_tcb_json(j) == CV_OK);
#define MUTATE_JSON(stmt, undo, want) do { stmt; CHECK(parse_tcb_json(j) == (want)); undo; CHECK(parse_tcb_json(j) == CV_OK); } while (0)
	cJSON *sgxc = cJSON_GetObjectItem(tcb0, "sgxtcbcomponents"), *tdxc = cJSON_GetObjectItem(tcb0, "tdxtcbcomponents");
	cJSON *det;
	MUTATE_JSON(det = cJSON_DetachItemFromArray(sgxc, 15), cJSON_AddItemToArray(sgxc, det), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_AddItemToArray(sgxc, cJSON_Duplicate(cJSON_GetArrayItem(sgxc, 0), 1)),
		cJSON_DeleteItemFromArray(sgxc, 16), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(det = cJSON_DetachItemFromArray(tdxc, 0), cJSON_InsertItemInArray(tdxc, 0, det), CV_COLLATERAL_MALFORMED);
	cJSON *svn = cJSON_GetObjectItem(cJSON_GetArrayItem(sgxc, 3), "svn");
	MUTATE_JSON(cJSON_SetNumberValue(svn, 256), cJSON_SetNumberValue(svn, 2), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_SetNumberValue(svn, -1), cJSON_SetNumberValue(svn, 2), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_SetNumberValue(svn, 1.5), cJSON_SetNumberValue(svn, 2), CV_COLLATERAL_MALFORMED);
	cJSON *pcesvn = cJSON_GetObjectItem(tcb0, "pcesvn");
	MUTATE_JSON(cJSON_SetNumberValue(pcesvn, 65536), cJSON_SetNumberValue(pcesvn, 11), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(lv0, "tcbStatus", cJSON_CreateString("Bogus")),
		cJSON_ReplaceItemInObject(lv0, "tcbStatus", cJSON_CreateString("UpToDate")), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(lv0, "tcbStatus", cJSON_CreateString("uptodate")),
		cJSON_ReplaceItemInObject(lv0, "tcbStatus", cJSON_CreateString("UpToDate")), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(lv0, "tcbDate", cJSON_CreateString("2024-13-13T00:00:00Z")),
		cJSON_ReplaceItemInObject(lv0, "tcbDate", cJSON_CreateString("2024-03-13T00:00:00Z")), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_AddItemToObject(lv0, "advisoryIDs", cJSON_CreateString("INTEL-SA-1")),
		cJSON_DeleteItemFromObject(lv0, "advisoryIDs"), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(det = cJSON_DetachItemFromObject(j, "tdxModule"), cJSON_AddItemToObject(j, "tdxModule", det),
		CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(det = cJSON_DetachItemFromObject(j, "fmspc"), cJSON_AddItemToObject(j, "fmspc", det),
		CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "fmspc", cJSON_CreateString("B0C06F0000")),
		cJSON_ReplaceItemInObject(j, "fmspc", cJSON_CreateString("B0C06F000000")), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(4)),
		cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(3)), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(2)),
		cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(3)), CV_COLLATERAL_MALFORMED); /* TDX needs v3 */
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "id", cJSON_CreateString("XYZ")),
		cJSON_ReplaceItemInObject(j, "id", cJSON_CreateString("TDX")), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "tcbType", cJSON_CreateNumber(1)),
		cJSON_ReplaceItemInObject(j, "tcbType", cJSON_CreateNumber(0)), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "issueDate", cJSON_CreateString("yesterday")),
		cJSON_ReplaceItemInObject(j, "issueDate", cJSON_CreateString("2025-06-19T10:16:03Z")), CV_COLLATERAL_MALFORMED);
	cJSON *mid = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tdxModuleIdentities"), 0);
	cJSON *mlv = cJSON_GetArrayItem(cJSON_GetObjectItem(mid, "tcbLevels"), 0);
	MUTATE_JSON(cJSON_ReplaceItemInObject(mlv, "tcbStatus", cJSON_CreateString("SWHardeningNeeded")),
		cJSON_ReplaceItemInObject(mlv, "tcbStatus", cJSON_CreateString("UpToDate")), CV_COLLATERAL_MALFORMED);
	MUTATE_JSON(cJSON_ReplaceItemInObject(mid, "mrsigner", cJSON_CreateString("00")),
		cJSON_ReplaceItemInObject(mid, "mrsigner", cJSON_CreateString(
			"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")),
		CV_COLLATERAL_MALFORMED);
	cJSON *levels = cJSON_GetObjectItem(j, "tcbLevels");
	cJSON *saved = cJSON_Duplicate(levels, 1);
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "tcbLevels", cJSON_CreateArray()),
		cJSON_ReplaceItemInObject(j, "tcbLevels", cJSON_Duplicate(saved, 1)), CV_COLLATERAL_MALFORMED);
	/* More than CV_MAX_TCB_LEVELS levels. */
	cJSON *many = cJSON_CreateArray();
	for (int i = 0; i <= CV_MAX_TCB_LEVELS; i++)
		cJSON_AddItemToArray(many, cJSON_Duplicate(cJSON_GetArrayItem(saved, 0), 1));
	MUTATE_JSON(cJSON_ReplaceItemInObject(j, "tcbLevels", many),
		cJSON_ReplaceItemInObject(j, "tcbLevels", cJSON_Duplicate(saved, 1)), CV_COLLATERAL_MALFORMED);
	cJSON_Delete(saved);
#undef MUTATE_JSON
	cJSON_Delete(j);

	/* QE identity. */
	text = cJSON_GetObjectItem(coll, "qe_identity")->valuestring;
	cv_qe_identity qi;
	CHECK(cv_qe_identity_parse(text, strlen(text), &qi, &d) == CV_OK);
	CHECK(qi.issue_date == 1750329147 && qi.tcb_eval_num == 17 && qi.attributes[0] == 0x11);
	cv_qe_identity_free(&qi);
	j = cJSON_Parse(text);
	cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(1));
	char *s = cJSON_PrintUnformatted(j);
	CHECK(cv_qe_identity_parse(s, strlen(s), &qi, &d) == CV_COLLATERAL_MALFORMED);
	free(s);
	cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(2));
	cJSON_ReplaceItemInObject(j, "miscselect", cJSON_CreateString("000000"));
	s = cJSON_PrintUnformatted(j);
	CHECK(cv_qe_identity_parse(s, strlen(s), &qi, &d) == CV_COLLATERAL_MALFORMED);
	free(s);
	cJSON_ReplaceItemInObject(j, "miscselect", cJSON_CreateString("00000000"));
	cJSON_ReplaceItemInObject(j, "id", cJSON_CreateString("XE"));
	s = cJSON_PrintUnformatted(j);
	CHECK(cv_qe_identity_parse(s, strlen(s), &qi, &d) == CV_COLLATERAL_MALFORMED);
	free(s);
	cJSON_Delete(j);
	cJSON_Delete(coll);

	/* Intel's synthetic documents: TCB info v2 (flat components, no id),
	 * v3 TDX with 16-bit "SVNs" (rejected: a component SVN is a byte), QE
	 * identity v2. */
	static const char *const docs[][3] = {
		{ VEC "intel-synthetic/tcbInfo.json", "tcbInfo", "ok" },
		{ VEC "intel-synthetic/tdx/tcbInfo.json", "tcbInfo", "bad" },
		{ VEC "intel-synthetic/qeIdentity.json", "enclaveIdentity", "ok" },
		{ VEC "intel-synthetic/tdx/qeIdentity.json", "enclaveIdentity", "ok" },
	};
	for (size_t i = 0; i < 4; i++) {
		cJSON *doc = load_json(docs[i][0]);
		CHECK(doc != NULL);
		char *inner = cJSON_PrintUnformatted(cJSON_GetObjectItem(doc, docs[i][1]));
		cv_err e;
		if (docs[i][1][0] == 't') {
			e = cv_tcb_info_parse(inner, strlen(inner), &t, &d);
			if (e == CV_OK) {
				CHECK(t.version == 2 && !t.is_tdx && t.id[0] == 0 && t.n_levels > 0 && t.levels[0].sgx_comp[1] == 3);
				CHECK(t.levels[0].pcesvn == 3);
			}
			cv_tcb_info_free(&t);
		} else {
			e = cv_qe_identity_parse(inner, strlen(inner), &qi, &d);
			cv_qe_identity_free(&qi);
		}
		CHECK((e == CV_OK) == (strcmp(docs[i][2], "ok") == 0));
		if ((e == CV_OK) != (strcmp(docs[i][2], "ok") == 0))
			fprintf(stderr, "%s: %s\n", docs[i][0], d.msg);
		free(inner);
		cJSON_Delete(doc);
	}
}

/* ---- report sections and inspect ---- */

static void test_sections_and_inspect(void)
{
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/sgx_quote", VEC "dcap/sgx_quote_collateral.json", SGX_NOW));
	cv_dcap_result *r = verify_default(f.q, f.len, f.coll, f.now);
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	cv_report_write_dcap_sections(&w, r, "supplied");
	jw_obj_end(&w);
	size_t n;
	char *out = jw_take(&w, &n);
	CHECK(out != NULL);
	cJSON *j = cJSON_Parse(out);
	CHECK(j != NULL);
	const cJSON *qs = cJSON_GetObjectItem(j, "quote"), *pl = cJSON_GetObjectItem(j, "platform");
	const cJSON *tc = cJSON_GetObjectItem(j, "tcb"), *co = cJSON_GetObjectItem(j, "collateral");
	CHECK(cJSON_GetObjectItem(qs, "version")->valueint == 3);
	CHECK_STR(cJSON_GetObjectItem(qs, "tee")->valuestring, "SGX");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(qs, "debug")));
	CHECK(strncmp(cJSON_GetObjectItem(qs, "report_data")->valuestring, "48656c6c6f2c20776f726c6421", 26) == 0);
	CHECK_STR(cJSON_GetObjectItem(pl, "fmspc")->valuestring, "00A067110000");
	CHECK_STR(cJSON_GetObjectItem(pl, "pck_ca")->valuestring, "processor");
	CHECK_STR(cJSON_GetObjectItem(pl, "pce_id")->valuestring, "0000");
	CHECK(strlen(cJSON_GetObjectItem(pl, "ppid")->valuestring) == 32);
	CHECK_STR(cJSON_GetObjectItem(tc, "status")->valuestring, "ConfigurationAndSWHardeningNeeded");
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(tc, "advisory_ids")) == 2);
	CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(tc, "advisory_ids"), 1)->valuestring, "INTEL-SA-00615");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(tc, "module_status")));
	CHECK(cJSON_GetObjectItem(tc, "evaluation_data_number")->valueint == 17);
	CHECK(cJSON_IsString(cJSON_GetObjectItem(tc, "tcb_date")));
	CHECK_STR(cJSON_GetObjectItem(co, "tcb_info_issue_date")->valuestring, "2025-06-19T10:56:11Z");
	CHECK_STR(cJSON_GetObjectItem(co, "expires_at")->valuestring, "2025-07-19T10:01:18Z");
	CHECK_STR(cJSON_GetObjectItem(co, "source")->valuestring, "supplied");
	cJSON_Delete(j);
	free(out);
	fixture_free(&f);

	/* TDX v5, no collateral: unknowns are null. */
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote_outdated", VEC "cases.json", 0));
	r = verify_default(f.q, f.len, NULL, 0);
	jw_init(&w);
	jw_obj_begin(&w);
	cv_report_write_dcap_sections(&w, r, NULL);
	jw_obj_end(&w);
	out = jw_take(&w, &n);
	j = cJSON_Parse(out);
	qs = cJSON_GetObjectItem(j, "quote");
	CHECK(cJSON_GetObjectItem(qs, "body_type")->valueint == 3);
	CHECK(strlen(cJSON_GetObjectItem(qs, "mr_servicetd")->valuestring) == 96);
	CHECK(strlen(cJSON_GetObjectItem(qs, "rtmr3")->valuestring) == 96);
	CHECK_STR(cJSON_GetObjectItem(qs, "td_attributes")->valuestring, "0000001000000000");
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "platform"), "fmspc")->valuestring, "90C06F000000");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "tcb")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "collateral"), "expires_at")));
	cJSON_Delete(j);
	free(out);
	/* A quote that does not parse: "quote": null. */
	r = verify_default(f.q, 100, NULL, 0);
	jw_init(&w);
	jw_obj_begin(&w);
	cv_report_write_dcap_sections(&w, r, NULL);
	jw_obj_end(&w);
	out = jw_take(&w, &n);
	j = cJSON_Parse(out);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "quote")));
	cJSON_Delete(j);
	free(out);
	fixture_free(&f);

	/* Inspect. */
	static const char *const ins[][4] = {
		{ VEC "dcap/tdx_quote", "TDX", "B0C06F000000", "platform" },
		{ VEC "dcap/sgx_quote", "SGX", "00A067110000", "processor" },
		{ VEC "dcap/tdx_quote_outdated", "TDX", "90C06F000000", "platform" },
	};
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		uint8_t *q = load_quote(ins[i][0], "binary", &len);
		char fmspc[13];
		const char *ca, *tee;
		cv_diag d;
		CHECK(cv_dcap_inspect(q, len, fmspc, &ca, &tee, &d) == CV_OK);
		CHECK_STR(tee, ins[i][1]);
		CHECK_STR(fmspc, ins[i][2]);
		CHECK_STR(ca, ins[i][3]);
		CHECK(cv_dcap_inspect(q, 1000, fmspc, &ca, &tee, &d) == CV_QUOTE_TRUNCATED);
		free(q);
	}
	size_t len;
	uint8_t *q = load_quote(VEC "intel-synthetic/quote.dat", "binary", &len);
	char fmspc[13];
	const char *ca, *tee;
	cv_diag d;
	CHECK(cv_dcap_inspect(q, len, fmspc, &ca, &tee, &d) == CV_CERT_CHAIN_INVALID);
	free(q);
}

/* ---- a caller-supplied test root (CV_TEST_BUILD only) ---- */

/* The signed value of a PCS body {"<key>":{...},"signature":"hex"}: the raw
 * bytes between the key and ,"signature" (dcap.md 4.2: never re-serialise). */
static cJSON *pcs_body(const char *path, const char *key, const char *text_field, const char *sig_field, cJSON *coll)
{
	char *body = (char *)check_read_file(path, NULL);
	if (!body)
		return NULL;
	char prefix[32];
	cv_format(prefix, sizeof prefix, "{\"%s\":", key);
	char *start = strstr(body, prefix), *end = strstr(body, ",\"signature\":\"");
	CHECK(start == body && end != NULL);
	if (start && end) {
		start += strlen(prefix);
		char *sig = end + strlen(",\"signature\":\"");
		*end = '\0';
		cJSON_AddStringToObject(coll, text_field, start);
		char *q = strchr(sig, '"');
		if (q)
			*q = '\0';
		cJSON_AddStringToObject(coll, sig_field, sig);
	}
	free(body);
	return coll;
}

static void add_file(cJSON *coll, const char *field, const char *path, int hex)
{
	size_t n;
	unsigned char *b = check_read_file(path, &n);
	CHECK(b != NULL);
	if (!b)
		return;
	if (hex) {
		char *h = malloc(2 * n + 1);
		cv_hex_encode(b, n, h);
		cJSON_AddStringToObject(coll, field, h);
		free(h);
	} else {
		cJSON_AddStringToObject(coll, field, (const char *)b);
	}
	free(b);
}

/* Collateral for Intel's synthetic samples in dir ("intel-synthetic/" or
 * "intel-synthetic/tdx/"). */
static cJSON *synthetic_collateral(const char *dir, int with_pck_chain)
{
	char path[256], path2[256];
	cJSON *coll = cJSON_CreateObject();
#define P(name) (cv_format(path, sizeof path, "%s%s", dir, name), path)
	add_file(coll, "root_ca_crl", P("rootCaCrl.der"), 1);
	add_file(coll, "pck_crl", P("intermediateCaCrl.der"), 1);
	add_file(coll, "tcb_info_issuer_chain", P("tcbSignChain.pem"), 0);
	add_file(coll, "qe_identity_issuer_chain", P("tcbSignChain.pem"), 0);
	pcs_body(P("tcbInfo.json"), "tcbInfo", "tcb_info", "tcb_info_signature", coll);
	pcs_body(P("qeIdentity.json"), "enclaveIdentity", "qe_identity", "qe_identity_signature", coll);
	if (with_pck_chain) {
		char *leaf = (char *)check_read_file(P("pckCert.pem"), NULL);
		cv_format(path2, sizeof path2, "%s%s", dir, "pckSignChain.pem");
		char *rest = (char *)check_read_file(path2, NULL);
		size_t ll = strlen(leaf), rl = strlen(rest);
		char *chain = malloc(ll + rl + 1);
		memcpy(chain, leaf, ll);
		memcpy(chain + ll, rest, rl + 1);
		cJSON_AddStringToObject(coll, "pck_certificate_chain", chain);
		free(leaf);
		free(rest);
		free(chain);
	}
#undef P
	return coll;
}

static void test_test_root(void)
{
#define SYN VEC "intel-synthetic/"
	/* Intel's synthetic SGX sample: certification data type 1 (no chain in
	 * the quote), so the collateral's pck_certificate_chain is used; TCB
	 * info v2; signed by Intel's *test* root. */
	cJSON *coll = synthetic_collateral(SYN, 1);
	size_t rootpem_len;
	char *rootpem = (char *)check_read_file(SYN "trustedRootCaCert.pem", &rootpem_len);
	uint8_t rootder[2048];
	cv_bytes ders[CV_MAX_CHAIN_CERTS];
	size_t n = 0;
	cv_diag d;
	CHECK(cv_pem_decode_certs(rootpem, rootpem_len, rootder, sizeof rootder, ders, CV_MAX_CHAIN_CERTS, &n, &d) == CV_OK &&
		n == 1);
	free(rootpem);

	size_t qlen;
	uint8_t *q = load_quote(SYN "quote.dat", "binary", &qlen);
	cv_policy p = policy(CV_TCB_PRESET_PERMISSIVE);
	const int64_t now = 1700000000; /* 2023-11-14: inside every window */

	/* The pinned root rejects Intel's test PKI. */
	cv_dcap_result *r = verify(q, qlen, coll, now, &p);
	/* (The root CA CRL, signed by the test root, fails first in
	 * collateral.validity; the chains fail on their root.) */
	CHECK(r->hardware_signature.code == CV_ROOT_CA_MISMATCH && r->hardware_signature.status == CV_FAIL);
	CHECK(r->collateral_validity.code == CV_CRL_INVALID && r->code == CV_CRL_INVALID && !r->test_root);

	p.trusted_root_der = ders[0].ptr;
	p.trusted_root_len = ders[0].len;
	r = verify(q, qlen, coll, now, &p);
	CHECK(r->test_root && strstr(r->hardware_signature.msg, "caller-supplied test root") != NULL);
	CHECK(r->quote_format.status == CV_PASS && r->collateral_validity.status == CV_PASS);
	CHECK(r->hardware_signature.status == CV_PASS);
	CHECK(r->tcb_status.status != CV_FAIL && r->merged_status != NULL);
	CHECK_STR(r->fmspc_hex, "00707F000000");
	CHECK_STR(r->pck_ca, "processor");
	/* Without the collateral chain, a type-1 quote has no PCK chain. */
	cJSON *c = cJSON_Duplicate(coll, 1);
	cJSON_DeleteItemFromObject(c, "pck_certificate_chain");
	r = verify(q, qlen, c, now, &p);
	CHECK(r->hardware_signature.code == CV_COLLATERAL_MISSING && r->code != CV_OK && consistent(r));
	cJSON_Delete(c);

	/* The real samples against the test root: their chains end in the real
	 * Intel root, which is then just another self-signed root. */
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));
	r = verify(f.q, f.len, f.coll, f.now, &p);
	CHECK(r->hardware_signature.code == CV_ROOT_CA_MISMATCH && r->code != CV_OK && consistent(r));
	CHECK(r->test_root && strstr(r->hardware_signature.msg, "Intel SGX Root CA") != NULL);
	fixture_free(&f);
	free(q);
	cJSON_Delete(coll);

	/* Intel's synthetic TDX sample: a DER chain listed root first, empty QE
	 * auth data. Its PCK chain and the quote's signatures verify under its
	 * test root; its random QE report does not match its QE identity, and
	 * its TCB info carries 16-bit component "SVNs", which is rejected. */
	coll = synthetic_collateral(SYN "tdx/", 0);
	rootpem = (char *)check_read_file(SYN "tdx/trustedRootCaCert.pem", &rootpem_len);
	CHECK(cv_pem_decode_certs(rootpem, rootpem_len, rootder, sizeof rootder, ders, CV_MAX_CHAIN_CERTS, &n, &d) == CV_OK &&
		n == 1);
	free(rootpem);
	q = load_quote(SYN "tdx/quote.dat", "binary", &qlen);
	p.trusted_root_der = ders[0].ptr;
	p.trusted_root_len = ders[0].len;
	r = verify(q, qlen, coll, now, &p);
	CHECK(r->quote_format.status == CV_PASS && r->collateral_validity.code == CV_COLLATERAL_MALFORMED);
	/* The PCK chain, QE report signature, binding (N = 0) and quote
	 * signature verify: the random synthetic QE report then fails Intel's
	 * (synthetic) QE identity. */
	CHECK(r->hardware_signature.code == CV_QE_IDENTITY_MISMATCH && strstr(r->hardware_signature.msg, "MRSIGNER"));
	CHECK(r->code == CV_COLLATERAL_MALFORMED && consistent(r));
	CHECK_STR(r->fmspc_hex, "ED742AF8ADF5");
	char fmspc[13];
	const char *ca, *tee;
	CHECK(cv_dcap_inspect(q, qlen, fmspc, &ca, &tee, &d) == CV_OK);
	CHECK_STR(fmspc, "ED742AF8ADF5");
	free(q);
	cJSON_Delete(coll);
#undef SYN
}

/* ---- random damage: parsers return a code, never crash (ASan) ---- */

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_random_damage(void)
{
	uint32_t seed = 0x2545f491u;
	fixture f;
	CHECK(fixture_load(&f, VEC "dcap/tdx_quote", VEC "dcap/tdx_quote_collateral.json", TDX_NOW));
	uint8_t *m = malloc(f.len);
	cv_quote q;
	cv_diag d;
	int bad = 0, iters = exhaustive() ? 200000 : 20000;
	for (int it = 0; it < iters; it++) {
		memcpy(m, f.q, f.len);
		int flips = 1 + (int)(rng_next(&seed) % 4);
		for (int k = 0; k < flips; k++) {
			/* Bias towards the header and length fields, where parsing branches. */
			uint32_t r = rng_next(&seed);
			size_t off = r & 1 ? (size_t)(r >> 1) % 1260 : (size_t)(r >> 1) % f.len;
			m[off] = (uint8_t)rng_next(&seed);
		}
		size_t len = rng_next(&seed) % 8 ? f.len : (size_t)rng_next(&seed) % f.len;
		cv_err e = cv_quote_parse(m, len, &q, &d);
		if (e != CV_OK && (e < CV_QUOTE_TRUNCATED || e > CV_QUOTE_MALFORMED || !d.msg[0]))
			bad++;
		if (e == CV_OK && (q.raw_len > len || q.signed_len > q.raw_len))
			bad++;
	}
	CHECK(bad == 0);

	/* TCB info / QE identity text with random bytes overwritten. */
	const char *texts[2] = { cJSON_GetObjectItem(f.coll, "tcb_info")->valuestring,
		cJSON_GetObjectItem(f.coll, "qe_identity")->valuestring };
	for (int w = 0; w < 2; w++) {
		size_t len = strlen(texts[w]);
		char *t = malloc(len + 1);
		for (int it = 0; it < (exhaustive() ? 20000 : 2000); it++) {
			memcpy(t, texts[w], len + 1);
			int flips = 1 + (int)(rng_next(&seed) % 3);
			for (int k = 0; k < flips; k++)
				t[rng_next(&seed) % len] = (char)(0x20 + rng_next(&seed) % 0x5f);
			size_t l = rng_next(&seed) % 5 ? len : rng_next(&seed) % len;
			cv_err e;
			if (w == 0) {
				cv_tcb_info ti;
				e = cv_tcb_info_parse(t, l, &ti, &d);
				cv_tcb_info_free(&ti);
			} else {
				cv_qe_identity qi;
				e = cv_qe_identity_parse(t, l, &qi, &d);
				cv_qe_identity_free(&qi);
			}
			if (e != CV_OK && (e != CV_COLLATERAL_MALFORMED || !d.msg[0]))
				bad++;
		}
		free(t);
	}
	CHECK(bad == 0);
	free(m);
	fixture_free(&f);
}

int main(void)
{
	test_parser();
	test_random_damage();
	test_quote_mutations();
	test_collateral_mutations();
	test_collateral_cases();
	test_tcb_policy();
	test_td_attributes();
	test_tcb_levels();
	test_module_and_qe();
	test_collateral_parsing();
	test_sections_and_inspect();
	test_test_root();
	test_cases();
	return check_report("dcap");
}
