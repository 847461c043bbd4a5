/*
 * OS image manifest: sha256sum.txt lookup and measurement.tdx.cbor decoding
 * (src/os_manifest.h; shared/spec/os-image.md "sha256sum.txt lookup" and
 * "measurement.tdx.cbor").
 */
#include <string.h>

#include "cbor.h"
#include "crypto.h"
#include "os_manifest.h"

#define CBOR_FILE "measurement.tdx.cbor"

static int is_space(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r'); /* TAB LF VT FF CR, as Rust's ASCII white space */
}

static int hex_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

cv_err cv_sha256sum_lookup(const uint8_t *text, size_t len, const char *path, uint8_t out[32], cv_diag *d)
{
	size_t path_len = strlen(path), found = 0, line_no = 0;
	const uint8_t *hash = NULL;
	size_t hash_len = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] >= 0x80 || text[i] == 0)
			return cv_fail(d, CV_OS_MANIFEST_INVALID,
				"The manifest's sha256sum.txt holds a byte that is not ASCII text at offset %U.", (uint64_t)i);
	for (size_t pos = 0; pos < len;) {
		size_t eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t next = eol < len ? eol + 1 : eol;
		line_no++;
		/* Two tokens separated by white space; further tokens are ignored, as upstream. */
		size_t a = pos, e = eol;
		while (a < e && is_space(text[a]))
			a++;
		if (a < e) {
			size_t ae = a;
			while (ae < e && !is_space(text[ae]))
				ae++;
			size_t b = ae;
			while (b < e && is_space(text[b]))
				b++;
			size_t be = b;
			while (be < e && !is_space(text[be]))
				be++;
			if (b == be)
				return cv_fail(d, CV_OS_MANIFEST_INVALID,
					"Line %U of the manifest's sha256sum.txt has a hash but no file name.", (uint64_t)line_no);
			if (be - b == path_len && memcmp(text + b, path, path_len) == 0) {
				if (++found > 1)
					return cv_fail(d, CV_OS_MANIFEST_INVALID,
						"The manifest's sha256sum.txt lists %s twice.", path);
				hash = text + a;
				hash_len = ae - a;
			}
		}
		pos = next;
	}
	if (!found)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "The manifest's sha256sum.txt has no line for %s.", path);
	if (hash_len != 64)
		goto bad_hex;
	for (size_t i = 0; i < 32; i++) {
		int hi = hex_val(hash[2 * i]), lo = hex_val(hash[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad_hex;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return CV_OK;
bad_hex:
	return cv_fail(d, CV_OS_MANIFEST_INVALID,
		"The manifest's sha256sum.txt line for %s does not start with 64 hex digits.", path);
}

/* ---- measurement.tdx.cbor ---- */

static cv_err cbor_bad(cv_diag *d, const char *field)
{
	return cv_fail(d, CV_OS_MANIFEST_INVALID, "The manifest's measurement.tdx.cbor is malformed at %s.",
		field[0] ? field : "the top level");
}

/* A map whose known keys are names[i] (text), each read by read(i); unknown
 * keys are skipped (upstream ignores them); a duplicate or missing key fails. */
typedef cv_err (*field_reader)(cv_cbor *c, unsigned i, void *ctx, cv_diag *d);

static cv_err read_map(cv_cbor *c, const char *where, const char *const *names, unsigned n_names,
	field_reader read, void *ctx, cv_diag *d)
{
	uint64_t n;
	unsigned seen = 0;
	if (cv_cbor_map(c, &n) != 0)
		return cbor_bad(d, where);
	for (uint64_t k = 0; k < n; k++) {
		cv_bytes key;
		if (cv_cbor_text(c, &key) != 0)
			return cbor_bad(d, where);
		unsigned i = 0;
		while (i < n_names && !cv_cbor_text_is(key, names[i]))
			i++;
		if (i == n_names) {
			if (cv_cbor_skip(c) != 0)
				return cbor_bad(d, where);
			continue;
		}
		if (seen & (1u << i))
			return cv_fail(d, CV_OS_MANIFEST_INVALID,
				"The manifest's measurement.tdx.cbor has the field %s%s%s twice.", where, where[0] ? "." : "",
				names[i]);
		seen |= 1u << i;
		cv_err e = read(c, i, ctx, d);
		if (e != CV_OK)
			return e;
	}
	for (unsigned i = 0; i < n_names; i++)
		if (!(seen & (1u << i)))
			return cv_fail(d, CV_OS_MANIFEST_INVALID,
				"The manifest's measurement.tdx.cbor has no field %s%s%s.", where, where[0] ? "." : "",
				names[i]);
	return CV_OK;
}

static const char *const k_top[] = { "version", "image", "tdvf" };
static const char *const k_image[] = { "cmdline_sha384", "kernel_authenticode", "initrd_sha384" };
static const char *const k_tdvf[] = { "ovmf", "mrtd", "td_hob" };
static const char *const k_mrtd[] = { "single_pass", "two_pass" };

static cv_err read_bytes(cv_cbor *c, cv_bytes *out, const char *where, cv_diag *d)
{
	return cv_cbor_bytes(c, out) == 0 ? CV_OK : cbor_bad(d, where);
}

static cv_err read_image(cv_cbor *c, unsigned i, void *ctx, cv_diag *d)
{
	cv_os_measurement *m = ctx;
	cv_bytes *f[] = { &m->cmdline_sha384, &m->kernel_authenticode, &m->initrd_sha384 };
	return read_bytes(c, f[i], k_image[i], d);
}

static cv_err read_mrtd(cv_cbor *c, unsigned i, void *ctx, cv_diag *d)
{
	cv_os_measurement *m = ctx;
	return read_bytes(c, i ? &m->mrtd_two_pass : &m->mrtd_single_pass, k_mrtd[i], d);
}

static cv_err read_tdvf(cv_cbor *c, unsigned i, void *ctx, cv_diag *d)
{
	cv_os_measurement *m = ctx;
	if (i == 0) {
		cv_bytes t;
		if (cv_cbor_text(c, &t) != 0)
			return cbor_bad(d, "tdvf.ovmf");
		if (!cv_cbor_text_is(t, "pre202505"))
			return cv_fail(d, CV_OS_MANIFEST_INVALID,
				"The manifest names an OVMF variant other than pre202505, the only one this verifier knows.");
		return CV_OK;
	}
	if (i == 1)
		return read_map(c, "tdvf.mrtd", k_mrtd, 2, read_mrtd, m, d);
	return read_bytes(c, &m->td_hob, "tdvf.td_hob", d);
}

static cv_err read_top(cv_cbor *c, unsigned i, void *ctx, cv_diag *d)
{
	if (i == 0) {
		uint64_t v;
		if (cv_cbor_uint(c, &v) != 0)
			return cbor_bad(d, "version");
		if (v != 3)
			return cv_fail(d, CV_OS_MANIFEST_INVALID,
				"The manifest's measurement.tdx.cbor is version %U; this verifier reads version 3.", v);
		return CV_OK;
	}
	return i == 1 ? read_map(c, "image", k_image, 3, read_image, ctx, d)
		: read_map(c, "tdvf", k_tdvf, 3, read_tdvf, ctx, d);
}

cv_err cv_os_measurement_decode(const uint8_t *cbor, size_t len, cv_os_measurement *m, cv_diag *d)
{
	cv_cbor c;
	memset(m, 0, sizeof *m);
	cv_cbor_init(&c, cbor, len);
	if (cv_cbor_peek(&c) != CV_CBOR_MAP)
		return cbor_bad(d, "the top level (not a map)");
	cv_err e = read_map(&c, "", k_top, 3, read_top, m, d);
	if (e != CV_OK)
		return e;
	/* Upstream ignores trailing bytes; the producer writes none, and the bytes are hash-bound. */
	if (c.pos != len)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "The manifest's measurement.tdx.cbor has %U bytes after its end.",
			(uint64_t)(len - c.pos));
	return CV_OK;
}

cv_err cv_os_manifest_open(const uint8_t *checksum_file, size_t checksum_len, const uint8_t *cbor,
	size_t cbor_len, const uint8_t *expected_image_hash, uint8_t image_hash[32], cv_os_measurement *m,
	cv_diag *d)
{
	uint8_t listed[32], actual[32];
	cv_sha256(checksum_file, checksum_len, image_hash);
	if (expected_image_hash && memcmp(image_hash, expected_image_hash, 32) != 0)
		return cv_fail(d, CV_OS_MANIFEST_INVALID,
			"The manifest's sha256sum.txt hashes to %H, not to the os_image_hash %H it is claimed for.",
			image_hash, (size_t)32, expected_image_hash, (size_t)32);
	cv_err e = cv_sha256sum_lookup(checksum_file, checksum_len, CBOR_FILE, listed, d);
	if (e != CV_OK)
		return e;
	cv_sha256(cbor, cbor_len, actual);
	if (memcmp(actual, listed, 32) != 0)
		return cv_fail(d, CV_OS_MANIFEST_INVALID,
			"The manifest's measurement.tdx.cbor hashes to %H, but its sha256sum.txt lists %H.", actual,
			(size_t)32, listed, (size_t)32);
	return cv_os_measurement_decode(cbor, cbor_len, m, d);
}
