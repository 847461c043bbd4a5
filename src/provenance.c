/*
 * app.provenance facts (provenance.h; docs/provenance.md "Wiring"): each
 * image the verified app-compose pins by digest, and what its supplied
 * Sigstore bundles prove. Judging the facts for the caller's policy is
 * policy.c's (cv_policy_provenance); verifying one bundle is
 * sigstore_verify.c's. Nothing here fetches: the shim supplies bundles
 * (js/provenance.js), asked for through report.needs.provenance.
 */
#include <stdlib.h>
#include <string.h>

#include "provenance.h"
#include "sigstore_verify.h"
#include "util.h"

static const char *const item_keys[] = { "image_digest", "bundles", NULL };

/* A request digest "sha256:<64 lower-case hex>" (the form images pin). */
static int digest_ok(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
		return 0;
	for (size_t i = 7; i < 71; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

cv_err cv_provenance_request_check(const cJSON *prov, const cJSON *trusted_root, cv_diag *d)
{
	if (trusted_root && !cJSON_IsNull(trusted_root) && !cJSON_IsString(trusted_root))
		return cv_fail(d, CV_REQUEST_MALFORMED, "trusted_root must be the text of a Sigstore trusted_root.json.");
	if (!prov || cJSON_IsNull(prov))
		return CV_OK;
	if (!cJSON_IsArray(prov))
		return cv_fail(d, CV_REQUEST_MALFORMED, "provenance must be a list of {image_digest, bundles}.");
	const cJSON *it;
	size_t i = 0;
	cJSON_ArrayForEach(it, prov) {
		if (!cJSON_IsObject(it))
			return cv_fail(d, CV_REQUEST_MALFORMED, "provenance[%U] must be an object {image_digest, bundles}.",
				(uint64_t)i);
		const cJSON *k;
		cJSON_ArrayForEach(k, it) {
			size_t j = 0;
			while (item_keys[j] && strcmp(item_keys[j], k->string) != 0)
				j++;
			if (!item_keys[j])
				return cv_fail(d, CV_REQUEST_MALFORMED, "Unknown request key provenance[%U].%s.", (uint64_t)i,
					k->string);
		}
		const cJSON *dg = cJSON_GetObjectItemCaseSensitive(it, "image_digest");
		if (!cJSON_IsString(dg) || !digest_ok(dg->valuestring))
			return cv_fail(d, CV_REQUEST_MALFORMED,
				"provenance[%U].image_digest must be sha256: and 64 lower-case hex digits.", (uint64_t)i);
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(it, "bundles");
		if (!cJSON_IsArray(b))
			return cv_fail(d, CV_REQUEST_MALFORMED, "provenance[%U].bundles must be a list of bundle texts.",
				(uint64_t)i);
		const cJSON *t;
		cJSON_ArrayForEach(t, b)
			if (!cJSON_IsString(t))
				return cv_fail(d, CV_REQUEST_MALFORMED,
					"provenance[%U].bundles must hold bundle JSON as text (strings).", (uint64_t)i);
		i++;
	}
	return CV_OK;
}

/* ghcr.io/<owner>/<repo>... -> "owner/repo" (lower case); else the owner/repo
 * of the expected source; else "". The shim fetches from this repository
 * when the caller allows it (js/provenance.js). */
static void repository_hint(const char *image, const char *expect_source, char *out, size_t cap)
{
	out[0] = '\0';
	if (strncmp(image, "ghcr.io/", 8) == 0) {
		const char *o = image + 8, *slash = strchr(o, '/');
		if (slash && slash > o && strcspn(o, ":@") > (size_t)(slash - o)) {
			const char *r = slash + 1;
			size_t rl = strcspn(r, "/:@");
			size_t n = (size_t)(slash - o) + 1 + rl;
			if (rl > 0 && n < cap) {
				memcpy(out, o, n);
				out[n] = '\0';
				for (size_t i = 0; i < n; i++)
					if (out[i] >= 'A' && out[i] <= 'Z')
						out[i] = (char)(out[i] - 'A' + 'a');
				return;
			}
		}
	}
	if (expect_source) {
		size_t n = strcspn(expect_source, "@");
		if (n < cap) {
			memcpy(out, expect_source, n);
			out[n] = '\0';
		}
	}
}

static void copy_fact(char *dst, const char *src)
{
	cv_format(dst, CV_PROV_FACT_MAX, "%s", src ? src : "");
}

static void take_facts(cv_prov_entry *e, const cv_sigstore_result *r)
{
	e->has_facts = 1;
	e->log_index = r->log_index;
	e->integrated_time = r->integrated_time;
	copy_fact(e->issuer, r->cert.issuer);
	copy_fact(e->repository, r->cert.source_repo_uri);
	copy_fact(e->commit, r->cert.source_repo_digest);
	copy_fact(e->ref, r->cert.source_repo_ref);
	copy_fact(e->workflow, r->cert.build_config_uri[0] ? r->cert.build_config_uri : r->cert.build_signer_uri);
	copy_fact(e->runner_environment, r->cert.runner_environment);
}

/* Failure preference, for the one reported when no bundle verifies: valid
 * provenance from another source says most, then a bundle that names this
 * digest but does not verify; a bundle about another digest says least. */
static int rank(cv_err code)
{
	return code == CV_PROVENANCE_SOURCE_MISMATCH ? 3 : code == CV_PROVENANCE_SUBJECT_MISMATCH ? 1 : 2;
}

static void judge_image(cv_prov_entry *e, const cJSON *prov, const cv_ss_root *root, const cv_diag *root_diag,
	const char *expect_source, int64_t now, cv_sigstore_result *res)
{
	const cJSON *it;
	size_t tried = 0, subject_only = 0;
	int best = 0;
	cv_diag bd;
	cv_diag_clear(&bd);
	cJSON_ArrayForEach(it, prov) {
		const cJSON *dg = cJSON_GetObjectItemCaseSensitive(it, "image_digest");
		if (!cJSON_IsString(dg) || strcmp(dg->valuestring, e->digest) != 0)
			continue;
		const cJSON *b;
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(it, "bundles")) {
			if (!cJSON_IsString(b))
				continue;
			e->n_bundles++;
			if (tried >= CV_PROV_MAX_BUNDLES)
				continue;
			tried++;
			if (!root) {
				e->code = root_diag->code;
				cv_format(e->msg, sizeof e->msg, "%s", root_diag->msg);
				return;
			}
			cv_sigstore_artifact art = { NULL, 0, e->sha256 };
			cv_sigstore_policy pol = { NULL, NULL, expect_source, NULL };
			cv_diag d;
			cv_diag_clear(&d);
			memset(res, 0, sizeof *res);
			cv_err c = cv_sigstore_verify(b->valuestring, strlen(b->valuestring), root, &art, &pol, now, res, &d);
			if (c == CV_OK) {
				e->code = CV_OK;
				take_facts(e, res);
				/* Short: the workflow URL alone can fill a sentence; the
				 * section carries every fact. */
				cv_format(e->msg, sizeof e->msg, "Rekor entry %U: built from %s at commit %s.",
					(uint64_t)e->log_index, e->repository[0] ? e->repository : "(no repository)",
					e->commit[0] ? e->commit : "(none)");
				return;
			}
			if (c == CV_PROVENANCE_SUBJECT_MISMATCH)
				subject_only++;
			if (rank(c) > best) {
				best = rank(c);
				bd = d;
				if (c == CV_PROVENANCE_SOURCE_MISMATCH)
					take_facts(e, res);
			}
		}
	}
	if (e->n_bundles == 0) {
		e->code = CV_PROVENANCE_MISSING;
		cv_format(e->msg, sizeof e->msg, "No Sigstore bundle was supplied for this image's digest.");
	} else if (subject_only == tried) {
		e->code = CV_PROVENANCE_MISSING;
		cv_format(e->msg, sizeof e->msg, "None of the %U supplied bundle(s) signs this image's digest.",
			(uint64_t)e->n_bundles);
	} else {
		e->code = bd.code;
		cv_format(e->msg, sizeof e->msg, "%s", bd.msg);
	}
}

static int seen(const cv_provenance *p, const char *image)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].image && strcmp(p->v[i].image, image) == 0)
			return 1;
	return 0;
}

