/*
 * governance.onchain in the verify request (governance.h; docs/governance.md
 * "The two-phase flow"): the input from the core's own facts, the request's
 * chain and answers, and the check's rule for the check table.
 */
#include <string.h>

#include "cJSON.h"
#include "check_table.h"
#include "governance.h"
#include "util.h"

cv_err cv_gov_request_chain_parse(const cJSON *chain, cv_gov_input *in, cv_diag *d)
{
	if (!chain || cJSON_IsNull(chain))
		return CV_OK;
	if (!cJSON_IsObject(chain))
		return cv_fail(d, CV_REQUEST_MALFORMED, "Option chain must be an object {chain_id, app_contract, kms_contract}.");
	for (const cJSON *m = chain->child; m; m = m->next)
		if (strcmp(m->string, "chain_id") != 0 && strcmp(m->string, "app_contract") != 0 &&
			strcmp(m->string, "kms_contract") != 0)
			return cv_fail(d, CV_REQUEST_MALFORMED, "Unknown request key chain.%s.", m->string);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(chain, "chain_id");
	if (id && !cJSON_IsNull(id)) {
		/* 2^53 - 1: a chain id beyond it is not exact in JSON numbers. */
		if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > 9007199254740991.0 ||
			id->valuedouble != (double)(uint64_t)id->valuedouble)
			return cv_fail(d, CV_REQUEST_MALFORMED, "Option chain.chain_id must be a positive integer.");
		in->has_chain_id = 1;
		in->chain_id = (uint64_t)id->valuedouble;
	}
	static const char *const keys[2] = { "app_contract", "kms_contract" };
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(chain, keys[i]);
		if (!v || cJSON_IsNull(v))
			continue;
		uint8_t *dst = i ? in->kms_contract : in->app_contract;
		if (!cJSON_IsString(v) || cv_abi_parse_address(v->valuestring, dst))
			return cv_fail(d, CV_REQUEST_MALFORMED, "Option chain.%s must be an address: 0x and 40 hex digits.",
				keys[i]);
		*(i ? &in->has_kms_contract : &in->has_app_contract) = 1;
	}
	return CV_OK;
}

/* A replayed identity event of exactly n bytes into out. */
static int event_bytes(const cv_event *e, uint8_t *out, size_t n)
{
	if (!e || e->payload_len != n)
		return 0;
	memcpy(out, e->payload, n);
	return 1;
}

/* The evidence half of the input: only what the verifier proved. */
static void input_from_facts(const cv_facts *f, cv_gov_input *in)
{
	const cv_dstack_result *ds = f->ds;
	/* The log's identity events count only when its replay matched the
	 * quote's RTMRs (as policy.measurements reads them). */
	if (ds && ds->replayed && ds->basis == CV_RTMR_BASIS_QUOTE && ds->eventlog_replay.status == CV_PASS) {
		const cv_app_identity *id = &ds->id;
		in->has_app_id = event_bytes(id->app_id, in->app_id, 20);
		in->has_compose_hash = event_bytes(id->compose_hash, in->compose_hash, 32);
		in->has_os_image_hash = event_bytes(id->os_image_hash, in->os_image_hash, 32);
		if (id->kp_parsed) {
			size_t n = cv_hex_decode(id->kp_id, strlen(id->kp_id), in->key_provider_id, sizeof in->key_provider_id);
			if (n != (size_t)-1) {
				in->key_provider_id_len = n;
				in->key_provider_is_kms = strcmp(id->kp_name, "kms") == 0;
			}
		}
	}
	/* The PPID and TCB status are the PCK certificate's and the verified
	 * collateral's: only when the quote's signature chain verified. */
	if (f->dcap && f->dcap->hardware_signature.status == CV_PASS) {
		if (f->dcap->has_platform) {
			memcpy(in->ppid, f->dcap->ppid, sizeof in->ppid);
			in->has_ppid = 1;
		}
		in->tcb_status = f->dcap->merged_status;
	}
}

cv_err cv_gov_gather(cv_gov_state *g, const cv_facts *f, int mode, const cJSON *chain, const cJSON *chain_answers,
	cv_diag *d)
{
	cv_err e;
	memset(g, 0, sizeof *g);
	g->in.mode = mode == CV_GOV_OFF || mode == CV_GOV_REQUIRE ? (cv_gov_mode)mode : CV_GOV_AUTO;
	input_from_facts(f, &g->in);
	if ((e = cv_gov_request_chain_parse(chain, &g->in, d)) != CV_OK)
		return e;
	cv_gov_plan_make(&g->in, &g->plan);
	if (!chain_answers || cJSON_IsNull(chain_answers))
		return CV_OK;
	/* Answers for a plan that does not run were made for other evidence
	 * or another policy: refused like answers to other calls. */
	if (!g->plan.run)
		return cv_fail(d, CV_REQUEST_MALFORMED,
			"The request carries chain_answers, but governance.onchain plans no calls for this evidence and policy.");
	if ((e = cv_gov_answers_parse(chain_answers, &g->plan, &g->answers, d)) != CV_OK)
		return e;
	g->has_answers = 1;
	return CV_OK;
}

void cv_gov_state_free(cv_gov_state *g)
{
	if (g->has_answers)
		cv_gov_answers_free(&g->answers);
	g->has_answers = 0;
}
