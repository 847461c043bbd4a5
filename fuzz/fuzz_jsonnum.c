/*
 * src/jsonnum.c's cv_json_strtod, the number reader every build gives cJSON
 * (-Dstrtod=cv_json_strtod), differentially against the C library's strtod
 * on the text cJSON hands it (only [0-9+-.eE], NUL-terminated).
 * Oracle (jsonnum.c's own contract): the same prefix is consumed; integers of
 * up to 15 digits are exact; every other value is within JSONNUM_MAX_ULPS
 * units in the last place of the correctly rounded result (overflow to +-inf
 * and underflow to +-0 included, as neighbours of DBL_MAX and of the smallest
 * subnormal). UBSan watches the digit and exponent arithmetic.
 */
/* The build maps strtod to cv_json_strtod for cJSON (-Dstrtod=cv_json_strtod): here we want libc's. */
#undef strtod

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

double cv_json_strtod(const char *s, char **end);

/* jsonnum.c promises "a few units in the last place" off the exact path. Its slow path makes up to 17
 * roundings (a mantissa of 19 digits scaled by up to 16 steps of 1e22 and one last power of ten), each a
 * relative error <= 2^-53: at most ~17 ulps. 32 leaves a margin and still catches a wrong algorithm. The
 * largest error the fuzzer found is 5 ulps (a 255-digit integer near 8.9e254); with -DJSONNUM_MAX_ULPS=0
 * it lists the inexact cases. */
#ifndef JSONNUM_MAX_ULPS
#define JSONNUM_MAX_ULPS 32
#endif

/* Distance in representable doubles (the bit patterns are ordered like the values). */
static uint64_t ulps(double a, double b)
{
	int64_t x, y;
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	if (x < 0)
		x = INT64_MIN - x;
	if (y < 0)
		y = INT64_MIN - y;
	return x > y ? (uint64_t)x - (uint64_t)y : (uint64_t)y - (uint64_t)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	size_t n = 0;
	static const char alphabet[] = "0123456789+-.eE";
	for (size_t i = 0; i < size; i++) /* map every byte into cJSON's number alphabet */
		s[n++] = (data[i] >= '0' && data[i] <= '9') || (data[i] && strchr("+-.eE", data[i]))
			? (char)data[i] : alphabet[data[i] % 15];
	s[n] = 0;

	char *e1 = NULL, *e2 = NULL;
	double mine = cv_json_strtod(s, &e1);
	double libc = strtod(s, &e2);
	if (e1 != e2) {
		fprintf(stderr, "input '%s': cv_json_strtod consumed %td bytes, strtod %td\n", s, e1 - s, e2 - s);
		FUZZ_ASSERT(!"a different prefix was consumed");
	}
	int plain_int = 1;
	size_t digits = 0;
	for (const char *p = s; p < e2; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!(p == s && (*p == '+' || *p == '-')))
			plain_int = 0;
	}
	uint64_t d = ulps(mine, libc);
	if ((plain_int && digits <= 15 && d != 0) || d > JSONNUM_MAX_ULPS) {
		fprintf(stderr, "input '%.*s': cv_json_strtod %.17g, strtod %.17g (%llu ulps)\n", (int)(e2 - s), s, mine,
			libc, (unsigned long long)d);
		FUZZ_ASSERT(!"cv_json_strtod is not within its promised accuracy");
	}
	free(s);
	return 0;
}
