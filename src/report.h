/*
 * The checks of the report (shared/spec/interface.md section 1). Modules
 * fill cv_check values; verify.c orders them, applies the verdict rule and
 * writes the report.
 */
#ifndef CV_REPORT_H
#define CV_REPORT_H

#include "cv.h"

typedef enum { CV_PASS, CV_WARN, CV_FAIL, CV_SKIP } cv_status;

typedef struct {
	cv_status status;
	cv_err code;              /* CV_OK when passed */
	char msg[CV_DIAG_MSG_MAX];
	int enforced;             /* a failed enforced check makes the verdict fail */
	int ran;                  /* set once the check has been decided */
} cv_check;

/* Check ids, in report order. */
typedef enum {
	CK_QUOTE_FORMAT,
	CK_HARDWARE_SIGNATURE,
	CK_COLLATERAL_VALIDITY,
	CK_TCB_STATUS,
	CK_TD_ATTRIBUTES,
	CK_EVENTLOG_REPLAY,
	CK_APP_COMPOSE_HASH,
	CK_FRESHNESS_NONCE,
	CK_REPORT_DATA_BINDING,
	CK_APP_IMAGES_PINNED,
	CK_POLICY_MEASUREMENTS,
	CK_COUNT
} cv_check_id;

const char *cv_check_name(cv_check_id id); /* "hardware.signature" */
const char *cv_status_name(cv_status s);   /* "pass" */

/* Set a check: status, code and a formatted sentence (same format as cv_fail). */
void cv_check_set(cv_check *c, cv_status st, cv_err code, const char *fmt, ...);
/* Set a check from a diag (status fail or warn). */
void cv_check_from_diag(cv_check *c, cv_status st, const cv_diag *d);

#endif
