/*
 * The verification cache (src/cache.h) never changes an answer:
 *  - warm (cached) responses are byte-identical to uncached ones for every
 *    real vector, and the warm path really skips signatures;
 *  - a tampered quote (body, quote signature, QE report, its signature,
 *    the PCK leaf) verified after a good one with the same collateral
 *    fails, exactly as uncached;
 *  - a cached collateral fails once now moves past its nextUpdate (or
 *    before its issue dates), and the entry is not used there;
 *  - a collateral with one byte changed does not hit the cache;
 *  - the memo never records a failing signature, and a fact answers only
 *    the exact (key, message, signature) it was made from;
 *  - the cache is bounded (LRU entries, LRU facts).
 * Run from tests/ (paths are relative to it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cache.h"
#include "check.h"
#include "crypto.h"
#include "quote.h"
#include "util.h"
#include "verify.h"

#define VEC "vectors/"

typedef struct {
	const char *name;
	uint8_t *quote;
	size_t quote_len;
	char *collateral;   /* the collateral file's JSON text */
	int64_t now;
} vec;

static uint8_t *load_quote(const char *path, int json_array, size_t *len)
{
	size_t n;
	unsigned char *raw = check_read_file(path, &n);
	if (!raw || !json_array) {
		*len = n;
		return raw;
	}
	cJSON *a = cJSON_Parse((const char *)raw);
	free(raw);
	size_t cnt = (size_t)cJSON_GetArraySize(a), i = 0;
	uint8_t *q = malloc(cnt ? cnt : 1);
	for (cJSON *it = a ? a->child : NULL; it; it = it->next)
		q[i++] = (uint8_t)it->valueint;
	cJSON_Delete(a);
	*len = cnt;
	return q;
}

static int vec_load(vec *v, const char *name, const char *quote, int json_array, const char *coll, int64_t now)
{
	v->name = name;
	v->quote = load_quote(quote, json_array, &v->quote_len);
	v->collateral = (char *)check_read_file(coll, NULL);
	v->now = now;
	return v->quote && v->collateral;
}

static void vec_free(vec *v)
{
	free(v->quote);
	free(v->collateral);
}

/* {"op":"verify","evidence":"<hex quote>","collateral":<text>,"now":now} */
static char *request(const uint8_t *quote, size_t quote_len, const char *collateral, int64_t now)
{
	size_t cap = quote_len * 2 + strlen(collateral) + 128;
	char *r = malloc(cap);
	size_t n = cv_format(r, cap, "{\"op\":\"verify\",\"evidence\":\"");
	cv_hex_encode(quote, quote_len, r + n);
	n += quote_len * 2;
	cv_format(r + n, cap - n, "\",\"collateral\":%s,\"now\":%I}", collateral, now);
	return r;
}

/* Run req uncached and with cache c; both must give the same bytes.
 * Returns the (uncached) response, malloc'd. */
static char *both(cv_cache *c, const char *req, const char *what)
{
	char *cold = NULL, *warm = NULL;
	size_t cold_len = 0, warm_len = 0;
	cv_run_json(req, strlen(req), &cold, &cold_len);
	cv_run_json_cached(c, req, strlen(req), &warm, &warm_len);
	int same = cold && warm && cold_len == warm_len && memcmp(cold, warm, cold_len) == 0;
	CHECK(same);
	if (!same)
		fprintf(stderr, "  %s: cached response differs\n   uncached: %.400s\n   cached:   %.400s\n", what,
			cold ? cold : "(null)", warm ? warm : "(null)");
	free(warm);
	return cold;
}

static int verdict_is(const char *resp, const char *v)
{
	char want[40];
	cv_format(want, sizeof want, "\"verdict\":\"%s\"", v);
	return resp && strstr(resp, want) != NULL;
}

static uint32_t cstat(const cv_cache *c, cv_cache_stat s)
{
	return cv_cache_get_stat(c, s);
}

/* ---- real vectors: cold == warm, and the warm path skips signatures ---- */

