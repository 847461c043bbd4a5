/*
 * Intel SGX / TDX quote parser (docs/checks.md Step 3).
 * Versions 3 (SGX), 4 (TDX, TD report 1.0) and 5 (body types 1, 2, 3).
 * Every pointer points into the caller's buffer: keep it alive.
 *
 * Error codes, by what went wrong:
 *   CV_QUOTE_TRUNCATED            the buffer ends before a field the header or a
 *                                 length field promises (any prefix of a valid quote)
 *   CV_QUOTE_UNSUPPORTED_VERSION  version not 3/4/5, or not allowed for the TEE type
 *   CV_QUOTE_UNSUPPORTED_TEE      tee_type neither SGX nor TDX, or the QE vendor ID
 *                                 is not Intel's (the doc of this code says so)
 *   CV_QUOTE_UNSUPPORTED_KEY_TYPE attestation key type other than 2 (ECDSA P-256)
 *   CV_QUOTE_UNSUPPORTED_BODY_TYPE v5 body type not 1/2/3 (4 = TD 1.5 "Ex" is not
 *                                 implemented), body type not matching the TEE,
 *                                 or body_size not the size of its type
 *   CV_QUOTE_MALFORMED            a length over the 1 MiB cap, or lengths/types inside
 *                                 the signature data that do not add up exactly
 * Bytes after the signature data are ignored (raw_len excludes them).
 */
#ifndef CV_QUOTE_H
#define CV_QUOTE_H

#include "cv.h"

#define CV_TEE_SGX 0x00000000u
#define CV_TEE_TDX 0x00000081u

#define CV_BODY_SGX   1  /* SGX enclave report, 384 B */
#define CV_BODY_TD10  2  /* TD report 1.0, 584 B */
#define CV_BODY_TD15  3  /* TD report 1.5, 648 B */
#define CV_BODY_TD15EX 4 /* TD report 1.5 "Ex", 885 B: rejected (unsupported) */

#define CV_BODY_SGX_SIZE  384u
#define CV_BODY_TD10_SIZE 584u
#define CV_BODY_TD15_SIZE 648u
#define CV_BODY_TD15EX_SIZE 885u

/* Quote header field offsets (48-byte header, all versions). */
enum {
	CV_HDR_VERSION = 0, CV_HDR_KEY_TYPE = 2, CV_HDR_TEE_TYPE = 4, CV_HDR_QE_SVN = 8, CV_HDR_PCE_SVN = 10,
	CV_HDR_QE_VENDOR_ID = 12, CV_HDR_USER_DATA = 28
};

/* Field offsets inside an SGX enclave report body (384 bytes; also the QE
 * report). */
enum {
	CV_ER_CPU_SVN = 0, CV_ER_MISC_SELECT = 16, CV_ER_ATTRIBUTES = 48, CV_ER_MR_ENCLAVE = 64,
	CV_ER_MR_SIGNER = 128, CV_ER_ISV_PROD_ID = 256, CV_ER_ISV_SVN = 258, CV_ER_REPORT_DATA = 320
};

/* Field offsets inside a TD report body: TD 1.0 (584 bytes); TD 1.5 (648)
 * appends tee_tcb_svn2 and mr_servicetd. */
enum {
	CV_TD_TEE_TCB_SVN = 0, CV_TD_MR_SEAM = 16, CV_TD_MR_SIGNER_SEAM = 64, CV_TD_SEAM_ATTRIBUTES = 112,
	CV_TD_TD_ATTRIBUTES = 120, CV_TD_XFAM = 128, CV_TD_MR_TD = 136, CV_TD_MR_CONFIG_ID = 184,
	CV_TD_MR_OWNER = 232, CV_TD_MR_OWNER_CONFIG = 280, CV_TD_RTMR0 = 328, CV_TD_REPORT_DATA = 520,
	CV_TD15_TEE_TCB_SVN2 = 584, CV_TD15_MR_SERVICETD = 600
};

/* Field sizes of a TD report: every measurement register (MRTD, RTMRs,
 * mr_config_id, ...) is a SHA-384-sized 48 bytes; report_data is 64. */
#define CV_MEASUREMENT_LEN 48u
#define CV_REPORT_DATA_LEN 64u

