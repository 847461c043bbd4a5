/*
 * dstack versioned attestation decoder (see attestation.h). Format facts
 * from dstack's dstack-attest and cc-eventlog crates (read, not copied):
 * LegacyVersionedAttestation::V0 {Attestation} in SCALE, and the V1 schema
 * serialised with rmp_serde's named-field maps, where byte fields marked
 * serde_human_bytes come out as MessagePack binary and plain Vec<u8> fields
 * (quote, report_data) as arrays of integers; both encodings are read for
 * every byte field.
 */
#include <stdlib.h>
#include <string.h>

#include "attestation.h"
#include "eventlog.h"
#include "msgpack.h"
#include "scale.h"
#include "json.h"
#include "util.h"

/* V0 platform enum: the SCALE discriminant is the index in this list. */
static const char *const k_v0_platforms[] = { "DstackTdx", "DstackGcpTdx", "DstackNitroEnclave",
	"DstackAmdSevSnp", "DstackAwsNitroTpm" };
/* V1 platform kinds other than "tdx": known, but not verifiable here. */
static const char *const k_v1_other_platforms[] = { "gcp-tdx", "nitro-enclave", "aws-nitro-tpm", "sev-snp" };

static const uint8_t k_acpi_data[] = { 'A', 'C', 'P', 'I', ' ', 'D', 'A', 'T', 'A' };
#define ACPI_DATA_EVENT_TYPE 10u

static void event_free(cv_att_event *e)
{
	free(e->name);
	free(e->payload);
	free(e->preimage);
	memset(e, 0, sizeof *e);
}

static void events_free(cv_att_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		event_free(&ev[i]);
	free(ev);
}

void cv_attestation_free(cv_attestation *a)
{
	if (!a)
		return;
	free(a->quote);
	events_free(a->events, a->n_events);
	events_free(a->runtime, a->n_runtime);
	free(a->config);
	free(a->vm_config);
	free(a->report_data_payload);
	memset(a, 0, sizeof *a);
}

static cv_err oom(cv_diag *d)
{
	return cv_fail(d, CV_OUT_OF_MEMORY, "out of memory while decoding the attestation");
}

/* A NUL-terminated copy. */
static char *dup_text(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	if (n == 0)
		return NULL;
	uint8_t *b = malloc(n);
	if (b)
		memcpy(b, p, n);
	return b;
}

/* An array of n zeroed events (n bounded by CV_MAX_EVENTS by the callers);
 * never NULL on success, even for n == 0, so no caller meets a NULL array. */
static cv_err alloc_events(size_t n, cv_att_event **out, cv_diag *d)
{
	*out = calloc(n ? n : 1, sizeof **out);
	return *out ? CV_OK : oom(d);
}

/* ---- checks shared by both formats ---- */

static int is_acpi_data_event(const cv_att_event *e)
{
	return e->imr == 0 && e->event_type == ACPI_DATA_EVENT_TYPE &&
		cv_bytes_eq(e->payload, e->payload_len, k_acpi_data, sizeof k_acpi_data);
}

