/*
 * Sigstore bundle verification (src/sigstore_verify.h) on the conformance
 * suite's real bundles (tests/vectors/sigstore-conformance) and the pinned
 * production trusted root (data/sigstore/trusted_root.json): what passes,
 * and that each check on its own catches a one-field change.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check.h"
#include "crypto.h"
#include "sigstore_verify.h"

#define CASES "vectors/sigstore-conformance/bundle-verify/"
#define IDENTITY "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define ISSUER "https://token.actions.githubusercontent.com"
#define NOW 1790000000 /* 2026-09 */

static cv_ss_root root;
static uint8_t artifact_sha[32];

static cv_err verify_text(const char *bundle, const cv_sigstore_policy *pol, int64_t now, cv_sigstore_result *r)
{
	cv_diag d;
	cv_sigstore_artifact a = { NULL, 0, artifact_sha };
	cv_diag_clear(&d);
	cv_err e = cv_sigstore_verify(bundle, strlen(bundle), &root, &a, pol, now, r, &d);
	if (e != CV_OK)
		CHECK(strlen(d.msg) > 10); /* every failure says why */
	return e;
}

static char *read_case(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, CASES "%s/bundle.sigstore.json", name);
	return (char *)check_read_file(path, NULL);
}

/* Parse a bundle, let edit change it, print it back. */
static char *edited(const char *text, void (*edit)(cJSON *))
{
	cJSON *j = cJSON_Parse(text);
	edit(j);
	char *out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

static cJSON *tlog0(cJSON *b)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "verificationMaterial"), "tlogEntries"), 0);
}

static void set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_ReplaceItemInObject(o, k, cJSON_CreateString(v));
}

