/*
 * dstack half of the core: evidence shapes, event-log replay, app identity,
 * compose hash, image pinning, report sections. Real data: the near/mpc
 * attestation in tests/vectors/dstack (see tests/vectors/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compose.h"
#include "crypto.h"
#include "evidence.h"
#include "eventlog.h"
#include "json.h"
#include "jsonw.h"
#include "report.h"
#include "util.h"

#define VEC "vectors/dstack/"
static const char k_compose_hash[] = "2911e1f733466216dedb862d6d669e11256ee7a34ce4dbc66c4b807ba7a9c895";
static const char k_app_id[] = "2911e1f733466216dedb862d6d669e11256ee7a3";
static const char k_kp_id[] = "6b5ed02e549a1c30aaa8e3171a045f1f449b0017353ef595e78e39c348c98d01";
static const char k_pin[] = "@sha256:5618a93a78c9ac9173e7ebf7c8af173bd675be6832a2f8c2a9a7149ac2678f54";

static cJSON *load_json(const char *path)
{
	size_t n;
	unsigned char *b = check_read_file(path, &n);
	if (!b)
		return NULL;
	cJSON *j = cJSON_ParseWithLength((const char *)b, n);
	free(b);
	if (!j)
		fprintf(stderr, "cannot parse %s\n", path);
	return j;
}

static char *hex(const uint8_t *b, size_t n)
{
	static char buf[4][1024];
	static int k;
	char *o = buf[k++ & 3];
	if (n > 511)
		n = 511;
	cv_hex_encode(b, n, o);
	return o;
}

/* The near/mpc quote bytes and the fields the dstack checks take from it. */
static uint8_t g_quote[8192];
static size_t g_quote_len;
static const uint8_t *g_rtmr[4];
static const uint8_t *g_mr_config_id;

static int load_quote(void)
{
	cJSON *q = load_json(VEC "near-mpc_quote.json");
	if (!cJSON_IsArray(q))
		return 0;
	for (cJSON *c = q->child; c && g_quote_len < sizeof g_quote; c = c->next)
		g_quote[g_quote_len++] = (uint8_t)c->valuedouble;
	cJSON_Delete(q);
	/* v4 quote: 48-byte header, then the TD report; RTMRs at 376/424/472/520. */
	for (int i = 0; i < 4; i++)
		g_rtmr[i] = g_quote + 376 + 48 * i;
	g_mr_config_id = g_quote + 232;
	return g_quote_len == 5006;
}

static const char *status(const cv_check *c)
{
	return cv_status_name(c->status);
}

/* Normalise + check, with the quote's RTMRs. */
static int run(const cJSON *ev, int with_quote, int require_pinned, cv_evidence *e, cv_dstack_result *r)
{
	cv_diag d;
	cv_diag_clear(&d);
	if (cv_evidence_parse(ev, e, &d) != CV_OK) {
		fprintf(stderr, "evidence: %s: %s\n", cv_err_name(d.code), d.msg);
		memset(r, 0, sizeof *r);
		return 0;
	}
	cv_dstack_check(e, with_quote ? g_rtmr : NULL, with_quote ? g_mr_config_id : NULL,
		require_pinned, r);
	return 1;
}

static cv_err parse_err(const char *json)
{
	cv_evidence e;
	cv_diag d;
	cJSON *j = cJSON_Parse(json);
	if (!j)
		return CV_INTERNAL;
	cv_err err = cv_evidence_parse(j, &e, &d);
	if (err == CV_OK)
		cv_evidence_free(&e);
	else
		CHECK(d.msg[0] != '\0');
	cJSON_Delete(j);
	return err;
}

/* ---- digests and keccak ---- */

