/*
 * JSON glue of governance.h: the input, options.chain, the shim's answers,
 * and the "governance" op of the JSON entry point (docs/governance.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "governance.h"
#include "util.h"

static const cJSON *item(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* An optional fixed-length hex field: 1 when set, 0 when absent, -1 bad. */
static int hex_field(const cJSON *o, const char *k, uint8_t *out, size_t n)
{
	const cJSON *v = item(o, k);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || cv_hex_decode(v->valuestring, strlen(v->valuestring), out, n) != n)
		return -1;
	return 1;
}

cv_err cv_gov_chain_parse(const cJSON *chain, cv_gov_input *in, cv_diag *d)
{
	if (!chain || cJSON_IsNull(chain))
		return CV_OK;
	if (!cJSON_IsObject(chain))
		return cv_fail(d, CV_REQUEST_MALFORMED, "options.chain must be an object {chainId, appContract, kmsContract, rpcUrls}.");
	for (const cJSON *m = chain->child; m; m = m->next)
		if (strcmp(m->string, "chainId") != 0 && strcmp(m->string, "appContract") != 0 &&
			strcmp(m->string, "kmsContract") != 0 && strcmp(m->string, "rpcUrls") != 0)
			return cv_fail(d, CV_REQUEST_MALFORMED, "options.chain has an unknown member '%s'.", m->string);
	const cJSON *id = item(chain, "chainId");
	if (id && !cJSON_IsNull(id)) {
		if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > 9007199254740991.0 ||
			id->valuedouble != (double)(uint64_t)id->valuedouble)
			return cv_fail(d, CV_REQUEST_MALFORMED, "options.chain.chainId must be a positive integer.");
		in->has_chain_id = 1;
		in->chain_id = (uint64_t)id->valuedouble;
	}
	static const char *const keys[2] = { "appContract", "kmsContract" };
	for (int i = 0; i < 2; i++) {
		const cJSON *v = item(chain, keys[i]);
		if (!v || cJSON_IsNull(v))
			continue;
		uint8_t *dst = i ? in->kms_contract : in->app_contract;
		if (!cJSON_IsString(v) || cv_abi_parse_address(v->valuestring, dst))
			return cv_fail(d, CV_REQUEST_MALFORMED, "options.chain.%s must be an address: 0x and 40 hex digits.", keys[i]);
		*(i ? &in->has_kms_contract : &in->has_app_contract) = 1;
	}
	return CV_OK;
}

/* The status of report check `id`, or NULL. */
static const char *check_status(const cJSON *report, const char *id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, item(report, "checks")) {
		const cJSON *cid = item(c, "id"), *st = item(c, "status");
		if (cJSON_IsString(cid) && strcmp(cid->valuestring, id) == 0)
			return cJSON_IsString(st) ? st->valuestring : NULL;
	}
	return NULL;
}

static int passed(const cJSON *report, const char *id)
{
	const char *st = check_status(report, id);
	return st && strcmp(st, "pass") == 0;
}

cv_err cv_gov_input_from_report(const cJSON *report, cv_gov_input *in, cv_diag *d)
{
	if (!cJSON_IsObject(report) || !cJSON_IsArray(item(report, "checks")))
		return cv_fail(d, CV_REQUEST_MALFORMED, "The governance input's report is not a cvm-verify report.");
	const cJSON *app = item(report, "app"), *plat = item(report, "platform"), *tcb = item(report, "tcb");
	/* Only what the verifier proved: the log's values when it replayed to
	 * the quoted RTMRs, the PPID when the PCK chain verified. */
	if (passed(report, "eventlog.replay") && cJSON_IsObject(app)) {
		int a = hex_field(app, "app_id", in->app_id, 20);
		int c = hex_field(app, "compose_hash", in->compose_hash, 32);
		int o = hex_field(app, "os_image_hash", in->os_image_hash, 32);
		if (a < 0 || c < 0 || o < 0)
			return cv_fail(d, CV_REQUEST_MALFORMED, "The report's app section has a malformed hex value.");
		in->has_app_id = a;
		in->has_compose_hash = c;
		in->has_os_image_hash = o;
		const cJSON *kp = item(app, "key_provider"), *name = item(kp, "name"), *id = item(kp, "id");
		if (cJSON_IsString(name) && cJSON_IsString(id)) {
			size_t n = cv_hex_decode(id->valuestring, strlen(id->valuestring), in->key_provider_id,
				sizeof in->key_provider_id);
			if (n != (size_t)-1) {
				in->key_provider_id_len = n;
				in->key_provider_is_kms = strcmp(name->valuestring, "kms") == 0;
			}
		}
	}
	if (passed(report, "hardware.signature")) {
		int r = hex_field(plat, "ppid", in->ppid, 16);
		in->has_ppid = r > 0;
		const cJSON *st = item(tcb, "status");
		if (cJSON_IsString(st))
			in->tcb_status = st->valuestring;
	}
	return CV_OK;
}

