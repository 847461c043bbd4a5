/*
 * On-chain governance: the ABI against the selectors of the project's dstack
 * spec ("On-chain governance") and hand-computed words, and every decision
 * of governance.onchain on the dstack 0.6.0 capture
 * (tests/vectors/dstack/dstack-lite_getquote.json), whose app, compose hash,
 * key provider, OS image hash and PPID come from running the verifier on it.
 * The chain is simulated here: a contract state answering each planned call
 * as DstackApp / DstackKms would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "check.h"
#include "cJSON.h"
#include "compose.h"
#include "crypto.h"
#include "governance.h"
#include "util.h"
#include "verify.h"

static char *hexs(const uint8_t *b, size_t n)
{
	static char buf[4][2200];
	static int k;
	char *o = buf[k++ % 4];
	cv_hex_encode(b, n, o);
	return o;
}

/* ---- selectors: keccak-256 of the canonical signature vs the spec table ---- */
static void test_selectors(void)
{
	static const struct { const char *sig; const char *spec; uint32_t ours; } t[] = {
		{ "allowedComposeHashes(bytes32)", "2f6622e5", CV_SEL_ALLOWED_COMPOSE_HASHES },
		{ "allowAnyDevice()", "3440a16a", CV_SEL_ALLOW_ANY_DEVICE },
		{ "allowedDeviceIds(bytes32)", "bf8b211b", CV_SEL_ALLOWED_DEVICE_IDS },
		{ "requireTcbUpToDate()", "0aa58c83", CV_SEL_REQUIRE_TCB_UP_TO_DATE },
		{ "allowedOsImages(bytes32)", "9a4e1d18", CV_SEL_ALLOWED_OS_IMAGES },
		{ "registeredApps(address)", "a6c4cce9", CV_SEL_REGISTERED_APPS },
		{ "kmsInfo()", "09177063", CV_SEL_KMS_INFO },
		/* Not in the spec table: OpenZeppelin Ownable's owner(). */
		{ "owner()", NULL, CV_SEL_OWNER },
		/* The spec's others, to check the keccak we compare with. */
		{ "addComposeHash(bytes32)", "dfc77223", 0 },
		{ "isKmsAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))", "e067ec9d", 0 },
		{ "isAppAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))", "1e079198", 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t h[32];
		cv_keccak256((const uint8_t *)t[i].sig, strlen(t[i].sig), h);
		uint32_t sel = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
		if (t[i].spec)
			CHECK_STR(hexs(h, 4), t[i].spec);
		if (t[i].ours)
			CHECK(sel == t[i].ours);
	}
	/* A spec event topic: the full keccak. */
	uint8_t h[32];
	cv_keccak256((const uint8_t *)"ComposeHashAdded(bytes32)", 25, h);
	CHECK_STR(hexs(h, 32), "fecb34306dd9d8b785b54d65489d06afc8822a0893ddacedff40c50a4942d0af");
}

/* ---- encoding and decoding ---- */
static void test_abi(void)
{
	uint8_t hash[32], addr[20], word[32];
	for (int i = 0; i < 32; i++)
		hash[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < 20; i++)
		addr[i] = (uint8_t)(0x11 * (i % 15 + 1));
	cv_abi_calldata cd;
	cv_abi_encode_call(CV_SEL_ALLOWED_COMPOSE_HASHES, hash, &cd);
	CHECK(cd.len == 36);
	CHECK_STR(hexs(cd.b, cd.len), "2f6622e5a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
	cv_abi_address_word(addr, word);
	cv_abi_encode_call(CV_SEL_REGISTERED_APPS, word, &cd);
	CHECK_STR(hexs(cd.b, cd.len),
		"a6c4cce9000000000000000000000000112233445566778899aabbccddeeff1122334455");
	cv_abi_encode_call(CV_SEL_KMS_INFO, NULL, &cd);
	CHECK_STR(hexs(cd.b, cd.len), "09177063");

	cv_diag d;
	uint8_t w[33] = { 0 };
	int b = -1;
	CHECK(cv_abi_decode_bool(w, 32, "f", &b, &d) == CV_OK && b == 0);
	w[31] = 1;
	CHECK(cv_abi_decode_bool(w, 32, "f", &b, &d) == CV_OK && b == 1);
	w[31] = 2; /* a "true" no bool encoder writes */
	CHECK(cv_abi_decode_bool(w, 32, "f", &b, &d) == CV_CHAIN_UNAVAILABLE);
	w[31] = 1;
	w[0] = 1;
	CHECK(cv_abi_decode_bool(w, 32, "f", &b, &d) == CV_CHAIN_UNAVAILABLE);
	w[0] = 0;
	CHECK(cv_abi_decode_bool(w, 31, "f", &b, &d) == CV_CHAIN_UNAVAILABLE);
	CHECK(cv_abi_decode_bool(w, 33, "f", &b, &d) == CV_CHAIN_UNAVAILABLE);
	CHECK(cv_abi_decode_bool(w, 0, "f", &b, &d) == CV_CONTRACT_MISSING);

	uint8_t out[20];
	cv_abi_address_word(addr, w);
	CHECK(cv_abi_decode_address(w, 32, "owner", out, &d) == CV_OK && memcmp(out, addr, 20) == 0);
	w[11] = 1;
	CHECK(cv_abi_decode_address(w, 32, "owner", out, &d) == CV_CHAIN_UNAVAILABLE);
	uint8_t b32[32];
	CHECK(cv_abi_decode_bytes32(hash, 32, "x", b32, &d) == CV_OK && memcmp(b32, hash, 32) == 0);
	uint64_t u;
	memset(w, 0, 32);
	w[30] = 0x21, w[31] = 0x05;
	CHECK(cv_abi_decode_uint64(w, 32, "x", &u, &d) == CV_OK && u == 8453);
	w[23] = 1;
	CHECK(cv_abi_decode_uint64(w, 32, "x", &u, &d) == CV_CHAIN_UNAVAILABLE);

	/* (bytes,bytes): head [0x40, 0x80]; field 0 = 3 bytes, field 1 = 33 bytes. */
	uint8_t t[32 * 7] = { 0 };
	t[31] = 0x40, t[63] = 0x80;
	t[64 + 31] = 3, t[96] = 0xaa, t[97] = 0xbb, t[98] = 0xcc;
	t[128 + 31] = 33;
	for (int i = 0; i < 33; i++)
		t[160 + i] = (uint8_t)i;
	cv_bytes f;
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 0, "k", &f, &d) == CV_OK && f.len == 3 && f.ptr == t + 96);
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 1, "k", &f, &d) == CV_OK && f.len == 33 && f.ptr[32] == 32);
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 2, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);
	CHECK(cv_abi_decode_bytes_field(t, sizeof t - 1, 2, 0, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);
	CHECK(cv_abi_decode_bytes_field(t, 32 * 6, 2, 1, "k", &f, &d) == CV_CHAIN_UNAVAILABLE); /* truncated tail */
	t[99] = 1; /* non-zero padding */
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 0, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);
	t[99] = 0;
	t[31] = 0x41; /* misaligned offset */
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 0, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);
	t[31] = 0x20; /* offset inside the head */
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 0, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);
	t[31] = 0x40;
	t[64 + 24] = 1; /* a length beyond 64 bits */
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 0, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);
	t[64 + 24] = 0;
	t[64 + 31] = 200; /* a length past the end */
	CHECK(cv_abi_decode_bytes_field(t, sizeof t, 2, 0, "k", &f, &d) == CV_CHAIN_UNAVAILABLE);

	CHECK(cv_abi_parse_quantity("0x2105", &u) == 0 && u == 8453);
	CHECK(cv_abi_parse_quantity("0x0", &u) == 0 && u == 0);
	CHECK(cv_abi_parse_quantity("0x02", &u) == -1);
	CHECK(cv_abi_parse_quantity("0x", &u) == -1);
	CHECK(cv_abi_parse_quantity("2105", &u) == -1);
	CHECK(cv_abi_parse_quantity("0x10000000000000000", &u) == -1);
	CHECK(cv_abi_parse_quantity("0xffffffffffffffff", &u) == 0 && u == UINT64_MAX);
	size_t n;
	CHECK(cv_abi_parse_data("0x", w, 32, &n) == 0 && n == 0);
	CHECK(cv_abi_parse_data("0xabc", w, 32, &n) == -1);
	CHECK(cv_abi_parse_data("abcd", w, 32, &n) == -1);
	CHECK(cv_abi_parse_address("0x112233445566778899AABBCCDDEEFF1122334455", out) == 0 && memcmp(out, addr, 20) == 0);
	CHECK(cv_abi_parse_address("0x1122", out) == -1);
}