static void test_vectors(void)
{
	uint8_t out[48], exp[48];
	static const struct {
		const char *name, *digest;
	} v[] = {
		{ "system-preparing", "f9974020ef507068183313d0ca808e0d1ca9b2d1ad0c61f5784e7157c362c06536f5ddacdad4451693f48fcc72fff624" },
		{ "boot-mr-done", "98bd7e6bd3952720b65027fd494834045d06b4a714bf737a06b874638b3ea00ff402f7f583e3e3b05e921c8570433ac6" },
		{ "system-ready", "1a76b2a80a0be71eae59f80945d876351a7a3fb8e9fd1ff1cede5734aa84ea11fd72b4edfbb6f04e5a85edd114c751bd" },
	};
	for (size_t i = 0; i < 3; i++) {
		cv_runtime_digest_v1(v[i].name, strlen(v[i].name), NULL, 0, out);
		CHECK(cv_hex_decode(v[i].digest, 96, exp, 48) == 48);
		CHECK(memcmp(out, exp, 48) == 0);
	}

	/* V2: the JCS preimage of dstack.md 3.3, and its digest. */
	uint8_t *pre;
	size_t pre_len;
	const uint8_t pl[2] = { 0xab, 0xcd };
	CHECK(cv_runtime_preimage_v2("compose-hash", 12, pl, 2, &pre, &pre_len, NULL) == CV_OK);
	static const char want[] = "{\"name\":\"compose-hash\",\"payload\":\"abcd\",\"type\":134217729}";
	CHECK(pre_len == strlen(want) && memcmp(pre, want, pre_len) == 0);
	free(pre);
	/* JCS escaping of a name with a quote and a control character. */
	CHECK(cv_runtime_preimage_v2("a\"b\x01", 4, NULL, 0, &pre, &pre_len, NULL) == CV_OK);
	static const char want2[] = "{\"name\":\"a\\\"b\\u0001\",\"payload\":\"\",\"type\":134217729}";
	CHECK(pre_len == strlen(want2) && memcmp(pre, want2, pre_len) == 0);
	free(pre);

	/* Keccak-256 (not SHA3): the empty string and a selector of dstack.md 8. */
	uint8_t k[32];
	cv_keccak256((const uint8_t *)"", 0, k);
	CHECK_STR(hex(k, 32), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	const char *sig = "allowedComposeHashes(bytes32)";
	cv_keccak256((const uint8_t *)sig, strlen(sig), k);
	CHECK_STR(hex(k, 4), "2f6622e5");
	sig = "isAppAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))";
	cv_keccak256((const uint8_t *)sig, strlen(sig), k);
	CHECK_STR(hex(k, 4), "1e079198");
	/* More than one 136-byte block. */
	uint8_t big[300];
	memset(big, 'a', sizeof big);
	cv_keccak256(big, 136, k);
	uint8_t k2[32];
	cv_keccak256(big, 137, k2);
	CHECK(memcmp(k, k2, 32) != 0);
}

/* ---- the near/mpc attestation in its shapes ---- */

static const char *runtime_names[] = { "system-preparing", "app-id", "compose-hash", "instance-id",
	"boot-mr-done", "key-provider", "storage-fs", "system-ready", "mpc-image-digest" };

static void check_near_mpc(const cv_evidence *e, const cv_dstack_result *r, int with_quote)
{
	CHECK(e->has_log && e->log_diag.code == CV_OK);
	CHECK(r->replayed);
	for (int i = 0; i < 4; i++)
		CHECK(r->match[i]);
	if (with_quote) {
		CHECK_STR(status(&r->eventlog_replay), "pass");
		CHECK(r->basis == CV_RTMR_BASIS_QUOTE);
	} else {
		CHECK_STR(status(&r->eventlog_replay), "warn");
		CHECK(r->eventlog_replay.code == CV_QUOTE_MISSING);
		CHECK(r->basis == CV_RTMR_BASIS_CLAIMS);
	}
	/* Runtime events, in order; the last is an application event. */
	size_t k = 0;
	for (size_t i = 0; i < e->log.n; i++) {
		const cv_event *ev = &e->log.ev[i];
		if (ev->type != CV_EVENT_RUNTIME)
			continue;
		if (k < 9)
			CHECK_STR(ev->name, runtime_names[k]);
		CHECK(cv_app_identity_is_app_event(&r->id, &e->log, i) == (k == 8));
		k++;
	}
	CHECK(k == 9);
	const cv_app_identity *id = &r->id;
	CHECK(id->app_id && id->app_id->payload_len == 20);
	if (id->app_id)
		CHECK_STR(hex(id->app_id->payload, 20), k_app_id);
	CHECK(id->instance_id && id->instance_id->payload_len == 0);
	CHECK(id->compose_hash && id->compose_hash->payload_len == 32);
	if (id->compose_hash)
		CHECK_STR(hex(id->compose_hash->payload, 32), k_compose_hash);
	CHECK(id->kp_parsed);
	CHECK_STR(id->kp_name, "local-sgx");
	CHECK_STR(id->kp_id, k_kp_id);
	CHECK(id->storage_fs && id->storage_fs->payload_len == 3 && memcmp(id->storage_fs->payload, "zfs", 3) == 0);
	CHECK(!id->os_image_hash && !id->mr_kms);
}

static void test_getquote(void)
{
	cJSON *gq = load_json(VEC "near-mpc_getquote.json");
	cv_evidence e;
	cv_dstack_result r;
	CHECK(run(gq, 1, 0, &e, &r));
	CHECK(e.quote_len == 5006 && memcmp(e.quote, g_quote, 5006) == 0);
	CHECK_STR(e.quote_source, "quote");
	CHECK_STR(e.log_source, "event_log");
	CHECK(e.log.n == 29);
	CHECK(e.report_data.present && e.report_data.len == 64);
	CHECK(memcmp(e.report_data.b, g_quote + 568, 64) == 0);
	CHECK(!e.vm_config); /* "" in the vector */
	check_near_mpc(&e, &r, 1);
	/* No app_compose in a GetQuote response. */
	CHECK_STR(status(&r.app_compose_hash), "skip");
	CHECK(r.app_compose_hash.code == CV_COMPOSE_MISSING);
	CHECK_STR(status(&r.app_images_pinned), "skip");
	/* Supplied runtime digests of this full log all match the recomputed ones. */
	for (size_t i = 0; i < e.log.n; i++)
		CHECK(r.rp.ev[i].supplied == (e.log.ev[i].type == CV_EVENT_RUNTIME ? CV_SUPPLIED_MATCH
										    : CV_SUPPLIED_NOT_CHECKED));
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);

	/* The same response as a JSON string (the core reads strings as JSON). */
	char *txt = (char *)check_read_file(VEC "near-mpc_getquote.json", NULL);
	cJSON *s = cJSON_CreateString(txt);
	CHECK(run(s, 1, 0, &e, &r));
	CHECK(e.quote_len == 5006 && e.log.n == 29 && e.owned_root);
	CHECK_STR(status(&r.eventlog_replay), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(s);
	free(txt);

	/* Raw quotes: hex, 0x-hex, upper-case hex, byte array. */
	const char *qhex = cJSON_GetObjectItem(gq, "quote")->valuestring;
	size_t ql = strlen(qhex);
	char *variants[3];
	variants[0] = malloc(ql + 1);
	memcpy(variants[0], qhex, ql + 1);
	variants[1] = malloc(ql + 3);
	memcpy(variants[1], "0x", 2);
	memcpy(variants[1] + 2, qhex, ql + 1);
	variants[2] = malloc(ql + 1);
	memcpy(variants[2], qhex, ql + 1);
	for (size_t i = 0; i < ql; i++)
		if (variants[2][i] >= 'a' && variants[2][i] <= 'f')
			variants[2][i] -= 32;
	for (int v = 0; v < 3; v++) {
		cJSON *js = cJSON_CreateString(variants[v]);
		cv_diag d;
		CHECK(cv_evidence_parse(js, &e, &d) == CV_OK);
		CHECK(e.quote_len == 5006 && memcmp(e.quote, g_quote, 5006) == 0);
		CHECK(!e.has_log && !e.has_app_compose);
		cv_dstack_check(&e, g_rtmr, g_mr_config_id, 0, &r);
		CHECK_STR(status(&r.eventlog_replay), "skip");
		CHECK_STR(status(&r.app_compose_hash), "skip");
		cv_dstack_result_free(&r);
		cv_evidence_free(&e);
		cJSON_Delete(js);
		free(variants[v]);
	}
	cJSON *arr = load_json(VEC "near-mpc_quote.json");
	cv_diag d;
	CHECK(cv_evidence_parse(arr, &e, &d) == CV_OK);
	CHECK(e.quote_len == 5006 && memcmp(e.quote, g_quote, 5006) == 0);
	CHECK_STR(e.quote_source, "");
	cv_evidence_free(&e);

	/* Legacy tappd TdxQuote shape. */
	cJSON *tappd = cJSON_Duplicate(gq, 1);
	cJSON_DeleteItemFromObject(tappd, "report_data");
	cJSON_DeleteItemFromObject(tappd, "vm_config");
	cJSON_AddStringToObject(tappd, "hash_algorithm", "sha512");
	cJSON_AddStringToObject(tappd, "prefix", "app-data:");
	CHECK(run(tappd, 1, 0, &e, &r));
	CHECK_STR(e.hash_algorithm, "sha512");
	CHECK_STR(e.prefix, "app-data:");
	CHECK_STR(status(&r.eventlog_replay), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(tappd);
	cJSON_Delete(arr);
	cJSON_Delete(gq);
}

static void test_info_and_bundle(void)
{
	cJSON *info = load_json(VEC "near-mpc_info.json");
	cJSON *gq = load_json(VEC "near-mpc_getquote.json");
	cv_evidence e;
	cv_dstack_result r;

	/* Info alone: no quote; the log replays to tcb_info's claimed RTMRs. */
	CHECK(run(info, 0, 0, &e, &r));
	CHECK(!e.quote);
	CHECK_STR(e.log_source, "tcb_info.event_log");
	CHECK_STR(e.app_compose_source, "tcb_info.app_compose");
	CHECK(e.app_id.present && e.app_id.len == 20);
	CHECK_STR(hex(e.app_id.b, 20), k_app_id);
	CHECK(e.instance_id.present && e.instance_id.len == 0);
	CHECK(e.has_key_provider_info);
	CHECK_STR(e.kp_name, "local-sgx");
	CHECK_STR(e.kp_id, k_kp_id);
	CHECK_STR(e.app_name, "mpc-localnet-one-node-1786619449");
	CHECK(e.mrtd.present && e.rtmr[3].present && e.compose_hash.present);
	check_near_mpc(&e, &r, 0);
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK_STR(status(&r.app_images_pinned), "pass");
	CHECK(r.has_images && r.images.n == 2);
	if (r.images.n == 2) {
		CHECK_STR(r.images.v[0].service, "launcher");
		CHECK(r.images.v[0].pinned);
		CHECK_STR(r.images.v[1].service, "signer-key-export");
		CHECK(r.images.v[1].pinned);
		CHECK(strstr(r.images.v[1].image, k_pin) != NULL);
	}
	/* app-compose content. */
	CHECK(r.compose_parsed);
	CHECK_STR(r.ac.runner, "docker-compose");
	CHECK(r.ac.kms_enabled == 0 && r.ac.gateway_enabled == 0 && r.ac.public_logs == 1 &&
		r.ac.public_sysinfo == 1 && r.ac.local_key_provider_enabled == 1 && r.ac.no_instance_id == 1);
	CHECK(r.ac.public_tcbinfo == -1 && !r.ac.pre_launch_script);
	CHECK(r.ac.allowed_envs && !r.ac.allowed_envs->child);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);

	/* The quote with the bare tcb_info object. */
	cJSON *qa = load_json(VEC "near-mpc_quote.json");
	cJSON *tcb = load_json(VEC "near-mpc_tcb_info.json");
	cJSON *combo = cJSON_CreateObject();
	cJSON_AddItemToObject(combo, "quote", qa);
	cJSON_AddItemToObject(combo, "tcb_info", tcb);
	CHECK(run(combo, 1, 0, &e, &r));
	CHECK(e.quote_len == 5006);
	CHECK_STR(e.quote_source, "quote");
	CHECK_STR(e.log_source, "tcb_info.event_log");
	check_near_mpc(&e, &r, 1);
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK(strstr(r.app_compose_hash.msg, "mr_config_id (V1)") != NULL);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);

	/* {quote, event_log, app_compose} with the app-compose file's text. */
	char *ac_text = (char *)check_read_file(VEC "near-mpc_app_compose.json", NULL);
	cJSON *flat = cJSON_CreateObject();
	cJSON_AddItemToObject(flat, "quote", cJSON_Duplicate(cJSON_GetObjectItem(gq, "quote"), 1));
	cJSON_AddItemToObject(flat, "event_log", cJSON_Duplicate(cJSON_GetObjectItem(gq, "event_log"), 1));
	cJSON_AddStringToObject(flat, "app_compose", ac_text);
	CHECK(run(flat, 1, 0, &e, &r));
	CHECK_STR(status(&r.eventlog_replay), "pass");
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK(r.has_compose_sha256);
	CHECK_STR(hex(r.compose_sha256, 32), k_compose_hash);
	/* Without mr_config_id, the event alone binds it. */
	cv_dstack_result r2;
	cv_dstack_check(&e, g_rtmr, NULL, 0, &r2);
	CHECK_STR(status(&r2.app_compose_hash), "pass");
	cv_dstack_result_free(&r2);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);

	/* A cvm-evidence/v1 bundle built from GetQuote + Info + collateral. */
	cJSON *bundle = cJSON_CreateObject();
	cJSON_AddStringToObject(bundle, "format", "cvm-evidence/v1");
	cJSON_AddStringToObject(bundle, "source_url", "https://app.example.com");
	cJSON_AddStringToObject(bundle, "fetched_at", "2026-08-29T00:00:00Z");
	cJSON_AddStringToObject(bundle, "nonce", "00ff");
	cJSON_AddItemToObject(bundle, "attestation", cJSON_Duplicate(gq, 1));
	cJSON_AddItemToObject(bundle, "info", cJSON_Duplicate(info, 1));
	cJSON_AddItemToObject(bundle, "collateral", load_json(VEC "near-mpc_collateral.json"));
	CHECK(run(bundle, 1, 0, &e, &r));
	CHECK(e.is_bundle);
	CHECK_STR(e.nonce, "00ff");
	CHECK_STR(e.source_url, "https://app.example.com");
	CHECK_STR(e.fetched_at, "2026-08-29T00:00:00Z");
	CHECK(e.collateral == cJSON_GetObjectItem(bundle, "collateral"));
	CHECK_STR(e.quote_source, "attestation.quote");
	CHECK_STR(e.log_source, "attestation.event_log"); /* the log next to the quote wins */
	CHECK_STR(e.app_compose_source, "info.tcb_info.app_compose");
	CHECK(e.report_data.present && e.app_id.present);
	check_near_mpc(&e, &r, 1);
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK_STR(status(&r.app_images_pinned), "pass");

	/* Report sections, read back. */
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	cv_report_write_dstack_sections(&w, &r, &e);
	jw_obj_end(&w);
	size_t len;
	char *out = jw_take(&w, &len);
	CHECK(out != NULL);
	cJSON *rep = out ? cJSON_Parse(out) : NULL;
	CHECK(rep != NULL);
	cJSON *el = cJSON_GetObjectItem(rep, "event_log");
	cJSON *rt = cJSON_GetObjectItem(el, "rtmr");
	CHECK(cJSON_GetArraySize(rt) == 4);
	for (int i = 0; i < 4; i++) {
		cJSON *x = cJSON_GetArrayItem(rt, i);
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(x, "match")));
		CHECK(cJSON_GetObjectItem(x, "index")->valueint == i);
		CHECK_STR(cJSON_GetObjectItem(x, "quoted")->valuestring, hex(g_rtmr[i], 48));
	}
	CHECK_STR(cJSON_GetObjectItem(el, "compared_with")->valuestring, "quote");
	cJSON *evs = cJSON_GetObjectItem(el, "events");
	CHECK(cJSON_GetArraySize(evs) == 29);
	cJSON *ev22 = cJSON_GetArrayItem(evs, 22);
	CHECK_STR(cJSON_GetObjectItem(ev22, "name")->valuestring, "compose-hash");
	CHECK(cJSON_GetObjectItem(ev22, "imr")->valueint == 3);
	CHECK(cJSON_GetObjectItem(ev22, "type")->valuedouble == 134217729.0);
	CHECK_STR(cJSON_GetObjectItem(ev22, "payload")->valuestring, k_compose_hash);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(ev22, "digest_supplied_matches")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(evs, 0), "digest_supplied_matches")));
	cJSON *app = cJSON_GetObjectItem(rep, "app");
	CHECK_STR(cJSON_GetObjectItem(app, "app_id")->valuestring, k_app_id);
	CHECK_STR(cJSON_GetObjectItem(app, "instance_id")->valuestring, "");
	CHECK_STR(cJSON_GetObjectItem(app, "compose_hash")->valuestring, k_compose_hash);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(app, "key_provider"), "name")->valuestring, "local-sgx");
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(app, "key_provider"), "id")->valuestring, k_kp_id);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(app, "os_image_hash")));
	CHECK_STR(cJSON_GetObjectItem(app, "runner")->valuestring, "docker-compose");
	CHECK_STR(cJSON_GetObjectItem(app, "storage_fs")->valuestring, "zfs");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(app, "kms_enabled")));
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(app, "pre_launch_script")));
	cJSON *imgs = cJSON_GetObjectItem(app, "images");
	CHECK(cJSON_GetArraySize(imgs) == 2);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(imgs, 0), "service")->valuestring, "launcher");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(imgs, 0), "pinned")));
	cJSON *appev = cJSON_GetObjectItem(app, "application_events");
	CHECK(cJSON_GetArraySize(appev) == 1);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(appev, 0), "name")->valuestring, "mpc-image-digest");
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(app, "claims"), "os_image_hash")->valuestring,
		"7d47512fda31dc5a7318f72ae1869a3c76323981eea21fc30cafd0f79668642c");
	cJSON_Delete(rep);
	free(out);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);

	/* The bundle as a JSON string: collateral points into the owned tree. */
	char *btxt = cJSON_PrintUnformatted(bundle);
	cJSON *bs = cJSON_CreateString(btxt);
	CHECK(run(bs, 1, 0, &e, &r));
	CHECK(e.collateral && cJSON_GetObjectItem(e.collateral, "tcb_info") != NULL);
	CHECK_STR(status(&r.eventlog_replay), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(bs);
	free(btxt);

	/* RedPill-style report: intel_quote + info{tcb_info{...}}. */
	cJSON *rp = cJSON_CreateObject();
	cJSON_AddItemToObject(rp, "intel_quote", cJSON_Duplicate(cJSON_GetObjectItem(gq, "quote"), 1));
	cJSON_AddItemToObject(rp, "event_log", cJSON_Duplicate(cJSON_GetObjectItem(gq, "event_log"), 1));
	cJSON_AddItemToObject(rp, "info", cJSON_Duplicate(info, 1));
	CHECK(run(rp, 1, 0, &e, &r));
	CHECK_STR(e.quote_source, "intel_quote");
	CHECK_STR(e.app_compose_source, "info.tcb_info.app_compose");
	CHECK_STR(status(&r.eventlog_replay), "pass");
	CHECK_STR(status(&r.app_compose_hash), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(rp);

	/* Phala Cloud's attestations API instance: {quote, eventlog}. */
	cJSON *inst = cJSON_CreateObject();
	cJSON_AddItemToObject(inst, "quote", cJSON_Duplicate(cJSON_GetObjectItem(gq, "quote"), 1));
	cJSON_AddItemToObject(inst, "eventlog", cJSON_Duplicate(cJSON_GetObjectItem(gq, "event_log"), 1));
	CHECK(run(inst, 1, 0, &e, &r));
	CHECK_STR(e.log_source, "eventlog");
	CHECK_STR(status(&r.eventlog_replay), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(inst);

	/* Info with tcb_info as an object (as the JS SDK hands it over). */
	cJSON *info_obj = cJSON_Duplicate(info, 1);
	cJSON_ReplaceItemInObject(info_obj, "tcb_info", load_json(VEC "near-mpc_tcb_info.json"));
	CHECK(run(info_obj, 0, 0, &e, &r));
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK(r.match[0] && r.match[3]);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(info_obj);

	cJSON_Delete(bundle);
	cJSON_Delete(flat);
	free(ac_text);
	cJSON_Delete(combo);
	cJSON_Delete(gq);
	cJSON_Delete(info);
}

static void test_tcb_info_only(void)
{
	static const char *files[] = { VEC "near-mpc_tcb_info_b.json", VEC "near-mpc_tcb_info_c.json" };
	static const char *hashes[] = { "198a7e5ce0a7a80416541e7e4843d6c494c3eb01cb48b383ce659f91fe3ced3f",
		"05860c32c210b09b0a3957039f926bb3efafb00e11e6ce99cd7d823488fca8ef" };
	for (int f = 0; f < 2; f++) {
		cJSON *t = load_json(files[f]);
		cv_evidence e;
		cv_dstack_result r;
		CHECK(run(t, 0, 0, &e, &r));
		CHECK(r.basis == CV_RTMR_BASIS_CLAIMS);
		for (int i = 0; i < 4; i++)
			CHECK(r.match[i]);
		CHECK_STR(status(&r.eventlog_replay), "warn");
		CHECK_STR(status(&r.app_compose_hash), "pass");
		CHECK_STR(hex(r.compose_sha256, 32), hashes[f]);
		CHECK_STR(status(&r.app_images_pinned), "pass");
		/* These logs do not match the near-mpc quote's RTMR3. */
		cv_dstack_result r2;
		cv_dstack_check(&e, g_rtmr, g_mr_config_id, 0, &r2);
		CHECK_STR(status(&r2.eventlog_replay), "fail");
		CHECK(r2.eventlog_replay.code == CV_RTMR_MISMATCH);
		CHECK(!r2.match[3]);
		CHECK(r2.app_compose_hash.code == CV_COMPOSE_HASH_MISMATCH); /* mr_config_id binds another hash */
		cv_dstack_result_free(&r2);
		cv_dstack_result_free(&r);
		cv_evidence_free(&e);
		cJSON_Delete(t);
	}
}

/* ---- mutations of the real data ---- */

/* The tcb_info event_log array, and the index of the named runtime event. */
static cJSON *ev_array(cJSON *tcb) { return cJSON_GetObjectItem(tcb, "event_log"); }

static cJSON *find_event(cJSON *tcb, const char *name)
{
	cJSON *c;
	cJSON_ArrayForEach(c, ev_array(tcb))
		if (strcmp(cJSON_GetObjectItem(c, "event")->valuestring, name) == 0)
			return c;
	return NULL;
}

static void set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_ReplaceItemInObject(o, k, cJSON_CreateString(v));
}

/* Evidence {quote, tcb_info: t}. */
static cJSON *with_quote(cJSON *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "quote", load_json(VEC "near-mpc_quote.json"));
	cJSON_AddItemToObject(o, "tcb_info", t);
	return o;
}

