/*
 * Apps of several CVMs (phala_app.h; docs/phala.md): split, verify each
 * CVM through the one pipeline, bind the KMS, roll up the verdict.
 *
 * Each CVM is verified by a verify request built here and run through the
 * single-CVM entry point, so every check, policy and code is the same as
 * for a CVM verified alone; this file only decides which evidence belongs
 * to which CVM and how the verdicts combine.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "dcap.h"
#include "evidence.h"
#include "json.h"
#include "jsonw.h"
#include "phala_app.h"
#include "ratls.h"
#include "util.h"

#define APP_MAX_INSTANCES 32 /* a Phala app runs a handful; more is not a real response */

static const cJSON *item(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = item(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int cv_phala_is_app(const cJSON *ev)
{
	return cJSON_IsObject(ev) && cJSON_IsArray(item(ev, "instances")) && item(ev, "kms_info") != NULL;
}

int cv_app_request(const cJSON *root)
{
	const cJSON *kms = item(root, "kms_evidence");
	return cv_phala_is_app(item(root, "evidence")) || (kms && !cJSON_IsNull(kms));
}

/* ---- per-CVM evidence ---- */

static void add_dup(cJSON *o, const char *k, const cJSON *v)
{
	if (v && !cJSON_IsNull(v))
		cJSON_AddItemToObject(o, k, cJSON_Duplicate(v, 1));
}

/* A Phala instance (or guest-agent info) as plain evidence: the quote, its
 * event log (tcb_info's, else the older top-level eventlog), app_compose
 * (inside tcb_info) and vm_config. Labels and Phala's own summaries
 * (fmspc, device_id, status) are left out: they are not evidence. */
static cJSON *cvm_evidence(const cJSON *quote, const cJSON *src)
{
	cJSON *e = cJSON_CreateObject();
	if (!e)
		return NULL;
	add_dup(e, "quote", quote);
	add_dup(e, "eventlog", item(src, "eventlog"));
	add_dup(e, "tcb_info", item(src, "tcb_info"));
	if (cJSON_IsString(item(src, "vm_config")))
		add_dup(e, "vm_config", item(src, "vm_config"));
	return e;
}

/* A quote member that is a non-empty string (a stopped instance has null). */
static int has_quote(const cJSON *q)
{
	return cJSON_IsString(q) && q->valuestring && q->valuestring[0] &&
		!(strcmp(q->valuestring, "0x") == 0 || strcmp(q->valuestring, "0X") == 0);
}

/* ---- collateral per quote ---- */

typedef struct {
	char fmspc[13];
	const char *tee, *pck_ca;
	int ok;
} quote_platform;

static void platform_of(const cJSON *evidence, quote_platform *p)
{
	cv_evidence ev;
	cv_diag d;
	memset(p, 0, sizeof *p);
	if (cv_evidence_parse(evidence, &ev, &d) != CV_OK)
		return;
	if (ev.quote && cv_dcap_inspect(ev.quote, ev.quote_len, p->fmspc, &p->pck_ca, &p->tee, &d) == CV_OK &&
		p->fmspc[0] && p->pck_ca)
		p->ok = 1;
	cv_evidence_free(&ev);
}

/* The FMSPC a collateral's TCB info is for (tcb_info is the signed JSON
 * text of the tcbInfo object, {"id", "fmspc", ...}; a wrapped
 * {"tcbInfo": {...}} is read too). */
static int collateral_fmspc(const cJSON *col, char out[13])
{
	const char *t = str_of(col, "tcb_info");
	out[0] = '\0';
	if (!t)
		return 0;
	cJSON *j = cv_json_parse_exact(t, strlen(t));
	const char *f = str_of(j, "fmspc");
	if (!f)
		f = str_of(item(j, "tcbInfo"), "fmspc");
	int ok = f && strlen(f) == 12;
	if (ok)
		memcpy(out, f, 13);
	cJSON_Delete(j);
	return ok;
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The caller's collateral for every quote, else the collaterals entry for
 * this quote's FMSPC; NULL when none (the quote is then added to needs). */
static const cJSON *pick_collateral(const cJSON *root, const quote_platform *p)
{
	const cJSON *one = item(root, "collateral");
	if (cJSON_IsObject(one))
		return one;
	const cJSON *many = item(root, "collaterals");
	const cJSON *c;
	if (!p->ok || !cJSON_IsArray(many))
		return NULL;
	cJSON_ArrayForEach(c, many) {
		char f[13];
		if (collateral_fmspc(c, f) && ieq(f, p->fmspc))
			return c;
	}
	return NULL;
}

static int need_listed(const cJSON *needs, const char *fmspc)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, needs) {
		const char *f = str_of(n, "fmspc");
		if (f && ieq(f, fmspc))
			return 1;
	}
	return 0;
}

/* ---- one CVM ---- */

typedef struct {
	char *json;          /* the report (or error) JSON, owned */
	size_t len;
	cJSON *parsed;       /* the same, parsed */
	cv_err err;          /* CV_OK: a report */
	const char *verdict; /* "pass" | "warn" | "fail", inside parsed */
} cvm_run;

typedef cv_err (*run_fn)(cv_cache *, const char *, size_t, char **, size_t *);

static void cvm_run_free(cvm_run *r)
{
	free(r->json);
	cJSON_Delete(r->parsed);
	memset(r, 0, sizeof *r);
}

/* The request for one CVM: the caller's members (policy, now, nonce...)
 * with this CVM's evidence and collateral, and the chain members for the
 * governance check. */
static cv_err run_cvm(const cJSON *root, cJSON *evidence, const cJSON *chain, cv_cache *cache, run_fn run,
	cJSON *needs, cvm_run *out)
{
	memset(out, 0, sizeof *out);
	cJSON *req = cJSON_CreateObject();
	const cJSON *m;
	if (!req) {
		cJSON_Delete(evidence);
		return CV_OUT_OF_MEMORY;
	}
	cJSON_ArrayForEach(m, root) {
		if (strcmp(m->string, "evidence") == 0 || strcmp(m->string, "collateral") == 0 ||
			strcmp(m->string, "collaterals") == 0 || strcmp(m->string, "kms_evidence") == 0 ||
			strcmp(m->string, "chain") == 0)
			continue;
		add_dup(req, m->string, m);
	}
	quote_platform p;
	platform_of(evidence, &p);
	const cJSON *col = pick_collateral(root, &p);
	if (col) {
		add_dup(req, "collateral", col);
	} else if (p.ok && needs && !need_listed(needs, p.fmspc)) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "tee", p.tee ? p.tee : "TDX");
		cJSON_AddStringToObject(n, "fmspc", p.fmspc);
		cJSON_AddStringToObject(n, "pck_ca", p.pck_ca);
		cJSON_AddItemToArray(needs, n);
	}
	const cJSON *caller_chain = item(root, "chain");
	add_dup(req, "chain", caller_chain ? caller_chain : chain);
	cJSON_AddItemToObject(req, "evidence", evidence);
	char *s = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (!s)
		return CV_OUT_OF_MEMORY;
	out->err = run(cache, s, strlen(s), &out->json, &out->len);
	free(s);
	if (!out->json)
		return CV_OUT_OF_MEMORY;
	out->parsed = cJSON_ParseWithLength(out->json, out->len);
	if (out->err == CV_OK)
		out->verdict = str_of(out->parsed, "verdict");
	if (!out->verdict)
		out->verdict = "fail";
	return CV_OK;
}

