/*
 * Reason codes, their documentation, and the small formatter behind
 * cv_fail (the WASM build has no stdio).
 */
#include <stdarg.h>
#include <string.h>

#include "cv.h"
#include "util.h"

/* Separate tables: the WASM module never calls cv_err_doc, so its strings
 * (~4 KB) are left out of it at link time. */
static const char *const cv_err_names[CV_ERR_COUNT] = {
	[CV_OK] = "OK",
	[CV_QUOTE_TRUNCATED] = "QUOTE_TRUNCATED",
	[CV_QUOTE_UNSUPPORTED_VERSION] = "QUOTE_UNSUPPORTED_VERSION",
	[CV_QUOTE_UNSUPPORTED_TEE] = "QUOTE_UNSUPPORTED_TEE",
	[CV_QUOTE_UNSUPPORTED_KEY_TYPE] = "QUOTE_UNSUPPORTED_KEY_TYPE",
	[CV_QUOTE_UNSUPPORTED_BODY_TYPE] = "QUOTE_UNSUPPORTED_BODY_TYPE",
	[CV_QUOTE_MALFORMED] = "QUOTE_MALFORMED",
	[CV_QUOTE_MISSING] = "QUOTE_MISSING",
	[CV_CERT_CHAIN_INVALID] = "CERT_CHAIN_INVALID",
	[CV_CERT_EXPIRED] = "CERT_EXPIRED",
	[CV_CERT_NOT_YET_VALID] = "CERT_NOT_YET_VALID",
	[CV_CERT_REVOKED] = "CERT_REVOKED",
	[CV_ROOT_CA_MISMATCH] = "ROOT_CA_MISMATCH",
	[CV_CRL_INVALID] = "CRL_INVALID",
	[CV_CRL_EXPIRED] = "CRL_EXPIRED",
	[CV_COLLATERAL_MISSING] = "COLLATERAL_MISSING",
	[CV_COLLATERAL_MALFORMED] = "COLLATERAL_MALFORMED",
	[CV_COLLATERAL_EXPIRED] = "COLLATERAL_EXPIRED",
	[CV_COLLATERAL_NOT_YET_VALID] = "COLLATERAL_NOT_YET_VALID",
	[CV_TCB_INFO_SIGNATURE_INVALID] = "TCB_INFO_SIGNATURE_INVALID",
	[CV_QE_IDENTITY_SIGNATURE_INVALID] = "QE_IDENTITY_SIGNATURE_INVALID",
	[CV_QE_IDENTITY_MISMATCH] = "QE_IDENTITY_MISMATCH",
	[CV_QE_REPORT_SIGNATURE_INVALID] = "QE_REPORT_SIGNATURE_INVALID",
	[CV_QE_REPORT_DATA_MISMATCH] = "QE_REPORT_DATA_MISMATCH",
	[CV_QUOTE_SIGNATURE_INVALID] = "QUOTE_SIGNATURE_INVALID",
	[CV_FMSPC_MISMATCH] = "FMSPC_MISMATCH",
	[CV_TCB_LEVEL_NOT_FOUND] = "TCB_LEVEL_NOT_FOUND",
	[CV_TDX_MODULE_MISMATCH] = "TDX_MODULE_MISMATCH",
	[CV_TCB_REVOKED] = "TCB_REVOKED",
	[CV_TCB_STATUS_NOT_ALLOWED] = "TCB_STATUS_NOT_ALLOWED",
	[CV_TCB_NOT_UP_TO_DATE] = "TCB_NOT_UP_TO_DATE",
	[CV_TD_DEBUG] = "TD_DEBUG",
	[CV_TD_ATTRIBUTES_INVALID] = "TD_ATTRIBUTES_INVALID",
	[CV_EVENT_LOG_MALFORMED] = "EVENT_LOG_MALFORMED",
	[CV_EVENT_LOG_MISSING] = "EVENT_LOG_MISSING",
	[CV_RTMR_MISMATCH] = "RTMR_MISMATCH",
	[CV_COMPOSE_HASH_MISMATCH] = "COMPOSE_HASH_MISMATCH",
	[CV_COMPOSE_MISSING] = "COMPOSE_MISSING",
	[CV_COMPOSE_MALFORMED] = "COMPOSE_MALFORMED",
	[CV_NONCE_MISMATCH] = "NONCE_MISMATCH",
	[CV_NONCE_MISSING] = "NONCE_MISSING",
	[CV_REPORT_DATA_MISMATCH] = "REPORT_DATA_MISMATCH",
	[CV_IMAGE_NOT_PINNED] = "IMAGE_NOT_PINNED",
	[CV_MEASUREMENT_MISMATCH] = "MEASUREMENT_MISMATCH",
	[CV_COMPOSE_UNBOUND] = "COMPOSE_UNBOUND",
	[CV_NONCE_SELF_ASSERTED] = "NONCE_SELF_ASSERTED",
	[CV_EVIDENCE_MALFORMED] = "EVIDENCE_MALFORMED",
	[CV_REQUEST_MALFORMED] = "REQUEST_MALFORMED",
	[CV_INPUT_TOO_LARGE] = "INPUT_TOO_LARGE",
	[CV_OUT_OF_MEMORY] = "OUT_OF_MEMORY",
	[CV_FETCH_FAILED] = "FETCH_FAILED",
	[CV_CORS_BLOCKED] = "CORS_BLOCKED",
	[CV_INTERNAL] = "INTERNAL",
	/* On-chain governance. */
	[CV_APP_CONTRACT_MISMATCH] = "APP_CONTRACT_MISMATCH",
	[CV_COMPOSE_NOT_ALLOWED_ONCHAIN] = "COMPOSE_NOT_ALLOWED_ONCHAIN",
	[CV_DEVICE_NOT_ALLOWED_ONCHAIN] = "DEVICE_NOT_ALLOWED_ONCHAIN",
	[CV_TCB_NOT_ALLOWED_ONCHAIN] = "TCB_NOT_ALLOWED_ONCHAIN",
	[CV_APP_NOT_REGISTERED] = "APP_NOT_REGISTERED",
	[CV_OS_IMAGE_NOT_ALLOWED_ONCHAIN] = "OS_IMAGE_NOT_ALLOWED_ONCHAIN",
	[CV_KMS_MISMATCH] = "KMS_MISMATCH",
	[CV_CHAIN_DISAGREEMENT] = "CHAIN_DISAGREEMENT",
	[CV_CHAIN_UNAVAILABLE] = "CHAIN_UNAVAILABLE",
	[CV_CHAIN_ID_MISMATCH] = "CHAIN_ID_MISMATCH",
	[CV_CONTRACT_MISSING] = "CONTRACT_MISSING",
	[CV_CHAIN_INFO_MISSING] = "CHAIN_INFO_MISSING",
	[CV_OS_IMAGE_MISMATCH] = "OS_IMAGE_MISMATCH",
	[CV_OS_MANIFEST_INVALID] = "OS_MANIFEST_INVALID",
	[CV_OS_IMAGE_DEV] = "OS_IMAGE_DEV",
	[CV_OS_IMAGE_UNVERIFIED] = "OS_IMAGE_UNVERIFIED",
	[CV_OS_IMAGE_UNLISTED] = "OS_IMAGE_UNLISTED",
	/* Source provenance (Sigstore bundles). */
	[CV_PROVENANCE_MISSING] = "PROVENANCE_MISSING",
	[CV_PROVENANCE_MALFORMED] = "PROVENANCE_MALFORMED",
	[CV_PROVENANCE_INVALID] = "PROVENANCE_INVALID",
	[CV_PROVENANCE_SUBJECT_MISMATCH] = "PROVENANCE_SUBJECT_MISMATCH",
	[CV_PROVENANCE_IDENTITY_MISMATCH] = "PROVENANCE_IDENTITY_MISMATCH",
	[CV_PROVENANCE_SOURCE_MISMATCH] = "PROVENANCE_SOURCE_MISMATCH",
	[CV_EVENT_LOG_STRIPPED] = "EVENT_LOG_STRIPPED",
	[CV_INSTANCE_NOT_RUNNING] = "INSTANCE_NOT_RUNNING",
	[CV_KMS_NOT_BOUND] = "KMS_NOT_BOUND",
	[CV_PROVENANCE_NOT_BUILT] = "PROVENANCE_NOT_BUILT",
	[CV_OP_NOT_BUILT] = "OP_NOT_BUILT",
};

