/*
 * dstack versioned attestations (V0 SCALE, V1 MessagePack) and RA-TLS
 * certificates. Real data: dstack's own V0 fixture; the V1 files are
 * reconstructions from the format definition and the RA-TLS certificate is
 * forged (tests/vectors/README.md). Run from tests/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attestation.h"
#include "check.h"
#include "eventlog.h"
#include "evidence.h"
#include "msgpack.h"
#include "quote.h"
#include "ratls.h"
#include "scale.h"
#include "util.h"
#include "verify.h"

#define VEC "vectors/dstack/"

static uint8_t *load(const char *name, size_t *n)
{
	char path[256];
	snprintf(path, sizeof path, VEC "%s", name);
	return check_read_file(path, n);
}

/* The attestation through the evidence module (GetQuote shape), its log
 * replayed, compared with the quote's RTMRs: rtmr_from..3 must match. */
static void check_replays(const cv_attestation *a, int rtmr_from)
{
	cJSON *gq = NULL;
	cv_diag d;
	CHECK(cv_attestation_to_getquote(a, &gq, &d) == CV_OK);
	cv_evidence ev;
	memset(&ev, 0, sizeof ev);
	CHECK(cv_evidence_parse(gq, &ev, &d) == CV_OK);
	CHECK(ev.quote_len == a->quote_len && memcmp(ev.quote, a->quote, a->quote_len) == 0);
	CHECK(ev.has_log && ev.log_diag.code == CV_OK && ev.log.n == a->n_events);
	CHECK(ev.vm_config && a->vm_config && strcmp(ev.vm_config, a->vm_config) == 0);
	cv_quote q;
	CHECK(cv_quote_parse(a->quote, a->quote_len, &q, &d) == CV_OK && cv_quote_is_tdx(&q));
	cv_replay r;
	memset(&r, 0, sizeof r);
	CHECK(cv_eventlog_replay(&ev.log, &r, &d) == CV_OK);
	for (int i = rtmr_from; i < 4; i++)
		CHECK(memcmp(r.rtmr[i], q.td.rtmr[i], 48) == 0);
	CHECK(r.n_inconsistent == 0);
	cv_replay_free(&r);
	cv_evidence_free(&ev);
	cJSON_Delete(gq);
}

