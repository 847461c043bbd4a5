/*
 * The dstack half of the verifier: app-compose, and the facts of the
 * dstack checks over a normalised evidence (docs/checks.md
 * eventlog.replay, app.compose_hash, app.images_pinned). The report's
 * "event_log" and "app" sections are written by report.c.
 */
#ifndef CV_COMPOSE_H
#define CV_COMPOSE_H

#include "cJSON.h"
#include "cv.h"
#include "eventlog.h"
#include "quote.h"
#include "evidence.h"
#include "jsonw.h"
#include "check_result.h"

#include "compose_images.h"

/* ---- app-compose.json ---- */

typedef struct {
	cJSON *json;            /* owned parse; NULL when it is not a JSON object */
	/* Borrowed from json; NULL / -1 when absent. */
	const char *name, *runner, *key_provider, *key_provider_id, *docker_compose_file;
	int kms_enabled, gateway_enabled, local_key_provider_enabled, public_logs,
		public_sysinfo, public_tcbinfo, no_instance_id, secure_time;
	const cJSON *allowed_envs;
	int pre_launch_script, init_script, bash_script; /* present and non-empty */
} cv_app_compose;

/* Codes: CV_COMPOSE_MALFORMED (not a JSON object). */
cv_err cv_app_compose_parse(const char *text, size_t len, cv_app_compose *c, cv_diag *d);
void cv_app_compose_free(cv_app_compose *c);

/* ---- the dstack checks ---- */

typedef enum { CV_RTMR_BASIS_NONE, CV_RTMR_BASIS_QUOTE, CV_RTMR_BASIS_CLAIMS } cv_rtmr_basis;

typedef enum {
	CV_IMAGES_NO_COMPOSE,   /* the evidence has no app-compose */
	CV_IMAGES_UNLISTED,     /* an app-compose, but its images cannot be listed */
	CV_IMAGES_LISTED        /* images (has_images) lists them */
} cv_images_state;

typedef struct {
	cv_check eventlog_replay, app_compose_hash, app_images_pinned;

	int replayed;           /* rp and id are valid */
	cv_replay rp;
	cv_app_identity id;
	cv_rtmr_basis basis;
	uint8_t quoted[4][CV_MEASUREMENT_LEN];  /* valid unless basis is NONE */
	int match[4];
	int rtmr3_only;         /* a stripped log (evidence.h): only RTMR3 compared, match[0..2] unset */

	int has_compose_sha256;
	uint8_t compose_sha256[32];
	int compose_parsed;     /* ac is valid */
	cv_app_compose ac;
	int has_images;
	cv_image_list images;
	/* The images listing, the facts app.images_pinned is judged on
	 * (cv_policy_images, policy.c). */
	cv_images_state images_state;
	cv_diag images_diag;    /* CV_IMAGES_UNLISTED: why */
} cv_dstack_result;

/*
 * Run the dstack checks.
 *   quoted_rtmr: the quote's RTMR0..3 (48 bytes each), NULL when there is no
 *     TDX quote; the replay is then compared with tcb_info's claimed rtmr
 *     values, and the check says so (warn, QUOTE_MISSING).
 *   mr_config_id: the quote's 48 bytes, or NULL.
 *   require_pinned: unpinned or unreadable images fail instead of warn.
 * Every check in r is decided (status not CV_UNDECIDED). Returns CV_OK, or
 * CV_OUT_OF_MEMORY (the affected checks then fail with that code).
 * Always call cv_dstack_result_free.
 */
cv_err cv_dstack_check(const cv_evidence *e, const uint8_t *const quoted_rtmr[4],
	const uint8_t *mr_config_id, int require_pinned, cv_dstack_result *r);

void cv_dstack_result_free(cv_dstack_result *r);

#endif
