/*
 * The entry point: parse a request, normalise the evidence, run the DCAP and
 * dstack checks plus freshness, binding and measurement policy, apply the
 * verdict rule and write the report (interface.md section 1).
 *
 * Verdict rule: fail if any enforced check failed; warn if none failed but
 * one warned; else pass. On top of that, fail closed: a report whose
 * hardware.signature did not pass (no quote, no collateral) is never "pass"
 * or "warn" — without a hardware proof nothing else in it is worth anything.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "compose.h"
#include "dcap.h"
#include "evidence.h"
#include "governance.h"
#include "jsonw.h"
#include "report.h"
#include "request.h"
#include "util.h"
#include "verify.h"
#include "sigstore_verify.h"

#define CV_SCHEMA "cvm-verify/report/v1"

/* Everything one verification holds; freed by verification_free. */
typedef struct {
	cv_request req;
	cv_evidence ev;
	cv_dcap_result dcap;
	cv_dstack_result ds;
	int ran_dcap, ran_dstack;
	cv_check checks[CK_COUNT];
	const char *nonce_source;     /* "request" | "bundle" | NULL */
	cv_opt_bytes nonce;
} verification;

static cv_err error_response(cv_err code, const char *msg, char **out, size_t *out_len)
{
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_key(&w, "error");
	jw_obj_begin(&w);
	jw_kstr(&w, "code", cv_err_name(code));
	jw_kstr(&w, "message", msg);
	jw_obj_end(&w);
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	return code;
}

static void copy_check(cv_check *dst, const cv_check *src)
{
	*dst = *src;
	dst->ran = 1;
}

/* freshness.nonce: the quote's report_data starts with the verifier's nonce. */
static void check_nonce(verification *v, const uint8_t *report_data)
{
	cv_check *c = &v->checks[CK_FRESHNESS_NONCE];
	c->enforced = 1;
	if (!report_data) {
		if (v->ev.quote)
			cv_check_set(c, CV_SKIP, v->checks[CK_QUOTE_FORMAT].code,
				"The quote did not parse, so its report_data cannot be compared with a nonce.");
		else
			cv_check_set(c, CV_SKIP, CV_QUOTE_MISSING,
				"No quote was supplied, so there is no report_data to carry a nonce.");
		return;
	}
	if (!v->nonce.set) {
		cv_check_set(c, CV_SKIP, CV_NONCE_MISSING,
			"No nonce was given, so nothing proves this quote is fresh: it may be a replay of an old one.");
		return;
	}
	if (memcmp(report_data, v->nonce.v, v->nonce.len) != 0) {
		cv_check_set(c, CV_FAIL, CV_NONCE_MISMATCH,
			"The quote's report_data does not start with the nonce %H (it starts %H): the quote was not made for this request and may be replayed.",
			v->nonce.v, v->nonce.len, report_data, v->nonce.len);
		return;
	}
	if (strcmp(v->nonce_source, "bundle") == 0)
		cv_check_set(c, CV_PASS, CV_OK,
			"report_data starts with the %u-byte nonce recorded in the evidence bundle (fresh when the bundle was fetched%s%s).",
			(unsigned)v->nonce.len, v->ev.fetched_at ? ", at " : "", v->ev.fetched_at ? v->ev.fetched_at : "");
	else
		cv_check_set(c, CV_PASS, CV_OK, "report_data starts with the verifier's %u-byte nonce: the quote is fresh.",
			(unsigned)v->nonce.len);
}

