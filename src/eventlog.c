/*
 * dstack event log: parse, recompute runtime digests, replay RTMR0..3,
 * extract the app identity (docs/checks.md eventlog.replay).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "eventlog.h"
#include "json.h"
#include "util.h"

/* ---- parsing ---- */

static void event_free(cv_event *e)
{
	free(e->name);
	free(e->payload);
	free(e->preimage);
	memset(e, 0, sizeof *e);
}

void cv_eventlog_free(cv_eventlog *log)
{
	if (!log)
		return;
	for (size_t i = 0; i < log->n; i++)
		event_free(&log->ev[i]);
	free(log->ev);
	log->ev = NULL;
	log->n = 0;
}

/* A JSON number that is an integer in [0, max]. */
static int json_uint(const cJSON *v, double max, uint32_t *out)
{
	if (!cJSON_IsNumber(v))
		return 0;
	double x = v->valuedouble;
	if (!(x >= 0 && x <= max) || (double)(uint32_t)x != x)
		return 0;
	*out = (uint32_t)x;
	return 1;
}

/* Optional string member: absent or null -> "" ; another type -> error. */
static int member_str(const cJSON *obj, const char *key, const char **s)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v)) {
		*s = "";
		return 1;
	}
	if (!cJSON_IsString(v) || !v->valuestring)
		return 0;
	*s = v->valuestring;
	return 1;
}

/* Decode a hex member into a malloc'd buffer (NULL when empty). */
static cv_err member_hex_alloc(const cJSON *obj, const char *key, size_t idx, size_t cap,
	uint8_t **out, size_t *out_len, cv_diag *d)
{
	const char *s;
	*out = NULL;
	*out_len = 0;
	if (!member_str(obj, key, &s))
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"%s\" is not a string.", (uint64_t)idx, key);
	size_t n = strlen(s);
	if (n / 2 > cap)
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"%s\" is longer than %u bytes.", (uint64_t)idx, key, (unsigned)cap);
	if (n == 0)
		return CV_OK;
	uint8_t *b = malloc(n / 2 + 1);
	if (!b)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory reading the event log.");
	size_t got = cv_hex_decode(s, n, b, n / 2 + 1);
	if (got == (size_t)-1) {
		free(b);
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"%s\" is not hex.", (uint64_t)idx, key);
	}
	if (got == 0) {
		free(b);
		return CV_OK;
	}
	*out = b;
	*out_len = got;
	return CV_OK;
}

