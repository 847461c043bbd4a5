/*
 * The verify request's options (docs/core-api.md), parsed and validated.
 */
#ifndef CV_REQUEST_H
#define CV_REQUEST_H

#include "cJSON.h"
#include "cv.h"

typedef struct {
	int set;
	uint8_t v[64];
	size_t len;
} cv_opt_bytes;

typedef struct {
	int64_t now;
	cv_opt_bytes nonce;          /* from the request */
	cv_opt_bytes report_data;    /* exact expected report_data, right-padded to 64 */
	int tcb_preset;              /* CV_DCAP_TCB_* (dcap.h) */
	unsigned allow_tcb;          /* explicit allow list: bit (1u << cv_tcb_status), when has_allow_tcb */
	int has_allow_tcb;
	int allow_debug;
	int require_pinned_images;
	cv_opt_bytes expect_mrtd, expect_rtmr[4], expect_app_id, expect_compose_hash, expect_os_image_hash;
	const char *verifier_version;   /* point into the request's cJSON tree */
	const char *verifier_wasm_sha256;
	const char *collateral_source;
	int recorded_sample;
	const cJSON *evidence;          /* required */
	const cJSON *collateral;        /* may be NULL */
	cv_opt_bytes test_root;         /* CV_TEST_BUILD only; never set otherwise */
	uint8_t test_root_der[2048];
	size_t test_root_len;
} cv_request;

/* Parse the options of a verify/inspect request (root: the request object).
 * Fails with CV_REQUEST_MALFORMED and a sentence naming the bad field. */
cv_err cv_request_parse(const cJSON *root, cv_request *r, cv_diag *d);

#endif
