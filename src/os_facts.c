/*
 * Gathering the os.image facts (src/os_facts.h; docs/os-image.md).
 */
#include <stdlib.h>
#include <string.h>

#include "os_facts.h"
#include "util.h"
#include "x509.h"

/* One base64 member of os_manifest into an owned buffer. */
static cv_err manifest_part(const cJSON *m, const char *key, uint8_t **out, size_t *len, cv_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
	if (!n)
		return cv_fail(d, CV_REQUEST_MALFORMED, "os_manifest.%s must be a non-empty base64 string.", key);
	if (n / 4 * 3 > CV_OS_MANIFEST_MAX_LEN)
		return cv_fail(d, CV_REQUEST_MALFORMED, "os_manifest.%s is larger than %u bytes.", key,
			(unsigned)CV_OS_MANIFEST_MAX_LEN);
	size_t cap = n / 4 * 3 + 3;
	*out = malloc(cap);
	if (!*out)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory decoding os_manifest.%s.", key);
	*len = cv_base64_decode(v->valuestring, n, *out, cap);
	if (*len == (size_t)-1)
		return cv_fail(d, CV_REQUEST_MALFORMED, "os_manifest.%s is not valid base64.", key);
	return CV_OK;
}

cv_err cv_os_facts_request(const cJSON *manifest, const cJSON *entry, cv_os_facts *o, cv_diag *d)
{
	memset(o, 0, sizeof *o);
	o->vm.single_pass_add_pages = -1;
	cv_err e;
	if (manifest && !cJSON_IsNull(manifest)) {
		const cJSON *it;
		if (!cJSON_IsObject(manifest))
			return cv_fail(d, CV_REQUEST_MALFORMED, "os_manifest must be {checksum_file, measurement} in base64.");
		cJSON_ArrayForEach(it, manifest)
			if (strcmp(it->string, "checksum_file") != 0 && strcmp(it->string, "measurement") != 0)
				return cv_fail(d, CV_REQUEST_MALFORMED, "Unknown request key os_manifest.%s.", it->string);
		if ((e = manifest_part(manifest, "checksum_file", &o->checksum_file, &o->checksum_len, d)) != CV_OK ||
			(e = manifest_part(manifest, "measurement", &o->measurement, &o->measurement_len, d)) != CV_OK)
			return e;
	}
	if (entry && !cJSON_IsNull(entry)) {
		if ((e = cv_os_catalog_entry_parse(entry, &o->ce, d)) != CV_OK)
			return e;
		o->have_entry = 1;
	}
	return CV_OK;
}

static const uint8_t *pin(const cv_opt_bytes *b)
{
	return b->set && b->len == 48 ? b->v : NULL;
}

void cv_os_facts_gather(cv_os_facts *o, const cv_evidence *ev, const cv_quote *q, const cv_policy *pol)
{
	if (ev->vm_config) {
		o->vm_present = 1;
		cv_diag_clear(&o->vm_diag);
		o->vm_ok = cv_vm_config_parse(ev->vm_config, strlen(ev->vm_config), &o->vm, &o->vm_diag) == CV_OK;
	}
	cv_os_inputs in = {
		.vm = o->vm_ok ? &o->vm : NULL,
		.vm_error = o->vm_present && !o->vm_ok ? &o->vm_diag : NULL,
		.catalog = o->have_entry ? &o->ce : NULL,
		.log = ev->has_log ? &ev->log : NULL,
		.supplied_checksum_file = { o->checksum_file, o->checksum_len },
		.supplied_measurement = { o->measurement, o->measurement_len },
		.expect_mrtd = pin(&pol->expect_mrtd),
		.expect_rtmr = { pin(&pol->expect_rtmr[0]), pin(&pol->expect_rtmr[1]), pin(&pol->expect_rtmr[2]) },
	};
	if (q && q->tee_type == CV_TEE_TDX) {
		in.quote_mrtd = q->td.mr_td;
		for (int i = 0; i < 3; i++)
			in.quote_rtmr[i] = q->td.rtmr[i];
	}
	cv_os_image_compute(&in, &o->r, NULL);
	/* The image is named but no manifest is at hand: the shim's catalog may
	 * hold one (js/os-catalog.js); the entry authenticates itself by hash. */
	o->need_catalog = o->r.source == CV_OS_SOURCE_NONE && o->r.has_claimed_image_hash && !o->have_entry &&
		!o->checksum_file && o->vm_ok && !o->vm.checksum_file;
}

void cv_os_facts_free(cv_os_facts *o)
{
	cv_vm_config_free(&o->vm);
	cv_os_catalog_entry_free(&o->ce);
	free(o->checksum_file);
	free(o->measurement);
	memset(o, 0, sizeof *o);
}