/* ---- the capture's app, from the verifier's own report ---- */
static cJSON *g_report;

static int load_capture(cv_gov_input *in)
{
	size_t n;
	unsigned char *ev = check_read_file("vectors/dstack/dstack-lite_getquote.json", &n);
	if (!ev)
		return -1;
	size_t cap = n + 128;
	char *req = malloc(cap);
	int len = snprintf(req, cap, "{\"op\":\"verify\",\"now\":1788000000,\"evidence\":%s}", (char *)ev);
	free(ev);
	char *out = NULL;
	size_t out_len = 0;
	cv_run_json(req, (size_t)len, &out, &out_len);
	free(req);
	g_report = out ? cJSON_Parse(out) : NULL;
	free(out);
	if (!g_report)
		return -1;
	cJSON *app = cJSON_GetObjectItem(g_report, "app"), *plat = cJSON_GetObjectItem(g_report, "platform");
	cJSON *kp = cJSON_GetObjectItem(app, "key_provider");
	cv_diag d;
	cJSON *gin = cJSON_CreateObject();
	cJSON_AddStringToObject(gin, "app_id", cJSON_GetObjectItem(app, "app_id")->valuestring);
	cJSON_AddStringToObject(gin, "compose_hash", cJSON_GetObjectItem(app, "compose_hash")->valuestring);
	cJSON_AddStringToObject(gin, "os_image_hash", cJSON_GetObjectItem(app, "os_image_hash")->valuestring);
	cJSON_AddStringToObject(gin, "ppid", cJSON_GetObjectItem(plat, "ppid")->valuestring);
	cJSON_AddItemReferenceToObject(gin, "key_provider", kp);
	cJSON_AddStringToObject(gin, "tcb_status", "UpToDate");
	cJSON *chain = cJSON_AddObjectToObject(gin, "chain");
	cJSON_AddNumberToObject(chain, "chainId", 8453);
	cJSON_AddStringToObject(chain, "kmsContract", "0x2f83172A49584C017F2B256F0FB2Dca14126Ba9C");
	cv_err e = cv_gov_input_parse(gin, in, &d);
	cJSON_Delete(gin);
	in->tcb_status = "UpToDate";
	return e == CV_OK ? 0 : -1;
}

