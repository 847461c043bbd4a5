/*
 * cvm-verify core: shared definitions.
 *
 * Every fallible function returns a cv_err and, when it fails, fills a
 * caller-provided cv_diag with the reason code and one human sentence.
 * No function keeps hidden global state; inputs are const with explicit
 * lengths.
 */
#ifndef CV_H
#define CV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Reason codes. The names (cv_err_name) are the public contract of
 * docs/reason-codes.md; values are internal and may be reordered. */
typedef enum {
	CV_OK = 0,
	CV_QUOTE_TRUNCATED,
	CV_QUOTE_UNSUPPORTED_VERSION,
	CV_QUOTE_UNSUPPORTED_TEE,
	CV_QUOTE_UNSUPPORTED_KEY_TYPE,
	CV_QUOTE_UNSUPPORTED_BODY_TYPE,
	CV_QUOTE_MALFORMED,
	CV_QUOTE_MISSING,
	CV_CERT_CHAIN_INVALID,
	CV_CERT_EXPIRED,
	CV_CERT_NOT_YET_VALID,
	CV_CERT_REVOKED,
	CV_ROOT_CA_MISMATCH,
	CV_CRL_INVALID,
	CV_CRL_EXPIRED,
	CV_COLLATERAL_MISSING,
	CV_COLLATERAL_MALFORMED,
	CV_COLLATERAL_EXPIRED,
	CV_COLLATERAL_NOT_YET_VALID,
	CV_TCB_INFO_SIGNATURE_INVALID,
	CV_QE_IDENTITY_SIGNATURE_INVALID,
	CV_QE_IDENTITY_MISMATCH,
	CV_QE_REPORT_SIGNATURE_INVALID,
	CV_QE_REPORT_DATA_MISMATCH,
	CV_QUOTE_SIGNATURE_INVALID,
	CV_FMSPC_MISMATCH,
	CV_TCB_LEVEL_NOT_FOUND,
	CV_TDX_MODULE_MISMATCH,
	CV_TCB_REVOKED,
	CV_TCB_STATUS_NOT_ALLOWED,
	CV_TCB_NOT_UP_TO_DATE,
	CV_TD_DEBUG,
	CV_TD_ATTRIBUTES_INVALID,
	CV_EVENT_LOG_MALFORMED,
	CV_EVENT_LOG_MISSING,
	CV_RTMR_MISMATCH,
	CV_COMPOSE_HASH_MISMATCH,
	CV_COMPOSE_MISSING,
	CV_COMPOSE_MALFORMED,
	CV_NONCE_MISMATCH,
	CV_NONCE_MISSING,
	CV_REPORT_DATA_MISMATCH,
	CV_IMAGE_NOT_PINNED,
	CV_MEASUREMENT_MISMATCH,
	/* issue 13: evidence a check reads was not proven, or proves nothing. */
	CV_COMPOSE_UNBOUND,
	CV_NONCE_SELF_ASSERTED,
	CV_EVIDENCE_MALFORMED,
	CV_REQUEST_MALFORMED,
	CV_INPUT_TOO_LARGE,
	CV_OUT_OF_MEMORY,
	CV_FETCH_FAILED,
	CV_CORS_BLOCKED,
	CV_INTERNAL,
	/* On-chain governance (governance.h, docs/governance.md). */
	CV_APP_CONTRACT_MISMATCH,
	CV_COMPOSE_NOT_ALLOWED_ONCHAIN,
	CV_DEVICE_NOT_ALLOWED_ONCHAIN,
	CV_TCB_NOT_ALLOWED_ONCHAIN,
	CV_APP_NOT_REGISTERED,
	CV_OS_IMAGE_NOT_ALLOWED_ONCHAIN,
	CV_KMS_MISMATCH,
	CV_CHAIN_DISAGREEMENT,
	CV_CHAIN_UNAVAILABLE,
	CV_CHAIN_ID_MISMATCH,
	CV_CONTRACT_MISSING,
	CV_CHAIN_INFO_MISSING,
	/* end of on-chain governance */
	/* OS image verification (src/os_image.h, issue 14) */
	CV_OS_IMAGE_MISMATCH,
	CV_OS_MANIFEST_INVALID,
	CV_OS_IMAGE_DEV,
	CV_OS_IMAGE_UNVERIFIED,
	CV_OS_IMAGE_UNLISTED,
	/* Source provenance (Sigstore bundles, src/sigstore_verify.h). */
	CV_PROVENANCE_MISSING,
	CV_PROVENANCE_MALFORMED,
	CV_PROVENANCE_INVALID,
	CV_PROVENANCE_SUBJECT_MISMATCH,
	CV_PROVENANCE_IDENTITY_MISMATCH,
	CV_PROVENANCE_SOURCE_MISMATCH,
	/* dstack attestations, Phala Cloud apps, the KMS behind an app (issue 16, docs/phala.md). */
	CV_EVENT_LOG_STRIPPED,
	CV_INSTANCE_NOT_RUNNING,
	CV_KMS_NOT_BOUND,
	CV_PROVENANCE_NOT_BUILT, /* the badge core: Sigstore compiled out (src/badge/sigstore_stub.c) */
	CV_OP_NOT_BUILT, /* the badge core: a standalone op left out (src/badge/ops_stub.c) */
	CV_ERR_COUNT
} cv_err;

/* "QUOTE_TRUNCATED" for CV_QUOTE_TRUNCATED, "OK" for CV_OK. */
const char *cv_err_name(cv_err e);
/* One-line explanation of a code, for documentation and fallback messages. */
const char *cv_err_doc(cv_err e);

/* Limits that bound memory and time on hostile input. */
#define CV_MAX_INPUT_LEN      (4u << 20) /* whole JSON request */
#define CV_MAX_JSON_VALUES    (256u << 10) /* values in a request: bounds the parser's memory */
#define CV_MAX_QUOTE_LEN      (1u << 20) /* quote bytes, and any length field */
#define CV_MAX_DER_DEPTH      10
#define CV_MAX_CHAIN_CERTS    4
#define CV_MAX_EVENTS         4096
#define CV_MAX_TCB_LEVELS     256

/* A failure: the reason code and one sentence. */
#define CV_DIAG_MSG_MAX 320
typedef struct {
	cv_err code;
	char msg[CV_DIAG_MSG_MAX];
} cv_diag;

/*
 * Record a failure and return its code, so callers can write
 *   return cv_fail(d, CV_CRL_EXPIRED, "PCK CRL expired at %T", next);
 * The format is a small printf subset (no stdio in the WASM build):
 *   %s  const char *         %d  int            %u  unsigned
 *   %U  uint64_t             %I  int64_t        %T  int64_t unix time as ISO-8601
 *   %H  const uint8_t *, size_t  -> lower-case hex
 *   %%  a percent sign
 * Output longer than the buffer is truncated. d may be NULL.
 */
cv_err cv_fail(cv_diag *d, cv_err code, const char *fmt, ...);
void cv_diag_clear(cv_diag *d);

/* Formatting helper used by cv_fail and the report writer; returns the
 * length written (excluding the NUL), always NUL-terminates when cap > 0. */
size_t cv_format(char *out, size_t cap, const char *fmt, ...);
void cv_vformat_into(char *out, size_t cap, const char *fmt, va_list ap);

/* A read-only byte range. */
typedef struct {
	const uint8_t *ptr;
	size_t len;
} cv_bytes;

#endif