static void test_mutations(void)
{
	cv_evidence e;
	cv_dstack_result r;

	/* One payload byte changed (full log): RTMR3 mismatches, and the event
	 * is flagged (its supplied digest no longer matches). */
	cJSON *t = load_json(VEC "near-mpc_tcb_info.json");
	cJSON *mpc = find_event(t, "mpc-image-digest");
	char pl[80];
	snprintf(pl, sizeof pl, "%s", cJSON_GetObjectItem(mpc, "event_payload")->valuestring);
	pl[0] = pl[0] == '5' ? '6' : '5';
	set_str(mpc, "event_payload", pl);
	cJSON *ev = with_quote(t);
	CHECK(run(ev, 1, 0, &e, &r));
	CHECK_STR(status(&r.eventlog_replay), "fail");
	CHECK(r.eventlog_replay.code == CV_RTMR_MISMATCH);
	CHECK(r.match[0] && r.match[1] && r.match[2] && !r.match[3]);
	CHECK(strstr(r.eventlog_replay.msg, "RTMR3") != NULL);
	CHECK(r.rp.n_inconsistent == 1 && r.rp.ev[r.rp.first_inconsistent].supplied == CV_SUPPLIED_DIFFERS);
	CHECK_STR(e.log.ev[r.rp.first_inconsistent].name, "mpc-image-digest");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);

	/* The same on a stripped log (runtime digests ""): RTMR3 mismatch. */
	t = load_json(VEC "near-mpc_tcb_info.json");
	cJSON *c;
	cJSON_ArrayForEach(c, ev_array(t))
		if (cJSON_GetObjectItem(c, "event_type")->valuedouble == 134217729.0)
			set_str(c, "digest", "");
	ev = with_quote(cJSON_Duplicate(t, 1));
	/* Stripped but intact: still matches. */
	CHECK(run(ev, 1, 0, &e, &r));
	CHECK_STR(status(&r.eventlog_replay), "pass");
	CHECK(r.match[3] && r.rp.n_inconsistent == 0);
	for (size_t i = 0; i < e.log.n; i++)
		if (e.log.ev[i].type == CV_EVENT_RUNTIME)
			CHECK(r.rp.ev[i].supplied == CV_SUPPLIED_EMPTY);
	CHECK_STR(status(&r.app_compose_hash), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);
	mpc = find_event(t, "compose-hash");
	snprintf(pl, sizeof pl, "%s", cJSON_GetObjectItem(mpc, "event_payload")->valuestring);
	pl[63] = pl[63] == '5' ? '6' : '5';
	set_str(mpc, "event_payload", pl);
	ev = with_quote(t);
	CHECK(run(ev, 1, 0, &e, &r));
	CHECK(r.eventlog_replay.code == CV_RTMR_MISMATCH);
	CHECK(!r.match[3] && r.match[2]);
	/* The tampered compose-hash no longer equals sha256(app_compose). */
	CHECK(r.app_compose_hash.code == CV_COMPOSE_HASH_MISMATCH);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);

	/* A supplied digest changed, payload intact: replay still matches, the
	 * event is flagged and the check fails (the log is inconsistent). */
	t = load_json(VEC "near-mpc_tcb_info.json");
	mpc = find_event(t, "key-provider");
	char dg[100];
	snprintf(dg, sizeof dg, "%s", cJSON_GetObjectItem(mpc, "digest")->valuestring);
	dg[0] = dg[0] == 'a' ? 'b' : 'a';
	set_str(mpc, "digest", dg);
	ev = with_quote(t);
	CHECK(run(ev, 1, 0, &e, &r));
	for (int i = 0; i < 4; i++)
		CHECK(r.match[i]);
	CHECK_STR(status(&r.eventlog_replay), "fail");
	CHECK(r.eventlog_replay.code == CV_EVENT_LOG_MALFORMED);
	CHECK(strstr(r.eventlog_replay.msg, "key-provider") != NULL);
	CHECK(r.rp.n_inconsistent == 1);
	CHECK_STR(e.log.ev[r.rp.first_inconsistent].name, "key-provider");
	{
		cv_jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		cv_report_write_dstack_sections(&w, &r, &e);
		jw_obj_end(&w);
		char *out = jw_take(&w, NULL);
		cJSON *rep = cJSON_Parse(out);
		cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "event_log"), "events"),
			(int)r.rp.first_inconsistent);
		CHECK(cJSON_IsFalse(cJSON_GetObjectItem(x, "digest_supplied_matches")));
		CHECK_STR(cJSON_GetObjectItem(x, "digest_supplied")->valuestring, dg);
		cJSON_Delete(rep);
		free(out);
	}
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);

	/* One white-space byte added to app_compose: COMPOSE_HASH_MISMATCH. */
	t = load_json(VEC "near-mpc_tcb_info.json");
	const char *ac = cJSON_GetObjectItem(t, "app_compose")->valuestring;
	char *ac2 = malloc(strlen(ac) + 2);
	sprintf(ac2, "%s ", ac);
	set_str(t, "app_compose", ac2);
	free(ac2);
	ev = with_quote(t);
	CHECK(run(ev, 1, 0, &e, &r));
	CHECK_STR(status(&r.eventlog_replay), "pass");
	CHECK_STR(status(&r.app_compose_hash), "fail");
	CHECK(r.app_compose_hash.code == CV_COMPOSE_HASH_MISMATCH);
	CHECK(strstr(r.app_compose_hash.msg, k_compose_hash) != NULL);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);

	/* A second compose-hash after system-ready: identity unchanged, RTMR3 mismatch. */
	t = load_json(VEC "near-mpc_tcb_info.json");
	cJSON *extra = cJSON_Duplicate(find_event(t, "compose-hash"), 1);
	set_str(extra, "event_payload", "00000000000000000000000000000000000000000000000000000000000000aa");
	set_str(extra, "digest", "");
	cJSON_AddItemToArray(ev_array(t), extra);
	ev = with_quote(t);
	CHECK(run(ev, 1, 0, &e, &r));
	CHECK(r.eventlog_replay.code == CV_RTMR_MISMATCH && !r.match[3]);
	CHECK(r.id.compose_hash == &e.log.ev[22]);
	CHECK_STR(hex(r.id.compose_hash->payload, 32), k_compose_hash);
	CHECK(cv_app_identity_is_app_event(&r.id, &e.log, 29));
	CHECK_STR(status(&r.app_compose_hash), "pass");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);

	/* mr_config_id: altered V1 fails; V2 computed with keccak; V3 not checked. */
	t = load_json(VEC "near-mpc_tcb_info.json");
	ev = with_quote(t);
	cv_diag d;
	CHECK(cv_evidence_parse(ev, &e, &d) == CV_OK);
	uint8_t mr[48];
	memcpy(mr, g_mr_config_id, 48);
	mr[40] = 1;
	cv_dstack_check(&e, g_rtmr, mr, 0, &r);
	CHECK(r.app_compose_hash.code == CV_COMPOSE_HASH_MISMATCH);
	CHECK_STR(status(&r.app_compose_hash), "fail");
	cv_dstack_result_free(&r);
	{
		/* V2 = 0x02 || keccak256(compose_hash || app_id || 1 (local) || kp id) || zeros. */
		uint8_t buf[32 + 20 + 1 + 32];
		cv_hex_decode(k_compose_hash, 64, buf, 32);
		cv_hex_decode(k_app_id, 40, buf + 32, 20);
		buf[52] = 1;
		cv_hex_decode(k_kp_id, 64, buf + 53, 32);
		memset(mr, 0, 48);
		mr[0] = 2;
		cv_keccak256(buf, sizeof buf, mr + 1);
	}
	cv_dstack_check(&e, g_rtmr, mr, 0, &r);
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK(strstr(r.app_compose_hash.msg, "V2") != NULL);
	cv_dstack_result_free(&r);
	mr[5] ^= 1;
	cv_dstack_check(&e, g_rtmr, mr, 0, &r);
	CHECK_STR(status(&r.app_compose_hash), "fail");
	cv_dstack_result_free(&r);
	memset(mr, 0, 48);
	mr[0] = 3;
	mr[1] = 9;
	cv_dstack_check(&e, g_rtmr, mr, 0, &r);
	CHECK_STR(status(&r.app_compose_hash), "warn");
	cv_dstack_result_free(&r);
	memset(mr, 0, 48);
	cv_dstack_check(&e, g_rtmr, mr, 0, &r);
	CHECK_STR(status(&r.app_compose_hash), "pass");
	CHECK(strstr(r.app_compose_hash.msg, "zero") != NULL);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);

	/* app_compose given as an object (not the exact text): fails closed. */
	t = load_json(VEC "near-mpc_tcb_info.json");
	cJSON_ReplaceItemInObject(t, "app_compose", cJSON_Parse("{\"runner\":\"docker-compose\"}"));
	ev = with_quote(t);
	CHECK(run(ev, 1, 0, &e, &r));
	CHECK_STR(status(&r.app_compose_hash), "fail");
	CHECK(r.app_compose_hash.code == CV_COMPOSE_MALFORMED);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);
}

