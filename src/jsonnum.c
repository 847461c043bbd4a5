/*
 * strtod for cJSON's numbers. Every build compiles cJSON with
 * -Dstrtod=cv_json_strtod (Makefile, INCLUDES): libc's strtod (musl's
 * decimal-to-binary conversion over long double) brings about 14 KB of
 * 128-bit soft-float code into the WASM module, for numbers the verifier
 * only ever reads as small integers (times, SVNs, byte values, versions).
 * Native and WASM builds use this same function, so they parse every
 * number identically.
 *
 * Accepts what strtod accepts from cJSON's number buffer (which holds only
 * [0-9+-.eE]): [+-] digits [. digits] [(e|E) [+-] digits], at least one
 * mantissa digit; an exponent without digits is not consumed. Exact
 * (correctly rounded) for integers up to 2^53 and whenever the 19
 * significant digits kept fit in 2^53 and the decimal exponent is within
 * +-22 (Clinger's fast path): every value the verifier uses. Other values
 * come within a few units in the last place of the correctly rounded
 * double; overflow gives +-inf, underflow +-0. errno is not set.
 */
#include <math.h>
#include <stdint.h>

double cv_json_strtod(const char *s, char **end);

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	1e19, 1e20, 1e21, 1e22,
};

/* Exponent digits saturate here: far beyond any double, and no sum below overflows. */
#define EXP_SATURATE 1000000000000000LL

double cv_json_strtod(const char *s, char **end)
{
	const char *p = s;
	int neg = 0, any = 0, nd = 0;
	uint64_t m = 0;  /* up to 19 significant digits */
	int64_t e10 = 0; /* value = m * 10^e10 (digits beyond the 19th are dropped); |e10| <= strlen(s) + 10^16 */

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++) {
		any = 1;
		if (m == 0 && *p == '0')
			continue; /* a leading zero */
		if (nd < 19) {
			m = m * 10 + (uint64_t)(*p - '0');
			nd++;
		} else {
			e10++;
		}
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			any = 1;
			if (nd < 19) {
				if (m == 0 && *p == '0') {
					e10--;
					continue;
				}
				m = m * 10 + (uint64_t)(*p - '0');
				nd++;
				e10--;
			}
		}
	}
	if (!any) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		int eneg = 0;
		if (*q == '+' || *q == '-')
			eneg = *q++ == '-';
		if (*q >= '0' && *q <= '9') {
			int64_t x = 0;
			for (; *q >= '0' && *q <= '9'; q++)
				if (x < EXP_SATURATE)
					x = x * 10 + (*q - '0');
			e10 += eneg ? -x : x;
			p = q;
		}
	}
	if (end)
		*end = (char *)p;

	double v;
	if (m == 0) {
		v = 0;
	} else if (m <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
		/* Both operands exact: one correctly rounded operation. */
		v = e10 >= 0 ? (double)m * pow10_exact[e10] : (double)m / pow10_exact[-e10];
	} else if (nd + e10 > 310) {
		v = HUGE_VAL;
	} else if (nd + e10 < -343) {
		v = 0;
	} else {
		v = (double)m;
		if (e10 >= 0) {
			for (; e10 > 22; e10 -= 22)
				v *= 1e22;
			v *= pow10_exact[e10];
		} else {
			e10 = -e10;
			for (; e10 > 22; e10 -= 22)
				v /= 1e22;
			v /= pow10_exact[e10];
		}
	}
	return neg ? -v : v;
}
