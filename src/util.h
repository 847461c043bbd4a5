/*
 * Small helpers shared by every module: hex, little-endian reads, time.
 */
#ifndef CV_UTIL_H
#define CV_UTIL_H

#include "cv.h"

/* Little-endian reads; the caller has checked the bounds. */
static inline uint16_t cv_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t cv_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t cv_le64(const uint8_t *p)
{
	return (uint64_t)cv_le32(p) | ((uint64_t)cv_le32(p + 4) << 32);
}

/* Lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void cv_hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decode hex text (either case, optional "0x"/"0X" prefix, surrounding ASCII
 * white space ignored) into out. Returns the number of bytes written, or
 * (size_t)-1 when the text is not even-length hex or does not fit in cap.
 */
size_t cv_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t cap);

/* True when every byte is zero. */
int cv_is_zero(const uint8_t *p, size_t len);

/* Constant-time-irrelevant equality of two byte ranges. */
int cv_bytes_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/*
 * Time: unix seconds as int64_t.
 * RFC 3339 "2025-06-19T10:16:03Z" (fraction and numeric offsets accepted).
 * Returns 0 on success, -1 on a malformed or out-of-range value.
 */
int cv_time_parse_rfc3339(const char *s, size_t len, int64_t *out);
/* ASN.1 UTCTime (tag 0x17, YYMMDDHHMMSSZ) or GeneralizedTime (0x18,
 * YYYYMMDDHHMMSSZ). */
int cv_time_parse_asn1(int tag, const uint8_t *s, size_t len, int64_t *out);
/* "2025-06-19T10:16:03Z" into out (at least 21 bytes). */
void cv_time_format(int64_t t, char *out);
/* Days from civil date (proleptic Gregorian) to unix seconds. */
int64_t cv_time_from_civil(int y, int mo, int d, int h, int mi, int s);

#endif
