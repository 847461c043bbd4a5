/*
 * OS image verification: vm_config, catalog entries, the MRTD/RTMR0..2
 * recomputation and the os.image decision (src/os_image.h;
 * shared/spec/os-image.md).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "evidence.h"
#include "os_image.h"
#include "tdhob.h"
#include "json.h"
#include "util.h"
#include "x509.h"

/* ---- vm_config ---- */

static const char *const k_bound[CV_VM_CONFIG_N_BOUND] = CV_VM_CONFIG_BOUND_FIELDS;

int cv_vm_config_field_is_bound(const char *name)
{
	for (size_t i = 0; i < CV_VM_CONFIG_N_BOUND; i++)
		if (strcmp(name, k_bound[i]) == 0)
			return 1;
	return 0;
}

static cv_err mistyped(cv_diag *d, const char *field, const char *want)
{
	return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config.%s is not %s.", field, want);
}

/* Decode a base64 member (cap CV_OS_MANIFEST_MAX_LEN) into a malloc'd buffer. */
static cv_err take_base64(const cJSON *o, const char *key, const char *where, uint8_t **out, size_t *out_len,
	cv_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsString(v))
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "%s.%s is not a base64 string.", where, key);
	size_t n = strlen(v->valuestring);
	if (n / 4 * 3 > CV_OS_MANIFEST_MAX_LEN)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "%s.%s is larger than %u bytes.", where, key,
			(unsigned)CV_OS_MANIFEST_MAX_LEN);
	size_t cap = n / 4 * 3 + 3;
	uint8_t *b = malloc(cap);
	if (!b)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory decoding %s.%s.", where, key);
	size_t got = cv_base64_decode(v->valuestring, n, b, cap);
	if (got == (size_t)-1) {
		free(b);
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "%s.%s is not valid base64.", where, key);
	}
	*out = b;
	*out_len = got;
	return CV_OK;
}

static int hex32(const char *s, uint8_t out[32])
{
	return strlen(s) == 64 && cv_hex_decode(s, 64, out, 32) == 32;
}

void cv_vm_config_free(cv_vm_config *vm)
{
	if (!vm)
		return;
	cJSON_Delete(vm->root);
	free(vm->checksum_file);
	free(vm->measurement);
	memset(vm, 0, sizeof *vm);
	vm->single_pass_add_pages = -1;
}

cv_err cv_vm_config_parse(const char *text, size_t len, cv_vm_config *vm, cv_diag *d)
{
	memset(vm, 0, sizeof *vm);
	vm->single_pass_add_pages = -1;
	vm->root = cv_json_parse_text(text, len);
	const cJSON *o = vm->root;
	/* dstack's decode_vm_config_with_fallback: a string member vm_config is parsed instead. */
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(o, "vm_config");
	if (cJSON_IsObject(o) && cJSON_IsString(inner)) {
		cJSON *again = cv_json_parse_text(inner->valuestring, strlen(inner->valuestring));
		cJSON_Delete(vm->root);
		vm->root = again;
		o = again;
	}
	if (!cJSON_IsObject(o))
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config is not a JSON object.");
	vm->obj = o;
	/* serde rejects a repeated field; a second value must not hide behind the first one read here. */
	size_t n_fields = 0;
	for (const cJSON *a = o->child; a; a = a->next) {
		if (++n_fields > CV_VM_CONFIG_MAX_FIELDS)
			return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config has more than %u fields.",
				(unsigned)CV_VM_CONFIG_MAX_FIELDS);
		for (const cJSON *b = o->child; b != a; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config has the field %s twice.", a->string);
	}
	const char *dup = cv_json_duplicate_key(o);
	if (dup)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config repeats the key %s.", dup);

	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "os_image_hash");
	if (v && !cJSON_IsString(v))
		return mistyped(d, "os_image_hash", "a hex string");
	if (v && v->valuestring[0]) {
		if (!hex32(v->valuestring, vm->os_image_hash))
			return mistyped(d, "os_image_hash", "64 hex digits");
		vm->has_os_image_hash = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "memory_size");
	if (v) {
		/* cJSON holds numbers as doubles: above 2^53 an integer may be off; no real VM is that large. */
		double x = cJSON_IsNumber(v) ? v->valuedouble : -1;
		if (!(x >= 0 && x < 9007199254740992.0) || x != (double)(uint64_t)x)
			return mistyped(d, "memory_size", "a whole number of bytes below 2^53");
		vm->memory_size = (uint64_t)x;
		vm->has_memory_size = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "qemu_version");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v))
			return mistyped(d, "qemu_version", "a string");
		vm->qemu_version = v->valuestring;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "qemu_single_pass_add_pages");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsBool(v))
			return mistyped(d, "qemu_single_pass_add_pages", "a boolean");
		vm->single_pass_add_pages = cJSON_IsTrue(v);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "ovmf_variant");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) || strcmp(v->valuestring, "pre202505") != 0)
			return mistyped(d, "ovmf_variant", "\"pre202505\", the only OVMF variant this verifier knows");
		vm->has_ovmf_variant = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "tdx_attestation_variant");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) || (strcmp(v->valuestring, "lite") != 0 && strcmp(v->valuestring, "legacy") != 0))
			return mistyped(d, "tdx_attestation_variant", "\"lite\" or \"legacy\"");
		vm->attestation_variant = v->valuestring;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "image");
	if (cJSON_IsString(v))
		vm->image = v->valuestring;
	v = cJSON_GetObjectItemCaseSensitive(o, "tdx_measurement");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsObject(v))
			return mistyped(d, "tdx_measurement", "an object");
		cv_err e = take_base64(v, "checksum_file", "vm_config.tdx_measurement", &vm->checksum_file,
			&vm->checksum_len, d);
		if (e == CV_OK)
			e = take_base64(v, "measurement", "vm_config.tdx_measurement", &vm->measurement,
				&vm->measurement_len, d);
		if (e != CV_OK)
			return e;
	}
	return CV_OK;
}