/* ---- V2 events ---- */

static void test_v2_events(void)
{
	/* A log of one V2 runtime event; its RTMR3 = SHA384(0^48 || SHA384(JCS)). */
	static const char pre[] = "{\"name\":\"compose-hash\",\"payload\":\"abcd\",\"type\":134217729}";
	uint8_t dg[48], r3[96];
	cv_sha384(pre, strlen(pre), dg);
	memset(r3, 0, 48);
	memcpy(r3 + 48, dg, 48);
	uint8_t rt3[48];
	cv_sha384(r3, 96, rt3);
	char pre_hex[2 * sizeof pre];
	cv_hex_encode((const uint8_t *)pre, strlen(pre), pre_hex);
	char json[1024];
	snprintf(json, sizeof json,
		"[{\"imr\":3,\"event_type\":134217729,\"digest\":\"%s\",\"event\":\"compose-hash\",\"event_payload\":\"ABCD\",\"version\":2,\"preimage\":\"%s\"}]",
		hex(dg, 48), pre_hex);
	cJSON *arr = cJSON_Parse(json);
	cv_eventlog log;
	cv_replay rp;
	CHECK(cv_eventlog_parse(arr, &log, NULL) == CV_OK);
	CHECK(log.n == 1 && log.ev[0].version == 2 && log.ev[0].has_preimage);
	CHECK(cv_eventlog_replay(&log, &rp, NULL) == CV_OK);
	CHECK(memcmp(rp.rtmr[3], rt3, 48) == 0);
	CHECK(rp.n_inconsistent == 0 && rp.ev[0].supplied == CV_SUPPLIED_MATCH);
	cv_replay_free(&rp);
	cv_eventlog_free(&log);
	cJSON_Delete(arr);

	/* A preimage that is not the JCS form is flagged. */
	snprintf(json, sizeof json,
		"[{\"imr\":3,\"event_type\":134217729,\"digest\":\"\",\"event\":\"compose-hash\",\"event_payload\":\"abcd\",\"version\":2,\"preimage\":\"%s\"}]",
		"7b7d");
	arr = cJSON_Parse(json);
	CHECK(cv_eventlog_parse(arr, &log, NULL) == CV_OK);
	CHECK(cv_eventlog_replay(&log, &rp, NULL) == CV_OK);
	CHECK(rp.n_inconsistent == 1 && rp.ev[0].preimage_differs);
	CHECK(memcmp(rp.rtmr[3], rt3, 48) == 0);
	cv_replay_free(&rp);
	cv_eventlog_free(&log);
	cJSON_Delete(arr);
}

