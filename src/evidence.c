/*
 * Evidence normalisation (see evidence.h for the shapes and precedence).
 */
#include <stdlib.h>
#include <string.h>

#include "attestation.h"
#include "evidence.h"
#include "json.h"
#include "ratls.h"
#include "jsonw.h"
#include "util.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

#define EV_MAX_DEPTH 4 /* bundle -> info -> tcb_info, with a margin */

static const char k_expected[] =
	"expected a quote (hex or byte array), a GetQuote {quote, event_log}, an Info {app_id, tcb_info}, "
	"a tcb_info {mrtd, rtmr0..3, event_log}, a dstack attestation (V0/V1, hex), an RA-TLS certificate, "
	"or a cvm-evidence/v1 bundle";

void cv_evidence_free(cv_evidence *e)
{
	if (!e)
		return;
	free(e->quote);
	cv_eventlog_free(&e->log);
	free(e->app_compose);
	free(e->app_name);
	free(e->vm_config);
	free(e->hash_algorithm);
	free(e->prefix);
	free(e->nonce);
	free(e->source_url);
	free(e->fetched_at);
	cJSON_Delete(e->owned_root);
	memset(e, 0, sizeof *e);
}

static void set_path(char out[CV_EV_PATH_MAX], const char *prefix, const char *key)
{
	cv_format(out, CV_EV_PATH_MAX, "%s%s", prefix, key);
}

static cv_err oom(cv_diag *d)
{
	return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory reading the evidence.");
}

/* ---- the quote ---- */

static cv_err quote_from_bytes_array(const cJSON *arr, const char *path, cv_evidence *out, cv_diag *d)
{
	size_t n = 0;
	for (const cJSON *c = arr->child; c; c = c->next) {
		if (++n > CV_MAX_QUOTE_LEN)
			return cv_fail(d, CV_INPUT_TOO_LARGE, "The quote at %s is longer than %u bytes.",
				path[0] ? path : "the top level", (unsigned)CV_MAX_QUOTE_LEN);
		double x = c->valuedouble;
		if (!cJSON_IsNumber(c) || !(x >= 0 && x <= 255) || (double)(int)x != x)
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"The quote byte array at %s has an element that is not an integer 0..255 (index %U).",
				path[0] ? path : "the top level", (uint64_t)(n - 1));
	}
	if (n == 0)
		return CV_OK; /* an empty quote: none (non-TDX platform) */
	uint8_t *b = malloc(n);
	if (!b)
		return oom(d);
	size_t i = 0;
	for (const cJSON *c = arr->child; c; c = c->next)
		b[i++] = (uint8_t)c->valuedouble;
	out->quote = b;
	out->quote_len = n;
	return CV_OK;
}

static cv_err quote_from_hex(const char *s, const char *path, cv_evidence *out, cv_diag *d)
{
	size_t n = strlen(s);
	if (n / 2 > CV_MAX_QUOTE_LEN + 1)
		return cv_fail(d, CV_INPUT_TOO_LARGE, "The quote at %s is longer than %u bytes.",
			path[0] ? path : "the top level", (unsigned)CV_MAX_QUOTE_LEN);
	uint8_t *b = malloc(n / 2 + 1);
	if (!b)
		return oom(d);
	size_t got = cv_hex_decode(s, n, b, n / 2 + 1);
	if (got == (size_t)-1) {
		free(b);
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "The quote at %s is not hex (nor JSON: %s).",
			path[0] ? path : "the top level", k_expected);
	}
	if (got > CV_MAX_QUOTE_LEN) {
		free(b);
		return cv_fail(d, CV_INPUT_TOO_LARGE, "The quote at %s is longer than %u bytes.",
			path[0] ? path : "the top level", (unsigned)CV_MAX_QUOTE_LEN);
	}
	if (got == 0) {
		free(b);
		return CV_OK;
	}
	out->quote = b;
	out->quote_len = got;
	return CV_OK;
}

/* A quote member: hex string, byte array, or Node's Buffer JSON form
 * {"type":"Buffer","data":[...]}. */
