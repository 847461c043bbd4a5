/*
 * op inspect and op tables (inspect.h).
 *
 * Inspect answers "what is present" and "what to fetch" as data, so adding
 * an evidence source (an OS manifest to fetch, a chain call to make, a
 * provenance bundle) is one more entry in "present" and one more kind in
 * "fetch", not new detection code in the shim.
 */
#include <string.h>

#include "check_result.h"
#include "collateral.h"
#include "dcap.h"
#include "evidence.h"
#include "inspect.h"
#include "util.h"

cv_err cv_inspect(const cJSON *root, cv_jw *w, cv_diag *d)
{
	const cJSON *key;
	cJSON_ArrayForEach(key, root) {
		if (strcmp(key->string, "op") != 0 && strcmp(key->string, "evidence") != 0)
			return cv_fail(d, CV_REQUEST_MALFORMED,
				"Unknown request key %s (inspect takes op and evidence).", key->string);
	}
	const cJSON *evj = cJSON_GetObjectItemCaseSensitive(root, "evidence");
	if (!evj || cJSON_IsNull(evj))
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request has no evidence.");
	cv_evidence ev;
	cv_err e = cv_evidence_parse(evj, &ev, d);
	if (e != CV_OK)
		return e;
	char fmspc[13] = "";
	const char *ca = NULL, *tee = NULL;
	if (ev.quote && (e = cv_dcap_inspect(ev.quote, ev.quote_len, fmspc, &ca, &tee, d)) != CV_OK) {
		cv_evidence_free(&ev);
		return e;
	}
	jw_obj_begin(w);
	/* The flat members the shim has read since the first version. */
	jw_kbool(w, "has_quote", ev.quote != NULL);
	if (ev.quote) {
		jw_kint(w, "version", cv_le16(ev.quote));
		jw_kstr(w, "tee", tee);
		jw_kstr(w, "fmspc", fmspc);
		jw_kstr(w, "pck_ca", ca);
		jw_khex(w, "quote_hex", ev.quote, ev.quote_len);
	}
	jw_kbool(w, "has_collateral", ev.collateral != NULL);
	jw_kstr(w, "nonce", ev.nonce);
	jw_kstr(w, "source_url", ev.source_url);
	/* What the evidence holds. */
	jw_key(w, "present");
	jw_obj_begin(w);
	jw_kbool(w, "quote", ev.quote != NULL);
	jw_kbool(w, "collateral", ev.collateral != NULL);
	jw_kbool(w, "event_log", ev.has_log);
	jw_kbool(w, "app_compose", ev.has_app_compose);
	jw_kbool(w, "nonce", ev.nonce != NULL && ev.nonce[0] != '\0');
	jw_obj_end(w);
	/* What to fetch before verifying: one object per item, by kind. */
	jw_key(w, "fetch");
	jw_arr_begin(w);
	if (ev.quote && !ev.collateral) {
		jw_obj_begin(w);
		jw_kstr(w, "kind", "collateral");
		jw_kstr(w, "tee", tee);
		jw_kstr(w, "fmspc", fmspc);
		jw_kstr(w, "pck_ca", ca);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	cv_evidence_free(&ev);
	return CV_OK;
}

void cv_tables(cv_jw *w)
{
	jw_obj_begin(w);
	jw_key(w, "checks");
	jw_arr_begin(w);
	for (int i = 0; i < CK_COUNT; i++)
		jw_str(w, cv_check_name((cv_check_id)i));
	jw_arr_end(w);
	jw_key(w, "statuses");
	jw_arr_begin(w);
	for (cv_status s = CV_PASS; s <= CV_SKIP; s++)
		jw_str(w, cv_status_name(s));
	jw_arr_end(w);
	jw_key(w, "reason_codes");
	jw_arr_begin(w);
	for (int e = 0; e < CV_ERR_COUNT; e++)
		jw_str(w, cv_err_name((cv_err)e));
	jw_arr_end(w);
	jw_key(w, "tcb_statuses");
	jw_arr_begin(w);
	for (int s = 0; s < CV_TCB_ST_COUNT; s++)
		jw_str(w, cv_tcb_status_name((cv_tcb_status)s));
	jw_arr_end(w);
	jw_obj_end(w);
}
