/* JSON helpers (json.h). */
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* One pass over JSON text outside strings: the deepest bracket nesting
 * (counting stops past max_depth) and an upper bound on the values. */
static void json_scan(const char *s, size_t len, unsigned max_depth, unsigned *deepest, size_t *values)
{
	unsigned depth = 0;
	int in_str = 0;
	*deepest = 0;
	*values = 1;
	for (size_t i = 0; i < len && *deepest <= max_depth; i++) {
		char c = s[i];
		if (in_str) {
			/* Most of a request is long hex strings: skip their plain bytes
			 * in a tight loop (a quarter fewer instructions over a warm
			 * verification's ~35 KB of requests, docs/performance.md). */
			while (c != '"' && c != '\\' && i + 1 < len)
				c = s[++i];
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			(*values)++;
			if (++depth > *deepest)
				*deepest = depth;
		} else if (c == ',') {
			(*values)++;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
	}
}

int cv_json_depth_ok(const char *s, size_t len, unsigned max)
{
	unsigned deepest;
	size_t values;
	json_scan(s, len, max, &deepest, &values);
	return deepest <= max;
}

size_t cv_json_value_bound(const char *s, size_t len)
{
	unsigned deepest;
	size_t values;
	json_scan(s, len, (unsigned)-1 - 1, &deepest, &values);
	return values;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* cJSON recurses once per nesting level (up to 1000): too deep for the
 * WASM stack. Nested JSON in evidence is shallow, so cap it first. */
#define EV_MAX_JSON_DEPTH 64

cJSON *cv_json_parse_text(const char *s, size_t len)
{
	const char *end = NULL;
	if (!s || !cv_json_depth_ok(s, len, EV_MAX_JSON_DEPTH))
		return NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (!j)
		return NULL;
	for (const char *p = end; p && p < s + len; p++) {
		if (!is_ws(*p)) {
			cJSON_Delete(j);
			return NULL;
		}
	}
	return j;
}

cJSON *cv_json_parse_exact(const char *s, size_t len)
{
	cJSON *j = cv_json_parse_text(s, len);
	if (j && cv_json_duplicate_key(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Heap sort of names: n log n in the worst case, for hostile objects of
 * many keys (libc's qsort would cost the WASM ~2 KB). */
static void sift_down(const char **v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && strcmp(v[child], v[child + 1]) < 0)
			child++;
		if (strcmp(v[root], v[child]) >= 0)
			return;
		const char *t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

static void sort_names(const char **v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end-- > 1;) {
		const char *t = v[0];
		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
}

/* The repeated key among an object's members, or NULL. Small objects by
 * pairs; larger ones sorted, so a hostile object of many keys costs
 * n log n. */
static const char *repeated_member(const cJSON *obj)
{
	size_t n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, obj)
		n++;
	if (n < 2)
		return NULL;
	if (n <= 16) {
		for (const cJSON *a = obj->child; a; a = a->next)
			for (const cJSON *b = a->next; b; b = b->next)
				if (a->string && b->string && strcmp(a->string, b->string) == 0)
					return a->string;
		return NULL;
	}
	const char **names = malloc(n * sizeof *names);
	if (!names)
		return obj->child->string; /* fail closed: treat as ambiguous */
	size_t i = 0;
	cJSON_ArrayForEach(it, obj)
		names[i++] = it->string ? it->string : "";
	sort_names(names, n);
	const char *dup = NULL;
	for (i = 1; i < n && !dup; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			dup = names[i];
	free(names);
	return dup;
}

const char *cv_json_duplicate_key(const cJSON *node)
{
	if (!node)
		return NULL;
	if (cJSON_IsObject(node)) {
		const char *dup = repeated_member(node);
		if (dup)
			return dup;
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, node) {
			const char *dup = cv_json_duplicate_key(it);
			if (dup)
				return dup;
		}
	}
	return NULL;
}
