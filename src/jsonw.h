/*
 * A small JSON writer into a growable buffer (the report writer; cJSON's
 * printer pulls in sprintf, which the WASM build avoids).
 *
 * Usage: jw_obj_begin(w); jw_key(w, "a"); jw_str(w, "x"); jw_obj_end(w);
 * Commas are inserted automatically. An allocation failure sets w->oom and
 * turns every later call into a no-op; check it at the end.
 */
#ifndef CV_JSONW_H
#define CV_JSONW_H

#include "cv.h"

#define JW_MAX_DEPTH 32

typedef struct {
	char *buf;
	size_t len, cap;
	int oom;
	int depth;
	unsigned char need_comma[JW_MAX_DEPTH];
	unsigned char after_key;
} cv_jw;

void jw_init(cv_jw *w);
void jw_free(cv_jw *w);
/* Take the NUL-terminated result (caller frees); NULL on oom. */
char *jw_take(cv_jw *w, size_t *len);

void jw_obj_begin(cv_jw *w);
void jw_obj_end(cv_jw *w);
void jw_arr_begin(cv_jw *w);
void jw_arr_end(cv_jw *w);
void jw_key(cv_jw *w, const char *key);
void jw_str(cv_jw *w, const char *s);             /* NULL writes null */
void jw_strn(cv_jw *w, const char *s, size_t n);  /* escapes as needed; invalid UTF-8 bytes become U+FFFD */
void jw_hex(cv_jw *w, const uint8_t *b, size_t n); /* a lower-case hex string */
void jw_int(cv_jw *w, int64_t v);
void jw_bool(cv_jw *w, int v);
void jw_null(cv_jw *w);
void jw_time(cv_jw *w, int64_t t);                /* ISO-8601 string */
/* Insert pre-serialised JSON (trusted, from our own writer or cJSON). */
void jw_raw(cv_jw *w, const char *json, size_t n);

/* Shorthands: key + value. */
void jw_kstr(cv_jw *w, const char *k, const char *v);
void jw_khex(cv_jw *w, const char *k, const uint8_t *b, size_t n);
void jw_kint(cv_jw *w, const char *k, int64_t v);
void jw_kbool(cv_jw *w, const char *k, int v);
void jw_ktime(cv_jw *w, const char *k, int64_t t);
/* "error": {"code": <reason code name>, "message": msg}: the failure member
 * of the ops' answers, written once so they cannot differ in shape. */
void jw_kerror(cv_jw *w, cv_err code, const char *msg);

#endif
