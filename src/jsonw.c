/*
 * JSON writer into a growable buffer. Strings are escaped per RFC 8259 and
 * invalid UTF-8 is replaced, so the output always parses.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

void jw_init(cv_jw *w)
{
	memset(w, 0, sizeof *w);
}

void jw_free(cv_jw *w)
{
	free(w->buf);
	jw_init(w);
}

char *jw_take(cv_jw *w, size_t *len)
{
	if (w->oom || !w->buf) {
		jw_free(w);
		return NULL;
	}
	char *b = w->buf;
	if (len)
		*len = w->len;
	w->buf = NULL;
	jw_free(w);
	return b;
}

static void put(cv_jw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		while (w->len + n + 1 > cap)
			cap *= 2;
		char *nb = realloc(w->buf, cap);
		if (!nb) {
			w->oom = 1;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void putc1(cv_jw *w, char c) { put(w, &c, 1); }

/* Before any value: a comma when a sibling came first (not right after a key). */
static void before_value(cv_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0 && w->depth <= JW_MAX_DEPTH) {
		if (w->need_comma[w->depth - 1])
			putc1(w, ',');
		w->need_comma[w->depth - 1] = 1;
	}
}

static void open_(cv_jw *w, char c)
{
	before_value(w);
	putc1(w, c);
	if (w->depth < JW_MAX_DEPTH)
		w->need_comma[w->depth] = 0;
	w->depth++;
}

static void close_(cv_jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	putc1(w, c);
}

void jw_obj_begin(cv_jw *w) { open_(w, '{'); }
void jw_obj_end(cv_jw *w) { close_(w, '}'); }
void jw_arr_begin(cv_jw *w) { open_(w, '['); }
void jw_arr_end(cv_jw *w) { close_(w, ']'); }

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) return 1;
	if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
	else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
	else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
	else return 0;
	if (n < len) return 0;
	unsigned cp = c & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
	return len;
}

static void put_escaped(cv_jw *w, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	putc1(w, '"');
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			put(w, e, 2);
			i++;
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15] };
			if (c == '\n') put(w, "\\n", 2);
			else if (c == '\t') put(w, "\\t", 2);
			else if (c == '\r') put(w, "\\r", 2);
			else put(w, e, 6);
			i++;
		} else if (c < 0x80) {
			putc1(w, (char)c);
			i++;
		} else {
			size_t l = utf8_seq(p + i, n - i);
			if (l) {
				put(w, (const char *)p + i, l);
				i += l;
			} else {
				put(w, "\\ufffd", 6);
				i++;
			}
		}
	}
	putc1(w, '"');
}

void jw_key(cv_jw *w, const char *key)
{
	before_value(w);
	put_escaped(w, key, strlen(key));
	putc1(w, ':');
	w->after_key = 1;
}

void jw_strn(cv_jw *w, const char *s, size_t n)
{
	before_value(w);
	put_escaped(w, s, n);
}

void jw_str(cv_jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_hex(cv_jw *w, const uint8_t *b, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	before_value(w);
	putc1(w, '"');
	char chunk[64];
	size_t k = 0;
	for (size_t i = 0; b && i < n; i++) {
		chunk[k++] = hexd[b[i] >> 4];
		chunk[k++] = hexd[b[i] & 15];
		if (k == sizeof chunk) {
			put(w, chunk, k);
			k = 0;
		}
	}
	put(w, chunk, k);
	putc1(w, '"');
}

void jw_int(cv_jw *w, int64_t v)
{
	char tmp[24];
	size_t n = cv_format(tmp, sizeof tmp, "%I", v);
	before_value(w);
	put(w, tmp, n);
}

void jw_bool(cv_jw *w, int v)
{
	before_value(w);
	if (v) put(w, "true", 4);
	else put(w, "false", 5);
}

void jw_null(cv_jw *w)
{
	before_value(w);
	put(w, "null", 4);
}

void jw_time(cv_jw *w, int64_t t)
{
	char tmp[32];
	cv_time_format(t, tmp);
	jw_str(w, tmp);
}

void jw_raw(cv_jw *w, const char *json, size_t n)
{
	before_value(w);
	put(w, json, n);
}

void jw_kstr(cv_jw *w, const char *k, const char *v) { jw_key(w, k); jw_str(w, v); }

void jw_kerror(cv_jw *w, cv_err code, const char *msg)
{
	jw_key(w, "error");
	jw_obj_begin(w);
	jw_kstr(w, "code", cv_err_name(code));
	jw_kstr(w, "message", msg);
	jw_obj_end(w);
}
void jw_khex(cv_jw *w, const char *k, const uint8_t *b, size_t n) { jw_key(w, k); jw_hex(w, b, n); }
void jw_kint(cv_jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
void jw_kbool(cv_jw *w, const char *k, int v) { jw_key(w, k); jw_bool(w, v); }
void jw_ktime(cv_jw *w, const char *k, int64_t t) { jw_key(w, k); jw_time(w, t); }