static const char *const cv_err_docs[CV_ERR_COUNT] = {
	[CV_OK] = "The check passed.",
	[CV_QUOTE_TRUNCATED] = "The quote ends before a field its header or a length field promises.",
	[CV_QUOTE_UNSUPPORTED_VERSION] = "The quote version is not 3 (SGX), 4 or 5 (TDX), or does not fit its TEE type.",
	[CV_QUOTE_UNSUPPORTED_TEE] = "The quote's TEE type is neither SGX nor TDX, or its QE vendor is not Intel.",
	[CV_QUOTE_UNSUPPORTED_KEY_TYPE] = "The attestation key is not ECDSA P-256 (type 2).",
	[CV_QUOTE_UNSUPPORTED_BODY_TYPE] = "A v5 quote carries a body type other than 1, 2 or 3, or a body size that does not match its type.",
	[CV_QUOTE_MALFORMED] = "A length or type inside the quote's signature data is inconsistent or absurd.",
	[CV_QUOTE_MISSING] = "The evidence carries no quote, so nothing proves it comes from TEE hardware.",
	[CV_CERT_CHAIN_INVALID] = "A certificate chain does not parse, does not link, or a signature or constraint in it fails.",
	[CV_CERT_EXPIRED] = "A certificate in a chain is past its notAfter at the verification time.",
	[CV_CERT_NOT_YET_VALID] = "A certificate in a chain is before its notBefore at the verification time.",
	[CV_CERT_REVOKED] = "A certificate in a chain is listed in its issuer's CRL.",
	[CV_ROOT_CA_MISMATCH] = "A chain ends in a root that is not the pinned Intel SGX Root CA.",
	[CV_CRL_INVALID] = "A CRL does not parse, is not issued by the expected CA, or its signature fails.",
	[CV_CRL_EXPIRED] = "A CRL is past its nextUpdate at the verification time.",
	[CV_COLLATERAL_MISSING] = "Intel collateral (TCB info, QE identity, CRLs) needed for the check was not supplied.",
	[CV_COLLATERAL_MALFORMED] = "The collateral JSON, TCB info or QE identity does not have the expected form.",
	[CV_COLLATERAL_EXPIRED] = "TCB info or QE identity is past its nextUpdate at the verification time.",
	[CV_COLLATERAL_NOT_YET_VALID] = "TCB info, QE identity or a CRL is dated after the verification time.",
	[CV_TCB_INFO_SIGNATURE_INVALID] = "The TCB info signature does not verify under the TCB signing certificate.",
	[CV_QE_IDENTITY_SIGNATURE_INVALID] = "The QE identity signature does not verify under the TCB signing certificate.",
	[CV_QE_IDENTITY_MISMATCH] = "The quoting enclave's report does not match Intel's QE identity (MRSIGNER, ISVPRODID, MISCSELECT, attributes, or id).",
	[CV_QE_REPORT_SIGNATURE_INVALID] = "The QE report signature does not verify under the PCK certificate key.",
	[CV_QE_REPORT_DATA_MISMATCH] = "The QE report does not bind the attestation key: SHA-256(key || auth data) differs from its report data.",
	[CV_QUOTE_SIGNATURE_INVALID] = "The quote signature does not verify under the attestation key.",
	[CV_FMSPC_MISMATCH] = "The TCB info is for another platform: its FMSPC or PCE-ID differs from the PCK certificate's.",
	[CV_TCB_LEVEL_NOT_FOUND] = "No TCB level, QE TCB level or TDX module level matches this platform (Intel's TCB_NOT_SUPPORTED).",
	[CV_TDX_MODULE_MISMATCH] = "The TDX module's signer or attributes differ from Intel's module identity, or no identity exists for its version.",
	[CV_TCB_REVOKED] = "Intel lists this platform's TCB level as Revoked.",
	[CV_TCB_STATUS_NOT_ALLOWED] = "The platform's TCB status is not accepted by the TCB policy.",
	[CV_TCB_NOT_UP_TO_DATE] = "The platform's TCB is not UpToDate; the TCB policy accepts it with a warning (see the advisory ids).",
	[CV_TD_DEBUG] = "The TD (or SGX enclave) runs in debug mode: its memory can be read by the host.",
	[CV_TD_ATTRIBUTES_INVALID] = "TD attributes have reserved bits set, SEPT_VE_DISABLE clear, or a service TD bound.",
	[CV_EVENT_LOG_MALFORMED] = "The event log does not parse, or an entry has a malformed field.",
	[CV_EVENT_LOG_MISSING] = "No event log was supplied, so the RTMRs and the app identity cannot be checked.",
	[CV_RTMR_MISMATCH] = "Replaying the event log does not give the quoted RTMR value.",
	[CV_COMPOSE_HASH_MISMATCH] = "sha256 of the app-compose text differs from the compose-hash event (or mr_config_id).",
	[CV_COMPOSE_MISSING] = "No app-compose text or compose-hash event was supplied.",
	[CV_COMPOSE_MALFORMED] = "The app-compose JSON or its docker-compose YAML could not be read.",
	[CV_NONCE_MISMATCH] = "The quote's report_data does not start with the verifier's nonce.",
	[CV_NONCE_MISSING] = "No nonce was given, so nothing proves the quote is fresh.",
	[CV_REPORT_DATA_MISMATCH] = "The quote's report_data differs from the expected value or from the value the server claims.",
	[CV_IMAGE_NOT_PINNED] = "A service image is referenced by a mutable tag, not pinned by @sha256 digest.",
	[CV_MEASUREMENT_MISMATCH] = "A measurement (MRTD, RTMR, app id, compose hash, OS image hash) differs from the expected value.",
	[CV_COMPOSE_UNBOUND] = "The app-compose is not bound by the quote (app.compose_hash did not pass), so nothing read from it proves anything.",
	[CV_NONCE_SELF_ASSERTED] = "The only nonce is the one the evidence bundle records about itself, which proves nothing about freshness.",
	[CV_EVIDENCE_MALFORMED] = "The evidence is not one of the accepted shapes (quote, GetQuote, Info, bundle).",
	[CV_REQUEST_MALFORMED] = "The verification request (options) is not valid.",
	[CV_INPUT_TOO_LARGE] = "The input exceeds the verifier's size limits.",
	[CV_OUT_OF_MEMORY] = "The verifier ran out of memory.",
	[CV_FETCH_FAILED] = "Evidence or collateral could not be fetched over the network.",
	[CV_CORS_BLOCKED] = "The browser blocked a cross-origin request; the server sends no CORS headers.",
	[CV_INTERNAL] = "An internal error in the verifier.",
	/* On-chain governance. */
	[CV_APP_CONTRACT_MISMATCH] = "The app contract asked on chain is not the app id replayed from the event log.",
	[CV_COMPOSE_NOT_ALLOWED_ONCHAIN] = "The app contract's allowedComposeHashes does not hold the replayed compose hash.",
	[CV_DEVICE_NOT_ALLOWED_ONCHAIN] = "The app contract neither allows any device nor lists sha256(PPID) of this platform.",
	[CV_TCB_NOT_ALLOWED_ONCHAIN] = "The app contract requires an UpToDate TCB and the verified TCB status is not UpToDate.",
	[CV_APP_NOT_REGISTERED] = "The KMS contract's registeredApps does not hold the app.",
	[CV_OS_IMAGE_NOT_ALLOWED_ONCHAIN] = "The KMS contract's allowedOsImages does not hold the OS image hash.",
	[CV_KMS_MISMATCH] = "The key-provider id (the KMS root CA key) differs from the KMS contract's kmsInfo().caPubkey.",
	[CV_CHAIN_DISAGREEMENT] = "Two RPC endpoints gave different answers for the same block.",
	[CV_CHAIN_UNAVAILABLE] = "An RPC endpoint could not be reached or gave a malformed answer.",
	[CV_CHAIN_ID_MISMATCH] = "An RPC endpoint serves another chain than the one the governance contracts live on.",
	[CV_CONTRACT_MISSING] = "A governance contract address has no code, or its contract does not answer the call (reverts).",
	[CV_CHAIN_INFO_MISSING] = "On-chain governance was required but the chain, contracts, endpoints or evidence it needs are missing.",
	[CV_OS_IMAGE_MISMATCH] = "MRTD or RTMR0..2 recomputed from the authenticated OS image manifest (or pinned by the caller) differs from the quote: another OS, firmware or VM shape booted.",
	[CV_OS_MANIFEST_INVALID] = "The OS image manifest or the vm_config it is applied with cannot be used: hash chain, CBOR, QEMU version, memory size or ACPI events (the message says which).",
	[CV_OS_IMAGE_DEV] = "The verified OS image is a dstack development image (login material from unmeasured config); allow it explicitly to accept it.",
	[CV_OS_IMAGE_UNVERIFIED] = "No OS image manifest was available and MRTD/RTMR0..2 are not pinned, so the OS that measured the compose hash is unverified.",
	[CV_OS_IMAGE_UNLISTED] = "The OS image is verified (which image booted), but it is neither in the catalog nor in the caller's allow-list (not whether it is a good one).",
	/* Source provenance (Sigstore bundles). */
	[CV_PROVENANCE_MISSING] = "No Sigstore provenance bundle was supplied for an artifact that needs one.",
	[CV_PROVENANCE_MALFORMED] = "A Sigstore bundle or trusted root is not valid JSON or has an unsupported shape or version.",
	[CV_PROVENANCE_INVALID] = "A Sigstore bundle does not verify: certificate chain, transparency log proof or signature.",
	[CV_PROVENANCE_SUBJECT_MISMATCH] = "A Sigstore bundle is valid but signs a different artifact or image digest.",
	[CV_PROVENANCE_IDENTITY_MISMATCH] = "A Sigstore bundle's certificate names a different identity or OIDC issuer than expected.",
	[CV_PROVENANCE_SOURCE_MISMATCH] = "Valid provenance names a different source repository or ref than the policy expects.",
	[CV_EVENT_LOG_STRIPPED] = "The event log is stripped (RTMR3 and the ACPI events, as in RA-TLS): RTMR3 was replayed, RTMR0..2 are left to the OS-image check.",
	[CV_INSTANCE_NOT_RUNNING] = "An instance of the app is not running (no quote), so it was not verified.",
	[CV_KMS_NOT_BOUND] = "The app's key-provider id is not the CA public key of the KMS whose evidence was verified, or the KMS failed verification.",
	[CV_PROVENANCE_NOT_BUILT] = "This verifier core was built without Sigstore (the badge core): it does not check provenance.",
	[CV_OP_NOT_BUILT] = "This verifier core (the badge core) does not include this standalone op; the full core does.",
};