cv_err cv_gov_input_parse(const cJSON *j, cv_gov_input *in, cv_diag *d)
{
	memset(in, 0, sizeof *in);
	if (!cJSON_IsObject(j))
		return cv_fail(d, CV_REQUEST_MALFORMED, "The governance input must be an object.");
	const cJSON *mode = item(j, "mode");
	if (mode && !cJSON_IsNull(mode)) {
		const char *m = cJSON_IsString(mode) ? mode->valuestring : "";
		if (strcmp(m, "auto") == 0)
			in->mode = CV_GOV_AUTO;
		else if (strcmp(m, "off") == 0)
			in->mode = CV_GOV_OFF;
		else if (strcmp(m, "require") == 0)
			in->mode = CV_GOV_REQUIRE;
		else
			return cv_fail(d, CV_REQUEST_MALFORMED, "policy.governance must be off, auto or require.");
	}
	int r;
	const cJSON *report = item(j, "report");
	if (report) {
		static const char *const own[] = { "app_id", "compose_hash", "ppid", "os_image_hash", "tcb_status",
			"key_provider" };
		for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
			if (item(j, own[i]))
				return cv_fail(d, CV_REQUEST_MALFORMED,
					"The governance input takes %s from its report: give one or the other.", own[i]);
		cv_err e = cv_gov_input_from_report(report, in, d);
		if (e)
			return e;
		in->os_image_bound = cJSON_IsTrue(item(j, "os_image_bound"));
		return cv_gov_chain_parse(item(j, "chain"), in, d);
	}
	if ((r = hex_field(j, "app_id", in->app_id, 20)) < 0)
		return cv_fail(d, CV_REQUEST_MALFORMED, "app_id must be 20 bytes of hex.");
	in->has_app_id = r;
	if ((r = hex_field(j, "compose_hash", in->compose_hash, 32)) < 0)
		return cv_fail(d, CV_REQUEST_MALFORMED, "compose_hash must be 32 bytes of hex.");
	in->has_compose_hash = r;
	if ((r = hex_field(j, "ppid", in->ppid, 16)) < 0)
		return cv_fail(d, CV_REQUEST_MALFORMED, "ppid must be 16 bytes of hex.");
	in->has_ppid = r;
	if ((r = hex_field(j, "os_image_hash", in->os_image_hash, 32)) < 0)
		return cv_fail(d, CV_REQUEST_MALFORMED, "os_image_hash must be 32 bytes of hex.");
	in->has_os_image_hash = r;
	in->os_image_bound = cJSON_IsTrue(item(j, "os_image_bound"));
	const cJSON *tcb = item(j, "tcb_status");
	if (cJSON_IsString(tcb))
		in->tcb_status = tcb->valuestring;
	const cJSON *kp = item(j, "key_provider");
	if (kp && !cJSON_IsNull(kp)) {
		const cJSON *name = item(kp, "name"), *id = item(kp, "id");
		if (!cJSON_IsString(name) || !cJSON_IsString(id))
			return cv_fail(d, CV_REQUEST_MALFORMED, "key_provider must be {name, id}.");
		size_t n = cv_hex_decode(id->valuestring, strlen(id->valuestring), in->key_provider_id,
			sizeof in->key_provider_id);
		if (n == (size_t)-1)
			return cv_fail(d, CV_REQUEST_MALFORMED, "key_provider.id must be hex of at most %u bytes.",
				(unsigned)sizeof in->key_provider_id);
		in->key_provider_id_len = n;
		in->key_provider_is_kms = strcmp(name->valuestring, "kms") == 0;
	}
	return cv_gov_chain_parse(item(j, "chain"), in, d);
}

static void ep_fail(cv_gov_endpoint *ep, const char *why)
{
	if (!ep->failed) {
		ep->failed = 1;
		cv_format(ep->error, sizeof ep->error, "%s", why);
	}
}

/* A JSON-RPC error object on eth_call: a revert (EIP-140 contracts; geth
 * code 3, or -32000 "execution reverted") or a transport/node error. */