static void test_warm_equals_cold(vec *vs, size_t n)
{
	cv_cache *c = cv_cache_new();
	CHECK(c != NULL);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < n; i++) {
			char *req = request(vs[i].quote, vs[i].quote_len, vs[i].collateral, vs[i].now);
			uint32_t hits = cstat(c, CV_CACHE_STAT_HITS), reused = cstat(c, CV_CACHE_STAT_SIG_REUSED);
			uint32_t verified = cstat(c, CV_CACHE_STAT_SIG_VERIFIED);
			char *resp = both(c, req, vs[i].name);
			CHECK(verdict_is(resp, "pass") || verdict_is(resp, "warn"));
			if (round == 0) {
				CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits);
				CHECK(cstat(c, CV_CACHE_STAT_SIG_VERIFIED) > verified);
			} else {
				/* Warm: a hit, and no certificate, CRL or collateral
				 * signature computed again (the PCK leaf included). */
				CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits + 1);
				CHECK(cstat(c, CV_CACHE_STAT_SIG_REUSED) > reused);
				CHECK(cstat(c, CV_CACHE_STAT_SIG_VERIFIED) == verified);
			}
			free(resp);
			free(req);
		}
	}
	CHECK(cstat(c, CV_CACHE_STAT_STALE) == 0);
	cv_cache_free(c);
	cv_cache_free(NULL);
}

/* ---- tampered quotes after a good one, same collateral ---- */

static void tamper_and_check(cv_cache *c, const vec *v, size_t off, const char *what)
{
	uint8_t *q = malloc(v->quote_len);
	memcpy(q, v->quote, v->quote_len);
	q[off] ^= 0x01;
	char *req = request(q, v->quote_len, v->collateral, v->now);
	uint32_t hits = cstat(c, CV_CACHE_STAT_HITS);
	char *resp = both(c, req, what);
	CHECK(verdict_is(resp, "fail"));
	/* The cache was consulted (same collateral) and still the quote fails. */
	CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits + 1);
	if (!verdict_is(resp, "fail"))
		fprintf(stderr, "  %s: a tampered quote did not fail: %.300s\n", what, resp);
	free(resp);
	free(req);
	free(q);
}

static void test_tampered_quotes(const vec *v)
{
	cv_cache *c = cv_cache_new();
	char *req = request(v->quote, v->quote_len, v->collateral, v->now);
	char *good = both(c, req, "good quote");
	CHECK(verdict_is(good, "pass") || verdict_is(good, "warn"));
	free(good);
	free(req);

	cv_quote q;
	cv_diag d;
	CHECK(cv_quote_parse(v->quote, v->quote_len, &q, &d) == CV_OK);
	char what[96];
	const struct {
		const char *name;
		const uint8_t *at;
	} spots[] = {
		{ "the body (report_data)", q.raw + q.signed_len - 1 },
		{ "the header", q.raw + 8 },
		{ "the quote signature", q.quote_sig + 5 },
		{ "the attestation key", q.att_key + 7 },
		{ "the QE report", q.qe_report.raw + 100 },
		{ "the QE report signature", q.qe_report_sig + 40 },
		{ "the QE auth data", q.qe_auth_len ? q.qe_auth : q.qe_report_sig },
	};
	for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
		cv_format(what, sizeof what, "%s: tampered %s", v->name, spots[i].name);
		tamper_and_check(c, v, (size_t)(spots[i].at - v->quote), what);
	}
	/* The PCK leaf certificate: a base64 character inside the first PEM
	 * block's signature (its last line before END). */
	const char *pem = (const char *)q.cert_data;
	const char *end = NULL;
	for (size_t i = 0; i + 25 <= q.cert_data_len; i++)
		if (memcmp(pem + i, "-----END CERTIFICATE-----", 25) == 0) {
			end = pem + i;
			break;
		}
	CHECK(end != NULL);
	if (end) {
		cv_format(what, sizeof what, "%s: tampered PCK leaf signature", v->name);
		tamper_and_check(c, v, (size_t)((const uint8_t *)end - v->quote) - 10, what);
		cv_format(what, sizeof what, "%s: tampered PCK leaf body", v->name);
		tamper_and_check(c, v, (size_t)(q.cert_data - v->quote) + 200, what);
	}
	/* And the good quote still passes, warm. */
	req = request(v->quote, v->quote_len, v->collateral, v->now);
	good = both(c, req, "good quote again");
	CHECK(verdict_is(good, "pass") || verdict_is(good, "warn"));
	free(good);
	free(req);
	cv_cache_free(c);
}

