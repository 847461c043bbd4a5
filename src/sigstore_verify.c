/*
 * Sigstore bundle verification (sigstore_verify.h): the signer, the
 * signature, the artifact, and the identity policy, on top of the Rekor
 * checks of sigstore_rekor.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "crypto.h"
#include "evidence.h"
#include "sigstore_verify.h"
#include "json.h"
#include "util.h"

#define INVALID(...) cv_fail(d, CV_PROVENANCE_INVALID, __VA_ARGS__)

/* The leaf chains to a CA of the trusted root valid at time t (its validFor
 * and every certificate's own validity, inclusive). */
static cv_err check_chain(const cv_ss_cert *leaf, const cv_ss_root *root, int64_t t, cv_diag *d)
{
	cv_ss_cert ca[CV_SS_MAX_CA_CERTS];
	int any_in_time = 0;

	if (leaf->is_ca)
		return INVALID("The signing certificate is a CA certificate.");
	if (!leaf->eku_code_signing)
		return INVALID("The signing certificate lacks the code-signing extended key usage.");
	if (leaf->has_key_usage && !(leaf->key_usage & 0x80u))
		return INVALID("The signing certificate lacks the digitalSignature key usage.");
	if (t < leaf->not_before || t > leaf->not_after)
		return INVALID("The signing certificate (valid %T to %T) was not valid at the log's integrated time %T.",
			leaf->not_before, leaf->not_after, t);
	for (size_t i = 0; i < root->n_cas; i++) {
		const cv_ss_ca *c = &root->cas[i];
		if (t < c->start || t > c->end)
			continue;
		any_in_time = 1;
		int ok = 1;
		for (size_t k = 0; k < c->n_certs && ok; k++) {
			cv_diag ignore;
			ok = cv_ss_cert_parse(c->certs[k].ptr, c->certs[k].len, &ca[k], &ignore) == CV_OK && ca[k].is_ca &&
				t >= ca[k].not_before && t <= ca[k].not_after &&
				(!ca[k].has_key_usage || (ca[k].key_usage & 0x04u));
		}
		if (!ok || !cv_ss_cert_signed_by(leaf, &ca[0]))
			continue;
		for (size_t k = 0; k + 1 < c->n_certs && ok; k++)
			ok = cv_ss_cert_signed_by(&ca[k], &ca[k + 1]);
		/* The chain ends in a self-signed root, or in a CA the trusted root
		 * lists as its anchor (a chain of one intermediate is allowed). */
		if (ok)
			return cv_ss_sct_verify(leaf, &ca[0], root, d);
	}
	if (!any_in_time)
		return INVALID("No certificate authority of the trusted root was valid at the log's integrated time %T.", t);
	return INVALID("The signing certificate does not chain to a certificate authority of the trusted root.");
}

/* DSSE pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(payload)> <payload>". */
static cv_err check_dsse_sig(const cv_ss_bundle *b, const cv_ss_key *key, cv_diag *d)
{
	size_t tl = strlen(b->payload_type);
	size_t cap = tl + b->payload.len + 64;
	uint8_t *pae = malloc(cap);
	if (!pae)
		return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
	size_t n = cv_format((char *)pae, cap, "DSSEv1 %U %s %U ", (uint64_t)tl, b->payload_type, (uint64_t)b->payload.len);
	memcpy(pae + n, b->payload.ptr, b->payload.len);
	n += b->payload.len;
	int ok = cv_ss_verify(key, CV_SS_HASH_SHA256, pae, n, b->sig.ptr, b->sig.len);
	free(pae);
	if (!ok)
		return INVALID("The DSSE envelope's signature does not verify under the signing key.");
	return CV_OK;
}

