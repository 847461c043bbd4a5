/*
 * Native timing for make bench (bench/run.mjs): the core built -O2 without
 * sanitizers, the same C as the WASM module.
 *
 *   native_bench ROUNDS WARMUP request.json...
 *
 * For each request file: WARMUP rounds, then ROUNDS rounds, each timing one
 * cold verification (cv_run_json: no cache) and one warm one
 * (cv_run_json_cached on a cache that has verified this collateral before),
 * alternately. Prints one JSON object: per file, the cold and warm samples
 * in milliseconds, and whether the cold and warm responses were identical.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "verify.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b) {
		b[n] = '\0';
		*len = (size_t)n;
	}
	return b;
}

/* One verification; returns its response (malloc'd) and adds its time to *ms. */
static char *timed(cv_cache *c, const char *req, size_t len, double *ms)
{
	char *out = NULL;
	size_t out_len = 0;
	double t0 = now_ms();
	cv_run_json_cached(c, req, len, &out, &out_len);
	*ms = now_ms() - t0;
	return out;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s ROUNDS WARMUP request.json...\n", argv[0]);
		return 2;
	}
	int rounds = atoi(argv[1]), warmup = atoi(argv[2]);
	if (rounds < 1 || warmup < 0)
		return 2;
	double *cold = malloc(sizeof(double) * (size_t)rounds), *warm = malloc(sizeof(double) * (size_t)rounds);
	printf("{");
	for (int i = 3; i < argc; i++) {
		size_t len = 0;
		char *req = read_file(argv[i], &len);
		cv_cache *cache = cv_cache_new();
		if (!req || !cache || !cold || !warm) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			return 2;
		}
		double ms;
		int identical = 1;
		free(timed(cache, req, len, &ms)); /* fills the cache */
		for (int r = -warmup; r < rounds; r++) {
			char *a = timed(NULL, req, len, &ms);
			if (r >= 0)
				cold[r] = ms;
			char *b = timed(cache, req, len, &ms);
			if (r >= 0)
				warm[r] = ms;
			if (!a || !b || strcmp(a, b) != 0)
				identical = 0;
			free(a);
			free(b);
		}
		printf("%s\"%s\":{\"identical\":%s,\"hits\":%u,\"cold_ms\":[", i > 3 ? "," : "", argv[i],
			identical ? "true" : "false", (unsigned)cv_cache_get_stat(cache, CV_CACHE_STAT_HITS));
		for (int r = 0; r < rounds; r++)
			printf("%s%.4f", r ? "," : "", cold[r]);
		printf("],\"warm_ms\":[");
		for (int r = 0; r < rounds; r++)
			printf("%s%.4f", r ? "," : "", warm[r]);
		printf("]}");
		cv_cache_free(cache);
		free(req);
	}
	printf("}\n");
	free(cold);
	free(warm);
	return 0;
}
