/*
 * The verification cache: an explicit object owned by the caller (BearSSL
 * style: no hidden global state). cv_run_json uses none; the WASM module's
 * JS loader keeps one per instance (docs/core-api.md, "The collateral cache").
 *
 * What is worth caching was measured, not guessed: on the TDX vector,
 * callgrind counts 98.6% of a native -O2 verification's instructions in
 * the 18 ECDSA P-256 verifications (each ~11 M instructions); parsing the
 * request, the collateral JSON, the certificates and the quote is ~1%.
 * So the cache keeps verified signatures and nothing else:
 *
 *  - An entry stands for one collateral bundle, keyed by the SHA-256 of
 *    every collateral field the verifier reads (decoded bytes, in a fixed,
 *    length-prefixed order) and of the trust anchor. It holds the window in
 *    which all of the bundle's own items are valid (the latest
 *    thisUpdate / issueDate / notBefore to the earliest nextUpdate /
 *    notAfter of the CRLs, TCB info, QE identity and their signing chains)
 *    and the signatures found valid while verifying with it: root CA CRL,
 *    root self-signature, TCB signing certificate, TCB info, QE identity,
 *    PCK CA certificate, PCK CRL, and (least recently used first out) for
 *    the platforms seen with it, their PCK leaf certificate and QE report
 *    signatures (the QE report certifies the attestation key, which a
 *    platform keeps across quotes: a CVM's next quote has the same one).
 *  - An entry is used only when the request's `now` lies inside its window;
 *    otherwise the verification runs from scratch (and fails with the
 *    expiry code, exactly as without a cache).
 *  - Using an entry skips only the elliptic-curve arithmetic of a signature
 *    already found valid, and the hashing of its message: a "fact" is the
 *    exact bytes of the verification (public key, message, r || s), and it
 *    answers only a byte-for-byte identical one, so a changed byte of a
 *    key, a message or a signature is a different fact and is verified.
 *    Comparing the bytes costs a memcmp; naming them by a hash would cost
 *    a SHA-256 of every message on every call (~9% of a warm verification,
 *    docs/performance.md). An entry owns copies of its facts' messages,
 *    bounded per message and per cache (CV_CACHE_MSG_MAX, _BYTES_MAX): a
 *    bigger one is simply not remembered, and verified every time.
 *    Everything else runs every time, in the same code path: parsing,
 *    names, constraints, every validity window against `now`, revocation
 *    lists, the TCB matching, the QE report binding, and the quote
 *    signature, which is new with every quote and never cached. So a cached
 *    verification cannot pass where an uncached one fails, and its report
 *    is byte-identical.
 *  - Only valid signatures are recorded; an entry is stored only after a
 *    verification whose collateral.validity check passed.
 *
 * Without a cache, one verification still checks each distinct signature
 * once (the root CA CRL, for one, backs four chain checks): the memo below
 * lives for that verification only.
 *
 * Bounded: CV_CACHE_ENTRIES bundles, least recently used replaced; a few KB.
 * Not thread-safe: one cache per thread (the WASM module is single-threaded).
 */
#ifndef CV_CACHE_H
#define CV_CACHE_H

#include "cv.h"

#define CV_CACHE_ENTRIES 4   /* collateral bundles (one per FMSPC and PCK CA, typically) */
#define CV_CACHE_FACTS 32    /* signatures per bundle: ~7 of its own, 2 per platform seen */
#define CV_MEMO_FACTS 24     /* signatures one verification remembers (it checks at most 18) */
#define CV_CACHE_MSG_MAX (64u * 1024)     /* longest signed message an entry keeps (Intel's are < 16 KB) */
#define CV_CACHE_BYTES_MAX (512u * 1024)  /* message bytes one cache keeps, over all its entries */

typedef struct cv_cache cv_cache;

/* A new, empty cache (NULL when out of memory). */
cv_cache *cv_cache_new(void);
/* Free a cache (NULL is fine). */
void cv_cache_free(cv_cache *c);