static cv_err finish(cv_attestation *a, cv_diag *d)
{
	if (a->quote_len == 0)
		return cv_fail(d, CV_QUOTE_MISSING, "the attestation's TDX quote is empty");
	for (size_t i = 0; i < a->n_events; i++)
		if (a->events[i].imr > 3)
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"the attestation's event log entry %U names imr %u (only 0 to 3 exist)", (uint64_t)i,
				(unsigned)a->events[i].imr);
	/* The second list must agree with the log's RTMR3 events (attestation.h). */
	if (a->n_runtime) {
		size_t j = 0;
		for (size_t i = 0; i < a->n_events; i++) {
			const cv_att_event *e = &a->events[i];
			if (e->imr != 3)
				continue;
			if (j >= a->n_runtime)
				break;
			const cv_att_event *r = &a->runtime[j];
			if (!cv_bytes_eq((const uint8_t *)e->name, e->name_len, (const uint8_t *)r->name, r->name_len) ||
				!cv_bytes_eq(e->payload, e->payload_len, r->payload, r->payload_len))
				return cv_fail(d, CV_EVENT_LOG_MALFORMED,
					"the attestation's runtime_events entry %U (\"%s\") differs from the event log's RTMR3 event %U",
					(uint64_t)j, r->name, (uint64_t)i);
			j++;
		}
		size_t n3 = 0;
		for (size_t i = 0; i < a->n_events; i++)
			n3 += a->events[i].imr == 3;
		if (n3 != a->n_runtime)
			return cv_fail(d, CV_EVENT_LOG_MALFORMED,
				"the attestation lists %U runtime_events but its event log has %U RTMR3 events",
				(uint64_t)a->n_runtime, (uint64_t)n3);
	}
	a->stripped = 1;
	for (size_t i = 0; i < a->n_events; i++)
		if (a->events[i].imr != 3 && !is_acpi_data_event(&a->events[i]))
			a->stripped = 0;
	/* vm_config is a JSON string inside the sys-config JSON; a config that is
	 * not such an object simply has none (a claim, checked downstream). */
	if (a->config_len && cv_json_depth_ok(a->config, a->config_len, 64)) {
		cJSON *cfg = cJSON_ParseWithLength(a->config, a->config_len);
		const cJSON *vm = cJSON_GetObjectItemCaseSensitive(cfg, "vm_config");
		if (cJSON_IsString(vm) && vm->valuestring) {
			a->vm_config = dup_text((const uint8_t *)vm->valuestring, strlen(vm->valuestring));
			if (!a->vm_config) {
				cJSON_Delete(cfg);
				return oom(d);
			}
		}
		cJSON_Delete(cfg);
	}
	return CV_OK;
}

/* ---- V0: SCALE ---- */

/* Copy the name and payload both V0 event kinds carry, last in each. */
static cv_err v0_name_payload(cv_att_event *e, cv_bytes name, cv_bytes pl, cv_diag *d)
{
	e->name = dup_text(name.ptr, name.len);
	e->name_len = name.len;
	e->payload = dup_bytes(pl.ptr, pl.len);
	e->payload_len = pl.len;
	if (!e->name || (pl.len && !e->payload))
		return oom(d);
	return CV_OK;
}

static cv_err v0_event(cv_scale_cur *c, cv_att_event *e, cv_diag *d)
{
	cv_err err;
	cv_bytes dg, name, pl;
	if ((err = cv_scale_u32(c, &e->imr, "event imr")) || (err = cv_scale_u32(c, &e->event_type, "event type")) ||
		(err = cv_scale_bytes(c, sizeof e->digest, &dg, "event digest")) ||
		(err = cv_scale_str(c, CV_MAX_EVENT_NAME, &name, "event name")) ||
		(err = cv_scale_bytes(c, CV_MAX_EVENT_PAYLOAD, &pl, "event payload")))
		return err;
	if (dg.len)
		memcpy(e->digest, dg.ptr, dg.len);
	e->digest_len = dg.len;
	e->version = 1; /* SCALE never carries the version: V0 logs hold V1 events only */
	return v0_name_payload(e, name, pl, d);
}

static cv_err v0_runtime_event(cv_scale_cur *c, cv_att_event *e, cv_diag *d)
{
	cv_err err;
	cv_bytes name, pl;
	if ((err = cv_scale_str(c, CV_MAX_EVENT_NAME, &name, "runtime event name")) ||
		(err = cv_scale_bytes(c, CV_MAX_EVENT_PAYLOAD, &pl, "runtime event payload")))
		return err;
	e->imr = 3;
	e->event_type = CV_EVENT_RUNTIME;
	e->version = 1;
	return v0_name_payload(e, name, pl, d);
}

/* A SCALE Vec of events: compact length (at most CV_MAX_EVENTS), then each
 * item decoded by one(). *n counts the array even when an item fails, so the
 * caller's cleanup sees every allocated entry. */
