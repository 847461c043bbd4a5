/*
 * The verify request's options (docs/core-api.md), parsed and validated.
 */
#ifndef CV_REQUEST_H
#define CV_REQUEST_H

#include "cJSON.h"
#include "cv.h"
#include "policy.h"

typedef struct {
	int64_t now;
	cv_policy policy;               /* every policy option (policy.h) */
	const char *verifier_version;   /* point into the request's cJSON tree */
	const char *verifier_wasm_sha256;
	const char *collateral_source;
	int recorded_sample;
	const cJSON *evidence;          /* required */
	const cJSON *collateral;        /* may be NULL */
	const cJSON *chain;             /* governance: {chain_id, app_contract, kms_contract}, or NULL */
	const cJSON *chain_answers;     /* governance: the shim's answers to needs.chain_calls, or NULL */
	const cJSON *provenance;        /* [{image_digest, bundles}] (provenance.h), may be NULL */
	const char *trusted_root;       /* Sigstore trusted_root.json text, may be NULL */
	const cJSON *os_manifest;       /* {checksum_file, measurement} base64, or NULL (os_facts.c checks it) */
	const cJSON *os_catalog_entry;  /* the shim's catalog entry, or NULL */
	int test_root;                  /* CV_TEST_BUILD only: policy.trusted_root_der is test_root_der */
	uint8_t test_root_der[2048];
} cv_request;

/* Parse a verify request (root: the request object) into r. Fails with
 * CV_REQUEST_MALFORMED and a sentence naming the bad or unknown field. */
cv_err cv_request_parse(const cJSON *root, cv_request *r, cv_diag *d);

#endif
