/*
 * Sigstore trusted root parsing (sigstore.h): the transparency logs (Rekor
 * keys with their validity) and the certificate authorities (Fulcio chains
 * with their validity), the certificate transparency logs (SCT keys) and
 * the RFC 3161 timestamp authorities (their signing chains, leaf first).
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "evidence.h"
#include "sigstore.h"
#include "json.h"
#include "util.h"
#include "x509.h"

#define MALFORMED(...) cv_fail(d, CV_PROVENANCE_MALFORMED, __VA_ARGS__)

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* validFor {start, end}: start is required (an interval without a start
 * is malformed, not unbounded); a missing or null end means still valid. */
static cv_err valid_for(const cJSON *vf, int64_t *start, int64_t *end, const char *what, cv_diag *d)
{
	const cJSON *s = get(vf, "start"), *e = get(vf, "end");
	if (!cJSON_IsString(s) || cv_time_parse_rfc3339(s->valuestring, strlen(s->valuestring), start) != 0)
		return MALFORMED("The trusted root's %s has no valid validFor.start.", what);
	*end = CV_SS_TIME_OPEN;
	if (e && !cJSON_IsNull(e) && (!cJSON_IsString(e) || cv_time_parse_rfc3339(e->valuestring, strlen(e->valuestring), end) != 0))
		return MALFORMED("The trusted root's %s has a malformed validFor.end.", what);
	return CV_OK;
}

static cv_err parse_tlog(cv_ss_root *r, const cJSON *tl, cv_ss_tlog *t, cv_diag *d)
{
	const cJSON *pk = get(tl, "publicKey");
	const cJSON *raw = get(pk, "rawBytes");
	const cJSON *kid = get(get(tl, "logId"), "keyId");
	cv_err e;
	memset(t, 0, sizeof *t);
	if (!cJSON_IsString(raw) || !cJSON_IsString(kid))
		return MALFORMED("A transparency log of the trusted root has no public key or log id.");
	size_t n;
	uint8_t *id = cv_ss_b64(&r->arena, kid->valuestring, &n);
	if (!id || n != 32)
		return MALFORMED("A transparency log id of the trusted root is not 32 bytes of base64.");
	memcpy(t->log_id, id, 32);
	if ((e = valid_for(get(pk, "validFor"), &t->start, &t->end, "transparency log key", d)) != CV_OK)
		return e;
	uint8_t *der = cv_ss_b64(&r->arena, raw->valuestring, &n);
	if (!der)
		return MALFORMED("A transparency log key of the trusted root is not valid base64.");
	t->spki.ptr = der;
	t->spki.len = n;
	cv_diag ignore;
	/* Keys of other types (Ed25519: Rekor v2) are kept as unusable: an
	 * entry from that log then fails with a clear sentence. */
	t->usable = cv_ss_key_parse_spki(der, n, &t->key, &ignore) == CV_OK;
	return CV_OK;
}

static cv_err parse_ca(cv_ss_root *r, const cJSON *ca, cv_ss_ca *c, cv_diag *d)
{
	const cJSON *certs = get(get(ca, "certChain"), "certificates");
	memset(c, 0, sizeof *c);
	int n = cJSON_IsArray(certs) ? cJSON_GetArraySize(certs) : -1;
	if (n <= 0 || n > CV_SS_MAX_CA_CERTS)
		return MALFORMED("A certificate authority of the trusted root has no chain, or more than %d certificates.",
			CV_SS_MAX_CA_CERTS);
	for (int i = 0; i < n; i++) {
		const cJSON *raw = get(cJSON_GetArrayItem(certs, i), "rawBytes");
		size_t len;
		uint8_t *der = cJSON_IsString(raw) ? cv_ss_b64(&r->arena, raw->valuestring, &len) : NULL;
		if (!der)
			return MALFORMED("A certificate authority certificate of the trusted root is not valid base64.");
		c->certs[i].ptr = der;
		c->certs[i].len = len;
	}
	c->n_certs = (size_t)n;
	return valid_for(get(ca, "validFor"), &c->start, &c->end, "certificate authority", d);
}

cv_err cv_ss_root_parse(const char *json, size_t len, cv_ss_root *r, cv_diag *d)
{
	memset(r, 0, sizeof *r);
	cJSON *root = cv_json_parse_exact(json, len);
	if (!root)
		return MALFORMED("The trusted root is not valid JSON.");
	cv_err e = CV_OK;
	r->arena.cap = len + 1024;
	r->arena.buf = malloc(r->arena.cap);
	const cJSON *mt = get(root, "mediaType");
	const cJSON *tlogs = get(root, "tlogs"), *cas = get(root, "certificateAuthorities");
	if (!r->arena.buf)
		e = cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
	else if (!cJSON_IsString(mt) ||
		(strcmp(mt->valuestring, "application/vnd.dev.sigstore.trustedroot+json;version=0.1") != 0 &&
			strcmp(mt->valuestring, "application/vnd.dev.sigstore.trustedroot.v0.2+json") != 0))
		e = MALFORMED("The trusted root's media type is missing or not a supported version.");
	else if (!cJSON_IsArray(tlogs) || !cJSON_IsArray(cas))
		e = MALFORMED("The trusted root has no tlogs or certificateAuthorities.");
	else if (cJSON_GetArraySize(tlogs) > CV_SS_MAX_TLOGS || cJSON_GetArraySize(cas) > CV_SS_MAX_CAS)
		e = MALFORMED("The trusted root has more logs or authorities than this verifier reads.");
	const cJSON *ctlogs = get(root, "ctlogs");
	if (e == CV_OK && ctlogs && (!cJSON_IsArray(ctlogs) || cJSON_GetArraySize(ctlogs) > CV_SS_MAX_TLOGS))
		e = MALFORMED("The trusted root's ctlogs is not a list of at most %d logs.", CV_SS_MAX_TLOGS);
	for (const cJSON *t = e == CV_OK ? tlogs->child : NULL; t && e == CV_OK; t = t->next)
		e = parse_tlog(r, t, &r->tlogs[r->n_tlogs++], d);
	for (const cJSON *t = e == CV_OK && ctlogs ? ctlogs->child : NULL; t && e == CV_OK; t = t->next)
		e = parse_tlog(r, t, &r->ctlogs[r->n_ctlogs++], d);
	for (const cJSON *c = e == CV_OK ? cas->child : NULL; c && e == CV_OK; c = c->next)
		e = parse_ca(r, c, &r->cas[r->n_cas++], d);
	const cJSON *tsas = get(root, "timestampAuthorities");
	if (e == CV_OK && tsas && (!cJSON_IsArray(tsas) || cJSON_GetArraySize(tsas) > CV_SS_MAX_CAS))
		e = MALFORMED("The trusted root's timestampAuthorities is not a list of at most %d.", CV_SS_MAX_CAS);
	for (const cJSON *c = e == CV_OK && tsas ? tsas->child : NULL; c && e == CV_OK; c = c->next)
		e = parse_ca(r, c, &r->tsas[r->n_tsas++], d);
	cJSON_Delete(root);
	if (e != CV_OK)
		cv_ss_root_free(r);
	return e;
}

void cv_ss_root_free(cv_ss_root *r)
{
	free(r->arena.buf);
	memset(r, 0, sizeof *r);
}
