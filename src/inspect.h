/*
 * The shim's questions to the core (docs/core-api.md): what an evidence
 * holds and what must be fetched before it can be verified (op inspect),
 * and the tables of names the core knows (op tables), so the JS side never
 * re-detects evidence shapes or keeps its own copy of check ids, reason
 * codes and TCB statuses.
 */
#ifndef CV_INSPECT_H
#define CV_INSPECT_H

#include "cJSON.h"
#include "cv.h"
#include "jsonw.h"

/* Write the inspect result for a request {op, evidence} into w. Fails with
 * REQUEST_MALFORMED, EVIDENCE_MALFORMED, or the quote's parse code (w is
 * then left for the caller to free). */
cv_err cv_inspect(const cJSON *request, cv_jw *w, cv_diag *d);

/* Write the tables: {"checks": [ids in report order], "statuses": [...],
 * "reason_codes": [...], "tcb_statuses": [...]}. */
void cv_tables(cv_jw *w);

#endif
