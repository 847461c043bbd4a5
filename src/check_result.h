/*
 * One check's plain result (docs/checks.md): status, reason code, one
 * sentence, enforced. The zero value is CV_UNDECIDED, and the report writer
 * (report.c) fails the verdict on any undecided check: a check that never
 * ran can never pass by default.
 */
#ifndef CV_CHECK_RESULT_H
#define CV_CHECK_RESULT_H

#include "cv.h"

typedef enum { CV_UNDECIDED = 0, CV_PASS, CV_WARN, CV_FAIL, CV_SKIP } cv_status;

typedef struct {
	cv_status status;         /* CV_UNDECIDED until a decision sets it */
	cv_err code;              /* CV_OK when passed */
	char msg[CV_DIAG_MSG_MAX];
	int enforced;             /* a failed enforced check makes the verdict fail */
} cv_check;

/* Check ids, in report order (the rows of check_table.c). */
typedef enum {
	CK_QUOTE_FORMAT,
	CK_HARDWARE_SIGNATURE,
	CK_COLLATERAL_VALIDITY,
	CK_TCB_STATUS,
	CK_TD_ATTRIBUTES,
	CK_EVENTLOG_REPLAY,
	CK_OS_IMAGE,
	CK_APP_COMPOSE_HASH,
	CK_FRESHNESS_NONCE,
	CK_REPORT_DATA_BINDING,
	CK_APP_IMAGES_PINNED,
	CK_APP_PROVENANCE,      /* issue 20: provenance.h */
	CK_POLICY_MEASUREMENTS,
	CK_GOVERNANCE_ONCHAIN,     /* after the app/OS checks: reads what they proved (docs/governance.md) */
	CK_COUNT
} cv_check_id;

const char *cv_check_name(cv_check_id id); /* "hardware.signature" (check_table.c) */
const char *cv_status_name(cv_status s);   /* "pass"; "undecided" for CV_UNDECIDED */

/* Set a check: status, code and a formatted sentence (same format as cv_fail). */
void cv_check_set(cv_check *c, cv_status st, cv_err code, const char *fmt, ...);
/* Set a check from a diag (status fail or warn). */
void cv_check_from_diag(cv_check *c, cv_status st, const cv_diag *d);

#endif