static cv_err take_quote(const cJSON *v, const char *path, cv_evidence *out, cv_diag *d)
{
	cv_err err;
	if (out->quote)
		return CV_OK; /* an earlier one wins */
	if (cJSON_IsString(v) && v->valuestring)
		err = quote_from_hex(v->valuestring, path, out, d);
	else if (cJSON_IsArray(v))
		err = quote_from_bytes_array(v, path, out, d);
	else if (cJSON_IsObject(v) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(v, "data")))
		err = quote_from_bytes_array(cJSON_GetObjectItemCaseSensitive(v, "data"), path, out, d);
	else
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"%s is neither a hex string nor an array of byte values.", path);
	if (err == CV_OK && out->quote)
		cv_format(out->quote_source, sizeof out->quote_source, "%s", path);
	return err;
}

/* ---- claims and text members ---- */

/* A string member; absent or null -> *s = NULL. Another type -> error. */
static cv_err get_str(const cJSON *o, const char *key, const char *prefix, const char **s, cv_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*s = NULL;
	if (!v || cJSON_IsNull(v))
		return CV_OK;
	if (!cJSON_IsString(v) || !v->valuestring)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "%s%s is not a string.", prefix, key);
	*s = v->valuestring;
	return CV_OK;
}

/*
 * A hex claim of an exact length (or, with max_only, at most len bytes).
 * "" is absent, except when empty_ok (instance_id with no_instance_id).
 */
static cv_err take_claim(const cJSON *o, const char *key, const char *prefix, size_t len,
	int max_only, int empty_ok, cv_claim *c, int *seen, cv_diag *d)
{
	const char *s;
	cv_err err = get_str(o, key, prefix, &s, d);
	if (err != CV_OK || !s)
		return err;
	*seen = 1;
	if (c->present)
		return CV_OK;
	size_t n = strlen(s);
	if (n == 0 && !empty_ok)
		return CV_OK;
	size_t got = cv_hex_decode(s, n, c->b, sizeof c->b);
	if (got == (size_t)-1 || (max_only ? got > len : (got != len && !(empty_ok && got == 0))))
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "%s%s is not %s%u bytes of hex.", prefix, key,
			max_only ? "at most " : "", (unsigned)len);
	c->len = got;
	c->present = 1;
	return CV_OK;
}

static cv_err take_text(const cJSON *o, const char *key, const char *prefix, char **dst, int *seen,
	cv_diag *d)
{
	const char *s;
	cv_err err = get_str(o, key, prefix, &s, d);
	if (err != CV_OK || !s)
		return err;
	*seen = 1;
	if (*dst || !s[0])
		return CV_OK;
	size_t n = strlen(s);
	*dst = malloc(n + 1);
	if (!*dst)
		return oom(d);
	memcpy(*dst, s, n + 1);
	return CV_OK;
}

/* Copy a string member of a key-provider object into a fixed buffer. */
static int kp_field(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v || cJSON_IsNull(v)) {
		out[0] = '\0';
		return 1;
	}
	if (!cJSON_IsString(v) || !v->valuestring || strlen(v->valuestring) >= cap)
		return 0;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return 1;
}

/* key_provider_info: a JSON string {"name","id"} (or an object when an SDK
 * parsed it). */
static cv_err take_kp_info(const cJSON *o, const char *prefix, cv_evidence *out, int *seen, cv_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "key_provider_info");
	if (!v || cJSON_IsNull(v))
		return CV_OK;
	*seen = 1;
	if (out->has_key_provider_info)
		return CV_OK;
	cJSON *parsed = NULL;
	if (cJSON_IsString(v) && v->valuestring) {
		if (!v->valuestring[0])
			return CV_OK;
		parsed = cv_json_parse_exact(v->valuestring, strlen(v->valuestring));
		v = parsed;
	}
	int ok = cJSON_IsObject(v) && kp_field(v, "name", out->kp_name, sizeof out->kp_name) &&
		kp_field(v, "id", out->kp_id, sizeof out->kp_id);
	cJSON_Delete(parsed);
	if (!ok) {
		out->kp_name[0] = out->kp_id[0] = '\0';
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"%skey_provider_info is not a JSON object {\"name\", \"id\"} of strings.", prefix);
	}
	out->has_key_provider_info = 1;
	return CV_OK;
}