static cv_err v0_events(cv_scale_cur *c, cv_err (*one)(cv_scale_cur *, cv_att_event *, cv_diag *),
	const char *field, cv_att_event **out, size_t *n, cv_diag *d)
{
	cv_err err;
	uint64_t len;
	if ((err = cv_scale_compact(c, CV_MAX_EVENTS, &len, field)))
		return err;
	if ((err = alloc_events((size_t)len, out, d)))
		return err;
	*n = (size_t)len;
	for (size_t i = 0; i < *n; i++)
		if ((err = one(c, &(*out)[i], d)))
			return err;
	return CV_OK;
}

static cv_err decode_v0(const uint8_t *buf, size_t len, cv_attestation *a, cv_diag *d)
{
	cv_scale_cur c;
	cv_scale_init(&c, buf, len, "V0 attestation", d);
	cv_err err;
	uint8_t version, platform;
	if ((err = cv_scale_u8(&c, &version, "version")) || (err = cv_scale_u8(&c, &platform, "platform")))
		return err;
	if (platform != 0) {
		if (platform < sizeof k_v0_platforms / sizeof *k_v0_platforms)
			return cv_fail(d, CV_QUOTE_UNSUPPORTED_TEE,
				"the attestation is for the %s platform; only DstackTdx (Intel TDX) can be verified",
				k_v0_platforms[platform]);
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "the V0 attestation names unknown platform %u",
			(unsigned)platform);
	}
	a->format = 0;
	memcpy(a->stack, "dstack", 7);
	cv_bytes q;
	if ((err = cv_scale_bytes(&c, CV_MAX_QUOTE_LEN, &q, "quote")))
		return err;
	if (q.len && !(a->quote = dup_bytes(q.ptr, q.len)))
		return oom(d);
	a->quote_len = q.len;

	if ((err = v0_events(&c, v0_event, "event log length", &a->events, &a->n_events, d)) ||
		(err = v0_events(&c, v0_runtime_event, "runtime_events length", &a->runtime, &a->n_runtime, d)))
		return err;

	cv_bytes rd, cfg;
	if ((err = cv_scale_fixed(&c, 64, &rd, "report_data")) ||
		(err = cv_scale_str(&c, CV_ATT_MAX_CONFIG, &cfg, "config")))
		return err;
	memcpy(a->report_data, rd.ptr, 64);
	if (!(a->config = dup_text(cfg.ptr, cfg.len)))
		return oom(d);
	a->config_len = cfg.len;
	/* Attestation's verified-report slot is the unit type: no bytes. */
	return cv_scale_expect_end(&c);
}

/* ---- V1: MessagePack ---- */

/* Seen-key bookkeeping: each known key at most once, unknown keys refused. */
static cv_err map_key(cv_mp_cur *c, const char *const *keys, size_t nkeys, unsigned *seen, size_t *which,
	const char *where)
{
	cv_bytes k;
	cv_err err = cv_mp_str(c, 64, &k, where);
	if (err)
		return err;
	for (size_t i = 0; i < nkeys; i++) {
		if (!cv_mp_key_is(&k, keys[i]))
			continue;
		if (*seen & (1u << i))
			return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the V1 attestation's %s repeats the key \"%s\"",
				where, keys[i]);
		*seen |= 1u << i;
		*which = i;
		return CV_OK;
	}
	char name[65];
	size_t n = k.len < 64 ? k.len : 64;
	memcpy(name, k.ptr, n);
	name[n] = 0;
	return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the V1 attestation's %s has an unknown key \"%s\"", where,
		name);
}

static cv_err missing(cv_diag *d, const char *where, const char *key)
{
	return cv_fail(d, CV_EVIDENCE_MALFORMED, "the V1 attestation's %s has no \"%s\"", where, key);
}