static void parse_call(const cJSON *res, cv_gov_endpoint *ep, cv_gov_answer *ans)
{
	const cJSON *ok = item(res, "result"), *err = item(res, "error");
	if (cJSON_IsString(ok) && !err) {
		size_t hexlen = strlen(ok->valuestring);
		if (hexlen > 2 + 2 * (size_t)CV_GOV_MAX_RESULT) {
			ep_fail(ep, "an eth_call result exceeds the size limit");
			return;
		}
		ans->data = malloc(hexlen / 2 + 1);
		if (!ans->data || cv_abi_parse_data(ok->valuestring, ans->data, hexlen / 2 + 1, &ans->len)) {
			ep_fail(ep, ans->data ? "an eth_call result is not 0x-prefixed hex" : "out of memory");
			return;
		}
		ans->kind = CV_GOV_ANS_RESULT;
		return;
	}
	if (cJSON_IsObject(err) && !ok) {
		const cJSON *code = item(err, "code"), *msg = item(err, "message");
		const char *m = cJSON_IsString(msg) ? msg->valuestring : "";
		int revert = (cJSON_IsNumber(code) && code->valuedouble == 3) || strncmp(m, "execution reverted", 18) == 0;
		ans->kind = revert ? CV_GOV_ANS_REVERT : CV_GOV_ANS_ERROR;
		cv_format(ans->error, sizeof ans->error, "%s", m[0] ? m : "eth_call failed");
		/* Revert data is part of the answer endpoints must agree on. */
		const cJSON *data = item(err, "data");
		if (revert && cJSON_IsString(data)) {
			size_t hexlen = strlen(data->valuestring);
			if (hexlen <= 2 + 2 * 4096u && (ans->data = malloc(hexlen / 2 + 1)) != NULL &&
				cv_abi_parse_data(data->valuestring, ans->data, hexlen / 2 + 1, &ans->len)) {
				free(ans->data);
				ans->data = NULL;
				ans->len = 0;
			}
		}
		return;
	}
	ep_fail(ep, "an eth_call answer has neither a result nor an error");
}

cv_err cv_gov_answers_parse(const cJSON *j, const cv_gov_plan *p, cv_gov_answers *a, cv_diag *d)
{
	memset(a, 0, sizeof *a);
	const cJSON *eps = item(j, "endpoints");
	if (!cJSON_IsObject(j) || !cJSON_IsArray(eps))
		return cv_fail(d, CV_REQUEST_MALFORMED, "chain_answers must be an object with an endpoints array.");
	/* The answers must be for this plan: the calls are re-planned from the
	 * same evidence, and a shim that asked other calls (other evidence, a
	 * stale plan) must not have its answers read as this plan's. */
	const cJSON *calls = item(j, "calls"), *c;
	if (!cJSON_IsArray(calls) || (size_t)cJSON_GetArraySize(calls) != p->n)
		return cv_fail(d, CV_REQUEST_MALFORMED, "chain_answers.calls must list the %u planned calls.", (unsigned)p->n);
	size_t k = 0;
	cJSON_ArrayForEach(c, calls) {
		const cJSON *to = item(c, "to"), *data = item(c, "data");
		uint8_t addr[20], buf[CV_ABI_CALLDATA_MAX];
		size_t len;
		if (!cJSON_IsString(to) || !cJSON_IsString(data) || cv_abi_parse_address(to->valuestring, addr) ||
			cv_abi_parse_data(data->valuestring, buf, sizeof buf, &len) || memcmp(addr, p->calls[k].to, 20) != 0 ||
			!cv_bytes_eq(buf, len, p->calls[k].data.b, p->calls[k].data.len))
			return cv_fail(d, CV_REQUEST_MALFORMED,
				"chain_answers.calls[%u] is not the planned call: the answers were made for other evidence.",
				(unsigned)k);
		k++;
	}
	int n = cJSON_GetArraySize(eps);
	if (n > CV_GOV_MAX_ENDPOINTS)
		return cv_fail(d, CV_REQUEST_MALFORMED, "chain_answers has more than %u endpoints.",
			(unsigned)CV_GOV_MAX_ENDPOINTS);
	const cJSON *e;
	cJSON_ArrayForEach(e, eps) {
		cv_gov_endpoint *ep = &a->ep[a->n++];
		const cJSON *url = item(e, "url");
		if (!cJSON_IsObject(e) || !cJSON_IsString(url)) {
			cv_gov_answers_free(a);
			return cv_fail(d, CV_REQUEST_MALFORMED, "each chain_answers endpoint must be an object with a url.");
		}
		cv_format(ep->url, sizeof ep->url, "%s", url->valuestring);
		const cJSON *err = item(e, "error");
		if (err && !cJSON_IsNull(err))
			ep_fail(ep, cJSON_IsString(err) ? err->valuestring : "the endpoint failed");
		const cJSON *cid = item(e, "chain_id"), *blk = item(e, "block");
		if (cJSON_IsString(cid)) {
			if (cv_abi_parse_quantity(cid->valuestring, &ep->chain_id))
				ep_fail(ep, "eth_chainId is not a JSON-RPC quantity");
			else
				ep->has_chain_id = 1;
		}
		if (cJSON_IsString(blk)) {
			if (cv_abi_parse_quantity(blk->valuestring, &ep->block))
				ep_fail(ep, "the block number is not a JSON-RPC quantity");
			else
				ep->has_block = 1;
		}
		const cJSON *results = item(e, "results");
		if (ep->failed)
			continue;
		if (!cJSON_IsArray(results) || (size_t)cJSON_GetArraySize(results) != p->n) {
			ep_fail(ep, "the endpoint's results do not match the planned calls");
			continue;
		}
		const cJSON *res;
		cJSON_ArrayForEach(res, results) {
			if (ep->failed)
				break;
			if (!cJSON_IsObject(res)) {
				ep_fail(ep, "an eth_call answer is not an object");
				break;
			}
			parse_call(res, ep, &ep->ans[ep->n++]);
		}
	}
	return CV_OK;
}