/* The in-toto statement names the artifact's SHA-256 among its subjects. */
static cv_err check_statement(const cv_ss_bundle *b, const uint8_t want[32], cv_sigstore_result *out, cv_diag *d)
{
	if (strcmp(b->payload_type, "application/vnd.in-toto+json") != 0)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The DSSE payload type is %s, not an in-toto statement.",
			b->payload_type);
	cJSON *st = cv_json_parse_exact((const char *)b->payload.ptr, b->payload.len);
	if (!st)
		return cv_fail(d, CV_PROVENANCE_MALFORMED, "The in-toto statement is not valid JSON.");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(st, "_type");
	const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(st, "subject");
	const cJSON *pred = cJSON_GetObjectItemCaseSensitive(st, "predicateType");
	cv_err e = CV_PROVENANCE_SUBJECT_MISMATCH;
	if (!cJSON_IsString(type) || (strcmp(type->valuestring, "https://in-toto.io/Statement/v1") != 0 &&
					     strcmp(type->valuestring, "https://in-toto.io/Statement/v0.1") != 0))
		e = cv_fail(d, CV_PROVENANCE_MALFORMED, "The DSSE payload is not an in-toto v1 or v0.1 statement.");
	else if (!cJSON_IsArray(subjects))
		e = cv_fail(d, CV_PROVENANCE_MALFORMED, "The in-toto statement has no subjects.");
	else {
		if (cJSON_IsString(pred) && strlen(pred->valuestring) < sizeof out->predicate_type)
			memcpy(out->predicate_type, pred->valuestring, strlen(pred->valuestring) + 1);
		for (const cJSON *s = subjects->child; s; s = s->next) {
			const cJSON *hx = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "digest"), "sha256");
			uint8_t got[32];
			if (cJSON_IsString(hx) && strlen(hx->valuestring) == 64 &&
				cv_hex_decode(hx->valuestring, 64, got, 32) == 32 && memcmp(got, want, 32) == 0) {
				e = CV_OK;
				break;
			}
		}
		if (e != CV_OK)
			e = cv_fail(d, CV_PROVENANCE_SUBJECT_MISMATCH,
				"No subject of the in-toto statement has the artifact's SHA-256 %H.", want, (size_t)32);
	}
	cJSON_Delete(st);
	return e;
}

/* "https://github.com/owner/repo" against "owner/repo[@ref]": repository
 * names compare case-insensitively (GitHub's rule), refs exactly; a bare
 * branch name matches refs/heads/<name>. */