/* ---- a simulated chain ---- */
typedef struct {
	int compose_allowed, any_device, device_allowed, require_tcb, tcb_fn_missing;
	int registered, os_allowed, ca_matches, app_has_code;
	int bad_bool;      /* allowedComposeHashes answers 2 */
	int short_result;  /* allowAnyDevice answers 31 bytes */
	uint8_t owner[20];
	const cv_gov_input *in;
} chain_state;

static void put(cv_gov_answer *a, const uint8_t *b, size_t n)
{
	a->kind = CV_GOV_ANS_RESULT;
	a->data = malloc(n ? n : 1);
	memcpy(a->data, b, n);
	a->len = n;
}

static void answer(const chain_state *s, const cv_gov_call *c, cv_gov_answer *a)
{
	uint8_t w[32] = { 0 };
	int is_app = c->purpose <= CV_GOV_APP_TCB;
	if (is_app && !s->app_has_code) {
		put(a, w, 0); /* eth_call to an address without code returns 0x */
		return;
	}
	switch (c->purpose) {
	case CV_GOV_APP_OWNER:
	case CV_GOV_KMS_OWNER:
		cv_abi_address_word(s->owner, w);
		break;
	case CV_GOV_APP_COMPOSE: w[31] = s->bad_bool ? 2 : (uint8_t)s->compose_allowed; break;
	case CV_GOV_APP_ANY_DEVICE: w[31] = (uint8_t)s->any_device; break;
	case CV_GOV_APP_DEVICE: w[31] = (uint8_t)s->device_allowed; break;
	case CV_GOV_APP_TCB:
		if (s->tcb_fn_missing) {
			a->kind = CV_GOV_ANS_REVERT;
			return;
		}
		w[31] = (uint8_t)s->require_tcb;
		break;
	case CV_GOV_KMS_REGISTERED: w[31] = (uint8_t)s->registered; break;
	case CV_GOV_KMS_OS_IMAGE: w[31] = (uint8_t)s->os_allowed; break;
	case CV_GOV_KMS_INFO: {
		/* (bytes k256, bytes caPubkey, bytes quote, bytes eventlog) */
		static uint8_t t[32 * 4 + 3 * 64 + 32 + 128];
		memset(t, 0, sizeof t);
		size_t kl = s->in->key_provider_id_len, off = 128;
		uint8_t ca[CV_GOV_MAX_KP_ID];
		memcpy(ca, s->in->key_provider_id, kl);
		if (!s->ca_matches)
			ca[kl - 1] ^= 1;
		size_t offs[4];
		size_t lens[4] = { 33, kl, 0, 0 };
		for (int i = 0; i < 4; i++) {
			offs[i] = off;
			t[i * 32 + 31] = (uint8_t)off, t[i * 32 + 30] = (uint8_t)(off >> 8);
			t[off + 31] = (uint8_t)lens[i];
			off += 32 + (lens[i] + 31) / 32 * 32;
		}
		memset(t + offs[0] + 32, 0x02, 33);
		memcpy(t + offs[1] + 32, ca, kl);
		put(a, t, off);
		return;
	}
	default: break;
	}
	put(a, w, s->short_result && c->purpose == CV_GOV_APP_ANY_DEVICE ? 31 : 32);
}