static cv_err parse_entry(const cJSON *o, size_t idx, cv_event *e, cv_diag *d)
{
	cv_err err;
	if (!cJSON_IsObject(o))
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U is not a JSON object.", (uint64_t)idx);
	if (!json_uint(cJSON_GetObjectItemCaseSensitive(o, "imr"), 3, &e->imr))
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"imr\" is missing or not an integer 0..3.", (uint64_t)idx);
	if (!json_uint(cJSON_GetObjectItemCaseSensitive(o, "event_type"), 4294967295.0, &e->type))
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"event_type\" is missing or not a 32-bit unsigned integer.",
			(uint64_t)idx);

	const char *name;
	if (!member_str(o, "event", &name))
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"event\" is not a string.", (uint64_t)idx);
	e->name_len = strlen(name);
	if (e->name_len > CV_MAX_EVENT_NAME)
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: the event name is longer than %u bytes.", (uint64_t)idx,
			(unsigned)CV_MAX_EVENT_NAME);
	e->name = malloc(e->name_len + 1);
	if (!e->name)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory reading the event log.");
	memcpy(e->name, name, e->name_len + 1);

	/* The payload is required: a runtime digest is computed from it. */
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(o, "event_payload");
	if (!pl)
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U has no \"event_payload\".", (uint64_t)idx);
	if ((err = member_hex_alloc(o, "event_payload", idx, CV_MAX_EVENT_PAYLOAD,
		     &e->payload, &e->payload_len, d)) != CV_OK)
		return err;

	const char *dg;
	if (!member_str(o, "digest", &dg))
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"digest\" is not a string.", (uint64_t)idx);
	size_t dl = strlen(dg);
	e->digest_len = dl ? cv_hex_decode(dg, dl, e->digest, sizeof e->digest) : 0;
	if (e->digest_len == (size_t)-1) {
		e->digest_len = 0;
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U: \"digest\" is not hex of at most %u bytes.", (uint64_t)idx,
			(unsigned)CV_MAX_EVENT_DIGEST);
	}

	e->version = 1;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (ver && !cJSON_IsNull(ver)) {
		uint32_t v;
		if (!json_uint(ver, 2, &v) || v < 1)
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"Event log entry %U: \"version\" is not 1 or 2.", (uint64_t)idx);
		e->version = (int)v;
	}
	const cJSON *pre = cJSON_GetObjectItemCaseSensitive(o, "preimage");
	if (pre && !cJSON_IsNull(pre)) {
		if ((err = member_hex_alloc(o, "preimage", idx, CV_MAX_EVENT_PAYLOAD * 2 + 1024,
			     &e->preimage, &e->preimage_len, d)) != CV_OK)
			return err;
		e->has_preimage = 1;
	}

	/* Structural consistency, so that the replay cannot be fooled by an
	 * entry that claims one register and is counted in another. */
	if (e->type == CV_EVENT_RUNTIME && e->imr != 3)
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U ('%s') is a dstack runtime event but claims imr %u, not 3.",
			(uint64_t)idx, e->name, (unsigned)e->imr);
	if (e->type != CV_EVENT_RUNTIME && e->type != CV_EV_NO_ACTION) {
		if (e->imr == 3)
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"Event log entry %U has imr 3 but event type %U is not a dstack runtime event (134217729).",
				(uint64_t)idx, (uint64_t)e->type);
		if (e->digest_len != 48)
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"Event log entry %U (imr %u, boot event) has a %U-byte digest; a boot event needs exactly 48 bytes.",
				(uint64_t)idx, (unsigned)e->imr, (uint64_t)e->digest_len);
	}
	if (e->version == 2 && e->type != CV_EVENT_RUNTIME)
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"Event log entry %U has \"version\": 2 but is not a dstack runtime event.", (uint64_t)idx);
	return CV_OK;
}

static cv_err parse_array(const cJSON *arr, cv_eventlog *log, cv_diag *d)
{
	size_t n = 0;
	for (const cJSON *c = arr->child; c; c = c->next)
		if (++n > CV_MAX_EVENTS)
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"The event log has more than %u entries.", (unsigned)CV_MAX_EVENTS);
	if (n == 0)
		return CV_OK;
	log->ev = calloc(n, sizeof *log->ev);
	if (!log->ev)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory reading the event log.");
	log->n = n;
	size_t i = 0;
	for (const cJSON *c = arr->child; c; c = c->next, i++) {
		cv_err err = parse_entry(c, i, &log->ev[i], d);
		if (err != CV_OK)
			return err;
	}
	return CV_OK;
}

cv_err cv_eventlog_parse(const cJSON *v, cv_eventlog *log, cv_diag *d)
{
	cv_err err;
	memset(log, 0, sizeof *log);
	if (cJSON_IsArray(v)) {
		err = parse_array(v, log, d);
	} else if (cJSON_IsString(v) && v->valuestring) {
		/* GetQuote returns the log as a JSON string holding the array. */
		cJSON *inner = cv_json_parse_exact(v->valuestring, strlen(v->valuestring));
		if (!inner)
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"The event log string is not valid JSON, or it repeats a key.");
		if (!cJSON_IsArray(inner)) {
			cJSON_Delete(inner);
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"The event log string does not hold a JSON array of entries.");
		}
		err = parse_array(inner, log, d);
		cJSON_Delete(inner);
	} else {
		return cv_fail(d, CV_EVENT_LOG_MALFORMED,
			"The event log is neither a JSON array of entries nor a string holding one.");
	}
	if (err != CV_OK)
		cv_eventlog_free(log);
	return err;
}

/* ---- digests ---- */

void cv_runtime_digest_v1(const char *name, size_t name_len,
	const uint8_t *payload, size_t payload_len, uint8_t out[48])
{
	/* le32 written byte by byte: the digest must not depend on host order. */
	static const uint8_t type_le[4] = { 0x01, 0x00, 0x00, 0x08 };
	cv_sha384_ctx c;
	cv_sha384_init(&c);
	cv_sha384_update(&c, type_le, 4);
	cv_sha384_update(&c, ":", 1);
	cv_sha384_update(&c, name, name_len);
	cv_sha384_update(&c, ":", 1);
	if (payload_len)
		cv_sha384_update(&c, payload, payload_len);
	cv_sha384_final(&c, out);
}