/* ---- time: a cached collateral outside its windows ---- */

static void test_expiry(const vec *v)
{
	cv_cache *c = cv_cache_new();
	char *req = request(v->quote, v->quote_len, v->collateral, v->now);
	free(both(c, req, "fill"));
	free(both(c, req, "warm"));
	free(req);
	CHECK(cstat(c, CV_CACHE_STAT_HITS) == 1);
	/* cases.json: the PCK CRL's nextUpdate is 1752919235; the TCB info's
	 * issueDate 1750328163. */
	const struct {
		int64_t now;
		const char *code;
	} at[] = { { 1752919236, "CRL_EXPIRED" }, { 1752920000, "CRL_EXPIRED" }, { 1788000000, "CRL_EXPIRED" },
		{ 1750320000, "COLLATERAL_NOT_YET_VALID" } };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		req = request(v->quote, v->quote_len, v->collateral, at[i].now);
		uint32_t hits = cstat(c, CV_CACHE_STAT_HITS), stale = cstat(c, CV_CACHE_STAT_STALE);
		char *resp = both(c, req, "expired collateral");
		CHECK(verdict_is(resp, "fail"));
		char want[64];
		cv_format(want, sizeof want, "\"code\":\"%s\"", at[i].code);
		CHECK(resp && strstr(resp, want));
		CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits);       /* the entry was not used */
		CHECK(cstat(c, CV_CACHE_STAT_STALE) == stale + 1);
		free(resp);
		free(req);
	}
	/* The last valid second still hits (windows are inclusive). */
	req = request(v->quote, v->quote_len, v->collateral, 1752919235);
	uint32_t hits = cstat(c, CV_CACHE_STAT_HITS);
	char *resp = both(c, req, "last valid second");
	CHECK(verdict_is(resp, "pass"));
	CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits + 1);
	free(resp);
	free(req);
	cv_cache_free(c);
}

/* ---- a different collateral does not hit ---- */

/* A copy of the collateral JSON with one character of member key's value
 * changed: the first of [0-9a-f] at or after offset off into the value
 * (hex stays hex, base64 stays base64, JSON text stays valid JSON). */
static char *mutate_member(const char *coll, const char *key, size_t off)
{
	char pat[64];
	cv_format(pat, sizeof pat, "\"%s\"", key);
	const char *k = strstr(coll, pat);
	if (!k)
		return NULL;
	const char *v = strchr(k + strlen(pat), '"');
	if (!v)
		return NULL;
	char *m = malloc(strlen(coll) + 1);
	strcpy(m, coll);
	char *p = m + (v - coll) + 1 + off;
	while (*p && *p != '"' && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
		p++;
	if (*p == '"' || !*p) {
		free(m);
		return NULL;
	}
	*p = *p == '0' ? '1' : *p == '1' ? '0' : *p == 'a' ? 'b' : *p == 'b' ? 'a' : *p == '9' ? '8' : '9';
	return m;
}

static void test_different_collateral(const vec *v)
{
	cv_cache *c = cv_cache_new();
	char *req = request(v->quote, v->quote_len, v->collateral, v->now);
	free(both(c, req, "fill"));
	free(req);
	/* Inside the signed TCB info text (a digit of tcbEvaluationDataNumber
	 * or of an SVN), the CRLs' hex, the signatures, the issuer chains. */
	const struct {
		const char *key;
		size_t off;
	} muts[] = { { "tcb_info", 60 }, { "qe_identity", 60 }, { "tcb_info_signature", 10 },
		{ "qe_identity_signature", 70 }, { "pck_crl", 120 }, { "pck_crl", 400 }, { "root_ca_crl", 200 },
		{ "tcb_info_issuer_chain", 500 }, { "qe_identity_issuer_chain", 700 }, { "pck_crl_issuer_chain", 300 } };
	for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++) {
		char *m = mutate_member(v->collateral, muts[i].key, muts[i].off);
		CHECK(m != NULL);
		if (!m)
			continue;
		req = request(v->quote, v->quote_len, m, v->now);
		uint32_t hits = cstat(c, CV_CACHE_STAT_HITS), lookups = cstat(c, CV_CACHE_STAT_LOOKUPS);
		char *resp = both(c, req, muts[i].key);
		/* A different key: looked up, never a hit. (Some changes leave the
		 * verdict intact, e.g. the unused pck_crl_issuer_chain; the point is
		 * that nothing verified for the original is reused.) */
		CHECK(cstat(c, CV_CACHE_STAT_LOOKUPS) == lookups + 1);
		CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits);
		if (strcmp(muts[i].key, "pck_crl_issuer_chain") != 0)
			CHECK(verdict_is(resp, "fail"));
		free(resp);
		free(req);
		free(m);
	}
	/* The original still hits. */
	req = request(v->quote, v->quote_len, v->collateral, v->now);
	uint32_t hits = cstat(c, CV_CACHE_STAT_HITS);
	free(both(c, req, "original"));
	CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits + 1);
	free(req);
	cv_cache_free(c);
}

