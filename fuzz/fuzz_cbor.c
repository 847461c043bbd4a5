/*
 * The OS image manifest readers (issue 14): src/cbor.c's strict CBOR reader through
 * cv_os_measurement_decode, the sha256sum.txt lookup, the TD HOB witness (src/tdhob.c), and the
 * whole MRTD/RTMR0..2 recomputation with the os.image decision and report sections.
 *
 * The first input byte picks a mode; the rest is:
 *   0  raw CBOR for cv_os_measurement_decode and cv_cbor_skip
 *   1  patches (offset, value) pairs applied to the real manifest CBOR of
 *      tests/vectors/dstack/dstack-lite_getquote.json, then the whole computation on the capture
 *      with a sha256sum.txt made to match (so the fuzzer starts deep, not at the hash check)
 *   2  a TD HOB witness after an 8-byte little-endian memory size
 *   3  sha256sum.txt text for cv_sha256sum_lookup
 *   4  vm_config JSON text, then the whole computation with it on the capture's log and quote
 * Oracles: every decoded range lies inside the input; a TD HOB is 56 + 48*k bytes and within the
 * buffer; the computation returns only its four documented codes, each with a sentence; the decision
 * and both report sections never fail and write valid UTF-8 JSON; the unmutated capture verifies.
 */
#include "fuzz_common.h"

#include "cbor.h"
#include "crypto.h"
#include "eventlog.h"
#include "os_image.h"
#include "os_manifest.h"
#include "os_report.h"
#include "tdhob.h"
#include "util.h"

static cv_vm_config g_vm;
static cv_eventlog g_log;
static uint8_t g_quote[8192];
static size_t g_quote_len;
static int g_ready;

static void load(void)
{
	size_t n;
	uint8_t *b = fuzz_load_vector("dstack/dstack-lite_getquote.json", &n);
	cJSON *j = cJSON_ParseWithLength((const char *)b, n);
	free(b);
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(j, "quote");
	const cJSON *vm = cJSON_GetObjectItemCaseSensitive(j, "vm_config");
	cv_diag d;
	FUZZ_ASSERT(cJSON_IsString(q) && cJSON_IsString(vm));
	g_quote_len = cv_hex_decode(q->valuestring, strlen(q->valuestring), g_quote, sizeof g_quote);
	FUZZ_ASSERT(g_quote_len != (size_t)-1 && g_quote_len > 48 + 520);
	FUZZ_ASSERT(cv_vm_config_parse(vm->valuestring, strlen(vm->valuestring), &g_vm, &d) == CV_OK);
	FUZZ_ASSERT(cv_eventlog_parse(cJSON_GetObjectItemCaseSensitive(j, "event_log"), &g_log, &d) == CV_OK);
	cJSON_Delete(j);
	g_vm.has_os_image_hash = 0; /* mode 1 supplies its own sha256sum.txt: the registers decide */
	g_ready = 1;
}

static void in_bounds(cv_bytes b, const uint8_t *buf, size_t len)
{
	FUZZ_ASSERT(b.ptr >= buf && b.len <= len && (size_t)(b.ptr - buf) <= len - b.len);
}

static void decode(const uint8_t *buf, size_t len)
{
	cv_os_measurement m;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_os_measurement_decode(buf, len, &m, &d);
	if (e == CV_OK) {
		cv_bytes all[] = { m.cmdline_sha384, m.kernel_authenticode, m.initrd_sha384, m.mrtd_single_pass,
			m.mrtd_two_pass, m.td_hob };
		for (size_t i = 0; i < sizeof all / sizeof *all; i++)
			in_bounds(all[i], buf, len);
	} else {
		FUZZ_ASSERT(e == CV_OS_MANIFEST_INVALID && d.msg[0]);
	}
	cv_cbor c;
	cv_cbor_init(&c, buf, len);
	if (cv_cbor_skip(&c) == 0)
		FUZZ_ASSERT(c.pos <= len);
}

static void write_sections(const cv_vm_config *vm, const cv_os_result *r)
{
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_key(&w, "os");
	cv_os_write_json(&w, r);
	jw_key(&w, "vm_config");
	cv_vm_config_write_json(&w, vm, r);
	jw_obj_end(&w);
	size_t n;
	char *out = jw_take(&w, &n);
	FUZZ_ASSERT(out && fuzz_utf8_ok(out, n));
	cJSON *j = cJSON_ParseWithLength(out, n);
	FUZZ_ASSERT(j != NULL);
	cJSON_Delete(j);
	free(out);
}

