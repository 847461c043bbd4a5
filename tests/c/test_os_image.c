/*
 * OS image verification (src/os_image.h, cbor.h, tdhob.h, os_manifest.h) on
 * the real dstack 0.6.0 "lite" capture and the intermediates of an
 * independent implementation (tests/vectors/README.md), plus the mutations
 * its README lists and the decoders' failure paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "check.h"
#include "crypto.h"
#include "eventlog.h"
#include "os_image.h"
#include "os_manifest.h"
#include "os_report.h"
#include "tdhob.h"
#include "util.h"

#define VEC "vectors/dstack/"

static cJSON *g_capture, *g_inter;
static uint8_t g_quote[8192];
static size_t g_quote_len;
static const char *g_vm_text;
static cv_eventlog g_log;

static cJSON *load_json(const char *path)
{
	size_t n;
	unsigned char *b = check_read_file(path, &n);
	cJSON *j = b ? cJSON_ParseWithLength((const char *)b, n) : NULL;
	free(b);
	if (!j)
		fprintf(stderr, "cannot load %s\n", path);
	return j;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *hex(const uint8_t *b, size_t n)
{
	static char buf[4][1100];
	static int k;
	char *o = buf[k++ & 3];
	cv_hex_encode(b, n > 512 ? 512 : n, o);
	return o;
}

/* The quote registers: v4, 48-byte header, then the TD report (mrtd at 136, rtmr0 at 328). */
static const uint8_t *q_mrtd(void) { return g_quote + 48 + 136; }
static const uint8_t *q_rtmr(int i) { return g_quote + 48 + 328 + 48 * i; }

static int load(void)
{
	g_capture = load_json(VEC "dstack-lite_getquote.json");
	g_inter = load_json(VEC "os-image-intermediates.json");
	if (!g_capture || !g_inter)
		return 0;
	const char *q = str(g_capture, "quote");
	g_quote_len = cv_hex_decode(q, strlen(q), g_quote, sizeof g_quote);
	g_vm_text = str(g_capture, "vm_config");
	cv_diag d;
	cv_diag_clear(&d);
	if (cv_eventlog_parse(cJSON_GetObjectItemCaseSensitive(g_capture, "event_log"), &g_log, &d) != CV_OK) {
		fprintf(stderr, "event log: %s\n", d.msg);
		return 0;
	}
	return g_quote_len != (size_t)-1 && g_vm_text;
}

/* Run the computation on the capture, with vm_config text and optional changes. */
static cv_err run(const char *vm_text, void (*mutate)(cv_vm_config *), const cv_eventlog *log,
	const cv_os_inputs *extra, cv_os_result *r)
{
	cv_vm_config vm;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_vm_config_parse(vm_text, strlen(vm_text), &vm, &d);
	if (e != CV_OK) {
		memset(r, 0, sizeof *r);
		r->diag = d;
		cv_vm_config_free(&vm);
		return e;
	}
	if (mutate)
		mutate(&vm);
	cv_os_inputs in;
	if (extra)
		in = *extra;
	else
		memset(&in, 0, sizeof in);
	in.vm = &vm;
	in.log = log;
	in.quote_mrtd = q_mrtd();
	for (int i = 0; i < 3; i++)
		in.quote_rtmr[i] = q_rtmr(i);
	e = cv_os_image_compute(&in, r, NULL);
	cv_vm_config_free(&vm);
	return e;
}