const char *cv_err_name(cv_err e)
{
	if ((unsigned)e >= CV_ERR_COUNT || !cv_err_names[e])
		return "INTERNAL";
	return cv_err_names[e];
}

const char *cv_err_doc(cv_err e)
{
	if ((unsigned)e >= CV_ERR_COUNT || !cv_err_docs[e])
		return "";
	return cv_err_docs[e];
}

typedef struct {
	char *out;
	size_t cap, len;
} fmt_sink;

static void sink_putc(fmt_sink *s, char c)
{
	if (s->cap && s->len + 1 < s->cap)
		s->out[s->len] = c;
	s->len++;
}

static void sink_puts(fmt_sink *s, const char *str)
{
	if (!str)
		str = "(null)";
	while (*str)
		sink_putc(s, *str++);
}

static void sink_u64(fmt_sink *s, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		sink_putc(s, tmp[--n]);
}

static void sink_i64(fmt_sink *s, int64_t v)
{
	if (v < 0) {
		sink_putc(s, '-');
		sink_u64(s, (uint64_t)0 - (uint64_t)v);
	} else {
		sink_u64(s, (uint64_t)v);
	}
}

static size_t cv_vformat(char *out, size_t cap, const char *fmt, va_list ap)
{
	static const char hexd[] = "0123456789abcdef";
	fmt_sink s = { out, cap, 0 };
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			sink_putc(&s, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 's': sink_puts(&s, va_arg(ap, const char *)); break;
		case 'd': sink_i64(&s, va_arg(ap, int)); break;
		case 'u': sink_u64(&s, va_arg(ap, unsigned)); break;
		case 'U': sink_u64(&s, va_arg(ap, uint64_t)); break;
		case 'I': sink_i64(&s, va_arg(ap, int64_t)); break;
		case 'T': {
			char t[32];
			cv_time_format(va_arg(ap, int64_t), t);
			sink_puts(&s, t);
			break;
		}
		case 'H': {
			const uint8_t *b = va_arg(ap, const uint8_t *);
			size_t n = va_arg(ap, size_t);
			for (size_t i = 0; b && i < n; i++) {
				sink_putc(&s, hexd[b[i] >> 4]);
				sink_putc(&s, hexd[b[i] & 15]);
			}
			break;
		}
		case '%': sink_putc(&s, '%'); break;
		case '\0': p--; break;
		default: sink_putc(&s, '%'); sink_putc(&s, *p); break;
		}
	}
	if (cap)
		out[s.len < cap ? s.len : cap - 1] = '\0';
	return s.len < cap ? s.len : (cap ? cap - 1 : 0);
}

void cv_vformat_into(char *out, size_t cap, const char *fmt, va_list ap)
{
	cv_vformat(out, cap, fmt, ap);
}

size_t cv_format(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = cv_vformat(out, cap, fmt, ap);
	va_end(ap);
	return n;
}

cv_err cv_fail(cv_diag *d, cv_err code, const char *fmt, ...)
{
	if (d) {
		d->code = code;
		va_list ap;
		va_start(ap, fmt);
		cv_vformat(d->msg, sizeof d->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

void cv_diag_clear(cv_diag *d)
{
	if (d) {
		d->code = CV_OK;
		d->msg[0] = '\0';
	}
}
