/*
 * TCB level sorting and matching, TDX module identity, QE identity policy
 * and status convergence (docs/checks.md Steps 9, 12-14; Intel QVL semantics).
 */
#include <string.h>

#include "tcb.h"
#include "util.h"

static int cmp_bytes_as_numbers(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int cv_tcb_level_cmp(const cv_tcb_level *a, const cv_tcb_level *b)
{
	/* A tuple order is only the sort key (Intel's operator>); matching
	 * below compares every component on its own. */
	int c = cmp_bytes_as_numbers(a->sgx_comp, b->sgx_comp, 16);
	if (c)
		return c;
	if (a->pcesvn != b->pcesvn)
		return a->pcesvn < b->pcesvn ? -1 : 1;
	if (a->has_tdx && b->has_tdx)
		return cmp_bytes_as_numbers(a->tdx_comp, b->tdx_comp, 16);
	return 0;
}

void cv_tcb_sort_levels(cv_tcb_level *levels, size_t n)
{
	/* Insertion sort: stable, no allocation, n is at most CV_MAX_TCB_LEVELS. */
	for (size_t i = 1; i < n; i++) {
		cv_tcb_level key = levels[i];
		size_t j = i;
		while (j > 0 && cv_tcb_level_cmp(&levels[j - 1], &key) < 0) {
			levels[j] = levels[j - 1];
			j--;
		}
		levels[j] = key;
	}
}

/* Index of the first component where have < need, or -1. */
static int first_short(const uint8_t *have, const uint8_t *need, int from)
{
	for (int i = from; i < 16; i++)
		if (have[i] < need[i])
			return i;
	return -1;
}

cv_err cv_tcb_match_platform(const cv_tcb_level *levels, size_t n, const uint8_t pck_comp[16],
	uint16_t pck_pcesvn, const uint8_t *tee_tcb_svn, size_t *idx, cv_diag *d)
{
	int start = tee_tcb_svn && tee_tcb_svn[1] > 0 ? 2 : 0;
	/* Remember why the lowest level missed, for the message. */
	const char *why = "the TCB info lists no levels";
	int comp = -1;
	unsigned have = 0, need = 0;
	for (size_t i = 0; i < n; i++) {
		const cv_tcb_level *l = &levels[i];
		int s = first_short(pck_comp, l->sgx_comp, 0);
		if (s >= 0) {
			why = "SGX component";
			comp = s;
			have = pck_comp[s];
			need = l->sgx_comp[s];
			continue;
		}
		if (pck_pcesvn < l->pcesvn) {
			why = "PCESVN";
			comp = -1;
			have = pck_pcesvn;
			need = l->pcesvn;
			continue;
		}
		if (tee_tcb_svn) {
			if (!l->has_tdx) {
				why = "TDX components (the level has none)";
				comp = -1;
				continue;
			}
			s = first_short(tee_tcb_svn, l->tdx_comp, start);
			if (s >= 0) {
				why = "TDX component";
				comp = s;
				have = tee_tcb_svn[s];
				need = l->tdx_comp[s];
				continue;
			}
		}
		*idx = i;
		return CV_OK;
	}
	if (n == 0)
		return cv_fail(d, CV_TCB_LEVEL_NOT_FOUND, "No TCB level matches this platform: %s.", why);
	if (comp >= 0)
		return cv_fail(d, CV_TCB_LEVEL_NOT_FOUND,
			"No TCB level matches this platform: even the lowest of %u levels needs %s %d >= %u, the platform has %u.",
			(unsigned)n, why, comp + 1, need, have);
	if (need || have)
		return cv_fail(d, CV_TCB_LEVEL_NOT_FOUND,
			"No TCB level matches this platform: even the lowest of %u levels needs %s >= %u, the platform has %u.",
			(unsigned)n, why, need, have);
	return cv_fail(d, CV_TCB_LEVEL_NOT_FOUND, "No TCB level of %u matches this platform: %s.", (unsigned)n,
		why);
}

static int upper_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
		if (x != *b)
			return 0;
	}
	return *a == *b;
}