/* ---- catalog ---- */

void cv_os_catalog_entry_free(cv_os_catalog_entry *e)
{
	if (!e)
		return;
	free(e->checksum_file);
	free(e->measurement);
	memset(e, 0, sizeof *e);
	e->dev = -1;
}

static int copy_text(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		return 1;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap)
		return 0;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return 1;
}

cv_err cv_os_catalog_entry_parse(const cJSON *entry, cv_os_catalog_entry *e, cv_diag *d)
{
	memset(e, 0, sizeof *e);
	e->dev = -1;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(entry, "os_image_hash");
	if (!cJSON_IsObject(entry) || !cJSON_IsString(h) || !hex32(h->valuestring, e->os_image_hash))
		return cv_fail(d, CV_REQUEST_MALFORMED, "An OS catalog entry has no os_image_hash of 64 hex digits.");
	if (!copy_text(entry, "name", e->name, sizeof e->name) ||
	    !copy_text(entry, "version", e->version, sizeof e->version))
		return cv_fail(d, CV_REQUEST_MALFORMED, "An OS catalog entry has an overlong or mistyped name or version.");
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(entry, "dev");
	if (cJSON_IsBool(dev))
		e->dev = cJSON_IsTrue(dev);
	else if (dev && !cJSON_IsNull(dev))
		return cv_fail(d, CV_REQUEST_MALFORMED, "An OS catalog entry's dev is not a boolean.");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(entry, "manifest");
	if (m && !cJSON_IsNull(m)) {
		cv_diag sub;
		cv_diag_clear(&sub);
		if (!cJSON_IsObject(m) ||
		    take_base64(m, "checksum_file", "catalog manifest", &e->checksum_file, &e->checksum_len, &sub) != CV_OK ||
		    take_base64(m, "measurement", "catalog manifest", &e->measurement, &e->measurement_len, &sub) != CV_OK)
			return cv_fail(d, sub.code == CV_OUT_OF_MEMORY ? CV_OUT_OF_MEMORY : CV_REQUEST_MALFORMED,
				"An OS catalog entry's manifest is not {checksum_file, measurement} in base64.");
	}
	return CV_OK;
}

/* ---- the computation ---- */

const char *cv_os_reg_name(int reg)
{
	static const char *const n[CV_OS_REG_COUNT] = { "MRTD", "RTMR0", "RTMR1", "RTMR2" };
	return reg >= 0 && reg < CV_OS_REG_COUNT ? n[reg] : "?";
}

