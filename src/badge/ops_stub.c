/*
 * The badge core's standalone ops (docs/performance.md §5): linked into
 * build/cvm-verify-badge.wasm only, with -Wl,--wrap=cv_gov_run_json, so the
 * JSON op "governance" (src/governance_json.c) resolves here and the linker
 * drops the code only that op reaches (~7.6 KB gzip). The badge never sends
 * the op (it runs verify and inspect; the page's governance view loads the
 * full core). The wrap removes the op only: whatever the verify pipeline
 * itself calls in governance*.c stays linked, unchanged, so every report is
 * byte-identical (tests/js/badge-core.test.mjs).
 */
#include <stddef.h>

#include "governance.h"
#include "jsonw.h"

cv_err __wrap_cv_gov_run_json(const cJSON *root, char **out, size_t *out_len);

cv_err __wrap_cv_gov_run_json(const cJSON *root, char **out, size_t *out_len)
{
	(void)root;
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kerror(&w, CV_OP_NOT_BUILT,
		"This verifier core (the badge core) does not run the governance op; the full core (cvm-verify.wasm) does.");
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	if (!*out)
		return CV_OUT_OF_MEMORY;
	return CV_OP_NOT_BUILT;
}
