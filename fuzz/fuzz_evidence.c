/*
 * Evidence normalisation (cv_evidence_parse) of every input shape, then the
 * dstack checks over the result (cv_dstack_check: event log replay against
 * the quote's RTMRs or tcb_info's claims, app-compose hash, docker-compose
 * image pinning) and their report sections, as cv_run_json does. The input
 * is read twice: as JSON text, and as one JSON string value (the hex-quote /
 * JSON-in-a-string path).
 * Invariants: an owned quote is at most CV_MAX_QUOTE_LEN; every dstack check
 * is decided; the report sections are valid JSON.
 */
#include "compose.h"
#include "evidence.h"
#include "fuzz_common.h"
#include "json.h"
#include "jsonw.h"
#include "report.h"
#include "quote.h"

static void one(const cJSON *ev)
{
	cv_evidence e;
	cv_diag d;
	cv_diag_clear(&d);
	memset(&e, 0, sizeof e);
	cv_err err = cv_evidence_parse(ev, &e, &d);
	if (err != CV_OK) {
		FUZZ_ASSERT(d.code == err && d.msg[0]);
		FUZZ_ASSERT(e.quote == NULL && e.owned_root == NULL);
		cv_evidence_free(&e);
		return;
	}
	FUZZ_ASSERT(e.quote == NULL || (e.quote_len > 0 && e.quote_len <= CV_MAX_QUOTE_LEN));
	FUZZ_ASSERT(!e.has_app_compose || e.app_compose || e.compose_diag.code != CV_OK);

	/* As verify.c: the quote's RTMRs when it is a TDX quote. */
	cv_quote q;
	int tdx = 0;
	if (e.quote && cv_quote_parse(e.quote, e.quote_len, &q, &d) == CV_OK && cv_quote_is_tdx(&q))
		tdx = 1;
	const uint8_t *rtmr[4] = { NULL, NULL, NULL, NULL };
	if (tdx)
		for (int i = 0; i < 4; i++)
			rtmr[i] = q.td.rtmr[i];
	cv_dstack_result r;
	cv_dstack_check(&e, tdx ? rtmr : NULL, tdx ? q.td.mr_config_id : NULL, (int)(e.quote_len & 1), &r);
	FUZZ_ASSERT(r.eventlog_replay.status != CV_UNDECIDED && r.app_compose_hash.status != CV_UNDECIDED &&
		r.app_images_pinned.status != CV_UNDECIDED);
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	cv_report_write_dstack_sections(&w, &r, &e);
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
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	cJSON *j = cv_json_parse_exact(text, size);
	if (j) {
		one(j);
		cJSON_Delete(j);
	}
	if (strlen(text) == size) {
		cJSON *s = cJSON_CreateString(text);
		if (s) {
			one(s);
			cJSON_Delete(s);
		}
	}
	free(text);
	return 0;
}
