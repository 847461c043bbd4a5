/*
 * Sigstore bundle parsing (sigstore.h): the media types v0.1 to v0.3, the
 * verification material (certificate, chain or public key hint), the one
 * Rekor v1 transparency log entry, and the content (message signature or
 * DSSE envelope). Only shapes are checked here; sigstore_verify.c judges.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "evidence.h"
#include "json.h"
#include "sigstore.h"
#include "x509.h"

void *cv_ss_alloc(cv_ss_arena *a, size_t n)
{
	n = (n + 7u) & ~(size_t)7u;
	if (n > a->cap - a->used)
		return NULL;
	void *p = a->buf + a->used;
	a->used += n;
	return p;
}

uint8_t *cv_ss_b64(cv_ss_arena *a, const char *s, size_t *out_len)
{
	size_t n = strlen(s);
	size_t cap = n / 4 * 3 + 3;
	uint8_t *p = cv_ss_alloc(a, cap + 1);
	if (!p)
		return NULL;
	size_t got = cv_base64_decode(s, n, p, cap);
	if (got == (size_t)-1)
		return NULL;
	*out_len = got;
	return p;
}

size_t cv_ss_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t need = (n + 2) / 3 * 4;
	if (cap < need + 1)
		return (size_t)-1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = A[v >> 18 & 63];
		out[o++] = A[v >> 12 & 63];
		out[o++] = i + 1 < n ? A[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? A[v & 63] : '=';
	}
	out[o] = 0;
	return o;
}

size_t cv_ss_pem_decode(const char *text, size_t len, const char *label, uint8_t *out, size_t cap)
{
	char begin[64], end[64];
	size_t bl = cv_format(begin, sizeof begin, "-----BEGIN %s-----", label);
	size_t el = cv_format(end, sizeof end, "-----END %s-----", label);
	const char *b = NULL;
	for (size_t i = 0; i + bl <= len; i++)
		if (memcmp(text + i, begin, bl) == 0) {
			b = text + i + bl;
			break;
		}
	if (!b)
		return (size_t)-1;
	size_t rest = len - (size_t)(b - text);
	for (size_t i = 0; i + el <= rest; i++)
		if (memcmp(b + i, end, el) == 0)
			return cv_base64_decode(b, i, out, cap);
	return (size_t)-1;
}

int cv_ss_parse_i64(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	if (!s || !s[0])
		return -1;
	for (; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i > 1 && s[0] == '0')
		return -1;
	*out = v;
	return 0;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An int64 field: protobuf JSON writes them as strings; numbers are accepted too. */
static int get_i64(const cJSON *o, const char *k, int64_t *out)
{
	const cJSON *v = get(o, k);
	if (cJSON_IsString(v))
		return cv_ss_parse_i64(v->valuestring, out);
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15 &&
		(double)(int64_t)v->valuedouble == v->valuedouble) {
		*out = (int64_t)v->valuedouble;
		return 0;
	}
	return -1;
}

#define MALFORMED(...) cv_fail(d, CV_PROVENANCE_MALFORMED, __VA_ARGS__)

static cv_err b64_field(cv_ss_arena *a, const cJSON *o, const char *k, cv_bytes *out, const char *what, cv_diag *d)
{
	const char *s = get_str(o, k);
	if (!s)
		return MALFORMED("The bundle has no %s.", what);
	size_t n;
	uint8_t *p = cv_ss_b64(a, s, &n);
	if (!p)
		return MALFORMED("The bundle's %s is not valid base64.", what);
	out->ptr = p;
	out->len = n;
	return CV_OK;
}

static cv_err parse_material(cv_ss_bundle *b, const cJSON *vm, cv_diag *d)
{
	const cJSON *chain = get(vm, "x509CertificateChain");
	const cJSON *cert = get(vm, "certificate");
	const cJSON *pk = get(vm, "publicKey");
	cv_err e;
	if ((chain != NULL) + (cert != NULL) + (pk != NULL) != 1)
		return MALFORMED("The bundle's verification material must hold exactly one of a certificate, a certificate chain or a public key.");
	if (pk) {
		b->material = CV_SS_MAT_KEY;
		return CV_OK;
	}
	b->material = CV_SS_MAT_CERT;
	if (cert) {
		if (b->minor < 3)
			return MALFORMED("A single certificate is a v0.3 bundle field; this bundle is v0.%d.", b->minor);
		return b64_field(&b->arena, cert, "rawBytes", &b->leaf, "certificate", d);
	}
	if (b->minor >= 3)
		return MALFORMED("A v0.3 bundle carries a single certificate, not a chain.");
	const cJSON *certs = get(chain, "certificates");
	int n = cJSON_IsArray(certs) ? cJSON_GetArraySize(certs) : -1;
	if (n <= 0)
		return MALFORMED("The bundle's certificate chain is empty.");
	if (n > CV_SS_MAX_CA_CERTS)
		return MALFORMED("The bundle's certificate chain has more than %d certificates.", CV_SS_MAX_CA_CERTS);
	for (int i = 0; i < n; i++) {
		cv_bytes der;
		if ((e = b64_field(&b->arena, cJSON_GetArrayItem(certs, i), "rawBytes", &der, "chain certificate", d)) != CV_OK)
			return e;
		if (i == 0) {
			b->leaf = der;
			continue;
		}
		/* The chain must stop below the root: a root in the bundle could be
		 * mistaken for a trust anchor (only the trusted root supplies those). */
		cv_ss_cert c;
		cv_diag ignore;
		if (cv_ss_cert_parse(der.ptr, der.len, &c, &ignore) != CV_OK)
			return MALFORMED("Certificate %d of the bundle's chain does not parse.", i);
		if (c.issuer.len == c.subject.len && memcmp(c.issuer.ptr, c.subject.ptr, c.issuer.len) == 0)
			b->chain_has_root = 1;
	}
	return CV_OK;
}