static void edit_index(cJSON *b) { set_str(tlog0(b), "logIndex", "79571824"); }
static void edit_time(cJSON *b) { set_str(tlog0(b), "integratedTime", "1710869187"); }
static void edit_proof_hash(cJSON *b)
{
	cJSON *h = cJSON_GetObjectItem(cJSON_GetObjectItem(tlog0(b), "inclusionProof"), "hashes");
	cJSON_ReplaceItemInArray(h, 0, cJSON_CreateString("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
}
static void edit_proof_index(cJSON *b) { set_str(cJSON_GetObjectItem(tlog0(b), "inclusionProof"), "logIndex", "75408393"); }
static void edit_tree_size(cJSON *b) { set_str(cJSON_GetObjectItem(tlog0(b), "inclusionProof"), "treeSize", "75408394"); }
static void drop_set(cJSON *b) { cJSON_DeleteItemFromObject(tlog0(b), "inclusionPromise"); }
static void drop_proof(cJSON *b) { cJSON_DeleteItemFromObject(tlog0(b), "inclusionProof"); }
static void edit_media(cJSON *b) { set_str(b, "mediaType", "application/vnd.dev.sigstore.bundle.v0.4+json"); }

static void test_happy_and_facts(void)
{
	char *text = read_case("happy-path-v0.3");
	cv_sigstore_result r;
	cv_sigstore_policy pol = { IDENTITY, ISSUER, "sigstore-conformance/extremely-dangerous-public-oidc-beacon@main", NULL };
	CHECK(text != NULL);
	CHECK(verify_text(text, &pol, NOW, &r) == CV_OK);
	CHECK_STR(r.san, IDENTITY);
	CHECK_STR(r.cert.issuer, ISSUER);
	CHECK_STR(r.cert.source_repo_uri, "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon");
	CHECK_STR(r.cert.source_repo_ref, "refs/heads/main");
	CHECK(strlen(r.cert.source_repo_digest) == 40);
	CHECK_STR(r.cert.runner_environment, "github-hosted");
	CHECK(r.log_index == 79571823);
	CHECK(r.integrated_time == 1710869186);

	/* Source policy: repository case-insensitive, ref exact. */
	pol.source = "Sigstore-Conformance/Extremely-Dangerous-Public-OIDC-Beacon";
	CHECK(verify_text(text, &pol, NOW, &r) == CV_OK);
	pol.source = "sigstore-conformance/other";
	CHECK(verify_text(text, &pol, NOW, &r) == CV_PROVENANCE_SOURCE_MISMATCH);
	pol.source = "sigstore-conformance/extremely-dangerous-public-oidc-beacon@dev";
	CHECK(verify_text(text, &pol, NOW, &r) == CV_PROVENANCE_SOURCE_MISMATCH);
	pol.source = NULL;
	pol.identity = "https://github.com/other/x";
	CHECK(verify_text(text, &pol, NOW, &r) == CV_PROVENANCE_IDENTITY_MISMATCH);
	pol.identity = IDENTITY;
	pol.issuer = "https://accounts.google.com";
	CHECK(verify_text(text, &pol, NOW, &r) == CV_PROVENANCE_IDENTITY_MISMATCH);

	/* A verification key given: a certificate bundle is not signed by it,
	 * whoever the certificate names (tests/redteam/FINDINGS.md, F1). */
	{
		cv_sigstore_policy kp = { NULL, NULL, NULL, &root.tlogs[0].key };
		CHECK(verify_text(text, &kp, NOW, &r) == CV_PROVENANCE_INVALID);
	}

	/* A clock before the log's integrated time: the entry cannot be real. */
	CHECK(verify_text(text, NULL, 1710869186 - 3600, &r) == CV_PROVENANCE_INVALID);

	/* Each signed field, changed alone, breaks a signature or a proof. */
	void (*edits[])(cJSON *) = { edit_index, edit_time, edit_proof_hash, edit_proof_index, edit_tree_size, drop_set,
		drop_proof };
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *t = edited(text, edits[i]);
		cv_err e = verify_text(t, NULL, NOW, &r);
		if (e != CV_PROVENANCE_INVALID)
			fprintf(stderr, "edit %u: %s\n", (unsigned)i, cv_err_name(e));
		CHECK(e == CV_PROVENANCE_INVALID);
		free(t);
	}
	char *t = edited(text, edit_media);
	CHECK(verify_text(t, NULL, NOW, &r) == CV_PROVENANCE_MALFORMED);
	free(t);

	/* The SCT: without a CT log of the trusted root that signed it, the
	 * certificate is not accepted; a root without CT logs asks for none. */
	cv_ss_tlog saved[CV_SS_MAX_TLOGS];
	size_t n_saved = root.n_ctlogs;
	memcpy(saved, root.ctlogs, sizeof saved);
	for (size_t i = 0; i < root.n_ctlogs; i++)
		root.ctlogs[i].log_id[0] ^= 1;
	CHECK(verify_text(text, NULL, NOW, &r) == CV_PROVENANCE_INVALID);
	memcpy(root.ctlogs, saved, sizeof saved);
	for (size_t i = 0; i < root.n_ctlogs; i++)
		root.ctlogs[i].end = 1600000000; /* the log key expired before the SCT */
	CHECK(verify_text(text, NULL, NOW, &r) == CV_PROVENANCE_INVALID);
	memcpy(root.ctlogs, saved, sizeof saved);
	root.n_ctlogs = 0;
	CHECK(verify_text(text, NULL, NOW, &r) == CV_OK);
	root.n_ctlogs = n_saved;
	CHECK(verify_text(text, NULL, NOW, &r) == CV_OK);

	/* Another artifact. */
	uint8_t keep[32];
	memcpy(keep, artifact_sha, 32);
	artifact_sha[0] ^= 1;
	CHECK(verify_text(text, NULL, NOW, &r) != CV_OK);
	memcpy(artifact_sha, keep, 32);
	free(text);
}

static void test_dsse(void)
{
	char *text = read_case("happy-path-intoto-in-dsse-v3");
	cv_sigstore_result r;
	cv_diag d;
	size_t len;
	/* The case ships no artifact: its subject is the suite's a.txt. */
	uint8_t *art = check_read_file(CASES "a.txt", &len);
	cv_sigstore_artifact a = { art, len, NULL };
	CHECK(text && art);
	cv_err e = cv_sigstore_verify(text, strlen(text), &root, &a, NULL, NOW, &r, &d);
	if (e != CV_OK)
		fprintf(stderr, "dsse: %s\n", d.msg);
	CHECK(e == CV_OK);
	CHECK(r.is_dsse);
	CHECK(strncmp(r.predicate_type, "https://", 8) == 0);
	uint8_t other[32] = { 0 };
	cv_sigstore_artifact b = { NULL, 0, other };
	CHECK(cv_sigstore_verify(text, strlen(text), &root, &b, NULL, NOW, &r, &d) == CV_PROVENANCE_SUBJECT_MISMATCH);
	free(text);
	free(art);
}

/* P-384: the Fulcio root's self-signature (ecdsa-with-SHA384) verifies, and
 * not after one bit of its TBS changes. */
static void test_p384_root(void)
{
	const cv_ss_ca *ca = &root.cas[root.n_cas - 1];
	cv_ss_cert c;
	cv_diag d;
	CHECK(cv_ss_cert_parse(ca->certs[ca->n_certs - 1].ptr, ca->certs[ca->n_certs - 1].len, &c, &d) == CV_OK);
	CHECK(c.key.curve_bits == 384);
	CHECK(c.sig_hash == CV_SS_HASH_SHA384);
	CHECK(c.is_ca);
	CHECK(cv_ss_cert_self_signed(&c));
	uint8_t *copy = malloc(c.der.len);
	memcpy(copy, c.der.ptr, c.der.len);
	copy[c.tbs.ptr - c.der.ptr + 40] ^= 1;
	cv_ss_cert m;
	if (cv_ss_cert_parse(copy, c.der.len, &m, &d) == CV_OK)
		CHECK(!cv_ss_cert_self_signed(&m));
	free(copy);
}

/* RFC 3161: a custom trusted root with a timestamp authority; the token
 * must be signed by it and fall within the certificate's validity. */
static cv_err verify_case_with_root(const char *name, int drop_tsas)
{
	char path[256];
	size_t len;
	cv_diag d;
	cv_ss_root rr;
	cv_sigstore_result r;
	snprintf(path, sizeof path, CASES "%s/trusted_root.json", name);
	char *root_text = (char *)check_read_file(path, NULL);
	snprintf(path, sizeof path, CASES "%s/artifact", name);
	uint8_t *art = check_read_file(path, &len);
	char *bundle = read_case(name);
	cv_err e = CV_INTERNAL;
	if (root_text && art && bundle && cv_ss_root_parse(root_text, strlen(root_text), &rr, &d) == CV_OK) {
		if (drop_tsas)
			rr.n_tsas = 0;
		cv_sigstore_artifact a = { art, len, NULL };
		e = cv_sigstore_verify(bundle, strlen(bundle), &rr, &a, NULL, NOW, &r, &d);
		cv_ss_root_free(&rr);
	}
	free(root_text);
	free(art);
	free(bundle);
	return e;
}

static void test_tsa(void)
{
	CHECK(verify_case_with_root("intoto-with-custom-trust-root", 0) == CV_OK);
	CHECK(verify_case_with_root("intoto-with-custom-trust-root", 1) == CV_PROVENANCE_INVALID);
	CHECK(verify_case_with_root("intoto-tsa-timestamp-outside-cert-validity_fail", 0) == CV_PROVENANCE_INVALID);
}

static void test_malformed_inputs(void)
{
	cv_sigstore_result r;
	const char *bad[] = { "", "{}", "[]", "{\"mediaType\":1}", "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}",
		"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{}}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(verify_text(bad[i], NULL, NOW, &r) == CV_PROVENANCE_MALFORMED);
	cv_ss_root rr;
	cv_diag d;
	CHECK(cv_ss_root_parse("{}", 2, &rr, &d) == CV_PROVENANCE_MALFORMED);
	CHECK(cv_ss_root_parse("nope", 4, &rr, &d) == CV_PROVENANCE_MALFORMED);
}

/* The op refuses members it does not know or whose type is wrong: a
 * misspelt identity must not leave the identity unchecked
 * (tests/redteam/FINDINGS.md, F5). */
static void test_op_members(void)
{
	const char *bad[] = {
		"{\"op\":\"verify_bundle\",\"bundle\":\"{}\",\"trusted_root\":\"{}\",\"now\":1,"
		"\"artifact_digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"certificate_identity\":\"x\"}",
		"{\"op\":\"verify_bundle\",\"bundle\":\"{}\",\"trusted_root\":\"{}\",\"now\":1,"
		"\"artifact_digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"identity\":[\"x\"]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *req = cJSON_Parse(bad[i]);
		char *out = NULL;
		size_t n = 0;
		CHECK(req != NULL);
		CHECK(cv_sigstore_run_json(req, &out, &n) == CV_REQUEST_MALFORMED);
		CHECK(out && strstr(out, "REQUEST_MALFORMED"));
		free(out);
		cJSON_Delete(req);
	}
}

int main(void)
{
	size_t len;
	char *text = (char *)check_read_file("../data/sigstore/trusted_root.json", &len);
	uint8_t *a = check_read_file(CASES "a.txt", &len);
	cv_diag d;
	CHECK(text && a);
	if (!text || !a)
		return check_report("sigstore");
	cv_sha256(a, len, artifact_sha);
	CHECK(cv_ss_root_parse(text, strlen(text), &root, &d) == CV_OK);
	CHECK(root.n_tlogs >= 1 && root.n_cas >= 2);
	test_happy_and_facts();
	test_dsse();
	test_p384_root();
	test_tsa();
	test_malformed_inputs();
	test_op_members();
	cv_ss_root_free(&root);
	free(text);
	free(a);
	return check_report("sigstore");
}
