/*
 * Rekor v1 transparency log checks (sigstore.h): which log of the trusted
 * root holds the entry, its signed entry timestamp (SET), the RFC 6962
 * inclusion proof and its signed checkpoint, and the agreement of the
 * logged body with the bundle. Why each matters: docs/provenance.md.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "crypto.h"
#include "evidence.h"
#include "sigstore.h"
#include "json.h"
#include "util.h"
#include "x509.h"

#define INVALID(...) cv_fail(d, CV_PROVENANCE_INVALID, __VA_ARGS__)

static const cv_ss_tlog *find_log(const cv_ss_root *root, const uint8_t id[32])
{
	for (size_t i = 0; i < root->n_tlogs; i++)
		if (memcmp(root->tlogs[i].log_id, id, 32) == 0)
			return &root->tlogs[i];
	return NULL;
}

/* The SET signs the canonical JSON (keys sorted, no white space) of body,
 * integratedTime, logID (hex) and logIndex. */
static cv_err check_set(const cv_ss_tlog_entry *t, const cv_ss_tlog *log, cv_diag *d)
{
	size_t b64cap = (t->body.len + 2) / 3 * 4 + 1;
	size_t cap = b64cap + 256;
	char *msg = malloc(cap);
	if (!msg)
		return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
	size_t n = cv_format(msg, cap, "{\"body\":\"");
	size_t bl = cv_ss_b64_encode(t->body.ptr, t->body.len, msg + n, cap - n);
	if (bl == (size_t)-1) {
		free(msg);
		return cv_fail(d, CV_INTERNAL, "The SET buffer was sized wrongly.");
	}
	n += bl;
	n += cv_format(msg + n, cap - n, "\",\"integratedTime\":%I,\"logID\":\"%H\",\"logIndex\":%I}",
		t->integrated_time, t->log_id, (size_t)32, t->log_index);
	int ok = n < cap - 1 && cv_ss_verify(&log->key, CV_SS_HASH_SHA256, (const uint8_t *)msg, n, t->set.ptr, t->set.len);
	free(msg);
	if (!ok)
		return INVALID("The transparency log's signed entry timestamp does not verify under the log key.");
	return CV_OK;
}

static void node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	cv_sha256_ctx c;
	uint8_t one = 1;
	cv_sha256_init(&c);
	cv_sha256_update(&c, &one, 1);
	cv_sha256_update(&c, l, 32);
	cv_sha256_update(&c, r, 32);
	cv_sha256_final(&c, out);
}

/* RFC 6962 / RFC 9162 inclusion proof verification: recompute the root from
 * the leaf hash, the leaf index and the audit path. */