/* The signed texts: a changed byte must fail its signature, cached or not
 * (the collateral signatures of the original are in the cache). */
static void test_changed_signed_text(const vec *v)
{
	cv_cache *c = cv_cache_new();
	char *req = request(v->quote, v->quote_len, v->collateral, v->now);
	free(both(c, req, "fill"));
	free(req);
	const char *keys[] = { "tcb_info", "qe_identity" };
	const char *codes[] = { "TCB_INFO_SIGNATURE_INVALID", "QE_IDENTITY_SIGNATURE_INVALID" };
	for (int i = 0; i < 2; i++) {
		/* "{\"id\":\"TDX\",\"version\":3,\"issueDate\":..." : change the
		 * 'i' of "id" into 'j'? That breaks the parse; flip a digit of the
		 * issueDate year instead, keeping the JSON valid. */
		char *m = malloc(strlen(v->collateral) + 1);
		strcpy(m, v->collateral);
		char pat[32];
		cv_format(pat, sizeof pat, "\"%s\"", keys[i]);
		char *k = strstr(m, pat);
		char *date = k ? strstr(k, "issueDate") : NULL;
		CHECK(date != NULL);
		if (!date) {
			free(m);
			continue;
		}
		/* issueDate\":\"2025-... : the last digit of the year. */
		char *y = strchr(date, '2');
		CHECK(y && y[3] >= '0' && y[3] <= '9');
		y[3] = y[3] == '5' ? '4' : '5';
		req = request(v->quote, v->quote_len, m, v->now);
		char *resp = both(c, req, keys[i]);
		CHECK(verdict_is(resp, "fail"));
		CHECK(resp && strstr(resp, codes[i]));
		free(resp);
		free(req);
		free(m);
	}
	cv_cache_free(c);
}

/* Hex and byte-array spellings of the same collateral bytes share an entry. */
static void test_spelling(const vec *v)
{
	cJSON *j = cJSON_Parse(v->collateral);
	CHECK(j != NULL);
	cJSON *crl = cJSON_GetObjectItemCaseSensitive(j, "root_ca_crl");
	uint8_t buf[4096];
	size_t n = cv_hex_decode(crl->valuestring, strlen(crl->valuestring), buf, sizeof buf);
	CHECK(n != (size_t)-1);
	/* "root_ca_crl":[48,130,...] */
	char *arr = malloc(n * 4 + 8), *p = arr;
	*p++ = '[';
	for (size_t i = 0; i < n; i++)
		p += cv_format(p, 8, "%s%u", i ? "," : "", (unsigned)buf[i]);
	*p++ = ']';
	*p = '\0';
	const char *at = strstr(v->collateral, "\"root_ca_crl\"");
	const char *vs = strchr(at + 13, '"'), *ve = strchr(vs + 1, '"');
	size_t head = (size_t)(vs - v->collateral), tail_at = (size_t)(ve + 1 - v->collateral);
	char *m = malloc(strlen(v->collateral) + strlen(arr) + 1);
	memcpy(m, v->collateral, head);
	strcpy(m + head, arr);
	strcat(m, v->collateral + tail_at);
	cv_cache *c = cv_cache_new();
	char *req = request(v->quote, v->quote_len, v->collateral, v->now);
	free(both(c, req, "hex"));
	free(req);
	req = request(v->quote, v->quote_len, m, v->now);
	uint32_t hits = cstat(c, CV_CACHE_STAT_HITS);
	char *resp = both(c, req, "byte array");
	CHECK(verdict_is(resp, "pass"));
	CHECK(cstat(c, CV_CACHE_STAT_HITS) == hits + 1);
	free(resp);
	free(req);
	cv_cache_free(c);
	free(m);
	free(arr);
	cJSON_Delete(j);
}