/* report_data.binding: the exact expected value, or the server's claim. */
static void check_binding(verification *v, const uint8_t *report_data)
{
	cv_check *c = &v->checks[CK_REPORT_DATA_BINDING];
	c->enforced = 1;
	const cv_claim *claim = &v->ev.report_data;
	if (!report_data) {
		if (v->ev.quote)
			cv_check_set(c, CV_SKIP, v->checks[CK_QUOTE_FORMAT].code,
				"The quote did not parse, so its report_data cannot be checked.");
		else
			cv_check_set(c, CV_SKIP, CV_QUOTE_MISSING, "No quote was supplied, so there is no report_data to bind.");
		return;
	}
	if (v->req.report_data.set) {
		uint8_t want[64] = { 0 };
		memcpy(want, v->req.report_data.v, v->req.report_data.len);
		if (memcmp(want, report_data, 64) != 0) {
			cv_check_set(c, CV_FAIL, CV_REPORT_DATA_MISMATCH,
				"The quote's report_data %H differs from the expected %H.", report_data, (size_t)64, want,
				(size_t)64);
			return;
		}
	}
	if (claim->present && claim->len > 0) {
		uint8_t claimed[64] = { 0 };
		memcpy(claimed, claim->b, claim->len > 64 ? 64 : claim->len);
		if (memcmp(claimed, report_data, 64) != 0) {
			cv_check_set(c, CV_FAIL, CV_REPORT_DATA_MISMATCH,
				"The server claims report_data %H but the signed quote carries %H: the claim is false.",
				claimed, (size_t)64, report_data, (size_t)64);
			return;
		}
	}
	if (v->req.report_data.set)
		cv_check_set(c, CV_PASS, CV_OK, "report_data equals the expected value.");
	else if (claim->present && claim->len > 0)
		cv_check_set(c, CV_PASS, CV_OK, "report_data equals the value the server claims (no exact value was expected).");
	else
		cv_check_set(c, CV_SKIP, CV_OK, "No expected report_data was given and the server claims none.");
}

/* One expectation of policy.measurements. Appends to msg; returns 1 on mismatch. */
static int expect_one(char *msg, size_t cap, const char *what, const cv_opt_bytes *want, const uint8_t *got,
	size_t got_len, int *checked)
{
	if (!want->set)
		return 0;
	(*checked)++;
	if (got && cv_bytes_eq(want->v, want->len, got, got_len))
		return 0;
	size_t used = strlen(msg);
	if (got)
		cv_format(msg + used, cap - used, "%s%s is %H, expected %H", used ? "; " : "", what, got, got_len,
			want->v, want->len);
	else
		cv_format(msg + used, cap - used, "%s%s is unknown, expected %H", used ? "; " : "", what, want->v,
			want->len);
	return 1;
}

static void check_measurements(verification *v, const cv_quote *q)
{
	cv_check *c = &v->checks[CK_POLICY_MEASUREMENTS];
	const cv_request *r = &v->req;
	c->enforced = 1;
	char msg[CV_DIAG_MSG_MAX] = "";
	int checked = 0, bad = 0;
	const int tdx = q && q->tee_type == CV_TEE_TDX;
	bad += expect_one(msg, sizeof msg, "MRTD", &r->expect_mrtd, tdx ? q->td.mr_td : NULL, 48, &checked);
	static const char *const names[4] = { "RTMR0", "RTMR1", "RTMR2", "RTMR3" };
	for (int i = 0; i < 4; i++)
		bad += expect_one(msg, sizeof msg, names[i], &r->expect_rtmr[i], tdx ? q->td.rtmr[i] : NULL, 48,
			&checked);
	/* App identity comes from the replayed log: only trusted when the
	 * replay matched the quote. */
	const int log_ok = v->ran_dstack && v->ds.replayed && v->ds.basis == CV_RTMR_BASIS_QUOTE &&
		v->ds.eventlog_replay.status == CV_PASS;
	const cv_event *e;
	e = log_ok ? v->ds.id.app_id : NULL;
	bad += expect_one(msg, sizeof msg, "app id", &r->expect_app_id, e ? e->payload : NULL, e ? e->payload_len : 0,
		&checked);
	e = log_ok ? v->ds.id.compose_hash : NULL;
	bad += expect_one(msg, sizeof msg, "compose hash", &r->expect_compose_hash, e ? e->payload : NULL,
		e ? e->payload_len : 0, &checked);
	e = log_ok ? v->ds.id.os_image_hash : NULL;
	bad += expect_one(msg, sizeof msg, "OS image hash", &r->expect_os_image_hash, e ? e->payload : NULL,
		e ? e->payload_len : 0, &checked);
	if (!checked)
		cv_check_set(c, CV_SKIP, CV_OK, "No expected measurements were given.");
	else if (bad)
		cv_check_set(c, CV_FAIL, CV_MEASUREMENT_MISMATCH, "%s.", msg);
	else
		cv_check_set(c, CV_PASS, CV_OK, "All %d expected measurements match.", checked);
}