static cv_err take_log(const cJSON *v, const char *prefix, const char *key, cv_evidence *out, cv_diag *d)
{
	if (out->has_log)
		return CV_OK;
	if (cJSON_IsString(v) && v->valuestring && !v->valuestring[0])
		return CV_OK; /* "" : no log */
	out->has_log = 1;
	set_path(out->log_source, prefix, key);
	cv_diag ld;
	cv_diag_clear(&ld);
	cv_err err = cv_eventlog_parse(v, &out->log, &ld);
	if (err == CV_OUT_OF_MEMORY)
		return cv_fail(d, err, "%s", ld.msg);
	out->log_diag = ld; /* CV_OK, or why the log is unusable */
	return CV_OK;
}

static cv_err take_compose(const cJSON *v, const char *prefix, cv_evidence *out, cv_diag *d)
{
	if (out->has_app_compose)
		return CV_OK;
	if (cJSON_IsString(v) && v->valuestring) {
		size_t n = strlen(v->valuestring);
		if (n == 0)
			return CV_OK;
		out->app_compose = malloc(n + 1);
		if (!out->app_compose)
			return oom(d);
		memcpy(out->app_compose, v->valuestring, n + 1);
		out->app_compose_len = n;
	} else {
		/* Hashing needs the exact bytes; a re-serialised object would not do. */
		cv_fail(&out->compose_diag, CV_COMPOSE_MALFORMED,
			"%sapp_compose is not a string, so the exact text that was hashed is not available.",
			prefix);
	}
	out->has_app_compose = 1;
	set_path(out->app_compose_source, prefix, "app_compose");
	return CV_OK;
}

/* ---- objects ---- */

static cv_err absorb(const cJSON *o, const char *prefix, int depth, cv_evidence *out, int *seen, cv_diag *d);

/* A JSON value written back as text (strings, booleans, null, integral
 * numbers; other numbers and nesting deeper than 8 become null, which the
 * OS check rejects where it binds the field). */
static void vm_value(cv_jw *w, const cJSON *v, int depth)
{
	if (cJSON_IsString(v)) {
		jw_str(w, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		jw_bool(w, cJSON_IsTrue(v));
	} else if (cJSON_IsNumber(v) && v->valuedouble > -9007199254740992.0 && v->valuedouble < 9007199254740992.0 &&
		   v->valuedouble == (double)(int64_t)v->valuedouble) {
		jw_int(w, (int64_t)v->valuedouble);
	} else if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && depth < 8) {
		const int obj = cJSON_IsObject(v);
		if (obj) jw_obj_begin(w); else jw_arr_begin(w);
		for (const cJSON *c = v->child; c; c = c->next) {
			if (obj)
				jw_key(w, c->string);
			vm_value(w, c, depth + 1);
		}
		if (obj) jw_obj_end(w); else jw_arr_end(w);
	} else {
		jw_null(w);
	}
}

/* An object vm_config as owned NUL-terminated text, or NULL (out of memory). */
static char *vm_config_text(const cJSON *vm)
{
	cv_jw w;
	size_t n;
	jw_init(&w);
	vm_value(&w, vm, 0);
	return jw_take(&w, &n);
}

/* tcb_info / info members: an object, or a JSON string holding one. */
static cv_err absorb_nested(const cJSON *o, const char *key, const char *prefix, int depth,
	cv_evidence *out, int *seen, cv_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char path[CV_EV_PATH_MAX];
	cJSON *parsed = NULL;
	if (!v || cJSON_IsNull(v))
		return CV_OK;
	cv_format(path, sizeof path, "%s%s.", prefix, key);
	if (cJSON_IsString(v) && v->valuestring) {
		if (!v->valuestring[0])
			return CV_OK; /* blank: public_tcbinfo off */
		parsed = cv_json_parse_exact(v->valuestring, strlen(v->valuestring));
		if (!parsed)
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "%s%s is a string but not valid JSON, or it repeats a key.", prefix, key);
		v = parsed;
	}
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(parsed);
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "%s%s is not a JSON object.", prefix, key);
	}
	int inner_seen = 0;
	cv_err err = absorb(v, path, depth + 1, out, &inner_seen, d);
	/* Everything kept from a parsed string was copied. */
	cJSON_Delete(parsed);
	if (err == CV_OK && !inner_seen)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "%s%s has none of the expected members (%s).", prefix, key,
			strcmp(key, "tcb_info") == 0 ? "mrtd, rtmr0..3, event_log, app_compose"
						     : "quote, event_log, app_id, tcb_info");
	*seen = 1;
	return err;
}