/* ---- the memo and the bounds, at the API ---- */

static void test_memo(const vec *v)
{
	cv_quote q;
	cv_diag d;
	CHECK(cv_quote_parse(v->quote, v->quote_len, &q, &d) == CV_OK);
	/* The quote signature under the attestation key: a real signature. */
	const uint8_t *msg = q.raw;
	size_t len = q.signed_len;
	uint8_t sig[64], bad[64];
	memcpy(sig, q.quote_sig, 64);
	memcpy(bad, sig, 64);
	bad[63] ^= 1;

	cv_cache *c = cv_cache_new();
	uint8_t key[32] = { 1 };
	cv_sigmemo m;
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key, 100, &m) == 0); /* empty cache: a miss */
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg, len, bad) == 0);
	CHECK(m.n == 0); /* a failure is never recorded */
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg, len, sig) == 1);
	CHECK(m.n == 1);
	CHECK(cstat(c, CV_CACHE_STAT_SIG_VERIFIED) == 2);
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg, len, sig) == 1); /* deduplicated */
	CHECK(cstat(c, CV_CACHE_STAT_SIG_VERIFIED) == 2);
	cv_cache_commit(c, key, 50, 150, &m);
	CHECK(cstat(c, CV_CACHE_STAT_STORES) == 1);

	/* A new verification attached to the entry: the fact answers the exact
	 * signature, and nothing else. */
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key, 150, &m) == 1);
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg, len, sig) == 1);
	CHECK(cstat(c, CV_CACHE_STAT_SIG_REUSED) == 1);
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg, len, bad) == 0);
	uint8_t *msg2 = malloc(len);
	memcpy(msg2, msg, len);
	msg2[len - 1] ^= 1;
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg2, len, sig) == 0);
	CHECK(cv_sigmemo_verify_raw(&m, q.att_key, msg, len - 1, sig) == 0);
	uint8_t key2[64];
	memcpy(key2, q.att_key, 64);
	key2[10] ^= 1;
	CHECK(cv_sigmemo_verify_raw(&m, key2, msg, len, sig) == 0);
	CHECK(cstat(c, CV_CACHE_STAT_SIG_REUSED) == 1);
	/* DER: a malformed signature fails before any lookup. */
	uint8_t der[72] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
	CHECK(cv_sigmemo_verify_der(&m, q.att_key, msg, len, der, 7) == 0);
	CHECK(cv_sigmemo_verify_der(NULL, q.att_key, msg, len, der, 8) == 0);
	CHECK(cv_sigmemo_verify_raw(NULL, q.att_key, msg, len, sig) == 1);
	free(msg2);

	/* Windows are inclusive, and checked on every use. */
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key, 49, &m) == 0);
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key, 151, &m) == 0);
	CHECK(m.entry == NULL);
	CHECK(cstat(c, CV_CACHE_STAT_STALE) == 2);
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key, 50, &m) == 1);
	/* A window that does not hold is never stored. */
	uint8_t key3[32] = { 3 };
	cv_cache_commit(c, key3, 10, 5, &m);
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key3, 7, &m) == 0);
	cv_cache_free(c);
}