/* Counters, for tests and the benchmark. */
typedef enum {
	CV_CACHE_STAT_LOOKUPS = 0, /* verifications that asked the cache (collateral present) */
	CV_CACHE_STAT_HITS,        /* ... and found their bundle, valid at now */
	CV_CACHE_STAT_STALE,       /* ... found their bundle, but now is outside its window */
	CV_CACHE_STAT_STORES,      /* bundles stored or refreshed */
	CV_CACHE_STAT_SIG_VERIFIED,/* ECDSA verifications computed (also uncached ones, per memo) */
	CV_CACHE_STAT_SIG_REUSED,  /* ECDSA verifications answered from the cache */
	CV_CACHE_STAT_COUNT
} cv_cache_stat;
uint32_t cv_cache_get_stat(const cv_cache *c, cv_cache_stat which);

/* ---- for the DCAP pipeline (dcap.c, chain.c) ---- */

/* One signature fact, by its exact bytes: see above. */
typedef struct {
	uint8_t pub_xy[64];
	uint8_t sig[64];             /* r || s */
	const uint8_t *msg;          /* in a memo: the verification's own bytes; in an entry: an owned copy */
	size_t msg_len;
	uint64_t used;               /* LRU stamp */
} cv_cache_fact;

typedef struct {
	int used;
	uint8_t key[32];
	int64_t valid_from, valid_until;
	uint64_t stamp;              /* LRU stamp */
	size_t n;
	cv_cache_fact fact[CV_CACHE_FACTS];
} cv_cache_entry;

/*
 * One verification's signature memo. cv_sigmemo_init, then optionally
 * cv_cache_begin to attach the entry of the request's collateral. The memo
 * may be NULL wherever one is taken: every signature is then computed.
 */
typedef struct cv_sigmemo {
	cv_cache *cache;             /* where the counters go; NULL */
	cv_cache_entry *entry;       /* the attached entry (valid at now); NULL */
	uint64_t stamp;
	size_t n;
	cv_cache_fact fact[CV_MEMO_FACTS]; /* verified during this verification (messages borrowed) */
} cv_sigmemo;

void cv_sigmemo_init(cv_sigmemo *m);

/*
 * ECDSA P-256 / SHA-256 over msg with the raw x||y key, as
 * cv_ecdsa_p256_verify_raw / _der (crypto.h), answered from the memo when
 * this exact verification already succeeded. A malformed DER signature
 * fails before any lookup. Returns 1 when the signature verifies.
 */
int cv_sigmemo_verify_raw(cv_sigmemo *m, const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t sig_raw[64]);
int cv_sigmemo_verify_der(cv_sigmemo *m, const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t *sig_der, size_t sig_len);

/* Incremental key: SHA-256 over length-prefixed fields (ptr NULL: absent). */
typedef struct { uint64_t opaque[32]; } cv_cache_key_ctx;
void cv_cache_key_init(cv_cache_key_ctx *k);
void cv_cache_key_field(cv_cache_key_ctx *k, const void *ptr, size_t len);
void cv_cache_key_final(cv_cache_key_ctx *k, uint8_t key[32]);

/*
 * Attach the entry for key to m when it exists and valid_from <= now <=
 * valid_until. Returns 1 when attached (a hit). c may be NULL (returns 0).
 */
int cv_cache_begin(cv_cache *c, const uint8_t key[32], int64_t now, cv_sigmemo *m);

/*
 * After a verification whose collateral verified and is valid at now:
 * store (or refresh) the entry for key with its window and the signatures
 * the memo saw verify (the attached entry's facts are kept), copying their
 * messages: call it while the bytes the memo saw are still alive. The
 * caller guarantees valid_from <= now <= valid_until. c may be NULL.
 */
void cv_cache_commit(cv_cache *c, const uint8_t key[32], int64_t valid_from, int64_t valid_until,
	const cv_sigmemo *m);

#endif