static void test_v0_real(void)
{
	size_t n;
	uint8_t *b = load("dstack-guest-agent_attestation_v0.bin", &n);
	CHECK(b != NULL);
	if (!b)
		return;
	cv_attestation a;
	cv_diag d;
	CHECK(cv_attestation_decode(b, n, &a, &d) == CV_OK);
	CHECK(a.format == 0);
	CHECK_STR(a.stack, "dstack");
	CHECK(a.quote_len == 5010 && a.quote[0] == 4);
	CHECK(a.n_events == 33 && a.n_runtime == 9 && !a.stripped);
	CHECK(cv_is_zero(a.report_data, 64));
	CHECK(a.events[24].imr == 3 && strcmp(a.events[24].name, "system-preparing") == 0);
	CHECK(a.events[32].event_type == CV_EVENT_RUNTIME && strcmp(a.events[32].name, "system-ready") == 0);
	CHECK(a.config && strstr(a.config, "\"kms_urls\""));
	CHECK(a.vm_config && strstr(a.vm_config,
		"\"os_image_hash\":\"e61be43dd1cc6a6f5edefd7c51b608983780839b0000ce60dd99737dcffe09b9\""));
	check_replays(&a, 0);
	cv_attestation_free(&a);

	/* Every strict prefix fails with a code and a sentence, never a crash. */
	int all = 1;
	for (size_t k = 0; k < n; k++) {
		cv_attestation t;
		cv_diag_clear(&d);
		cv_err e = cv_attestation_decode(b, k, &t, &d);
		if (e != CV_EVIDENCE_MALFORMED || d.code != e || !d.msg[0] || t.quote)
			all = 0;
		cv_attestation_free(&t);
	}
	CHECK(all);

	/* A trailing byte. */
	uint8_t *x = malloc(n + 1);
	memcpy(x, b, n);
	x[n] = 0;
	CHECK(cv_attestation_decode(x, n + 1, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "after its last field"));
	/* Another platform: refused by name. */
	x[1] = 3;
	CHECK(cv_attestation_decode(x, n, &a, &d) == CV_QUOTE_UNSUPPORTED_TEE && strstr(d.msg, "DstackAmdSevSnp"));
	x[1] = 9;
	CHECK(cv_attestation_decode(x, n, &a, &d) == CV_EVIDENCE_MALFORMED);
	x[1] = 0;
	/* Unknown first byte. */
	x[0] = 0x05;
	CHECK(cv_attestation_decode(x, n, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "neither V0"));
	x[0] = 0;
	/* A runtime_events entry that disagrees with the log: the "storage-fs"
	 * payload "zfs" in the second list (the last occurrence) becomes "zfT". */
	size_t at = 0;
	for (size_t k = 0; k + 3 <= n; k++)
		if (memcmp(x + k, "zfs", 3) == 0)
			at = k;
	CHECK(at > 0);
	x[at + 2] = 'T';
	CHECK(cv_attestation_decode(x, n, &a, &d) == CV_EVENT_LOG_MALFORMED && strstr(d.msg, "storage-fs"));
	free(x);
	cv_attestation_free(&a);

	/* Hex text, a JSON string and {"attestation": hex} give the same result. */
	char *hex = malloc(2 * n + 64);
	memcpy(hex, "{\"attestation\": \"0x", 19);
	cv_hex_encode(b, n, hex + 19);
	strcat(hex, "\"}");
	cv_attestation h;
	CHECK(cv_attestation_decode_text(hex, strlen(hex), &h, &d) == CV_OK && h.quote_len == 5010 && h.n_events == 33);
	cv_attestation_free(&h);
	CHECK(cv_attestation_decode_text(hex + 17, 2 * n + 2, &h, &d) == CV_OK && h.n_events == 33);
	cv_attestation_free(&h);
	hex[16] = ' '; /* white space around hex is fine */
	CHECK(cv_attestation_decode_text(hex + 16, 2 * n + 3, &h, &d) == CV_OK && h.n_runtime == 9);
	cv_attestation_free(&h);
	hex[40] = 'g';
	CHECK(cv_attestation_decode_text(hex + 16, 2 * n + 3, &h, &d) == CV_EVIDENCE_MALFORMED);
	CHECK(cv_attestation_decode_text("{\"quote\":\"00\"}", 14, &h, &d) == CV_EVIDENCE_MALFORMED);
	free(hex);
	free(b);
}