/* vm_config text with one member replaced (JSON value text), via cJSON. */
static char *vm_with(const char *key, const char *value_json)
{
	cJSON *o = cJSON_Parse(g_vm_text);
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (value_json)
		cJSON_AddItemToObject(o, key, cJSON_Parse(value_json));
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void test_capture_verifies(void)
{
	cv_os_result r;
	cv_err e = run(g_vm_text, NULL, &g_log, NULL, &r);
	CHECK(e == CV_OK);
	if (e != CV_OK)
		fprintf(stderr, "capture: %s: %s\n", cv_err_name(e), r.diag.msg);
	CHECK(r.verified == 1);
	CHECK(r.source == CV_OS_SOURCE_INLINE);
	CHECK_STR(cv_os_source_name(r.source), "inline");
	CHECK_STR(hex(r.image_hash, 32), "e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db");
	CHECK(r.has_claimed_image_hash && memcmp(r.claimed_image_hash, r.image_hash, 32) == 0);
	/* The RTMR3 event is what the KMS returned: kept apart, never merged. */
	CHECK(r.has_event_image_hash && r.event_image_hash_len == 32);
	CHECK(strncmp(hex(r.event_image_hash, r.event_image_hash_len), "07a2388c", 8) == 0);
	CHECK(memcmp(r.event_image_hash, r.image_hash, 32) != 0);
	CHECK_STR(cv_os_mrtd_candidate_name(r.mrtd_candidate), "two_pass");
	CHECK(r.acpi_verified == 0);
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(g_inter, "expected");
	const char *keys[4] = { "mrtd(two_pass)", "rtmr0", "rtmr1", "rtmr2" };
	for (int i = 0; i < CV_OS_REG_COUNT; i++) {
		CHECK(r.reg[i].match);
		CHECK_STR(hex(r.reg[i].expected, 48), str(exp, keys[i]));
		CHECK_STR(hex(r.reg[i].actual, 48), str(exp, keys[i]));
	}
	const cJSON *logs = cJSON_GetObjectItemCaseSensitive(g_inter, "expected_logs");
	CHECK_STR(hex(r.td_hob_hash, 48), cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(logs, "rtmr0"), 0)->valuestring);

	/* Decisions: no catalog, no allow-list: verified which image, not that it is good. */
	cv_os_decision dec;
	cv_os_policy pol = { NULL, 0, 0 };
	cv_os_image_decide(&r, &pol, &dec);
	CHECK(dec.status == CV_WARN && dec.code == CV_OS_IMAGE_UNLISTED);
	CHECK(strstr(dec.msg, "e6f5cfec") && strstr(dec.msg, "not that it is a good one"));
	uint8_t allow[1][32];
	memcpy(allow[0], r.image_hash, 32);
	pol.allow = (const uint8_t(*)[32])allow;
	pol.n_allow = 1;
	cv_os_image_decide(&r, &pol, &dec);
	CHECK(dec.status == CV_PASS && dec.code == CV_OK && strstr(dec.msg, "allowed by the caller"));
}

static void test_catalog(void)
{
	cv_vm_config vm;
	cv_diag d;
	cv_diag_clear(&d);
	CHECK(cv_vm_config_parse(g_vm_text, strlen(g_vm_text), &vm, &d) == CV_OK);
	/* A catalog entry carrying the manifest, for a vm_config without an inline one. */
	cJSON *vmj = cJSON_Parse(g_vm_text);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(vmj, "tdx_measurement");
	const char *b64cs = str(t, "checksum_file"), *b64m = str(t, "measurement");
	char entry_text[4096];
	for (int dev = 0; dev < 3; dev++) {
		cv_format(entry_text, sizeof entry_text,
			"{\"os_image_hash\":\"e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db\","
			"\"name\":\"dstack\",\"version\":\"0.6.0\",\"dev\":%s,\"source\":\"test\","
			"\"manifest\":{\"checksum_file\":\"%s\",\"measurement\":\"%s\"}}",
			dev == 0 ? "false" : dev == 1 ? "true" : "null", b64cs, b64m);
		cJSON *ej = cJSON_Parse(entry_text);
		cv_os_catalog_entry ce;
		CHECK(cv_os_catalog_entry_parse(ej, &ce, &d) == CV_OK);
		cJSON_Delete(ej);
		char *vm_text = vm_with("tdx_measurement", NULL);
		cv_os_inputs in;
		memset(&in, 0, sizeof in);
		in.catalog = &ce;
		cv_os_result r;
		CHECK(run(vm_text, NULL, &g_log, &in, &r) == CV_OK);
		CHECK(r.source == CV_OS_SOURCE_CATALOG && r.listed && r.dev == (dev == 2 ? -1 : dev));
		CHECK_STR(r.name, "dstack");
		cv_os_decision dec;
		cv_os_policy pol = { NULL, 0, 0 };
		cv_os_image_decide(&r, &pol, &dec);
		if (dev == 0)
			CHECK(dec.status == CV_PASS && strstr(dec.msg, "dstack 0.6.0") && strstr(dec.msg, "production"));
		else if (dev == 1)
			CHECK(dec.status == CV_FAIL && dec.code == CV_OS_IMAGE_DEV && strstr(dec.msg, "development image"));
		else
			CHECK(dec.status == CV_WARN && dec.code == CV_OS_IMAGE_UNLISTED);
		/* A catalogued manifest for another hash than vm_config claims. */
		ce.os_image_hash[0] ^= 1;
		CHECK(run(vm_text, NULL, &g_log, &in, &r) == CV_OS_MANIFEST_INVALID);
		CHECK(strstr(r.diag.msg, "catalogued manifest is for os_image_hash") != NULL);
		free(vm_text);
		cv_os_catalog_entry_free(&ce);
	}
	/* A supplied manifest takes precedence; without vm_config it cannot be applied. */
	cv_os_inputs in;
	memset(&in, 0, sizeof in);
	in.supplied_checksum_file = (cv_bytes){ vm.checksum_file, vm.checksum_len };
	in.supplied_measurement = (cv_bytes){ vm.measurement, vm.measurement_len };
	cv_os_result r;
	CHECK(run(g_vm_text, NULL, &g_log, &in, &r) == CV_OK && r.source == CV_OS_SOURCE_SUPPLIED);
	in.log = &g_log;
	in.quote_mrtd = q_mrtd();
	CHECK(cv_os_image_compute(&in, &r, NULL) == CV_OS_IMAGE_UNVERIFIED);
	CHECK(strstr(r.diag.msg, "no vm_config") != NULL);
	cJSON *bad = cJSON_Parse("{\"os_image_hash\":\"00\"}");
	cv_os_catalog_entry ce;
	CHECK(cv_os_catalog_entry_parse(bad, &ce, &d) == CV_REQUEST_MALFORMED);
	cv_os_catalog_entry_free(&ce);
	cJSON_Delete(bad);
	cJSON_Delete(vmj);
	cv_vm_config_free(&vm);
}