/* JCS (RFC 8785) string: escape '"', '\\' and control characters (short
 * forms for \b \t \n \f \r, else \u00xx in lower case); everything else,
 * including non-ASCII UTF-8, verbatim. Returns the length written; out may
 * be NULL to measure. */
static size_t jcs_string(const char *s, size_t n, uint8_t *out)
{
	static const char hexd[] = "0123456789abcdef";
	size_t k = 0;
#define PUT(ch) do { if (out) out[k] = (uint8_t)(ch); k++; } while (0)
	PUT('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': PUT('\\'); PUT('"'); break;
		case '\\': PUT('\\'); PUT('\\'); break;
		case '\b': PUT('\\'); PUT('b'); break;
		case '\t': PUT('\\'); PUT('t'); break;
		case '\n': PUT('\\'); PUT('n'); break;
		case '\f': PUT('\\'); PUT('f'); break;
		case '\r': PUT('\\'); PUT('r'); break;
		default:
			if (c < 0x20) {
				PUT('\\'); PUT('u'); PUT('0'); PUT('0');
				PUT(hexd[c >> 4]); PUT(hexd[c & 15]);
			} else {
				PUT(c);
			}
		}
	}
	PUT('"');
#undef PUT
	return k;
}

cv_err cv_runtime_preimage_v2(const char *name, size_t name_len,
	const uint8_t *payload, size_t payload_len, uint8_t **out, size_t *out_len, cv_diag *d)
{
	static const char k_name[] = "{\"name\":";
	static const char k_payload[] = ",\"payload\":\"";
	static const char k_type[] = "\",\"type\":134217729}";
	size_t total = (sizeof k_name - 1) + jcs_string(name, name_len, NULL) +
		(sizeof k_payload - 1) + 2 * payload_len + (sizeof k_type - 1);
	uint8_t *b = malloc(total + 1);
	if (!b)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory computing a V2 event digest.");
	size_t k = 0;
	memcpy(b + k, k_name, sizeof k_name - 1);
	k += sizeof k_name - 1;
	k += jcs_string(name, name_len, b + k);
	memcpy(b + k, k_payload, sizeof k_payload - 1);
	k += sizeof k_payload - 1;
	cv_hex_encode(payload, payload_len, (char *)b + k); /* writes a NUL we overwrite */
	k += 2 * payload_len;
	memcpy(b + k, k_type, sizeof k_type - 1);
	k += sizeof k_type - 1;
	*out = b;
	*out_len = k;
	return CV_OK;
}

/* ---- replay ---- */

/* TDX RTMR extend: mr = SHA-384(mr || digest). Also used by
 * src/os_image.c to predict RTMR1/2 from a manifest. */
void cv_rtmr_extend(uint8_t mr[48], const uint8_t digest[48])
{
	cv_sha384_ctx c;
	cv_sha384_init(&c);
	cv_sha384_update(&c, mr, 48);
	cv_sha384_update(&c, digest, 48);
	cv_sha384_final(&c, mr);
}

void cv_replay_free(cv_replay *r)
{
	if (!r)
		return;
	free(r->ev);
	memset(r, 0, sizeof *r);
}

