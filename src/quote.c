/*
 * Quote parser: header gates, the body (SGX report, TD report 1.0 / 1.5),
 * and the signature data of v3 and v4/v5 (docs/checks.md Step 3).
 *
 * Truncation versus malformation: anything a valid quote cut short would
 * produce is CV_QUOTE_TRUNCATED; a length above the 1 MiB cap, or lengths
 * inside the (complete) signature data that do not add up, is
 * CV_QUOTE_MALFORMED. Nothing is allocated.
 */
#include <string.h>

#include "quote.h"
#include "util.h"

const uint8_t cv_intel_qe_vendor_id[16] = {
	0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
	0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
};

#define HEADER_LEN 48u
#define V5_DESC_LEN 6u

const char *cv_quote_tee_name(const cv_quote *q)
{
	return q->tee_type == CV_TEE_TDX ? "TDX" : "SGX";
}

void cv_enclave_report_parse(const uint8_t *p, cv_enclave_report *r)
{
	r->raw = p;
	r->cpu_svn = p + CV_ER_CPU_SVN;
	r->misc_select_raw = p + CV_ER_MISC_SELECT;
	r->misc_select = cv_le32(p + CV_ER_MISC_SELECT);
	r->attributes = p + CV_ER_ATTRIBUTES;
	r->mr_enclave = p + CV_ER_MR_ENCLAVE;
	r->mr_signer = p + CV_ER_MR_SIGNER;
	r->isv_prod_id = cv_le16(p + CV_ER_ISV_PROD_ID);
	r->isv_svn = cv_le16(p + CV_ER_ISV_SVN);
	r->report_data = p + CV_ER_REPORT_DATA;
}

static void td_report_parse(const uint8_t *p, int td15, cv_td_report *t)
{
	t->tee_tcb_svn = p + CV_TD_TEE_TCB_SVN;
	t->mr_seam = p + CV_TD_MR_SEAM;
	t->mr_signer_seam = p + CV_TD_MR_SIGNER_SEAM;
	t->seam_attributes = p + CV_TD_SEAM_ATTRIBUTES;
	t->td_attributes = p + CV_TD_TD_ATTRIBUTES;
	t->xfam = p + CV_TD_XFAM;
	t->mr_td = p + CV_TD_MR_TD;
	t->mr_config_id = p + CV_TD_MR_CONFIG_ID;
	t->mr_owner = p + CV_TD_MR_OWNER;
	t->mr_owner_config = p + CV_TD_MR_OWNER_CONFIG;
	for (int i = 0; i < 4; i++)
		t->rtmr[i] = p + CV_TD_RTMR0 + CV_MEASUREMENT_LEN * i;
	t->report_data = p + CV_TD_REPORT_DATA;
	t->tee_tcb_svn2 = td15 ? p + CV_TD15_TEE_TCB_SVN2 : NULL;
	t->mr_servicetd = td15 ? p + CV_TD15_MR_SERVICETD : NULL;
}

/* A bounded cursor over the signature data. Running past its end means the
 * declared sizes are inconsistent: the signature data itself is complete. */
typedef struct {
	const uint8_t *p;
	size_t left;
} cursor;

static const uint8_t *take(cursor *c, size_t n)
{
	if (n > c->left)
		return NULL;
	const uint8_t *r = c->p;
	c->p += n;
	c->left -= n;
	return r;
}

static int known_inner_type(unsigned t)
{
	return t >= CV_CERT_PPID_CLEAR && t <= CV_CERT_PLATFORM_MANIFEST && t != CV_CERT_QE_REPORT;
}

/* QE report, its signature, QE auth data and the (inner) certification
 * data: the part shared by v3 (directly) and v4/v5 (inside type 6). The
 * cursor must be consumed exactly. what names the container in messages. */
static cv_err parse_qe_part(cursor *c, cv_quote *q, const char *what, cv_diag *d)
{
	const uint8_t *qe = take(c, 384), *qsig = qe ? take(c, 64) : NULL, *nlen = qsig ? take(c, 2) : NULL;
	if (!nlen)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The %s is too small for the QE report, its signature and the QE auth data size.", what);
	cv_enclave_report_parse(qe, &q->qe_report);
	q->qe_report_sig = qsig;
	size_t n = cv_le16(nlen);
	q->qe_auth = take(c, n);
	if (!q->qe_auth)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The QE auth data size (%u bytes) runs past the end of the %s (%u bytes left).",
			(unsigned)n, what, (unsigned)c->left);
	q->qe_auth_len = n;
	const uint8_t *th = take(c, 6);
	if (!th)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The %s ends before the certification data type and size.", what);
	unsigned type = cv_le16(th);
	uint32_t m = cv_le32(th + 2);
	if (!known_inner_type(type))
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The certification data type inside the %s is %u; expected 1 to 5 or 7 (5 = PCK certificate chain).",
			what, type);
	q->cert_type = (uint16_t)type;
	q->cert_data = take(c, m);
	if (!q->cert_data)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The certification data size (%U bytes) runs past the end of the %s (%U bytes left).",
			(uint64_t)m, what, (uint64_t)c->left);
	q->cert_data_len = m;
	if (c->left)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The %s has %U bytes after the certification data; its declared size must be filled exactly.",
			what, (uint64_t)c->left);
	return CV_OK;
}