static void ask(const chain_state *s, const cv_gov_plan *p, cv_gov_endpoint *ep, const char *url, uint64_t chain,
	uint64_t block)
{
	snprintf(ep->url, sizeof ep->url, "%s", url);
	ep->has_chain_id = ep->has_block = 1;
	ep->chain_id = chain;
	ep->block = block;
	ep->n = p->n;
	for (size_t i = 0; i < p->n; i++)
		answer(s, &p->calls[i], &ep->ans[i]);
}

static chain_state good_state(const cv_gov_input *in)
{
	chain_state s = { 0 };
	s.compose_allowed = s.device_allowed = s.registered = s.os_allowed = s.ca_matches = s.app_has_code = 1;
	s.require_tcb = 1;
	memset(s.owner, 0x5a, 20);
	s.in = in;
	return s;
}

static cv_gov_result g_r;

/* Decide with two endpoints answering from states s1 and s2. */
static cv_err decide2(const cv_gov_input *in, const chain_state *s1, const chain_state *s2, cv_status *st)
{
	cv_gov_plan p;
	cv_gov_plan_make(in, &p);
	static cv_gov_answers a;
	memset(&a, 0, sizeof a);
	if (p.run) {
		a.n = 2;
		ask(s1, &p, &a.ep[0], "http://a", in->chain_id, 100);
		ask(s2, &p, &a.ep[1], "http://b", in->chain_id, 100);
	}
	cv_gov_decide(in, &p, &a, &g_r);
	/* The section must serialise and parse whatever the outcome. */
	cv_jw w;
	jw_init(&w);
	cv_gov_write(&w, in, &p, &a, &g_r);
	size_t n;
	char *js = jw_take(&w, &n);
	cJSON *j = js ? cJSON_Parse(js) : NULL;
	CHECK(j != NULL);
	cJSON_Delete(j);
	free(js);
	cv_gov_answers_free(&a);
	*st = g_r.check.status;
	return g_r.check.code;
}

static cv_err decide1(const cv_gov_input *in, const chain_state *s, cv_status *st)
{
	return decide2(in, s, s, st);
}

/* chain_answers JSON: the plan's calls echoed, and the given endpoints. */
static cJSON *answers_json(const cv_gov_plan *p, const char *endpoints)
{
	cv_jw w;
	jw_init(&w);
	cv_gov_plan_write(&w, p);
	size_t n;
	char *s = jw_take(&w, &n);
	cJSON *plan = cJSON_Parse(s);
	free(s);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "calls", cJSON_DetachItemFromObject(plan, "calls"));
	cJSON_AddItemToObject(j, "endpoints", cJSON_Parse(endpoints));
	cJSON_Delete(plan);
	return j;
}

