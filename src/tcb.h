/*
 * TCB evaluation (docs/checks.md Steps 9, 12, 13 and 14), following
 * Intel's QVL where it differs from dcap-qvl:
 *  - TCB levels are sorted before matching, never trusted in JSON order;
 *  - each of the 16 components is compared as a number;
 *  - TDX components 0 and 1 are skipped when tee_tcb_svn[1] > 0 (the module
 *    identity covers them);
 *  - statuses merge with Intel's table (OutOfDateConfigurationNeeded);
 *  - the platform level's advisory IDs are reported apart from the module's
 *    and the QE's.
 * These functions only compute; dcap.c applies the caller's TCB policy.
 */
#ifndef CV_TCB_H
#define CV_TCB_H

#include "collateral.h"
#include "quote.h"

/*
 * Order of the Step 12 key: the 16 SGX component SVNs as a tuple, then
 * pcesvn, then (when both levels carry TDX components) the 16 TDX SVNs.
 * Returns <0, 0, >0 like memcmp (>0: a is the higher level).
 */
int cv_tcb_level_cmp(const cv_tcb_level *a, const cv_tcb_level *b);

/* Sort levels in descending order of that key; stable (equal keys keep
 * their listed order). n <= CV_MAX_TCB_LEVELS. */
void cv_tcb_sort_levels(cv_tcb_level *levels, size_t n);

/*
 * Step 12 match: the first level of the (sorted) array with every
 * pck_comp[i] >= sgx_comp[i], pck_pcesvn >= pcesvn and, for TDX
 * (tee_tcb_svn != NULL), tee_tcb_svn[i] >= tdx_comp[i] for i from
 * start = (tee_tcb_svn[1] > 0 ? 2 : 0). A TDX match needs levels that
 * carry TDX components. *idx receives the index.
 * Fails with CV_TCB_LEVEL_NOT_FOUND and a sentence naming the closest miss.
 */
cv_err cv_tcb_match_platform(const cv_tcb_level *levels, size_t n, const uint8_t pck_comp[16],
	uint16_t pck_pcesvn, const uint8_t *tee_tcb_svn, size_t *idx, cv_diag *d);

/*
 * Step 13, TDX module identity. Checks mr_signer_seam and seam_attributes
 * against tdxModule, or the tdxModuleIdentities entry "TDX_%02X" of the
 * module version (tee_tcb_svn[1]) when it is > 0, and finds the module
 * TCB level (version 0: UpToDate, *level = NULL).
 * Codes: CV_TDX_MODULE_MISMATCH, CV_TCB_LEVEL_NOT_FOUND.
 */
cv_err cv_tcb_check_module(const cv_tcb_info *ti, const cv_td_report *td, cv_tcb_status *status,
	const cv_isv_level **level, cv_diag *d);

/*
 * Step 9.1-9.4: the QE report against the QE identity (miscselect,
 * attributes under their masks, MRSIGNER, ISVPRODID), in Intel's order.
 * Code: CV_QE_IDENTITY_MISMATCH.
 */
cv_err cv_tcb_check_qe_identity(const cv_qe_identity *id, const cv_enclave_report *qe, cv_diag *d);

/*
 * Step 9.5: the QE TCB level: the first listed level with isvsvn <= the QE's
 * ISVSVN. UpToDate -> UpToDate, Revoked -> Revoked, anything else ->
 * OutOfDate. No level: CV_TCB_LEVEL_NOT_FOUND.
 */
cv_err cv_tcb_qe_level(const cv_qe_identity *id, uint16_t qe_isvsvn, cv_tcb_status *status,
	const cv_isv_level **level, cv_diag *d);

/*
 * Step 14 convergence of a platform status with a module or QE status:
 * other OutOfDate: platform UpToDate / SWHardeningNeeded -> OutOfDate,
 * ConfigurationNeeded / ConfigurationAndSWHardeningNeeded ->
 * OutOfDateConfigurationNeeded, anything else kept; other Revoked ->
 * Revoked; otherwise the platform status is kept.
 */
cv_tcb_status cv_tcb_merge(cv_tcb_status platform, cv_tcb_status other);

#endif