/* ---- the vectors README's mutations ---- */

static void flip_cbor(cv_vm_config *vm) { vm->measurement[vm->measurement_len / 2] ^= 1; }
static void flip_checksum(cv_vm_config *vm) { vm->checksum_file[3] ^= 1; }

static void expect_fail(const char *label, cv_err got, const cv_os_result *r, cv_err code, const char *needle)
{
	if (got != code || !strstr(r->diag.msg, needle)) {
		fprintf(stderr, "%s: got %s \"%s\", expected %s with \"%s\"\n", label, cv_err_name(got), r->diag.msg,
			cv_err_name(code), needle);
		CHECK(0);
	} else {
		CHECK(1);
	}
	CHECK(!r->verified);
	/* Every failure is a failing os.image check. */
	cv_os_decision dec;
	cv_os_image_decide(r, NULL, &dec);
	CHECK(dec.status == CV_FAIL && dec.code == code);
}

static void test_mutations(void)
{
	cv_os_result r;
	char *t;
	t = vm_with("memory_size", "2147487744"); /* 2 GiB + 4 KiB */
	expect_fail("memory gate", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
		"vm_config.memory_size 2147487744 is neither 2 GiB nor at least 2.75 GiB");
	free(t);
	t = vm_with("memory_size", "4294967296");
	expect_fail("4 GiB", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_IMAGE_MISMATCH, "RTMR0 differs: expected");
	CHECK(r.reg[0].match && !r.reg[1].match && r.reg[2].match && r.reg[3].match);
	free(t);
	t = vm_with("qemu_version", "\"9.2.0\"");
	expect_fail("qemu 9.2.0", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_IMAGE_MISMATCH, "MRTD differs: expected a6f2ac94");
	CHECK(r.mrtd_candidate == CV_OS_MRTD_SINGLE_PASS);
	free(t);
	/* The inverted flag: true selects two-pass, so 9.2.0 + true verifies, 8.2.2 + false does not. */
	cJSON *o = cJSON_Parse(g_vm_text);
	cJSON_ReplaceItemInObject(o, "qemu_version", cJSON_CreateString("9.2.0"));
	cJSON_AddItemToObject(o, "qemu_single_pass_add_pages", cJSON_CreateTrue());
	t = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	CHECK(run(t, NULL, &g_log, NULL, &r) == CV_OK && r.mrtd_candidate == CV_OS_MRTD_TWO_PASS);
	free(t);
	t = vm_with("qemu_single_pass_add_pages", "false");
	expect_fail("single pass flag", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_IMAGE_MISMATCH, "MRTD differs");
	free(t);
	const char *bad_versions[] = { "\"8.2\"", "\"8.2.2.1\"", "\"\"", "\"8.2.x\"", "\" 8.2.2\"", "\"8.2.-1\"" };
	for (size_t i = 0; i < sizeof bad_versions / sizeof *bad_versions; i++) {
		t = vm_with("qemu_version", bad_versions[i]);
		expect_fail(bad_versions[i], run(t, NULL, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
			"vm_config.qemu_version is not a version of the form X.Y.Z");
		free(t);
	}
	t = vm_with("qemu_version", "\"+8.02.2\""); /* Rust's u32 parser accepts these */
	CHECK(run(t, NULL, &g_log, NULL, &r) == CV_OK);
	free(t);
	t = vm_with("qemu_version", "\"7.2.0\"");
	expect_fail("qemu 7", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID, "below 8.0.0");
	free(t);
	t = vm_with("qemu_version", "null"); /* null: 9.1.0, single pass */
	expect_fail("qemu null", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_IMAGE_MISMATCH, "MRTD differs");
	free(t);

	/* One byte of an ACPI digest. */
	cv_eventlog log = g_log;
	cv_event *ev = malloc(g_log.n * sizeof *ev);
	memcpy(ev, g_log.ev, g_log.n * sizeof *ev);
	log.ev = ev;
	for (size_t i = 0; i < log.n; i++)
		if (strcmp(ev[i].name, "acpi-rsdp") == 0)
			ev[i].digest[5] ^= 0x40;
	expect_fail("acpi digest", run(g_vm_text, NULL, &log, NULL, &r), &r, CV_OS_IMAGE_MISMATCH, "RTMR0 differs");
	memcpy(ev, g_log.ev, g_log.n * sizeof *ev);
	for (size_t i = 0; i < log.n; i++)
		if (strcmp(ev[i].name, "acpi-tables") == 0)
			ev[i].type = 4;
	expect_fail("2 acpi events", run(g_vm_text, NULL, &log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
		"The event log has 2 \"ACPI DATA\" events");
	memcpy(ev, g_log.ev, g_log.n * sizeof *ev);
	char renamed[] = "acpi-loader";
	for (size_t i = 0; i < log.n; i++)
		if (strcmp(ev[i].name, "acpi-tables") == 0)
			ev[i].name = renamed;
	expect_fail("acpi names", run(g_vm_text, NULL, &log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
		"two \"acpi-loader\" ACPI events");
	free(ev);

	expect_fail("cbor byte", run(g_vm_text, flip_cbor, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
		"measurement.tdx.cbor hashes to");
	expect_fail("checksum byte", run(g_vm_text, flip_checksum, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
		"not to the os_image_hash e6f5cfec");

	/* Mistyped bound fields fail; unbound ones are not read. */
	t = vm_with("memory_size", "\"2G\"");
	expect_fail("memory type", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID,
		"vm_config.memory_size is not a whole number");
	free(t);
	t = vm_with("ovmf_variant", "\"post202505\"");
	expect_fail("ovmf", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID, "vm_config.ovmf_variant");
	free(t);
	t = vm_with("tdx_measurement", "{\"checksum_file\":\"!!\",\"measurement\":\"\"}");
	expect_fail("base64", run(t, NULL, &g_log, NULL, &r), &r, CV_OS_MANIFEST_INVALID, "is not valid base64");
	free(t);
	t = vm_with("cpu_count", "\"many\"");
	CHECK(run(t, NULL, &g_log, NULL, &r) == CV_OK);
	free(t);
	CHECK(cv_vm_config_field_is_bound("memory_size") && !cv_vm_config_field_is_bound("cpu_count"));
	/* A nested vm_config string is parsed instead (dstack's fallback). */
	cJSON *wrap = cJSON_CreateObject();
	cJSON_AddStringToObject(wrap, "vm_config", g_vm_text);
	t = cJSON_PrintUnformatted(wrap);
	cJSON_Delete(wrap);
	CHECK(run(t, NULL, &g_log, NULL, &r) == CV_OK);
	free(t);
	/* A host that names a dev image is believed (only ever to fail). */
	t = vm_with("image", "\"dstack-dev-0.6.0\"");
	CHECK(run(t, NULL, &g_log, NULL, &r) == CV_OK && r.dev_claimed_by_host);
	cv_os_decision dec;
	cv_os_image_decide(&r, NULL, &dec);
	CHECK(dec.status == CV_FAIL && dec.code == CV_OS_IMAGE_DEV);
	free(t);
}

static void test_unverified_and_expected(void)
{
	cv_os_result r;
	char *t = vm_with("tdx_measurement", NULL);
	CHECK(run(t, NULL, &g_log, NULL, &r) == CV_OS_IMAGE_UNVERIFIED);
	CHECK(strstr(r.diag.msg, "the compose hash is only as trustworthy as this unverified OS") != NULL);
	cv_os_decision dec;
	cv_os_policy pol = { NULL, 0, 0 };
	cv_os_image_decide(&r, &pol, &dec);
	CHECK(dec.status == CV_WARN && dec.code == CV_OS_IMAGE_UNVERIFIED);
	pol.require_verified = 1;
	cv_os_image_decide(&r, &pol, &dec);
	CHECK(dec.status == CV_FAIL && dec.code == CV_OS_IMAGE_UNVERIFIED);

	/* All four registers pinned: verified by expectation; three are not enough. */
	cv_os_inputs in;
	memset(&in, 0, sizeof in);
	in.expect_mrtd = q_mrtd();
	in.expect_rtmr[0] = q_rtmr(0);
	in.expect_rtmr[1] = q_rtmr(1);
	CHECK(run(t, NULL, &g_log, &in, &r) == CV_OS_IMAGE_UNVERIFIED);
	in.expect_rtmr[2] = q_rtmr(2);
	CHECK(run(t, NULL, &g_log, &in, &r) == CV_OK && r.source == CV_OS_SOURCE_EXPECTED && r.verified);
	cv_os_image_decide(&r, &pol, &dec);
	CHECK(dec.status == CV_PASS && strstr(dec.msg, "verified by expectation"));
	uint8_t wrong[48];
	memcpy(wrong, q_rtmr(1), 48);
	wrong[47] ^= 1;
	in.expect_rtmr[1] = wrong;
	expect_fail("pinned rtmr1", run(t, NULL, &g_log, &in, &r), &r, CV_OS_IMAGE_MISMATCH,
		"RTMR1 differs: expected");
	CHECK(strstr(r.diag.msg, "pinned by the caller") != NULL);
	free(t);
	/* Nothing at all (the NEAR sample's case: no vm_config). */
	memset(&in, 0, sizeof in);
	CHECK(cv_os_image_compute(&in, &r, NULL) == CV_OS_IMAGE_UNVERIFIED);
	CHECK(strstr(r.diag.msg, "No vm_config") != NULL);
	/* A vm_config that is present but broken fails rather than being ignored. */
	cv_vm_config bad;
	cv_diag vd;
	cv_diag_clear(&vd);
	CHECK(cv_vm_config_parse("{\"memory_size\":\"big\"}", 21, &bad, &vd) == CV_OS_MANIFEST_INVALID);
	memset(&in, 0, sizeof in);
	in.vm_error = &vd;
	CHECK(cv_os_image_compute(&in, &r, NULL) == CV_OS_MANIFEST_INVALID && strstr(r.diag.msg, "memory_size"));
	cv_vm_config_free(&bad);
	const char *dup = "{\"memory_size\":2147483648,\"memory_size\":4294967296}";
	CHECK(cv_vm_config_parse(dup, strlen(dup), &bad, &vd) == CV_OS_MANIFEST_INVALID && strstr(vd.msg, "memory_size twice"));
	cv_vm_config_free(&bad);
	CHECK(cv_vm_config_parse("[1]", 3, &bad, &vd) == CV_OS_MANIFEST_INVALID && strstr(vd.msg, "not a JSON object"));
	cv_vm_config_free(&bad);
	/* No event log: RTMR0 cannot be recomputed. */
	CHECK(run(g_vm_text, NULL, NULL, NULL, &r) == CV_OS_IMAGE_UNVERIFIED && strstr(r.diag.msg, "event log"));
}

/* The NEAR MPC sample (dstack 0.5.x, tests/vectors/dstack/near-mpc_*): no vm_config, no manifest. */
static void test_near_sample(void)
{
	cJSON *q = load_json(VEC "near-mpc_quote.json"), *tcb = load_json(VEC "near-mpc_tcb_info.json");
	static uint8_t quote[8192];
	size_t n = 0;
	for (const cJSON *c = q ? q->child : NULL; c && n < sizeof quote; c = c->next)
		quote[n++] = (uint8_t)c->valuedouble;
	CHECK(n > 48 + 520);
	cv_eventlog log;
	cv_diag d;
	cv_diag_clear(&d);
	CHECK(cv_eventlog_parse(cJSON_GetObjectItemCaseSensitive(tcb, "event_log"), &log, &d) == CV_OK);
	cv_os_inputs in;
	memset(&in, 0, sizeof in);
	in.log = &log;
	in.quote_mrtd = quote + 48 + 136;
	for (int i = 0; i < 3; i++)
		in.quote_rtmr[i] = quote + 48 + 328 + 48 * i;
	cv_os_result r;
	cv_os_decision dec;
	CHECK(cv_os_image_compute(&in, &r, NULL) == CV_OS_IMAGE_UNVERIFIED);
	cv_os_image_decide(&r, NULL, &dec);
	CHECK(dec.status == CV_WARN && dec.code == CV_OS_IMAGE_UNVERIFIED &&
		strstr(dec.msg, "the compose hash is only as trustworthy as this unverified OS"));
	/* Pinned to tcb_info's published values (which equal the quote's): verified by expectation. */
	uint8_t pins[4][48];
	const char *names[4] = { "mrtd", "rtmr0", "rtmr1", "rtmr2" };
	for (int i = 0; i < 4; i++)
		CHECK(cv_hex_decode(str(tcb, names[i]), 96, pins[i], 48) == 48);
	in.expect_mrtd = pins[0];
	for (int i = 0; i < 3; i++)
		in.expect_rtmr[i] = pins[i + 1];
	CHECK(cv_os_image_compute(&in, &r, NULL) == CV_OK && r.source == CV_OS_SOURCE_EXPECTED);
	CHECK(!r.has_image_hash && !r.has_event_image_hash); /* 0.5.x logs carry no os-image-hash event */
	cv_os_image_decide(&r, NULL, &dec);
	CHECK(dec.status == CV_PASS && strstr(dec.msg, "verified by expectation"));
	cv_eventlog_free(&log);
	cJSON_Delete(q);
	cJSON_Delete(tcb);
}

static void test_td_hob_intermediates(void)
{
	const cJSON *hobs = cJSON_GetObjectItemCaseSensitive(g_inter, "td_hob");
	const char *w = str(cJSON_GetObjectItemCaseSensitive(g_inter, "cbor_decoded"), "td_hob_witness");
	uint8_t witness[64], hob[CV_TDHOB_MAX_LEN], h[48];
	size_t wl = cv_hex_decode(w, strlen(w), witness, sizeof witness), n = 0, len;
	CHECK(wl == 12);
	for (const cJSON *c = hobs ? hobs->child : NULL; c; c = c->next, n++) {
		uint64_t mem = strtoull(c->string, NULL, 16);
		cv_diag d;
		cv_diag_clear(&d);
		CHECK(cv_td_hob_build(witness, wl, mem, hob, sizeof hob, &len, &d) == CV_OK);
		CHECK_STR(hex(hob, len), str(c, "bytes"));
		cv_sha384(hob, len, h);
		CHECK_STR(hex(h, 48), str(c, "sha384"));
	}
	CHECK(n == 5);
}

static void test_td_hob_errors(void)
{
	uint8_t hob[CV_TDHOB_MAX_LEN];
	size_t len;
	cv_diag d;
	struct { const char *hex, *needle; } cases[] = {
		{ "801009040006", "ends inside a number" },
		{ "8010090400060902", "ends inside a number" },
		{ "80100904000609020b02101000", "1 bytes left over" },
		{ "ffffffffffffffffffff00", "longer than 64 bits" },            /* 10 bytes with a continuation */
		{ "ffffffffffffffffff7f0000", "overflows 64 bits in the TD HOB address" }, /* 10 bytes: fine, then too large */
		{ "ffffffffffffffff7f0000", "overflows 64 bits in the TD HOB address" },
		{ "0000018080808080808080800100", "overflows 64 bits in a memory range" },
		{ "000041", "lists 65 memory ranges" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint8_t w[64];
		size_t wl = cv_hex_decode(cases[i].hex, strlen(cases[i].hex), w, sizeof w);
		cv_diag_clear(&d);
		cv_err e = cv_td_hob_build(w, wl, 0x80000000ull, hob, sizeof hob, &len, &d);
		if (e != CV_OS_MANIFEST_INVALID || !strstr(d.msg, cases[i].needle)) {
			fprintf(stderr, "witness %s: %s \"%s\"\n", cases[i].hex, cv_err_name(e), d.msg);
			CHECK(0);
		} else {
			CHECK(1);
		}
	}
	/* The most ranges a witness may carry fit the buffer (each range splits one more). */
	uint8_t w[3 + 2 * CV_TDHOB_MAX_RANGES];
	w[0] = 0; w[1] = 0; w[2] = CV_TDHOB_MAX_RANGES;
	for (int i = 0; i < CV_TDHOB_MAX_RANGES; i++) {
		w[3 + 2 * i] = (uint8_t)(2 * i + 1);
		w[4 + 2 * i] = 1;
	}
	CHECK(cv_td_hob_build(w, sizeof w, 0xB0000000ull, hob, sizeof hob, &len, &d) == CV_OK);
	CHECK(len == 56 + 48 * (2 * CV_TDHOB_MAX_RANGES + 2));
}

static void test_sha256sum(void)
{
	uint8_t h[32];
	cv_diag d;
	const char *hx = "8c9e955f0b577cc8945a891a34ccfa5b8e08bb5e5d249992603e64dd14870e3c";
	char t[512];
	cv_format(t, sizeof t, "\r\n  %s  measurement.tdx.cbor\r\nabcd  other extra\n\n", hx);
	CHECK(cv_sha256sum_lookup((const uint8_t *)t, strlen(t), "measurement.tdx.cbor", h, &d) == CV_OK);
	CHECK_STR(hex(h, 32), hx);
	struct { const char *fmt, *needle; } bad[] = {
		{ "%s *measurement.tdx.cbor\n", "has no line for" },
		{ "%s  measurement.tdx.cbor\n%s  measurement.tdx.cbor\n", "twice" },
		{ "%s  measurement.tdx.cbor\nlonely\n", "Line 2 of the manifest's sha256sum.txt has a hash but no file name" },
		{ "0x%s  measurement.tdx.cbor\n", "64 hex digits" },
		{ "%s  measurement.tdx.cbor \xc2\xa0\n", "not ASCII" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cv_format(t, sizeof t, bad[i].fmt, hx, hx);
		cv_diag_clear(&d);
		cv_err e = cv_sha256sum_lookup((const uint8_t *)t, strlen(t), "measurement.tdx.cbor", h, &d);
		CHECK(e == CV_OS_MANIFEST_INVALID && strstr(d.msg, bad[i].needle));
	}
}

static void test_cbor(void)
{
	cv_vm_config vm;
	cv_diag d;
	CHECK(cv_vm_config_parse(g_vm_text, strlen(g_vm_text), &vm, &d) == CV_OK);
	cv_os_measurement m;
	CHECK(vm.measurement_len == 384);
	CHECK(cv_os_measurement_decode(vm.measurement, vm.measurement_len, &m, &d) == CV_OK);
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(g_inter, "cbor_decoded");
	CHECK_STR(hex(m.cmdline_sha384.ptr, m.cmdline_sha384.len), str(dec, "cmdline_sha384"));
	CHECK_STR(hex(m.kernel_authenticode.ptr, m.kernel_authenticode.len), str(dec, "kernel_authenticode"));
	CHECK_STR(hex(m.initrd_sha384.ptr, m.initrd_sha384.len), str(dec, "initrd_sha384"));
	CHECK_STR(hex(m.mrtd_single_pass.ptr, m.mrtd_single_pass.len), str(dec, "mrtd_single_pass"));
	CHECK_STR(hex(m.mrtd_two_pass.ptr, m.mrtd_two_pass.len), str(dec, "mrtd_two_pass"));
	CHECK_STR(hex(m.td_hob.ptr, m.td_hob.len), str(dec, "td_hob_witness"));

	/* Every strict-reader rule on the real bytes. */
	uint8_t b[512];
	size_t n = vm.measurement_len;
	struct { size_t off; uint8_t val; const char *needle; } muts[] = {
		{ 0, 0x83, "top level (not a map)" },                 /* an array */
		{ 0, 0xbf, "malformed at the top level" },            /* an indefinite-length map */
		{ 9, 0x04, "is version 4" },
		{ 9, 0xc3, "malformed at version" },                  /* a tag */
		{ 9, 0x18, "is version 101" },                        /* a 1-byte argument: the next key's head is read as the value */
		{ 8, 'N', "has no field version" },                   /* "versioN": unknown, skipped; version missing */
		{ 11, 0x66, "has no field image" },                   /* "image" read as a 6-byte text, so the map breaks */
		{ 0, 0xa4, "malformed at the top level" },            /* one pair more than there is */
	};
	for (size_t i = 0; i < sizeof muts / sizeof *muts; i++) {
		memcpy(b, vm.measurement, n);
		b[muts[i].off] = muts[i].val;
		cv_diag_clear(&d);
		cv_err e = cv_os_measurement_decode(b, n, &m, &d);
		if (e != CV_OS_MANIFEST_INVALID || !strstr(d.msg, muts[i].needle)) {
			fprintf(stderr, "cbor mutation %zu: %s \"%s\"\n", i, cv_err_name(e), d.msg);
			CHECK(0);
		}
	}
	memcpy(b, vm.measurement, n);
	b[n] = 0;
	CHECK(cv_os_measurement_decode(b, n + 1, &m, &d) == CV_OS_MANIFEST_INVALID && strstr(d.msg, "1 bytes after its end"));
	for (size_t cut = 0; cut < n; cut++)
		CHECK(cv_os_measurement_decode(vm.measurement, cut, &m, &d) == CV_OS_MANIFEST_INVALID);
	static const uint8_t dup[] = { 0xa2, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x03, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x03 };
	CHECK(cv_os_measurement_decode(dup, sizeof dup, &m, &d) == CV_OS_MANIFEST_INVALID && strstr(d.msg, "twice"));
	/* The skipper: nesting bound, indefinite lengths and tags inside unknown values. */
	static const uint8_t deep[] = { 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00 };
	static const uint8_t ok[] = { 0x82, 0xa1, 0x61, 'a', 0x20, 0xf9, 0x3c, 0x00 };
	static const uint8_t indef[] = { 0x5f, 0x41, 0x00, 0xff };
	static const uint8_t tag[] = { 0xc2, 0x41, 0x00 };
	cv_cbor c;
	cv_cbor_init(&c, deep, sizeof deep);
	CHECK(cv_cbor_skip(&c) != 0);
	cv_cbor_init(&c, ok, sizeof ok);
	CHECK(cv_cbor_skip(&c) == 0 && c.pos == sizeof ok);
	cv_cbor_init(&c, indef, sizeof indef);
	CHECK(cv_cbor_skip(&c) != 0);
	cv_cbor_init(&c, tag, sizeof tag);
	CHECK(cv_cbor_skip(&c) != 0);
	cv_vm_config_free(&vm);
}

/* The shipped catalog (js/os-catalog.js: a JSON object after "OS_CATALOG ="): every entry parses and
 * every manifest authenticates by its key. */
static void test_shipped_catalog(void)
{
	size_t n;
	char *js = (char *)check_read_file("../js/os-catalog.js", &n);
	CHECK(js != NULL);
	if (!js)
		return;
	char *a = strstr(js, "OS_CATALOG = {"), *b = strrchr(js, '}');
	CHECK(a && b && b > a);
	if (!a || !b) {
		free(js);
		return;
	}
	a += strlen("OS_CATALOG = ");
	cJSON *cat = cJSON_ParseWithLength(a, (size_t)(b - a) + 1);
	CHECK_STR(str(cat, "format"), "cvm-verify/os-catalog/v1");
	const cJSON *images = cJSON_GetObjectItemCaseSensitive(cat, "images");
	size_t count = 0;
	for (const cJSON *e = images ? images->child : NULL; e; e = e->next, count++) {
		cv_os_catalog_entry ce;
		cv_diag d;
		cv_diag_clear(&d);
		CHECK(cv_os_catalog_entry_parse(e, &ce, &d) == CV_OK);
		CHECK(str(e, "source") && strlen(str(e, "source")) > 20);
		if (ce.checksum_file) {
			uint8_t h[32];
			cv_os_measurement m;
			CHECK(cv_os_manifest_open(ce.checksum_file, ce.checksum_len, ce.measurement, ce.measurement_len,
				ce.os_image_hash, h, &m, &d) == CV_OK);
		}
		cv_os_catalog_entry_free(&ce);
	}
	CHECK(count >= 1);
	cJSON_Delete(cat);
	free(js);
}

/* The report sections, on the capture. */
static void test_report_sections(void)
{
	cv_vm_config vm;
	cv_diag d;
	CHECK(cv_vm_config_parse(g_vm_text, strlen(g_vm_text), &vm, &d) == CV_OK);
	cv_os_inputs in;
	memset(&in, 0, sizeof in);
	in.vm = &vm;
	in.log = &g_log;
	in.quote_mrtd = q_mrtd();
	for (int i = 0; i < 3; i++)
		in.quote_rtmr[i] = q_rtmr(i);
	cv_os_result r;
	CHECK(cv_os_image_compute(&in, &r, NULL) == CV_OK);
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_key(&w, "os");
	cv_os_write_json(&w, &r);
	jw_key(&w, "vm_config");
	cv_vm_config_write_json(&w, &vm, &r);
	jw_obj_end(&w);
	size_t len;
	char *out = jw_take(&w, &len);
	cJSON *j = cJSON_ParseWithLength(out, len);
	const cJSON *os = cJSON_GetObjectItemCaseSensitive(j, "os");
	CHECK_STR(str(os, "image_hash"), "e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db");
	CHECK(strncmp(str(os, "event_image_hash") ? str(os, "event_image_hash") : "", "07a2388c", 8) == 0);
	CHECK_STR(str(os, "source"), "inline");
	CHECK_STR(str(os, "mrtd_candidate"), "two_pass");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(os, "verified")));
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(os, "acpi_verified")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(os, "dev")));
	const cJSON *regs = cJSON_GetObjectItemCaseSensitive(os, "registers");
	CHECK(cJSON_GetArraySize(regs) == 4);
	const cJSON *r1 = cJSON_GetArrayItem(regs, 1);
	CHECK_STR(str(r1, "name"), "RTMR0");
	CHECK_STR(str(r1, "expected"), str(r1, "actual"));
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r1, "match")));
	const cJSON *vmj = cJSON_GetObjectItemCaseSensitive(j, "vm_config");
	CHECK_STR(str(vmj, "supplied_by"), "host");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(vmj, "fields");
	CHECK(cJSON_GetObjectItemCaseSensitive(f, "cpu_count")->valuedouble == 2);
	CHECK_STR(str(cJSON_GetObjectItemCaseSensitive(f, "tdx_measurement"), "checksum_file_sha256"),
		"e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(vmj, "verified");
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(vmj, "bound")) == 5); /* no qemu_single_pass_add_pages */
	CHECK(cJSON_GetArraySize(ver) == 4);
	for (const cJSON *c = ver ? ver->child : NULL; c; c = c->next)
		CHECK(strcmp(c->valuestring, "qemu_version") != 0 && strcmp(c->valuestring, "cpu_count") != 0);
	cJSON_Delete(j);
	free(out);
	cv_vm_config_free(&vm);
}

int main(void)
{
	if (!load()) {
		fprintf(stderr, "cannot load the vectors\n");
		return 1;
	}
	test_capture_verifies();
	test_catalog();
	test_mutations();
	test_unverified_and_expected();
	test_near_sample();
	test_td_hob_intermediates();
	test_td_hob_errors();
	test_sha256sum();
	test_cbor();
	test_shipped_catalog();
	test_report_sections();
	cv_eventlog_free(&g_log);
	cJSON_Delete(g_capture);
	cJSON_Delete(g_inter);
	return check_report("os_image");
}