const char *cv_os_source_name(cv_os_source s)
{
	static const char *const n[] = { "none", "inline", "supplied", "catalog", "expected" };
	return (unsigned)s <= CV_OS_SOURCE_EXPECTED ? n[s] : "none";
}

const char *cv_os_mrtd_candidate_name(cv_os_mrtd_candidate c)
{
	return c == CV_OS_MRTD_TWO_PASS ? "two_pass" : c == CV_OS_MRTD_SINGLE_PASS ? "single_pass" : NULL;
}

/* RTMR0 after the TD HOB (OVMF pre202505; os-image.md "Register event sequences"): the CFV image and
 * Boot0000 digests are constants; the rest are computed (smaller than storing them): five EFI variables,
 * the separator H384(00000000), and BootOrder H384(0000). */
static const uint8_t k_cfv_image[48] = { 0x34,0x4b,0xc5,0x1c,0x98,0x0b,0xa6,0x21,0xaa,0xa0,0x0d,0xa3,0xed,0x74,0x36,0xf7,
	0xd6,0xe5,0x49,0x19,0x7d,0xfe,0x69,0x95,0x15,0xdf,0xa2,0xc6,0x58,0x3d,0x95,0xe6,0x41,0x2a,0xf2,0x1c,0x09,0x7d,0x47,0x31,
	0x55,0x87,0x5f,0xfd,0x56,0x1d,0x67,0x90 };
static const uint8_t k_boot0000[48] = { 0x23,0xad,0xa0,0x7f,0x52,0x61,0xf1,0x2f,0x34,0xa0,0xbd,0x8e,0x46,0x76,0x09,0x62,
	0xd6,0xb4,0xd5,0x76,0xa4,0x16,0xf1,0xfe,0xa1,0xc6,0x4b,0xc6,0x56,0xb1,0xd2,0x8e,0xac,0xf7,0x04,0x7a,0xe6,0xe9,0x67,0xc5,
	0x8f,0xd2,0xa9,0x8b,0xfa,0x74,0xc2,0x98 };
/* EFI_GLOBAL_VARIABLE and EFI_IMAGE_SECURITY_DATABASE GUIDs, in their byte encoding (first three groups reversed). */
static const uint8_t k_guid_global[16] = { 0x61,0xdf,0xe4,0x8b,0xca,0x93,0xd2,0x11,0xaa,0x0d,0x00,0xe0,0x98,0x03,0x2b,0x8c };
static const uint8_t k_guid_security[16] = { 0xcb,0xb2,0x19,0xd7,0x3a,0x3d,0x96,0x45,0xa3,0xbc,0xda,0xd0,0x0e,0x67,0x65,0x6f };
static const char *const k_efi_vars[5] = { "SecureBoot", "PK", "KEK", "db", "dbx" };

/* An empty EFI variable's digest: H384(GUID || u64 name length || u64 0 || UTF-16LE name). */
static void efi_variable(const uint8_t guid[16], const char *name, uint8_t out[48])
{
	uint8_t buf[16 + 16 + 2 * 16];
	size_t n = strlen(name);
	memset(buf, 0, sizeof buf);
	memcpy(buf, guid, 16);
	buf[16] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		buf[32 + 2 * i] = (uint8_t)name[i];
	cv_sha384(buf, 32 + 2 * n, out);
}

static const char *const k_acpi_names[3] = { "acpi-loader", "acpi-rsdp", "acpi-tables" };
/* RTMR1 after the kernel: the three EFI actions' SHA-384 (ASCII, no NUL), around the separator. */
static const char *const k_rtmr1_actions[3] = { "Calling EFI Application from Boot Option",
	"Exit Boot Services Invocation", "Exit Boot Services Returned with Success" };

