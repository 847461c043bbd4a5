/*
 * app.provenance (src/provenance.h, cv_policy_provenance in src/policy.c;
 * docs/provenance.md): the request members' shapes, which images are
 * checked (pinned, deduplicated, only from a bound compose), which bundle
 * outcome is kept, the repository hint, and the policy's statuses, on the
 * conformance suite's real bundles and the production trusted root.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check.h"
#include "check_table.h"
#include "provenance.h"

#define CASES "vectors/sigstore-conformance/bundle-verify/"
/* sha256(a.txt): the subject of happy-path-intoto-in-dsse-v3 (tests/mocks/github.mjs SUBJECT). */
#define SUBJ "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
#define OTHER "sha256:abababababababababababababababababababababababababababababababab"
#define SOURCE "sigstore-conformance/extremely-dangerous-public-oidc-beacon"
#define NOW 1790000000

static char *root_text, *dsse, *invalid;

static cv_err request_check(const char *json)
{
	cv_diag d;
	cv_diag_clear(&d);
	cJSON *j = cJSON_Parse(json);
	cv_err e = cv_provenance_request_check(cJSON_GetObjectItemCaseSensitive(j, "provenance"),
		cJSON_GetObjectItemCaseSensitive(j, "trusted_root"), &d);
	cJSON_Delete(j);
	return e;
}

static void test_request_shapes(void)
{
	CHECK(request_check("{}") == CV_OK);
	CHECK(request_check("{\"provenance\":[]}") == CV_OK);
	CHECK(request_check("{\"provenance\":[{\"image_digest\":\"" SUBJ "\",\"bundles\":[\"{}\"]}],\"trusted_root\":\"{}\"}") == CV_OK);
	CHECK(request_check("{\"provenance\":{}}") == CV_REQUEST_MALFORMED);
	CHECK(request_check("{\"provenance\":[{\"image_digest\":\"" SUBJ "\",\"bundles\":[],\"x\":1}]}") == CV_REQUEST_MALFORMED);
	CHECK(request_check("{\"provenance\":[{\"image_digest\":\"sha256:AB\",\"bundles\":[]}]}") == CV_REQUEST_MALFORMED);
	CHECK(request_check("{\"provenance\":[{\"image_digest\":\"" SUBJ "\",\"bundles\":[{}]}]}") == CV_REQUEST_MALFORMED);
	CHECK(request_check("{\"provenance\":[{\"image_digest\":\"" SUBJ "\"}]}") == CV_REQUEST_MALFORMED);
	CHECK(request_check("{\"trusted_root\":{}}") == CV_REQUEST_MALFORMED);
}

/* A bound, listed compose of these YAML services. */
static void bound_compose(const char *yaml, cv_dstack_result *ds)
{
	cv_diag d;
	memset(ds, 0, sizeof *ds);
	CHECK(cv_compose_images(yaml, strlen(yaml), &ds->images, &d) == CV_OK);
	ds->has_images = 1;
	ds->images_state = CV_IMAGES_LISTED;
	ds->app_compose_hash.status = CV_PASS;
}

static cJSON *answers(const char *digest1, const char *b1a, const char *b1b, const char *digest2, const char *b2)
{
	cJSON *arr = cJSON_CreateArray();
	const char *dg[2] = { digest1, digest2 };
	const char *bs[2][2] = { { b1a, b1b }, { b2, NULL } };
	for (int i = 0; i < 2; i++) {
		if (!dg[i])
			continue;
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "image_digest", dg[i]);
		cJSON *b = cJSON_AddArrayToObject(it, "bundles");
		for (int k = 0; k < 2; k++)
			if (bs[i][k])
				cJSON_AddItemToArray(b, cJSON_CreateString(bs[i][k]));
		cJSON_AddItemToArray(arr, it);
	}
	return arr;
}

static cv_check judge(const cv_dstack_result *ds, const cv_provenance *p, const char *source)
{
	cv_policy pol;
	memset(&pol, 0, sizeof pol);
	pol.expect_source = source;
	cv_facts f;
	memset(&f, 0, sizeof f);
	f.pol = &pol;
	f.ds = ds;
	f.prov = p;
	return cv_policy_provenance(&f);
}

