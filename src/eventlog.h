/*
 * dstack event log (docs/checks.md eventlog.replay): parsing, runtime
 * event digests (V1 and V2), RTMR0..3 replay and the app identity carried
 * by the runtime events.
 *
 * Trust rule: a runtime event's supplied digest is never used. Its digest is
 * recomputed from its name and payload; a supplied digest only serves to
 * detect an inconsistent log. Boot events (RTMR0..2) carry no meaning for
 * dstack and are replayed from their supplied digests, which must be exactly
 * 48 bytes.
 */
#ifndef CV_EVENTLOG_H
#define CV_EVENTLOG_H

#include "cJSON.h"
#include "cv.h"

#define CV_EVENT_RUNTIME      0x08000001u /* dstack runtime event (not a TCG type) */
#define CV_EV_NO_ACTION       0x00000003u /* TCG EV_NO_ACTION: never extended */
#define CV_MAX_EVENT_NAME     256         /* bytes of an event name */
#define CV_MAX_EVENT_PAYLOAD  (256u << 10) /* bytes of one decoded payload */
#define CV_MAX_EVENT_DIGEST   64          /* bytes of a supplied digest */

typedef struct {
	uint32_t imr;                 /* 0..3 */
	uint32_t type;                /* event_type */
	int version;                  /* 1, or 2 for a V2 runtime event */
	char *name;                   /* owned, NUL-terminated; "" when absent */
	size_t name_len;
	uint8_t *payload;             /* owned; NULL when empty */
	size_t payload_len;
	uint8_t digest[CV_MAX_EVENT_DIGEST]; /* as supplied */
	size_t digest_len;            /* 0: supplied empty (stripped log) */
	uint8_t *preimage;            /* V2 "preimage" as supplied, owned */
	size_t preimage_len;
	int has_preimage;
} cv_event;

typedef struct {
	cv_event *ev;                 /* owned array */
	size_t n;
} cv_eventlog;

/*
 * Parse an event log: a JSON array of entries, or a JSON string holding one
 * (GetQuote's form). At most CV_MAX_EVENTS entries. Structural rules checked
 * here: imr 0..3, event_type a u32, hex fields, a runtime event has imr 3, a
 * boot event (imr 0..2, not EV_NO_ACTION) has a 48-byte digest, imr 3 holds
 * only runtime events. Codes: CV_EVENT_LOG_MALFORMED, CV_OUT_OF_MEMORY.
 * On failure *log is empty.
 */
cv_err cv_eventlog_parse(const cJSON *v, cv_eventlog *log, cv_diag *d);
void cv_eventlog_free(cv_eventlog *log);

/* V1: SHA384(le32(0x08000001) || ":" || name || ":" || payload). */
void cv_runtime_digest_v1(const char *name, size_t name_len,
	const uint8_t *payload, size_t payload_len, uint8_t out[48]);

/*
 * V2 preimage: the JCS form {"name":<name>,"payload":<lower-case hex>,
 * "type":134217729}, into a malloc'd buffer (*out, *out_len). The digest is
 * SHA384 of it. Codes: CV_OUT_OF_MEMORY.
 */
cv_err cv_runtime_preimage_v2(const char *name, size_t name_len,
	const uint8_t *payload, size_t payload_len, uint8_t **out, size_t *out_len, cv_diag *d);

/* What a supplied digest says next to the recomputed one. */
typedef enum {
	CV_SUPPLIED_NOT_CHECKED = 0,  /* boot event: the supplied digest is all there is */
	CV_SUPPLIED_EMPTY,            /* runtime event with "" (stripped log): fine */
	CV_SUPPLIED_MATCH,
	CV_SUPPLIED_DIFFERS           /* the log is inconsistent */
} cv_supplied;

typedef struct {
	uint8_t digest[48];           /* recomputed (runtime) or supplied (boot) */
	int extended;                 /* 0 for EV_NO_ACTION */
	cv_supplied supplied;
	int preimage_differs;         /* V2 only: the supplied preimage is not the JCS form */
} cv_event_result;

typedef struct {
	uint8_t rtmr[4][48];          /* replayed values */
	cv_event_result *ev;          /* owned, one per log entry */
	size_t n;
	size_t n_inconsistent;        /* runtime events with a differing digest or preimage */
	size_t first_inconsistent;    /* index of the first of them */
} cv_replay;

/*
 * Replay RTMR0..3 from 48 zero bytes: boot events into their imr with their
 * supplied digests (EV_NO_ACTION skipped), runtime events into RTMR3 with
 * recomputed digests, in log order. Codes: CV_OUT_OF_MEMORY.
 */
cv_err cv_eventlog_replay(const cv_eventlog *log, cv_replay *r, cv_diag *d);
void cv_replay_free(cv_replay *r);

/* One RTMR extend: mr = SHA-384(mr || digest). */
void cv_rtmr_extend(uint8_t mr[48], const uint8_t digest[48]);

/*
 * App identity (docs/checks.md eventlog.replay, first-occurrence rule): the first runtime
 * event of each name before the first "system-ready"; NULL when absent.
 * Pointers borrow from the log.
 */
typedef struct {
	const cv_event *app_id, *compose_hash, *instance_id, *key_provider,
		*os_image_hash, *mr_kms, *storage_fs, *rootfs_hash, *boot_mr_done;
	int has_system_ready;
	size_t system_ready;          /* index of the first system-ready */
	int kp_parsed;                /* key-provider payload is JSON {name, id} */
	char kp_name[64];
	char kp_id[512];
} cv_app_identity;

void cv_app_identity_find(const cv_eventlog *log, cv_app_identity *id);

/* True for a runtime event after the first system-ready (app-controlled). */
int cv_app_identity_is_app_event(const cv_app_identity *id, const cv_eventlog *log, size_t i);

#endif