static cv_err check_proof(const cv_ss_tlog_entry *t, cv_diag *d)
{
	uint8_t r[32];
	cv_sha256_ctx c;
	uint8_t zero = 0;
	if (t->proof_index < 0 || t->tree_size <= 0 || t->proof_index >= t->tree_size)
		return INVALID("The inclusion proof's leaf index %I is outside the tree of size %I.", t->proof_index,
			t->tree_size);
	cv_sha256_init(&c);
	cv_sha256_update(&c, &zero, 1);
	cv_sha256_update(&c, t->body.ptr, t->body.len);
	cv_sha256_final(&c, r);
	uint64_t fn = (uint64_t)t->proof_index, sn = (uint64_t)t->tree_size - 1;
	for (size_t i = 0; i < t->n_hashes; i++) {
		if (sn == 0)
			return INVALID("The inclusion proof has more hashes than its tree needs.");
		if ((fn & 1) || fn == sn) {
			node_hash(t->hashes[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			node_hash(r, t->hashes[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(r, t->root_hash, 32) != 0)
		return INVALID("The inclusion proof does not lead from the log entry to the proof's root hash.");
	return CV_OK;
}

/*
 * The checkpoint is a signed note: "origin\nsize\nbase64(root)\n[extra lines]\n"
 * then a blank line, then signature lines "— name base64(keyhint(4) || sig)".
 * A signature counts when its key hint is the log id's first four bytes
 * and it verifies under the log key over the note text.
 */
static cv_err check_checkpoint(const cv_ss_tlog_entry *t, const cv_ss_tlog *log, cv_diag *d)
{
	const char *cp = t->checkpoint;
	const char *sep = strstr(cp, "\n\n");
	if (!sep)
		return INVALID("The checkpoint has no signature section.");
	size_t note_len = (size_t)(sep - cp) + 1;
	/* Lines: origin, size, root hash. */
	const char *l1 = memchr(cp, '\n', note_len);
	const char *l2 = l1 ? memchr(l1 + 1, '\n', note_len - (size_t)(l1 + 1 - cp)) : NULL;
	const char *l3 = l2 ? memchr(l2 + 1, '\n', note_len - (size_t)(l2 + 1 - cp)) : NULL;
	if (!l1 || !l2 || !l3 || l1 == cp)
		return INVALID("The checkpoint does not have an origin, a size and a root hash.");
	char size_s[24];
	size_t sl = (size_t)(l2 - l1 - 1);
	int64_t size;
	if (sl == 0 || sl >= sizeof size_s)
		return INVALID("The checkpoint's tree size is malformed.");
	memcpy(size_s, l1 + 1, sl);
	size_s[sl] = 0;
	if (cv_ss_parse_i64(size_s, &size) != 0)
		return INVALID("The checkpoint's tree size is malformed.");
	uint8_t root[33];
	if (cv_base64_decode(l2 + 1, (size_t)(l3 - l2 - 1), root, sizeof root) != 32)
		return INVALID("The checkpoint's root hash is not 32 bytes of base64.");
	if (size != t->tree_size || memcmp(root, t->root_hash, 32) != 0)
		return INVALID("The checkpoint is for a different tree (size or root hash) than the inclusion proof.");

	int verified = 0;
	const char *p = sep + 2;
	while (*p && !verified) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		/* "\xe2\x80\x94 " is "— " (U+2014 and a space). */
		if (ll > 4 && memcmp(p, "\xe2\x80\x94 ", 4) == 0) {
			const char *sp = memchr(p + 4, ' ', ll - 4);
			if (sp) {
				uint8_t sig[160];
				size_t sn = cv_base64_decode(sp + 1, ll - (size_t)(sp + 1 - p), sig, sizeof sig);
				if (sn != (size_t)-1 && sn > 4 && memcmp(sig, log->log_id, 4) == 0)
					verified = cv_ss_verify(&log->key, CV_SS_HASH_SHA256, (const uint8_t *)cp, note_len, sig + 4,
						sn - 4);
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	if (!verified)
		return INVALID("No signature of the checkpoint verifies under the transparency log's key.");
	return CV_OK;
}

cv_err cv_ss_rekor_verify(const cv_ss_bundle *b, const cv_ss_root *root, cv_diag *d)
{
	const cv_ss_tlog_entry *t = &b->tlog;
	const cv_ss_tlog *log = find_log(root, t->log_id);
	cv_err e;
	if (!log)
		return INVALID("The bundle's log entry is from a transparency log that the trusted root does not list.");
	if (!log->usable)
		return INVALID("The bundle's transparency log uses a key type this verifier does not support.");
	if (t->integrated_time < log->start || t->integrated_time > log->end)
		return INVALID("The entry's integrated time %T is outside the log key's validity.", t->integrated_time);
	/* The integrated time is the time the certificate is judged at: only the
	 * SET signs it, so it is required. */
	if (!t->has_set)
		return INVALID("The log entry has no signed entry timestamp, so its integrated time is unproven.");
	if ((e = check_set(t, log, d)) != CV_OK)
		return e;
	/* From v0.2 bundles must carry the inclusion proof; v0.1 may rely on the SET alone. */
	if (!t->has_proof) {
		if (b->minor >= 2)
			return INVALID("The v0.%d bundle's log entry has no inclusion proof.", b->minor);
		return CV_OK;
	}
	if ((e = check_proof(t, d)) != CV_OK)
		return e;
	if (!t->checkpoint) {
		if (b->minor >= 2)
			return INVALID("The inclusion proof has no signed checkpoint.");
		return CV_OK;
	}
	return check_checkpoint(t, log, d);
}

/* ---- body consistency ---- */

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A sha256 {algorithm, value} object equals want. */
static int hash_eq(const cJSON *h, const uint8_t want[32])
{
	const char *alg = get_str(h, "algorithm"), *v = get_str(h, "value");
	uint8_t got[32];
	return alg && v && strcmp(alg, "sha256") == 0 && strlen(v) == 64 && cv_hex_decode(v, 64, got, 32) == 32 &&
		memcmp(got, want, 32) == 0;
}

/* base64 text equals bytes. */
static int b64_eq(const char *s, const cv_bytes *want)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	uint8_t *buf = malloc(n / 4 * 3 + 3);
	if (!buf)
		return 0;
	size_t got = cv_base64_decode(s, n, buf, n / 4 * 3 + 3);
	int ok = got != (size_t)-1 && cv_bytes_eq(buf, got, want->ptr, want->len);
	free(buf);
	return ok;
}

/* base64 of a PEM certificate or public key whose DER equals signer. */
static int pem_b64_eq(const char *s, const cv_bytes *signer)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	char *pem = malloc(n / 4 * 3 + 3);
	uint8_t *der = malloc(n / 4 * 3 + 3);
	int ok = 0;
	if (pem && der) {
		size_t pl = cv_base64_decode(s, n, (uint8_t *)pem, n / 4 * 3 + 3);
		if (pl != (size_t)-1) {
			size_t dl = cv_ss_pem_decode(pem, pl, "CERTIFICATE", der, n / 4 * 3 + 3);
			if (dl == (size_t)-1)
				dl = cv_ss_pem_decode(pem, pl, "PUBLIC KEY", der, n / 4 * 3 + 3);
			ok = dl != (size_t)-1 && cv_bytes_eq(der, dl, signer->ptr, signer->len);
		}
	}
	free(pem);
	free(der);
	return ok;
}

static cv_err body_hashedrekord(const cv_ss_bundle *b, const cJSON *spec, const uint8_t digest[32],
	const cv_bytes *signer, cv_diag *d)
{
	if (b->is_dsse)
		return INVALID("The log entry is a hashedrekord, but the bundle holds a DSSE envelope.");
	if (!hash_eq(get(get(spec, "data"), "hash"), digest))
		return INVALID("The log entry is for a different artifact digest.");
	const cJSON *sig = get(spec, "signature");
	if (!b64_eq(get_str(sig, "content"), &b->sig))
		return INVALID("The log entry holds a different signature than the bundle.");
	if (!pem_b64_eq(get_str(get(sig, "publicKey"), "content"), signer))
		return INVALID("The log entry names a different certificate or key than the bundle.");
	return CV_OK;
}

static cv_err body_dsse(const cv_ss_bundle *b, const cJSON *spec, const cv_bytes *signer, cv_diag *d)
{
	uint8_t ph[32];
	cv_sha256(b->payload.ptr, b->payload.len, ph);
	if (!hash_eq(get(spec, "payloadHash"), ph))
		return INVALID("The log entry is for a different DSSE payload.");
	const cJSON *sigs = get(spec, "signatures");
	if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1)
		return INVALID("The log entry does not hold exactly the envelope's one signature.");
	const cJSON *s = cJSON_GetArrayItem(sigs, 0);
	if (!b64_eq(get_str(s, "signature"), &b->sig))
		return INVALID("The log entry holds a different DSSE signature than the bundle.");
	if (!pem_b64_eq(get_str(s, "verifier"), signer))
		return INVALID("The log entry names a different certificate or key than the bundle.");
	return CV_OK;
}

/* intoto v0.0.2 logs the envelope itself, its signatures base64 of the
 * base64 text. */
static cv_err body_intoto(const cv_ss_bundle *b, const cJSON *spec, const cv_bytes *signer, cv_diag *d)
{
	uint8_t ph[32];
	const cJSON *content = get(spec, "content");
	const cJSON *env = get(content, "envelope");
	cv_sha256(b->payload.ptr, b->payload.len, ph);
	if (!hash_eq(get(content, "payloadHash"), ph))
		return INVALID("The log entry is for a different in-toto payload.");
	const char *pt = get_str(env, "payloadType");
	if (!pt || strcmp(pt, b->payload_type) != 0)
		return INVALID("The log entry's envelope has a different payload type.");
	const cJSON *sigs = get(env, "signatures");
	if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1)
		return INVALID("The log entry does not hold exactly the envelope's one signature.");
	const cJSON *s = cJSON_GetArrayItem(sigs, 0);
	const char *sig = get_str(s, "sig");
	if (!sig)
		return INVALID("The log entry's envelope signature is missing.");
	size_t n = strlen(sig);
	char *inner = malloc(n / 4 * 3 + 4);
	if (!inner)
		return cv_fail(d, CV_OUT_OF_MEMORY, "The verifier ran out of memory.");
	size_t il = cv_base64_decode(sig, n, (uint8_t *)inner, n / 4 * 3 + 3);
	int ok = il != (size_t)-1;
	if (ok) {
		inner[il] = 0;
		ok = strlen(inner) == il && b64_eq(inner, &b->sig);
	}
	free(inner);
	if (!ok)
		return INVALID("The log entry holds a different envelope signature than the bundle.");
	if (!pem_b64_eq(get_str(s, "publicKey"), signer))
		return INVALID("The log entry names a different certificate or key than the bundle.");
	return CV_OK;
}

cv_err cv_ss_rekor_body_matches(const cv_ss_bundle *b, const uint8_t artifact_sha256[32], const cv_bytes *signer,
	cv_diag *d)
{
	const cv_ss_tlog_entry *t = &b->tlog;
	cJSON *body = cv_json_parse_exact((const char *)t->body.ptr, t->body.len);
	if (!body)
		return INVALID("The log entry body is not JSON.");
	const char *kind = get_str(body, "kind"), *ver = get_str(body, "apiVersion");
	const cJSON *spec = get(body, "spec");
	cv_err e;
	if (!kind || !ver || strcmp(kind, t->kind) != 0 || strcmp(ver, t->version) != 0)
		e = INVALID("The log entry body's kind and version differ from the bundle's.");
	else if (!cJSON_IsObject(spec))
		e = INVALID("The log entry body has no spec.");
	else if (strcmp(kind, "hashedrekord") == 0 && strcmp(ver, "0.0.1") == 0)
		e = artifact_sha256 ? body_hashedrekord(b, spec, artifact_sha256, signer, d)
				    : INVALID("The artifact digest is needed to check a hashedrekord entry.");
	else if (strcmp(kind, "dsse") == 0 && strcmp(ver, "0.0.1") == 0)
		e = b->is_dsse ? body_dsse(b, spec, signer, d) : INVALID("The log entry is dsse, the bundle is not.");
	else if (strcmp(kind, "intoto") == 0 && strcmp(ver, "0.0.2") == 0)
		e = b->is_dsse ? body_intoto(b, spec, signer, d) : INVALID("The log entry is intoto, the bundle is not.");
	else
		e = INVALID("The log entry kind %s %s is not supported (hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2).", kind,
			ver);
	cJSON_Delete(body);
	return e;
}
