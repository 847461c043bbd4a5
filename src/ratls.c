/*
 * RA-TLS certificate reader (see ratls.h). The extension layout (OID arc
 * 1.3.6.1.4.1.62397.1.8, the attestation wrapped in a DER OCTET STRING
 * inside extnValue) is a fact from dstack's ra-tls crate.
 */
#include <stdlib.h>
#include <string.h>

#include "bearssl_hash.h"
#include "der.h"
#include "ratls.h"
#include "x509.h"

/* 1.3.6.1.4.1.62397.1.8: 62397 is 0x83 0xE7 0x3D in base 128. */
static const uint8_t k_oid_attestation[] = { 0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0xE7, 0x3D, 0x01, 0x08 };

void cv_ratls_report_data(const char *tag, const uint8_t *content, size_t len, uint8_t out[64])
{
	br_sha512_context c;
	br_sha512_init(&c);
	br_sha512_update(&c, tag, strlen(tag));
	br_sha512_update(&c, ":", 1);
	br_sha512_update(&c, content, len);
	br_sha512_out(&c, out);
}

void cv_ratls_free(cv_ratls *r)
{
	if (!r)
		return;
	free(r->der);
	cv_attestation_free(&r->att);
	memset(r, 0, sizeof *r);
}

/* The certificate's DER from PEM text or DER bytes, into a new buffer. */
static cv_err load_der(const uint8_t *in, size_t len, cv_ratls *r, cv_diag *d)
{
	if (len > CV_MAX_INPUT_LEN)
		return cv_fail(d, CV_INPUT_TOO_LARGE, "the certificate is %U bytes, above the limit of %U",
			(uint64_t)len, (uint64_t)CV_MAX_INPUT_LEN);
	if (len == 0)
		return cv_fail(d, CV_EVIDENCE_MALFORMED, "the certificate is empty");
	r->der = malloc(len);
	if (!r->der)
		return cv_fail(d, CV_OUT_OF_MEMORY, "out of memory while reading the certificate");
	if (in[0] == 0x30) {
		memcpy(r->der, in, len);
		r->der_len = len;
		return CV_OK;
	}
	cv_bytes ders[CV_MAX_CHAIN_CERTS];
	size_t n = 0;
	cv_err err = cv_pem_decode_certs((const char *)in, len, r->der, len, ders, CV_MAX_CHAIN_CERTS, &n, d);
	if (err)
		return err;
	if (n == 0)
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"the input is neither a DER certificate nor PEM with a CERTIFICATE block");
	/* The first block is the leaf (ders[0] starts at r->der). */
	r->der_len = ders[0].len;
	return CV_OK;
}

/* Walk the extensions for the attestation one; *found receives its bytes. */
static cv_err find_attestation(cv_der_cur *exts, cv_bytes *found, cv_diag *d)
{
	int have = 0;
	while (!cv_der_at_end(exts)) {
		cv_der_cur ext;
		cv_der el, oid, val;
		cv_err err;
		if ((err = cv_der_expect_enter(exts, CV_DER_SEQUENCE, &ext, &el, "extension")) ||
			(err = cv_der_expect(&ext, CV_DER_OID, &oid, "extension id")))
			return err;
		if (cv_der_peek(&ext) == CV_DER_BOOLEAN) {
			cv_der crit;
			if ((err = cv_der_next(&ext, &crit, "extension critical flag")))
				return err;
		}
		if ((err = cv_der_expect(&ext, CV_DER_OCTET_STRING, &val, "extension value")) ||
			(err = cv_der_expect_end(&ext, "extension")))
			return err;
		if (!cv_der_oid_eq(&oid, k_oid_attestation, sizeof k_oid_attestation))
			continue;
		if (have)
			return cv_fail(d, CV_EVIDENCE_MALFORMED,
				"the certificate carries the dstack attestation extension twice");
		have = 1;
		cv_der_cur inner;
		cv_der bytes;
		cv_der_init(&inner, val.val.ptr, val.val.len, CV_EVIDENCE_MALFORMED, "attestation extension", d);
		if ((err = cv_der_expect(&inner, CV_DER_OCTET_STRING, &bytes, "OCTET STRING")) ||
			(err = cv_der_expect_end(&inner, "value")))
			return err;
		*found = bytes.val;
	}
	if (!have)
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"the certificate has no dstack attestation extension (1.3.6.1.4.1.62397.1.8)");
	return CV_OK;
}