/* The three ACPI digests: the RTMR0 events of type 10 whose payload is "ACPI DATA", one per name. */
static cv_err acpi_digests(const cv_eventlog *log, const uint8_t *out[3], cv_diag *d)
{
	size_t count = 0;
	out[0] = out[1] = out[2] = NULL;
	for (size_t i = 0; i < log->n; i++) {
		const cv_event *e = &log->ev[i];
		if (e->imr != 0 || e->type != 10 || e->payload_len != 9 || memcmp(e->payload, "ACPI DATA", 9) != 0)
			continue;
		count++;
		for (int k = 0; k < 3; k++) {
			if (strcmp(e->name, k_acpi_names[k]) != 0)
				continue;
			if (out[k])
				return cv_fail(d, CV_OS_MANIFEST_INVALID, "The event log has two \"%s\" ACPI events.",
					k_acpi_names[k]);
			if (e->digest_len != 48)
				return cv_fail(d, CV_OS_MANIFEST_INVALID,
					"The event log's \"%s\" ACPI event has no 48-byte digest.", k_acpi_names[k]);
			out[k] = e->digest;
		}
	}
	if (count != 3)
		return cv_fail(d, CV_OS_MANIFEST_INVALID,
			"The event log has %U \"ACPI DATA\" events in RTMR0, not 3, so RTMR0 cannot be recomputed.",
			(uint64_t)count);
	for (int k = 0; k < 3; k++)
		if (!out[k])
			return cv_fail(d, CV_OS_MANIFEST_INVALID, "The event log has no \"%s\" ACPI event.", k_acpi_names[k]);
	return CV_OK;
}

/* Rust's u32::from_str: an optional '+', then at least one ASCII digit, no overflow. */
static int parse_u32(const char *s, size_t n, uint32_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	if (n && s[0] == '+')
		i = 1;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* MRTD candidate (os-image.md "MRTD candidate"): QEMU 8.x adds pages in two passes by default. */
static cv_err choose_mrtd(const cv_vm_config *vm, cv_os_mrtd_candidate *c, cv_diag *d)
{
	uint32_t ver[3] = { 9, 1, 0 };
	if (vm->qemu_version) {
		const char *s = vm->qemu_version;
		size_t part = 0, start = 0, n = strlen(s);
		for (size_t i = 0; i <= n; i++) {
			if (i < n && s[i] != '.')
				continue;
			if (part >= 3 || parse_u32(s + start, i - start, &ver[part]) != 0)
				goto bad;
			part++;
			start = i + 1;
		}
		if (part != 3)
			goto bad;
	}
	if (ver[0] < 8)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config.qemu_version %s is below 8.0.0, which dstack does not support.",
			vm->qemu_version);
	int two_pass = ver[0] == 8;
	/* Upstream passes qemu_single_pass_add_pages as-is to two_pass_add_pages: true selects two-pass. */
	if (vm->single_pass_add_pages >= 0)
		two_pass = vm->single_pass_add_pages;
	*c = two_pass ? CV_OS_MRTD_TWO_PASS : CV_OS_MRTD_SINGLE_PASS;
	return CV_OK;
bad:
	return cv_fail(d, CV_OS_MANIFEST_INVALID, "vm_config.qemu_version is not a version of the form X.Y.Z.");
}

static cv_err need48(cv_bytes b, const char *what, cv_diag *d)
{
	if (b.len == 48)
		return CV_OK;
	return cv_fail(d, CV_OS_MANIFEST_INVALID, "The manifest's %s is %U bytes, not 48.", what, (uint64_t)b.len);
}

