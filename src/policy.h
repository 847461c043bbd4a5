/*
 * The verifier's policy: one struct that request.c fills from the request
 * (docs/core-api.md "policy"), and every policy decision made from it
 * (docs/checks.md): the TCB status and TD attribute rules, freshness,
 * report_data binding, expected measurements and image pinning.
 *
 * The split follows parse / verify / validate: quote.c, collateral.c,
 * evidence.c, eventlog.c parse; dcap.c, chain.c, x509.c verify signatures
 * and collateral; this module judges what the verified facts mean for the
 * caller's policy. A new policy rule (OS image, governance) is a field here
 * and a function in policy.c.
 */
#ifndef CV_POLICY_H
#define CV_POLICY_H

#include "check_result.h"
#include "compose.h"
#include "cv.h"
#include "quote.h"
#include "tcb.h"

/* An optional byte string of at most 64 bytes. */
typedef struct {
	int set;
	uint8_t v[64];
	size_t len;
} cv_opt_bytes;

/* TCB policy presets (policy.tcb). */
#define CV_TCB_PRESET_STRICT     0  /* only UpToDate passes */
#define CV_TCB_PRESET_DEFAULT    1  /* UpToDate passes; SWHardening/Configuration* warn; rest fails */
#define CV_TCB_PRESET_PERMISSIVE 2  /* UpToDate passes; everything but Revoked warns */

/* The shortest nonce that makes a replay guess hopeless (docs/checks.md
 * freshness.nonce). */
#define CV_NONCE_MIN_LEN 16

/* policy.allow_os_images: at most this many hashes. */
#define CV_MAX_ALLOW_OS_IMAGES 32

typedef struct {
	/* tcb.status and td.attributes. A zeroed policy is strict. */
	int tcb_preset;             /* CV_TCB_PRESET_* */
	unsigned allow_mask;        /* with has_allow: bit (1u << cv_tcb_status) per accepted status */
	int has_allow;              /* the allow list replaces the preset; Revoked never passes */
	int allow_debug;            /* debug TD / enclave: warn instead of fail */
	int allow_service_td;       /* TD 1.5 mr_servicetd non-zero: allowed */

	/* freshness.nonce and report_data.binding. */
	cv_opt_bytes nonce;         /* the caller's nonce */
	int nonce_from_evidence;    /* accept the nonce recorded in an evidence bundle */
	cv_opt_bytes report_data;   /* exact expected report_data, right-padded to 64 */

	/* app.images_pinned and policy.measurements. */
	int require_pinned_images;
	cv_opt_bytes expect_mrtd, expect_rtmr[4], expect_app_id, expect_compose_hash, expect_os_image_hash;

	/* governance.onchain (policy.governance): a cv_gov_mode, 0 = auto. */
	int governance;
	/* app.provenance: "owner/repo[@ref]" every pinned image must be built from;
	 * NULL: the check informs and is not enforced. Borrowed from the request. */
	const char *expect_source;
	/* os.image (docs/os-image.md): allowed os_image_hash values, and an
	 * unverified OS as a failure instead of a warning. */
	uint8_t allow_os_images[CV_MAX_ALLOW_OS_IMAGES][32];
	size_t n_allow_os_images;
	int require_os_verified;

	/* A test root instead of the pinned Intel SGX Root CA. Honoured only in
	 * builds with CV_TEST_BUILD; other builds ignore it (and so fail closed
	 * on test-signed evidence). NULL: the pinned root. */
	const uint8_t *trusted_root_der;
	size_t trusted_root_len;
} cv_policy;

/*
 * The TCB rule (docs/checks.md tcb.status): the check status for a merged
 * TCB status. *code: CV_OK for pass and warn, CV_TCB_REVOKED or
 * CV_TCB_STATUS_NOT_ALLOWED for fail. *by names the deciding rule
 * ("default", "strict", "permissive", "allow-list").
 */
cv_status cv_policy_tcb_judge(cv_tcb_status st, const cv_policy *pol, cv_err *code, const char **by);

/* The TD attribute rule (docs/checks.md td.attributes) for a parsed quote. */
cv_check cv_policy_td_attributes(const cv_quote *q, const cv_policy *pol);

/* app.images_pinned (docs/checks.md): the listing in r judged; unpinned or
 * unlistable images warn, or fail when require_pinned. */
cv_check cv_policy_images(const cv_dstack_result *r, int require_pinned);

/* The checks judged from the whole of the facts (check_table.h). */
typedef struct cv_facts cv_facts;
cv_check cv_policy_nonce(const cv_facts *f);        /* freshness.nonce */
cv_check cv_policy_binding(const cv_facts *f);      /* report_data.binding */
cv_check cv_policy_measurements(const cv_facts *f); /* policy.measurements */
cv_check cv_policy_governance(const cv_facts *f);   /* governance.onchain (docs/governance.md) */
cv_check cv_policy_provenance(const cv_facts *f);   /* app.provenance */
cv_check cv_policy_os_image(const cv_facts *f);     /* os.image */

#endif
