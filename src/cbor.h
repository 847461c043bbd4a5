/*
 * A small, bounded, strict CBOR (RFC 8949) reader: only what the dstack OS
 * image manifest (measurement.tdx.cbor, docs in src/os_manifest.h) needs.
 *
 * Strict on purpose: the manifest bytes are bound by hash to os_image_hash,
 * and its producer writes definite lengths, text keys and no tags, so
 * anything else is rejected rather than interpreted:
 *   - indefinite lengths (additional info 31) and reserved heads (28..30)
 *     are rejected;
 *   - tags (major type 6) are rejected;
 *   - a length that runs past the buffer is rejected before any read;
 *   - skipping nests at most CV_CBOR_MAX_DEPTH deep.
 * Non-shortest heads are accepted (they change nothing the reader returns).
 * Every function returns 0 on success and -1 on malformed input, leaving
 * the position unspecified after a failure; the caller turns -1 into a
 * diag that names the field it was reading.
 */
#ifndef CV_CBOR_H
#define CV_CBOR_H

#include "cv.h"

#define CV_CBOR_MAX_DEPTH 8

enum {
	CV_CBOR_UINT = 0,
	CV_CBOR_NEGINT = 1,
	CV_CBOR_BYTES = 2,
	CV_CBOR_TEXT = 3,
	CV_CBOR_ARRAY = 4,
	CV_CBOR_MAP = 5,
	CV_CBOR_TAG = 6,
	CV_CBOR_SIMPLE = 7
};

typedef struct {
	const uint8_t *buf;
	size_t len;
	size_t pos;
} cv_cbor;

void cv_cbor_init(cv_cbor *c, const uint8_t *buf, size_t len);

/* The major type of the next item, or -1 at the end of the buffer. */
int cv_cbor_peek(const cv_cbor *c);

/* An unsigned integer (major 0). */
int cv_cbor_uint(cv_cbor *c, uint64_t *v);
/* A definite byte string (major 2) / text string (major 3): a range of the buffer. */
int cv_cbor_bytes(cv_cbor *c, cv_bytes *out);
int cv_cbor_text(cv_cbor *c, cv_bytes *out);
/* A definite map head (major 5): *n pairs follow. n is bounded by the bytes left. */
int cv_cbor_map(cv_cbor *c, uint64_t *n);
/* Skip one well-formed item of any type except tags, nesting at most CV_CBOR_MAX_DEPTH. */
int cv_cbor_skip(cv_cbor *c);

/* 1 when a text item (from cv_cbor_text) equals the NUL-terminated s. */
int cv_cbor_text_is(cv_bytes t, const char *s);

#endif
