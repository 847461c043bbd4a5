/*
 * The C side of the compose differential (tests/js/compose-differential.test.mjs):
 * reads cases separated by a NUL byte on stdin and prints, per case, one
 * JSON line in the shape of tests/oracle/compose/main.go's:
 * {"ok":true,"images":[{service,image,pinned,kind}]} or {"ok":false,"error":"..."}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "compose_images.h"

static void one(const char *text, size_t len)
{
	cv_image_list l;
	cv_diag d;
	cv_diag_clear(&d);
	cJSON *r = cJSON_CreateObject();
	cv_err e = cv_compose_images(text, len, &l, &d);
	cJSON_AddBoolToObject(r, "ok", e == CV_OK);
	if (e != CV_OK) {
		cJSON_AddStringToObject(r, "error", d.msg);
	} else {
		static const char *const kinds[] = { "service", "volume", "include", "hook", "model" };
		cJSON *a = cJSON_AddArrayToObject(r, "images");
		for (size_t i = 0; i < l.n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "service", l.v[i].service);
			if (l.v[i].image)
				cJSON_AddStringToObject(o, "image", l.v[i].image);
			else
				cJSON_AddNullToObject(o, "image");
			cJSON_AddBoolToObject(o, "pinned", l.v[i].pinned);
			cJSON_AddStringToObject(o, "kind", kinds[l.v[i].kind]);
			cJSON_AddStringToObject(o, "reason", l.v[i].why);
			cJSON_AddItemToArray(a, o);
		}
	}
	cv_image_list_free(&l);
	char *s = cJSON_PrintUnformatted(r);
	puts(s);
	free(s);
	cJSON_Delete(r);
}

int main(void)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	if (!buf)
		return 3;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || buf[i] == '\0') {
			/* Each case NUL-terminated in place, as the core's callers pass it. */
			char *c = malloc(i - start + 1);
			if (!c)
				return 3;
			memcpy(c, buf + start, i - start);
			c[i - start] = '\0';
			one(c, i - start);
			free(c);
			start = i + 1;
		}
	}
	free(buf);
	return 0;
}
