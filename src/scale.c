/*
 * Bounded SCALE reader (see scale.h).
 */
#include "scale.h"
#include "util.h"

void cv_scale_init(cv_scale_cur *c, const uint8_t *buf, size_t len, const char *what, cv_diag *d)
{
	c->p = buf;
	c->end = buf + len;
	c->what = what;
	c->d = d;
}

size_t cv_scale_left(const cv_scale_cur *c)
{
	return (size_t)(c->end - c->p);
}

static cv_err need(const cv_scale_cur *c, size_t n, const char *field)
{
	size_t left = cv_scale_left(c);
	if (n > left)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
			"the %s is truncated in %s: it needs %U more bytes but only %U remain", c->what, field,
			(uint64_t)n, (uint64_t)left);
	return CV_OK;
}

cv_err cv_scale_u8(cv_scale_cur *c, uint8_t *out, const char *field)
{
	cv_err err = need(c, 1, field);
	if (err)
		return err;
	*out = *c->p++;
	return CV_OK;
}

cv_err cv_scale_u32(cv_scale_cur *c, uint32_t *out, const char *field)
{
	cv_err err = need(c, 4, field);
	if (err)
		return err;
	*out = cv_le32(c->p);
	c->p += 4;
	return CV_OK;
}

cv_err cv_scale_compact(cv_scale_cur *c, uint64_t max, uint64_t *out, const char *field)
{
	cv_err err = need(c, 1, field);
	if (err)
		return err;
	uint8_t b0 = c->p[0];
	uint64_t v;
	size_t n;
	uint64_t min; /* the smallest value this mode may carry: shortest form only */
	switch (b0 & 3u) {
	case 0:
		n = 1;
		v = b0 >> 2;
		min = 0;
		break;
	case 1:
		n = 2;
		if ((err = need(c, n, field)))
			return err;
		v = (uint64_t)(cv_le16(c->p) >> 2);
		min = 1u << 6;
		break;
	case 2:
		n = 4;
		if ((err = need(c, n, field)))
			return err;
		v = (uint64_t)(cv_le32(c->p) >> 2);
		min = 1u << 14;
		break;
	default: {
		/* "big integer" mode: (b0 >> 2) + 4 little-endian bytes follow. More
		 * than 8 never fits a length we could accept. */
		size_t nb = (size_t)(b0 >> 2) + 4;
		if (nb > 8)
			return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
				"the %s's %s is a %U-byte compact integer, far beyond any accepted length", c->what,
				field, (uint64_t)nb);
		n = 1 + nb;
		if ((err = need(c, n, field)))
			return err;
		v = 0;
		for (size_t i = nb; i > 0; i--)
			v = (v << 8) | c->p[i];
		min = (uint64_t)1 << 30;
		/* Shortest form also means no spare high zero byte. */
		if (nb > 4 && c->p[nb] == 0)
			min = UINT64_MAX;
		break;
	}
	}
	if (v < min)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED,
			"the %s's %s is a compact integer that is not in its shortest form", c->what, field);
	if (v > max)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is %U, above the limit of %U", c->what,
			field, v, max);
	c->p += n;
	*out = v;
	return CV_OK;
}

cv_err cv_scale_fixed(cv_scale_cur *c, size_t n, cv_bytes *out, const char *field)
{
	cv_err err = need(c, n, field);
	if (err)
		return err;
	out->ptr = c->p;
	out->len = n;
	c->p += n;
	return CV_OK;
}

cv_err cv_scale_bytes(cv_scale_cur *c, size_t max, cv_bytes *out, const char *field)
{
	uint64_t n;
	cv_err err = cv_scale_compact(c, max, &n, field);
	if (err)
		return err;
	return cv_scale_fixed(c, (size_t)n, out, field);
}

cv_err cv_scale_str(cv_scale_cur *c, size_t max, cv_bytes *out, const char *field)
{
	cv_err err = cv_scale_bytes(c, max, out, field);
	if (err)
		return err;
	if (!cv_utf8_valid(out->ptr, out->len))
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s's %s is not valid UTF-8", c->what, field);
	return CV_OK;
}

cv_err cv_scale_expect_end(const cv_scale_cur *c)
{
	if (c->p != c->end)
		return cv_fail(c->d, CV_EVIDENCE_MALFORMED, "the %s has %U unexpected bytes after its last field",
			c->what, (uint64_t)cv_scale_left(c));
	return CV_OK;
}

int cv_utf8_valid(const uint8_t *s, size_t n)
{
	const uint8_t *p = s, *end = s + n;
	while (p < end) {
		unsigned c = *p++;
		if (c < 0x80)
			continue;
		unsigned more, min, cp;
		if (c >= 0xc2 && c <= 0xdf) { more = 1; min = 0x80; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { more = 2; min = 0x800; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { more = 3; min = 0x10000; cp = c & 0x07; }
		else return 0;
		if ((size_t)(end - p) < more)
			return 0;
		for (unsigned i = 0; i < more; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += more;
	}
	return 1;
}