static void write_check(cv_jw *w, const cv_check *c)
{
	jw_obj_begin(w);
	jw_kstr(w, "id", "governance.onchain");
	jw_kstr(w, "status", cv_status_name(c->status));
	jw_kstr(w, "code", cv_err_name(c->code));
	jw_kstr(w, "message", c->msg);
	jw_kbool(w, "enforced", c->enforced);
	jw_obj_end(w);
}

static cv_err error_out(const cv_diag *d, char **out, size_t *out_len)
{
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kerror(&w, d->code, d->msg);
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	return d->code;
}

cv_err cv_gov_run_json(const cJSON *root, char **out, size_t *out_len)
{
	cv_diag d;
	cv_diag_clear(&d);
	cv_gov_input *in = calloc(1, sizeof *in);
	cv_gov_plan *p = calloc(1, sizeof *p);
	cv_gov_answers *a = calloc(1, sizeof *a);
	cv_gov_result *r = calloc(1, sizeof *r);
	cv_err e = CV_OK;
	*out = NULL;
	if (!in || !p || !a || !r) {
		cv_fail(&d, CV_OUT_OF_MEMORY, "Out of memory.");
		e = error_out(&d, out, out_len);
		goto done;
	}
	for (const cJSON *m = root->child; m; m = m->next)
		if (strcmp(m->string, "op") != 0 && strcmp(m->string, "input") != 0 &&
			strcmp(m->string, "chain_answers") != 0) {
			cv_fail(&d, CV_REQUEST_MALFORMED, "The governance op has an unknown member '%s'.", m->string);
			e = error_out(&d, out, out_len);
			goto done;
		}
	if ((e = cv_gov_input_parse(item(root, "input"), in, &d)) != CV_OK) {
		e = error_out(&d, out, out_len);
		goto done;
	}
	cv_gov_plan_make(in, p);
	const cJSON *ans = item(root, "chain_answers");
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	if (!ans || cJSON_IsNull(ans)) {
		jw_key(&w, "needs");
		jw_obj_begin(&w);
		jw_key(&w, "chain_calls");
		cv_gov_plan_write(&w, p);
		jw_obj_end(&w);
		/* A plan that does not run is already the decision. */
		cv_gov_decide(in, p, NULL, r);
		jw_key(&w, "check");
		write_check(&w, p->run ? &p->check : &r->check);
		jw_kbool(&w, "could_not_judge", !p->run && r->could_not_judge);
	} else {
		if ((e = cv_gov_answers_parse(ans, p, a, &d)) != CV_OK) {
			jw_free(&w);
			e = error_out(&d, out, out_len);
			goto done;
		}
		cv_gov_decide(in, p, a, r);
		jw_key(&w, "check");
		write_check(&w, &r->check);
		jw_kbool(&w, "could_not_judge", r->could_not_judge);
		jw_key(&w, "governance");
		cv_gov_write(&w, in, p, a, r);
	}
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	if (!*out)
		e = CV_OUT_OF_MEMORY;
done:
	if (a)
		cv_gov_answers_free(a);
	free(in);
	free(p);
	free(a);
	free(r);
	return e;
}