/* Recompute the four registers from an authenticated manifest (os-image.md "Procedure", steps 6..13). */
static cv_err recompute(const cv_vm_config *vm, const cv_os_measurement *m, const cv_eventlog *log,
	cv_os_result *r, cv_diag *d)
{
	const uint8_t *acpi[3];
	cv_err e = acpi_digests(log, acpi, d);
	if (e != CV_OK)
		return e;
	/* The memory gate: kernel_authenticode was precomputed for QEMU's high-memory initrd placement,
	 * which exactly 2 GiB patches identically. */
	if (!vm->has_memory_size || !(vm->memory_size == 0x80000000ull || vm->memory_size >= CV_TDHOB_HIGH_MEM))
		return cv_fail(d, CV_OS_MANIFEST_INVALID,
			"vm_config.memory_size %U is neither 2 GiB nor at least 2.75 GiB, the sizes the manifest's kernel hash holds for.",
			vm->memory_size);
	if ((e = choose_mrtd(vm, &r->mrtd_candidate, d)) != CV_OK)
		return e;
	cv_bytes mrtd = r->mrtd_candidate == CV_OS_MRTD_TWO_PASS ? m->mrtd_two_pass : m->mrtd_single_pass;
	if ((e = need48(mrtd, r->mrtd_candidate == CV_OS_MRTD_TWO_PASS ? "two-pass MRTD" : "single-pass MRTD", d)) != CV_OK)
		return e;

	uint8_t hob[CV_TDHOB_MAX_LEN];
	size_t hob_len;
	if ((e = cv_td_hob_build(m->td_hob.ptr, m->td_hob.len, vm->memory_size, hob, sizeof hob, &hob_len, d)) != CV_OK)
		return e;
	cv_sha384(hob, hob_len, r->td_hob_hash);
	r->has_td_hob_hash = 1;
	if ((e = need48(m->kernel_authenticode, "kernel_authenticode", d)) != CV_OK ||
	    (e = need48(m->initrd_sha384, "initrd_sha384", d)) != CV_OK ||
	    (e = need48(m->cmdline_sha384, "cmdline_sha384", d)) != CV_OK)
		return e;

	static const uint8_t zeros[4] = { 0 };
	uint8_t separator[48], act[48];
	cv_sha384(zeros, 4, separator);
	uint8_t *x = r->reg[CV_OS_REG_MRTD].expected;
	memcpy(x, mrtd.ptr, 48);
	x = r->reg[CV_OS_REG_RTMR0].expected;
	memset(x, 0, 48);
	cv_rtmr_extend(x, r->td_hob_hash);
	cv_rtmr_extend(x, k_cfv_image);
	for (int i = 0; i < 5; i++) {
		efi_variable(i < 3 ? k_guid_global : k_guid_security, k_efi_vars[i], act);
		cv_rtmr_extend(x, act);
	}
	cv_rtmr_extend(x, separator);
	for (int i = 0; i < 3; i++)
		cv_rtmr_extend(x, acpi[i]);
	cv_sha384(zeros, 2, act); /* BootOrder: one u16 entry, 0000 */
	cv_rtmr_extend(x, act);
	cv_rtmr_extend(x, k_boot0000);

	x = r->reg[CV_OS_REG_RTMR1].expected;
	memset(x, 0, 48);
	cv_rtmr_extend(x, m->kernel_authenticode.ptr);
	cv_sha384(k_rtmr1_actions[0], strlen(k_rtmr1_actions[0]), act);
	cv_rtmr_extend(x, act);
	cv_rtmr_extend(x, separator);
	for (int i = 1; i < 3; i++) {
		cv_sha384(k_rtmr1_actions[i], strlen(k_rtmr1_actions[i]), act);
		cv_rtmr_extend(x, act);
	}
	x = r->reg[CV_OS_REG_RTMR2].expected;
	memset(x, 0, 48);
	cv_rtmr_extend(x, m->cmdline_sha384.ptr);
	cv_rtmr_extend(x, m->initrd_sha384.ptr);
	for (int i = 0; i < CV_OS_REG_COUNT; i++)
		r->reg[i].has_expected = 1;
	return CV_OK;
}

/* Compare every register (constant time per register: the values are public, but cheap), report the first. */
static cv_err compare(cv_os_result *r, cv_diag *d)
{
	int first = -1;
	for (int i = 0; i < CV_OS_REG_COUNT; i++) {
		cv_os_register *g = &r->reg[i];
		unsigned diff = 0;
		for (int k = 0; k < 48; k++)
			diff |= (unsigned)(g->expected[k] ^ g->actual[k]);
		g->match = g->has_expected && g->has_actual && diff == 0;
		if (!g->match && first < 0)
			first = i;
	}
	if (first < 0)
		return CV_OK;
	return cv_fail(d, CV_OS_IMAGE_MISMATCH, "%s differs: expected %H (%s), actual %H (quote).", cv_os_reg_name(first),
		r->reg[first].expected, (size_t)48,
		r->source == CV_OS_SOURCE_EXPECTED ? "pinned by the caller" : "recomputed from the OS image manifest",
		r->reg[first].actual, (size_t)48);
}

