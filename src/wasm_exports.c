/*
 * The WASM module's exports (docs/core-api.md): an allocator, the JSON
 * entry point, and the caller-owned verification cache (src/cache.h). The
 * result block is a little-endian u32 length followed by the JSON, so one
 * return value carries both and no global state is needed.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "verify.h"

#define EXPORT(name) __attribute__((export_name(#name), used))

EXPORT(cv_alloc) void *cv_alloc(size_t size)
{
	return malloc(size ? size : 1);
}

EXPORT(cv_free) void cv_free(void *p)
{
	free(p);
}

EXPORT(cv_run_cached) uint8_t *cv_run_cached(cv_cache *cache, const char *req, size_t req_len)
{
	char *out = NULL;
	size_t out_len = 0;
	cv_run_json_cached(cache, req, req_len, &out, &out_len);
	if (!out)
		return NULL;
	uint8_t *block = malloc(out_len + 4);
	if (block) {
		block[0] = (uint8_t)out_len;
		block[1] = (uint8_t)(out_len >> 8);
		block[2] = (uint8_t)(out_len >> 16);
		block[3] = (uint8_t)(out_len >> 24);
		memcpy(block + 4, out, out_len);
	}
	free(out);
	return block;
}

EXPORT(cv_run) uint8_t *cv_run(const char *req, size_t req_len)
{
	return cv_run_cached(NULL, req, req_len);
}

/* cv_cache_new, cv_cache_free and cv_cache_get_stat (src/cache.h) are
 * exported as they are, through the Makefile's EXPORTED_FUNCTIONS. */

/* ---- libc replacements for the WASM build only (size) ---- */

/* A plain strstr: musl's Two-Way one is ~1.4 KB of code, and the core only
 * looks for short fixed names in short strings (certificate CNs, image
 * references). Same results. */
char *strstr(const char *h, const char *n)
{
	for (;; h++) {
		size_t i = 0;
		while (n[i] && h[i] == n[i])
			i++;
		if (!n[i])
			return (char *)h;
		if (!*h)
			return NULL;
	}
}