static cv_err absorb(const cJSON *o, const char *prefix, int depth, cv_evidence *out, int *seen, cv_diag *d)
{
	static const char *const quote_keys[] = { "quote", "intel_quote" };
	static const char *const rtmr_keys[4] = { "rtmr0", "rtmr1", "rtmr2", "rtmr3" };
	char path[CV_EV_PATH_MAX];
	cv_err err;
	if (depth > EV_MAX_DEPTH)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "The evidence nests %sinfo/tcb_info too deeply.", prefix);

	for (size_t i = 0; i < 2; i++) {
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, quote_keys[i]);
		if (!q || cJSON_IsNull(q))
			continue;
		*seen = 1;
		set_path(path, prefix, quote_keys[i]);
		if ((err = take_quote(q, path, out, d)) != CV_OK)
			return err;
	}
	/* "eventlog": Phala Cloud's attestations API spells it so. */
	static const char *const log_keys[] = { "event_log", "eventlog" };
	for (size_t i = 0; i < 2; i++) {
		const cJSON *log = cJSON_GetObjectItemCaseSensitive(o, log_keys[i]);
		if (!log || cJSON_IsNull(log))
			continue;
		*seen = 1;
		if ((err = take_log(log, prefix, log_keys[i], out, d)) != CV_OK)
			return err;
	}
	const cJSON *ac = cJSON_GetObjectItemCaseSensitive(o, "app_compose");
	if (ac && !cJSON_IsNull(ac)) {
		*seen = 1;
		if ((err = take_compose(ac, prefix, out, d)) != CV_OK)
			return err;
	}
	if ((err = take_claim(o, "report_data", prefix, 64, 1, 0, &out->report_data, seen, d)) != CV_OK ||
		(err = take_claim(o, "app_id", prefix, 20, 0, 0, &out->app_id, seen, d)) != CV_OK ||
		(err = take_claim(o, "instance_id", prefix, 20, 0, 1, &out->instance_id, seen, d)) != CV_OK ||
		(err = take_claim(o, "compose_hash", prefix, 32, 0, 0, &out->compose_hash, seen, d)) != CV_OK ||
		(err = take_claim(o, "os_image_hash", prefix, 32, 0, 0, &out->os_image_hash, seen, d)) != CV_OK ||
		(err = take_claim(o, "device_id", prefix, 32, 0, 0, &out->device_id, seen, d)) != CV_OK ||
		(err = take_claim(o, "mr_aggregated", prefix, 32, 0, 0, &out->mr_aggregated, seen, d)) != CV_OK ||
		(err = take_claim(o, "mrtd", prefix, 48, 0, 0, &out->mrtd, seen, d)) != CV_OK)
		return err;
	for (int i = 0; i < 4; i++)
		if ((err = take_claim(o, rtmr_keys[i], prefix, 48, 0, 0, &out->rtmr[i], seen, d)) != CV_OK)
			return err;
	if ((err = take_kp_info(o, prefix, out, seen, d)) != CV_OK ||
		(err = take_text(o, "app_name", prefix, &out->app_name, seen, d)) != CV_OK ||
		(err = take_text(o, "hash_algorithm", prefix, &out->hash_algorithm, seen, d)) != CV_OK ||
		(err = take_text(o, "prefix", prefix, &out->prefix, seen, d)) != CV_OK)
		return err;
	/* vm_config is a JSON string; an SDK may hand over an object, which is
	 * re-serialised for os.image: not byte-exact, but nothing hashes these
	 * bytes (the recomputation binds the fields it reads; docs/os-image.md). */
	const cJSON *vm = cJSON_GetObjectItemCaseSensitive(o, "vm_config");
	if (cJSON_IsString(vm)) {
		if ((err = take_text(o, "vm_config", prefix, &out->vm_config, seen, d)) != CV_OK)
			return err;
	} else if (cJSON_IsObject(vm)) {
		*seen = 1;
		if (!out->vm_config && !(out->vm_config = vm_config_text(vm)))
			return oom(d);
	} else if (vm && !cJSON_IsNull(vm) && !cJSON_IsObject(vm)) {
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "%svm_config is neither a JSON string nor an object.", prefix);
	}
	if ((err = absorb_nested(o, "tcb_info", prefix, depth, out, seen, d)) != CV_OK ||
		(err = absorb_nested(o, "info", prefix, depth, out, seen, d)) != CV_OK)
		return err;
	return CV_OK;
}