static cv_err parse_cert(cv_ratls *r, cv_bytes *att, cv_diag *d)
{
	cv_der_cur doc, cert, tbs, extw, exts;
	cv_der el, spki;
	cv_err err;
	cv_der_init(&doc, r->der, r->der_len, CV_CERT_CHAIN_INVALID, "RA-TLS certificate", d);
	if ((err = cv_der_expect_enter(&doc, CV_DER_SEQUENCE, &cert, &el, "Certificate")) ||
		(err = cv_der_expect_end(&doc, "Certificate")) ||
		(err = cv_der_expect_enter(&cert, CV_DER_SEQUENCE, &tbs, &el, "TBSCertificate")))
		return err;
	/* version [0], serial, signature algorithm, issuer, validity, subject. */
	int present;
	if ((err = cv_der_optional(&tbs, CV_DER_CTX(0), &el, &present, "version")) ||
		(err = cv_der_expect(&tbs, CV_DER_INTEGER, &el, "serial number")) ||
		(err = cv_der_expect(&tbs, CV_DER_SEQUENCE, &el, "signature algorithm")) ||
		(err = cv_der_expect(&tbs, CV_DER_SEQUENCE, &el, "issuer")) ||
		(err = cv_der_expect(&tbs, CV_DER_SEQUENCE, &el, "validity")) ||
		(err = cv_der_expect(&tbs, CV_DER_SEQUENCE, &el, "subject")) ||
		(err = cv_der_expect(&tbs, CV_DER_SEQUENCE, &spki, "subject public key info")))
		return err;
	r->spki = spki.tlv;
	/* issuerUniqueID [1] and subjectUniqueID [2] (IMPLICIT) may precede the extensions. */
	if ((err = cv_der_optional(&tbs, CV_DER_CTX_PRIM(1), &el, &present, "issuer unique id")) ||
		(err = cv_der_optional(&tbs, CV_DER_CTX_PRIM(2), &el, &present, "subject unique id")) ||
		(err = cv_der_optional(&tbs, CV_DER_CTX(3), &el, &present, "extensions")))
		return err;
	if (!present)
		return cv_fail(d, CV_EVIDENCE_MALFORMED,
			"the certificate has no extensions, so no dstack attestation extension");
	if ((err = cv_der_enter(&tbs, &el, &extw, "extensions")) ||
		(err = cv_der_expect_enter(&extw, CV_DER_SEQUENCE, &exts, &el, "extension list")) ||
		(err = cv_der_expect_end(&extw, "extensions")) || (err = cv_der_expect_end(&tbs, "TBSCertificate")))
		return err;
	if ((err = find_attestation(&exts, att, d)))
		return err;
	/* signatureAlgorithm and signatureValue must follow, and nothing else. */
	if ((err = cv_der_expect(&cert, CV_DER_SEQUENCE, &el, "signature algorithm")) ||
		(err = cv_der_expect(&cert, CV_DER_BIT_STRING, &el, "signature")) ||
		(err = cv_der_expect_end(&cert, "Certificate")))
		return err;
	return CV_OK;
}

cv_err cv_ratls_parse(const uint8_t *in, size_t len, cv_ratls *out, cv_diag *d)
{
	memset(out, 0, sizeof *out);
	cv_bytes att = { NULL, 0 };
	cv_err err = load_der(in, len, out, d);
	if (!err)
		err = parse_cert(out, &att, d);
	if (!err)
		err = cv_attestation_decode(att.ptr, att.len, &out->att, d);
	if (err) {
		cv_ratls_free(out);
		return err;
	}
	cv_ratls_report_data("ratls-cert", out->spki.ptr, out->spki.len, out->expected_report_data);
	return CV_OK;
}