/* ---- compose images ---- */

static const cv_image *img_of(const cv_image_list *l, const char *svc)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].service, svc) == 0)
			return &l->v[i];
	return NULL;
}

static void test_yaml(void)
{
	char yaml[4096];
	snprintf(yaml, sizeof yaml,
		"%%YAML 1.1\n"
		"---\n"
		"# anchors in extension fields\n"
		"x-base: &base\n"
		"  image: \"ghcr.io/acme/base%s\"\n"
		"  restart: always\n"
		"x-img: &img ghcr.io/acme/worker%s   # trailing comment\n"
		"x-env: &env\n"
		"  - A=1\n"
		"services:\n"
		"  web:\n"
		"    <<: *base\n"
		"    ports: [\"80:80\", '443:443']\n"
		"    environment: *env\n"
		"  worker:\n"
		"    image: *img\n"
		"    command: |\n"
		"      image: not-an-image:latest\n"
		"\n"
		"      services: {}\n"
		"    healthcheck:\n"
		"      test: >-\n"
		"        curl -f\n"
		"        http://localhost\n"
		"  proxy:\n"
		"    <<: [*base]\n"
		"    image: nginx:1.25 # overrides the merged one\n"
		"  child:\n"
		"    extends:\n"
		"      service: web\n"
		"  short:\n"
		"    extends: worker\n"
		"  built:\n"
		"    build: .\n"
		"  var:\n"
		"    image: ${REGISTRY}/app%s\n"
		"  'quoted':\n"
		"    image: 'it''s@sha256:00'\n"
		"  flow: {image: \"redis%s\", ports: [6379]}\n"
		"  seqsame:\n"
		"    volumes:\n"
		"    - /a:/a\n"
		"    - /b:/b\n"
		"    image: >\n"
		"      postgres%s\n"
		"  multi:\n"
		"    image: \"busybox\\\n"
		"      %s\"\n"
		"  other:\n"
		"    extends: {file: other.yml, service: x}\n"
		"volumes:\n"
		"  data: {}\n",
		k_pin, k_pin, k_pin, k_pin, k_pin, k_pin);
	cv_image_list l;
	cv_diag d;
	cv_err err = cv_compose_images(yaml, strlen(yaml), &l, &d);
	if (err != CV_OK)
		fprintf(stderr, "yaml: %s\n", d.msg);
	CHECK(err == CV_OK);
	CHECK(l.n == 12);
	const cv_image *im;
	im = img_of(&l, "web");
	CHECK(im && im->pinned && strstr(im->image, "ghcr.io/acme/base@sha256:") == im->image);
	im = img_of(&l, "worker");
	CHECK(im && im->pinned && strncmp(im->image, "ghcr.io/acme/worker@", 20) == 0);
	im = img_of(&l, "proxy");
	CHECK(im && !im->pinned);
	if (im)
		CHECK_STR(im->image, "nginx:1.25");
	im = img_of(&l, "child");
	CHECK(im && im->pinned && strstr(im->image, "acme/base") != NULL);
	im = img_of(&l, "short");
	CHECK(im && im->pinned && strstr(im->image, "acme/worker") != NULL);
	im = img_of(&l, "built");
	CHECK(im && !im->pinned && im->image == NULL);
	im = img_of(&l, "var");
	CHECK(im && !im->pinned);
	if (im)
		CHECK_STR(im->why, "uses a variable the host can set");
	im = img_of(&l, "quoted");
	CHECK(im && !im->pinned);
	if (im)
		CHECK_STR(im->image, "it's@sha256:00");
	im = img_of(&l, "flow");
	CHECK(im && im->pinned && strncmp(im->image, "redis@", 6) == 0);
	im = img_of(&l, "seqsame");
	CHECK(im && !im->pinned); /* ">" keeps a final newline: not exactly a digest */
	im = img_of(&l, "multi");
	CHECK(im && im->pinned && strncmp(im->image, "busybox@sha256:", 15) == 0);
	im = img_of(&l, "other");
	CHECK(im && !im->pinned && im->image == NULL);
	cv_image_list_free(&l);

	/* Services merged in at the services level: own entries win. */
	snprintf(yaml, sizeof yaml,
		"x-more: &more\n"
		"  a: {image: \"nginx:latest\"}\n"
		"  extra: {image: \"redis%s\"}\n"
		"services:\n"
		"  <<: *more\n"
		"  a:\n"
		"    image: \"busybox%s\"\n",
		k_pin, k_pin);
	CHECK(cv_compose_images(yaml, strlen(yaml), &l, &d) == CV_OK);
	CHECK(l.n == 2);
	im = img_of(&l, "a");
	CHECK(im && im->pinned && strncmp(im->image, "busybox@", 8) == 0);
	im = img_of(&l, "extra");
	CHECK(im && im->pinned);
	cv_image_list_free(&l);

	/* Pinning rule. */
	const char *why;
	char buf[200];
	snprintf(buf, sizeof buf, "nginx%s", k_pin);
	CHECK(cv_image_pinned(buf, &why));
	snprintf(buf, sizeof buf, "nginx:1.25%s", k_pin);
	CHECK(cv_image_pinned(buf, &why));
	snprintf(buf, sizeof buf, "nginx%sX", k_pin);
	CHECK(!cv_image_pinned(buf, &why));
	CHECK(!cv_image_pinned("nginx@sha256:5618A93A78C9AC9173E7EBF7C8AF173BD675BE6832A2F8C2A9A7149AC2678F54", &why));
	CHECK(!cv_image_pinned("nginx:latest", &why));
	CHECK(!cv_image_pinned("", &why));

	/* Malformed YAML: coded errors with a line, no crash. */
	static const char *bad[] = {
		"services:\n\tweb:\n\t\timage: x\n",             /* tabs */
		"services:\n  web:\n    image: \"x\n",           /* unterminated quote */
		"services:\n  web:\n    image: *nope\n",         /* unknown alias */
		"services:\n  web:\n    image: a: b\n",          /* mapping on one line */
		"services:\n  web:\n      image: a\n    ports: 1\n", /* bad indentation */
		"services:\n  ? web\n",                           /* complex key */
		"services: [a, b\n",                              /* unterminated flow */
		"- a\n- b\n",                                     /* not a mapping */
		"version: '3'\n",                                 /* no services */
		"services:\n  web:\n    image: [a]\n",            /* image not a string */
		"services:\n  web:\n    image: a\n    image: b\n", /* duplicate key */
		"services:\n  db:\n    image: a\n  db:\n", /* duplicate service */
		"services:\n  a:\n    extends: b\n  b:\n    extends: a\n", /* circular: no image, not a crash */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = cv_compose_images(bad[i], strlen(bad[i]), &l, &d);
		if (i == sizeof bad / sizeof bad[0] - 1) {
			CHECK(err == CV_OK && l.n == 2 && !l.v[0].pinned);
			cv_image_list_free(&l);
			continue;
		}
		CHECK(err == CV_COMPOSE_MALFORMED);
		CHECK(l.n == 0 && l.v == NULL);
		CHECK(strstr(d.msg, "docker-compose") != NULL);
	}

	/* Deep nesting and alias fan-out stay bounded. */
	size_t n = 200000;
	char *deep = malloc(n + 32);
	strcpy(deep, "services: ");
	size_t k = strlen(deep);
	for (size_t i = 0; i < 50000; i++)
		deep[k++] = '[';
	deep[k] = '\0';
	CHECK(cv_compose_images(deep, k, &l, &d) == CV_COMPOSE_MALFORMED);
	CHECK(strstr(d.msg, "deep") != NULL);
	/* Block nesting: "a:\n b:\n  c:..." 100 levels. */
	k = 0;
	for (int i = 0; i < 100; i++) {
		for (int s = 0; s < i; s++)
			deep[k++] = ' ';
		k += (size_t)sprintf(deep + k, "k%d:\n", i);
	}
	deep[k] = '\0';
	CHECK(cv_compose_images(deep, k, &l, &d) == CV_COMPOSE_MALFORMED);
	/* Merge-key fan-out ("billion laughs" by merges): bounded steps. */
	k = (size_t)sprintf(deep, "a0: &a0 {x: 1}\n");
	for (int i = 1; i < 40; i++)
		k += (size_t)sprintf(deep + k, "a%d: &a%d {<<: [*a%d, *a%d, *a%d]}\n", i, i, i - 1, i - 1, i - 1);
	k += (size_t)sprintf(deep + k, "services:\n  s:\n    <<: *a39\n");
	deep[k] = '\0';
	CHECK(cv_compose_images(deep, k, &l, &d) == CV_COMPOSE_MALFORMED);
	free(deep);

	/* Mutation fuzz over the real compose YAML: never crashes, never leaks. */
	char *ac = (char *)check_read_file(VEC "near-mpc_app_compose.json", NULL);
	cJSON *acj = cJSON_Parse(ac);
	const char *y = cJSON_GetObjectItem(acj, "docker_compose_file")->valuestring;
	size_t yl = strlen(y);
	char *m = malloc(yl + 1);
	unsigned seed = 12345;
	static const char alphabet[] = " \t\n:-#&*!|>'\"[]{},<@$x";
	int ok = 0, malformed = 0;
	for (int it = 0; it < 3000; it++) {
		memcpy(m, y, yl + 1);
		size_t ml = yl;
		for (int j = 0; j < 1 + it % 4 && ml > 0; j++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % ml;
			seed = seed * 1103515245u + 12345u;
			if (it % 7 == 0)
				ml = pos; /* truncate */
			else
				m[pos] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
		}
		m[ml] = '\0';
		err = cv_compose_images(m, ml, &l, &d);
		if (err == CV_OK)
			ok++;
		else if (err == CV_COMPOSE_MALFORMED)
			malformed++;
		cv_image_list_free(&l);
	}
	CHECK(ok + malformed == 3000 && ok > 0 && malformed > 0);
	free(m);
	cJSON_Delete(acj);
	free(ac);
}