static void test_v1_reconstructed(void)
{
	size_t n0, n1, n2;
	uint8_t *b0 = load("dstack-guest-agent_attestation_v0.bin", &n0);
	uint8_t *b1 = load("attestation_v1_reconstructed.bin", &n1);
	uint8_t *b2 = load("attestation_v1_stripped_reconstructed.bin", &n2);
	CHECK(b0 && b1 && b2);
	if (!b0 || !b1 || !b2)
		return;
	cv_attestation a0, a1, a2;
	cv_diag d;
	CHECK(cv_attestation_decode(b0, n0, &a0, &d) == CV_OK);
	CHECK(cv_attestation_decode(b1, n1, &a1, &d) == CV_OK);
	CHECK(a1.format == 1 && !a1.stripped);
	/* The same content as the V0 it was built from. */
	CHECK(cv_bytes_eq(a0.quote, a0.quote_len, a1.quote, a1.quote_len));
	CHECK(a1.n_events == a0.n_events && a1.n_runtime == a0.n_runtime);
	int same = 1;
	for (size_t i = 0; i < a0.n_events && i < a1.n_events; i++) {
		const cv_att_event *x = &a0.events[i], *y = &a1.events[i];
		same &= x->imr == y->imr && x->event_type == y->event_type && strcmp(x->name, y->name) == 0 &&
			cv_bytes_eq(x->digest, x->digest_len, y->digest, y->digest_len) &&
			cv_bytes_eq(x->payload, x->payload_len, y->payload, y->payload_len) && y->version == 1;
	}
	CHECK(same);
	CHECK(strcmp(a0.config, a1.config) == 0 && memcmp(a0.report_data, a1.report_data, 64) == 0);
	check_replays(&a1, 0);

	/* Stripped (as in RA-TLS certificates): RTMR3 and the three ACPI events. */
	CHECK(cv_attestation_decode(b2, n2, &a2, &d) == CV_OK);
	CHECK(a2.stripped && a2.n_events == 12 && a2.events[0].imr == 0 && a2.events[3].imr == 3);
	CHECK(a2.events[3].digest_len == 0);
	check_replays(&a2, 3);

	int all = 1;
	for (size_t k = 0; k < n2; k++) {
		cv_attestation t;
		cv_err e = cv_attestation_decode(b2, k, &t, &d);
		if (e == CV_OK || d.code != e || !d.msg[0])
			all = 0;
		cv_attestation_free(&t);
	}
	CHECK(all);
	cv_attestation_free(&a0);
	cv_attestation_free(&a1);
	cv_attestation_free(&a2);
	free(b0);
	free(b1);
	free(b2);
}

/* ---- hand-written MessagePack: the V1 cases the real data does not cover ---- */

typedef struct { uint8_t b[4096]; size_t n; } buf;
static void put(buf *o, const void *p, size_t n) { if (n) memcpy(o->b + o->n, p, n); o->n += n; }
static void byte(buf *o, uint8_t x) { o->b[o->n++] = x; }
static void str(buf *o, const char *s) { size_t n = strlen(s); byte(o, (uint8_t)(0xa0 | n)); put(o, s, n); }
static void bin(buf *o, const uint8_t *p, size_t n) { byte(o, 0xc4); byte(o, (uint8_t)n); put(o, p, n); }

typedef struct {
	const char *kind, *stack, *extra_key;
	int version, rd_len, data_first, event_version, runtime_payload;
} v1_opts;

/* {version, platform:{kind, data:{quote, event_log:[one V2 runtime event]}},
 *  stack:{kind, data:{report_data, runtime_events, config}}} */
static size_t build_v1(buf *o, v1_opts k)
{
	o->n = 0;
	byte(o, k.extra_key ? 0x84 : 0x83);
	str(o, "version");
	byte(o, (uint8_t)k.version);
	str(o, "platform");
	byte(o, 0x82);
	buf data = { .n = 0 };
	byte(&data, 0x82);
	str(&data, "quote");
	byte(&data, 0x93); byte(&data, 4); byte(&data, 0); byte(&data, 0xcc); byte(&data, 0x81);
	str(&data, "event_log");
	byte(&data, 0x91);
	byte(&data, k.event_version ? 0x87 : 0x86);
	str(&data, "imr"); byte(&data, 3);
	str(&data, "event_type"); byte(&data, 0xce); put(&data, "\x08\x00\x00\x01", 4);
	str(&data, "digest"); bin(&data, NULL, 0);
	str(&data, "event"); str(&data, "app-id");
	str(&data, "event_payload"); bin(&data, (const uint8_t *)"\x01\x02", 2);
	str(&data, "preimage"); str(&data, "7b7d");
	if (k.event_version) { str(&data, "version"); byte(&data, (uint8_t)k.event_version); }
	if (k.data_first) { str(o, "data"); put(o, data.b, data.n); str(o, "kind"); str(o, k.kind); }
	else { str(o, "kind"); str(o, k.kind); str(o, "data"); put(o, data.b, data.n); }
	str(o, "stack");
	byte(o, 0x82);
	str(o, "kind"); str(o, k.stack);
	str(o, "data");
	byte(o, 0x83);
	str(o, "report_data");
	byte(o, 0xdc); byte(o, 0); byte(o, (uint8_t)k.rd_len);
	for (int i = 0; i < k.rd_len; i++)
		byte(o, (uint8_t)i);
	str(o, "runtime_events");
	byte(o, 0x91); byte(o, 0x82);
	str(o, "event"); str(o, "app-id");
	str(o, "payload"); bin(o, (const uint8_t *)"\x01\x02", k.runtime_payload);
	str(o, "config"); str(o, "{\"vm_config\":\"{}\"}");
	if (k.extra_key) { str(o, k.extra_key); byte(o, 0xc0); }
	return o->n;
}