cv_err cv_provenance_gather(const cv_dstack_result *ds, const cJSON *prov, const char *trusted_root,
	const char *expect_source, int64_t now, cv_provenance *out, cv_diag *d)
{
	memset(out, 0, sizeof *out);
	out->answered = prov && cJSON_IsArray(prov);
	if (ds->images_state == CV_IMAGES_NO_COMPOSE) {
		out->state = CV_PROV_NO_COMPOSE;
		return CV_OK;
	}
	/* Images of an app-compose the quote does not bind prove nothing
	 * (docs/checks.md app.images_pinned): no bundle is worth checking. */
	if (ds->app_compose_hash.status != CV_PASS) {
		out->state = CV_PROV_UNBOUND;
		return CV_OK;
	}
	if (ds->images_state != CV_IMAGES_LISTED) {
		out->state = CV_PROV_UNLISTED;
		return CV_OK;
	}
	size_t pinned = 0;
	for (size_t i = 0; i < ds->images.n; i++) {
		if (ds->images.v[i].pinned && ds->images.v[i].image)
			pinned++;
		else
			out->n_unpinned++;
	}
	out->state = CV_PROV_LISTED;
	if (!pinned)
		return CV_OK;
	out->v = calloc(pinned, sizeof *out->v);
	cv_sigstore_result *res = malloc(sizeof *res);
	if (!out->v || !res) {
		free(res);
		free(out->v);
		out->v = NULL;
		out->state = CV_PROV_UNLISTED;
		return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory checking provenance.");
	}
	cv_ss_root root;
	cv_diag root_diag;
	cv_diag_clear(&root_diag);
	int have_root = 0;
	if (!trusted_root)
		cv_fail(&root_diag, CV_PROVENANCE_MALFORMED, "Bundles were supplied without a Sigstore trusted root to check them against.");
	else if (cv_ss_root_parse(trusted_root, strlen(trusted_root), &root, &root_diag) == CV_OK)
		have_root = 1;
	for (size_t i = 0; i < ds->images.n; i++) {
		const cv_image *im = &ds->images.v[i];
		if (!im->pinned || !im->image || seen(out, im->image))
			continue;
		cv_prov_entry *e = &out->v[out->n++];
		e->image = im->image;
		size_t il = strlen(im->image);
		/* cv_image_pinned: a pinned image ends in "@sha256:" + 64 hex. */
		cv_format(e->digest, sizeof e->digest, "%s", im->image + il - 71);
		cv_hex_decode(e->digest + 7, 64, e->sha256, 32);
		repository_hint(im->image, expect_source, e->repository_hint, sizeof e->repository_hint);
		judge_image(e, prov, have_root ? &root : NULL, &root_diag, expect_source, now, res);
	}
	if (have_root)
		cv_ss_root_free(&root);
	free(res);
	return CV_OK;
}

void cv_provenance_free(cv_provenance *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