static void test_compose_checks(void)
{
	/* An app-compose with an unpinned image: warn, or fail when required. */
	cJSON *ac = cJSON_CreateObject();
	cJSON_AddStringToObject(ac, "runner", "docker-compose");
	char dc[512];
	snprintf(dc, sizeof dc, "services:\n  app:\n    image: nginx:latest\n  db:\n    image: postgres%s\n", k_pin);
	cJSON_AddStringToObject(ac, "docker_compose_file", dc);
	cJSON_AddStringToObject(ac, "pre_launch_script", "#!/bin/sh\necho hi\n");
	char *actext = cJSON_PrintUnformatted(ac);
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "app_compose", actext);
	cv_evidence e;
	cv_dstack_result r;
	CHECK(run(ev, 0, 0, &e, &r));
	CHECK_STR(status(&r.eventlog_replay), "skip");
	CHECK_STR(status(&r.app_compose_hash), "skip");
	CHECK(r.app_compose_hash.code == CV_COMPOSE_MISSING);
	CHECK_STR(status(&r.app_images_pinned), "warn");
	CHECK(r.app_images_pinned.code == CV_IMAGE_NOT_PINNED);
	CHECK(strstr(r.app_images_pinned.msg, "app (a tag") != NULL);
	CHECK(strstr(r.app_images_pinned.msg, "pre_launch") != NULL);
	CHECK(r.ac.pre_launch_script == 1);
	cv_dstack_result_free(&r);
	cv_dstack_check(&e, NULL, NULL, 1, &r);
	CHECK_STR(status(&r.app_images_pinned), "fail");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);
	free(actext);

	/* Unreadable YAML: warn COMPOSE_MALFORMED (fail when required). */
	cJSON_ReplaceItemInObject(ac, "docker_compose_file", cJSON_CreateString("services:\n\tapp: x\n"));
	actext = cJSON_PrintUnformatted(ac);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "app_compose", actext);
	CHECK(run(ev, 0, 0, &e, &r));
	CHECK_STR(status(&r.app_images_pinned), "warn");
	CHECK(r.app_images_pinned.code == CV_COMPOSE_MALFORMED);
	cv_dstack_result_free(&r);
	cv_dstack_check(&e, NULL, NULL, 1, &r);
	CHECK_STR(status(&r.app_images_pinned), "fail");
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);
	free(actext);

	/* bash runner: images unknown. app-compose not JSON: malformed. */
	ev = cJSON_Parse("{\"app_compose\": \"{\\\"runner\\\": \\\"bash\\\", \\\"bash_script\\\": \\\"docker run x\\\"}\"}");
	CHECK(run(ev, 0, 0, &e, &r));
	CHECK(r.app_images_pinned.code == CV_IMAGE_NOT_PINNED && r.app_images_pinned.status == CV_WARN);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);
	ev = cJSON_Parse("{\"app_compose\": \"not json\"}");
	CHECK(run(ev, 0, 0, &e, &r));
	CHECK(r.app_images_pinned.code == CV_COMPOSE_MALFORMED);
	cv_dstack_result_free(&r);
	cv_evidence_free(&e);
	cJSON_Delete(ev);
	cJSON_Delete(ac);
}

