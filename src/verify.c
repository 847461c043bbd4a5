/*
 * The entry point (docs/core-api.md): parse the request (request.c), the
 * evidence (evidence.c), gather the facts (dcap.c: quote, signatures,
 * collateral, TCB; compose.c: event log replay, app-compose), decide the
 * checks from them (check_table.c, policy.c) and write the report
 * (report.c, which also applies the verdict rule).
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check_table.h"
#include "os_facts.h"
#include "compose.h"
#include "dcap.h"
#include "evidence.h"
#include "governance.h"
#include "inspect.h"
#include "json.h"
#include "provenance.h"
#include "jsonw.h"
#include "report.h"
#include "request.h"
#include "util.h"
#include "verify.h"
#include "sigstore_verify.h"
#include "phala_app.h"

/* Everything one verification holds; freed by verification_free after the
 * report is written. The DCAP result's quote fields and the dstack result's
 * replay point into ev (the quote buffer, the parsed log), so ev is freed
 * last; no other module keeps a pointer across calls. */
typedef struct {
	cv_request req;
	cv_evidence ev;
	cv_dcap_result dcap;
	cv_dstack_result ds;
	int ran_dstack;
	cv_provenance prov;             /* app.provenance facts; its entries borrow ds's image strings */
	cv_facts facts;
	cv_check checks[CK_COUNT];
	cv_gov_state gov;             /* governance.onchain; its answers freed by verification_free */
	cv_os_facts os;               /* os.image (os_facts.h); owns its buffers */
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

/* Gather the facts: the DCAP pipeline over the quote, the dstack pipeline
 * over the log and app-compose. */
static void gather(verification *v, cv_cache *cache)
{
	const cv_request *r = &v->req;
	cv_facts *f = &v->facts;
	f->pol = &r->policy;
	f->ev = &v->ev;
	const cJSON *collateral = r->collateral ? r->collateral : v->ev.collateral;
	if (v->ev.quote) {
		cv_dcap_verify_cached(cache, v->ev.quote, v->ev.quote_len, collateral, r->now, &r->policy, &v->dcap);
		f->dcap = &v->dcap;
		if (v->dcap.has_quote)
			f->quote = &v->dcap.quote;
	}
	const cv_quote *q = f->quote;
	const int tdx = q && q->tee_type == CV_TEE_TDX;
	const uint8_t *rtmr[4] = { NULL, NULL, NULL, NULL };
	if (tdx)
		for (int i = 0; i < 4; i++)
			rtmr[i] = q->td.rtmr[i];
	cv_dstack_check(&v->ev, tdx ? rtmr : NULL, tdx ? q->td.mr_config_id : NULL, r->policy.require_pinned_images,
		&v->ds);
	v->ran_dstack = 1;
	f->ds = &v->ds;
	/* Provenance of the images the bound compose pins (provenance.h); an
	 * out-of-memory leaves the state unlisted, which the check reports. */
	cv_diag pd;
	cv_diag_clear(&pd);
	cv_provenance_gather(&v->ds, r->provenance, r->trusted_root, r->policy.expect_source, r->now, &v->prov, &pd);
	f->prov = &v->prov;
	cv_os_facts_gather(&v->os, &v->ev, q, &r->policy);
	f->os = &v->os;
	/* governance.onchain asks allowedOsImages for the log's os-image-hash: it
	 * is bound only when the OS check verified the registers from a manifest
	 * authenticated by that same hash (docs/governance.md, docs/os-image.md). */
	{
		const cv_os_result *o = &v->os.r;
		f->os_image_bound = o->verified && o->source != CV_OS_SOURCE_EXPECTED && o->has_image_hash &&
			o->has_event_image_hash && o->event_image_hash_len == 32 &&
			memcmp(o->image_hash, o->event_image_hash, 32) == 0;
	}
}

static void write_report(verification *v, cv_jw *w)
{
	const cv_request *r = &v->req;
	cv_report rep = { 0 };
	rep.facts = &v->facts;
	rep.checks = v->checks;
	rep.verified_at = r->now;
	rep.verifier_version = r->verifier_version;
	rep.verifier_wasm_sha256 = r->verifier_wasm_sha256;
#ifdef CV_TEST_BUILD
	rep.test_root = r->test_root;
#endif
	rep.recorded_sample = r->recorded_sample;
	rep.collateral_source = r->collateral ? (r->collateral_source ? r->collateral_source : "supplied")
		: (v->ev.collateral ? "evidence bundle" : NULL);
	cv_report_write(w, &rep);
}

static void verification_free(verification *v)
{
	cv_gov_state_free(&v->gov);
	cv_provenance_free(&v->prov);
	if (v->ran_dstack)
		cv_dstack_result_free(&v->ds);
	cv_os_facts_free(&v->os);
	cv_evidence_free(&v->ev);
}

/* The nonce: the caller's, else the one recorded in an evidence bundle. */
static cv_err pick_nonce(verification *v, cv_diag *d)
{
	cv_facts *f = &v->facts;
	if (v->req.policy.nonce.set) {
		f->nonce = v->req.policy.nonce;
		f->nonce_source = "request";
		return CV_OK;
	}
	if (v->ev.nonce && v->ev.nonce[0]) {
		size_t n = cv_hex_decode(v->ev.nonce, strlen(v->ev.nonce), f->nonce.v, sizeof f->nonce.v);
		if (n == (size_t)-1 || n == 0)
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "The evidence bundle's nonce is not hex of 1 to 64 bytes.");
		f->nonce.len = n;
		f->nonce.set = 1;
		f->nonce_source = "bundle";
	}
	return CV_OK;
}

