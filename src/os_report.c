/*
 * "os" and "vm_config" report sections (src/os_report.h).
 */
#include <string.h>

#include "crypto.h"
#include "os_report.h"

#define NOT_PROVEN "ACPI table contents: RTMR0 binds the ACPI digests the event log reports, not expected tables, so vm_config's cpu_count, num_gpus, pci_hole64_size and similar VM-shape fields are not verified."

static void khex_or_null(cv_jw *w, const char *k, int has, const uint8_t *b, size_t n)
{
	jw_key(w, k);
	if (has)
		jw_hex(w, b, n);
	else
		jw_null(w);
}

static void kstr_or_null(cv_jw *w, const char *k, const char *s)
{
	jw_kstr(w, k, s && s[0] ? s : NULL);
}

void cv_os_write_json(cv_jw *w, const cv_os_result *r)
{
	jw_obj_begin(w);
	khex_or_null(w, "image_hash", r->has_image_hash, r->image_hash, 32);
	khex_or_null(w, "claimed_image_hash", r->has_claimed_image_hash, r->claimed_image_hash, 32);
	khex_or_null(w, "event_image_hash", r->has_event_image_hash, r->event_image_hash, r->event_image_hash_len);
	jw_kstr(w, "source", cv_os_source_name(r->source));
	jw_kbool(w, "verified", r->verified);
	jw_kstr(w, "mrtd_candidate", cv_os_mrtd_candidate_name(r->mrtd_candidate));
	jw_key(w, "registers");
	jw_arr_begin(w);
	for (int i = 0; i < CV_OS_REG_COUNT; i++) {
		const cv_os_register *g = &r->reg[i];
		jw_obj_begin(w);
		jw_kstr(w, "name", cv_os_reg_name(i));
		khex_or_null(w, "expected", g->has_expected, g->expected, 48);
		khex_or_null(w, "actual", g->has_actual, g->actual, 48);
		jw_kbool(w, "match", g->match);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	kstr_or_null(w, "name", r->name);
	kstr_or_null(w, "version", r->version);
	jw_key(w, "dev");
	if (r->dev >= 0)
		jw_bool(w, r->dev);
	else
		jw_null(w);
	jw_kbool(w, "listed", r->listed);
	jw_kbool(w, "acpi_verified", r->acpi_verified);
	jw_kstr(w, "not_proven", NOT_PROVEN);
	jw_obj_end(w);
}

/* A host-supplied JSON value, as given (numbers as integers when whole, else null: vm_config has no fractions). */
static void value(cv_jw *w, const cJSON *v, int depth)
{
	if (cJSON_IsString(v))
		jw_str(w, v->valuestring);
	else if (cJSON_IsBool(v))
		jw_bool(w, cJSON_IsTrue(v));
	else if (cJSON_IsNumber(v) && v->valuedouble > -9007199254740992.0 && v->valuedouble < 9007199254740992.0 &&
		 v->valuedouble == (double)(int64_t)v->valuedouble)
		jw_int(w, (int64_t)v->valuedouble);
	else if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && depth < 4) {
		int obj = cJSON_IsObject(v);
		if (obj)
			jw_obj_begin(w);
		else
			jw_arr_begin(w);
		for (const cJSON *c = v->child; c; c = c->next) {
			if (obj)
				jw_key(w, c->string);
			value(w, c, depth + 1);
		}
		if (obj)
			jw_obj_end(w);
		else
			jw_arr_end(w);
	} else
		jw_null(w);
}

/* Bound fields whose exact value a verified manifest computation proves. qemu_version and
 * qemu_single_pass_add_pages are read too, but only the page-add order they select is bound (MRTD:
 * os.mrtd_candidate), so another version with the same order verifies as well. */
static int exactly_verified(const char *name)
{
	return strcmp(name, "os_image_hash") == 0 || strcmp(name, "memory_size") == 0 ||
		strcmp(name, "ovmf_variant") == 0 || strcmp(name, "tdx_measurement") == 0;
}

void cv_vm_config_write_json(cv_jw *w, const cv_vm_config *vm, const cv_os_result *r)
{
	if (!vm || !vm->obj) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_kstr(w, "supplied_by", "host");
	jw_key(w, "fields");
	jw_obj_begin(w);
	for (const cJSON *c = vm->obj->child; c; c = c->next) {
		jw_key(w, c->string);
		if (strcmp(c->string, "tdx_measurement") == 0 && vm->checksum_file && vm->measurement) {
			uint8_t h[32];
			jw_obj_begin(w);
			cv_sha256(vm->checksum_file, vm->checksum_len, h);
			jw_khex(w, "checksum_file_sha256", h, 32);
			cv_sha256(vm->measurement, vm->measurement_len, h);
			jw_khex(w, "measurement_sha256", h, 32);
			jw_obj_end(w);
		} else {
			value(w, c, 0);
		}
	}
	jw_obj_end(w);
	int verified = r && r->verified && r->source != CV_OS_SOURCE_EXPECTED && r->source != CV_OS_SOURCE_NONE;
	for (int pass = 0; pass < 2; pass++) {
		jw_key(w, pass ? "verified" : "bound");
		jw_arr_begin(w);
		for (const cJSON *c = vm->obj->child; c; c = c->next)
			if (pass ? verified && exactly_verified(c->string) : cv_vm_config_field_is_bound(c->string))
				jw_str(w, c->string);
		jw_arr_end(w);
	}
	jw_obj_end(w);
}