/* A byte field into a new buffer (NULL when empty). */
static cv_err mp_bytes_alloc(cv_mp_cur *c, size_t max, uint8_t **out, size_t *len, const char *field)
{
	size_t n;
	cv_err err = cv_mp_byte_string_len(c, max, &n, field);
	if (err)
		return err;
	uint8_t *b = n ? malloc(n) : NULL;
	if (n && !b)
		return oom(c->d);
	if ((err = cv_mp_byte_string(c, b, n, len, field))) {
		free(b);
		return err;
	}
	*out = b;
	return CV_OK;
}

static cv_err mp_text_alloc(cv_mp_cur *c, size_t max, char **out, size_t *len, const char *field)
{
	cv_bytes s;
	cv_err err = cv_mp_str(c, max, &s, field);
	if (err)
		return err;
	free(*out);
	if (!(*out = dup_text(s.ptr, s.len)))
		return oom(c->d);
	if (len)
		*len = s.len;
	return CV_OK;
}

/* An event map: a TDX log entry (runtime == 0) or a runtime_events entry. */
static cv_err v1_event(cv_mp_cur *c, cv_att_event *e, int runtime)
{
	static const char *const tdx_keys[] = { "imr", "event_type", "digest", "event", "event_payload",
		"version", "preimage" };
	static const char *const rt_keys[] = { "event", "payload", "version" };
	const char *where = runtime ? "runtime event" : "event log entry";
	cv_mp_val m;
	cv_err err = cv_mp_expect(c, CV_MP_MAP, &m, where);
	if (err)
		return err;
	unsigned seen = 0;
	e->version = 1;
	for (uint32_t i = 0; i < m.n; i++) {
		size_t k = 0;
		uint64_t u;
		if ((err = map_key(c, runtime ? rt_keys : tdx_keys, runtime ? 3 : 7, &seen, &k, where)))
			return err;
		const char *key = (runtime ? rt_keys : tdx_keys)[k];
		if (!strcmp(key, "imr")) {
			if ((err = cv_mp_uint(c, 3, &u, "event imr")))
				return err;
			e->imr = (uint32_t)u;
		} else if (!strcmp(key, "event_type")) {
			if ((err = cv_mp_uint(c, UINT32_MAX, &u, "event type")))
				return err;
			e->event_type = (uint32_t)u;
		} else if (!strcmp(key, "digest")) {
			if ((err = cv_mp_byte_string(c, e->digest, sizeof e->digest, &e->digest_len, "event digest")))
				return err;
		} else if (!strcmp(key, "event")) {
			if ((err = mp_text_alloc(c, CV_MAX_EVENT_NAME, &e->name, &e->name_len, "event name")))
				return err;
		} else if (!strcmp(key, "event_payload") || !strcmp(key, "payload")) {
			if ((err = mp_bytes_alloc(c, CV_MAX_EVENT_PAYLOAD, &e->payload, &e->payload_len, "event payload")))
				return err;
		} else if (!strcmp(key, "version")) {
			if ((err = cv_mp_uint(c, UINT32_MAX, &u, "event version")))
				return err;
			if (u != 1 && u != 2)
				return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
					"the V1 attestation's %s has event log version %U (only 1 and 2 exist)", where, u);
			e->version = (int)u;
		} else { /* preimage */
			if ((err = mp_text_alloc(c, CV_ATT_MAX_PREIMAGE, &e->preimage, NULL, "event preimage")))
				return err;
		}
	}
	if (runtime) {
		e->imr = 3;
		e->event_type = CV_EVENT_RUNTIME;
		if (!(seen & 1u))
			return missing(c->d, where, "event");
		if (!(seen & 2u))
			return missing(c->d, where, "payload");
	} else {
		/* digest may be absent (serde default: empty) — every other field is required. */
		static const unsigned required[] = { 0, 1, 3, 4 };
		for (size_t r = 0; r < 4; r++)
			if (!(seen & (1u << required[r])))
				return missing(c->d, where, tdx_keys[required[r]]);
	}
	return CV_OK;
}