static cv_err check_source(const cv_ss_fulcio *f, const char *want, cv_diag *d)
{
	static const char gh[] = "https://github.com/";
	const char *at = strchr(want, '@');
	size_t rl = at ? (size_t)(at - want) : strlen(want);
	const char *uri = f->source_repo_uri;
	if (strncmp(uri, gh, sizeof gh - 1) != 0 || strlen(uri + sizeof gh - 1) != rl)
		goto repo_mismatch;
	for (size_t i = 0; i < rl; i++) {
		char a = uri[sizeof gh - 1 + i], b = want[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			goto repo_mismatch;
	}
	if (at) {
		const char *ref = at + 1;
		const char *got = f->source_repo_ref;
		int ok = strcmp(got, ref) == 0 ||
			(strncmp(got, "refs/heads/", 11) == 0 && strcmp(got + 11, ref) == 0) ||
			(strncmp(got, "refs/tags/", 10) == 0 && strcmp(got + 10, ref) == 0);
		if (!ok)
			return cv_fail(d, CV_PROVENANCE_SOURCE_MISMATCH, "The provenance was built from ref %s, not %s.",
				got[0] ? got : "(none)", ref);
	}
	return CV_OK;
repo_mismatch:
	return cv_fail(d, CV_PROVENANCE_SOURCE_MISMATCH, "The provenance names source %s, not %s.",
		uri[0] ? uri : "(none)", want);
}

cv_err cv_sigstore_verify(const char *bundle_json, size_t bundle_len, const cv_ss_root *root,
	const cv_sigstore_artifact *artifact, const cv_sigstore_policy *policy, int64_t now, cv_sigstore_result *out,
	cv_diag *d)
{
	cv_ss_bundle b;
	cv_ss_cert leaf;
	const cv_ss_key *key;
	cv_bytes signer;
	uint8_t spki[91];
	cv_err e;

	memset(out, 0, sizeof *out);
	if (!artifact || (!artifact->bytes && !artifact->sha256))
		return cv_fail(d, CV_REQUEST_MALFORMED, "No artifact or artifact digest was given to check the bundle against.");
	if (artifact->sha256)
		memcpy(out->artifact_sha256, artifact->sha256, 32);
	else
		cv_sha256(artifact->bytes, artifact->len, out->artifact_sha256);

	if ((e = cv_ss_bundle_parse(bundle_json, bundle_len, &b, d)) != CV_OK)
		return e;
	out->is_dsse = b.is_dsse;
	out->log_index = b.tlog.log_index;
	out->integrated_time = b.tlog.integrated_time;

	if (b.chain_has_root) {
		e = INVALID("The bundle's certificate chain includes a root certificate; only the trusted root supplies anchors.");
		goto done;
	}
	if ((e = cv_ss_rekor_verify(&b, root, d)) != CV_OK)
		goto done;
	if (b.tlog.integrated_time > now + 60) {
		e = INVALID("The log's integrated time %T is in the future.", b.tlog.integrated_time);
		goto done;
	}
	if (b.material == CV_SS_MAT_KEY) {
		if (!policy || !policy->key) {
			e = INVALID("The bundle is signed with a key, and no verification key was given.");
			goto done;
		}
		if ((e = cv_ss_tsa_verify(&b, root, NULL, d)) != CV_OK)
			goto done;
		key = policy->key;
		out->signed_by_key = 1;
		/* The log names the key by its PEM: compare with the caller's key as
		 * a SubjectPublicKeyInfo. */
		static const uint8_t p256_prefix[] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
			0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00 };
		_Static_assert(sizeof spki == sizeof p256_prefix + 65, "P-256 SPKI size");
		if (key->curve_bits != 256) {
			e = INVALID("Only P-256 verification keys are supported for key-signed bundles.");
			goto done;
		}
		memcpy(spki, p256_prefix, sizeof p256_prefix);
		memcpy(spki + sizeof p256_prefix, key->q, 65);
		signer.ptr = spki;
		signer.len = sizeof spki;
	} else {
		/* A caller who names a key accepts that key only: a certificate
		 * bundle (anyone's Fulcio identity) must not pass in its place. */
		if (policy && policy->key) {
			e = INVALID("The bundle is signed with a certificate, not with the given verification key.");
			goto done;
		}
		if ((e = cv_ss_cert_parse(b.leaf.ptr, b.leaf.len, &leaf, d)) != CV_OK ||
			(e = check_chain(&leaf, root, b.tlog.integrated_time, d)) != CV_OK)
			goto done;
		if ((e = cv_ss_tsa_verify(&b, root, &leaf, d)) != CV_OK)
			goto done;
		key = &leaf.key;
		signer = b.leaf;
		memcpy(out->san, leaf.san, sizeof out->san);
		out->cert = leaf.fulcio;
	}
	if ((e = cv_ss_rekor_body_matches(&b, out->artifact_sha256, &signer, d)) != CV_OK)
		goto done;
	if (b.is_dsse) {
		if ((e = check_dsse_sig(&b, key, d)) != CV_OK ||
			(e = check_statement(&b, out->artifact_sha256, out, d)) != CV_OK)
			goto done;
	} else {
		if (b.has_digest && memcmp(b.digest, out->artifact_sha256, 32) != 0) {
			e = cv_fail(d, CV_PROVENANCE_SUBJECT_MISMATCH, "The bundle's message digest is not the artifact's SHA-256.");
			goto done;
		}
		if (!cv_ss_verify_digest(key, out->artifact_sha256, 32, b.sig.ptr, b.sig.len)) {
			e = INVALID("The bundle's signature does not verify over the artifact under the signing key.");
			goto done;
		}
	}
	if (policy && out->signed_by_key && (policy->identity || policy->issuer || policy->source)) {
		e = cv_fail(d, CV_PROVENANCE_IDENTITY_MISMATCH, "The bundle is signed with a key, so it proves no identity or source.");
		goto done;
	}
	if (policy && !out->signed_by_key) {
		if (policy->identity && strcmp(policy->identity, out->san) != 0) {
			e = cv_fail(d, CV_PROVENANCE_IDENTITY_MISMATCH, "The certificate's identity is %s, not %s.",
				out->san[0] ? out->san : "(none)", policy->identity);
			goto done;
		}
		if (policy->issuer && strcmp(policy->issuer, out->cert.issuer) != 0) {
			e = cv_fail(d, CV_PROVENANCE_IDENTITY_MISMATCH, "The certificate's OIDC issuer is %s, not %s.",
				out->cert.issuer[0] ? out->cert.issuer : "(none)", policy->issuer);
			goto done;
		}
		if (policy->source && (e = check_source(&out->cert, policy->source, d)) != CV_OK)
			goto done;
	}
	e = CV_OK;
done:
	cv_ss_bundle_free(&b);
	return e;
}