static int rank(const char *v)
{
	return strcmp(v, "pass") == 0 ? 0 : strcmp(v, "warn") == 0 ? 1 : 2;
}

/* ---- the KMS binding (docs/phala.md; shared/spec/dstack.md section 9) ---- */

typedef struct {
	cv_status status;
	cv_err code;
	char msg[CV_DIAG_MSG_MAX];
} binding;

/* The KMS's quote must name ca_pubkey: report_data = SHA-512("kms-root-ca:"
 * || ca_pubkey), or the bootstrap form keccak256("dstack-kms-genereted-keys-
 * v1:{p256_hex};{k256_hex};") || 32 zero bytes when k256_pubkey is given
 * (dstack.md section 7). */
static int kms_quote_names(const cJSON *kms_report, const uint8_t *ca, size_t ca_len, const char *ca_hex,
	const char *k256_hex)
{
	const char *rd_hex = str_of(item(kms_report, "quote"), "report_data");
	uint8_t rd[64], want[64];
	if (!rd_hex || cv_hex_decode(rd_hex, strlen(rd_hex), rd, sizeof rd) != 64)
		return 0;
	cv_ratls_report_data("kms-root-ca", ca, ca_len, want);
	if (memcmp(rd, want, 64) == 0)
		return 1;
	if (k256_hex && strlen(ca_hex) < 600 && strlen(k256_hex) < 600) {
		char pre[1400];
		size_t n = cv_format(pre, sizeof pre, "dstack-kms-genereted-keys-v1:%s;%s;", ca_hex, k256_hex);
		memset(want, 0, sizeof want);
		cv_keccak256((const uint8_t *)pre, n, want);
		if (memcmp(rd, want, 64) == 0)
			return 1;
	}
	return 0;
}