static cv_err parse_tlog(cv_ss_bundle *b, const cJSON *vm, cv_diag *d)
{
	const cJSON *entries = get(vm, "tlogEntries");
	cv_ss_tlog_entry *t = &b->tlog;
	cv_bytes x;
	cv_err e;
	int n = cJSON_IsArray(entries) ? cJSON_GetArraySize(entries) : -1;
	if (n <= 0)
		return MALFORMED("The bundle has no transparency log entry.");
	if (n > 1)
		return MALFORMED("The bundle has %d transparency log entries; this verifier expects exactly one.", n);
	const cJSON *te = cJSON_GetArrayItem(entries, 0);
	const char *idx = get_str(te, "logIndex");
	if (idx && idx[0] == '-')
		return MALFORMED("The bundle's log index is negative.");
	if (get_i64(te, "logIndex", &t->log_index) != 0)
		return MALFORMED("The bundle's log index is missing or not a non-negative integer.");
	if ((e = b64_field(&b->arena, get(te, "logId"), "keyId", &x, "log id", d)) != CV_OK)
		return e;
	if (x.len != 32)
		return MALFORMED("The bundle's log id is not 32 bytes.");
	memcpy(t->log_id, x.ptr, 32);
	const cJSON *kv = get(te, "kindVersion");
	const char *kind = get_str(kv, "kind"), *ver = get_str(kv, "version");
	if (!kind || !ver || strlen(kind) >= sizeof t->kind || strlen(ver) >= sizeof t->version)
		return MALFORMED("The bundle's log entry has no kind and version.");
	memcpy(t->kind, kind, strlen(kind) + 1);
	memcpy(t->version, ver, strlen(ver) + 1);
	if (get_i64(te, "integratedTime", &t->integrated_time) != 0)
		return MALFORMED("The bundle's log entry has no integrated time (Rekor v2 entries are not supported).");
	const cJSON *promise = get(te, "inclusionPromise");
	if (promise) {
		if ((e = b64_field(&b->arena, promise, "signedEntryTimestamp", &t->set, "signed entry timestamp", d)) != CV_OK)
			return e;
		t->has_set = 1;
	}
	const cJSON *proof = get(te, "inclusionProof");
	if (proof) {
		t->has_proof = 1;
		if (get_i64(proof, "logIndex", &t->proof_index) != 0 || get_i64(proof, "treeSize", &t->tree_size) != 0)
			return MALFORMED("The bundle's inclusion proof has no valid index or tree size.");
		if ((e = b64_field(&b->arena, proof, "rootHash", &x, "inclusion proof root hash", d)) != CV_OK)
			return e;
		if (x.len != 32)
			return MALFORMED("The inclusion proof's root hash is not 32 bytes.");
		memcpy(t->root_hash, x.ptr, 32);
		const cJSON *hashes = get(proof, "hashes");
		int nh = cJSON_IsArray(hashes) ? cJSON_GetArraySize(hashes) : -1;
		if (nh < 0 || nh > CV_SS_MAX_PROOF_HASHES)
			return MALFORMED("The inclusion proof's hashes are missing or too many.");
		t->hashes = cv_ss_alloc(&b->arena, (size_t)nh * 32 + 1);
		if (!t->hashes)
			return cv_fail(d, CV_OUT_OF_MEMORY, "The bundle is too large for its buffer.");
		t->n_hashes = (size_t)nh;
		for (int i = 0; i < nh; i++) {
			const cJSON *h = cJSON_GetArrayItem(hashes, i);
			size_t hl;
			uint8_t *hp = cJSON_IsString(h) ? cv_ss_b64(&b->arena, h->valuestring, &hl) : NULL;
			if (!hp || hl != 32)
				return MALFORMED("Inclusion proof hash %d is not 32 bytes of base64.", i);
			memcpy(t->hashes[i], hp, 32);
		}
		const char *cp = get_str(get(proof, "checkpoint"), "envelope");
		if (cp) {
			size_t cl = strlen(cp);
			char *c = cv_ss_alloc(&b->arena, cl + 1);
			if (!c)
				return cv_fail(d, CV_OUT_OF_MEMORY, "The bundle is too large for its buffer.");
			memcpy(c, cp, cl + 1);
			t->checkpoint = c;
		}
	}
	return b64_field(&b->arena, te, "canonicalizedBody", &t->body, "log entry body", d);
}