cv_err cv_eventlog_replay(const cv_eventlog *log, cv_replay *r, cv_diag *d)
{
	memset(r, 0, sizeof *r);
	if (log->n) {
		r->ev = calloc(log->n, sizeof *r->ev);
		if (!r->ev)
			return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory replaying the event log.");
	}
	r->n = log->n;
	for (size_t i = 0; i < log->n; i++) {
		const cv_event *e = &log->ev[i];
		cv_event_result *er = &r->ev[i];
		if (e->type == CV_EVENT_RUNTIME) {
			if (e->version == 2) {
				uint8_t *pre;
				size_t pre_len;
				cv_err err = cv_runtime_preimage_v2(e->name, e->name_len, e->payload,
					e->payload_len, &pre, &pre_len, d);
				if (err != CV_OK) {
					cv_replay_free(r);
					return err;
				}
				cv_sha384(pre, pre_len, er->digest);
				if (e->has_preimage && !cv_bytes_eq(pre, pre_len, e->preimage, e->preimage_len))
					er->preimage_differs = 1;
				free(pre);
			} else {
				cv_runtime_digest_v1(e->name, e->name_len, e->payload, e->payload_len, er->digest);
			}
			if (e->digest_len == 0)
				er->supplied = CV_SUPPLIED_EMPTY;
			else if (cv_bytes_eq(e->digest, e->digest_len, er->digest, 48))
				er->supplied = CV_SUPPLIED_MATCH;
			else
				er->supplied = CV_SUPPLIED_DIFFERS;
			if (er->supplied == CV_SUPPLIED_DIFFERS || er->preimage_differs) {
				if (r->n_inconsistent++ == 0)
					r->first_inconsistent = i;
			}
			cv_rtmr_extend(r->rtmr[3], er->digest);
			er->extended = 1;
		} else if (e->type != CV_EV_NO_ACTION) {
			/* Parsing guaranteed imr 0..2 and a 48-byte digest. */
			memcpy(er->digest, e->digest, 48);
			er->supplied = CV_SUPPLIED_NOT_CHECKED;
			cv_rtmr_extend(r->rtmr[e->imr], er->digest);
			er->extended = 1;
		}
	}
	return CV_OK;
}

/* ---- app identity ---- */

static int name_is(const cv_event *e, const char *s)
{
	size_t n = strlen(s);
	return e->name_len == n && memcmp(e->name, s, n) == 0;
}

/* Copy a cJSON string member into a fixed buffer; 0 when absent, not a
 * string or too long. */
static int copy_str(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsString(v) || !v->valuestring)
		return 0;
	size_t n = strlen(v->valuestring);
	if (n >= cap)
		return 0;
	memcpy(out, v->valuestring, n + 1);
	return 1;
}

void cv_app_identity_find(const cv_eventlog *log, cv_app_identity *id)
{
	static const struct {
		const char *name;
		size_t off;
	} slots[] = {
		{ "app-id", offsetof(cv_app_identity, app_id) },
		{ "compose-hash", offsetof(cv_app_identity, compose_hash) },
		{ "instance-id", offsetof(cv_app_identity, instance_id) },
		{ "key-provider", offsetof(cv_app_identity, key_provider) },
		{ "os-image-hash", offsetof(cv_app_identity, os_image_hash) },
		{ "mr-kms", offsetof(cv_app_identity, mr_kms) },
		{ "storage-fs", offsetof(cv_app_identity, storage_fs) },
		{ "rootfs-hash", offsetof(cv_app_identity, rootfs_hash) },
		{ "boot-mr-done", offsetof(cv_app_identity, boot_mr_done) },
	};
	memset(id, 0, sizeof *id);
	for (size_t i = 0; i < log->n; i++) {
		const cv_event *e = &log->ev[i];
		if (e->type != CV_EVENT_RUNTIME)
			continue;
		if (name_is(e, "system-ready")) {
			/* Everything after it is app-controlled: never identity. */
			id->has_system_ready = 1;
			id->system_ready = i;
			break;
		}
		for (size_t s = 0; s < sizeof slots / sizeof slots[0]; s++) {
			const cv_event **slot = (const cv_event **)((char *)id + slots[s].off);
			if (!*slot && name_is(e, slots[s].name))
				*slot = e;
		}
	}
	/* key-provider payload: UTF-8 JSON {"name": ..., "id": ...}. */
	if (id->key_provider && id->key_provider->payload_len) {
		cJSON *kp = cv_json_parse_exact((const char *)id->key_provider->payload,
			id->key_provider->payload_len);
		if (cJSON_IsObject(kp) && copy_str(kp, "name", id->kp_name, sizeof id->kp_name) &&
			copy_str(kp, "id", id->kp_id, sizeof id->kp_id))
			id->kp_parsed = 1;
		else
			id->kp_name[0] = id->kp_id[0] = '\0';
		cJSON_Delete(kp);
	}
}

int cv_app_identity_is_app_event(const cv_app_identity *id, const cv_eventlog *log, size_t i)
{
	return id->has_system_ready && i > id->system_ready && i < log->n &&
		log->ev[i].type == CV_EVENT_RUNTIME;
}
