/*
 * Bounded DER reader (see der.h). Nothing here allocates; every element
 * points into the caller's buffer.
 */
#include "der.h"
#include "util.h"

void cv_der_init(cv_der_cur *c, const uint8_t *buf, size_t len, cv_err code, const char *what,
	cv_diag *d)
{
	c->p = buf;
	c->end = buf + len;
	c->depth = 0;
	/* Failures return this code: CV_OK here would turn them into successes. */
	c->code = code != CV_OK ? code : CV_INTERNAL;
	c->what = what;
	c->d = d;
}

int cv_der_at_end(const cv_der_cur *c)
{
	return c->p >= c->end;
}

int cv_der_peek(const cv_der_cur *c)
{
	return c->p < c->end ? c->p[0] : -1;
}

cv_err cv_der_next(cv_der_cur *c, cv_der *el, const char *field)
{
	size_t left = (size_t)(c->end - c->p);
	if (left == 0)
		return cv_fail(c->d, c->code, "the %s's %s is missing (the DER data ends before it)", c->what,
			field);
	if (left < 2)
		return cv_fail(c->d, c->code, "the %s's %s is truncated (1 byte left, a DER header needs 2)",
			c->what, field);
	uint8_t tag = c->p[0];
	/* X.509 never uses high tag numbers; refusing them keeps the header
	 * one byte and the parser simple. */
	if ((tag & 0x1fu) == 0x1fu)
		return cv_fail(c->d, c->code, "the %s's %s uses a multi-byte DER tag (%H), which X.509 never needs",
			c->what, field, &tag, (size_t)1);
	uint8_t l0 = c->p[1];
	size_t hl = 2;
	uint64_t len;
	if (l0 < 0x80u) {
		len = l0;
	} else if (l0 == 0x80u) {
		return cv_fail(c->d, c->code, "the %s's %s has an indefinite length, which DER forbids", c->what,
			field);
	} else {
		unsigned nb = l0 & 0x7fu;
		/* 4 length bytes already allow 4 GiB: more is never legitimate. */
		if (nb > 4)
			return cv_fail(c->d, c->code, "the %s's %s has a %u-byte length field (at most 4 allowed)",
				c->what, field, nb);
		if (left - 2 < nb)
			return cv_fail(c->d, c->code, "the %s's %s is truncated inside its length field", c->what,
				field);
		if (c->p[2] == 0)
			return cv_fail(c->d, c->code, "the %s's %s has a length with a leading zero byte, which DER forbids",
				c->what, field);
		len = 0;
		for (unsigned i = 0; i < nb; i++)
			len = (len << 8) | c->p[2 + i];
		if (len < 0x80u)
			return cv_fail(c->d, c->code, "the %s's %s uses the long length form for %U bytes, which DER forbids",
				c->what, field, len);
		hl += nb;
	}
	if (len > left - hl)
		return cv_fail(c->d, c->code, "the %s's %s is truncated: it claims %U content bytes but only %U remain",
			c->what, field, len, (uint64_t)(left - hl));
	el->tag = tag;
	el->tlv.ptr = c->p;
	el->tlv.len = hl + (size_t)len;
	el->val.ptr = c->p + hl;
	el->val.len = (size_t)len;
	c->p += hl + (size_t)len;
	return CV_OK;
}

cv_err cv_der_expect(cv_der_cur *c, uint8_t tag, cv_der *el, const char *field)
{
	const uint8_t *start = c->p;
	cv_err e = cv_der_next(c, el, field);
	if (e)
		return e;
	if (el->tag != tag) {
		c->p = start;
		return cv_fail(c->d, c->code, "the %s's %s should have DER tag 0x%H but has 0x%H", c->what, field,
			&tag, (size_t)1, &el->tag, (size_t)1);
	}
	return CV_OK;
}

cv_err cv_der_optional(cv_der_cur *c, uint8_t tag, cv_der *el, int *present, const char *field)
{
	*present = 0;
	if (cv_der_peek(c) != (int)tag)
		return CV_OK;
	*present = 1;
	return cv_der_next(c, el, field);
}

cv_err cv_der_enter(const cv_der_cur *c, const cv_der *el, cv_der_cur *inner, const char *field)
{
	if (c->depth + 1 > CV_MAX_DER_DEPTH)
		return cv_fail(c->d, c->code, "the %s's %s is nested deeper than %u DER levels", c->what, field,
			(unsigned)CV_MAX_DER_DEPTH);
	inner->p = el->val.ptr;
	inner->end = el->val.ptr + el->val.len;
	inner->depth = c->depth + 1;
	inner->code = c->code;
	inner->what = c->what;
	inner->d = c->d;
	return CV_OK;
}

