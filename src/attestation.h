/*
 * dstack's versioned attestation (the guest agent's Attest API and the
 * RA-TLS certificate extension; shared/spec/dstack.md section 1.6), decoded
 * into a plain structure the evidence module can map to its normalised
 * evidence.
 *
 * Two wire formats, told apart by the first byte:
 *   0x00             V0, SCALE: version byte 0; platform enum byte; for TDX
 *                    {quote: Vec<u8>, event_log: Vec<{imr u32, event_type
 *                    u32, digest Vec<u8>, event String, event_payload
 *                    Vec<u8>}>}; runtime_events: Vec<{event String, payload
 *                    Vec<u8>}>; report_data [u8; 64]; config String.
 *   0x80-0x8f, 0xde, 0xdf  V1, MessagePack map {version: 1, platform: {kind,
 *                    data: {quote, event_log}}, stack: {kind: "dstack" |
 *                    "dstack-pod", data: {report_data, runtime_events,
 *                    config[, report_data_payload]}}}; events may carry
 *                    version (1|2) and preimage (hex).
 * Anything else is CV_EVIDENCE_MALFORMED.
 *
 * Strictness (fail closed): only the TDX platform is accepted (other
 * platforms fail with CV_QUOTE_UNSUPPORTED_TEE, naming the platform);
 * unknown or repeated map keys, trailing bytes, non-shortest SCALE lengths,
 * invalid UTF-8 and anything over the limits below fail with
 * CV_EVIDENCE_MALFORMED. report_data must be exactly 64 bytes. When the
 * separate runtime_events list is not empty it must equal the event log's
 * RTMR3 events (names and payloads, in order): RTMR3 is replayed from the
 * event log, so a second list that says something else is refused rather
 * than silently ignored (open issue Dstack-TEE/dstack#1294).
 *
 * Nothing here is trusted: the quote is verified and the log replayed by the
 * usual checks; the decoded values are claims until then.
 */
#ifndef CV_ATTESTATION_H
#define CV_ATTESTATION_H

#include "cJSON.h"
#include "cv.h"

#define CV_ATT_MAX_CONFIG   (256u << 10) /* bytes of the sys-config JSON text */
#define CV_ATT_MAX_PREIMAGE (1u << 20)   /* bytes of an event's hex preimage text */

/* One event, owned. For a runtime_events entry imr is 3 and event_type
 * CV_EVENT_RUNTIME (eventlog.h), digest_len 0. */
typedef struct {
	uint32_t imr;
	uint32_t event_type;
	uint8_t digest[64];
	size_t digest_len;           /* 0 in a stripped log's runtime events */
	char *name;                  /* NUL-terminated, never NULL after a decode */
	size_t name_len;
	uint8_t *payload;            /* NULL when empty */
	size_t payload_len;
	int version;                 /* 1, or 2 (V1 format only) */
	char *preimage;              /* hex text as supplied, NULL when absent */
} cv_att_event;

typedef struct {
	int format;                  /* 0: V0 (SCALE), 1: V1 (MessagePack) */
	char stack[16];              /* "dstack" or "dstack-pod" */
	uint8_t *quote;              /* the TDX quote, owned */
	size_t quote_len;
	cv_att_event *events;        /* the TDX event log, owned */
	size_t n_events;
	cv_att_event *runtime;       /* the separate runtime_events list, owned */
	size_t n_runtime;
	uint8_t report_data[64];
	char *config;                /* sys-config JSON text as supplied, NUL-terminated */
	size_t config_len;
	char *vm_config;             /* config's "vm_config" string member, NULL when absent
	                                or when config is not a JSON object */
	char *report_data_payload;   /* dstack-pod only, NULL otherwise */
	int stripped;                /* no boot event besides the three ACPI DATA ones:
	                                RTMR0..2 cannot be replayed from this log */
} cv_attestation;

/*
 * Decode binary attestation bytes (at most CV_MAX_INPUT_LEN). Codes:
 * CV_EVIDENCE_MALFORMED, CV_QUOTE_UNSUPPORTED_TEE, CV_QUOTE_MISSING (an
 * empty quote), CV_INPUT_TOO_LARGE, CV_OUT_OF_MEMORY. On failure *out is
 * empty. Always call cv_attestation_free.
 */
cv_err cv_attestation_decode(const uint8_t *buf, size_t len, cv_attestation *out, cv_diag *d);

/*
 * Decode from text: the hex of the bytes (either case, optional 0x, white
 * space around), or JSON holding it: a JSON string, or an object
 * {"attestation": "<hex>"} (other members are ignored here: they belong to
 * the caller's request). Same codes as cv_attestation_decode.
 */
cv_err cv_attestation_decode_text(const char *text, size_t len, cv_attestation *out, cv_diag *d);

/* The same from a parsed JSON value (a string, or an object with an
 * "attestation" string member). */
cv_err cv_attestation_decode_json(const cJSON *v, cv_attestation *out, cv_diag *d);

/*
 * The attestation as dstack's GetQuote shape, which cv_evidence_parse
 * already reads: {"quote": hex, "event_log": [{imr, event_type, digest,
 * event, event_payload[, version][, preimage]}...], "report_data": hex
 * [, "vm_config": text]}. *out is a new tree (cJSON_Delete it). Codes:
 * CV_OUT_OF_MEMORY.
 */
cv_err cv_attestation_to_getquote(const cv_attestation *a, cJSON **out, cv_diag *d);

void cv_attestation_free(cv_attestation *a);

#endif