static void run_checks(verification *v, cv_cache *cache)
{
	const cv_request *r = &v->req;
	cv_dcap_policy pol = { 0 };
	pol.tcb_preset = r->tcb_preset;
	pol.allow_mask = r->allow_tcb;
	pol.has_allow = r->has_allow_tcb;
	pol.allow_debug = r->allow_debug;
#ifdef CV_TEST_BUILD
	if (r->test_root.set) {
		pol.trusted_root_der = r->test_root_der;
		pol.trusted_root_len = r->test_root_len;
	}
#endif
	const cJSON *collateral = r->collateral ? r->collateral : v->ev.collateral;
	const cv_quote *q = NULL;
	if (v->ev.quote) {
		cv_dcap_verify_cached(cache, v->ev.quote, v->ev.quote_len, collateral, r->now, &pol, &v->dcap);
		v->ran_dcap = 1;
		copy_check(&v->checks[CK_QUOTE_FORMAT], &v->dcap.quote_format);
		copy_check(&v->checks[CK_HARDWARE_SIGNATURE], &v->dcap.hardware_signature);
		copy_check(&v->checks[CK_COLLATERAL_VALIDITY], &v->dcap.collateral_validity);
		copy_check(&v->checks[CK_TCB_STATUS], &v->dcap.tcb_status);
		copy_check(&v->checks[CK_TD_ATTRIBUTES], &v->dcap.td_attributes);
		if (v->dcap.has_quote)
			q = &v->dcap.quote;
	} else {
		/* Nothing to parse or judge, so these are skipped; but the absence
		 * of a hardware proof is itself a failure, never a pass. */
		for (int i = CK_QUOTE_FORMAT; i <= CK_TD_ATTRIBUTES; i++) {
			cv_check_set(&v->checks[i], CV_SKIP, CV_QUOTE_MISSING, "The evidence carries no quote to check.");
			v->checks[i].enforced = 1;
		}
		cv_check_set(&v->checks[CK_HARDWARE_SIGNATURE], CV_FAIL, CV_QUOTE_MISSING,
			"The evidence carries no quote, so nothing proves it comes from TEE hardware.");
	}

	const int tdx = q && q->tee_type == CV_TEE_TDX;
	const uint8_t *rtmr[4] = { NULL, NULL, NULL, NULL };
	if (tdx)
		for (int i = 0; i < 4; i++)
			rtmr[i] = q->td.rtmr[i];
	cv_dstack_check(&v->ev, tdx ? rtmr : NULL, tdx ? q->td.mr_config_id : NULL, r->require_pinned_images,
		&v->ds);
	v->ran_dstack = 1;
	copy_check(&v->checks[CK_EVENTLOG_REPLAY], &v->ds.eventlog_replay);
	copy_check(&v->checks[CK_APP_COMPOSE_HASH], &v->ds.app_compose_hash);
	copy_check(&v->checks[CK_APP_IMAGES_PINNED], &v->ds.app_images_pinned);
	v->checks[CK_APP_IMAGES_PINNED].enforced = r->require_pinned_images;

	const uint8_t *report_data = q ? (tdx ? q->td.report_data : q->sgx.report_data) : NULL;
	check_nonce(v, report_data);
	check_binding(v, report_data);
	check_measurements(v, q);
}

static const char *verdict_of(const verification *v)
{
	int failed = 0, warned = 0;
	for (int i = 0; i < CK_COUNT; i++) {
		const cv_check *c = &v->checks[i];
		if (c->status == CV_FAIL && c->enforced)
			failed = 1;
		if (c->status == CV_WARN || (c->status == CV_FAIL && !c->enforced))
			warned = 1;
	}
	if (failed || v->checks[CK_HARDWARE_SIGNATURE].status != CV_PASS)
		return "fail";
	return warned ? "warn" : "pass";
}

