/*
 * The badge core's Sigstore (docs/performance.md §5): compiled INSTEAD of
 * src/sigstore_*.c files into build/cvm-verify-badge.wasm only, never into the
 * full core or the native build (this directory is outside the Makefile's
 * wildcard over src).
 *
 * Why: the Sigstore verifier is ~13 KB of the core's gzip bytes, and a page
 * embedding the badge without asking for provenance never uses it. Every
 * entry point the rest of the core can reach answers CV_PROVENANCE_NOT_BUILT
 * with one sentence, so nothing here can ever make a check pass: a check that
 * needed provenance fails (when the policy requires it) or is skipped with
 * this code, and the JS loader picks the full core whenever the caller asks
 * for provenance (js/wasm.js, option `core`).
 */
#include <string.h>

#include "cJSON.h"
#include "jsonw.h"
#include "sigstore_verify.h"

static cv_err not_built(cv_diag *d)
{
	return cv_fail(d, CV_PROVENANCE_NOT_BUILT,
		"This verifier core (the badge core) was built without Sigstore: it does not check provenance; "
		"the full core (cvm-verify.wasm) does.");
}

cv_err cv_ss_root_parse(const char *json, size_t len, cv_ss_root *r, cv_diag *d)
{
	(void)json;
	(void)len;
	memset(r, 0, sizeof *r);
	return not_built(d);
}

void cv_ss_root_free(cv_ss_root *r)
{
	(void)r;
}

cv_err cv_sigstore_verify(const char *bundle_json, size_t bundle_len, const cv_ss_root *root,
	const cv_sigstore_artifact *artifact, const cv_sigstore_policy *policy, int64_t now, cv_sigstore_result *out,
	cv_diag *d)
{
	(void)bundle_json;
	(void)bundle_len;
	(void)root;
	(void)artifact;
	(void)policy;
	(void)now;
	memset(out, 0, sizeof *out);
	return not_built(d);
}

/* op "verify_bundle": the same answer shape as src/sigstore_op.c's failures. */
cv_err cv_sigstore_run_json(const struct cJSON *req, char **out, size_t *out_len)
{
	(void)req;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = not_built(&d);
	cv_jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kbool(&w, "ok", 0);
	jw_kerror(&w, e, d.msg);
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	if (!*out)
		return CV_OUT_OF_MEMORY;
	return e;
}
