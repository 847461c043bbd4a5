/*
 * The verification cache and the per-verification signature memo (cache.h
 * says what is cached and why that is safe).
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "crypto.h"

struct cv_cache {
	uint64_t clock;              /* use counter for LRU stamps (not time) */
	size_t bytes;                /* message bytes owned by the entries' facts (<= CV_CACHE_BYTES_MAX) */
	uint32_t stat[CV_CACHE_STAT_COUNT];
	cv_cache_entry e[CV_CACHE_ENTRIES];
};

cv_cache *cv_cache_new(void)
{
	return calloc(1, sizeof(cv_cache));
}

/* Forget an entry's facts (and give their message copies back). */
static void entry_clear(cv_cache *c, cv_cache_entry *e)
{
	for (size_t i = 0; i < e->n; i++) {
		c->bytes -= e->fact[i].msg_len;
		free((void *)e->fact[i].msg);
	}
	memset(e, 0, sizeof *e);
}

void cv_cache_free(cv_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CV_CACHE_ENTRIES; i++)
		entry_clear(c, &c->e[i]);
	free(c);
}

uint32_t cv_cache_get_stat(const cv_cache *c, cv_cache_stat which)
{
	return c && (unsigned)which < CV_CACHE_STAT_COUNT ? c->stat[which] : 0;
}

static void count(cv_cache *c, cv_cache_stat which)
{
	if (c)
		c->stat[which]++;
}

void cv_sigmemo_init(cv_sigmemo *m)
{
	memset(m, 0, sizeof *m);
}

/* 1 when f is this exact verification: the same key, signature and message bytes. */
static int fact_is(const cv_cache_fact *f, const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t sig_raw[64])
{
	return f->msg_len == msg_len && memcmp(f->sig, sig_raw, 64) == 0 && memcmp(f->pub_xy, pub_xy, 64) == 0 &&
		(msg_len == 0 || memcmp(f->msg, msg, msg_len) == 0);
}

/* 1 when the memo (this verification, then the attached entry) knows the verification. */
static int memo_knows(cv_sigmemo *m, const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t sig_raw[64])
{
	for (size_t i = 0; i < m->n; i++)
		if (fact_is(&m->fact[i], pub_xy, msg, msg_len, sig_raw))
			return 1;
	if (m->entry) {
		for (size_t i = 0; i < m->entry->n; i++)
			if (fact_is(&m->entry->fact[i], pub_xy, msg, msg_len, sig_raw)) {
				m->entry->fact[i].used = m->stamp;
				count(m->cache, CV_CACHE_STAT_SIG_REUSED);
				return 1;
			}
	}
	return 0;
}

int cv_sigmemo_verify_raw(cv_sigmemo *m, const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t sig_raw[64])
{
	uint8_t hash[32];
	if (m && memo_knows(m, pub_xy, msg, msg_len, sig_raw))
		return 1;
	cv_sha256(msg, msg_len, hash);
	if (!m)
		return cv_ecdsa_p256_verify_hash(pub_xy, hash, sig_raw);
	count(m->cache, CV_CACHE_STAT_SIG_VERIFIED);
	if (!cv_ecdsa_p256_verify_hash(pub_xy, hash, sig_raw))
		return 0; /* failures are never remembered */
	if (m->n < CV_MEMO_FACTS) {
		cv_cache_fact *f = &m->fact[m->n++];
		memcpy(f->pub_xy, pub_xy, 64);
		memcpy(f->sig, sig_raw, 64);
		f->msg = msg; /* borrowed: alive until this verification ends (cv_cache_commit copies it) */
		f->msg_len = msg_len;
	}
	return 1;
}

int cv_sigmemo_verify_der(cv_sigmemo *m, const uint8_t pub_xy[64], const uint8_t *msg, size_t msg_len,
	const uint8_t *sig_der, size_t sig_len)
{
	uint8_t raw[64];
	if (!cv_ecdsa_sig_der_to_raw(sig_der, sig_len, raw))
		return 0;
	return cv_sigmemo_verify_raw(m, pub_xy, msg, msg_len, raw);
}

/* ---- the collateral key ---- */

_Static_assert(sizeof(cv_cache_key_ctx) >= sizeof(cv_sha256_ctx), "key ctx");

void cv_cache_key_init(cv_cache_key_ctx *k)
{
	static const char tag[] = "cv-collateral-v1";
	cv_sha256_init((cv_sha256_ctx *)k);
	cv_sha256_update((cv_sha256_ctx *)k, tag, sizeof tag);
}

