/*
 * A bounded reader for SCALE (the Parity codec dstack uses for its V0
 * versioned attestation, shared/spec/dstack.md section 1.6).
 *
 * SCALE has no field names or tags: the reader is driven by the schema the
 * caller knows. Integers are little-endian; Vec<T>, String and Vec<u8> are a
 * compact length followed by the elements. Every read checks the bytes left
 * before touching them; compact integers must use their shortest form (the
 * reference codec rejects the others too), so one value has one encoding.
 * Failures are CV_EVIDENCE_MALFORMED with a sentence naming the field.
 * Nothing here allocates: byte strings point into the caller's buffer.
 */
#ifndef CV_SCALE_H
#define CV_SCALE_H

#include "cv.h"

typedef struct {
	const uint8_t *p, *end;
	const char *what;   /* the document, for sentences: "V0 attestation" */
	cv_diag *d;         /* may be NULL */
} cv_scale_cur;

void cv_scale_init(cv_scale_cur *c, const uint8_t *buf, size_t len, const char *what, cv_diag *d);

/* Bytes not read yet. */
size_t cv_scale_left(const cv_scale_cur *c);

cv_err cv_scale_u8(cv_scale_cur *c, uint8_t *out, const char *field);
cv_err cv_scale_u32(cv_scale_cur *c, uint32_t *out, const char *field);

/* A compact integer no larger than max (a length or count bound). */
cv_err cv_scale_compact(cv_scale_cur *c, uint64_t max, uint64_t *out, const char *field);

/* n raw bytes (a fixed array such as [u8; 64]). */
cv_err cv_scale_fixed(cv_scale_cur *c, size_t n, cv_bytes *out, const char *field);

/* Vec<u8>: a compact length (at most max) and the bytes. */
cv_err cv_scale_bytes(cv_scale_cur *c, size_t max, cv_bytes *out, const char *field);

/* String: as Vec<u8>, and the bytes must be well-formed UTF-8. */
cv_err cv_scale_str(cv_scale_cur *c, size_t max, cv_bytes *out, const char *field);

/* Fail when bytes are left after the last field. */
cv_err cv_scale_expect_end(const cv_scale_cur *c);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF). Shared with the msgpack reader. */
int cv_utf8_valid(const uint8_t *s, size_t n);

#endif