static const v1_opts k_ok = { "tdx", "dstack", NULL, 1, 64, 0, 2, 2 };

static void test_v1_handmade(void)
{
	buf o;
	cv_attestation a;
	cv_diag d;
	build_v1(&o, k_ok);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_OK);
	CHECK(a.quote_len == 3 && a.quote[2] == 0x81 && a.n_events == 1 && a.events[0].version == 2);
	CHECK(a.events[0].preimage && strcmp(a.events[0].preimage, "7b7d") == 0 && a.report_data[63] == 63);
	CHECK(a.vm_config && strcmp(a.vm_config, "{}") == 0);
	cJSON *gq = NULL;
	CHECK(cv_attestation_to_getquote(&a, &gq, &d) == CV_OK);
	const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(gq, "event_log"), 0);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(e0, "version")) == 2);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e0, "preimage")), "7b7d");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e0, "event_payload")), "0102");
	cJSON_Delete(gq);
	cv_attestation_free(&a);

	v1_opts k = k_ok;
	k.data_first = 1; /* {data, kind}: serde accepts either order */
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_OK);
	cv_attestation_free(&a);

	k = k_ok; k.kind = "sev-snp";
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_QUOTE_UNSUPPORTED_TEE && strstr(d.msg, "sev-snp"));
	k = k_ok; k.kind = "tdz";
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED);
	k = k_ok; k.stack = "dstack-pod"; /* dstack-pod needs report_data_payload */
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "report_data_payload"));
	k = k_ok; k.version = 2;
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "version 2"));
	k = k_ok; k.rd_len = 63;
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "63 bytes"));
	k = k_ok; k.event_version = 3;
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED);
	k = k_ok; k.extra_key = "surprise";
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "surprise"));
	k = k_ok; k.extra_key = "stack"; /* a repeated key */
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVIDENCE_MALFORMED && strstr(d.msg, "repeats"));
	k = k_ok; k.runtime_payload = 1;
	build_v1(&o, k);
	CHECK(cv_attestation_decode(o.b, o.n, &a, &d) == CV_EVENT_LOG_MALFORMED);
	cv_attestation_free(&a);
}