static void test_decisions(void)
{
	cv_gov_input in;
	if (load_capture(&in)) {
		CHECK(!"the capture could not be verified into a governance input");
		return;
	}
	CHECK(in.key_provider_is_kms && in.has_app_id && in.has_compose_hash && in.has_ppid && in.key_provider_id_len == 91);
	cv_status st;
	chain_state s = good_state(&in);

	/* From the report: the replayed values, but no PPID nor TCB status,
	 * since hardware.signature did not pass (no collateral for this FMSPC). */
	cv_gov_input fr;
	memset(&fr, 0, sizeof fr);
	CHECK(cv_gov_input_from_report(g_report, &fr, NULL) == CV_OK);
	CHECK(fr.has_app_id && memcmp(fr.app_id, in.app_id, 20) == 0 && fr.has_compose_hash && fr.key_provider_is_kms);
	CHECK(fr.key_provider_id_len == 91 && !fr.has_ppid && fr.tcb_status == NULL);

	/* The plan: app calls to the app id (the DstackApp proxy), KMS calls to the KMS. */
	cv_gov_plan p;
	cv_gov_plan_make(&in, &p);
	CHECK(p.run && p.n == 9 && p.app_contract_from_app_id);
	uint8_t dev[32];
	cv_sha256(in.ppid, 16, dev);
	int saw_device = 0;
	for (size_t i = 0; i < p.n; i++)
		if (p.calls[i].purpose == CV_GOV_APP_DEVICE)
			saw_device = memcmp(p.calls[i].data.b + 4, dev, 32) == 0 && memcmp(p.calls[i].to, in.app_id, 20) == 0;
	CHECK(saw_device);

	CHECK(decide1(&in, &s, &st) == CV_OK && st == CV_PASS);
	CHECK(g_r.agreed && g_r.block == 100 && g_r.has_app_owner && g_r.kms_ca_pubkey.len == 91);

	s = good_state(&in), s.compose_allowed = 0;
	CHECK(decide1(&in, &s, &st) == CV_COMPOSE_NOT_ALLOWED_ONCHAIN && st == CV_FAIL);
	s = good_state(&in), s.device_allowed = 0;
	CHECK(decide1(&in, &s, &st) == CV_DEVICE_NOT_ALLOWED_ONCHAIN && st == CV_FAIL);
	s.any_device = 1; /* allowAnyDevice overrides the list */
	CHECK(decide1(&in, &s, &st) == CV_OK && st == CV_PASS);
	s = good_state(&in), s.registered = 0;
	CHECK(decide1(&in, &s, &st) == CV_APP_NOT_REGISTERED && st == CV_FAIL);
	s = good_state(&in), s.os_allowed = 0;
	CHECK(decide1(&in, &s, &st) == CV_OS_IMAGE_NOT_ALLOWED_ONCHAIN && st == CV_FAIL);
	CHECK(strstr(g_r.check.msg, "unverified claim") != NULL);
	in.os_image_bound = 1;
	CHECK(decide1(&in, &s, &st) == CV_OS_IMAGE_NOT_ALLOWED_ONCHAIN && strstr(g_r.check.msg, "bound") != NULL);
	in.os_image_bound = 0;
	s = good_state(&in), s.ca_matches = 0;
	CHECK(decide1(&in, &s, &st) == CV_KMS_MISMATCH && st == CV_FAIL);

	/* requireTcbUpToDate against the verified TCB. */
	s = good_state(&in);
	in.tcb_status = "OutOfDate";
	CHECK(decide1(&in, &s, &st) == CV_TCB_NOT_ALLOWED_ONCHAIN && st == CV_FAIL);
	in.tcb_status = NULL;
	CHECK(decide1(&in, &s, &st) == CV_TCB_NOT_ALLOWED_ONCHAIN);
	s.require_tcb = 0;
	CHECK(decide1(&in, &s, &st) == CV_OK);
	s.tcb_fn_missing = 1; /* an older DstackApp: the call reverts, no TCB rule */
	CHECK(decide1(&in, &s, &st) == CV_OK && st == CV_PASS);
	in.tcb_status = "UpToDate";

	/* The contract asked is not the app. */
	in.has_app_contract = 1;
	memset(in.app_contract, 0x77, 20);
	s = good_state(&in);
	CHECK(decide1(&in, &s, &st) == CV_APP_CONTRACT_MISMATCH && st == CV_FAIL);
	in.has_app_contract = 0;

	/* No code at the app address; malformed answers. */
	s = good_state(&in), s.app_has_code = 0;
	CHECK(decide1(&in, &s, &st) == CV_CONTRACT_MISSING && st == CV_FAIL);
	s = good_state(&in), s.bad_bool = 1;
	CHECK(decide1(&in, &s, &st) == CV_CHAIN_UNAVAILABLE && st == CV_FAIL);
	s = good_state(&in), s.short_result = 1;
	CHECK(decide1(&in, &s, &st) == CV_CHAIN_UNAVAILABLE && st == CV_FAIL);

	/* Two endpoints that disagree. */
	chain_state s2 = good_state(&in);
	s = good_state(&in), s2.compose_allowed = 0;
	CHECK(decide2(&in, &s, &s2, &st) == CV_CHAIN_DISAGREEMENT && st == CV_FAIL);

	/* Endpoint faults, through the JSON glue. */
	cv_gov_plan_make(&in, &p);
	cv_gov_answers a;
	cv_diag d;
	cJSON *j = answers_json(&p, "[{\"url\":\"http://a\",\"error\":\"timeout after 8000 ms\"}]");
	CHECK(cv_gov_answers_parse(j, &p, &a, &d) == CV_OK);
	cv_gov_decide(&in, &p, &a, &g_r);
	CHECK(g_r.check.code == CV_CHAIN_UNAVAILABLE && g_r.check.status == CV_WARN && !g_r.could_not_judge);
	in.mode = CV_GOV_REQUIRE;
	cv_gov_decide(&in, &p, &a, &g_r);
	CHECK(g_r.check.code == CV_CHAIN_UNAVAILABLE && g_r.check.status == CV_FAIL && g_r.could_not_judge);
	cv_gov_answers_free(&a);
	cJSON_Delete(j);
	j = answers_json(&p, "[{\"url\":\"http://a\",\"chain_id\":\"0x1\",\"block\":\"0x64\",\"results\":[]}]");
	CHECK(cv_gov_answers_parse(j, &p, &a, &d) == CV_OK);
	cv_gov_decide(&in, &p, &a, &g_r);
	CHECK(g_r.check.code == CV_CHAIN_ID_MISMATCH && g_r.check.status == CV_FAIL);
	cv_gov_answers_free(&a);
	/* Answers for another plan (other evidence) are refused. */
	cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "calls"), 1);
	cJSON_ReplaceItemInObject(first, "data", cJSON_CreateString("0x2f6622e5" "00000000000000000000000000000000" "00000000000000000000000000000000"));
	CHECK(cv_gov_answers_parse(j, &p, &a, &d) == CV_REQUEST_MALFORMED);
	cJSON_DeleteItemFromObject(j, "calls");
	CHECK(cv_gov_answers_parse(j, &p, &a, &d) == CV_REQUEST_MALFORMED);
	cJSON_Delete(j);
	cv_gov_decide(&in, &p, NULL, &g_r);
	CHECK(g_r.check.code == CV_CHAIN_UNAVAILABLE && g_r.could_not_judge);
	in.mode = CV_GOV_AUTO;
	cv_gov_decide(&in, &p, NULL, &g_r);
	CHECK(g_r.check.status == CV_SKIP);

	/* When it runs. */
	cv_gov_input m = in;
	m.mode = CV_GOV_OFF;
	cv_gov_plan_make(&m, &p);
	CHECK(!p.run && p.check.status == CV_SKIP);
	m.mode = CV_GOV_AUTO;
	m.has_kms_contract = 0;
	cv_gov_plan_make(&m, &p);
	CHECK(!p.run && p.check.status == CV_SKIP && p.check.code == CV_CHAIN_INFO_MISSING);
	m.mode = CV_GOV_REQUIRE;
	cv_gov_plan_make(&m, &p);
	cv_gov_decide(&m, &p, NULL, &g_r);
	CHECK(g_r.check.status == CV_FAIL && g_r.check.code == CV_CHAIN_INFO_MISSING && g_r.could_not_judge);
	m = in;
	m.key_provider_is_kms = 0;
	cv_gov_plan_make(&m, &p);
	CHECK(!p.run && p.check.status == CV_SKIP);
	m.has_ppid = 0; /* unknown device and no allowAnyDevice: never a pass */
	m.key_provider_is_kms = 1;
	s = good_state(&m);
	CHECK(decide1(&m, &s, &st) == CV_DEVICE_NOT_ALLOWED_ONCHAIN);
}