static cv_err v1_events(cv_mp_cur *c, cv_att_event **out, size_t *n, int runtime, const char *field)
{
	cv_mp_val arr;
	cv_err err = cv_mp_expect(c, CV_MP_ARRAY, &arr, field);
	if (err)
		return err;
	if (arr.n > CV_MAX_EVENTS)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the V1 attestation's %s has %U entries, above the limit of %U",
			field, (uint64_t)arr.n, (uint64_t)CV_MAX_EVENTS);
	if ((err = alloc_events(arr.n, out, c->d)))
		return err;
	*n = arr.n;
	for (size_t i = 0; i < *n; i++)
		if ((err = v1_event(c, &(*out)[i], runtime)))
			return err;
	return CV_OK;
}

/* A {kind, data} map in either key order: returns the kind, and a cursor on
 * data (the main cursor moves past the whole map). */
static cv_err v1_tagged(cv_mp_cur *c, const char *where, cv_bytes *kind, cv_mp_cur *data)
{
	static const char *const keys[] = { "kind", "data" };
	cv_mp_val m;
	cv_err err = cv_mp_expect(c, CV_MP_MAP, &m, where);
	if (err)
		return err;
	unsigned seen = 0;
	for (uint32_t i = 0; i < m.n; i++) {
		size_t k = 0;
		if ((err = map_key(c, keys, 2, &seen, &k, where)))
			return err;
		if (k == 0) {
			if ((err = cv_mp_str(c, 64, kind, "kind")))
				return err;
		} else {
			*data = *c;
			if ((err = cv_mp_skip(c, "data")))
				return err;
			data->end = c->p;
		}
	}
	if (!(seen & 1u))
		return missing(c->d, where, "kind");
	if (!(seen & 2u))
		return missing(c->d, where, "data");
	return CV_OK;
}

static cv_err v1_platform(cv_mp_cur *c, cv_attestation *a)
{
	static const char *const keys[] = { "quote", "event_log" };
	cv_bytes kind;
	cv_mp_cur data;
	cv_err err = v1_tagged(c, "platform", &kind, &data);
	if (err)
		return err;
	if (!cv_mp_key_is(&kind, "tdx")) {
		for (size_t i = 0; i < sizeof k_v1_other_platforms / sizeof *k_v1_other_platforms; i++)
			if (cv_mp_key_is(&kind, k_v1_other_platforms[i]))
				return cv_fail(c->d, CV_QUOTE_UNSUPPORTED_TEE,
					"the attestation is for the %s platform; only tdx (Intel TDX) can be verified",
					k_v1_other_platforms[i]);
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the V1 attestation names an unknown platform kind");
	}
	cv_mp_val m;
	if ((err = cv_mp_expect(&data, CV_MP_MAP, &m, "platform data")))
		return err;
	unsigned seen = 0;
	for (uint32_t i = 0; i < m.n; i++) {
		size_t k = 0;
		if ((err = map_key(&data, keys, 2, &seen, &k, "platform data")))
			return err;
		if (k == 0)
			err = mp_bytes_alloc(&data, CV_MAX_QUOTE_LEN, &a->quote, &a->quote_len, "quote");
		else
			err = v1_events(&data, &a->events, &a->n_events, 0, "event_log");
		if (err)
			return err;
	}
	if (!(seen & 1u))
		return missing(c->d, "platform data", "quote");
	if (!(seen & 2u))
		return missing(c->d, "platform data", "event_log");
	return cv_mp_expect_end(&data);
}

