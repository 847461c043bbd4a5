/*
 * Hex, byte comparison and time conversions. Times are unix seconds; the
 * library never reads a clock (the caller supplies "now").
 */
#include <string.h>

#include "util.h"

void cv_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexd[in[i] >> 4];
		out[2 * i + 1] = hexd[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t cv_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t cap)
{
	while (in_len && is_space(in[0])) { in++; in_len--; }
	while (in_len && is_space(in[in_len - 1])) in_len--;
	if (in_len >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) {
		in += 2;
		in_len -= 2;
	}
	if (in_len % 2 || in_len / 2 > cap)
		return (size_t)-1;
	for (size_t i = 0; i < in_len / 2; i++) {
		int hi = hex_val(in[2 * i]), lo = hex_val(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return (size_t)-1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return in_len / 2;
}

int cv_is_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int cv_bytes_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Howard Hinnant's days_from_civil. */
int64_t cv_time_from_civil(int y, int mo, int d, int h, int mi, int s)
{
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

static int days_in_month(int y, int mo)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[mo - 1];
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int civil_ok(int y, int mo, int d, int h, int mi, int s)
{
	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) &&
		h <= 23 && mi <= 59 && s <= 60;
}

int cv_time_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
		digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (!civil_ok(y, mo, d, h, mi, sec))
		return -1;
	size_t i = 19;
	if (i < len && s[i] == '.') {
		i++;
		size_t start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return -1;
	}
	int64_t offset = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;
		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = (int64_t)(oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
		i += 6;
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	*out = cv_time_from_civil(y, mo, d, h, mi, sec) - offset;
	return 0;
}

int cv_time_parse_asn1(int tag, const uint8_t *s, size_t len, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	const char *c = (const char *)s;
	if (tag == 0x17) {
		if (len != 13 || c[12] != 'Z' || digits(c, 2, &y))
			return -1;
		y += y < 50 ? 2000 : 1900; /* RFC 5280 4.1.2.5.1 */
		c += 2;
	} else if (tag == 0x18) {
		if (len != 15 || c[14] != 'Z' || digits(c, 4, &y))
			return -1;
		c += 4;
	} else {
		return -1;
	}
	if (digits(c, 2, &mo) || digits(c + 2, 2, &d) || digits(c + 4, 2, &h) || digits(c + 6, 2, &mi) ||
		digits(c + 8, 2, &sec))
		return -1;
	if (y < 1950 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
		mi > 59 || sec > 60)
		return -1;
	*out = cv_time_from_civil(y, mo, d, h, mi, sec);
	return 0;
}

static void put2(char *o, int v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

void cv_time_format(int64_t t, char *out)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	if (y < 0 || y > 9999) {
		memcpy(out, "0000-00-00T00:00:00Z", 21);
		return;
	}
	put2(out, (int)(y / 100));
	put2(out + 2, (int)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, (int)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (int)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(secs % 60));
	out[19] = 'Z';
	out[20] = '\0';
}
