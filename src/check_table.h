/*
 * The table of checks (docs/checks.md): one row per check, in report order,
 * each with its public id and the function that decides it from the facts
 * the pipeline gathered. verify.c gathers the facts (parse, DCAP, dstack),
 * cv_checks_decide runs the rows, report.c writes the results.
 *
 * Adding a check:
 *   1. a CK_ value in check_result.h, at its place in report order;
 *   2. one row in check_table.c {CK_X, "area.name", decide_x};
 *   3. decide_x: a function of (const cv_facts *) returning a cv_check with
 *      a status, a reason code and one sentence; a policy rule goes in
 *      policy.c. It may read the checks decided before it (f->decided),
 *      e.g. to skip when what it reads was not proven.
 *   4. its entry in docs/checks.md and shared ids in js (tables op).
 */
#ifndef CV_CHECK_TABLE_H
#define CV_CHECK_TABLE_H

#include "check_result.h"
#include "compose.h"
#include "dcap.h"
#include "evidence.h"
#include "policy.h"
#include "provenance.h"

typedef struct cv_os_facts cv_os_facts; /* os_facts.h */

struct cv_facts {
	const cv_policy *pol;
	const cv_evidence *ev;
	const cv_dcap_result *dcap;   /* NULL when the evidence carries no quote */
	const cv_quote *quote;        /* the parsed quote, or NULL */
	const cv_dstack_result *ds;
	cv_opt_bytes nonce;           /* the nonce to check: the request's or the bundle's */
	const char *nonce_source;     /* "request" | "bundle" | NULL */
	const cv_os_facts *os;        /* os.image: vm_config, manifest, recomputation (os_facts.h) */
	const cv_check *decided;      /* CK_COUNT checks; those before the current row are decided */
	/* On-chain governance (governance.h): input, plan and answers gathered
	 * by verify.c; the governance.onchain row fills its result for the
	 * report section. NULL when not gathered. */
	struct cv_gov_state *gov;
	/* The os.image check bound app.os_image_hash to the measured registers
	 * (set by the OS stage; 0, unbound, until it is wired). Read it through
	 * cv_facts_os_image_bound. */
	int os_image_bound;
	const cv_provenance *prov;    /* app.provenance facts (provenance.h), or NULL */
};

/* Whether the OS image hash of the replayed log is bound by the OS check
 * (governance.onchain then calls it bound; else "the unverified claim"). */
int cv_facts_os_image_bound(const cv_facts *f);

typedef cv_check (*cv_check_fn)(const cv_facts *f);

typedef struct {
	cv_check_id id;
	const char *name;             /* the public check id, e.g. "tcb.status" */
	cv_check_fn decide;
} cv_check_row;

/* Decide every check, in table order, into out[CK_COUNT]. A row whose
 * function leaves its check undecided stays CV_UNDECIDED (the report then
 * fails, report.c). */
void cv_checks_decide(const cv_facts *f, cv_check out[CK_COUNT]);

#endif