void cv_cache_key_field(cv_cache_key_ctx *k, const void *ptr, size_t len)
{
	/* An absent field and an empty one differ; lengths make the encoding
	 * unambiguous (no two field lists hash the same bytes). */
	uint8_t pre[9];
	uint64_t l = len;
	pre[0] = ptr ? 1 : 0;
	for (int i = 0; i < 8; i++)
		pre[1 + i] = (uint8_t)(l >> (8 * i));
	cv_sha256_update((cv_sha256_ctx *)k, pre, sizeof pre);
	if (ptr)
		cv_sha256_update((cv_sha256_ctx *)k, ptr, len);
}

void cv_cache_key_final(cv_cache_key_ctx *k, uint8_t key[32])
{
	cv_sha256_final((cv_sha256_ctx *)k, key);
}

/* ---- entries ---- */

static cv_cache_entry *find(cv_cache *c, const uint8_t key[32])
{
	for (size_t i = 0; i < CV_CACHE_ENTRIES; i++)
		if (c->e[i].used && memcmp(c->e[i].key, key, 32) == 0)
			return &c->e[i];
	return NULL;
}

int cv_cache_begin(cv_cache *c, const uint8_t key[32], int64_t now, cv_sigmemo *m)
{
	if (!c)
		return 0;
	m->cache = c;
	m->stamp = ++c->clock;
	count(c, CV_CACHE_STAT_LOOKUPS);
	cv_cache_entry *e = find(c, key);
	if (!e)
		return 0;
	/* Re-checked on every use: an entry is only as good as its windows. */
	if (now < e->valid_from || now > e->valid_until) {
		count(c, CV_CACHE_STAT_STALE);
		return 0;
	}
	e->stamp = m->stamp;
	m->entry = e;
	count(c, CV_CACHE_STAT_HITS);
	return 1;
}

/*
 * Add a copy of a memo fact to an entry, replacing the entry's least
 * recently used fact when full. A message over the bounds, or one that
 * cannot be copied, is not remembered (it is verified again next time).
 */
static void entry_add(cv_cache *c, cv_cache_entry *e, const cv_cache_fact *f, uint64_t stamp)
{
	for (size_t i = 0; i < e->n; i++)
		if (fact_is(&e->fact[i], f->pub_xy, f->msg, f->msg_len, f->sig)) {
			e->fact[i].used = stamp;
			return;
		}
	size_t slot = e->n;
	if (e->n == CV_CACHE_FACTS) {
		slot = 0;
		for (size_t i = 1; i < e->n; i++)
			if (e->fact[i].used < e->fact[slot].used)
				slot = i;
	}
	size_t freed = slot < e->n ? e->fact[slot].msg_len : 0;
	if (f->msg_len > CV_CACHE_MSG_MAX || c->bytes - freed + f->msg_len > CV_CACHE_BYTES_MAX)
		return;
	uint8_t *copy = malloc(f->msg_len ? f->msg_len : 1);
	if (!copy)
		return;
	if (f->msg_len)
		memcpy(copy, f->msg, f->msg_len);
	if (slot < e->n) {
		free((void *)e->fact[slot].msg);
		c->bytes -= freed;
	} else {
		e->n++;
	}
	cv_cache_fact *to = &e->fact[slot];
	memcpy(to->pub_xy, f->pub_xy, 64);
	memcpy(to->sig, f->sig, 64);
	to->msg = copy;
	to->msg_len = f->msg_len;
	to->used = stamp;
	c->bytes += f->msg_len;
}

void cv_cache_commit(cv_cache *c, const uint8_t key[32], int64_t valid_from, int64_t valid_until,
	const cv_sigmemo *m)
{
	if (!c || valid_from > valid_until)
		return;
	cv_cache_entry *e = find(c, key);
	if (!e || e != m->entry) {
		/* New (or found stale and verified again): start it afresh, in a
		 * free slot or over the least recently used entry. */
		if (!e) {
			e = &c->e[0];
			for (size_t i = 0; i < CV_CACHE_ENTRIES; i++) {
				if (!c->e[i].used) {
					e = &c->e[i];
					break;
				}
				if (c->e[i].stamp < e->stamp)
					e = &c->e[i];
			}
		}
		entry_clear(c, e);
		e->used = 1;
		memcpy(e->key, key, 32);
	}
	uint64_t stamp = m->stamp ? m->stamp : ++c->clock;
	e->valid_from = valid_from;
	e->valid_until = valid_until;
	e->stamp = stamp;
	for (size_t i = 0; i < m->n; i++)
		entry_add(c, e, &m->fact[i], stamp);
	count(c, CV_CACHE_STAT_STORES);
}
