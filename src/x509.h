/*
 * X.509 certificates, CRLs and PEM for the Intel SGX PKI, and chain
 * validation to the pinned Intel SGX Root CA.
 *
 * Parsed structures point into the caller's DER buffer: keep it alive.
 */
#ifndef CV_X509_H
#define CV_X509_H

#include "cv.h"

/* The pinned Intel SGX Root CA (DER, 659 bytes; SHA-256
 * 44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3). */
extern const uint8_t cv_intel_root_ca_der[];
extern const size_t cv_intel_root_ca_der_len;

/* Intel SGX extension (OID 1.2.840.113741.1.13.1) of a PCK leaf. */
typedef struct {
	int present;
	uint8_t ppid[16];
	uint8_t comp_svn[16];      /* .2.1 .. .2.16 */
	uint16_t pcesvn;           /* .2.17 */
	uint8_t cpusvn[16];        /* .2.18 */
	uint8_t pce_id[2];
	uint8_t fmspc[6];
	int sgx_type;              /* 0 standard, 1 scalable, 2 scalable+integrity */
} cv_sgx_ext;

typedef struct {
	cv_bytes der;              /* the whole certificate */
	cv_bytes tbs;              /* the signed TBSCertificate bytes */
	cv_bytes serial;           /* INTEGER content bytes, as encoded */
	cv_bytes issuer;           /* full Name TLV (raw, compared byte for byte) */
	cv_bytes subject;          /* full Name TLV */
	char issuer_cn[96];        /* commonName, NUL-terminated ("" if absent) */
	char subject_cn[96];
	int64_t not_before, not_after;
	uint8_t pub_xy[64];        /* P-256 public key x||y */
	int is_ca;                 /* basicConstraints cA */
	int path_len;              /* basicConstraints pathLenConstraint, -1 when absent */
	int has_key_usage;
	unsigned key_usage;        /* first KeyUsage byte in the low 8 bits: CV_KU_* */
	int has_ext_key_usage;     /* an extendedKeyUsage extension is present */
	cv_bytes sig;              /* DER ECDSA signature (BIT STRING content, no unused-bits byte) */
	cv_sgx_ext sgx;            /* only for PCK leaves (sgx.present = 0 otherwise) */
} cv_cert;

#define CV_KU_DIGITAL_SIGNATURE 0x80u
#define CV_KU_KEY_CERT_SIGN     0x04u
#define CV_KU_CRL_SIGN          0x02u

typedef struct {
	cv_bytes der;
	cv_bytes tbs;
	cv_bytes issuer;           /* full Name TLV */
	char issuer_cn[96];
	int64_t this_update, next_update;
	cv_bytes revoked;          /* the revokedCertificates SEQUENCE content (may be empty) */
	cv_bytes sig;              /* DER ECDSA signature */
} cv_crl;

/*
 * Parse one DER certificate / CRL (the whole buffer; trailing bytes fail).
 * Fails with CV_CERT_CHAIN_INVALID / CV_CRL_INVALID and a sentence. Only
 * X.509 v3 certificates, ecdsa-with-SHA256 (the TBS algorithm equal to the
 * outer one) and P-256 keys are accepted; an unknown critical extension, a
 * duplicated known extension, or a malformed Intel SGX extension fails.
 * CRLs (v1 or v2) must carry nextUpdate; their non-critical extensions are
 * ignored and critical ones (delta CRL, issuing distribution point, indirect
 * entries) fail, because they would change what the CRL covers.
 */
cv_err cv_cert_parse(const uint8_t *der, size_t len, cv_cert *c, cv_diag *d);
cv_err cv_crl_parse(const uint8_t *der, size_t len, cv_crl *crl, cv_diag *d);

/* 1 when serial (INTEGER content bytes) is listed in the CRL, else 0.
 * Leading 0x00 bytes are ignored on both sides. A revoked list that does not
 * parse (impossible after cv_crl_parse) counts as listed: fail closed. */
int cv_crl_lists_serial(const cv_crl *crl, const uint8_t *serial, size_t serial_len);

/*
 * Decode the PEM "CERTIFICATE" blocks of text into DER, written one after
 * another into out (cap bytes); ders[i] point into out. Returns the count in
 * *n (0 when the text holds none; text outside blocks, such as a trailing
 * NUL, is ignored). Fails (CV_CERT_CHAIN_INVALID) on a block without its END
 * line, bad base64, more than max blocks, or more DER than cap: never a
 * silently truncated chain.
 */
cv_err cv_pem_decode_certs(const char *pem, size_t pem_len, uint8_t *out, size_t cap,
	cv_bytes *ders, size_t max, size_t *n, cv_diag *d);

/* Base64 decode (RFC 4648 standard alphabet, padded, white space ignored,
 * unused bits zero). Returns bytes written or (size_t)-1 on malformed input
 * or when the result does not fit in cap. */