/* Header gates (docs/checks.md Step 3), then where the body sits. */
static cv_err parse_header_and_body(const uint8_t *buf, size_t len, cv_quote *q, size_t *off, cv_diag *d)
{
	if (len < HEADER_LEN)
		return cv_fail(d, CV_QUOTE_TRUNCATED, "The quote is %U bytes, shorter than the 48-byte header.",
			(uint64_t)len);
	q->version = cv_le16(buf + CV_HDR_VERSION);
	q->key_type = cv_le16(buf + CV_HDR_KEY_TYPE);
	q->tee_type = cv_le32(buf + CV_HDR_TEE_TYPE);
	q->qe_svn = cv_le16(buf + CV_HDR_QE_SVN);
	q->pce_svn = cv_le16(buf + CV_HDR_PCE_SVN);
	q->qe_vendor_id = buf + CV_HDR_QE_VENDOR_ID;
	q->user_data = buf + CV_HDR_USER_DATA;

	if (q->version < 3 || q->version > 5)
		return cv_fail(d, CV_QUOTE_UNSUPPORTED_VERSION,
			"Quote version %u is not supported; expected 3 (SGX), 4 or 5 (TDX).", (unsigned)q->version);
	if (q->key_type != 2)
		return cv_fail(d, CV_QUOTE_UNSUPPORTED_KEY_TYPE,
			"Attestation key type %u is not supported; expected 2 (ECDSA P-256).", (unsigned)q->key_type);
	if (q->tee_type != CV_TEE_SGX && q->tee_type != CV_TEE_TDX)
		return cv_fail(d, CV_QUOTE_UNSUPPORTED_TEE,
			"TEE type 0x%H is neither SGX (00000000) nor TDX (00000081).", buf + CV_HDR_TEE_TYPE, (size_t)4);
	/* v5 may carry an SGX body (type 1, Intel's newer line); v3 is SGX only,
	 * v4 TDX only. */
	if (q->tee_type == CV_TEE_SGX && q->version == 4)
		return cv_fail(d, CV_QUOTE_UNSUPPORTED_VERSION,
			"An SGX quote must be version 3 (or 5), got version 4.");
	if (q->tee_type == CV_TEE_TDX && q->version == 3)
		return cv_fail(d, CV_QUOTE_UNSUPPORTED_VERSION, "A TDX quote must be version 4 or 5, got version 3.");
	if (memcmp(q->qe_vendor_id, cv_intel_qe_vendor_id, 16) != 0)
		return cv_fail(d, CV_QUOTE_UNSUPPORTED_TEE,
			"QE vendor ID %H is not Intel's (939a7233f79c4ca9940a0db3957f0607).", q->qe_vendor_id, (size_t)16);

	size_t body_off = HEADER_LEN;
	if (q->version == 3) {
		q->body_type = CV_BODY_SGX;
		q->body_size = CV_BODY_SGX_SIZE;
	} else if (q->version == 4) {
		q->body_type = CV_BODY_TD10;
		q->body_size = CV_BODY_TD10_SIZE;
	} else {
		if (len < HEADER_LEN + V5_DESC_LEN)
			return cv_fail(d, CV_QUOTE_TRUNCATED,
				"The version 5 quote is %U bytes and ends inside its 6-byte body descriptor.", (uint64_t)len);
		q->body_type = cv_le16(buf + HEADER_LEN);
		q->body_size = cv_le32(buf + HEADER_LEN + 2);
		body_off = HEADER_LEN + V5_DESC_LEN;
		uint32_t want;
		switch (q->body_type) {
		case CV_BODY_SGX: want = CV_BODY_SGX_SIZE; break;
		case CV_BODY_TD10: want = CV_BODY_TD10_SIZE; break;
		case CV_BODY_TD15: want = CV_BODY_TD15_SIZE; break;
		case CV_BODY_TD15EX:
			return cv_fail(d, CV_QUOTE_UNSUPPORTED_BODY_TYPE,
				"Body type 4 (TD report 1.5 with relaunch fields) is not supported.");
		default:
			return cv_fail(d, CV_QUOTE_UNSUPPORTED_BODY_TYPE,
				"Body type %u is not supported; expected 1 (SGX), 2 (TD 1.0) or 3 (TD 1.5).",
				(unsigned)q->body_type);
		}
		if ((q->body_type == CV_BODY_SGX) != (q->tee_type == CV_TEE_SGX))
			return cv_fail(d, CV_QUOTE_UNSUPPORTED_BODY_TYPE,
				"Body type %u does not fit TEE type %s.", (unsigned)q->body_type, cv_quote_tee_name(q));
		if (q->body_size != want)
			return cv_fail(d, CV_QUOTE_UNSUPPORTED_BODY_TYPE,
				"Body size %U does not match body type %u (expected %u bytes).",
				(uint64_t)q->body_size, (unsigned)q->body_type, (unsigned)want);
	}
	if (len - body_off < q->body_size)
		return cv_fail(d, CV_QUOTE_TRUNCATED,
			"The quote is %U bytes and ends inside its body: the %U-byte header and %U-byte body need %U bytes.",
			(uint64_t)len, (uint64_t)body_off, (uint64_t)q->body_size, (uint64_t)(body_off + q->body_size));
	q->body = buf + body_off;
	q->signed_len = body_off + q->body_size;
	if (q->body_type == CV_BODY_SGX)
		cv_enclave_report_parse(q->body, &q->sgx);
	else
		td_report_parse(q->body, q->body_type == CV_BODY_TD15, &q->td);
	*off = q->signed_len;
	return CV_OK;
}

