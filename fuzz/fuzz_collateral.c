/*
 * Collateral: the input is read as TCB Info text (cv_tcb_info_parse, then the
 * TCB level sort / match, TDX module identity and QE checks of tcb.c against a
 * real TDX quote), as QE Identity text (cv_qe_identity_parse, QE identity and
 * QE TCB level), and as a QuoteCollateralV3 JSON object (cv_collateral_parse,
 * the same on its tcb_info / qe_identity texts, its CRLs through
 * cv_crl_parse), and finally through the whole DCAP pipeline: cv_dcap_verify of
 * the fixed real quote tests/vectors/dcap/tdx_quote with the fuzzed
 * collateral, and its report sections.
 * Invariants: sorted TCB levels are in descending order; the report sections
 * are valid JSON; the real collateral passes (checked at start-up).
 */
#include "collateral.h"
#include "dcap.h"
#include "evidence.h"
#include "fuzz_common.h"
#include "json.h"
#include "jsonw.h"
#include "report.h"
#include "quote.h"
#include "tcb.h"
#include "x509.h"

#define NOW 1752919234 /* tests/vectors/cases.json, dcap-tdx-v4 */

static uint8_t *quote;
static size_t quote_len;
static cv_quote q;
static uint8_t pck_comp[16];
static uint16_t pck_pcesvn;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cv_diag d;
	quote = fuzz_load_vector("dcap/tdx_quote", &quote_len);
	if (cv_quote_parse(quote, quote_len, &q, &d) != CV_OK) {
		fprintf(stderr, "fuzz: tdx_quote does not parse: %s\n", d.msg);
		exit(2);
	}
	size_t clen;
	uint8_t *ctext = fuzz_load_vector("dcap/tdx_quote_collateral.json", &clen);
	cJSON *coll = cv_json_parse_exact((const char *)ctext, clen);
	cv_policy pol = { 0 };
	pol.tcb_preset = CV_TCB_PRESET_DEFAULT;
	cv_dcap_result r;
	cv_dcap_verify(quote, quote_len, coll, NOW, &pol, &r);
	if (r.code != CV_OK || !r.has_platform) {
		fprintf(stderr, "fuzz: the real collateral does not verify (%s): %s\n", cv_err_name(r.code),
			r.hardware_signature.msg);
		exit(2);
	}
	memcpy(pck_comp, r.pck_comp, 16);
	pck_pcesvn = r.pck_pcesvn;
	cJSON_Delete(coll);
	free(ctext);
	return 0;
}

static void tcb_info_text(const char *text, size_t len)
{
	cv_tcb_info ti;
	cv_diag d;
	memset(&ti, 0, sizeof ti);
	if (cv_tcb_info_parse(text, len, &ti, &d) == CV_OK) {
		FUZZ_ASSERT(ti.n_levels <= CV_MAX_TCB_LEVELS);
		cv_tcb_sort_levels(ti.levels, ti.n_levels);
		for (size_t i = 1; i < ti.n_levels; i++)
			FUZZ_ASSERT(cv_tcb_level_cmp(&ti.levels[i - 1], &ti.levels[i]) >= 0);
		size_t idx = 0;
		if (cv_tcb_match_platform(ti.levels, ti.n_levels, pck_comp, pck_pcesvn, q.td.tee_tcb_svn, &idx,
			    &d) == CV_OK)
			FUZZ_ASSERT(idx < ti.n_levels);
		cv_tcb_match_platform(ti.levels, ti.n_levels, pck_comp, pck_pcesvn, NULL, &idx, &d);
		cv_tcb_status st;
		const cv_isv_level *lv;
		if (cv_tcb_check_module(&ti, &q.td, &st, &lv, &d) == CV_OK)
			FUZZ_ASSERT(st < CV_TCB_ST_COUNT);
	}
	cv_tcb_info_free(&ti);
	cv_tcb_info_free(&ti); /* the free functions accept a freed struct */
}

static void qe_identity_text(const char *text, size_t len)
{
	cv_qe_identity qi;
	cv_diag d;
	memset(&qi, 0, sizeof qi);
	if (cv_qe_identity_parse(text, len, &qi, &d) == CV_OK) {
		cv_tcb_check_qe_identity(&qi, &q.qe_report, &d);
		cv_tcb_status st;
		const cv_isv_level *lv;
		if (cv_tcb_qe_level(&qi, q.qe_report.isv_svn, &st, &lv, &d) == CV_OK)
			FUZZ_ASSERT(lv != NULL && st < CV_TCB_ST_COUNT);
	}
	cv_qe_identity_free(&qi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	tcb_info_text(text, size);
	qe_identity_text(text, size);

	cJSON *j = cv_json_parse_exact(text, size);
	if (j) {
		cv_collateral c;
		cv_diag d;
		memset(&c, 0, sizeof c);
		if (cv_collateral_parse(j, &c, &d) == CV_OK) {
			tcb_info_text(c.tcb_info, c.tcb_info_len);
			qe_identity_text(c.qe_identity, c.qe_identity_len);
			cv_crl crl;
			cv_crl_parse(c.root_ca_crl.ptr, c.root_ca_crl.len, &crl, &d);
			cv_crl_parse(c.pck_crl.ptr, c.pck_crl.len, &crl, &d);
		} else {
			FUZZ_ASSERT(d.msg[0]);
		}
		cv_collateral_free(&c);

		cv_policy pol = { 0 };
		pol.tcb_preset = (int)(size % 3);
		cv_dcap_result r;
		cv_dcap_verify(quote, quote_len, j, NOW, &pol, &r);
		FUZZ_ASSERT(r.quote_format.status == CV_PASS);
		cv_jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		cv_report_write_dcap_sections(&w, &r, "supplied");
		jw_obj_end(&w);
		size_t n = 0;
		char *out = jw_take(&w, &n);
		if (out) {
			FUZZ_ASSERT(fuzz_utf8_ok(out, n));
			cJSON *o = cJSON_ParseWithLength(out, n);
			FUZZ_ASSERT(o != NULL);
			cJSON_Delete(o);
			free(out);
		}
		cJSON_Delete(j);
	}
	free(text);
	return 0;
}