size_t cv_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t cap);

/*
 * Which chain is being validated: selects the Intel name checks.
 *   CV_CHAIN_PCK:        leaf CN contains "SGX PCK Certificate", issuer CA CN contains "CA"
 *   CV_CHAIN_TCB_SIGNER: leaf CN contains "SGX TCB Signing"
 */
typedef enum { CV_CHAIN_PCK, CV_CHAIN_TCB_SIGNER } cv_chain_kind;

/*
 * Validate a chain given leaf-first (as in the quote / issuer-chain headers).
 * Checks, in this order (so each failure is reported with its own code):
 *  1. every certificate parses (CV_CERT_CHAIN_INVALID); the trusted root
 *     must parse too (CV_ROOT_CA_MISMATCH otherwise);
 *  2. anchoring: the last certificate must be byte-identical to the root
 *     (trusted_root_der); a chain without the root gets it appended; a chain
 *     ending in any other self-issued certificate fails with
 *     CV_ROOT_CA_MISMATCH. The result must have Intel's shape: PCK = leaf,
 *     PCK CA, root; TCB signer = leaf, root (CV_CERT_CHAIN_INVALID);
 *  3. links: issuer Name equals the next certificate's subject Name byte for
 *     byte, every signature verifies under the issuer key (ECDSA P-256
 *     SHA-256), only the root is self-issued, and the root's self-signature
 *     verifies (CV_CERT_CHAIN_INVALID);
 *  4. constraints: leaf not a CA and has digitalSignature; intermediates and
 *     root are CAs with keyCertSign; path lengths hold; no certificate has an
 *     extended key usage; Intel CN checks: root CN contains "SGX Root CA";
 *     PCK leaf CN contains "SGX PCK Certificate", its CA's CN contains "CA",
 *     the leaf carries the SGX extension; TCB signer CN contains
 *     "SGX TCB Signing" (CV_CERT_CHAIN_INVALID);
 *  5. notBefore <= now <= notAfter for each, inclusive
 *     (CV_CERT_NOT_YET_VALID / CV_CERT_EXPIRED);
 *  6. revocation: root_crl (required, else CV_COLLATERAL_MISSING) must pass
 *     cv_crl_check against the root and must not list the root, the PCK CA,
 *     or (for the TCB signer) the leaf (CV_CERT_REVOKED). For CV_CHAIN_PCK,
 *     pck_crl (required) must be issued by the leaf's issuer (raw Name
 *     equality, issuer CN contains "CA"; CV_CRL_INVALID), pass cv_crl_check
 *     against the PCK CA, and not list the leaf (CV_CERT_REVOKED).
 *     pck_crl is ignored for CV_CHAIN_TCB_SIGNER (may be NULL).
 * chain[0] is the leaf. certs_out (n entries, may be NULL) receives the
 * parsed certificates of chain[] on success, leaf first (an appended root is
 * not included), so callers can read the leaf's key and SGX extension; they
 * point into chain[]'s buffers.
 */
cv_err cv_chain_verify(cv_chain_kind kind, const cv_bytes *chain, size_t n,
	const uint8_t *trusted_root_der, size_t trusted_root_len,
	const cv_crl *root_crl, const cv_crl *pck_crl, int64_t now,
	cv_cert *certs_out, cv_diag *d);

/*
 * A CRL is valid when: its issuer Name equals issuer->subject byte for byte,
 * the issuer has the cRLSign key usage, its signature verifies under the
 * issuer's key, and this_update <= now <= next_update, inclusive (Intel)
 * (CV_CRL_EXPIRED after nextUpdate, CV_COLLATERAL_NOT_YET_VALID before
 * thisUpdate; CV_CRL_INVALID otherwise). It does not look at the revoked
 * list. what names it in messages ("root CA CRL", "PCK CRL").
 */
cv_err cv_crl_check(const cv_crl *crl, const cv_cert *issuer, int64_t now, const char *what,
	cv_diag *d);

/*
 * The same two with a signature memo (cache.h; NULL: none), so that a
 * verification checks each distinct signature once and a cache can answer
 * the ones it has already seen verify. Results are identical.
 */
typedef struct cv_sigmemo cv_sigmemo;
cv_err cv_chain_verify_memo(cv_chain_kind kind, const cv_bytes *chain, size_t n,
	const uint8_t *trusted_root_der, size_t trusted_root_len,
	const cv_crl *root_crl, const cv_crl *pck_crl, int64_t now, cv_sigmemo *m,
	cv_cert *certs_out, cv_diag *d);
cv_err cv_crl_check_memo(const cv_crl *crl, const cv_cert *issuer, int64_t now, const char *what,
	cv_sigmemo *m, cv_diag *d);

#endif