static cv_err v1_stack(cv_mp_cur *c, cv_attestation *a)
{
	static const char *const keys[] = { "report_data", "runtime_events", "config", "report_data_payload" };
	cv_bytes kind;
	cv_mp_cur data;
	cv_err err = v1_tagged(c, "stack", &kind, &data);
	if (err)
		return err;
	int pod = cv_mp_key_is(&kind, "dstack-pod");
	if (!pod && !cv_mp_key_is(&kind, "dstack"))
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
			"the V1 attestation names an unknown stack kind (expected dstack or dstack-pod)");
	memcpy(a->stack, pod ? "dstack-pod" : "dstack", pod ? 11 : 7);
	cv_mp_val m;
	if ((err = cv_mp_expect(&data, CV_MP_MAP, &m, "stack data")))
		return err;
	unsigned seen = 0;
	for (uint32_t i = 0; i < m.n; i++) {
		size_t k = 0, rdl = 0;
		if ((err = map_key(&data, keys, pod ? 4 : 3, &seen, &k, "stack data")))
			return err;
		switch (k) {
		case 0:
			if ((err = cv_mp_byte_string_len(&data, 64, &rdl, "report_data")))
				return err;
			if (rdl != 64)
				return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
					"the V1 attestation's report_data is %U bytes (64 expected)", (uint64_t)rdl);
			err = cv_mp_byte_string(&data, a->report_data, 64, &rdl, "report_data");
			break;
		case 1:
			err = v1_events(&data, &a->runtime, &a->n_runtime, 1, "runtime_events");
			break;
		case 2:
			err = mp_text_alloc(&data, CV_ATT_MAX_CONFIG, &a->config, &a->config_len, "config");
			break;
		default:
			err = mp_text_alloc(&data, CV_ATT_MAX_CONFIG, &a->report_data_payload, NULL,
				"report_data_payload");
			break;
		}
		if (err)
			return err;
	}
	for (size_t k = 0; k < (pod ? 4u : 3u); k++)
		if (!(seen & (1u << k)))
			return missing(c->d, "stack data", keys[k]);
	return cv_mp_expect_end(&data);
}

static cv_err decode_v1(const uint8_t *buf, size_t len, cv_attestation *a, cv_diag *d)
{
	static const char *const keys[] = { "version", "platform", "stack" };
	cv_mp_cur c;
	cv_mp_init(&c, buf, len, "V1 attestation", d);
	cv_mp_val m;
	cv_err err = cv_mp_expect(&c, CV_MP_MAP, &m, "top level");
	if (err)
		return err;
	a->format = 1;
	unsigned seen = 0;
	for (uint32_t i = 0; i < m.n; i++) {
		size_t k = 0;
		uint64_t v;
		if ((err = map_key(&c, keys, 3, &seen, &k, "top level")))
			return err;
		if (k == 0) {
			if ((err = cv_mp_uint(&c, UINT64_MAX, &v, "version")))
				return err;
			if (v != 1)
				return cv_fail(d, CV_EVIDENCE_MALFORMED,
					"the attestation says it is version %U; only version 1 is known", v);
		} else if (k == 1) {
			err = v1_platform(&c, a);
		} else {
			err = v1_stack(&c, a);
		}
		if (err)
			return err;
	}
	for (size_t k = 0; k < 3; k++)
		if (!(seen & (1u << k)))
			return missing(d, "top level", keys[k]);
	return cv_mp_expect_end(&c);
}

/* ---- entry points ---- */

cv_err cv_attestation_decode(const uint8_t *buf, size_t len, cv_attestation *out, cv_diag *d)
{
	memset(out, 0, sizeof *out);
	if (len == 0)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "the attestation is empty");
	if (len > CV_MAX_INPUT_LEN)
		return cv_fail(d, CV_INPUT_TOO_LARGE, "the attestation is %U bytes, above the limit of %U",
			(uint64_t)len, (uint64_t)CV_MAX_INPUT_LEN);
	cv_err err;
	uint8_t b = buf[0];
	if (b == 0x00)
		err = decode_v0(buf, len, out, d);
	else if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf)
		err = decode_v1(buf, len, out, d);
	else
		err = cv_fail(d, CV_EVIDENCE_MALFORMED,
			"the attestation starts with byte %H, which is neither V0 (0x00) nor V1 (a MessagePack map)",
			&b, (size_t)1);
	if (err == CV_OK)
		err = finish(out, d);
	if (err != CV_OK)
		cv_attestation_free(out);
	return err;
}

