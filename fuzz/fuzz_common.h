/*
 * Shared helpers of the libFuzzer harnesses (fuzz/README.md).
 *
 * CV_FUZZ_VECTORS is the absolute path of tests/vectors, set by the Makefile,
 * so harnesses can load a fixed real quote or collateral at start-up.
 * Oracle violations (a response that is neither a report nor a coded error,
 * a broken invariant) abort, so libFuzzer records them as crashes.
 */
#ifndef CV_FUZZ_COMMON_H
#define CV_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cv.h"

#ifndef CV_FUZZ_VECTORS
#define CV_FUZZ_VECTORS "tests/vectors"
#endif

/* Stop the fuzzer with a message: an invariant the core promises is broken. */
#define FUZZ_ASSERT(cond)                                                                \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
				__LINE__);                                               \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* Read tests/vectors/<rel> whole (malloc'd, NUL-terminated); exits when missing:
 * a harness without its fixed input would silently fuzz nothing. */
static inline uint8_t *fuzz_load_vector(const char *rel, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", CV_FUZZ_VECTORS, rel);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz: cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	b[n] = 0;
	*len = (size_t)n;
	return b;
}

/* A NUL-terminated copy of the input (for text APIs). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* 1 when code names a reason code (not OK, not the internal count). */
static inline int fuzz_known_code(const char *name)
{
	if (!name)
		return 0;
	for (int e = 1; e < CV_ERR_COUNT; e++)
		if (strcmp(cv_err_name((cv_err)e), name) == 0)
			return 1;
	return 0;
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF): the
 * JS shim decodes responses with a fatal TextDecoder, so anything else would surface as an error there. */
static inline int fuzz_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p++;
		if (c < 0x80)
			continue;
		unsigned need, min, cp;
		if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; cp = c & 0x07; }
		else return 0;
		if ((size_t)(end - p) < need)
			return 0;
		for (unsigned i = 0; i < need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += need;
	}
	return 1;
}

#endif
