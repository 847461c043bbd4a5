/*
 * Evidence normalisation: every input shape (docs/core-api.md) becomes
 * one cv_evidence. This file is the one place that knows the shapes; the
 * shim asks op inspect (inspect.c) instead of re-detecting them.
 *
 * Accepted shapes:
 *   - a raw quote: hex string (optional 0x) or JSON array of byte values
 *     (binary quotes arrive hex-encoded from the JS shim);
 *   - a string holding any JSON shape below;
 *   - GetQuote {quote, event_log (JSON string), report_data, vm_config};
 *   - legacy tappd TdxQuote {quote, event_log, hash_algorithm, prefix};
 *   - Info {app_id, instance_id, tcb_info (JSON string or object),
 *     key_provider_info, compose_hash, os_image_hash, ...}, alone or with a
 *     quote in the same object;
 *   - a bare tcb_info {mrtd, rtmr0..3, event_log, app_compose, ...};
 *   - combinations such as {quote, event_log, app_compose} or {quote, tcb_info};
 *   - RedPill-style reports {intel_quote, event_log, vm_config, info{...}};
 *   - a Phala Cloud attestations-API instance {quote, eventlog | tcb_info};
 *   - dstack's versioned attestation (attestation.h), V0 or V1, as hex or
 *     bytes (hex-encoded by the shim), bare or as {"attestation": hex};
 *   - a dstack RA-TLS certificate (ratls.h), PEM text or DER (hex-encoded
 *     by the shim), whose attestation extension is read;
 *   - a cvm-evidence/v1 bundle {format, source_url, fetched_at, nonce,
 *     attestation: GetQuote shape, info: Info shape, collateral, report}.
 *
 * Precedence (first found wins): a bundle's attestation before its info; in
 * one object its own members before its tcb_info, before an "info" member.
 * So the event log that came with the quote (GetQuote) is preferred over
 * Info's tcb_info log. Either is sound: runtime digests are recomputed from
 * payloads and every log is replayed against the same quoted RTMRs, so a
 * stripped GetQuote log loses nothing. log_source says which one was used.
 *
 * Everything here is a claim until checked: info values are never used for
 * a decision except as the comparison basis when there is no quote (and the
 * checks say so).
 */
#ifndef CV_EVIDENCE_H
#define CV_EVIDENCE_H

#include "cJSON.h"
#include "cv.h"
#include "eventlog.h"

/* A hex claim decoded to bytes. instance_id may be present with len 0. */
typedef struct {
	int present;
	size_t len;
	uint8_t b[64];
} cv_claim;

#define CV_EV_PATH_MAX 48

typedef struct {
	/* The quote: owned, <= CV_MAX_QUOTE_LEN; NULL when none. */
	uint8_t *quote;
	size_t quote_len;
	char quote_source[CV_EV_PATH_MAX];     /* JSON path, "" for a raw quote */

	/* The event log. has_log: one was supplied. When log_diag.code is not
	 * CV_OK it did not parse (eventlog.replay fails with that diag) and
	 * log is empty. */
	int has_log;
	cv_eventlog log;
	cv_diag log_diag;
	char log_source[CV_EV_PATH_MAX];

	/* The app-compose text exactly as served (owned, NUL-terminated). When
	 * has_app_compose is set but compose_diag.code is not CV_OK, a value was
	 * supplied that cannot be hashed (e.g. an object). */
	int has_app_compose;
	char *app_compose;
	size_t app_compose_len;
	cv_diag compose_diag;
	char app_compose_source[CV_EV_PATH_MAX];

	/* Claims (Info / tcb_info / GetQuote), never trusted. */
	cv_claim app_id, instance_id, compose_hash, os_image_hash, device_id, mr_aggregated;
	cv_claim mrtd, rtmr[4];                /* tcb_info's claimed registers */
	cv_claim report_data;                  /* GetQuote's report_data (<= 64 bytes) */
	int has_key_provider_info;
	char kp_name[64], kp_id[512];          /* key_provider_info {name, id} */
	char *app_name;                        /* owned, NULL when absent */
	char *vm_config;                       /* owned JSON text, NULL when absent */
	char *hash_algorithm, *prefix;         /* legacy tappd, NULL when absent */

	/* Bundle members. */
	int is_bundle;
	char *nonce, *source_url, *fetched_at; /* owned text, NULL when absent */
	const cJSON *collateral;               /* borrowed from the input tree (or owned_root) */
	const cJSON *report;                   /* borrowed, NULL when absent */

	cJSON *owned_root;                     /* the tree parsed from a string input */

	/* dstack's versioned attestation / RA-TLS certificate: the container
	 * the quote and log came in ("" for the other shapes). */
	char container[32];                    /* "dstack attestation V0|V1", "RA-TLS certificate" */
	int log_stripped;                      /* RTMR3 + the ACPI DATA events only (attestation.h) */
	int has_ratls;                         /* ratls_report_data is set */
	uint8_t ratls_report_data[64];         /* SHA-512("ratls-cert:" || SPKI DER) of the certificate */
} cv_evidence;

/*
 * Normalise ev (object, array or string). Codes: CV_EVIDENCE_MALFORMED (with
 * a sentence naming what was expected), CV_INPUT_TOO_LARGE,
 * CV_OUT_OF_MEMORY. A malformed event log or app_compose is not an error
 * here: it is recorded in log_diag / compose_diag for the checks to report.
 * out borrows from ev (collateral, report): keep ev alive while using it.
 * On failure *out is freed and empty. Always call cv_evidence_free.
 */
cv_err cv_evidence_parse(const cJSON *ev, cv_evidence *out, cv_diag *d);
void cv_evidence_free(cv_evidence *e);

#endif