cv_err cv_quote_parse(const uint8_t *buf, size_t len, cv_quote *q, cv_diag *d)
{
	memset(q, 0, sizeof *q);
	if (!buf)
		len = 0;
	if (len > CV_MAX_QUOTE_LEN)
		return cv_fail(d, CV_QUOTE_MALFORMED, "The quote is %U bytes, more than the %u-byte limit.",
			(uint64_t)len, (unsigned)CV_MAX_QUOTE_LEN);
	q->raw = buf;
	size_t off = 0;
	cv_err e = parse_header_and_body(buf, len, q, &off, d);
	if (e)
		return e;

	if (len - off < 4)
		return cv_fail(d, CV_QUOTE_TRUNCATED,
			"The quote is %U bytes and ends before the signature data length at byte %U.",
			(uint64_t)len, (uint64_t)off);
	uint32_t sl = cv_le32(buf + off);
	off += 4;
	if (sl > CV_MAX_QUOTE_LEN)
		return cv_fail(d, CV_QUOTE_MALFORMED, "The signature data length %U is absurd (over %u bytes).",
			(uint64_t)sl, (unsigned)CV_MAX_QUOTE_LEN);
	if (len - off < sl)
		return cv_fail(d, CV_QUOTE_TRUNCATED,
			"The quote is %U bytes but its signature data needs %U bytes from byte %U.",
			(uint64_t)len, (uint64_t)sl, (uint64_t)off);
	q->sig_data = buf + off;
	q->sig_data_len = sl;
	q->raw_len = off + sl;

	cursor c = { buf + off, sl };
	q->quote_sig = take(&c, 64);
	q->att_key = q->quote_sig ? take(&c, 64) : NULL;
	if (!q->att_key)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The signature data (%U bytes) is too small for the quote signature and attestation key.",
			(uint64_t)sl);
	if (q->version == 3) {
		e = parse_qe_part(&c, q, "signature data", d);
		q->outer_cert_type = q->cert_type;
		return e;
	}
	const uint8_t *th = take(&c, 6);
	if (!th)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The signature data ends before the certification data type and size.");
	q->outer_cert_type = cv_le16(th);
	uint32_t s = cv_le32(th + 2);
	if (q->outer_cert_type != CV_CERT_QE_REPORT)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The certification data type of a version %u quote is %u; expected 6 (QE report certification data).",
			(unsigned)q->version, (unsigned)q->outer_cert_type);
	if (s != c.left)
		return cv_fail(d, CV_QUOTE_MALFORMED,
			"The QE report certification data declares %U bytes but the signature data holds %U.",
			(uint64_t)s, (uint64_t)c.left);
	return parse_qe_part(&c, q, "QE report certification data", d);
}
