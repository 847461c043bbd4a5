/*
 * Bounded MessagePack reader (see msgpack.h). Format facts: the MessagePack
 * specification (big-endian lengths, one type byte per value).
 */
#include <string.h>

#include "msgpack.h"
#include "scale.h"

void cv_mp_init(cv_mp_cur *c, const uint8_t *buf, size_t len, const char *what, cv_diag *d)
{
	c->p = buf;
	c->end = buf + len;
	c->what = what;
	c->d = d;
}

static size_t left(const cv_mp_cur *c)
{
	return (size_t)(c->end - c->p);
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static const char *type_name(cv_mp_type t)
{
	static const char *const names[] = { "nil", "a boolean", "an unsigned integer",
		"a negative integer", "a float", "a string", "binary data", "an array", "a map" };
	return names[t];
}

/* Header at c->p: its type, the size of the header, and the length or count
 * that follows it. Does not advance. */
static cv_err header(const cv_mp_cur *c, cv_mp_val *v, size_t *hl, uint64_t *n, const char *field)
{
	size_t avail = left(c);
	if (avail == 0)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s ends before its %s", c->what, field);
	uint8_t b = c->p[0];
	size_t extra = 0; /* length bytes after the type byte */
	memset(v, 0, sizeof *v);
	*n = 0;
	if (b <= 0x7f) {
		v->type = CV_MP_UINT;
		v->u = b;
	} else if (b <= 0x8f) {
		v->type = CV_MP_MAP;
		*n = b & 0x0fu;
	} else if (b <= 0x9f) {
		v->type = CV_MP_ARRAY;
		*n = b & 0x0fu;
	} else if (b <= 0xbf) {
		v->type = CV_MP_STR;
		*n = b & 0x1fu;
	} else if (b >= 0xe0) {
		v->type = CV_MP_INT;
		v->i = (int64_t)(int8_t)b;
	} else {
		switch (b) {
		case 0xc0: v->type = CV_MP_NIL; break;
		case 0xc2: case 0xc3: v->type = CV_MP_BOOL; v->u = b & 1u; break;
		case 0xc4: case 0xc5: case 0xc6: v->type = CV_MP_BIN; extra = (size_t)1 << (b - 0xc4); break;
		case 0xca: v->type = CV_MP_FLOAT; extra = 4; break;
		case 0xcb: v->type = CV_MP_FLOAT; extra = 8; break;
		case 0xcc: case 0xcd: case 0xce: case 0xcf: v->type = CV_MP_UINT; extra = (size_t)1 << (b - 0xcc); break;
		case 0xd0: case 0xd1: case 0xd2: case 0xd3: v->type = CV_MP_INT; extra = (size_t)1 << (b - 0xd0); break;
		case 0xd9: case 0xda: case 0xdb: v->type = CV_MP_STR; extra = (size_t)1 << (b - 0xd9); break;
		case 0xdc: case 0xdd: v->type = CV_MP_ARRAY; extra = (size_t)2 << (b - 0xdc); break;
		case 0xde: case 0xdf: v->type = CV_MP_MAP; extra = (size_t)2 << (b - 0xde); break;
		default:
			/* 0xc1 (never used), ext 0xc7-0xc9 and fixext 0xd4-0xd8. */
			return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
				"the %s's %s uses MessagePack type byte %H, which a dstack attestation never contains",
				c->what, field, &b, (size_t)1);
		}
	}
	if (avail - 1 < extra)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s is truncated in the header of its %s", c->what,
			field);
	uint64_t x = be(c->p + 1, extra);
	*hl = 1 + extra;
	switch (v->type) {
	case CV_MP_UINT:
		if (extra)
			v->u = x;
		break;
	case CV_MP_INT:
		if (extra) {
			/* Sign-extend the big-endian two's complement value. */
			unsigned shift = (unsigned)(64 - 8 * extra);
			v->i = (int64_t)(x << shift) >> shift;
			/* A non-negative value read as "int" is still a number: keep it as unsigned. */
			if (v->i >= 0) {
				v->type = CV_MP_UINT;
				v->u = (uint64_t)v->i;
			}
		}
		break;
	case CV_MP_STR: case CV_MP_BIN: case CV_MP_ARRAY: case CV_MP_MAP:
		if (extra)
			*n = x;
		break;
	default:
		break;
	}
	return CV_OK;
}

