/*
 * A bounded, pull-style MessagePack reader for dstack's V1 versioned
 * attestation (shared/spec/dstack.md section 1.6).
 *
 * The caller walks the document with the schema it knows: cv_mp_next reads
 * one value's header (for a string or binary also its bytes; for an array or
 * map only its count, the elements follow). Every read checks the bytes left
 * first; an array or map count larger than the bytes left (each element
 * takes at least one byte) is rejected before anyone loops over it, so a
 * hostile count cannot cost time or memory. Extension types and the reserved
 * byte 0xc1 are rejected: dstack never writes them. Nesting is bounded by the
 * caller's schema (no recursion here). Failures are CV_EVIDENCE_MALFORMED
 * with a sentence naming the field. Nothing here allocates.
 */
#ifndef CV_MSGPACK_H
#define CV_MSGPACK_H

#include "cv.h"

typedef enum {
	CV_MP_NIL,
	CV_MP_BOOL,
	CV_MP_UINT,   /* non-negative integer: u */
	CV_MP_INT,    /* negative integer: i */
	CV_MP_FLOAT,  /* float 32/64 (value not decoded) */
	CV_MP_STR,    /* bytes: the UTF-8 text (checked well-formed) */
	CV_MP_BIN,    /* bytes */
	CV_MP_ARRAY,  /* n elements follow */
	CV_MP_MAP     /* n key/value pairs follow */
} cv_mp_type;

typedef struct {
	cv_mp_type type;
	uint64_t u;       /* CV_MP_UINT, CV_MP_BOOL (0/1) */
	int64_t i;        /* CV_MP_INT */
	cv_bytes bytes;   /* CV_MP_STR, CV_MP_BIN: points into the buffer */
	uint32_t n;       /* CV_MP_ARRAY, CV_MP_MAP */
} cv_mp_val;

typedef struct {
	const uint8_t *p, *end;
	const char *what;   /* the document, for sentences */
	cv_diag *d;         /* may be NULL */
} cv_mp_cur;

void cv_mp_init(cv_mp_cur *c, const uint8_t *buf, size_t len, const char *what, cv_diag *d);

/* Read the next value's header (see above). */
cv_err cv_mp_next(cv_mp_cur *c, cv_mp_val *v, const char *field);

/* Read the next value, which must have this type. */
cv_err cv_mp_expect(cv_mp_cur *c, cv_mp_type type, cv_mp_val *v, const char *field);

/* A non-negative integer no larger than max. */
cv_err cv_mp_uint(cv_mp_cur *c, uint64_t max, uint64_t *out, const char *field);

/* A string of at most max bytes. */
cv_err cv_mp_str(cv_mp_cur *c, size_t max, cv_bytes *out, const char *field);

/*
 * A byte string of at most max bytes, in either encoding serde produces:
 * binary (serde_bytes-style fields) or an array of integers 0..255 (a plain
 * Vec<u8>). Copied into out (cap bytes); *len receives the length.
 */
cv_err cv_mp_byte_string(cv_mp_cur *c, uint8_t *out, size_t cap, size_t *len, const char *field);

/* The byte-string's length without copying: for sizing out. Does not advance. */
cv_err cv_mp_byte_string_len(const cv_mp_cur *c, size_t max, size_t *len, const char *field);

/* Skip one whole value (an array or map with everything in it), without
 * recursion: the pending-value count is bounded by the bytes left. */
cv_err cv_mp_skip(cv_mp_cur *c, const char *field);

/* Fail when bytes are left after the document. */
cv_err cv_mp_expect_end(const cv_mp_cur *c);

/* 1 when s equals the NUL-terminated key. */
int cv_mp_key_is(const cv_bytes *s, const char *key);

#endif
