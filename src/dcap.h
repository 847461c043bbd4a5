/*
 * Intel DCAP quote verification: the pipeline of docs/checks.md's DCAP
 * steps (Steps 1-16), mapped onto five report checks:
 *
 *   quote.format         Step 3: the quote parses and passes the header gates
 *   collateral.validity  Steps 2, 4, 5 and the PCK CRL: root CA CRL, TCB info,
 *                        QE identity and PCK CRL are Intel-signed (chains to
 *                        the pinned root, signatures) and inside their windows
 *   hardware.signature   Steps 6-11: PCK chain with revocation, QE report
 *                        signature and binding, quote signature, QE identity,
 *                        FMSPC / PCE-ID and id/version of the collateral
 *   tcb.status           Steps 12-14 and the TCB policy: platform level,
 *                        TDX module identity, QE level, Intel's status merge
 *   td.attributes        Step 15: debug, reserved bits, SEPT_VE_DISABLE,
 *                        service TD (SGX: the debug bit)
 *
 * Fail closed: a check that cannot be decided because something it depends
 * on failed is CV_FAIL with the blocking failure's code and a sentence that
 * names it; no check passes on unchecked input.
 */
#ifndef CV_DCAP_H
#define CV_DCAP_H

#include "cJSON.h"
#include "collateral.h"
#include "jsonw.h"
#include "quote.h"
#include "check_result.h"
#include "policy.h"

#define CV_TIME_UNKNOWN INT64_MIN

typedef struct {
	size_t n;
	char id[CV_MAX_ADVISORIES][CV_ADVISORY_ID_MAX + 1];
} cv_advisory_list;

typedef struct {
	/* The five checks (decided and enforced once cv_dcap_verify returns). */
	cv_check quote_format, hardware_signature, collateral_validity, tcb_status, td_attributes;
	/* The DCAP judgement: CV_OK when quote.format, collateral.validity,
	 * hardware.signature and tcb.status did not fail (tcb.status may warn)
	 * and td.attributes did not fail; else the code of the first failing one
	 * in that order. */
	cv_err code;
	int test_root;              /* a caller-supplied trust root was used */

	int has_quote;
	cv_quote quote;             /* points into the caller's quote buffer */

	/* Platform, from the PCK leaf certificate (present when it parsed;
	 * authentic only when hardware.signature passed). */
	int has_platform;
	char fmspc_hex[13];         /* upper-case */
	uint8_t pce_id[2];
	const char *pck_ca;         /* "platform" | "processor" | NULL */
	uint8_t ppid[16];
	uint8_t pck_comp[16];
	uint16_t pck_pcesvn;

	/* TCB: statuses are static names, NULL when not determined; merged_status
	 * is the final status (report tcb.status). */
	const char *merged_status, *platform_status, *qe_status, *module_status;
	cv_advisory_list advisory_ids;        /* the platform level's (Intel's QvE) */
	cv_advisory_list module_advisory_ids; /* the TDX module level's */
	cv_advisory_list qe_advisory_ids;     /* the QE identity level's */
	int64_t tcb_date;           /* the matched platform level; CV_TIME_UNKNOWN */
	int eval_data_number;       /* tcbEvaluationDataNumber; -1 when unknown */

	/* Collateral windows (CV_TIME_UNKNOWN when not read). */
	int64_t tcb_info_issue_date, tcb_info_next_update;
	int64_t qe_identity_issue_date, qe_identity_next_update;
	int64_t pck_crl_this_update, pck_crl_next_update;
	int64_t root_crl_this_update, root_crl_next_update;
	int64_t expires_at;         /* earliest nextUpdate / certificate notAfter seen */
} cv_dcap_result;

/*
 * Verify a quote against collateral (a QuoteCollateralV3 object, may be NULL:
 * then hardware.signature, collateral.validity and tcb.status fail with
 * CV_COLLATERAL_MISSING, while the quote is still parsed and td.attributes
 * judged). now: unix seconds; the library never reads a clock.
 * r->quote points into the quote buffer: keep it alive while r is read.
 */
void cv_dcap_verify(const uint8_t *quote, size_t quote_len, const cJSON *collateral, int64_t now,
	const cv_policy *pol, cv_dcap_result *r);

/*
 * The same with a cache (cache.h; NULL: none): signatures this collateral
 * was already found to carry validly are not computed again while now lies
 * inside the collateral's validity window. The result is identical.
 */
typedef struct cv_cache cv_cache;
void cv_dcap_verify_cached(cv_cache *cache, const uint8_t *quote, size_t quote_len, const cJSON *collateral,
	int64_t now, const cv_policy *pol, cv_dcap_result *r);

/*
 * What the JS shim needs to fetch collateral: TEE ("TDX"/"SGX"), the
 * FMSPC (upper-case hex) and PCK CA kind ("platform"/"processor") from the
 * PCK leaf inside the quote. Fails with the quote's parse code, or
 * CV_CERT_CHAIN_INVALID when the quote carries no parsable PCK chain.
 */
cv_err cv_dcap_inspect(const uint8_t *quote, size_t len, char fmspc_hex[13], const char **pck_ca,
	const char **tee, cv_diag *d);

#endif