static cv_err decode_hex(const char *s, size_t len, cv_attestation *out, cv_diag *d)
{
	if (len / 2 > CV_MAX_INPUT_LEN)
		return cv_fail(d, CV_INPUT_TOO_LARGE, "the attestation hex is %U characters, above the limit", (uint64_t)len);
	uint8_t *b = malloc(len / 2 + 1);
	if (!b)
		return oom(d);
	size_t n = cv_hex_decode(s, len, b, len / 2 + 1);
	cv_err err;
	if (n == (size_t)-1)
		err = cv_fail(d, CV_EVIDENCE_MALFORMED, "the attestation is not hex text (even length, 0-9 a-f)");
	else
		err = cv_attestation_decode(b, n, out, d);
	free(b);
	return err;
}

cv_err cv_attestation_decode_json(const cJSON *v, cv_attestation *out, cv_diag *d)
{
	memset(out, 0, sizeof *out);
	if (cJSON_IsObject(v))
		v = cJSON_GetObjectItemCaseSensitive(v, "attestation");
	if (!cJSON_IsString(v) || !v->valuestring)
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"expected an attestation as a hex string or {\"attestation\": \"<hex>\"}");
	return decode_hex(v->valuestring, strlen(v->valuestring), out, d);
}

cv_err cv_attestation_decode_text(const char *text, size_t len, cv_attestation *out, cv_diag *d)
{
	memset(out, 0, sizeof *out);
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '"')) {
		if (len > CV_MAX_INPUT_LEN)
			return cv_fail(d, CV_INPUT_TOO_LARGE, "the attestation text is above the limit of %U bytes",
				(uint64_t)CV_MAX_INPUT_LEN);
		if (!cv_json_depth_ok(text, len, 64))
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "the attestation JSON nests too deeply");
		cJSON *j = cJSON_ParseWithLength(text, len);
		if (!j)
			return cv_fail(d, CV_EVIDENCE_MALFORMED, "the attestation text is neither hex nor JSON");
		cv_err err = cv_attestation_decode_json(j, out, d);
		cJSON_Delete(j);
		return err;
	}
	return decode_hex(text, len, out, d);
}

/* ---- GetQuote shape ---- */

static int add_hex(cJSON *o, const char *key, const uint8_t *b, size_t n)
{
	char *s = malloc(2 * n + 1);
	if (!s)
		return 0;
	cv_hex_encode(b, n, s);
	cJSON *v = cJSON_AddStringToObject(o, key, s);
	free(s);
	return v != NULL;
}

cv_err cv_attestation_to_getquote(const cv_attestation *a, cJSON **out, cv_diag *d)
{
	*out = NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON *log = cJSON_CreateArray();
	int ok = o && log && add_hex(o, "quote", a->quote, a->quote_len);
	if (ok)
		cJSON_AddItemToObject(o, "event_log", log);
	else
		cJSON_Delete(log);
	for (size_t i = 0; ok && i < a->n_events; i++) {
		const cv_att_event *e = &a->events[i];
		cJSON *j = cJSON_CreateObject();
		ok = j != NULL;
		if (ok)
			cJSON_AddItemToArray(log, j);
		ok = ok && cJSON_AddNumberToObject(j, "imr", e->imr) &&
			cJSON_AddNumberToObject(j, "event_type", e->event_type) &&
			add_hex(j, "digest", e->digest, e->digest_len) && cJSON_AddStringToObject(j, "event", e->name) &&
			add_hex(j, "event_payload", e->payload, e->payload_len);
		if (ok && e->version == 2)
			ok = cJSON_AddNumberToObject(j, "version", 2) != NULL;
		if (ok && e->preimage)
			ok = cJSON_AddStringToObject(j, "preimage", e->preimage) != NULL;
	}
	ok = ok && add_hex(o, "report_data", a->report_data, 64);
	if (ok && a->vm_config)
		ok = cJSON_AddStringToObject(o, "vm_config", a->vm_config) != NULL;
	if (!ok) {
		cJSON_Delete(o);
		return oom(d);
	}
	*out = o;
	return CV_OK;
}
