/*
 * X.509 certificates of the Sigstore PKI (Fulcio CA and leaf certificates),
 * and the facts a Fulcio leaf proves (docs/provenance.md). Separate from
 * x509.h, which is shaped for Intel's P-256-only PKI: Fulcio's CA keys are
 * P-384 and sign with ecdsa-with-SHA384.
 *
 * Parsed structures point into the caller's DER buffer: keep it alive.
 */
#ifndef CV_SIGSTORE_CERT_H
#define CV_SIGSTORE_CERT_H

#include "cv.h"
#include "sigstore_crypto.h"

#define CV_SS_STR_MAX 512

/* The Fulcio extensions (OID 1.3.6.1.4.1.57264.1.N) a GitHub Actions
 * certificate carries, NUL-terminated ("" when absent). */
typedef struct {
	char issuer[CV_SS_STR_MAX];              /* .8 (or the deprecated .1): OIDC issuer */
	char build_signer_uri[CV_SS_STR_MAX];    /* .9: the workflow file at its ref */
	char build_signer_digest[CV_SS_STR_MAX]; /* .10 */
	char runner_environment[CV_SS_STR_MAX];  /* .11: github-hosted / self-hosted */
	char source_repo_uri[CV_SS_STR_MAX];     /* .12 */
	char source_repo_digest[CV_SS_STR_MAX];  /* .13: the commit */
	char source_repo_ref[CV_SS_STR_MAX];     /* .14 */
	char build_config_uri[CV_SS_STR_MAX];    /* .18: the top-level workflow */
	char build_trigger[CV_SS_STR_MAX];       /* .20 */
	char run_invocation_uri[CV_SS_STR_MAX];  /* .21 */
} cv_ss_fulcio;

typedef struct {
	cv_bytes der, tbs, issuer, subject, spki, sig;
	cv_ss_hash sig_hash;       /* the issuer's signature algorithm */
	int64_t not_before, not_after;
	cv_ss_key key;
	int is_ca;
	int path_len;              /* -1 when absent */
	int has_key_usage;
	unsigned key_usage;        /* first KeyUsage byte: 0x80 digitalSignature, 0x04 keyCertSign */
	int has_eku, eku_code_signing, eku_time_stamping;
	char san[CV_SS_STR_MAX];   /* first URI or e-mail SubjectAltName, "" when none */
	/* For the SCT check (sigstore_sct.c): the TBS content, the [3] extensions
	 * element and its SEQUENCE content, the SCT list extension's whole TLV and
	 * its TLS-encoded list (all empty when absent). */
	cv_bytes tbs_val, exts_tlv, exts_val, sct_ext, sct_list;
	cv_ss_fulcio fulcio;
} cv_ss_cert;

/*
 * Parse one DER certificate (the whole buffer). X.509 v3, ecdsa-with-SHA256
 * or -SHA384 signatures, P-256/P-384 keys. Unknown critical extensions, a
 * Fulcio string extension that is malformed or longer than CV_SS_STR_MAX,
 * fail (CV_PROVENANCE_MALFORMED).
 */
cv_err cv_ss_cert_parse(const uint8_t *der, size_t len, cv_ss_cert *c, cv_diag *d);

/* 1 when c is self-issued and its signature verifies under its own key. */
int cv_ss_cert_self_signed(const cv_ss_cert *c);

/* 1 when child's signature verifies under parent's key and child's issuer
 * Name equals parent's subject Name byte for byte. */
int cv_ss_cert_signed_by(const cv_ss_cert *child, const cv_ss_cert *parent);

#endif