/* Certification data types (Intel's quote format; docs/checks.md Step 6). */
#define CV_CERT_PPID_CLEAR       1
#define CV_CERT_PPID_RSA2048     2
#define CV_CERT_PPID_RSA3072     3
#define CV_CERT_PCK_LEAF         4
#define CV_CERT_PCK_CHAIN        5
#define CV_CERT_QE_REPORT        6
#define CV_CERT_PLATFORM_MANIFEST 7

/* The QE vendor ID of Intel's quoting enclaves. */
extern const uint8_t cv_intel_qe_vendor_id[16];

/* TD report fields (offsets relative to the body start). */
typedef struct {
	const uint8_t *tee_tcb_svn;     /* 16 */
	const uint8_t *mr_seam;         /* 48 */
	const uint8_t *mr_signer_seam;  /* 48 */
	const uint8_t *seam_attributes; /* 8 */
	const uint8_t *td_attributes;   /* 8 */
	const uint8_t *xfam;            /* 8 */
	const uint8_t *mr_td;           /* 48 */
	const uint8_t *mr_config_id;    /* 48 */
	const uint8_t *mr_owner;        /* 48 */
	const uint8_t *mr_owner_config; /* 48 */
	const uint8_t *rtmr[4];         /* 48 each */
	const uint8_t *report_data;     /* 64 */
	const uint8_t *tee_tcb_svn2;    /* 16, TD 1.5 only, else NULL */
	const uint8_t *mr_servicetd;    /* 48, TD 1.5 only, else NULL */
} cv_td_report;

/* SGX enclave report (the v3 body, and the QE report of every quote). */
typedef struct {
	const uint8_t *raw;             /* 384 */
	const uint8_t *cpu_svn;         /* 16 */
	uint32_t misc_select;
	const uint8_t *misc_select_raw; /* 4, as in the report (little-endian) */
	const uint8_t *attributes;      /* 16 */
	const uint8_t *mr_enclave;      /* 32 */
	const uint8_t *mr_signer;       /* 32 */
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	const uint8_t *report_data;     /* 64 */
} cv_enclave_report;

typedef struct {
	const uint8_t *raw;             /* the quote */
	size_t raw_len;                 /* bytes used (trailing bytes excluded) */
	uint16_t version;
	uint16_t key_type;
	uint32_t tee_type;
	uint16_t qe_svn, pce_svn;       /* header; meaningful for v3 */
	const uint8_t *qe_vendor_id;    /* 16 */
	const uint8_t *user_data;       /* 20 */
	uint16_t body_type;             /* CV_BODY_*; v3 -> 1, v4 -> 2 */
	uint32_t body_size;
	const uint8_t *body;
	size_t signed_len;              /* header (+ v5 descriptor) + body */
	cv_td_report td;                /* when TDX */
	cv_enclave_report sgx;          /* when body_type == 1 */

	const uint8_t *sig_data;        /* the signature data (after its u32 length) */
	uint32_t sig_data_len;
	const uint8_t *quote_sig;       /* 64, r||s */
	const uint8_t *att_key;         /* 64, x||y */
	cv_enclave_report qe_report;    /* 384 */
	const uint8_t *qe_report_sig;   /* 64 */
	const uint8_t *qe_auth;
	size_t qe_auth_len;
	uint16_t outer_cert_type;       /* v4/v5: 6; v3: same as cert_type */
	uint16_t cert_type;             /* innermost certification data type (5 normally) */
	const uint8_t *cert_data;       /* its bytes (PEM chain for type 5) */
	size_t cert_data_len;
} cv_quote;

/* Parse and apply the header gates (codes above). */
cv_err cv_quote_parse(const uint8_t *buf, size_t len, cv_quote *q, cv_diag *d);

/* 1 when the quote is a TDX quote (its body is a TD report). */
static inline int cv_quote_is_tdx(const cv_quote *q) { return q->tee_type == CV_TEE_TDX; }

/* "TDX" or "SGX". */
const char *cv_quote_tee_name(const cv_quote *q);

/* Parse a 384-byte SGX enclave report at p (no bounds to check). */
void cv_enclave_report_parse(const uint8_t *p, cv_enclave_report *r);

#endif