cv_err cv_mp_next(cv_mp_cur *c, cv_mp_val *v, const char *field)
{
	size_t hl;
	uint64_t n;
	cv_err err = header(c, v, &hl, &n, field);
	if (err)
		return err;
	size_t rest = left(c) - hl;
	if (v->type == CV_MP_STR || v->type == CV_MP_BIN) {
		if (n > rest)
			return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
				"the %s is truncated in its %s: %U bytes announced, %U remain", c->what, field, n,
				(uint64_t)rest);
		v->bytes.ptr = c->p + hl;
		v->bytes.len = (size_t)n;
		if (v->type == CV_MP_STR && !cv_utf8_valid(v->bytes.ptr, v->bytes.len))
			return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is not valid UTF-8", c->what, field);
		c->p += hl + (size_t)n;
		return CV_OK;
	}
	if (v->type == CV_MP_ARRAY || v->type == CV_MP_MAP) {
		/* Each element takes at least one byte (two per map entry). */
		uint64_t min = v->type == CV_MP_MAP ? 2 * n : n;
		if (min > rest)
			return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
				"the %s's %s announces %U elements but only %U bytes remain", c->what, field, n,
				(uint64_t)rest);
		v->n = (uint32_t)n;
	}
	c->p += hl;
	return CV_OK;
}

cv_err cv_mp_expect(cv_mp_cur *c, cv_mp_type type, cv_mp_val *v, const char *field)
{
	const uint8_t *at = c->p;
	cv_err err = cv_mp_next(c, v, field);
	if (err)
		return err;
	if (v->type != type) {
		c->p = at;
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is %s, expected %s", c->what, field,
			type_name(v->type), type_name(type));
	}
	return CV_OK;
}

cv_err cv_mp_uint(cv_mp_cur *c, uint64_t max, uint64_t *out, const char *field)
{
	cv_mp_val v;
	cv_err err = cv_mp_expect(c, CV_MP_UINT, &v, field);
	if (err)
		return err;
	if (v.u > max)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is %U, above the limit of %U", c->what,
			field, v.u, max);
	*out = v.u;
	return CV_OK;
}

cv_err cv_mp_str(cv_mp_cur *c, size_t max, cv_bytes *out, const char *field)
{
	cv_mp_val v;
	cv_err err = cv_mp_expect(c, CV_MP_STR, &v, field);
	if (err)
		return err;
	if (v.bytes.len > max)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is %U bytes long, above the limit of %U",
			c->what, field, (uint64_t)v.bytes.len, (uint64_t)max);
	*out = v.bytes;
	return CV_OK;
}

cv_err cv_mp_byte_string_len(const cv_mp_cur *c, size_t max, size_t *len, const char *field)
{
	cv_mp_cur peek = *c;
	cv_mp_val v;
	cv_err err = cv_mp_next(&peek, &v, field);
	if (err)
		return err;
	size_t n;
	if (v.type == CV_MP_BIN)
		n = v.bytes.len;
	else if (v.type == CV_MP_ARRAY)
		n = v.n;
	else
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is %s, expected bytes", c->what, field,
			type_name(v.type));
	if (n > max)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is %U bytes long, above the limit of %U",
			c->what, field, (uint64_t)n, (uint64_t)max);
	*len = n;
	return CV_OK;
}

cv_err cv_mp_byte_string(cv_mp_cur *c, uint8_t *out, size_t cap, size_t *len, const char *field)
{
	size_t n;
	cv_err err = cv_mp_byte_string_len(c, cap, &n, field);
	if (err)
		return err;
	cv_mp_val v;
	if ((err = cv_mp_next(c, &v, field)))
		return err;
	if (v.type == CV_MP_BIN) {
		if (n)
			memcpy(out, v.bytes.ptr, n);
	} else {
		for (size_t i = 0; i < n; i++) {
			cv_mp_val e;
			if ((err = cv_mp_next(c, &e, field)))
				return err;
			if (e.type != CV_MP_UINT || e.u > 255)
				return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
					"the %s's %s is an array whose element %U is not a byte value", c->what, field,
					(uint64_t)i);
			out[i] = (uint8_t)e.u;
		}
	}
	*len = n;
	return CV_OK;
}

cv_err cv_mp_skip(cv_mp_cur *c, const char *field)
{
	uint64_t pending = 1;
	while (pending) {
		cv_mp_val v;
		cv_err err = cv_mp_next(c, &v, field);
		if (err)
			return err;
		pending--;
		/* cv_mp_next checked the count against the bytes left, so pending
		 * stays below the document length. */
		if (v.type == CV_MP_ARRAY)
			pending += v.n;
		else if (v.type == CV_MP_MAP)
			pending += 2 * (uint64_t)v.n;
	}
	return CV_OK;
}

cv_err cv_mp_expect_end(const cv_mp_cur *c)
{
	if (c->p != c->end)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s has %U unexpected bytes after its end", c->what,
			(uint64_t)left(c));
	return CV_OK;
}

int cv_mp_key_is(const cv_bytes *s, const char *key)
{
	size_t n = strlen(key);
	return s->len == n && memcmp(s->ptr, key, n) == 0;
}