static cv_err op_verify(const cJSON *root, cv_cache *cache, char **out, size_t *out_len)
{
	cv_diag d;
	cv_diag_clear(&d);
	/* issue 16: an app of several CVMs (a Phala Cloud response, or KMS
	 * evidence beside the app's): one verify request per CVM (phala_app.h). */
	if (cv_app_request(root))
		return cv_app_run_json(root, cache, cv_run_json_cached, out, out_len);
	verification *v = calloc(1, sizeof *v);
	if (!v)
		return error_response(CV_OUT_OF_MEMORY, "The verifier ran out of memory.", out, out_len);
	cv_err e = cv_request_parse(root, &v->req, &d);
	if (e == CV_OK)
		e = cv_evidence_parse(v->req.evidence, &v->ev, &d);
	if (e == CV_OK)
		e = pick_nonce(v, &d);
	if (e == CV_OK)
		e = cv_os_facts_request(v->req.os_manifest, v->req.os_catalog_entry, &v->os, &d);
	if (e != CV_OK) {
		cv_os_facts_free(&v->os);
		cv_evidence_free(&v->ev);
		free(v);
		return error_response(e, d.msg, out, out_len);
	}
	gather(v, cache);
	/* On-chain governance: from the facts just gathered, and the request's
	 * chain and answers (governance_verify.c). */
	e = cv_gov_gather(&v->gov, &v->facts, v->req.policy.governance, v->req.chain, v->req.chain_answers, &d);
	if (e != CV_OK) {
		verification_free(v);
		free(v);
		return error_response(e, d.msg, out, out_len);
	}
	v->facts.gov = &v->gov;
	cv_checks_decide(&v->facts, v->checks);
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

/* op inspect and op tables (inspect.c). */
static cv_err op_inspect(const cJSON *root, int tables, char **out, size_t *out_len)
{
	cv_diag d;
	cv_diag_clear(&d);
	cv_jw w;
	jw_init(&w);
	cv_err e = CV_OK;
	if (tables)
		cv_tables(&w);
	else
		e = cv_inspect(root, &w, &d);
	if (e != CV_OK) {
		jw_free(&w);
		return error_response(e, d.msg, out, out_len);
	}
	*out = jw_take(&w, out_len);
	if (!*out)
		return error_response(CV_OUT_OF_MEMORY, "The verifier ran out of memory.", out, out_len);
	return CV_OK;
}

/* JSON that repeats a key is ambiguous (parsers disagree on which value
 * counts): in the evidence it is malformed evidence, elsewhere a malformed
 * request (docs/checks.md). */
static cv_err repeated_key(const cJSON *root, cv_diag *d)
{
	const char *dup = cv_json_duplicate_key(root);
	if (!dup)
		return CV_OK;
	const cJSON *ev = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "evidence") : NULL;
	const char *ev_dup = ev ? cv_json_duplicate_key(ev) : NULL;
	if (ev_dup)
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"The evidence repeats the key %s in one object: it is ambiguous.", ev_dup);
	return cv_fail(d, CV_REQUEST_MALFORMED, "The request repeats the key %s in one object.", dup);
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
	cJSON *root = cv_json_parse_text(req, req_len);
	if (!root)
		return error_response(CV_REQUEST_MALFORMED, "The request is not valid JSON.", out, out_len);
	cv_diag d;
	if (repeated_key(root, &d) != CV_OK) {
		cJSON_Delete(root);
		return error_response(d.code, d.msg, out, out_len);
	}
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "op");
	cv_err e;
	if (!cJSON_IsObject(root) || !cJSON_IsString(op))
		e = error_response(CV_REQUEST_MALFORMED, "The request must be an object with an op (verify, inspect or tables).",
			out, out_len);
	else if (strcmp(op->valuestring, "verify") == 0)
		e = op_verify(root, cache, out, out_len);
	else if (strcmp(op->valuestring, "inspect") == 0)
		e = op_inspect(root, 0, out, out_len);
	else if (strcmp(op->valuestring, "tables") == 0)
		e = op_inspect(root, 1, out, out_len);
	/* On-chain governance, standalone (governance.h): plan or decide. */
	else if (strcmp(op->valuestring, "governance") == 0)
		e = cv_gov_run_json(root, out, out_len);
	else if (strcmp(op->valuestring, "verify_bundle") == 0) /* issue 20: src/sigstore_verify.h */
		e = cv_sigstore_run_json(root, out, out_len);
	else
		e = error_response(CV_REQUEST_MALFORMED, "Unknown op: use verify, inspect or tables.", out, out_len);
	cJSON_Delete(root);
	return e;
}
