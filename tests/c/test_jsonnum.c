/*
 * src/jsonnum.c, the strtod every build gives cJSON (-Dstrtod=cv_json_strtod):
 * on strings of cJSON's number alphabet [0-9+-.eE] it consumes exactly what
 * libc's strtod consumes, is exact for integers up to 2^53 and Clinger's
 * fast path, and otherwise within a few units in the last place; overflow
 * is infinite. Compared with the C library's strtod (#undef below).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check.h"

/* libc's strtod, for reference: <stdlib.h> declared it under the macro's name. */
#undef strtod
double strtod(const char *restrict s, char **restrict end);
double cv_json_strtod(const char *s, char **end);

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Units in the last place between two finite doubles of the same sign. */
static uint64_t ulps(double a, double b)
{
	int64_t ia, ib;
	memcpy(&ia, &a, 8);
	memcpy(&ib, &b, 8);
	return ia > ib ? (uint64_t)(ia - ib) : (uint64_t)(ib - ia);
}

static int same_end_and_close(const char *s, int exact)
{
	char *e1 = NULL, *e2 = NULL;
	double want = strtod(s, &e1), got = cv_json_strtod(s, &e2);
	if (e1 != e2) {
		fprintf(stderr, "  \"%s\": end %d, libc %d\n", s, (int)(e2 - s), (int)(e1 - s));
		return 0;
	}
	if (isinf(want) || isinf(got))
		return want == got;
	if (want == 0 || fabs(want) < DBL_MIN * 0x1p52) /* zero, or deep in the subnormals */
		return fabs(got - want) <= DBL_MIN * 0x1p52 && signbit(got) == signbit(want);
	if (signbit(got) != signbit(want))
		return 0;
	uint64_t d = ulps(want, got);
	if (exact ? d != 0 : d > 8) {
		fprintf(stderr, "  \"%s\": %.17g, libc %.17g (%llu ulps)\n", s, got, want, (unsigned long long)d);
		return 0;
	}
	return 1;
}

static void test_fixed(void)
{
	static const char *exact[] = { "0", "-0", "1", "255", "1752919234", "1788000000", "253402300799",
		"9007199254740992", "-9007199254740992", "1.5", "0.25", "1e22", "123456789e-9", "1.0", "3.14159",
		"1e-22", "2.5e3", "0.000001", "12345678901234567890e-10", "1E5", "1e+5",
		"7.0e-10", "0.1", "0.3", "-2.5", "+7" };
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		CHECK(same_end_and_close(exact[i], 1));
	static const char *close[] = { "1e23", "4503599627370496.5", "1e308", "1.7976931348623157e308", "2.2250738585072014e-308",
		"4.9e-324", "1e-320", "123456789012345678901234567890", "0.1e-300", "9007199254740993",
		"1.00000000000000011102230246251565404236316680908203125", "1e-400", "1e400", "-1e400",
		"1e99999999999999999999", "1e-99999999999999999999", "0e999999", "000001", "00.0001e4",
		"1.", "-.5", ".5", "1e", "1e+", "1e-", "1ee5", "1.2.3", "--1", "+-1", "-", "+", ".", "e5", "",
		"1-2", "12e5e6", "0.000000000000000000000000000000000000000000001" };
	for (size_t i = 0; i < sizeof close / sizeof close[0]; i++)
		CHECK(same_end_and_close(close[i], 0));
	/* Long runs of zeros with an exponent that compensates: no counter saturates early. */
	char *big = malloc(300100);
	strcpy(big, "0.");
	memset(big + 2, '0', 300000);
	strcpy(big + 300002, "1e300000");
	CHECK(same_end_and_close(big, 1) && cv_json_strtod(big, NULL) == 0.1);
	big[0] = '1';
	big[1] = '0';
	strcpy(big + 300002, "e-300001");
	CHECK(same_end_and_close(big, 1) && cv_json_strtod(big, NULL) == 1.0);
	free(big);
	char *e;
	CHECK(cv_json_strtod("abc", &e) == 0 && strcmp(e, "abc") == 0);
	CHECK(isinf(cv_json_strtod("1e309", NULL)));
	CHECK(signbit(cv_json_strtod("-0", NULL)));
}

/* Random strings of cJSON's alphabet, and random well-formed numbers. */
static void test_random(void)
{
	static const char alpha[] = "0123456789+-.eE";
	char s[64];
	int bad = 0;
	for (int i = 0; i < 200000 && bad < 10; i++) {
		size_t n = 1 + rnd(24);
		for (size_t k = 0; k < n; k++)
			s[k] = alpha[rnd(i % 2 ? 15 : 11)];
		s[n] = '\0';
		if (!same_end_and_close(s, 0))
			bad++;
	}
	for (int i = 0; i < 200000 && bad < 10; i++) {
		/* [-] digits [. digits] [e [+-] digits] */
		size_t n = 0;
		int integer = 1, digits = 0;
		if (rnd(2))
			s[n++] = '-';
		for (int k = 1 + (int)rnd(18); k > 0; k--, digits++)
			s[n++] = (char)('0' + rnd(10));
		if (rnd(2)) {
			integer = 0;
			s[n++] = '.';
			for (int k = 1 + (int)rnd(18); k > 0; k--)
				s[n++] = (char)('0' + rnd(10));
		}
		if (rnd(3) == 0) {
			integer = 0;
			s[n++] = 'e';
			if (rnd(2))
				s[n++] = rnd(2) ? '-' : '+';
			for (int k = 1 + (int)rnd(3); k > 0; k--)
				s[n++] = (char)('0' + rnd(10));
		}
		s[n] = '\0';
		/* Integers of at most 15 digits are exact; everything else close. */
		if (!same_end_and_close(s, integer && digits <= 15))
			bad++;
	}
	CHECK(bad == 0);
}

/* Through cJSON, as the core reads numbers. */
static void test_cjson(void)
{
	cJSON *a = cJSON_Parse("[1752919234, -0, 255, 1.5, 1e400, 0.1, 7e-400, 12345678901234567]");
	CHECK(a != NULL);
	if (!a)
		return;
	const double want[] = { 1752919234.0, -0.0, 255.0, 1.5, HUGE_VAL, 0.1, 0.0, 12345678901234568.0 };
	int i = 0;
	for (cJSON *it = a->child; it; it = it->next, i++)
		CHECK(cJSON_IsNumber(it) && it->valuedouble == want[i]);
	CHECK(i == 8);
	CHECK(a->child->valueint == 1752919234);
	cJSON_Delete(a);
	CHECK(cJSON_Parse("[1e]") == NULL);
	CHECK(cJSON_Parse("[-]") == NULL);
}

int main(void)
{
	test_fixed();
	test_random();
	test_cjson();
	return check_report("jsonnum");
}
