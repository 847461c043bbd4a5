/*
 * The core's JSON op "verify_bundle" (sigstore_verify.h): decode the
 * request, run cv_sigstore_verify, write the facts. Used by
 * `cvm-verify verify-bundle` (js/verify-bundle.js) and the conformance
 * runner; the report's app.provenance check calls cv_sigstore_verify
 * directly (docs/provenance.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "jsonw.h"
#include "sigstore_verify.h"
#include "util.h"
#include "x509.h"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void write_facts(cv_jw *w, const cv_sigstore_result *r)
{
	jw_key(w, "provenance");
	jw_obj_begin(w);
	jw_kstr(w, "content", r->is_dsse ? "dsse" : "message_signature");
	if (r->predicate_type[0])
		jw_kstr(w, "predicate_type", r->predicate_type);
	jw_khex(w, "artifact_sha256", r->artifact_sha256, 32);
	jw_kint(w, "log_index", r->log_index);
	jw_kint(w, "integrated_time", r->integrated_time);
	jw_ktime(w, "integrated_at", r->integrated_time);
	jw_kbool(w, "signed_by_key", r->signed_by_key);
	if (!r->signed_by_key) {
		const cv_ss_fulcio *f = &r->cert;
		jw_kstr(w, "identity", r->san);
		jw_kstr(w, "issuer", f->issuer);
		jw_kstr(w, "source_repository", f->source_repo_uri);
		jw_kstr(w, "source_commit", f->source_repo_digest);
		jw_kstr(w, "source_ref", f->source_repo_ref);
		jw_kstr(w, "workflow", f->build_config_uri);
		jw_kstr(w, "build_signer", f->build_signer_uri);
		jw_kstr(w, "runner_environment", f->runner_environment);
		jw_kstr(w, "build_trigger", f->build_trigger);
		jw_kstr(w, "run_invocation", f->run_invocation_uri);
	}
	jw_obj_end(w);
}

static cv_err run(const cJSON *req, cv_jw *w, cv_diag *d)
{
	const char *bundle = str(req, "bundle"), *root_text = str(req, "trusted_root");
	const char *art_b64 = str(req, "artifact_base64"), *art_digest = str(req, "artifact_digest");
	const char *key_pem = str(req, "key_pem");
	const cJSON *now_j = cJSON_GetObjectItemCaseSensitive(req, "now");
	cv_sigstore_policy pol = { str(req, "identity"), str(req, "issuer"), str(req, "source"), NULL };
	cv_sigstore_artifact art = { NULL, 0, NULL };
	cv_sigstore_result r;
	cv_ss_root root;
	cv_ss_key key;
	uint8_t digest[32];
	uint8_t *bytes = NULL;
	cv_err e;

	/* Every member is known and of its type: a misspelt or mistyped policy
	 * member ("certificate_identity", "identity": [..]) must not leave the
	 * identity unchecked and the bundle passing for anyone's. */
	static const char *const strs[] = { "op", "bundle", "trusted_root", "artifact_base64", "artifact_digest",
		"identity", "issuer", "source", "key_pem" };
	for (const cJSON *m = req->child; m; m = m->next) {
		size_t i = 0;
		while (i < sizeof strs / sizeof strs[0] && strcmp(m->string, strs[i]) != 0)
			i++;
		if (i < sizeof strs / sizeof strs[0] && !cJSON_IsString(m))
			return cv_fail(d, CV_REQUEST_MALFORMED, "The verify_bundle member '%s' is not a string.", m->string);
		if (i == sizeof strs / sizeof strs[0] && strcmp(m->string, "now") != 0)
			return cv_fail(d, CV_REQUEST_MALFORMED, "The verify_bundle op has an unknown member '%s'.", m->string);
	}
	if (!bundle)
		return cv_fail(d, CV_PROVENANCE_MISSING, "The request has no bundle.");
	if (!root_text)
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request has no trusted_root.");
	if (!cJSON_IsNumber(now_j) || now_j->valuedouble < 0 || now_j->valuedouble > 1e12)
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request has no valid now (unix seconds).");
	if ((art_b64 != NULL) == (art_digest != NULL))
		return cv_fail(d, CV_REQUEST_MALFORMED, "The request needs exactly one of artifact_base64 or artifact_digest.");
	if (art_digest) {
		if (strncmp(art_digest, "sha256:", 7) != 0 || strlen(art_digest) != 7 + 64 ||
			cv_hex_decode(art_digest + 7, 64, digest, 32) != 32)
			return cv_fail(d, CV_REQUEST_MALFORMED, "artifact_digest must be sha256: and 64 hex digits.");
		art.sha256 = digest;
	} else {
		size_t n = strlen(art_b64);
		bytes = malloc(n / 4 * 3 + 3);
		if (!bytes)
			return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
		size_t got = cv_base64_decode(art_b64, n, bytes, n / 4 * 3 + 3);
		if (got == (size_t)-1) {
			free(bytes);
			return cv_fail(d, CV_REQUEST_MALFORMED, "artifact_base64 is not valid base64.");
		}
		art.bytes = bytes;
		art.len = got;
	}
	if (key_pem) {
		uint8_t der[256];
		size_t n = cv_ss_pem_decode(key_pem, strlen(key_pem), "PUBLIC KEY", der, sizeof der);
		if (n == (size_t)-1) {
			free(bytes);
			return cv_fail(d, CV_PROVENANCE_MALFORMED, "key_pem holds no PEM PUBLIC KEY.");
		}
		if ((e = cv_ss_key_parse_spki(der, n, &key, d)) != CV_OK) {
			free(bytes);
			return e;
		}
		pol.key = &key;
	}
	if ((e = cv_ss_root_parse(root_text, strlen(root_text), &root, d)) != CV_OK) {
		free(bytes);
		return e;
	}
	e = cv_sigstore_verify(bundle, strlen(bundle), &root, &art, &pol, (int64_t)now_j->valuedouble, &r, d);
	cv_ss_root_free(&root);
	free(bytes);
	if (e == CV_OK)
		write_facts(w, &r);
	return e;
}

cv_err cv_sigstore_run_json(const struct cJSON *req, char **out, size_t *out_len)
{
	cv_diag d;
	cv_jw w;
	cv_diag_clear(&d);
	jw_init(&w);
	jw_obj_begin(&w);
	cv_err e = run(req, &w, &d);
	if (e != CV_OK) {
		jw_free(&w);
		jw_init(&w);
		jw_obj_begin(&w);
	}
	jw_kbool(&w, "ok", e == CV_OK);
	if (e != CV_OK)
		jw_kerror(&w, e, d.msg);
	jw_obj_end(&w);
	*out = jw_take(&w, out_len);
	if (!*out)
		return CV_OUT_OF_MEMORY;
	return e;
}