/* ---- dstack's versioned attestation and RA-TLS certificates ---- */

/* First byte of an attestation (attestation.h): V0's version 0, or a
 * MessagePack map (V1). No DCAP quote starts so: its first byte is the
 * version 3..5. */
static int is_attestation_lead(uint8_t b)
{
	return b == 0x00 || (b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf;
}

/* A certificate: DER (a SEQUENCE, 0x30) or PEM text ('-'). */
static int is_certificate_lead(uint8_t b)
{
	return b == 0x30 || b == '-';
}

/* Map a decoded attestation onto the evidence through its GetQuote shape,
 * the one path every other shape takes. */
static cv_err absorb_attestation(const cv_attestation *a, cv_evidence *out, cv_diag *d)
{
	cJSON *gq = NULL;
	cv_err err = cv_attestation_to_getquote(a, &gq, d);
	if (err != CV_OK)
		return err;
	int seen = 0;
	err = absorb(gq, "attestation.", 1, out, &seen, d);
	cJSON_Delete(gq); /* absorb copied what it kept */
	out->log_stripped = a->stripped;
	return err;
}

/* Bytes that are an attestation or an RA-TLS certificate. */
static cv_err take_container(const uint8_t *b, size_t n, cv_evidence *out, cv_diag *d)
{
	cv_err err;
	if (is_attestation_lead(b[0])) {
		cv_attestation a;
		if ((err = cv_attestation_decode(b, n, &a, d)) == CV_OK) {
			cv_format(out->container, sizeof out->container, "dstack attestation V%d", a.format);
			err = absorb_attestation(&a, out, d);
		}
		cv_attestation_free(&a);
		return err;
	}
	cv_ratls r;
	err = cv_ratls_parse(b, n, &r, d);
	/* The certificate is read for its extension, not validated as a chain:
	 * a DER structure error is malformed evidence (exit 2 in the CLI). */
	if (err == CV_CERT_CHAIN_INVALID)
		d->code = err = CV_EVIDENCE_MALFORMED;
	if (err == CV_OK) {
		cv_format(out->container, sizeof out->container, "RA-TLS certificate");
		memcpy(out->ratls_report_data, r.expected_report_data, sizeof out->ratls_report_data);
		out->has_ratls = 1;
		err = absorb_attestation(&r.att, out, d);
	}
	cv_ratls_free(&r);
	return err;
}

/* A hex string (the shim hex-encodes binary files): a quote, an attestation
 * or a certificate, told apart by the first byte. */
static cv_err take_hex_input(const char *s, const char *path, cv_evidence *out, cv_diag *d)
{
	cv_err err = quote_from_hex(s, path, out, d);
	if (err != CV_OK || !out->quote)
		return err;
	if (!is_attestation_lead(out->quote[0]) && !is_certificate_lead(out->quote[0]))
		return CV_OK;
	uint8_t *b = out->quote;
	size_t n = out->quote_len;
	out->quote = NULL;
	out->quote_len = 0;
	out->quote_source[0] = '\0';
	err = take_container(b, n, out, d);
	free(b);
	return err;
}

/* {"attestation": hex} (the guest agent's Attest response), no "format". */
static int is_attest_response(const cJSON *o)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "attestation");
	return cJSON_IsString(a) && !cJSON_GetObjectItemCaseSensitive(o, "format");
}

