/*
 * The report (docs/checks.md): the one module that
 * writes report JSON and computes the verdict, from the checks' plain
 * results and the facts the pipeline gathered. See report.c for how to add
 * a section.
 */
#ifndef CV_REPORT_H
#define CV_REPORT_H

#include "check_table.h"
#include "jsonw.h"

typedef struct {
	const cv_facts *facts;
	const cv_check *checks;            /* CK_COUNT, in report order */
	int64_t verified_at;
	const char *verifier_version;      /* NULL: "unknown" */
	const char *verifier_wasm_sha256;  /* NULL: "" */
	int test_root;                     /* a test trust root was honoured */
	int recorded_sample;
	const char *collateral_source;     /* NULL: none was used */
} cv_report;

/*
 * The verdict rule: "fail" if any check is undecided, any enforced check
 * failed, or hardware.signature did not pass (without a hardware proof
 * nothing else is worth anything); else "warn" if any check warned or an
 * unenforced one failed; else "pass".
 */
const char *cv_report_verdict(const cv_check checks[CK_COUNT]);

/* Write the whole report object. */
void cv_report_write(cv_jw *w, const cv_report *r);

/* The "quote", "platform", "tcb" and "collateral" members alone (for unit
 * tests); collateral_source goes to collateral.source. */
void cv_report_write_dcap_sections(cv_jw *w, const cv_dcap_result *r, const char *collateral_source);

/* The "event_log" and "app" members alone (for unit tests): r from
 * cv_dstack_check over the evidence e. */
void cv_report_write_dstack_sections(cv_jw *w, const cv_dstack_result *r, const cv_evidence *e);

#endif
