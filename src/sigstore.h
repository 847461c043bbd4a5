/*
 * Sigstore bundles and trusted roots (docs/provenance.md): their parsed
 * shapes, and the transparency-log (Rekor v1) checks. The public entry point
 * is sigstore_verify.h.
 *
 * Decoded bytes live in one arena per document, allocated once at parse time
 * (bounded by the document's length) and released by the matching _free.
 */
#ifndef CV_SIGSTORE_H
#define CV_SIGSTORE_H

#include "cv.h"
#include "sigstore_cert.h"
#include "sigstore_crypto.h"

#define CV_SS_MAX_TLOGS 16
#define CV_SS_MAX_CAS 16
#define CV_SS_MAX_CA_CERTS 6
#define CV_SS_MAX_PROOF_HASHES 64
#define CV_SS_TIME_OPEN INT64_MAX

/* A bump allocator over one buffer. */
typedef struct {
	uint8_t *buf;
	size_t used, cap;
} cv_ss_arena;

/* A transparency log of the trusted root. */
typedef struct {
	int usable;               /* 0: a key type this verifier does not support (e.g. Ed25519, Rekor v2) */
	cv_ss_key key;
	cv_bytes spki;
	uint8_t log_id[32];
	int64_t start, end;       /* validFor, inclusive; end CV_SS_TIME_OPEN when open */
} cv_ss_tlog;

/* A certificate authority: its chain, intermediate first, root last. */
typedef struct {
	cv_bytes certs[CV_SS_MAX_CA_CERTS];
	size_t n_certs;
	int64_t start, end;
} cv_ss_ca;

typedef struct {
	cv_ss_tlog tlogs[CV_SS_MAX_TLOGS];
	size_t n_tlogs;
	cv_ss_ca cas[CV_SS_MAX_CAS];
	size_t n_cas;
	cv_ss_tlog ctlogs[CV_SS_MAX_TLOGS]; /* certificate transparency logs (SCT keys) */
	size_t n_ctlogs;
	cv_ss_ca tsas[CV_SS_MAX_CAS];       /* RFC 3161 timestamp authorities: signing chain, leaf first */
	size_t n_tsas;
	cv_ss_arena arena;
} cv_ss_root;

/* Parse a trusted_root.json (media type
 * application/vnd.dev.sigstore.trustedroot+json;version=0.1 or its v0.2
 * form). Fails with CV_PROVENANCE_MALFORMED. Free with cv_ss_root_free. */
cv_err cv_ss_root_parse(const char *json, size_t len, cv_ss_root *r, cv_diag *d);
void cv_ss_root_free(cv_ss_root *r);

/* The one transparency log entry of a bundle (Rekor v1). */
typedef struct {
	int64_t log_index;
	uint8_t log_id[32];
	char kind[24], version[16];
	int64_t integrated_time;
	int has_set;
	cv_bytes set;               /* signedEntryTimestamp (DER ECDSA) */
	int has_proof;
	int64_t proof_index, tree_size;
	uint8_t root_hash[32];
	uint8_t (*hashes)[32];
	size_t n_hashes;
	const char *checkpoint;     /* NULL when absent; NUL-terminated, points into the arena */
	cv_bytes body;              /* canonicalizedBody, decoded */
} cv_ss_tlog_entry;

typedef enum { CV_SS_MAT_CERT, CV_SS_MAT_KEY } cv_ss_material;

typedef struct {
	int minor;                  /* bundle media type version 0.<minor> */
	cv_ss_material material;
	cv_bytes leaf;              /* the signing certificate (CV_SS_MAT_CERT) */
	int chain_has_root;         /* a v0.1/0.2 chain carried a self-signed certificate */
	cv_ss_tlog_entry tlog;
	cv_bytes tsa[4];            /* timestampVerificationData's RFC 3161 timestamps (DER) */
	size_t n_tsa;
	int is_dsse;
	/* messageSignature */
	int has_digest;
	uint8_t digest[32];
	/* dsseEnvelope */
	cv_bytes payload;
	char payload_type[64];
	/* the signature (message or the envelope's one signature) */
	cv_bytes sig;
	cv_ss_arena arena;
} cv_ss_bundle;

/* Parse a bundle (v0.1, v0.2, v0.3 media types). Shape errors fail with
 * CV_PROVENANCE_MALFORMED. Free with cv_ss_bundle_free. */
cv_err cv_ss_bundle_parse(const char *json, size_t len, cv_ss_bundle *b, cv_diag *d);
void cv_ss_bundle_free(cv_ss_bundle *b);

/* Rekor v1: the log of the entry, the SET, the inclusion proof and its
 * checkpoint, and the time range of the log key (sigstore_rekor.c).
 * Fails with CV_PROVENANCE_INVALID. */
cv_err cv_ss_rekor_verify(const cv_ss_bundle *b, const cv_ss_root *root, cv_diag *d);

/* The leaf's embedded SCTs (sigstore_sct.c): when the trusted root lists CT
 * logs, at least one SCT must verify under a listed log valid at the SCT's
 * time, over the leaf's precertificate TBS and issuer's key hash
 * (CV_PROVENANCE_INVALID). A trusted root without CT logs asks for none. */
cv_err cv_ss_sct_verify(const cv_ss_cert *leaf, const cv_ss_cert *issuer, const cv_ss_root *root, cv_diag *d);

/* The bundle's RFC 3161 timestamps (sigstore_tsa.c): each must be a
 * timestamp token over the bundle's signature, signed by a timestamp
 * authority of the trusted root whose chain and validity hold at the token's
 * time; when leaf is given, that time must lie within its validity
 * (CV_PROVENANCE_INVALID). A bundle without timestamps passes. */
cv_err cv_ss_tsa_verify(const cv_ss_bundle *b, const cv_ss_root *root, const cv_ss_cert *leaf, cv_diag *d);

/* The entry's body agrees with the bundle: kind, signature, key or
 * certificate, and the artifact digest (hashedrekord) or payload hash
 * (dsse, intoto). spki_or_cert: the DER the entry must name. */
cv_err cv_ss_rekor_body_matches(const cv_ss_bundle *b, const uint8_t artifact_sha256[32], const cv_bytes *signer_der,
	cv_diag *d);

/* Helpers shared by the sigstore modules (sigstore_bundle.c). */
void *cv_ss_alloc(cv_ss_arena *a, size_t n);
/* Base64 text into the arena; NULL when malformed or out of room. */
uint8_t *cv_ss_b64(cv_ss_arena *a, const char *s, size_t *out_len);
/* The DER inside the first PEM block with this label ("CERTIFICATE",
 * "PUBLIC KEY") of text; into out (cap). Returns bytes or (size_t)-1. */
size_t cv_ss_pem_decode(const char *text, size_t len, const char *label, uint8_t *out, size_t cap);
/* Standard padded base64 of in into out (cap >= 4*ceil(n/3)+1), NUL-terminated. */
size_t cv_ss_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* A JSON string holding a decimal int64 ("123"), as protobuf JSON writes them; -1 when not. */
int cv_ss_parse_i64(const char *s, int64_t *out);

#endif