static void write_report(verification *v, cv_jw *w)
{
	const cv_request *r = &v->req;
	int test_root = 0;
#ifdef CV_TEST_BUILD
	test_root = r->test_root.set;
#endif
	jw_obj_begin(w);
	jw_kstr(w, "schema", CV_SCHEMA);
	jw_kstr(w, "verdict", verdict_of(v));
	jw_kint(w, "verified_at", r->now);
	jw_key(w, "verifier");
	jw_obj_begin(w);
	jw_kstr(w, "version", r->verifier_version ? r->verifier_version : "unknown");
	jw_kstr(w, "wasm_sha256", r->verifier_wasm_sha256 ? r->verifier_wasm_sha256 : "");
	jw_obj_end(w);
	if (test_root)
		jw_kbool(w, "test_root", 1);
	if (r->recorded_sample)
		jw_kbool(w, "recorded_sample", 1);
	jw_key(w, "checks");
	jw_arr_begin(w);
	for (int i = 0; i < CK_COUNT; i++) {
		const cv_check *c = &v->checks[i];
		char msg[CV_DIAG_MSG_MAX + 16];
		cv_format(msg, sizeof msg, "%s%s", test_root ? "[TEST ROOT] " : "", c->msg);
		jw_obj_begin(w);
		jw_kstr(w, "id", cv_check_name((cv_check_id)i));
		jw_kstr(w, "status", cv_status_name(c->status));
		jw_kstr(w, "code", cv_err_name(c->code));
		jw_kstr(w, "message", msg);
		jw_kbool(w, "enforced", c->enforced);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (v->ran_dcap) {
		cv_dcap_write_sections(w, &v->dcap, r->collateral ? (r->collateral_source ? r->collateral_source : "supplied")
			: (v->ev.collateral ? "evidence bundle" : NULL));
	} else {
		jw_key(w, "quote"); jw_null(w);
		jw_key(w, "platform"); jw_null(w);
		jw_key(w, "tcb"); jw_null(w);
		jw_key(w, "collateral"); jw_null(w);
	}
	cv_dstack_write_sections(w, &v->ds);
	jw_key(w, "evidence");
	jw_obj_begin(w);
	jw_kstr(w, "source_url", v->ev.source_url);
	jw_kstr(w, "fetched_at", v->ev.fetched_at);
	if (v->nonce.set) {
		jw_khex(w, "nonce", v->nonce.v, v->nonce.len);
		jw_kstr(w, "nonce_source", v->nonce_source);
	}
	jw_kstr(w, "quote_source", v->ev.quote ? v->ev.quote_source : NULL);
	jw_kstr(w, "event_log_source", v->ev.has_log ? v->ev.log_source : NULL);
	jw_kstr(w, "app_compose_source", v->ev.has_app_compose ? v->ev.app_compose_source : NULL);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void verification_free(verification *v)
{
	if (v->ran_dstack)
		cv_dstack_result_free(&v->ds);
	cv_evidence_free(&v->ev);
}

/* The nonce: the caller's, else the one recorded in an evidence bundle. */
static cv_err pick_nonce(verification *v, cv_diag *d)
{
	if (v->req.nonce.set) {
		v->nonce = v->req.nonce;
		v->nonce_source = "request";
		return CV_OK;
	}
	if (v->ev.nonce && v->ev.nonce[0]) {
		size_t n = cv_hex_decode(v->ev.nonce, strlen(v->ev.nonce), v->nonce.v, sizeof v->nonce.v);
		if (n == (size_t)-1 || n == 0)
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "The evidence bundle's nonce is not hex of 1 to 64 bytes.");
		v->nonce.len = n;
		v->nonce.set = 1;
		v->nonce_source = "bundle";
	}
	return CV_OK;
}

static cv_err op_verify(const cJSON *root, cv_cache *cache, char **out, size_t *out_len)
{
	cv_diag d;
	cv_diag_clear(&d);
	verification *v = calloc(1, sizeof *v);
	if (!v)
		return error_response(CV_OUT_OF_MEMORY, "The verifier ran out of memory.", out, out_len);
	cv_err e = cv_request_parse(root, &v->req, &d);
	if (e == CV_OK)
		e = cv_evidence_parse(v->req.evidence, &v->ev, &d);
	if (e == CV_OK)
		e = pick_nonce(v, &d);
	if (e != CV_OK) {
		cv_evidence_free(&v->ev);
		free(v);
		return error_response(e, d.msg, out, out_len);
	}
	run_checks(v, cache);
	cv_jw w;
	jw_init(&w);
	write_report(v, &w);
	verification_free(v);
	free(v);
	*out = jw_take(&w, out_len);
	if (!*out)
		return error_response(CV_OUT_OF_MEMORY, "The verifier ran out of memory writing the report.", out, out_len);
	return CV_OK;
}

static cv_err op_inspect(const cJSON *root, char **out, size_t *out_len)
{
	cv_diag d;
	cv_diag_clear(&d);
	const cJSON *evj = cJSON_GetObjectItemCaseSensitive(root, "evidence");
	if (!evj || cJSON_IsNull(evj))
		return error_response(CV_REQUEST_MALFORMED, "The request has no evidence.", out, out_len);
	cv_evidence ev;
	cv_err e = cv_evidence_parse(evj, &ev, &d);
	if (e != CV_OK)
		return error_response(e, d.msg, out, out_len);
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kbool(&w, "has_quote", ev.quote != NULL);
	if (ev.quote) {
		char fmspc[13] = "";
		const char *ca = NULL, *tee = NULL;
		e = cv_dcap_inspect(ev.quote, ev.quote_len, fmspc, &ca, &tee, &d);
		if (e != CV_OK) {
			jw_free(&w);
			cv_evidence_free(&ev);
			return error_response(e, d.msg, out, out_len);
		}
		jw_kint(&w, "version", cv_le16(ev.quote));
		jw_kstr(&w, "tee", tee);
		jw_kstr(&w, "fmspc", fmspc);
		jw_kstr(&w, "pck_ca", ca);
		jw_khex(&w, "quote_hex", ev.quote, ev.quote_len);
	}
	jw_kbool(&w, "has_collateral", ev.collateral != NULL);
	jw_kstr(&w, "nonce", ev.nonce);
	jw_kstr(&w, "source_url", ev.source_url);
	jw_obj_end(&w);
	cv_evidence_free(&ev);
	*out = jw_take(&w, out_len);
	if (!*out)
		return error_response(CV_OUT_OF_MEMORY, "The verifier ran out of memory.", out, out_len);
	return CV_OK;
}

cv_err cv_run_json(const char *req, size_t req_len, char **out, size_t *out_len)
{
	return cv_run_json_cached(NULL, req, req_len, out, out_len);
}

cv_err cv_run_json_cached(cv_cache *cache, const char *req, size_t req_len, char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (req_len > CV_MAX_INPUT_LEN)
		return error_response(CV_INPUT_TOO_LARGE, "The request is larger than the verifier's 4 MiB limit.", out,
			out_len);
	/* A request of tiny values ([0,0,...]) would cost the parser ~50 bytes
	 * each, and WASM memory never shrinks: refuse before parsing. */
	if (cv_json_value_bound(req, req_len) > CV_MAX_JSON_VALUES)
		return error_response(CV_INPUT_TOO_LARGE,
			"The request holds more than 262144 JSON values, beyond what any real evidence needs.", out, out_len);
	cJSON *root = cv_json_parse_exact(req, req_len);
	if (!root)
		return error_response(CV_REQUEST_MALFORMED, "The request is not valid JSON.", out, out_len);
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "op");
	cv_err e;
	if (!cJSON_IsObject(root) || !cJSON_IsString(op))
		e = error_response(CV_REQUEST_MALFORMED, "The request must be an object with an op (verify or inspect).",
			out, out_len);
	else if (strcmp(op->valuestring, "verify") == 0)
		e = op_verify(root, cache, out, out_len);
	else if (strcmp(op->valuestring, "inspect") == 0)
		e = op_inspect(root, out, out_len);
	/* On-chain governance, standalone (governance.h): plan or decide. */
	else if (strcmp(op->valuestring, "governance") == 0)
		e = cv_gov_run_json(root, out, out_len);
	else if (strcmp(op->valuestring, "verify_bundle") == 0) /* issue 20: src/sigstore_verify.h */
		e = cv_sigstore_run_json(root, out, out_len);
	else
		e = error_response(CV_REQUEST_MALFORMED, "Unknown op: use verify or inspect.", out, out_len);
	cJSON_Delete(root);
	return e;
}
