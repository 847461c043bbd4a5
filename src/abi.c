/* The eth_call shape and 32-byte-word ABI of abi.h. */
#include <string.h>

#include "abi.h"
#include "util.h"

void cv_abi_encode_call(uint32_t selector, const uint8_t *arg_word, cv_abi_calldata *out)
{
	out->b[0] = (uint8_t)(selector >> 24);
	out->b[1] = (uint8_t)(selector >> 16);
	out->b[2] = (uint8_t)(selector >> 8);
	out->b[3] = (uint8_t)selector;
	out->len = 4;
	if (arg_word) {
		memcpy(out->b + 4, arg_word, CV_ABI_WORD);
		out->len += CV_ABI_WORD;
	}
}

void cv_abi_address_word(const uint8_t addr[20], uint8_t word[CV_ABI_WORD])
{
	memset(word, 0, 12);
	memcpy(word + 12, addr, 20);
}

/* A static return value is exactly one word: anything longer or shorter is
 * not what the function returns (a proxy without the function, or a lie). */
static cv_err one_word(size_t len, const char *what, cv_diag *d)
{
	if (len == 0)
		return cv_fail(d, CV_CONTRACT_MISSING, "%s returned no data (0x): there is no contract code at that address", what);
	if (len != CV_ABI_WORD)
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s returned %u bytes where the ABI gives exactly one 32-byte word", what,
			(unsigned)len);
	return CV_OK;
}

cv_err cv_abi_decode_bool(const uint8_t *ret, size_t len, const char *what, int *out, cv_diag *d)
{
	cv_err e = one_word(len, what, d);
	if (e)
		return e;
	if (!cv_is_zero(ret, CV_ABI_WORD - 1) || ret[CV_ABI_WORD - 1] > 1)
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s returned %H, which is not an ABI bool (only 0 or 1)", what, ret,
			(size_t)CV_ABI_WORD);
	*out = ret[CV_ABI_WORD - 1];
	return CV_OK;
}

cv_err cv_abi_decode_address(const uint8_t *ret, size_t len, const char *what, uint8_t out[20], cv_diag *d)
{
	cv_err e = one_word(len, what, d);
	if (e)
		return e;
	if (!cv_is_zero(ret, 12))
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s returned %H, which is not an ABI address (upper 12 bytes must be zero)",
			what, ret, (size_t)CV_ABI_WORD);
	memcpy(out, ret + 12, 20);
	return CV_OK;
}

cv_err cv_abi_decode_bytes32(const uint8_t *ret, size_t len, const char *what, uint8_t out[32], cv_diag *d)
{
	cv_err e = one_word(len, what, d);
	if (e)
		return e;
	memcpy(out, ret, CV_ABI_WORD);
	return CV_OK;
}

/* A word read as an unsigned integer; -1 when it does not fit in 64 bits. */
static int word_u64(const uint8_t *w, uint64_t *out)
{
	if (!cv_is_zero(w, CV_ABI_WORD - 8))
		return -1;
	uint64_t v = 0;
	for (size_t i = CV_ABI_WORD - 8; i < CV_ABI_WORD; i++)
		v = v << 8 | w[i];
	*out = v;
	return 0;
}

cv_err cv_abi_decode_uint64(const uint8_t *ret, size_t len, const char *what, uint64_t *out, cv_diag *d)
{
	cv_err e = one_word(len, what, d);
	if (e)
		return e;
	if (word_u64(ret, out))
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s returned an integer wider than 64 bits", what);
	return CV_OK;
}

cv_err cv_abi_decode_bytes_field(const uint8_t *ret, size_t len, size_t nfields, size_t index,
	const char *what, cv_bytes *out, cv_diag *d)
{
	if (len == 0)
		return cv_fail(d, CV_CONTRACT_MISSING, "%s returned no data (0x): there is no contract code at that address", what);
	if (index >= nfields || nfields > len / CV_ABI_WORD || len % CV_ABI_WORD)
		return cv_fail(d, CV_CHAIN_UNAVAILABLE,
			"%s returned %u bytes: not a whole number of words holding a %u-field head", what, (unsigned)len,
			(unsigned)nfields);
	uint64_t off, n;
	if (word_u64(ret + index * CV_ABI_WORD, &off) || off % CV_ABI_WORD || off < nfields * CV_ABI_WORD ||
		off > len - CV_ABI_WORD)
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s: field %u's offset points outside the answer's tail", what,
			(unsigned)index);
	/* Compare before adding: off and n come from the endpoint. */
	size_t room = len - (size_t)off - CV_ABI_WORD;
	if (word_u64(ret + off, &n) || n > room)
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s: field %u's length runs past the end of the answer", what,
			(unsigned)index);
	size_t padded = ((size_t)n + CV_ABI_WORD - 1) / CV_ABI_WORD * CV_ABI_WORD;
	const uint8_t *data = ret + off + CV_ABI_WORD;
	if (padded > room || !cv_is_zero(data + n, padded - (size_t)n))
		return cv_fail(d, CV_CHAIN_UNAVAILABLE, "%s: field %u is not zero-padded to a whole word", what,
			(unsigned)index);
	out->ptr = data;
	out->len = (size_t)n;
	return CV_OK;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cv_abi_parse_quantity(const char *s, uint64_t *out)
{
	if (!s || s[0] != '0' || s[1] != 'x')
		return -1;
	s += 2;
	size_t n = strlen(s);
	if (n == 0 || n > 16 || (n > 1 && s[0] == '0'))
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint64_t)h;
	}
	*out = v;
	return 0;
}

int cv_abi_parse_data(const char *s, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!s || s[0] != '0' || s[1] != 'x')
		return -1;
	s += 2;
	size_t n = strlen(s);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = n / 2;
	return 0;
}

int cv_abi_parse_address(const char *s, uint8_t out[20])
{
	size_t n;
	if (!s || strlen(s) != 42 || cv_abi_parse_data(s, out, 20, &n) || n != 20)
		return -1;
	return 0;
}

void cv_abi_hex0x(const uint8_t *b, size_t n, char *out)
{
	out[0] = '0';
	out[1] = 'x';
	cv_hex_encode(b, n, out + 2);
}