cv_err cv_der_expect_enter(cv_der_cur *c, uint8_t tag, cv_der_cur *inner, cv_der *el,
	const char *field)
{
	cv_der tmp;
	if (!el)
		el = &tmp;
	cv_err e = cv_der_expect(c, tag, el, field);
	if (e)
		return e;
	return cv_der_enter(c, el, inner, field);
}

cv_err cv_der_expect_end(const cv_der_cur *c, const char *field)
{
	if (c->p != c->end)
		return cv_fail(c->d, c->code, "the %s's %s has %U unexpected trailing bytes", c->what, field,
			(uint64_t)(c->end - c->p));
	return CV_OK;
}

cv_err cv_der_check_tree(const cv_der_cur *c)
{
	cv_der_cur walk = *c;
	while (!cv_der_at_end(&walk)) {
		cv_der el;
		cv_err e = cv_der_next(&walk, &el, "DER structure");
		if (e)
			return e;
		if (el.tag & CV_DER_CONSTRUCTED) {
			cv_der_cur inner;
			e = cv_der_enter(&walk, &el, &inner, "DER structure");
			if (e)
				return e;
			e = cv_der_check_tree(&inner); /* depth bounded by cv_der_enter */
			if (e)
				return e;
		}
	}
	return CV_OK;
}

int cv_der_oid_eq(const cv_der *el, const uint8_t *oid, size_t oid_len)
{
	return el->tag == CV_DER_OID && cv_bytes_eq(el->val.ptr, el->val.len, oid, oid_len);
}

cv_err cv_der_small_uint(const cv_der_cur *c, const cv_der *el, uint32_t max, uint32_t *out,
	const char *field)
{
	const uint8_t *v = el->val.ptr;
	size_t n = el->val.len;
	if (n == 0)
		return cv_fail(c->d, c->code, "the %s's %s is an empty INTEGER", c->what, field);
	if (v[0] & 0x80u)
		return cv_fail(c->d, c->code, "the %s's %s is negative", c->what, field);
	if (n > 1 && v[0] == 0 && !(v[1] & 0x80u))
		return cv_fail(c->d, c->code, "the %s's %s is not minimally encoded", c->what, field);
	if (v[0] == 0 && n > 1) {
		v++;
		n--;
	}
	if (n > 4)
		return cv_fail(c->d, c->code, "the %s's %s is too large (%U bytes; the maximum is %u)", c->what,
			field, (uint64_t)n, max);
	uint32_t x = 0;
	for (size_t i = 0; i < n; i++)
		x = (x << 8) | v[i];
	if (x > max)
		return cv_fail(c->d, c->code, "the %s's %s is %u, above the maximum %u", c->what, field, x, max);
	*out = x;
	return CV_OK;
}

cv_err cv_der_time(cv_der_cur *c, int64_t *out, const char *field)
{
	cv_der el;
	cv_err e = cv_der_next(c, &el, field);
	if (e)
		return e;
	if (el.tag != CV_DER_UTC_TIME && el.tag != CV_DER_GEN_TIME)
		return cv_fail(c->d, c->code, "the %s's %s is not a UTCTime or GeneralizedTime (tag 0x%H)", c->what,
			field, &el.tag, (size_t)1);
	if (cv_time_parse_asn1(el.tag, el.val.ptr, el.val.len, out) != 0)
		return cv_fail(c->d, c->code, "the %s's %s is not a valid UTC time", c->what, field);
	return CV_OK;
}

cv_err cv_der_bool(const cv_der_cur *c, const cv_der *el, int *out, const char *field)
{
	if (el->tag != CV_DER_BOOLEAN || el->val.len != 1 || (el->val.ptr[0] != 0 && el->val.ptr[0] != 0xffu))
		return cv_fail(c->d, c->code, "the %s's %s is not a DER BOOLEAN", c->what, field);
	*out = el->val.ptr[0] != 0;
	return CV_OK;
}

int cv_der_int_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	/* Some encoders add or drop the sign byte of a serial number; a
	 * revoked serial must still match, so compare magnitudes. */
	while (alen > 1 && a[0] == 0) {
		a++;
		alen--;
	}
	while (blen > 1 && b[0] == 0) {
		b++;
		blen--;
	}
	return cv_bytes_eq(a, alen, b, blen);
}
