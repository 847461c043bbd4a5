/*
 * An app made of several CVMs (docs/phala.md): a Phala Cloud
 * attestations-API response, or any evidence with the KMS's evidence
 * beside it (request member kms_evidence). The core splits the response
 * into one verify request per running instance (each through the usual
 * pipeline, verify.c), lists the stopped ones, verifies the KMS and the
 * gateway as CVMs in their own right, binds the KMS to the app, and
 * writes one "cvm-verify/app-report/v1" object whose verdict is the worst
 * instance's (and not pass when the KMS fails or is not bound).
 *
 * Request members read here besides the verify request's own:
 *   collaterals   array of QuoteCollateralV3 objects; each quote uses the
 *                 one whose TCB info names its FMSPC (collateral, when
 *                 given, is used for every quote);
 *   kms_evidence  the KMS's evidence (any shape), before the response's
 *                 kms_guest_agent_info; its ca_pubkey member (hex DER SPKI
 *                 of the KMS root CA) is what the app's key-provider id
 *                 must equal.
 * When a quote has no collateral, the report's needs.collateral lists
 * {tee, fmspc, pck_ca} for the shim to fetch (js/needs.js).
 */
#ifndef CV_PHALA_APP_H
#define CV_PHALA_APP_H

#include "cJSON.h"
#include "cv.h"

#define CV_APP_SCHEMA "cvm-verify/app-report/v1"

/* A Phala Cloud app response: an object with an "instances" array and a
 * "kms_info" member (nothing else has both). */
int cv_phala_is_app(const cJSON *evidence);

/* True when the request is for an app (a Phala response, or kms_evidence
 * given): verify.c then hands it to cv_app_run_json. */
int cv_app_request(const cJSON *root);

typedef struct cv_cache cv_cache;
/* Run an app request; *out as cv_run_json. run_one is the single-CVM
 * entry point (cv_run_json_cached). */
cv_err cv_app_run_json(const cJSON *root, cv_cache *cache,
	cv_err (*run_one)(cv_cache *, const char *, size_t, char **, size_t *), char **out, size_t *out_len);

#endif
