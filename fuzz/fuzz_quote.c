/*
 * The quote parser (cv_quote_parse), then what the core does next with a
 * parsed quote and no collateral: cv_dcap_inspect (the PCK chain inside the
 * certification data: PEM / DER, X.509, the Intel SGX extension), the TD
 * attribute policy and cv_dcap_verify + its report sections.
 * Invariant: every pointer of a parsed quote lies inside the input.
 */
#include "dcap.h"
#include "fuzz_common.h"
#include "jsonw.h"
#include "report.h"
#include "quote.h"

static int in_range(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
	return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A heap copy of exactly size bytes, so ASan sees any over-read. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	cv_quote q;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_quote_parse(buf, size, &q, &d);
	if (e == CV_OK) {
		FUZZ_ASSERT(q.raw == buf && q.raw_len <= size);
		FUZZ_ASSERT(q.signed_len <= q.raw_len);
		FUZZ_ASSERT(in_range(buf, q.raw_len, q.body, q.body_size));
		FUZZ_ASSERT(in_range(buf, q.raw_len, q.sig_data, q.sig_data_len));
		FUZZ_ASSERT(in_range(buf, q.raw_len, q.quote_sig, 64));
		FUZZ_ASSERT(in_range(buf, q.raw_len, q.att_key, 64));
		FUZZ_ASSERT(in_range(buf, q.raw_len, q.qe_report.raw, 384));
		FUZZ_ASSERT(in_range(buf, q.raw_len, q.qe_report_sig, 64));
		FUZZ_ASSERT(q.qe_auth_len == 0 || in_range(buf, q.raw_len, q.qe_auth, q.qe_auth_len));
		FUZZ_ASSERT(q.cert_data_len == 0 || in_range(buf, q.raw_len, q.cert_data, q.cert_data_len));
		FUZZ_ASSERT(cv_quote_tee_name(&q) != NULL);
		cv_policy pol = { 0 };
		cv_check c = { 0 };
		c = cv_policy_td_attributes(&q, &pol);
		FUZZ_ASSERT(c.status == CV_PASS || c.code != CV_OK);
	} else {
		FUZZ_ASSERT(d.code == e && d.msg[0]);
	}

	char fmspc[13] = "";
	const char *ca = NULL, *tee = NULL;
	cv_diag_clear(&d);
	e = cv_dcap_inspect(buf, size, fmspc, &ca, &tee, &d);
	if (e == CV_OK)
		FUZZ_ASSERT(strlen(fmspc) == 12 && ca && tee);

	/* No collateral: hardware checks fail closed, the rest is still judged. */
	cv_policy pol = { 0 };
	pol.tcb_preset = CV_TCB_PRESET_DEFAULT;
	cv_dcap_result r;
	cv_dcap_verify(buf, size, NULL, 1752919234, &pol, &r);
	FUZZ_ASSERT(r.hardware_signature.status == CV_FAIL);
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	cv_report_write_dcap_sections(&w, &r, NULL);
	jw_obj_end(&w);
	size_t n = 0;
	char *out = jw_take(&w, &n);
	if (out) {
		FUZZ_ASSERT(fuzz_utf8_ok(out, n));
		cJSON *j = cJSON_ParseWithLength(out, n);
		FUZZ_ASSERT(j != NULL);
		cJSON_Delete(j);
		free(out);
	}
	free(buf);
	return 0;
}