static void test_bounds(void)
{
	cv_cache *c = cv_cache_new();
	cv_sigmemo m;
	uint8_t key[CV_CACHE_ENTRIES + 1][32];
	/* Fill every slot, touch the first, add one more: the least recently
	 * used (the second) goes. */
	for (int i = 0; i <= CV_CACHE_ENTRIES; i++) {
		memset(key[i], 0, 32);
		key[i][0] = (uint8_t)(i + 1);
	}
	for (int i = 0; i < CV_CACHE_ENTRIES; i++) {
		cv_sigmemo_init(&m);
		cv_cache_begin(c, key[i], 0, &m);
		cv_cache_commit(c, key[i], 0, 10, &m);
	}
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key[0], 5, &m) == 1);
	cv_sigmemo_init(&m);
	cv_cache_begin(c, key[CV_CACHE_ENTRIES], 0, &m);
	cv_cache_commit(c, key[CV_CACHE_ENTRIES], 0, 10, &m);
	for (int i = 0; i <= CV_CACHE_ENTRIES; i++) {
		cv_sigmemo_init(&m);
		CHECK(cv_cache_begin(c, key[i], 5, &m) == (i == 1 ? 0 : 1));
	}
	/* Facts per entry: bounded, least recently used out; messages are
	 * copied (the memo's bytes may go away after the commit). */
	static uint8_t msg[100];
	cv_sigmemo_init(&m);
	cv_cache_begin(c, key[0], 5, &m);
	for (int round = 0; round < 3; round++) {
		m.n = 0;
		for (int i = 0; i < CV_MEMO_FACTS; i++) {
			memset(&m.fact[m.n], 0, sizeof m.fact[m.n]);
			m.fact[m.n].pub_xy[0] = (uint8_t)round;
			m.fact[m.n].pub_xy[1] = (uint8_t)i;
			m.fact[m.n].msg = msg;
			m.fact[m.n].msg_len = sizeof msg;
			m.n++;
		}
		m.stamp++;
		cv_cache_commit(c, key[0], 0, 10, &m);
		CHECK(m.entry != NULL && m.entry->n <= CV_CACHE_FACTS);
		CHECK(m.entry->n > 0 && m.entry->fact[0].msg != msg && m.entry->fact[0].msg_len == sizeof msg);
	}
	/* Messages over the per-message bound are not remembered. */
	static uint8_t big[CV_CACHE_MSG_MAX + 1];
	cv_sigmemo_init(&m);
	CHECK(cv_cache_begin(c, key[2], 5, &m) == 1);
	memset(&m.fact[0], 0, sizeof m.fact[0]);
	m.fact[0].pub_xy[0] = 0xee;
	m.fact[0].msg = big;
	m.fact[0].msg_len = sizeof big;
	m.n = 1;
	size_t before = m.entry->n;
	cv_cache_commit(c, key[2], 0, 10, &m);
	CHECK(m.entry->n == before);
	cv_cache_free(c);
}

int main(void)
{
	vec vs[3];
	int ok = vec_load(&vs[0], "tdx", VEC "dcap/tdx_quote", 0, VEC "dcap/tdx_quote_collateral.json", 1752919234) &
		vec_load(&vs[1], "sgx", VEC "dcap/sgx_quote", 0, VEC "dcap/sgx_quote_collateral.json", 1752919277) &
		vec_load(&vs[2], "near-mpc", VEC "dstack/near-mpc_quote.json", 1, VEC "dstack/near-mpc_collateral.json",
			1788000000);
	CHECK(ok);
	if (ok) {
		test_warm_equals_cold(vs, 3);
		for (int i = 0; i < 3; i++)
			test_tampered_quotes(&vs[i]);
		test_expiry(&vs[0]);
		for (int i = 0; i < 3; i++) {
			test_different_collateral(&vs[i]);
			test_changed_signed_text(&vs[i]);
		}
		test_spelling(&vs[0]);
		test_memo(&vs[0]);
	}
	test_bounds();
	for (int i = 0; i < 3; i++)
		vec_free(&vs[i]);
	return check_report("cache");
}
