/*
 * A small, bounded DER reader for the X.509 / CRL layer.
 *
 * A cursor walks the content of one constructed element. Every read checks
 * the length against the bytes left before touching them, rejects the
 * encodings DER forbids (indefinite or non-minimal lengths, high tag numbers)
 * and limits nesting at CV_MAX_DER_DEPTH, so hostile input gets a reason
 * code and a sentence, never a crash, a hang or deep recursion.
 *
 * Failures use the cursor's reason code (CV_CERT_CHAIN_INVALID for
 * certificates, CV_CRL_INVALID for CRLs) and name the document being read
 * ("certificate", "CRL", ...) in the sentence.
 */
#ifndef CV_DER_H
#define CV_DER_H

#include "cv.h"

/* Universal and context tags used by X.509 (single identifier byte). */
#define CV_DER_BOOLEAN      0x01u
#define CV_DER_INTEGER      0x02u
#define CV_DER_BIT_STRING   0x03u
#define CV_DER_OCTET_STRING 0x04u
#define CV_DER_NULL         0x05u
#define CV_DER_OID          0x06u
#define CV_DER_ENUMERATED   0x0Au
#define CV_DER_UTF8_STRING  0x0Cu
#define CV_DER_PRINTABLE    0x13u
#define CV_DER_IA5_STRING   0x16u
#define CV_DER_UTC_TIME     0x17u
#define CV_DER_GEN_TIME     0x18u
#define CV_DER_SEQUENCE     0x30u
#define CV_DER_SET          0x31u
#define CV_DER_CONSTRUCTED  0x20u
#define CV_DER_CTX(n)       (0xA0u | (n)) /* [n] constructed (EXPLICIT) */
#define CV_DER_CTX_PRIM(n)  (0x80u | (n)) /* [n] primitive (IMPLICIT)   */

/* One element: its tag, the whole TLV, and its content. */
typedef struct {
	uint8_t tag;
	cv_bytes tlv;
	cv_bytes val;
} cv_der;

/* A position inside the content of one element (or a whole document). */
typedef struct {
	const uint8_t *p, *end;
	unsigned depth;      /* constructed elements enclosing this content */
	cv_err code;         /* reason code for every failure */
	const char *what;    /* the document, for sentences: "certificate" */
	cv_diag *d;          /* may be NULL */
} cv_der_cur;

/* A cursor over a whole document (depth 0). */
void cv_der_init(cv_der_cur *c, const uint8_t *buf, size_t len, cv_err code, const char *what,
	cv_diag *d);

/* 1 when every byte has been read. */
int cv_der_at_end(const cv_der_cur *c);

/* The next element's tag, or -1 at the end (does not advance). */
int cv_der_peek(const cv_der_cur *c);

/* Read the next element, whatever its tag. field names it in sentences. */
cv_err cv_der_next(cv_der_cur *c, cv_der *el, const char *field);

/* Read the next element, which must have this tag. */
cv_err cv_der_expect(cv_der_cur *c, uint8_t tag, cv_der *el, const char *field);

/* Read the next element only when it has this tag: sets *present. */
cv_err cv_der_optional(cv_der_cur *c, uint8_t tag, cv_der *el, int *present, const char *field);

/* A cursor over el's content, one level deeper (fails past CV_MAX_DER_DEPTH). */
cv_err cv_der_enter(const cv_der_cur *c, const cv_der *el, cv_der_cur *inner, const char *field);

/* Read a constructed element with this tag and enter it. */
cv_err cv_der_expect_enter(cv_der_cur *c, uint8_t tag, cv_der_cur *inner, cv_der *el,
	const char *field);

/* Fail when bytes are left after the last expected element. */
cv_err cv_der_expect_end(const cv_der_cur *c, const char *field);

/*
 * Walk every element left in the cursor, descending into each constructed
 * one, and check that all lengths nest exactly and no element is nested
 * deeper than CV_MAX_DER_DEPTH. Does not advance c. Recursion is bounded by
 * the depth limit.
 */
cv_err cv_der_check_tree(const cv_der_cur *c);

/* 1 when el is an OBJECT IDENTIFIER whose content bytes equal oid. */
int cv_der_oid_eq(const cv_der *el, const uint8_t *oid, size_t oid_len);

/* A non-negative, minimally encoded INTEGER or ENUMERATED (el->tag is not
 * checked here) with value <= max. */
cv_err cv_der_small_uint(const cv_der_cur *c, const cv_der *el, uint32_t max, uint32_t *out,
	const char *field);

/* A UTCTime or GeneralizedTime element to unix seconds. */
cv_err cv_der_time(cv_der_cur *c, int64_t *out, const char *field);

/* A DER BOOLEAN's value (content 0x00 or 0xFF only). */
cv_err cv_der_bool(const cv_der_cur *c, const cv_der *el, int *out, const char *field);

/* Compare two INTEGER contents by value for positive numbers: leading 0x00
 * bytes are ignored on both sides. */
int cv_der_int_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