static void test_primitives(void)
{
	cv_diag d;
	cv_scale_cur c;
	uint64_t v;
	/* 63 in the two-byte mode is not the shortest form. */
	const uint8_t nonmin[] = { 0xfd, 0x00 };
	cv_scale_init(&c, nonmin, 2, "test", &d);
	CHECK(cv_scale_compact(&c, 1000, &v, "x") == CV_EVIDENCE_MALFORMED && strstr(d.msg, "shortest"));
	const uint8_t two[] = { 0x01, 0x01 }; /* 64 */
	cv_scale_init(&c, two, 2, "test", &d);
	CHECK(cv_scale_compact(&c, 1000, &v, "x") == CV_OK && v == 64);
	const uint8_t big[] = { 0x03, 0x00, 0x00, 0x00, 0x40 }; /* 2^30, big-integer mode */
	cv_scale_init(&c, big, 5, "test", &d);
	CHECK(cv_scale_compact(&c, UINT64_MAX, &v, "x") == CV_OK && v == (1u << 30));
	cv_scale_init(&c, big, 5, "test", &d);
	CHECK(cv_scale_compact(&c, 1000, &v, "x") == CV_EVIDENCE_MALFORMED && strstr(d.msg, "limit"));
	const uint8_t badutf[] = { 0x08, 0xc0, 0x80 };
	cv_bytes s;
	cv_scale_init(&c, badutf, 3, "test", &d);
	CHECK(cv_scale_str(&c, 10, &s, "x") == CV_EVIDENCE_MALFORMED);

	/* A MessagePack array announcing more elements than bytes exist. */
	const uint8_t huge[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00 };
	cv_mp_cur m;
	cv_mp_val mv;
	cv_mp_init(&m, huge, sizeof huge, "test", &d);
	CHECK(cv_mp_next(&m, &mv, "x") == CV_EVIDENCE_MALFORMED);
	cv_mp_init(&m, huge, sizeof huge, "test", &d);
	CHECK(cv_mp_skip(&m, "x") == CV_EVIDENCE_MALFORMED);
	const uint8_t ext[] = { 0xd4, 0x01, 0x02 };
	cv_mp_init(&m, ext, sizeof ext, "test", &d);
	CHECK(cv_mp_next(&m, &mv, "x") == CV_EVIDENCE_MALFORMED);
	const uint8_t neg[] = { 0xd0, 0xff, 0xd1, 0x00, 0x05 };
	cv_mp_init(&m, neg, sizeof neg, "test", &d);
	CHECK(cv_mp_next(&m, &mv, "x") == CV_OK && mv.type == CV_MP_INT && mv.i == -1);
	CHECK(cv_mp_next(&m, &mv, "x") == CV_OK && mv.type == CV_MP_UINT && mv.u == 5);
	/* Byte arrays must hold byte values. */
	const uint8_t arr[] = { 0x92, 0x01, 0xcd, 0x01, 0x00 };
	uint8_t out[4];
	size_t n;
	cv_mp_init(&m, arr, sizeof arr, "test", &d);
	CHECK(cv_mp_byte_string(&m, out, sizeof out, &n, "x") == CV_EVIDENCE_MALFORMED);
}

static void test_ratls(void)
{
	size_t np, nd, nh;
	uint8_t *pem = load("ratls_forged_cert.pem", &np);
	uint8_t *der = load("ratls_forged_cert.der", &nd);
	uint8_t *hex = load("ratls_forged_cert.report_data.hex", &nh);
	CHECK(pem && der && hex);
	if (!pem || !der || !hex)
		return;
	uint8_t want[64];
	CHECK(cv_hex_decode((const char *)hex, nh, want, 64) == 64);
	cv_ratls r;
	cv_diag d;
	CHECK(cv_ratls_parse(pem, np, &r, &d) == CV_OK);
	/* openssl's SHA-512 over the same bytes (make-ratls-cert.sh). */
	CHECK(memcmp(r.expected_report_data, want, 64) == 0);
	CHECK(r.att.format == 1 && r.att.stripped && r.att.n_events == 12 && r.att.quote_len == 5010);
	/* The forged certificate wraps a quote made for another key. */
	CHECK(memcmp(r.att.report_data, r.expected_report_data, 64) != 0);
	cv_ratls_free(&r);
	CHECK(cv_ratls_parse(der, nd, &r, &d) == CV_OK && memcmp(r.expected_report_data, want, 64) == 0);
	cv_ratls_free(&r);

	/* Every truncation of the DER fails cleanly. */
	int all = 1;
	for (size_t k = 0; k < nd; k += 7) {
		cv_err e = cv_ratls_parse(der, k, &r, &d);
		if (e == CV_OK || d.code != e || r.der)
			all = 0;
		cv_ratls_free(&r);
	}
	CHECK(all);
	/* A certificate without the extension: the Intel root CA. */
	extern const uint8_t cv_intel_root_ca_der[];
	extern const size_t cv_intel_root_ca_der_len;
	CHECK(cv_ratls_parse(cv_intel_root_ca_der, cv_intel_root_ca_der_len, &r, &d) == CV_EVIDENCE_MALFORMED &&
		strstr(d.msg, "62397.1.8"));
	CHECK(cv_ratls_parse((const uint8_t *)"hello", 5, &r, &d) == CV_EVIDENCE_MALFORMED);
	free(pem);
	free(der);
	free(hex);
}