static void test_gather_and_judge(void)
{
	cv_dstack_result ds;
	bound_compose("services:\n"
		"  a:\n    image: ghcr.io/Owner/Repo@" SUBJ "\n"
		"  b:\n    image: ghcr.io/Owner/Repo@" SUBJ "\n"
		"  c:\n    image: nginx:latest\n"
		"  d:\n    image: example/x@" OTHER "\n", &ds);
	cJSON *prov = answers(SUBJ, invalid, dsse, OTHER, dsse);
	cv_provenance p;
	cv_diag d;
	CHECK(cv_provenance_gather(&ds, prov, root_text, NULL, NOW, &p, &d) == CV_OK);
	CHECK(p.state == CV_PROV_LISTED && p.answered);
	CHECK(p.n == 2);              /* a and b are one image; c is not pinned */
	CHECK(p.n_unpinned == 1);
	/* An invalid bundle before a valid one: the valid one proves the image. */
	CHECK(p.v[0].code == CV_OK);
	CHECK(p.v[0].n_bundles == 2);
	CHECK_STR(p.v[0].digest, SUBJ);
	CHECK_STR(p.v[0].repository_hint, "owner/repo");
	CHECK_STR(p.v[0].repository, "https://github.com/" SOURCE);
	CHECK_STR(p.v[0].commit, "82a3bfe6dd50fe9c71d6315eae66da15307856cf");
	CHECK_STR(p.v[0].runner_environment, "github-hosted");
	CHECK(p.v[0].log_index == 155690850 && p.v[0].integrated_time == 1734374576);
	/* A bundle that signs another digest is no bundle for this one. */
	CHECK(p.v[1].code == CV_PROVENANCE_MISSING);
	CHECK(!p.v[1].has_facts);
	CHECK_STR(p.v[1].repository_hint, "");
	cv_check c = judge(&ds, &p, NULL);
	CHECK(c.status == CV_WARN && c.code == CV_PROVENANCE_MISSING && !c.enforced);
	c = judge(&ds, &p, SOURCE);
	CHECK(c.status == CV_FAIL && c.code == CV_PROVENANCE_MISSING && c.enforced);
	cv_provenance_free(&p);
	cJSON_Delete(prov);

	/* The expected source elsewhere: valid provenance, kept with its facts, is a mismatch. */
	prov = answers(SUBJ, dsse, NULL, NULL, NULL);
	CHECK(cv_provenance_gather(&ds, prov, root_text, "dstack-tee/dstack", NOW, &p, &d) == CV_OK);
	CHECK(p.v[0].code == CV_PROVENANCE_SOURCE_MISMATCH && p.v[0].has_facts);
	CHECK_STR(p.v[0].repository_hint, "owner/repo"); /* ghcr.io wins over the policy's repository */
	CHECK_STR(p.v[1].repository_hint, "dstack-tee/dstack");
	c = judge(&ds, &p, "dstack-tee/dstack");
	CHECK(c.status == CV_FAIL && c.code == CV_PROVENANCE_SOURCE_MISMATCH);
	cv_provenance_free(&p);
	/* Bundles without a trusted root: malformed, never a pass. */
	CHECK(cv_provenance_gather(&ds, prov, NULL, NULL, NOW, &p, &d) == CV_OK);
	CHECK(p.v[0].code == CV_PROVENANCE_MALFORMED);
	cv_provenance_free(&p);
	cJSON_Delete(prov);

	/* Nobody looked: skip without a source, fail with one. */
	CHECK(cv_provenance_gather(&ds, NULL, NULL, NULL, NOW, &p, &d) == CV_OK);
	CHECK(!p.answered && p.n == 2 && p.v[0].code == CV_PROVENANCE_MISSING);
	c = judge(&ds, &p, NULL);
	CHECK(c.status == CV_SKIP && c.code == CV_PROVENANCE_MISSING);
	c = judge(&ds, &p, SOURCE);
	CHECK(c.status == CV_FAIL && c.enforced);
	cv_provenance_free(&p);

	/* An unbound compose: nothing gathered, COMPOSE_UNBOUND. */
	ds.app_compose_hash.status = CV_FAIL;
	CHECK(cv_provenance_gather(&ds, NULL, NULL, NULL, NOW, &p, &d) == CV_OK);
	CHECK(p.state == CV_PROV_UNBOUND && p.n == 0);
	c = judge(&ds, &p, NULL);
	CHECK(c.status == CV_SKIP && c.code == CV_COMPOSE_UNBOUND);
	c = judge(&ds, &p, SOURCE);
	CHECK(c.status == CV_FAIL && c.code == CV_COMPOSE_UNBOUND);
	cv_provenance_free(&p);
	cv_image_list_free(&ds.images);
}

static void test_all_proven(void)
{
	cv_dstack_result ds;
	bound_compose("services:\n  a:\n    image: example/image@" SUBJ "\n", &ds);
	cJSON *prov = answers(SUBJ, dsse, NULL, NULL, NULL);
	cv_provenance p;
	cv_diag d;
	CHECK(cv_provenance_gather(&ds, prov, root_text, SOURCE "@main", NOW, &p, &d) == CV_OK);
	cv_check c = judge(&ds, &p, SOURCE "@main");
	CHECK(c.status == CV_PASS && c.code == CV_OK && c.enforced);
	cv_provenance_free(&p);
	/* The clock before the log's integrated time: not yet logged, so not proven. */
	CHECK(cv_provenance_gather(&ds, prov, root_text, NULL, 1700000000, &p, &d) == CV_OK);
	CHECK(p.v[0].code == CV_PROVENANCE_INVALID);
	cv_provenance_free(&p);
	cJSON_Delete(prov);
	/* Nothing pinned: skip. */
	cv_image_list_free(&ds.images);
	bound_compose("services:\n  a:\n    image: nginx:latest\n", &ds);
	CHECK(cv_provenance_gather(&ds, NULL, NULL, NULL, NOW, &p, &d) == CV_OK);
	c = judge(&ds, &p, NULL);
	CHECK(c.status == CV_SKIP && c.code == CV_OK);
	c = judge(&ds, &p, SOURCE);
	CHECK(c.status == CV_FAIL && c.code == CV_PROVENANCE_MISSING); /* unpinned images cannot be proven */
	cv_provenance_free(&p);
	cv_image_list_free(&ds.images);
}

int main(void)
{
	root_text = (char *)check_read_file("../data/sigstore/trusted_root.json", NULL);
	dsse = (char *)check_read_file(CASES "happy-path-intoto-in-dsse-v3/bundle.sigstore.json", NULL);
	invalid = (char *)check_read_file(CASES "dsse-invalid-sig_fail/bundle.sigstore.json", NULL);
	if (!root_text || !dsse || !invalid)
		return 1;
	test_request_shapes();
	test_gather_and_judge();
	test_all_proven();
	free(root_text);
	free(dsse);
	free(invalid);
	return check_report("provenance");
}
