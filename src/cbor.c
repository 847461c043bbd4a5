/*
 * Strict bounded CBOR reader (src/cbor.h).
 */
#include <string.h>

#include "cbor.h"

void cv_cbor_init(cv_cbor *c, const uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
}

int cv_cbor_peek(const cv_cbor *c)
{
	return c->pos < c->len ? c->buf[c->pos] >> 5 : -1;
}

/* One head: major type and argument. Big-endian argument of 1, 2, 4 or 8 bytes. */
static int head(cv_cbor *c, int *major, uint64_t *arg)
{
	if (c->pos >= c->len)
		return -1;
	uint8_t b = c->buf[c->pos++];
	unsigned ai = b & 0x1fu;
	*major = b >> 5;
	if (ai < 24) {
		*arg = ai;
		return 0;
	}
	if (ai > 27)
		return -1; /* 28..30 reserved, 31 indefinite length: never produced */
	size_t n = (size_t)1 << (ai - 24);
	if (c->len - c->pos < n)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | c->buf[c->pos++];
	*arg = v;
	return 0;
}

static int expect(cv_cbor *c, int want, uint64_t *arg)
{
	int major;
	if (head(c, &major, arg) != 0 || major != want)
		return -1;
	return 0;
}

int cv_cbor_uint(cv_cbor *c, uint64_t *v)
{
	return expect(c, CV_CBOR_UINT, v);
}

static int string(cv_cbor *c, int major, cv_bytes *out)
{
	uint64_t n;
	if (expect(c, major, &n) != 0 || n > c->len - c->pos)
		return -1;
	out->ptr = c->buf + c->pos;
	out->len = (size_t)n;
	c->pos += (size_t)n;
	return 0;
}

int cv_cbor_bytes(cv_cbor *c, cv_bytes *out)
{
	return string(c, CV_CBOR_BYTES, out);
}

int cv_cbor_text(cv_cbor *c, cv_bytes *out)
{
	return string(c, CV_CBOR_TEXT, out);
}

int cv_cbor_map(cv_cbor *c, uint64_t *n)
{
	/* Each pair takes at least two bytes: a larger count cannot be real. */
	if (expect(c, CV_CBOR_MAP, n) != 0 || *n > (c->len - c->pos) / 2)
		return -1;
	return 0;
}

static int skip(cv_cbor *c, unsigned depth)
{
	int major;
	uint64_t arg;
	if (depth > CV_CBOR_MAX_DEPTH || head(c, &major, &arg) != 0)
		return -1;
	switch (major) {
	case CV_CBOR_UINT:
	case CV_CBOR_NEGINT:
	case CV_CBOR_SIMPLE: /* simple values and floats: the argument was the whole item */
		return 0;
	case CV_CBOR_BYTES:
	case CV_CBOR_TEXT:
		if (arg > c->len - c->pos)
			return -1;
		c->pos += (size_t)arg;
		return 0;
	case CV_CBOR_ARRAY:
	case CV_CBOR_MAP: {
		/* Every item takes at least one byte: this bounds the loop by the input. */
		if (arg > c->len - c->pos)
			return -1;
		uint64_t items = major == CV_CBOR_MAP ? 2 * arg : arg;
		for (uint64_t i = 0; i < items; i++)
			if (skip(c, depth + 1) != 0)
				return -1;
		return 0;
	}
	default: /* tags */
		return -1;
	}
}

int cv_cbor_skip(cv_cbor *c)
{
	return skip(c, 0);
}

int cv_cbor_text_is(cv_bytes t, const char *s)
{
	size_t n = strlen(s);
	return t.len == n && memcmp(t.ptr, s, n) == 0;
}