/* The status of check id in a report, "" when absent. */
static const char *check_status(const cJSON *report, const char *id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "checks")) {
		const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "id"));
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
		if (cid && strcmp(cid, id) == 0)
			return st ? st : "";
	}
	return "";
}

/* The three real attestations (tests/vectors/README.md): V0, V1, V1 stripped (RA-TLS). */
static const char *const k_att_files[3] = { "dstack-guest-agent_attestation_v0.bin",
	"attestation_v1_reconstructed.bin", "attestation_v1_stripped_reconstructed.bin" };

/* One verify request with the near/mpc collateral at 1788000000 over an
 * evidence value (JSON text); the parsed report, or NULL. */
static cJSON *verify_evidence(cJSON *evidence, const char *coll)
{
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "verify");
	cJSON_AddItemToObject(req, "evidence", evidence);
	cJSON_AddItemToObject(req, "collateral", cJSON_Parse(coll));
	cJSON_AddNumberToObject(req, "now", 1788000000);
	char *s = cJSON_PrintUnformatted(req), *out = NULL;
	size_t out_len = 0;
	cv_run_json(s, strlen(s), &out, &out_len);
	cJSON *rep = out ? cJSON_Parse(out) : NULL;
	free(out);
	free(s);
	cJSON_Delete(req);
	return rep;
}

/* End to end through today's entry point: the attestation's GetQuote shape as the evidence of a verify
 * request, with the near/mpc collateral (same FMSPC) at 1788000000 (tests/vectors/README.md). */
static void test_end_to_end(void)
{
	size_t cn;
	char *coll = (char *)load("near-mpc_collateral.json", &cn);
	CHECK(coll != NULL);
	for (size_t f = 0; coll && f < 3; f++) {
		size_t n;
		uint8_t *b = load(k_att_files[f], &n);
		cv_attestation a;
		cv_diag d;
		cJSON *gq = NULL;
		CHECK(b && cv_attestation_decode(b, n, &a, &d) == CV_OK && cv_attestation_to_getquote(&a, &gq, &d) == CV_OK);
		cJSON *rep = verify_evidence(gq, coll);
		CHECK(rep != NULL);
		CHECK_STR(check_status(rep, "hardware.signature"), "pass");
		CHECK_STR(check_status(rep, "tcb.status"), "pass");
		if (!a.stripped) {
			/* The stripped log (RA-TLS) has no RTMR0..2 events: today's replay check cannot pass it. */
			CHECK_STR(check_status(rep, "eventlog.replay"), "pass");
			/* No OS manifest in this attestation: os.image warns OS_IMAGE_UNVERIFIED (issue 14). */
			CHECK_STR(check_status(rep, "os.image"), "warn");
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep, "verdict")), "warn");
		}
		cJSON_Delete(rep);
		cv_attestation_free(&a);
		free(b);
	}
	free(coll);
}

static char *hex_of(const uint8_t *b, size_t n)
{
	char *h = malloc(2 * n + 1);
	for (size_t i = 0; h && i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", b[i]);
	if (h)
		h[2 * n] = '\0';
	return h;
}

static const char *ev_container(const cJSON *rep)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "evidence"),
		"container"));
}

/* The evidence recognition: the blobs themselves (hex, as the shim sends a
 * binary file; {"attestation": hex}; PEM text; DER hex) through op verify,
 * with no GetQuote conversion by the caller. */
