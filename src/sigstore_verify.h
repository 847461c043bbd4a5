/*
 * Verify one Sigstore bundle (docs/provenance.md): the public C entry point
 * of source provenance.
 *
 * Checks, in order, each failure with its own code:
 *   bundle and trusted root shapes (CV_PROVENANCE_MALFORMED);
 *   Rekor v1: the log is in the trusted root, integrated time within the log
 *   key's validity, the signed entry timestamp, the inclusion proof and its
 *   signed checkpoint (CV_PROVENANCE_INVALID);
 *   the signer: the Fulcio leaf chains to a certificate authority of the
 *   trusted root valid at the integrated time, every certificate valid then,
 *   the leaf a code-signing end entity; or, for key-signed bundles, the
 *   caller's key (CV_PROVENANCE_INVALID);
 *   the log entry body names this signature, signer and artifact or payload
 *   (CV_PROVENANCE_INVALID);
 *   the signature: over the artifact digest, or DSSE PAE over the payload
 *   (CV_PROVENANCE_INVALID);
 *   the artifact: message digest, or an in-toto statement subject, equals
 *   the artifact's SHA-256 (CV_PROVENANCE_SUBJECT_MISMATCH);
 *   the identity policy: SAN and OIDC issuer (CV_PROVENANCE_IDENTITY_MISMATCH),
 *   expected source repository and ref (CV_PROVENANCE_SOURCE_MISMATCH).
 */
#ifndef CV_SIGSTORE_VERIFY_H
#define CV_SIGSTORE_VERIFY_H

#include "cv.h"
#include "sigstore.h"

/* What was signed: the artifact's bytes, or its SHA-256 (exactly one). */
typedef struct {
	const uint8_t *bytes;
	size_t len;
	const uint8_t *sha256; /* 32 bytes, or NULL */
} cv_sigstore_artifact;

/* Expectations; NULL fields are not checked. */
typedef struct {
	const char *identity;  /* the certificate's SubjectAltName, exactly */
	const char *issuer;    /* the OIDC issuer, exactly */
	const char *source;    /* "owner/repo" or "owner/repo@ref": GitHub source repository (and ref) */
	const cv_ss_key *key;  /* for key-signed bundles (conformance "managed key" cases) */
} cv_sigstore_policy;

typedef struct {
	int is_dsse;
	char predicate_type[CV_SS_STR_MAX]; /* of the in-toto statement; "" otherwise */
	int64_t log_index, integrated_time;
	uint8_t artifact_sha256[32];
	int signed_by_key;                  /* 1: a caller key, no certificate facts */
	char san[CV_SS_STR_MAX];
	cv_ss_fulcio cert;                  /* the facts the Fulcio certificate proves */
} cv_sigstore_result;

/*
 * bundle_json: the bundle text; root: a parsed trusted root; now: the
 * verifier's clock (an integrated time after it fails). out is filled as far
 * as verification got (facts are meaningful only on CV_OK).
 */
cv_err cv_sigstore_verify(const char *bundle_json, size_t bundle_len, const cv_ss_root *root,
	const cv_sigstore_artifact *artifact, const cv_sigstore_policy *policy, int64_t now, cv_sigstore_result *out,
	cv_diag *d);

/*
 * The core's JSON op "verify_bundle" (docs/provenance.md):
 *   {"op":"verify_bundle","bundle":"<text>","trusted_root":"<text>",
 *    "artifact_base64":"..." | "artifact_digest":"sha256:<hex>",
 *    "identity":"...","issuer":"...","source":"owner/repo[@ref]",
 *    "key_pem":"-----BEGIN PUBLIC KEY-----...","now":<unix seconds>}
 * Answers {"ok":true,"provenance":{...facts...}} or
 * {"ok":false,"error":{"code":...,"message":...}}. Returns the code.
 */
struct cJSON;
cv_err cv_sigstore_run_json(const struct cJSON *req, char **out, size_t *out_len);

#endif
