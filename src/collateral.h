/*
 * Intel collateral: the QuoteCollateralV3 JSON object, and the TCB Info and
 * QE Identity documents inside it (docs/checks.md Steps 4-5).
 *
 * Parsing only: nothing here checks a signature, a chain or a date window
 * (dcap.c does, in the order of docs/checks.md's DCAP steps).
 *
 * Memory: cv_collateral points into the caller's cJSON tree (keep it alive)
 * and owns one heap block for the decoded byte fields. cv_tcb_info and
 * cv_qe_identity own their parsed cJSON tree (advisory ID strings point
 * into it) and one heap block for their level arrays. Release each with its
 * free function; the free functions accept a zeroed or failed struct.
 *
 * Codes: absent required field -> CV_COLLATERAL_MISSING; wrong type, bad
 * hex, wrong size, unknown status name, wrong component count, trailing
 * garbage -> CV_COLLATERAL_MALFORMED; out of memory -> CV_OUT_OF_MEMORY.
 */
#ifndef CV_COLLATERAL_H
#define CV_COLLATERAL_H

#include "cv.h"
#include "cJSON.h"

/* TCB statuses of TCB Info levels (docs/checks.md Step 14), least to most severe in
 * dcap-qvl's order. Allow lists use the bit (1u << status)
 * (cv_policy.allow_mask, request.c). */
typedef enum {
	CV_TCB_ST_UP_TO_DATE = 0,
	CV_TCB_ST_SW_HARDENING_NEEDED,
	CV_TCB_ST_CONFIGURATION_NEEDED,
	CV_TCB_ST_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	CV_TCB_ST_OUT_OF_DATE,
	CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED,
	CV_TCB_ST_REVOKED,
	CV_TCB_ST_COUNT
} cv_tcb_status;

/* "UpToDate" ... "Revoked"; "Unknown" outside the range. */
const char *cv_tcb_status_name(cv_tcb_status s);
/* Exact, case-sensitive name -> status. Returns 0 on success, -1 if unknown. */
int cv_tcb_status_parse(const char *name, cv_tcb_status *out);

/* Advisory ID strings are at most this long (Intel's are "INTEL-SA-00615"). */
#define CV_ADVISORY_ID_MAX 31
/* Per level; Intel's longest lists hold a few dozen. */
#define CV_MAX_ADVISORIES 128

/* A platform TCB level of TCB Info. */
typedef struct {
	uint8_t sgx_comp[16];            /* sgxtcbcomponents[i].svn */
	uint16_t pcesvn;
	uint8_t tdx_comp[16];            /* tdxtcbcomponents[i].svn, when has_tdx */
	int has_tdx;
	int64_t tcb_date;
	cv_tcb_status status;
	const char *const *advisory_ids; /* n_advisory_ids strings */
	size_t n_advisory_ids;
} cv_tcb_level;

/* A level of a QE Identity or of a TDX module identity: matched on ISVSVN. */
typedef struct {
	uint16_t isvsvn;
	int64_t tcb_date;
	cv_tcb_status status;
	const char *const *advisory_ids;
	size_t n_advisory_ids;
} cv_isv_level;

typedef struct {
	char id[16];                     /* "TDX_01", as written */
	uint8_t mrsigner[48];
	uint8_t attributes[8];
	uint8_t attributes_mask[8];
	const cv_isv_level *levels;      /* listed order */
	size_t n_levels;
} cv_tdx_module_identity;

#define CV_MAX_MODULE_IDENTITIES 32

typedef struct {
	int is_tdx;                      /* id "TDX" (else "SGX", or v2 without id) */
	char id[8];                      /* "SGX", "TDX" ("" for an id-less v2) */
	int version;                     /* 2 or 3 */
	int64_t issue_date, next_update;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	int tcb_type;
	int tcb_eval_num;                /* tcbEvaluationDataNumber */

	int has_tdx_module;              /* tdxModule (required for TDX) */
	uint8_t module_mrsigner[48];
	uint8_t module_attributes[8];
	uint8_t module_attributes_mask[8];
	int has_module_identities;       /* tdxModuleIdentities present (may be empty) */
	const cv_tdx_module_identity *modules;
	size_t n_modules;

	cv_tcb_level *levels;            /* JSON order until cv_tcb_sort_levels */
	size_t n_levels;

	void *mem;                       /* owned: levels, modules, advisory pointers */
	cJSON *json;                     /* owned: parsed tree (advisory strings) */
} cv_tcb_info;

typedef struct {
	char id[8];                      /* "QE", "TD_QE", "QVE" */
	int version;
	int64_t issue_date, next_update;
	int tcb_eval_num;
	uint32_t miscselect, miscselect_mask; /* hex bytes read as little-endian u32 */
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	const cv_isv_level *levels;      /* listed order */
	size_t n_levels;

	void *mem;
	cJSON *json;
} cv_qe_identity;

typedef struct {
	cv_bytes root_ca_crl;            /* DER */
	cv_bytes pck_crl;                /* DER */
	uint8_t tcb_info_sig[64];        /* r||s */
	uint8_t qe_identity_sig[64];
	/* Texts, pointing into the caller's cJSON tree (NUL-terminated). */
	const char *tcb_info;            /* the exact signed bytes */
	size_t tcb_info_len;
	const char *qe_identity;         /* the exact signed bytes */
	size_t qe_identity_len;
	const char *tcb_info_issuer_chain;
	size_t tcb_info_issuer_chain_len;
	const char *qe_identity_issuer_chain;
	size_t qe_identity_issuer_chain_len;
	const char *pck_crl_issuer_chain;   /* optional, NULL when absent (not needed) */
	size_t pck_crl_issuer_chain_len;
	const char *pck_certificate_chain;  /* optional, NULL when absent */
	size_t pck_certificate_chain_len;

	uint8_t *mem;                    /* owned: the decoded CRLs */
} cv_collateral;

/*
 * Read a QuoteCollateralV3 object. Byte fields are hex strings or arrays of
 * numbers 0..255; tcb_info / qe_identity must be JSON strings (the signed
 * text). An object whose only collateral is under "quote_collateral"
 * (Phala's cloud API) is read from there.
 */
cv_err cv_collateral_parse(const cJSON *obj, cv_collateral *c, cv_diag *d);
void cv_collateral_free(cv_collateral *c);

/* Parse TCB Info text (the tcbInfo object, v2 or v3) strictly. */
cv_err cv_tcb_info_parse(const char *text, size_t len, cv_tcb_info *t, cv_diag *d);
void cv_tcb_info_free(cv_tcb_info *t);

/* Parse QE Identity text (the enclaveIdentity object, version 2 or later). */
cv_err cv_qe_identity_parse(const char *text, size_t len, cv_qe_identity *q, cv_diag *d);
void cv_qe_identity_free(cv_qe_identity *q);

#endif