/* ---- malformed evidence ---- */

static void test_malformed(void)
{
	CHECK(parse_err("{\"quote\": 5}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"foo\": 1}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"app_id\": \"zz\"}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"app_id\": \"00\"}") == CV_EVIDENCE_MALFORMED); /* not 20 bytes */
	CHECK(parse_err("{\"tcb_info\": \"{not json\"}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"tcb_info\": 7}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"key_provider_info\": \"[1]\"}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"format\": \"other/v9\", \"attestation\": {}}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"format\": \"cvm-evidence/v1\"}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"format\": \"cvm-evidence/v1\", \"attestation\": 3}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"format\": \"cvm-evidence/v1\", \"attestation\": {\"x\": 1}}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("[1, 2, 300]") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("[1.5]") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("[{\"imr\": 3}]") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("[]") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("\"xyz\"") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("\"\"") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("\"{\\\"a\\\":\"") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("\"\\\"\\\\\\\"00\\\\\\\"\\\"\"") == CV_EVIDENCE_MALFORMED); /* string in string in string */
	CHECK(parse_err("42") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"quote\": \"0x0g\"}") == CV_EVIDENCE_MALFORMED);
	CHECK(parse_err("{\"quote\": \"\", \"app_id\": \"2911e1f733466216dedb862d6d669e11256ee7a3\"}") == CV_OK);
	CHECK(parse_err("{\"quote\": {\"type\": \"Buffer\", \"data\": [4, 0]}}") == CV_OK);
	CHECK(cv_evidence_parse(NULL, &(cv_evidence){ 0 }, NULL) == CV_EVIDENCE_MALFORMED);

	/* Deeply nested JSON inside strings is refused before cJSON recurses. */
	{
		char deep[600];
		size_t k = (size_t)sprintf(deep, "{\"tcb_info\": \"");
		for (int i = 0; i < 200; i++)
			deep[k++] = '[';
		strcpy(deep + k, "\"}");
		CHECK(parse_err(deep) == CV_EVIDENCE_MALFORMED);
		cJSON *s = cJSON_CreateString(deep + 14); /* "[[[[..." */
		cv_eventlog lg;
		CHECK(cv_eventlog_parse(s, &lg, NULL) == CV_EVENT_LOG_MALFORMED);
		cJSON_Delete(s);
		cJSON *j1 = cv_json_parse_exact("[[1]]", 5), *j2 = cv_json_parse_exact("[1] \n", 5);
		CHECK(j1 != NULL && j2 != NULL);
		CHECK(cv_json_parse_exact("[1] x", 5) == NULL);
		cJSON_Delete(j1);
		cJSON_Delete(j2);
	}

	/* A quote over the limit. */
	size_t big = (size_t)CV_MAX_QUOTE_LEN * 2 + 4;
	char *h = malloc(big + 1);
	memset(h, 'a', big);
	h[big] = '\0';
	cJSON *js = cJSON_CreateString(h);
	cv_evidence e;
	cv_diag d;
	CHECK(cv_evidence_parse(js, &e, &d) == CV_INPUT_TOO_LARGE);
	cJSON_Delete(js);
	free(h);

	/* Malformed event logs: the evidence parses, the replay check fails with
	 * EVENT_LOG_MALFORMED and a sentence. */
	static const char *logs[] = {
		"\"not json\"",
		"\"{\\\"a\\\": 1}\"",
		"\"[1,2] trailing\"",
		"5",
		"{\"a\": 1}",
		"[5]",
		"[{\"imr\": 7, \"event_type\": 1, \"digest\": \"\", \"event\": \"\", \"event_payload\": \"\"}]",
		"[{\"imr\": 0, \"event_type\": 134217729, \"digest\": \"\", \"event\": \"x\", \"event_payload\": \"\"}]",
		"[{\"imr\": 3, \"event_type\": 4, \"digest\": \"\", \"event\": \"\", \"event_payload\": \"\"}]",
		"[{\"imr\": 1, \"event_type\": 4, \"digest\": \"00\", \"event\": \"\", \"event_payload\": \"\"}]",
		"[{\"imr\": 3, \"event_type\": 134217729, \"digest\": \"\", \"event\": \"x\", \"event_payload\": \"zz\"}]",
		"[{\"imr\": 3, \"event_type\": 134217729, \"digest\": \"\", \"event\": \"x\"}]",
		"[{\"imr\": 3, \"event_type\": 134217729, \"digest\": 5, \"event\": \"x\", \"event_payload\": \"\"}]",
		"[{\"imr\": 3, \"event_type\": 134217729, \"digest\": \"\", \"event\": \"x\", \"event_payload\": \"\", \"version\": 3}]",
		"[{\"imr\": 3, \"event_type\": -1, \"digest\": \"\", \"event\": \"x\", \"event_payload\": \"\"}]",
		"[{\"imr\": 2.5, \"event_type\": 1, \"digest\": \"\", \"event\": \"\", \"event_payload\": \"\"}]",
		"[{\"imr\": 3, \"event_type\": 134217729, \"digest\": \"\", \"event\": 1, \"event_payload\": \"\"}]",
	};
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		char json[600];
		snprintf(json, sizeof json, "{\"event_log\": %s}", logs[i]);
		cJSON *j = cJSON_Parse(json);
		CHECK(j != NULL);
		cv_dstack_result r;
		CHECK(run(j, 1, 0, &e, &r));
		CHECK(e.has_log && e.log_diag.code == CV_EVENT_LOG_MALFORMED && e.log.n == 0);
		CHECK_STR(status(&r.eventlog_replay), "fail");
		CHECK(r.eventlog_replay.code == CV_EVENT_LOG_MALFORMED);
		CHECK(!r.replayed);
		/* The sections still write. */
		cv_jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		cv_report_write_dstack_sections(&w, &r, &e);
		jw_obj_end(&w);
		char *out = jw_take(&w, NULL);
		cJSON *rep = cJSON_Parse(out);
		CHECK(rep && cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "event_log"), "error"));
		cJSON_Delete(rep);
		free(out);
		cv_dstack_result_free(&r);
		cv_evidence_free(&e);
		cJSON_Delete(j);
	}

	/* A huge event log: over CV_MAX_EVENTS entries. */
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < CV_MAX_EVENTS + 1; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "imr", 3);
		cJSON_AddNumberToObject(o, "event_type", 134217729);
		cJSON_AddStringToObject(o, "event", "x");
		cJSON_AddStringToObject(o, "event_payload", "");
		cJSON_AddItemToArray(arr, o);
	}
	cv_eventlog log;
	CHECK(cv_eventlog_parse(arr, &log, &d) == CV_EVENT_LOG_MALFORMED);
	CHECK(strstr(d.msg, "4096") != NULL);
	cJSON_DeleteItemFromArray(arr, 0);
	CHECK(cv_eventlog_parse(arr, &log, &d) == CV_OK && log.n == CV_MAX_EVENTS);
	cv_eventlog_free(&log);
	cJSON_Delete(arr);

	/* Mutation fuzz over the real event log JSON text. */
	cJSON *gq = load_json(VEC "near-mpc_getquote.json");
	const char *lt = cJSON_GetObjectItem(gq, "event_log")->valuestring;
	size_t ll = strlen(lt);
	char *m = malloc(ll + 1);
	unsigned seed = 777;
	static const char alphabet[] = "0123456789abcdef\":,[]{}-. x";
	int ok = 0, bad = 0;
	for (int it = 0; it < 1500; it++) {
		memcpy(m, lt, ll + 1);
		for (int j = 0; j < 1 + it % 3; j++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % ll;
			seed = seed * 1103515245u + 12345u;
			m[pos] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
		}
		cJSON *s = cJSON_CreateString(m);
		cv_err err = cv_eventlog_parse(s, &log, &d);
		if (err == CV_OK) {
			cv_replay rp;
			cv_app_identity id;
			CHECK(cv_eventlog_replay(&log, &rp, &d) == CV_OK);
			cv_app_identity_find(&log, &id);
			cv_replay_free(&rp);
			ok++;
		} else {
			CHECK(err == CV_EVENT_LOG_MALFORMED);
			bad++;
		}
		cv_eventlog_free(&log);
		cJSON_Delete(s);
	}
	CHECK(ok > 0 && bad > 0);
	free(m);
	cJSON_Delete(gq);
}

int main(void)
{
	if (!load_quote()) {
		fprintf(stderr, "cannot load the near-mpc quote\n");
		return 1;
	}
	test_vectors();
	test_getquote();
	test_info_and_bundle();
	test_tcb_info_only();
	test_mutations();
	test_v2_events();
	test_yaml();
	test_compose_checks();
	test_malformed();
	return check_report("dstack");
}