/* ---- governance.onchain in the verify request (governance_verify.c) ---- */

static char *g_evidence;

/* A verify request on the capture with extra top-level members (",..." or ""). */
static cJSON *verify_with(const char *extra)
{
	size_t cap = strlen(g_evidence) + strlen(extra) + 128;
	char *req = malloc(cap);
	int len = snprintf(req, cap, "{\"op\":\"verify\",\"now\":1788000000,\"evidence\":%s%s}", g_evidence, extra);
	char *out = NULL;
	size_t out_len = 0;
	cv_run_json(req, (size_t)len, &out, &out_len);
	free(req);
	cJSON *j = out ? cJSON_Parse(out) : NULL;
	free(out);
	return j;
}

static const cJSON *gov_check(const cJSON *rep)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(rep, "checks"))
		if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring, "governance.onchain") == 0)
			return c;
	return NULL;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* chain_answers for the report's needs.chain_calls, both endpoints answering from s (block 100). */
static char *answers_for(const cJSON *needs_calls, const chain_state *s, const char *tamper_first_data)
{
	cJSON *j = cJSON_CreateObject(), *calls = cJSON_AddArrayToObject(j, "calls");
	cJSON *eps = cJSON_AddArrayToObject(j, "endpoints");
	const cJSON *c;
	cJSON_ArrayForEach(c, needs_calls) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "to", str_of(c, "to"));
		cJSON_AddStringToObject(e, "data", tamper_first_data && !calls->child ? tamper_first_data : str_of(c, "data"));
		cJSON_AddItemToArray(calls, e);
	}
	for (int k = 0; k < 2; k++) {
		cJSON *ep = cJSON_CreateObject(), *res = cJSON_AddArrayToObject(ep, "results");
		cJSON_AddStringToObject(ep, "url", k ? "http://b" : "http://a");
		cJSON_AddStringToObject(ep, "chain_id", "0x2105");
		cJSON_AddStringToObject(ep, "block", "0x64");
		cJSON_ArrayForEach(c, needs_calls) {
			cv_gov_call call = { 0 };
			for (int p = 0; p < CV_GOV_PURPOSE_COUNT; p++)
				if (strcmp(cv_gov_purpose_name((cv_gov_purpose)p), str_of(c, "purpose")) == 0)
					call.purpose = (cv_gov_purpose)p;
			cv_gov_answer a = { 0 };
			answer(s, &call, &a);
			char *hex = malloc(2 * a.len + 3);
			cv_abi_hex0x(a.data, a.len, hex);
			cJSON *r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "result", hex);
			cJSON_AddItemToArray(res, r);
			free(hex);
			free(a.data);
		}
		cJSON_AddItemToArray(eps, ep);
	}
	char *out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

