/*
 * app.provenance (docs/checks.md, docs/provenance.md): the Sigstore
 * provenance of every image the verified app-compose pins by digest. This
 * module gathers the facts (each image's bundles verified with
 * cv_sigstore_verify, artifact = the image digest); policy.c judges them
 * (cv_policy_provenance) and report.c writes the "provenance" section and
 * the "needs.provenance" list.
 */
#ifndef CV_PROVENANCE_H
#define CV_PROVENANCE_H

#include "cJSON.h"
#include "compose.h"
#include "cv.h"

/* At most this many bundles are tried per image: each costs a few ECDSA
 * verifications, and GitHub holds a handful per digest. */
#define CV_PROV_MAX_BUNDLES 16
#define CV_PROV_FACT_MAX 256

typedef enum {
	CV_PROV_NO_COMPOSE,     /* no app-compose: nothing to prove */
	CV_PROV_UNBOUND,        /* an app-compose the quote does not bind (app.compose_hash did not pass) */
	CV_PROV_UNLISTED,       /* bound, but its images cannot be listed */
	CV_PROV_LISTED          /* entries below are the pinned images */
} cv_prov_state;

typedef struct {
	const char *image;              /* borrowed from the dstack result's image list */
	char digest[72];                /* "sha256:<64 hex>" */
	uint8_t sha256[32];
	char repository_hint[CV_PROV_FACT_MAX]; /* "owner/repo" the image implies (ghcr.io) or the policy names; "" */
	size_t n_bundles;               /* bundles supplied for this digest */
	cv_err code;                    /* CV_OK: one bundle verified (with the expected source, if any) */
	char msg[CV_DIAG_MSG_MAX];
	int has_facts;                  /* the fields below come from a verified bundle (CV_OK or SOURCE_MISMATCH) */
	char repository[CV_PROV_FACT_MAX], commit[CV_PROV_FACT_MAX], ref[CV_PROV_FACT_MAX],
		workflow[CV_PROV_FACT_MAX], runner_environment[CV_PROV_FACT_MAX], issuer[CV_PROV_FACT_MAX];
	int64_t log_index, integrated_time;
} cv_prov_entry;

typedef struct {
	cv_prov_state state;
	int answered;                   /* the request carried "provenance" (even empty): no need to ask */
	size_t n_unpinned;              /* images of the compose not pinned by digest */
	cv_prov_entry *v;               /* owned */
	size_t n;
} cv_provenance;

/* Validate the request members "provenance" ([{image_digest, bundles:[text…]}])
 * and "trusted_root" (text); either may be NULL (absent). CV_REQUEST_MALFORMED
 * with a sentence naming the bad member. */
cv_err cv_provenance_request_check(const cJSON *provenance, const cJSON *trusted_root, cv_diag *d);

/*
 * Gather the facts: for each image ds pins by digest (deduplicated), try the
 * bundles the request supplies for its digest against the trusted root,
 * at now, with the expected source (NULL: none). An unbound or absent
 * compose gathers nothing. Returns CV_OK or CV_OUT_OF_MEMORY (state is then
 * CV_PROV_UNLISTED with that code). Always call cv_provenance_free.
 */
cv_err cv_provenance_gather(const cv_dstack_result *ds, const cJSON *provenance, const char *trusted_root,
	const char *expect_source, int64_t now, cv_provenance *out, cv_diag *d);
void cv_provenance_free(cv_provenance *p);

#endif