static void bind_kms(const cvm_run *inst, size_t n_inst, const cvm_run *kms, const cJSON *kms_src, binding *b)
{
	b->status = CV_FAIL;
	b->code = CV_KMS_NOT_BOUND;
	if (kms->err != CV_OK || rank(kms->verdict) == 2) {
		cv_format(b->msg, sizeof b->msg, "The KMS failed verification, so it cannot vouch for the app's keys.");
		return;
	}
	const char *ca_hex = str_of(kms_src, "ca_pubkey");
	uint8_t ca[512];
	size_t ca_len = ca_hex ? cv_hex_decode(ca_hex, strlen(ca_hex), ca, sizeof ca) : (size_t)-1;
	for (size_t i = 0; i < n_inst; i++) {
		const cJSON *kp = item(item(inst[i].parsed, "app"), "key_provider");
		const char *name = str_of(kp, "name"), *id = str_of(kp, "id");
		if (!name) {
			cv_format(b->msg, sizeof b->msg,
				"Instance %U has no replayed key-provider event, so its KMS cannot be identified.", (uint64_t)i + 1);
			return;
		}
		if (strcmp(name, "kms") != 0) {
			cv_format(b->msg, sizeof b->msg,
				"Instance %U's key provider is '%s', not a KMS: the KMS evidence given is not what holds this app's keys.",
				(uint64_t)i + 1, name);
			return;
		}
		if (ca_len == (size_t)-1 || ca_len == 0) {
			cv_format(b->msg, sizeof b->msg,
				"The KMS evidence carries no ca_pubkey (its root CA's DER SPKI), so the app's key-provider id %s cannot be matched to it.",
				id ? id : "");
			return;
		}
		uint8_t idb[512];
		size_t idn = id ? cv_hex_decode(id, strlen(id), idb, sizeof idb) : (size_t)-1;
		if (idn == (size_t)-1 || !cv_bytes_eq(idb, idn, ca, ca_len)) {
			cv_format(b->msg, sizeof b->msg,
				"Instance %U's key-provider id %s is not the KMS's CA public key %s.", (uint64_t)i + 1, id ? id : "",
				ca_hex);
			return;
		}
	}
	if (n_inst == 0) {
		cv_format(b->msg, sizeof b->msg, "No instance was verified, so nothing binds the app to this KMS.");
		return;
	}
	if (!kms_quote_names(kms->parsed, ca, ca_len, ca_hex, str_of(kms_src, "k256_pubkey"))) {
		cv_format(b->msg, sizeof b->msg,
			"The KMS's quote does not name ca_pubkey (report_data is neither SHA-512(\"kms-root-ca:\" || ca_pubkey) nor the bootstrap key hash): the key is a claim.");
		return;
	}
	b->status = CV_PASS;
	b->code = CV_OK;
	cv_format(b->msg, sizeof b->msg,
		"Every instance's key-provider id is the CA public key that the verified KMS quote names.");
}