static void test_recognition(void)
{
	size_t cn;
	char *coll = (char *)load("near-mpc_collateral.json", &cn);
	CHECK(coll != NULL);
	for (size_t f = 0; coll && f < 3; f++) {
		size_t n;
		uint8_t *b = load(k_att_files[f], &n);
		char *hex = hex_of(b, n);
		for (int wrapped = 0; wrapped < 2; wrapped++) {
			cJSON *ev;
			if (wrapped) {
				ev = cJSON_CreateObject();
				cJSON_AddStringToObject(ev, "attestation", hex);
			} else {
				ev = cJSON_CreateString(hex);
			}
			cJSON *rep = verify_evidence(ev, coll);
			CHECK(rep != NULL);
			CHECK_STR(check_status(rep, "hardware.signature"), "pass");
			CHECK_STR(check_status(rep, "tcb.status"), "pass");
			CHECK_STR(ev_container(rep), f == 0 ? "dstack attestation V0" : "dstack attestation V1");
			/* Full logs replay RTMR0..3; the stripped one RTMR3 only, and says so (warn). */
			CHECK_STR(check_status(rep, "eventlog.replay"), f == 2 ? "warn" : "pass");
			if (f == 2)
				CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
					cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "checks"), 5), "code")),
					"EVENT_LOG_STRIPPED");
			/* The attestation's vm_config carries no OS manifest, so the OS image is unverified: a
			 * warning (docs/os-image.md), and the verdict says so. */
			CHECK_STR(check_status(rep, "os.image"), "warn");
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep, "verdict")), "warn");
			cJSON_Delete(rep);
		}
		free(hex);
		free(b);
	}
	/* The forged RA-TLS certificate: the quote verifies, the binding fails. */
	size_t np, nd;
	uint8_t *pem = load("ratls_forged_cert.pem", &np);
	uint8_t *der = load("ratls_forged_cert.der", &nd);
	char *pem_text = malloc(np + 1), *der_hex = hex_of(der, nd), *pem_hex = hex_of(pem, np);
	memcpy(pem_text, pem, np);
	pem_text[np] = '\0';
	const char *inputs[3] = { pem_text, der_hex, pem_hex };
	for (int i = 0; coll && i < 3; i++) {
		cJSON *rep = verify_evidence(cJSON_CreateString(inputs[i]), coll);
		CHECK(rep != NULL);
		CHECK_STR(ev_container(rep), "RA-TLS certificate");
		CHECK_STR(check_status(rep, "hardware.signature"), "pass");
		CHECK_STR(check_status(rep, "eventlog.replay"), "warn");
		CHECK_STR(check_status(rep, "report_data.binding"), "fail");
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep, "verdict")), "fail");
		cJSON_Delete(rep);
	}
	free(pem_text);
	free(der_hex);
	free(pem_hex);
	free(pem);
	free(der);
	/* Malformed blobs: a code, never a report. */
	static const char *const bad[] = { "\"00\"", "\"0001\"", "\"8100\"", "{\"attestation\":\"0400\"}",
		"\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"", "\"3003020100\"" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char req[256], *out = NULL;
		size_t out_len = 0;
		snprintf(req, sizeof req, "{\"op\":\"verify\",\"now\":1788000000,\"evidence\":%s}", bad[i]);
		cv_err e = cv_run_json(req, strlen(req), &out, &out_len);
		CHECK(e == CV_EVIDENCE_MALFORMED || e == CV_CERT_CHAIN_INVALID || e == CV_QUOTE_UNSUPPORTED_TEE);
		CHECK(out && strstr(out, "\"error\""));
		free(out);
	}
	free(coll);
}

int main(void)
{
	test_primitives();
	test_v0_real();
	test_v1_reconstructed();
	test_v1_handmade();
	test_ratls();
	test_end_to_end();
	test_recognition();
	return check_report("test_attestation");
}