static void test_verify_wiring(void)
{
	size_t n;
	g_evidence = (char *)check_read_file("vectors/dstack/dstack-lite_getquote.json", &n);
	cv_gov_input in;
	if (!g_evidence || load_capture(&in)) {
		CHECK(!"the capture could not be read");
		free(g_evidence);
		return;
	}
	const char *chain = ",\"chain\":{\"chain_id\":8453,\"kms_contract\":\"0x2f83172a49584c017f2b256f0fb2dca14126ba9c\"}";
	/* Round 1: the plan, as needs.chain_calls; the check waits for answers. */
	cJSON *r1 = verify_with(chain);
	const cJSON *needs = cJSON_GetObjectItem(cJSON_GetObjectItem(r1, "needs"), "chain_calls");
	const cJSON *calls = cJSON_GetObjectItem(needs, "calls");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(needs, "run")));
	/* No verified PPID (no collateral here): no allowedDeviceIds call. */
	CHECK(cJSON_GetArraySize(calls) == 8);
	CHECK_STR(str_of(gov_check(r1), "code"), "CHAIN_INFO_MISSING");
	CHECK_STR(str_of(gov_check(r1), "status"), "skip");
	CHECK(cJSON_GetObjectItem(r1, "could_not_judge") == NULL);
	/* Round 2: answers from a chain that allows any device and any TCB. */
	chain_state s = good_state(&in);
	s.any_device = 1;
	s.require_tcb = 0;
	char *ans = answers_for(calls, &s, NULL);
	size_t cap = strlen(chain) + strlen(ans) + 32;
	char *extra = malloc(cap);
	snprintf(extra, cap, "%s,\"chain_answers\":%s", chain, ans);
	cJSON *r2 = verify_with(extra);
	CHECK_STR(str_of(gov_check(r2), "status"), "pass");
	CHECK(cJSON_GetObjectItem(r2, "needs") == NULL);
	const cJSON *g = cJSON_GetObjectItem(r2, "governance");
	CHECK(cJSON_GetObjectItem(g, "block_number") && cJSON_GetObjectItem(g, "block_number")->valuedouble == 100);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(g, "os_image_hash_bound")));
	free(ans);
	free(extra);
	/* The same with requireTcbUpToDate: the TCB is not verified, so no. */
	s.require_tcb = 1;
	ans = answers_for(calls, &s, NULL);
	cap = strlen(chain) + strlen(ans) + 32;
	extra = malloc(cap);
	snprintf(extra, cap, "%s,\"chain_answers\":%s", chain, ans);
	cJSON *r3 = verify_with(extra);
	CHECK_STR(str_of(gov_check(r3), "code"), "TCB_NOT_ALLOWED_ONCHAIN");
	free(ans);
	free(extra);
	/* Answers to another plan are refused. */
	ans = answers_for(calls, &s, "0x8da5cb5c");
	cap = strlen(chain) + strlen(ans) + 32;
	extra = malloc(cap);
	snprintf(extra, cap, "%s,\"chain_answers\":%s", chain, ans);
	cJSON *r4 = verify_with(extra);
	CHECK_STR(str_of(cJSON_GetObjectItem(r4, "error"), "code"), "REQUEST_MALFORMED");
	/* ... and answers where no plan runs. */
	snprintf(extra, cap, ",\"chain_answers\":%s", ans);
	cJSON *r5 = verify_with(extra);
	CHECK_STR(str_of(cJSON_GetObjectItem(r5, "error"), "code"), "REQUEST_MALFORMED");
	free(ans);
	free(extra);
	/* require without a chain: could not judge. off: skip, no needs. */
	cJSON *r6 = verify_with(",\"policy\":{\"governance\":\"require\"}");
	CHECK_STR(str_of(gov_check(r6), "status"), "fail");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(r6, "could_not_judge")));
	CHECK_STR(str_of(r6, "verdict"), "fail");
	cJSON *r7 = verify_with(",\"policy\":{\"governance\":\"off\"},\"chain\":{\"chain_id\":8453,\"kms_contract\":\"0x2f83172a49584c017f2b256f0fb2dca14126ba9c\"}");
	CHECK_STR(str_of(gov_check(r7), "status"), "skip");
	CHECK(cJSON_GetObjectItem(r7, "needs") == NULL);
	/* Malformed options. */
	cJSON *r8 = verify_with(",\"chain\":{\"chainId\":8453}");
	CHECK_STR(str_of(cJSON_GetObjectItem(r8, "error"), "code"), "REQUEST_MALFORMED");
	cJSON *r9 = verify_with(",\"policy\":{\"governance\":\"sometimes\"}");
	CHECK_STR(str_of(cJSON_GetObjectItem(r9, "error"), "code"), "REQUEST_MALFORMED");
	cJSON *r10 = verify_with(",\"chain\":{\"chain_id\":8453,\"kms_contract\":\"0x12\"}");
	CHECK_STR(str_of(cJSON_GetObjectItem(r10, "error"), "code"), "REQUEST_MALFORMED");
	cJSON *all[] = { r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		cJSON_Delete(all[i]);
	free(g_evidence);
}

int main(void)
{
	test_selectors();
	test_abi();
	test_decisions();
	cJSON_Delete(g_report);
	g_report = NULL;
	test_verify_wiring();
	cJSON_Delete(g_report);
	return check_report("governance");
}