cv_err cv_tcb_check_module(const cv_tcb_info *ti, const cv_td_report *td, cv_tcb_status *status,
	const cv_isv_level **level, cv_diag *d)
{
	*level = NULL;
	uint8_t isvsvn = td->tee_tcb_svn[0], version = td->tee_tcb_svn[1];
	if (!ti->has_tdx_module)
		return cv_fail(d, CV_TDX_MODULE_MISMATCH, "The TCB info has no tdxModule to check the TDX module against.");
	const uint8_t *mrsigner = ti->module_mrsigner, *attrs = ti->module_attributes;
	const cv_tdx_module_identity *mi = NULL;
	char want[8];
	cv_format(want, sizeof want, "TDX_%H", &version, (size_t)1);
	for (int i = 4; want[i]; i++)
		if (want[i] >= 'a' && want[i] <= 'f')
			want[i] = (char)(want[i] - 32);
	if (version > 0) {
		/* Intel: no fallback to tdxModule for a versioned module. */
		if (!ti->has_module_identities)
			return cv_fail(d, CV_TDX_MODULE_MISMATCH,
				"The TDX module is version %u but the TCB info has no tdxModuleIdentities.", (unsigned)version);
		for (size_t i = 0; i < ti->n_modules; i++) {
			if (upper_eq(ti->modules[i].id, want)) {
				mi = &ti->modules[i];
				break;
			}
		}
		if (!mi)
			return cv_fail(d, CV_TDX_MODULE_MISMATCH,
				"The TCB info has no module identity %s for TDX module version %u.", want, (unsigned)version);
		mrsigner = mi->mrsigner;
		attrs = mi->attributes;
	}
	if (memcmp(td->mr_signer_seam, mrsigner, 48) != 0)
		return cv_fail(d, CV_TDX_MODULE_MISMATCH, "MRSIGNER_SEAM %H differs from %s's mrsigner %H.",
			td->mr_signer_seam, (size_t)48, mi ? want : "tdxModule", mrsigner, (size_t)48);
	/* Intel: SEAM attributes must be all zero and equal the expected
	 * value (not merely equal under the mask). */
	if (!cv_is_zero(td->seam_attributes, 8) || memcmp(td->seam_attributes, attrs, 8) != 0)
		return cv_fail(d, CV_TDX_MODULE_MISMATCH,
			"SEAM attributes %H must be zero and equal %s's attributes %H.", td->seam_attributes, (size_t)8,
			mi ? want : "tdxModule", attrs, (size_t)8);
	if (version == 0) {
		*status = CV_TCB_ST_UP_TO_DATE;
		return CV_OK;
	}
	for (size_t i = 0; i < mi->n_levels; i++) {
		if (mi->levels[i].isvsvn <= isvsvn) {
			*level = &mi->levels[i];
			*status = mi->levels[i].status;
			return CV_OK;
		}
	}
	return cv_fail(d, CV_TCB_LEVEL_NOT_FOUND,
		"No TCB level of module identity %s matches the TDX module's ISVSVN %u.", want, (unsigned)isvsvn);
}

cv_err cv_tcb_check_qe_identity(const cv_qe_identity *id, const cv_enclave_report *qe, cv_diag *d)
{
	if ((qe->misc_select & id->miscselect_mask) != id->miscselect)
		return cv_fail(d, CV_QE_IDENTITY_MISMATCH,
			"The QE's MISCSELECT %H under mask does not equal the QE identity's miscselect.",
			qe->misc_select_raw, (size_t)4);
	for (int i = 0; i < 16; i++)
		if ((qe->attributes[i] & id->attributes_mask[i]) != id->attributes[i])
			return cv_fail(d, CV_QE_IDENTITY_MISMATCH,
				"The QE's attributes %H under mask %H do not equal the QE identity's %H.", qe->attributes,
				(size_t)16, id->attributes_mask, (size_t)16, id->attributes, (size_t)16);
	if (memcmp(qe->mr_signer, id->mrsigner, 32) != 0)
		return cv_fail(d, CV_QE_IDENTITY_MISMATCH, "The QE's MRSIGNER %H is not Intel's %H.", qe->mr_signer,
			(size_t)32, id->mrsigner, (size_t)32);
	if (qe->isv_prod_id != id->isvprodid)
		return cv_fail(d, CV_QE_IDENTITY_MISMATCH, "The QE's ISVPRODID is %u; the QE identity requires %u.",
			(unsigned)qe->isv_prod_id, (unsigned)id->isvprodid);
	return CV_OK;
}

cv_err cv_tcb_qe_level(const cv_qe_identity *id, uint16_t qe_isvsvn, cv_tcb_status *status,
	const cv_isv_level **level, cv_diag *d)
{
	*level = NULL;
	for (size_t i = 0; i < id->n_levels; i++) {
		if (id->levels[i].isvsvn <= qe_isvsvn) {
			cv_tcb_status s = id->levels[i].status;
			*level = &id->levels[i];
			*status = s == CV_TCB_ST_UP_TO_DATE || s == CV_TCB_ST_REVOKED ? s : CV_TCB_ST_OUT_OF_DATE;
			return CV_OK;
		}
	}
	return cv_fail(d, CV_TCB_LEVEL_NOT_FOUND, "No QE identity TCB level matches the QE's ISVSVN %u.",
		(unsigned)qe_isvsvn);
}

cv_tcb_status cv_tcb_merge(cv_tcb_status platform, cv_tcb_status other)
{
	if (other == CV_TCB_ST_OUT_OF_DATE) {
		switch (platform) {
		case CV_TCB_ST_UP_TO_DATE:
		case CV_TCB_ST_SW_HARDENING_NEEDED:
			return CV_TCB_ST_OUT_OF_DATE;
		case CV_TCB_ST_CONFIGURATION_NEEDED:
		case CV_TCB_ST_CONFIGURATION_AND_SW_HARDENING_NEEDED:
			return CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED;
		default:
			return platform;
		}
	}
	if (other == CV_TCB_ST_REVOKED)
		return CV_TCB_ST_REVOKED;
	return platform;
}
