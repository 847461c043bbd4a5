/*
 * Sigstore: the input is verified as a bundle (cv_sigstore_verify) against
 * the pinned production trusted root and the conformance suite's a.txt,
 * parsed as a trusted root (cv_ss_root_parse), and as one DER certificate
 * (cv_ss_cert_parse). Invariants: every failure carries a PROVENANCE_* (or
 * OUT_OF_MEMORY) code and a sentence; nothing verifies that the real data
 * does not sign (a random input never passes).
 */
#include "crypto.h"
#include "fuzz_common.h"
#include "sigstore_verify.h"

static cv_ss_root root;
static uint8_t artifact_sha[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t len;
	cv_diag d;
	uint8_t *text = fuzz_load_vector("../../data/sigstore/trusted_root.json", &len);
	if (cv_ss_root_parse((const char *)text, len, &root, &d) != CV_OK) {
		fprintf(stderr, "fuzz: the pinned trusted root does not parse: %s\n", d.msg);
		exit(2);
	}
	free(text);
	uint8_t *a = fuzz_load_vector("sigstore-conformance/bundle-verify/a.txt", &len);
	cv_sha256(a, len, artifact_sha);
	free(a);
	return 0;
}

static int provenance_code(cv_err e)
{
	return e == CV_PROVENANCE_MALFORMED || e == CV_PROVENANCE_INVALID || e == CV_PROVENANCE_SUBJECT_MISMATCH ||
		e == CV_PROVENANCE_IDENTITY_MISMATCH || e == CV_OUT_OF_MEMORY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	cv_diag d;
	cv_sigstore_result r;
	cv_sigstore_artifact a = { NULL, 0, artifact_sha };
	cv_sigstore_policy pol = { "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
		"https://token.actions.githubusercontent.com", NULL, NULL };

	cv_diag_clear(&d);
	cv_err e = cv_sigstore_verify(s, size, &root, &a, &pol, 1790000000, &r, &d);
	if (e != CV_OK)
		FUZZ_ASSERT(provenance_code(e) && d.code == e && d.msg[0]);

	cv_ss_root rr;
	cv_diag_clear(&d);
	e = cv_ss_root_parse(s, size, &rr, &d);
	if (e == CV_OK)
		cv_ss_root_free(&rr);
	else
		FUZZ_ASSERT((e == CV_PROVENANCE_MALFORMED || e == CV_OUT_OF_MEMORY) && d.msg[0]);

	cv_ss_cert c;
	cv_diag_clear(&d);
	e = cv_ss_cert_parse(data, size, &c, &d);
	if (e != CV_OK)
		FUZZ_ASSERT(e == CV_PROVENANCE_MALFORMED && d.msg[0]);
	else
		FUZZ_ASSERT(c.tbs.ptr >= data && c.tbs.ptr + c.tbs.len <= data + size);
	free(s);
	return 0;
}