static cv_err unverified(cv_diag *d, const char *why)
{
	return cv_fail(d, CV_OS_IMAGE_UNVERIFIED,
		"%s, so the OS image is unverified: the compose hash is only as trustworthy as this unverified OS.", why);
}

static cv_err compute(const cv_os_inputs *in, cv_os_result *r, cv_diag *d)
{
	const cv_vm_config *vm = in->vm;
	if (in->vm_error && in->vm_error->code != CV_OK) /* present but broken: not "unverified" */
		return cv_fail(d, in->vm_error->code, "%s", in->vm_error->msg);
	int have_quote = in->quote_mrtd && in->quote_rtmr[0] && in->quote_rtmr[1] && in->quote_rtmr[2];
	if (have_quote) {
		memcpy(r->reg[0].actual, in->quote_mrtd, 48);
		for (int i = 0; i < 3; i++)
			memcpy(r->reg[i + 1].actual, in->quote_rtmr[i], 48);
		for (int i = 0; i < CV_OS_REG_COUNT; i++)
			r->reg[i].has_actual = 1;
	}
	if (vm && vm->has_os_image_hash) {
		r->has_claimed_image_hash = 1;
		memcpy(r->claimed_image_hash, vm->os_image_hash, 32);
	}
	if (vm && vm->image && strstr(vm->image, "-dev"))
		r->dev_claimed_by_host = 1;
	if (in->log) {
		cv_app_identity id;
		cv_app_identity_find(in->log, &id);
		if (id.os_image_hash && id.os_image_hash->payload_len <= sizeof r->event_image_hash) {
			r->has_event_image_hash = 1;
			r->event_image_hash_len = id.os_image_hash->payload_len;
			if (r->event_image_hash_len)
				memcpy(r->event_image_hash, id.os_image_hash->payload, r->event_image_hash_len);
		}
	}

	cv_bytes cs = { NULL, 0 }, cb = { NULL, 0 };
	const uint8_t *key = vm && vm->has_os_image_hash ? vm->os_image_hash : NULL;
	if (in->supplied_checksum_file.ptr && in->supplied_measurement.ptr) {
		r->source = CV_OS_SOURCE_SUPPLIED;
		cs = in->supplied_checksum_file;
		cb = in->supplied_measurement;
	} else if (vm && vm->checksum_file && vm->measurement) {
		r->source = CV_OS_SOURCE_INLINE;
		cs = (cv_bytes){ vm->checksum_file, vm->checksum_len };
		cb = (cv_bytes){ vm->measurement, vm->measurement_len };
	} else if (in->catalog && in->catalog->checksum_file && in->catalog->measurement) {
		r->source = CV_OS_SOURCE_CATALOG;
		cs = (cv_bytes){ in->catalog->checksum_file, in->catalog->checksum_len };
		cb = (cv_bytes){ in->catalog->measurement, in->catalog->measurement_len };
		if (key && memcmp(key, in->catalog->os_image_hash, 32) != 0)
			return cv_fail(d, CV_OS_MANIFEST_INVALID, "The catalogued manifest is for os_image_hash %H, but vm_config claims %H.",
				in->catalog->os_image_hash, (size_t)32, key, (size_t)32);
		key = in->catalog->os_image_hash;
	}

	if (r->source == CV_OS_SOURCE_NONE) {
		int pinned = in->expect_mrtd && in->expect_rtmr[0] && in->expect_rtmr[1] && in->expect_rtmr[2];
		if (!pinned)
			return unverified(d, vm ? "No manifest for this OS image is at hand (vm_config carries none, none was supplied or catalogued) and MRTD and RTMR0..2 are not all pinned"
				: "No vm_config or OS image manifest is at hand and MRTD and RTMR0..2 are not all pinned");
		if (!have_quote)
			return unverified(d, "There is no quote to compare the pinned MRTD and RTMR0..2 with");
		r->source = CV_OS_SOURCE_EXPECTED;
		memcpy(r->reg[0].expected, in->expect_mrtd, 48);
		for (int i = 0; i < 3; i++)
			memcpy(r->reg[i + 1].expected, in->expect_rtmr[i], 48);
		for (int i = 0; i < CV_OS_REG_COUNT; i++)
			r->reg[i].has_expected = 1;
		return compare(r, d);
	}
	if (cs.len > CV_OS_MANIFEST_MAX_LEN || cb.len > CV_OS_MANIFEST_MAX_LEN)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "The OS image manifest's files are larger than %u bytes each.",
			(unsigned)CV_OS_MANIFEST_MAX_LEN);
	cv_os_measurement m;
	cv_err e = cv_os_manifest_open(cs.ptr, cs.len, cb.ptr, cb.len, key, r->image_hash, &m, d);
	r->has_image_hash = 1;
	if (e != CV_OK)
		return e;
	if (in->catalog && memcmp(in->catalog->os_image_hash, r->image_hash, 32) == 0) {
		r->listed = 1;
		r->dev = in->catalog->dev;
		memcpy(r->name, in->catalog->name, sizeof r->name);
		memcpy(r->version, in->catalog->version, sizeof r->version);
	}
	if (!vm)
		return unverified(d, "There is no vm_config (memory size, QEMU version) to apply the OS image manifest with");
	if (!in->log)
		return unverified(d, "There is no event log to take RTMR0's three ACPI digests from");
	if (!have_quote)
		return unverified(d, "There is no quote to compare the recomputed MRTD and RTMR0..2 with");
	if ((e = recompute(vm, &m, in->log, r, d)) != CV_OK)
		return e;
	return compare(r, d);
}