static cv_err parse_bundle(const cJSON *o, cv_evidence *out, cv_diag *d)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(o, "format");
	cv_err err;
	int seen = 0;
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "cvm-evidence/v1") != 0)
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"The evidence has a \"format\" member that is not \"cvm-evidence/v1\".");
	out->is_bundle = 1;
	if ((err = take_text(o, "nonce", "", &out->nonce, &seen, d)) != CV_OK ||
		(err = take_text(o, "source_url", "", &out->source_url, &seen, d)) != CV_OK ||
		(err = take_text(o, "fetched_at", "", &out->fetched_at, &seen, d)) != CV_OK)
		return err;
	const cJSON *col = cJSON_GetObjectItemCaseSensitive(o, "collateral");
	if (cJSON_IsObject(col))
		out->collateral = col;
	else if (col && !cJSON_IsNull(col))
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "The bundle's collateral is not a JSON object.");
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(o, "report");
	if (cJSON_IsObject(rep))
		out->report = rep;

	int found = 0;
	static const char *const parts[2] = { "attestation", "info" };
	for (int i = 0; i < 2; i++) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, parts[i]);
		char prefix[CV_EV_PATH_MAX];
		if (!p || cJSON_IsNull(p))
			continue;
		if (!cJSON_IsObject(p))
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "The bundle's %s is not a JSON object.", parts[i]);
		cv_format(prefix, sizeof prefix, "%s.", parts[i]);
		int part_seen = 0;
		if ((err = absorb(p, prefix, 1, out, &part_seen, d)) != CV_OK)
			return err;
		if (!part_seen)
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"The bundle's %s has none of the expected members (%s).", parts[i],
				i == 0 ? "quote, event_log" : "app_id, tcb_info");
		found = 1;
	}
	if (!found)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "The cvm-evidence/v1 bundle has neither attestation nor info.");
	return CV_OK;
}

static cv_err parse_value(const cJSON *v, int depth, cv_evidence *out, cv_diag *d)
{
	if (cJSON_IsString(v) && v->valuestring) {
		const char *s = v->valuestring;
		size_t n = strlen(s);
		size_t i = 0;
		while (i < n && is_ws(s[i]))
			i++;
		if (i < n && (s[i] == '{' || s[i] == '[' || s[i] == '"')) {
			if (depth > 0)
				return cv_fail(d, CV_EVIDENCE_MALFORMED,
					"The evidence is a string holding a string of JSON; %s.", k_expected);
			cJSON *j = cv_json_parse_exact(s, n);
			if (!j)
				return cv_fail(d, CV_EVIDENCE_MALFORMED,
					"The evidence string starts like JSON but does not parse; %s.", k_expected);
			out->owned_root = j; /* collateral/report may point into it */
			return parse_value(j, depth + 1, out, d);
		}
		if (s[i] == '-') /* PEM text: an RA-TLS certificate */
			return take_container((const uint8_t *)s + i, n - i, out, d);
		cv_err err = take_hex_input(s, "", out, d);
		if (err == CV_OK && !out->quote && !out->container[0])
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "The evidence is an empty string; %s.", k_expected);
		return err;
	}
	if (cJSON_IsArray(v)) {
		if (!v->child)
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "The evidence is an empty array; %s.", k_expected);
		if (!cJSON_IsNumber(v->child))
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"The evidence is an array but not of byte values; %s.", k_expected);
		return quote_from_bytes_array(v, "", out, d);
	}
	if (cJSON_IsObject(v)) {
		if (cJSON_GetObjectItemCaseSensitive(v, "format"))
			return parse_bundle(v, out, d);
		if (is_attest_response(v)) {
			const char *a = cJSON_GetObjectItemCaseSensitive(v, "attestation")->valuestring;
			cv_err err = take_hex_input(a, "attestation", out, d);
			if (err == CV_OK && !out->container[0])
				return cv_fail(d, CV_EVIDENCE_MALFORMED,
					"The evidence's attestation is not a dstack attestation (V0 or V1 hex).");
			return err;
		}
		/* Say what was given when it is the other input (issue 18.5): collateral has tcb_info too,
		 * but with its issuer chain and the QE identity, which no evidence shape has. */
		if (cJSON_GetObjectItemCaseSensitive(v, "tcb_info_issuer_chain") &&
		    cJSON_GetObjectItemCaseSensitive(v, "qe_identity"))
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"This is DCAP collateral (QuoteCollateralV3), not evidence: give it as the collateral, and the quote or the app's /attestation answer as the evidence.");
		int seen = 0;
		cv_err err = absorb(v, "", 0, out, &seen, d);
		if (err != CV_OK)
			return err;
		if (!seen)
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"The evidence object has none of the expected members; %s.", k_expected);
		return CV_OK;
	}
	return cv_fail(d, CV_EVIDENCE_MALFORMED, "The evidence is not an object, array or string; %s.", k_expected);
}

cv_err cv_evidence_parse(const cJSON *ev, cv_evidence *out, cv_diag *d)
{
	memset(out, 0, sizeof *out);
	if (!ev)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "No evidence was given; %s.", k_expected);
	cv_err err = parse_value(ev, 0, out, d);
	if (err != CV_OK)
		cv_evidence_free(out);
	return err;
}
