/*
 * The verification cache (src/cache.h), differentially: one long-lived cache,
 * as the WASM module keeps one per instance, warmed at start-up with the real
 * vectors (so it holds verified signatures of real Intel collateral). Every
 * input request then runs through cv_run_json_cached with that cache and
 * through cv_run_json without one.
 * Oracle: the two responses are byte-identical (cache.h's promise: a cached
 * verification cannot pass where an uncached one fails, and its report is the
 * same), and the same again when the request is repeated (it may just have
 * stored an entry). Requests are at most max_len bytes; the cache's state
 * stays bounded (CV_CACHE_ENTRIES bundles, only collateral that verified).
 */
#include "cache.h"
#include "evidence.h"
#include "fuzz_common.h"
#include "verify.h"

static cv_cache *cache;

static void warm(const char *quote_rel, int hex_quote, const char *coll_rel, long long now)
{
	size_t ql, cl;
	uint8_t *q = fuzz_load_vector(quote_rel, &ql);
	uint8_t *c = fuzz_load_vector(coll_rel, &cl);
	size_t cap = 2 * ql + cl + 256, n = 0;
	char *req = malloc(cap);
	if (!req)
		abort();
	n += (size_t)snprintf(req + n, cap - n, "{\"op\":\"verify\",\"now\":%lld,\"evidence\":", now);
	if (hex_quote) {
		req[n++] = '"';
		for (size_t i = 0; i < ql; i++)
			n += (size_t)snprintf(req + n, cap - n, "%02x", q[i]);
		req[n++] = '"';
	} else {
		memcpy(req + n, q, ql);
		n += ql;
	}
	n += (size_t)snprintf(req + n, cap - n, ",\"collateral\":");
	memcpy(req + n, c, cl);
	n += cl;
	req[n++] = '}';
	char *out = NULL;
	size_t out_len = 0;
	cv_err e = cv_run_json_cached(cache, req, n, &out, &out_len);
	/* pass or warn: the vectors' OS images ship no manifest, so os.image warns; what the cache needs is a
	 * verified hardware signature. */
	if (e != CV_OK || !out || (!strstr(out, "\"verdict\":\"pass\"") && !strstr(out, "\"verdict\":\"warn\"")) ||
	    !strstr(out, "\"id\":\"hardware.signature\",\"status\":\"pass\"")) {
		fprintf(stderr, "fuzz: warming the cache with %s failed: %.300s\n", quote_rel, out ? out : "(null)");
		exit(2);
	}
	free(out);
	free(req);
	free(q);
	free(c);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cache = cv_cache_new();
	if (!cache)
		abort();
	warm("dcap/tdx_quote", 1, "dcap/tdx_quote_collateral.json", 1752919234);
	warm("dstack/near-mpc_getquote.json", 0, "dstack/near-mpc_collateral.json", 1788000000);
	FUZZ_ASSERT(cv_cache_get_stat(cache, CV_CACHE_STAT_STORES) == 2);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *req = malloc(size ? size : 1);
	if (!req)
		return 0;
	memcpy(req, data, size);
	char *plain = NULL, *cached = NULL, *again = NULL;
	size_t plain_len = 0, cached_len = 0, again_len = 0;
	cv_err e1 = cv_run_json(req, size, &plain, &plain_len);
	cv_err e2 = cv_run_json_cached(cache, req, size, &cached, &cached_len);
	cv_err e3 = cv_run_json_cached(cache, req, size, &again, &again_len);
	free(req);
	if (plain && cached && again) {
		FUZZ_ASSERT(e1 == e2 && e2 == e3);
		if (plain_len != cached_len || memcmp(plain, cached, plain_len) != 0 || cached_len != again_len ||
			memcmp(cached, again, cached_len) != 0) {
			fprintf(stderr, "uncached: %s\ncached:   %s\nagain:    %s\n", plain, cached, again);
			FUZZ_ASSERT(!"the cached and uncached responses differ");
		}
	}
	free(plain);
	free(cached);
	free(again);
	return 0;
}
