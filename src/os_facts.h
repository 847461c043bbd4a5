/*
 * The os.image facts of one verification (issue 14; docs/os-image.md
 * "Wiring"): the request's OS members decoded, the evidence's vm_config
 * parsed, the catalog entry the shim found, and the recomputation over the
 * quote's registers. verify.c gathers them; policy.c decides the check from
 * them (cv_policy_os_image); report.c writes "os" and "vm_config".
 */
#ifndef CV_OS_FACTS_H
#define CV_OS_FACTS_H

#include "cJSON.h"
#include "evidence.h"
#include "os_image.h"
#include "policy.h"
#include "check_table.h"

struct cv_os_facts {
	cv_vm_config vm;
	int vm_present;               /* the evidence carries a vm_config */
	int vm_ok;                    /* ... and it parsed */
	cv_diag vm_diag;              /* why it did not */
	cv_os_catalog_entry ce;       /* request "os_catalog_entry" */
	int have_entry;
	uint8_t *checksum_file;       /* request "os_manifest", decoded; owned */
	size_t checksum_len;
	uint8_t *measurement;
	size_t measurement_len;
	cv_os_result r;
	int need_catalog;             /* the image hash is known, no manifest is at hand: ask the shim's catalog */
};

/* The request's os_manifest {checksum_file, measurement} (base64, both
 * required) and os_catalog_entry, either may be NULL. Fails
 * CV_REQUEST_MALFORMED naming the member. Always call cv_os_facts_free. */
cv_err cv_os_facts_request(const cJSON *manifest, const cJSON *entry, cv_os_facts *o, cv_diag *d);

/* Parse the evidence's vm_config and recompute against the quote (q: NULL
 * when none, or not TDX) and the caller's pinned registers. */
void cv_os_facts_gather(cv_os_facts *o, const cv_evidence *ev, const cv_quote *q, const cv_policy *pol);

void cv_os_facts_free(cv_os_facts *o);

#endif