static cv_err parse_content(cv_ss_bundle *b, const cJSON *root, cv_diag *d)
{
	const cJSON *ms = get(root, "messageSignature");
	const cJSON *env = get(root, "dsseEnvelope");
	cv_bytes x;
	cv_err e;
	if ((ms != NULL) == (env != NULL))
		return MALFORMED("The bundle must hold exactly one of a message signature or a DSSE envelope.");
	if (ms) {
		const cJSON *md = get(ms, "messageDigest");
		if (md) {
			const char *alg = get_str(md, "algorithm");
			if (!alg || strcmp(alg, "SHA2_256") != 0)
				return MALFORMED("The bundle's message digest is not SHA2_256.");
			if ((e = b64_field(&b->arena, md, "digest", &x, "message digest", d)) != CV_OK)
				return e;
			if (x.len != 32)
				return MALFORMED("The bundle's message digest is not 32 bytes.");
			memcpy(b->digest, x.ptr, 32);
			b->has_digest = 1;
		}
		return b64_field(&b->arena, ms, "signature", &b->sig, "signature", d);
	}
	b->is_dsse = 1;
	const char *pt = get_str(env, "payloadType");
	if (!pt || strlen(pt) >= sizeof b->payload_type)
		return MALFORMED("The DSSE envelope has no payload type.");
	memcpy(b->payload_type, pt, strlen(pt) + 1);
	if ((e = b64_field(&b->arena, env, "payload", &b->payload, "DSSE payload", d)) != CV_OK)
		return e;
	const cJSON *sigs = get(env, "signatures");
	if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1)
		return MALFORMED("The DSSE envelope must carry exactly one signature.");
	return b64_field(&b->arena, cJSON_GetArrayItem(sigs, 0), "sig", &b->sig, "DSSE signature", d);
}

static int media_minor(const char *mt)
{
	if (!mt)
		return -1;
	if (strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.1") == 0)
		return 1;
	if (strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.2") == 0)
		return 2;
	if (strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.3") == 0 ||
		strcmp(mt, "application/vnd.dev.sigstore.bundle.v0.3+json") == 0)
		return 3;
	return -1;
}

cv_err cv_ss_bundle_parse(const char *json, size_t len, cv_ss_bundle *b, cv_diag *d)
{
	memset(b, 0, sizeof *b);
	cJSON *root = cv_json_parse_exact(json, len);
	if (!root)
		return MALFORMED("The bundle is not valid JSON.");
	cv_err e = CV_OK;
	b->arena.cap = len + 1024;
	b->arena.buf = malloc(b->arena.cap);
	if (!b->arena.buf) {
		cJSON_Delete(root);
		return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
	}
	b->minor = media_minor(get_str(root, "mediaType"));
	const cJSON *vm = get(root, "verificationMaterial");
	if (!cJSON_IsObject(root))
		e = MALFORMED("The bundle is not a JSON object.");
	else if (b->minor < 0)
		e = MALFORMED("The bundle's media type is missing or not a supported version (0.1, 0.2, 0.3).");
	else if (!cJSON_IsObject(vm))
		e = MALFORMED("The bundle has no verification material.");
	else if ((e = parse_material(b, vm, d)) == CV_OK && (e = parse_tlog(b, vm, d)) == CV_OK &&
		(e = parse_content(b, root, d)) == CV_OK) {
		const cJSON *ts = get(get(vm, "timestampVerificationData"), "rfc3161Timestamps");
		if (ts && (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) > (int)(sizeof b->tsa / sizeof b->tsa[0])))
			e = MALFORMED("The bundle's RFC 3161 timestamps are not a list of at most 4.");
		for (const cJSON *t = e == CV_OK && ts ? ts->child : NULL; t && e == CV_OK; t = t->next)
			e = b64_field(&b->arena, t, "signedTimestamp", &b->tsa[b->n_tsa++], "RFC 3161 timestamp", d);
	}
	cJSON_Delete(root);
	if (e != CV_OK)
		cv_ss_bundle_free(b);
	return e;
}

void cv_ss_bundle_free(cv_ss_bundle *b)
{
	free(b->arena.buf);
	memset(b, 0, sizeof *b);
}