/* ---- writing ---- */

static void write_label(cv_jw *w, const cJSON *inst, const char *k)
{
	const cJSON *v = item(inst, k);
	if (cJSON_IsString(v))
		jw_kstr(w, k, v->valuestring);
}

static void write_labels(cv_jw *w, const cJSON *inst)
{
	write_label(w, inst, "name");
	write_label(w, inst, "vm_uuid");
	write_label(w, inst, "instance_id");
	write_label(w, inst, "status");
	write_label(w, inst, "image_version");
}

static void write_run(cv_jw *w, const cvm_run *r)
{
	jw_kstr(w, "verdict", r->verdict);
	jw_key(w, r->err == CV_OK ? "report" : "error_response");
	jw_raw(w, r->json, r->len);
}

static void write_status(cv_jw *w, cv_status s)
{
	jw_str(w, s == CV_PASS ? "pass" : s == CV_WARN ? "warn" : s == CV_SKIP ? "skip" : "fail");
}

/* The chain members the governance check reads, from kms_info. */
static cJSON *chain_of(const cJSON *app)
{
	const cJSON *ki = item(app, "kms_info");
	cJSON *c = cJSON_CreateObject();
	const cJSON *id = item(ki, "chain_id");
	if (cJSON_IsNumber(id))
		cJSON_AddNumberToObject(c, "chain_id", id->valuedouble);
	const char *ac = str_of(app, "contract_address");
	if (ac && ac[0])
		cJSON_AddStringToObject(c, "app_contract", ac);
	const char *kc = str_of(ki, "contract_address");
	if (kc && kc[0])
		cJSON_AddStringToObject(c, "kms_contract", kc);
	if (!c->child) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

cv_err cv_app_run_json(const cJSON *root, cv_cache *cache, run_fn run, char **out, size_t *out_len)
{
	const cJSON *ev = item(root, "evidence");
	const int phala = cv_phala_is_app(ev);
	const cJSON *insts = phala ? item(ev, "instances") : NULL;
	cvm_run runs[APP_MAX_INSTANCES];
	const cJSON *run_src[APP_MAX_INSTANCES];
	size_t n = 0, n_stopped = 0;
	cv_err e = CV_OK;
	cJSON *needs = cJSON_CreateArray();
	cJSON *chain = phala ? chain_of(ev) : NULL;
	cvm_run kms = { 0 }, gw = { 0 };
	const cJSON *kms_src = NULL, *gw_src = NULL;
	const char *kms_from = NULL;
	cv_jw w;
	memset(runs, 0, sizeof runs);

	if (phala && cJSON_GetArraySize(insts) > APP_MAX_INSTANCES) {
		e = CV_INPUT_TOO_LARGE;
		goto error;
	}
	/* The CVMs of the app: each running instance, or the one evidence. */
	if (phala) {
		const cJSON *inst;
		cJSON_ArrayForEach(inst, insts) {
			if (!cJSON_IsObject(inst)) {
				e = CV_EVIDENCE_MALFORMED;
				goto error;
			}
			if (!has_quote(item(inst, "quote"))) {
				n_stopped++;
				continue;
			}
			run_src[n] = inst;
			if ((e = run_cvm(root, cvm_evidence(item(inst, "quote"), inst), chain, cache, run, needs, &runs[n++])) != CV_OK)
				goto error;
			if (runs[n - 1].err != CV_OK && runs[n - 1].err != CV_EVIDENCE_MALFORMED) {
				/* A request error (bad policy, no now): the same for every CVM. */
				e = runs[n - 1].err;
				*out = runs[n - 1].json;
				*out_len = runs[n - 1].len;
				runs[n - 1].json = NULL;
				goto done;
			}
		}
	} else {
		run_src[0] = ev;
		if ((e = run_cvm(root, cJSON_Duplicate(ev, 1), NULL, cache, run, needs, &runs[n++])) != CV_OK)
			goto error;
		if (runs[0].err != CV_OK) {
			e = runs[0].err;
			*out = runs[0].json;
			*out_len = runs[0].len;
			runs[0].json = NULL;
			goto done;
		}
	}
	/* The KMS: evidence given with the request, else the response's. */
	const cJSON *ke = item(root, "kms_evidence");
	const cJSON *kg = phala ? item(ev, "kms_guest_agent_info") : NULL;
	if (ke && !cJSON_IsNull(ke)) {
		kms_src = ke;
		kms_from = "kms_evidence";
		if ((e = run_cvm(root, cJSON_Duplicate(ke, 1), chain, cache, run, needs, &kms)) != CV_OK)
			goto error;
	} else if (cJSON_IsObject(kg)) {
		kms_src = kg;
		kms_from = "kms_guest_agent_info";
		const cJSON *certs = item(kg, "app_certificates");
		const cJSON *q = cJSON_IsArray(certs) ? item(cJSON_GetArrayItem(certs, 0), "quote") : item(kg, "quote");
		if ((e = run_cvm(root, cvm_evidence(q, kg), chain, cache, run, needs, &kms)) != CV_OK)
			goto error;
	}
	const cJSON *gg = phala ? item(ev, "gateway_guest_agent_info") : NULL;
	if (cJSON_IsObject(gg)) {
		gw_src = gg;
		const cJSON *certs = item(gg, "app_certificates");
		const cJSON *q = cJSON_IsArray(certs) ? item(cJSON_GetArrayItem(certs, 0), "quote") : item(gg, "quote");
		if ((e = run_cvm(root, cvm_evidence(q, gg), chain, cache, run, needs, &gw)) != CV_OK)
			goto error;
	}

	/* The verdict: the worst instance; fail when none runs; not pass when
	 * the KMS fails or is not bound. The gateway is informational. */
	int worst = n ? 0 : 2;
	for (size_t i = 0; i < n; i++)
		if (rank(runs[i].verdict) > worst)
			worst = rank(runs[i].verdict);
	binding kb = { 0 };
	if (kms_src) {
		bind_kms(runs, n, &kms, kms_src, &kb);
		if (kb.status != CV_PASS)
			worst = 2;
	}
	static const char *const verdicts[3] = { "pass", "warn", "fail" };

	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "schema", CV_APP_SCHEMA);
	jw_kstr(&w, "verdict", verdicts[worst]);
	jw_kstr(&w, "source", phala ? "phala" : "evidence");
	/* One sentence for the verdict line: what decided it. */
	{
		char sum[CV_DIAG_MSG_MAX];
		size_t k = 0;
		int inst_worst = 0;
		for (size_t i = 0; i < n; i++)
			if (rank(runs[i].verdict) > inst_worst)
				inst_worst = rank(runs[i].verdict);
		if (!n)
			k += cv_format(sum + k, sizeof sum - k, "No instance is running, so nothing was verified.");
		else
			k += cv_format(sum + k, sizeof sum - k, "%U running instance(s) verified (worst: %s)%s.", (uint64_t)n,
				verdicts[inst_worst], n_stopped ? ", stopped ones listed" : "");
		if (kms_src && kb.status != CV_PASS)
			k += cv_format(sum + k, sizeof sum - k, " KMS not bound: %s", kb.msg);
		else if (kms_src)
			k += cv_format(sum + k, sizeof sum - k, " KMS verified (%s) and bound.", kms.verdict);
		else
			k += cv_format(sum + k, sizeof sum - k, " The KMS was not verified (no KMS evidence).");
		if (phala)
			cv_format(sum + k, sizeof sum - k, " Freshness not checked: recorded quotes; verify the app's own URL for a fresh check.");
		jw_kstr(&w, "summary", sum);
	}
	if (phala) {
		jw_kstr(&w, "app_id", str_of(ev, "app_id"));
		jw_kstr(&w, "contract_address", str_of(ev, "contract_address"));
	}
	jw_key(&w, "chain");
	if (chain) {
		char *c = cJSON_PrintUnformatted(chain);
		jw_raw(&w, c ? c : "null", c ? strlen(c) : 4);
		free(c);
	} else {
		jw_null(&w);
	}
	/* Recorded quotes: not made for our nonce. */
	jw_key(&w, "freshness");
	jw_obj_begin(&w);
	if (phala) {
		jw_kstr(&w, "status", "skip");
		jw_kstr(&w, "code", "NONCE_MISSING");
		jw_kstr(&w, "message",
			"These quotes were recorded by Phala Cloud, not made for this verification: nothing proves they are fresh. For a fresh check, verify the app's own URL.");
	} else {
		jw_kstr(&w, "status", "instance");
		jw_kstr(&w, "message", "Freshness is the instance report's freshness.nonce check.");
	}
	jw_obj_end(&w);
	jw_key(&w, "instances");
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_obj_begin(&w);
		if (phala)
			write_labels(&w, run_src[i]);
		write_run(&w, &runs[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "stopped");
	jw_arr_begin(&w);
	const cJSON *inst;
	if (phala)
		cJSON_ArrayForEach(inst, insts) {
			if (has_quote(item(inst, "quote")))
				continue;
			jw_obj_begin(&w);
			write_labels(&w, inst);
			jw_kstr(&w, "code", "INSTANCE_NOT_RUNNING");
			jw_kstr(&w, "message", "This instance has no quote (not running), so it was not verified.");
			jw_obj_end(&w);
		}
	jw_arr_end(&w);
	jw_key(&w, "kms");
	if (kms_src) {
		jw_obj_begin(&w);
		jw_kstr(&w, "source", kms_from);
		write_labels(&w, kms_src);
		write_label(&w, kms_src, "app_name");
		write_run(&w, &kms);
		jw_key(&w, "binding");
		jw_obj_begin(&w);
		jw_key(&w, "status");
		write_status(&w, kb.status);
		jw_kstr(&w, "code", cv_err_name(kb.code));
		jw_kstr(&w, "message", kb.msg);
		jw_obj_end(&w);
		jw_obj_end(&w);
	} else {
		jw_null(&w);
	}
	jw_key(&w, "gateway");
	if (gw_src) {
		jw_obj_begin(&w);
		jw_kstr(&w, "source", "gateway_guest_agent_info");
		jw_kbool(&w, "informational", 1);
		write_run(&w, &gw);
		jw_obj_end(&w);
	} else {
		jw_null(&w);
	}
	jw_kint(&w, "instances_running", (int64_t)n);
	jw_kint(&w, "instances_stopped", (int64_t)n_stopped);
	if (cJSON_GetArraySize(needs) > 0) {
		char *ns = cJSON_PrintUnformatted(needs);
		jw_key(&w, "needs");
		jw_obj_begin(&w);
		jw_key(&w, "collateral");
		jw_raw(&w, ns ? ns : "[]", ns ? strlen(ns) : 2);
		jw_obj_end(&w);
		free(ns);
	}
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	e = *out ? CV_OK : CV_OUT_OF_MEMORY;
	goto done;

error:
	{
		cv_jw ew;
		jw_init(&ew);
		jw_obj_begin(&ew);
		jw_kerror(&ew, e, e == CV_INPUT_TOO_LARGE ? "The app lists more than 32 instances."
			: e == CV_EVIDENCE_MALFORMED ? "An instance of the Phala app response is not a JSON object."
			: "The verifier ran out of memory.");
		jw_obj_end(&ew);
		*out = jw_take(&ew, out_len);
	}
done:
	for (size_t i = 0; i < n; i++)
		cvm_run_free(&runs[i]);
	cvm_run_free(&kms);
	cvm_run_free(&gw);
	cJSON_Delete(needs);
	cJSON_Delete(chain);
	return e;
}
