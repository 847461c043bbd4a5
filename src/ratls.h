/*
 * dstack RA-TLS certificates (shared/spec/dstack.md section 1.6): the
 * versioned attestation a dstack CVM embeds in its TLS certificate, and the
 * report_data that binds the quote to that certificate's key.
 *
 * The attestation is the extension 1.3.6.1.4.1.62397.1.8, whose extnValue
 * holds a DER OCTET STRING with the attestation bytes (V0 or V1, decoded by
 * attestation.h; dstack strips its event log to RTMR3 plus the three ACPI
 * DATA events). The quote's report_data must be
 *   SHA-512("ratls-cert:" || SubjectPublicKeyInfo DER)
 * of the same certificate; this module computes that value and leaves the
 * comparison with the verified quote to the caller, which owns the check.
 *
 * Only the structure needed to find the SPKI and the extensions is read
 * (with the bounded DER reader, der.h): the certificate's signature is not
 * checked here, because its trust comes from the quote that names its key,
 * not from its issuer.
 */
#ifndef CV_RATLS_H
#define CV_RATLS_H

#include "attestation.h"
#include "cv.h"

typedef struct {
	uint8_t *der;                       /* the certificate (owned copy) */
	size_t der_len;
	cv_bytes spki;                      /* SubjectPublicKeyInfo TLV, inside der */
	uint8_t expected_report_data[64];   /* SHA-512("ratls-cert:" || spki) */
	cv_attestation att;                 /* the decoded attestation extension */
} cv_ratls;

/*
 * Read a certificate given as PEM text (the first CERTIFICATE block: the
 * leaf) or DER bytes, decode its attestation extension and compute the
 * expected report_data. Codes: CV_EVIDENCE_MALFORMED (not a certificate, no
 * or repeated attestation extension), CV_CERT_CHAIN_INVALID (DER structure
 * errors), the codes of cv_attestation_decode, CV_INPUT_TOO_LARGE,
 * CV_OUT_OF_MEMORY. On failure *out is empty. Always call cv_ratls_free.
 */
cv_err cv_ratls_parse(const uint8_t *in, size_t len, cv_ratls *out, cv_diag *d);
void cv_ratls_free(cv_ratls *r);

/* SHA-512(tag || ":" || content): dstack's report_data for a content type
 * ("ratls-cert", "app-data", "kms-root-ca"). */
void cv_ratls_report_data(const char *tag, const uint8_t *content, size_t len, uint8_t out[64]);

#endif