static void whole(const uint8_t *patches, size_t n)
{
	size_t len = g_vm.measurement_len;
	uint8_t *cbor = malloc(len);
	FUZZ_ASSERT(cbor);
	memcpy(cbor, g_vm.measurement, len);
	for (size_t i = 0; i + 1 < n; i += 2)
		cbor[patches[i] % len] = patches[i + 1];
	if (n & 1) /* an odd length also truncates */
		len -= patches[n - 1] % len;
	uint8_t h[32];
	char sums[128];
	cv_sha256(cbor, len, h);
	cv_hex_encode(h, 32, sums);
	memcpy(sums + 64, "  measurement.tdx.cbor\n", 24);

	cv_os_inputs in;
	memset(&in, 0, sizeof in);
	in.vm = &g_vm;
	in.log = &g_log;
	in.supplied_checksum_file = (cv_bytes){ (const uint8_t *)sums, strlen(sums) };
	in.supplied_measurement = (cv_bytes){ cbor, len };
	in.quote_mrtd = g_quote + 48 + 136;
	for (int i = 0; i < 3; i++)
		in.quote_rtmr[i] = g_quote + 48 + 328 + 48 * i;
	cv_os_result r;
	cv_err e = cv_os_image_compute(&in, &r, NULL);
	FUZZ_ASSERT(e == CV_OK || e == CV_OS_IMAGE_MISMATCH || e == CV_OS_MANIFEST_INVALID || e == CV_OS_IMAGE_UNVERIFIED);
	FUZZ_ASSERT(e == CV_OK ? r.verified : (!r.verified && r.diag.msg[0]));
	if (n == 0)
		FUZZ_ASSERT(e == CV_OK); /* the real capture, through the supplied path */
	cv_os_decision dec;
	cv_os_policy pol = { NULL, 0, n & 2 };
	cv_os_image_decide(&r, &pol, &dec);
	FUZZ_ASSERT(dec.msg[0] && (dec.status != 0 || dec.code == CV_OK));
	write_sections(&g_vm, &r);
	free(cbor);
}

static void td_hob(const uint8_t *data, size_t size)
{
	if (size < 8)
		return;
	uint64_t mem = cv_le64(data);
	uint8_t out[CV_TDHOB_MAX_LEN];
	size_t len = 0;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_td_hob_build(data + 8, size - 8, mem, out, sizeof out, &len, &d);
	if (e == CV_OK)
		FUZZ_ASSERT(len >= 56 + 48 && len <= sizeof out && (len - 56) % 48 == 0 && out[0] == 1);
	else
		FUZZ_ASSERT(e == CV_OS_MANIFEST_INVALID && d.msg[0]);
}

static void vm_config(const uint8_t *data, size_t size)
{
	cv_vm_config vm;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_vm_config_parse((const char *)data, size, &vm, &d);
	FUZZ_ASSERT(e == CV_OK || ((e == CV_OS_MANIFEST_INVALID || e == CV_OUT_OF_MEMORY) && d.msg[0]));
	cv_os_inputs in;
	memset(&in, 0, sizeof in);
	in.vm = e == CV_OK ? &vm : NULL;
	in.vm_error = e == CV_OK ? NULL : &d;
	in.log = &g_log;
	in.quote_mrtd = g_quote + 48 + 136;
	for (int i = 0; i < 3; i++)
		in.quote_rtmr[i] = g_quote + 48 + 328 + 48 * i;
	cv_os_result r;
	cv_err c = cv_os_image_compute(&in, &r, NULL);
	FUZZ_ASSERT(c == CV_OK ? r.verified : (!r.verified && r.diag.msg[0]));
	if (e != CV_OK)
		FUZZ_ASSERT(c == e);
	write_sections(e == CV_OK ? &vm : NULL, &r);
	cv_vm_config_free(&vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g_ready)
		load();
	if (size == 0)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] & 7) {
	case 0:
		decode(p, n);
		break;
	case 1:
		whole(p, n > 64 ? 64 : n);
		break;
	case 2:
		td_hob(p, n);
		break;
	case 4:
		vm_config(p, n);
		break;
	default: {
		uint8_t h[32];
		cv_diag d;
		cv_diag_clear(&d);
		cv_err e = cv_sha256sum_lookup(p, n, "measurement.tdx.cbor", h, &d);
		FUZZ_ASSERT(e == CV_OK || (e == CV_OS_MANIFEST_INVALID && d.msg[0]));
	}
	}
	return 0;
}