cv_err cv_os_image_compute(const cv_os_inputs *in, cv_os_result *r, cv_diag *d)
{
	memset(r, 0, sizeof *r);
	r->dev = -1;
	cv_diag_clear(&r->diag);
	cv_err e = compute(in, r, &r->diag);
	r->verified = e == CV_OK;
	if (d)
		*d = r->diag;
	return e;
}

/* ---- decision ---- */

static void decide(cv_os_decision *out, cv_status st, cv_err code, const char *fmt, ...)
{
	va_list ap;
	out->status = st;
	out->code = code;
	va_start(ap, fmt);
	cv_vformat_into(out->msg, sizeof out->msg, fmt, ap);
	va_end(ap);
}

void cv_os_image_decide(const cv_os_result *r, const cv_os_policy *p, cv_os_decision *out)
{
	const char *src = cv_os_source_name(r->source);
	switch (r->diag.code) {
	case CV_OK:
		break;
	case CV_OS_IMAGE_UNVERIFIED:
		decide(out, p && p->require_verified ? CV_FAIL : CV_WARN, r->diag.code, "%s", r->diag.msg);
		return;
	default: /* OS_IMAGE_MISMATCH, OS_MANIFEST_INVALID, or an internal failure */
		decide(out, CV_FAIL, r->diag.code, "%s", r->diag.msg);
		return;
	}
	if (r->source == CV_OS_SOURCE_EXPECTED) {
		decide(out, CV_PASS, CV_OK, "MRTD and RTMR0..2 equal the values the caller pinned: the OS is verified by expectation.");
		return;
	}
	int allowed = 0;
	for (size_t i = 0; p && i < p->n_allow; i++)
		allowed |= memcmp(p->allow[i], r->image_hash, 32) == 0;
	const char *name = r->name[0] ? r->name : "OS image", *version = r->version;
	if (allowed) {
		decide(out, CV_PASS, CV_OK, "%s %s (%H) is verified from the %s manifest and allowed by the caller.", name,
			version, r->image_hash, (size_t)32, src);
		return;
	}
	if (r->dev == 1 || r->dev_claimed_by_host) {
		decide(out, CV_FAIL, CV_OS_IMAGE_DEV,
			"%s %s (%H) is a dstack development image, which accepts login material from unmeasured config; allow its hash to accept it.",
			name, version, r->image_hash, (size_t)32);
		return;
	}
	if (r->listed && r->dev == 0) {
		decide(out, CV_PASS, CV_OK, "%s %s (%H) is verified from the %s manifest and catalogued as a production release.",
			name, version, r->image_hash, (size_t)32, src);
		return;
	}
	decide(out, CV_WARN, CV_OS_IMAGE_UNLISTED,
		"OS image %H is verified from the %s manifest, but it is not catalogued as a production release nor allowed by the caller: this proves which image booted, not that it is a good one.",
		r->image_hash, (size_t)32, src);
}
