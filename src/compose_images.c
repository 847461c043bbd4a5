/*
 * Compose's loading rules over the YAML tree of yaml.h, as compose-go's
 * loader applies them (docs/compose-model.md), reduced to what decides the
 * images that run:
 *
 *   1. Each document is decoded on its own: aliases expanded, merge keys
 *      "<<" applied (own keys win, earlier merged maps win), duplicate keys
 *      refused. A "!reset" node is dropped and its path recorded; an
 *      "!override" node is kept and its path recorded.
 *   2. The recorded paths are deleted from what earlier documents built.
 *   3. Same-file `extends` is applied within the document: the base
 *      service (itself extended first), minus this document's reset paths,
 *      with the service merged over it.
 *   4. The document is merged over the result: mappings key by key,
 *      sequences appended, anything else replaced; service volumes are then
 *      unique by target (a later one replaces an earlier one in place).
 *
 * What the text cannot decide is marked, never guessed: `extends` from
 * another file or of an unknown service, `include`, `build`,
 * `pull_policy: build`, `provider` and '$' interpolation make entries not
 * pinned. Images also run from image volumes, pre_start hooks and models.
 *
 * Resolved trees are built from fresh nodes in the stream's arena; the
 * number built is bounded, which bounds alias expansion ("billion laughs").
 */
#include <stdlib.h>
#include <string.h>

#include "compose_images.h"
#include "yaml.h"

#define C_MAX_BUILT    200000 /* resolved nodes, all documents together */
#define C_MAX_PATHS    1024   /* !reset / !override paths per document */
#define C_MAX_PATH     512    /* bytes of one path */
#define C_MAX_EXTENDS  8
#define C_SEP          '\x1f' /* between path segments */
#define C_MAX_WORK     10000000 /* key comparisons, all documents together */

/* The key under which a service carries why it cannot be known (not a
 * key YAML text can spell: the reader refuses control characters in
 * plain keys that matter, and merges carry it like any key). */
static const char k_unknown[] = "\x01unknowable";

typedef struct {
	cv_yaml *y;
	cv_diag *d;
	int failed;
	long built;
	long work;              /* lookup steps left */
	char *paths[C_MAX_PATHS];
	size_t npaths;
	int in_override;
} cx;

static int cfail(cx *c, size_t line, const char *what)
{
	if (!c->failed) {
		c->failed = 1;
		if (line)
			cv_fail(c->d, CV_COMPOSE_MALFORMED, "The docker-compose YAML is not usable at line %U: %s.",
				(uint64_t)line, what);
		else
			cv_fail(c->d, CV_COMPOSE_MALFORMED, "The docker-compose YAML is not usable: %s.", what);
	}
	return 0;
}

static cv_ynode *mk(cx *c, int kind, size_t line)
{
	if (c->failed)
		return NULL;
	if (++c->built > C_MAX_BUILT) {
		cfail(c, line, "aliases, merges or documents expand to too many nodes");
		return NULL;
	}
	cv_ynode *n = cv_yaml_node(c->y, kind);
	if (!n) {
		cfail(c, line, "out of memory (or over the reader's memory limit)");
		return NULL;
	}
	n->line = line;
	return n;
}

static int append(cx *c, cv_ynode *coll, cv_ynode *k, cv_ynode *v)
{
	if (!cv_yaml_append(c->y, coll, k, v))
		return cfail(c, coll->line, "out of memory");
	return 1;
}

static cv_ynode *mk_str(cx *c, const char *s, size_t line)
{
	cv_ynode *n = mk(c, CV_Y_SCALAR, line);
	if (!n)
		return NULL;
	n->s = (char *)s;
	n->len = strlen(s);
	return n;
}

static int is_str(const cv_ynode *n, const char *s)
{
	return n && n->kind == CV_Y_SCALAR && n->len == strlen(s) && memcmp(n->s, s, n->len) == 0;
}

/*
 * Lookups are linear (compose files have few keys), so every step is
 * charged to a budget: an input with huge mappings fails instead of
 * taking quadratic time.
 */
static int tick(cx *c, size_t line)
{
	if (--c->work >= 0)
		return 1;
	return cfail(c, line, "mappings too large to compare in bounded time");
}

static cv_yentry *find(cx *c, const cv_ynode *map, const char *key)
{
	if (!map || map->kind != CV_Y_MAP)
		return NULL;
	for (cv_yentry *e = map->first; e; e = e->next) {
		if (!tick(c, map->line))
			return NULL;
		if (is_str(e->key, key))
			return e;
	}
	return NULL;
}

static const cv_ynode *get(cx *c, const cv_ynode *map, const char *key)
{
	cv_yentry *e = find(c, map, key);
	return e ? e->val : NULL;
}

static void drop(cx *c, cv_ynode *map, const char *key)
{
	cv_yentry **pp = &map->first;
	while (*pp && tick(c, map->line)) {
		if (is_str((*pp)->key, key)) {
			*pp = (*pp)->next;
			map->last = NULL;
			for (cv_yentry *e = map->first; e; e = e->next)
				map->last = e;
			return;
		}
		pp = &(*pp)->next;
	}
}

/* ---- 1. decoding one document ---- */

/* A plain key that YAML would read as a null, bool or number: compose-go
 * would then see another text (e.g. "0x10" is "16"), so it is refused. */
static int ambiguous_key(const cv_ynode *k)
{
	if (!k->plain)
		return 0;
	static const char *const words[] = { "", "~", "null", "Null", "NULL", "true", "True", "TRUE",
		"false", "False", "FALSE", ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN" };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(k->s, words[i]) == 0)
			return 1;
	char c0 = k->s[0];
	if (!((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.'))
		return 0;
	for (size_t i = 0; i < k->len; i++)
		if (!strchr("0123456789abcdefABCDEFxXoO+-._", k->s[i]))
			return 0;
	return 1;
}

static int record_path(cx *c, const char *path, size_t line)
{
	if (c->npaths >= C_MAX_PATHS)
		return cfail(c, line, "too many !reset / !override tags");
	size_t n = strlen(path);
	char *s = cv_yaml_alloc(c->y, n + 1);
	if (!s)
		return cfail(c, line, "out of memory");
	memcpy(s, path, n + 1);
	c->paths[c->npaths++] = s;
	return 1;
}

/* path + one segment, into out (C_MAX_PATH). Tags record these paths;
 * path_collapse then drops "<<" segments as compose-go does. */
static int path_next(cx *c, char *out, const char *path, const char *seg, size_t line)
{
	size_t a = strlen(path), b = strlen(seg);
	if (a + b + 2 > C_MAX_PATH)
		return cfail(c, line, "nesting too deep");
	memcpy(out, path, a + 1);
	size_t k = a;
	if (a)
		out[k++] = C_SEP;
	memcpy(out + k, seg, b + 1);
	return 1;
}

/* Decimal text of v (a sequence position in a path). */
static void utoa(size_t v, char out[24])
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* Drop every "<<" segment but a leading one: compose-go drops the first
 * ".<<" of the path at each level it descends, so a tag inside merged maps
 * names the key it lands on. */
static void path_collapse(char *p)
{
	char *m;
	while ((m = strstr(p, "\x1f<<")) != NULL && (m[3] == C_SEP || m[3] == '\0'))
		memmove(m, m + 3, strlen(m + 3) + 1);
}

static cv_ynode *resolve(cx *c, const cv_ynode *raw, const char *path, int depth, int *removed);

/* Add the keys of a resolved merged map that map does not have yet. */
static int merge_in(cx *c, cv_ynode *map, const cv_ynode *from, size_t line)
{
	if (!from || from->kind != CV_Y_MAP)
		return cfail(c, line, "a merge key \"<<\" whose value is not a mapping");
	for (cv_yentry *e = from->first; e; e = e->next)
		if (!find(c, map, e->key->s) && !append(c, map, e->key, e->val))
			return 0;
	return 1;
}

static cv_ynode *resolve_map(cx *c, const cv_ynode *raw, const char *path, int depth)
{
	cv_ynode *m = mk(c, CV_Y_MAP, raw->line);
	if (!m)
		return NULL;
	char next[C_MAX_PATH];
	const cv_ynode *merges[64];
	size_t nm = 0;
	/* Own keys first (duplicates refused, as Compose does). */
	for (const cv_yentry *e = raw->first; e; e = e->next) {
		const cv_ynode *k = e->key;
		if (!k || k->kind != CV_Y_SCALAR || (k->tag && strcmp(k->tag, "!!str") != 0))
			return cfail(c, raw->line, "a mapping key that is not a string"), NULL;
		if (ambiguous_key(k))
			return cfail(c, k->line, "a mapping key YAML reads as a number, bool or null"), NULL;
		if (memchr(k->s, '\0', k->len) || memchr(k->s, C_SEP, k->len) || memchr(k->s, '\x01', k->len))
			return cfail(c, k->line, "a control character in a mapping key"), NULL;
		for (const cv_yentry *f = raw->first; f != e; f = f->next) {
			if (!tick(c, k->line))
				return NULL;
			if (f->key->len == k->len && memcmp(f->key->s, k->s, k->len) == 0)
				return cfail(c, k->line, "a duplicate mapping key"), NULL;
		}
		if (k->plain && strcmp(k->s, "<<") == 0) {
			if (nm >= sizeof merges / sizeof merges[0])
				return cfail(c, k->line, "too many merge keys"), NULL;
			merges[nm++] = e->val;
			continue;
		}
		if (!path_next(c, next, path, k->s, k->line))
			return NULL;
		int removed = 0;
		cv_ynode *v = resolve(c, e->val, next, depth + 1, &removed);
		if (c->failed)
			return NULL;
		if (!removed && !append(c, m, (cv_ynode *)k, v))
			return NULL;
	}
	/* Then merged maps: a map, or a sequence of maps, earlier ones win. */
	for (size_t i = 0; i < nm; i++) {
		const cv_ynode *v = merges[i];
		if (v->tag)
			return cfail(c, v->line, "a tag on a merge key's value"), NULL;
		if (!path_next(c, next, path, "<<", v->line))
			return NULL;
		if (v->kind == CV_Y_SEQ) {
			size_t idx = 0;
			for (const cv_yentry *e = v->first; e; e = e->next, idx++) {
				char seq_path[C_MAX_PATH], num[24];
				utoa(idx, num);
				if (!path_next(c, seq_path, next, num, v->line))
					return NULL;
				if (e->val->kind != CV_Y_MAP || e->val->tag)
					return cfail(c, v->line, "a merge key list holds a non-mapping"), NULL;
				int removed = 0;
				cv_ynode *r = resolve(c, e->val, seq_path, depth + 1, &removed);
				if (!r || !merge_in(c, m, r, v->line))
					return NULL;
			}
		} else {
			int removed = 0;
			cv_ynode *r = resolve(c, v, next, depth + 1, &removed);
			if (!r || !merge_in(c, m, r, v->line))
				return NULL;
		}
	}
	return m;
}

/*
 * A decoded copy of raw. *removed is set (and NULL returned) for a
 * "!reset" node. Tags other than !reset, !override and the standard
 * !!str / !!map / !!seq are refused: what Compose would make of them is
 * not modelled.
 */
static cv_ynode *resolve(cx *c, const cv_ynode *raw, const char *path, int depth, int *removed)
{
	*removed = 0;
	if (c->failed)
		return NULL;
	if (depth > CV_YAML_MAX_DEPTH)
		return cfail(c, raw->line, "nesting too deep"), NULL;
	if (++c->built > C_MAX_BUILT)
		return cfail(c, raw->line, "aliases, merges or documents expand to too many nodes"), NULL;
	int override = 0;
	if (raw->tag) {
		const char *t = raw->tag;
		if (strcmp(t, "!reset") == 0 || strcmp(t, "!override") == 0) {
			if (c->in_override)
				return cfail(c, raw->line, "a !reset or !override inside an !override value"), NULL;
			char p[C_MAX_PATH];
			memcpy(p, path, strlen(path) + 1);
			path_collapse(p);
			if (!record_path(c, p, raw->line))
				return NULL;
			if (t[1] == 'r') {
				*removed = 1;
				return NULL;
			}
			override = 1;
		} else if (!((strcmp(t, "!!str") == 0 && raw->kind == CV_Y_SCALAR) ||
			(strcmp(t, "!!map") == 0 && raw->kind == CV_Y_MAP) ||
			(strcmp(t, "!!seq") == 0 && raw->kind == CV_Y_SEQ))) {
			return cfail(c, raw->line, "a tag Compose's reading of is not modelled"), NULL;
		}
	}
	if (override)
		c->in_override++;
	cv_ynode *out = NULL;
	if (override && raw->kind != CV_Y_SEQ && raw->kind != CV_Y_MAP) {
		/* yaml.v3 reads a scalar under a tag it does not know as text:
		 * "!override null" is the string "null", an empty one "". */
		out = mk(c, CV_Y_SCALAR, raw->line);
		if (out) {
			out->s = raw->s ? raw->s : (char *)"";
			out->len = raw->s ? raw->len : 0;
		}
	} else if (raw->kind == CV_Y_NULL || cv_yaml_is_null(raw)) {
		out = mk(c, CV_Y_NULL, raw->line);
	} else if (raw->kind == CV_Y_SCALAR) {
		out = mk(c, CV_Y_SCALAR, raw->line);
		if (out) {
			out->s = raw->s;
			out->len = raw->len;
			out->plain = raw->plain && !raw->tag;
		}
	} else if (raw->kind == CV_Y_SEQ) {
		out = mk(c, CV_Y_SEQ, raw->line);
		size_t idx = 0;
		for (const cv_yentry *e = raw->first; out && e; e = e->next, idx++) {
			char next[C_MAX_PATH], num[24];
			utoa(idx, num);
			int rm = 0;
			cv_ynode *v = path_next(c, next, path, num, raw->line) ? resolve(c, e->val, next, depth + 1, &rm) : NULL;
			if (c->failed)
				out = NULL;
			else if (!rm && !append(c, out, NULL, v))
				out = NULL;
		}
	} else {
		out = resolve_map(c, raw, path, depth);
	}
	if (override)
		c->in_override--;
	return c->failed ? NULL : out;
}

/* ---- 2-4. resets, merges, extends ---- */

/* Delete the node at path (map keys only: compose-go never matches a
 * sequence position when it applies resets). */
static void apply_path(cx *c, cv_ynode *root, const char *path)
{
	char seg[C_MAX_PATH];
	cv_ynode *cur = root;
	for (;;) {
		const char *sep = strchr(path, C_SEP);
		size_t n = sep ? (size_t)(sep - path) : strlen(path);
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (!cur || cur->kind != CV_Y_MAP)
			return;
		if (!sep) {
			drop(c, cur, seg);
			return;
		}
		cur = (cv_ynode *)get(c, cur, seg);
		path = sep + 1;
	}
}

static void apply_resets(cx *c, cv_ynode *root)
{
	for (size_t i = 0; i < c->npaths; i++)
		apply_path(c, root, c->paths[i]);
}

static cv_ynode *clone(cx *c, const cv_ynode *n)
{
	if (n->kind != CV_Y_MAP && n->kind != CV_Y_SEQ)
		return (cv_ynode *)n; /* scalars are never changed in place */
	cv_ynode *o = mk(c, n->kind, n->line);
	for (const cv_yentry *e = n->first; o && e; e = e->next) {
		cv_ynode *v = clone(c, e->val);
		if (!v || !append(c, o, e->key, v))
			return NULL;
	}
	return o;
}

/* compose-go's generic merge of o over e (both resolved). */
static cv_ynode *merge(cx *c, cv_ynode *e, cv_ynode *o, int depth)
{
	if (depth > CV_YAML_MAX_DEPTH)
		return cfail(c, o->line, "nesting too deep"), NULL;
	if (o->kind == CV_Y_NULL)
		return e;
	if (e->kind == CV_Y_MAP) {
		if (o->kind != CV_Y_MAP)
			return cfail(c, o->line, "a mapping overridden by a value that is not one"), NULL;
		for (cv_yentry *oe = o->first; oe; oe = oe->next) {
			cv_yentry *ee = find(c, e, oe->key->s);
			if (!ee) {
				if (!append(c, e, oe->key, oe->val))
					return NULL;
			} else {
				cv_ynode *v = merge(c, ee->val, oe->val, depth + 1);
				if (!v)
					return NULL;
				ee->val = v;
			}
		}
		return e;
	}
	if (e->kind == CV_Y_SEQ) {
		if (o->kind != CV_Y_SEQ)
			return cfail(c, o->line, "a sequence overridden by a value that is not one"), NULL;
		for (cv_yentry *oe = o->first; oe; oe = oe->next)
			if (!append(c, e, NULL, oe->val))
				return NULL;
		return e;
	}
	return o;
}

/* A service marked as not knowable from the measured text. */
static cv_ynode *mark_unknown(cx *c, cv_ynode *svc, const char *why)
{
	if (get(c, svc, k_unknown))
		return svc;
	cv_ynode *k = mk_str(c, k_unknown, svc->line), *v = mk_str(c, why, svc->line);
	if (!k || !v || !append(c, svc, k, v))
		return NULL;
	return svc;
}

/* Apply `extends` to service `name` of this document (compose-go
 * resolves the base first and writes the result back). */
static cv_ynode *extend(cx *c, cv_ynode *services, const char *name, int hops)
{
	cv_yentry *se = find(c, services, name);
	cv_ynode *s = se->val;
	if (s->kind == CV_Y_NULL)
		return s;
	if (s->kind != CV_Y_MAP)
		return cfail(c, s->line, "a service that is not a mapping"), NULL;
	cv_yentry *xe = find(c, s, "extends");
	if (!xe)
		return s;
	if (hops > C_MAX_EXTENDS) {
		drop(c, s, "extends");
		return mark_unknown(c, s, "extends chain too long or circular");
	}
	const cv_ynode *x = xe->val, *ref = NULL, *file = NULL;
	if (x->kind == CV_Y_SCALAR) {
		ref = x;
	} else if (x->kind == CV_Y_MAP) {
		ref = get(c, x, "service");
		file = get(c, x, "file");
		if (!ref || ref->kind != CV_Y_SCALAR)
			return cfail(c, x->line, "extends without a service name"), NULL;
	} else {
		return cfail(c, x->line, "extends is neither a name nor a mapping"), NULL;
	}
	drop(c, s, "extends");
	if (file && file->kind != CV_Y_NULL)
		return mark_unknown(c, s, "extends a service in another file, which is not measured here");
	if (memchr(ref->s, '$', ref->len))
		return mark_unknown(c, s, "extends a service named by a variable the host can set");
	if (!find(c, services, ref->s))
		return mark_unknown(c, s, "extends an unknown service");
	/* "extends" is dropped first, so a cycle ends at a service without it. */
	cv_ynode *base = extend(c, services, ref->s, hops + 1);
	if (!base)
		return NULL;
	if (base->kind == CV_Y_NULL)
		return s;
	cv_ynode *src = clone(c, base);
	if (!src)
		return NULL;
	/* This document's resets under services.<name> apply to the base copy. */
	char pre[C_MAX_PATH];
	if (!path_next(c, pre, "services", name, s->line))
		return NULL;
	size_t pl = strlen(pre);
	for (size_t i = 0; i < c->npaths; i++)
		if (strncmp(c->paths[i], pre, pl) == 0 && c->paths[i][pl] == C_SEP)
			apply_path(c, src, c->paths[i] + pl + 1);
	cv_ynode *merged = merge(c, src, s, 0);
	if (!merged)
		return NULL;
	drop(c, merged, "extends");
	se->val = merged;
	return merged;
}

/* ---- the list ---- */

int cv_image_pinned(const char *image, const char **why)
{
	if (!image || !image[0]) {
		*why = "no image (built from source or not named)";
		return 0;
	}
	if (strchr(image, '$')) {
		*why = "uses a variable the host can set";
		return 0;
	}
	const char *at = strstr(image, "@sha256:");
	if (!at) {
		*why = "a tag, not a digest";
		return 0;
	}
	const char *h = at + 8;
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			break;
	if (i != 64 || h[64] != '\0') {
		*why = "a malformed sha256 digest";
		return 0;
	}
	*why = NULL;
	return 1;
}

void cv_image_list_free(cv_image_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].service);
		free(l->v[i].image);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *dup_n(const char *s, size_t n)
{
	char *o = malloc(n + 1);
	if (o) {
		memcpy(o, s, n);
		o[n] = '\0';
	}
	return o;
}

static int add_image(cx *c, cv_image_list *out, const char *svc, const cv_ynode *img, cv_image_kind kind,
	const char *forced_why)
{
	if (out->n >= CV_MAX_IMAGES)
		return cfail(c, 0, "too many services and images");
	if (img && img->kind != CV_Y_NULL && img->kind != CV_Y_SCALAR)
		return cfail(c, img->line, "an image that is not a string");
	if (img && img->kind == CV_Y_NULL)
		img = NULL;
	if (img && memchr(img->s, '\0', img->len))
		return cfail(c, img->line, "a NUL in an image name");
	cv_image *im = &out->v[out->n];
	memset(im, 0, sizeof *im);
	im->service = dup_n(svc, strlen(svc));
	im->image = img ? dup_n(img->s, img->len) : NULL;
	out->n++;
	if (!im->service || (img && !im->image)) {
		c->failed = 1;
		cv_fail(c->d, CV_OUT_OF_MEMORY, "Out of memory reading the compose file.");
		return 0;
	}
	im->kind = kind;
	im->pinned = cv_image_pinned(im->image, &im->why);
	if (forced_why) {
		im->pinned = 0;
		im->why = forced_why;
	} else if (im->pinned) {
		im->why = "pinned by sha256 digest";
	}
	return 1;
}

/* The target a volume entry is unique by: long syntax `target`, short
 * syntax "source:target[:mode]" (or the whole string). */
static void volume_target(cx *c, const cv_ynode *v, const char **t, size_t *tl)
{
	*t = "";
	*tl = 0;
	if (v->kind == CV_Y_MAP) {
		const cv_ynode *x = get(c, v, "target");
		if (x && x->kind == CV_Y_SCALAR) {
			*t = x->s;
			*tl = x->len;
		}
	} else if (v->kind == CV_Y_SCALAR) {
		const char *a = memchr(v->s, ':', v->len);
		if (!a) {
			*t = v->s;
			*tl = v->len;
		} else {
			const char *b = memchr(a + 1, ':', v->len - (size_t)(a + 1 - v->s));
			*t = a + 1;
			*tl = b ? (size_t)(b - a - 1) : v->len - (size_t)(a + 1 - v->s);
		}
	}
}

static int service_volumes(cx *c, cv_image_list *out, const char *name, const cv_ynode *vols)
{
	if (!vols || vols->kind == CV_Y_NULL)
		return 1;
	if (vols->kind != CV_Y_SEQ)
		return cfail(c, vols->line, "service volumes that are not a list");
	for (const cv_yentry *e = vols->first; e; e = e->next) {
		/* Unique by target: a later entry with the same target replaces this one. */
		const char *t, *t2;
		size_t tl, tl2;
		volume_target(c, e->val, &t, &tl);
		const cv_yentry *win = e;
		int earlier = 0;
		for (const cv_yentry *f = vols->first; f != e && tick(c, vols->line); f = f->next) {
			volume_target(c, f->val, &t2, &tl2);
			if (tl2 == tl && memcmp(t, t2, tl) == 0)
				earlier = 1;
		}
		if (earlier)
			continue; /* listed at the first entry's place */
		for (const cv_yentry *f = e->next; f && tick(c, vols->line); f = f->next) {
			volume_target(c, f->val, &t2, &tl2);
			if (tl2 == tl && memcmp(t, t2, tl) == 0)
				win = f;
		}
		const cv_ynode *v = win->val;
		if (v->kind != CV_Y_MAP)
			continue; /* short syntax: a bind mount or a named volume */
		const cv_ynode *type = get(c, v, "type");
		if (!type || type->kind != CV_Y_SCALAR)
			continue;
		if (memchr(type->s, '$', type->len)) {
			if (!add_image(c, out, name, get(c, v, "source"), CV_IMAGE_VOLUME,
				    "a volume whose type is a variable the host can set"))
				return 0;
		} else if (is_str(type, "image")) {
			if (!add_image(c, out, name, get(c, v, "source"), CV_IMAGE_VOLUME, NULL))
				return 0;
		}
	}
	return 1;
}

static int list_services(cx *c, const cv_ynode *dict, cv_image_list *out)
{
	const cv_ynode *services = get(c, dict, "services");
	if (!find(c, dict, "services"))
		return cfail(c, 0, "no \"services\" mapping");
	if (services->kind == CV_Y_NULL)
		return 1;
	if (services->kind != CV_Y_MAP)
		return cfail(c, services->line, "\"services\" is not a mapping");
	size_t n = 0;
	for (const cv_yentry *e = services->first; e; e = e->next)
		if (++n > CV_MAX_SERVICES)
			return cfail(c, services->line, "too many services");
	for (const cv_yentry *e = services->first; e; e = e->next) {
		const char *name = e->key->s;
		const cv_ynode *s = e->val;
		if (s->kind == CV_Y_NULL) {
			if (!add_image(c, out, name, NULL, CV_IMAGE_SERVICE, NULL))
				return 0;
			continue;
		}
		if (s->kind != CV_Y_MAP)
			return cfail(c, s->line, "a service that is not a mapping");
		const cv_ynode *unk = get(c, s, k_unknown), *build = get(c, s, "build"), *pp = get(c, s, "pull_policy");
		const cv_ynode *provider = get(c, s, "provider");
		const char *why = NULL;
		if (unk)
			why = unk->s;
		else if (provider && provider->kind != CV_Y_NULL)
			why = "a provider service: a plugin on the host runs it, not an image";
		else if (build && build->kind != CV_Y_NULL)
			why = "built from source when deployed (build:)";
		else if (pp && pp->kind == CV_Y_SCALAR && (is_str(pp, "build") || memchr(pp->s, '$', pp->len)))
			why = "pull_policy builds the image or is set by the host";
		if (!add_image(c, out, name, get(c, s, "image"), CV_IMAGE_SERVICE, why))
			return 0;
		if (!service_volumes(c, out, name, get(c, s, "volumes")))
			return 0;
		/* pre_start hooks run a container of their own (post_start and
		 * pre_stop run inside the service's). */
		const cv_ynode *hooks = get(c, s, "pre_start");
		if (hooks && hooks->kind == CV_Y_SEQ) {
			for (const cv_yentry *h = hooks->first; h; h = h->next)
				if (h->val->kind == CV_Y_MAP && get(c, h->val, "image") &&
					!add_image(c, out, name, get(c, h->val, "image"), CV_IMAGE_HOOK, NULL))
					return 0;
		} else if (hooks && hooks->kind != CV_Y_NULL) {
			return cfail(c, hooks->line, "pre_start is not a list");
		}
	}
	return 1;
}

/* Top-level models: pulled by Compose as OCI artifacts. */
static int list_models(cx *c, const cv_ynode *dict, cv_image_list *out)
{
	const cv_ynode *models = get(c, dict, "models");
	if (!models || models->kind == CV_Y_NULL)
		return 1;
	if (models->kind != CV_Y_MAP)
		return cfail(c, models->line, "\"models\" is not a mapping");
	for (const cv_yentry *e = models->first; e; e = e->next) {
		const cv_ynode *m = e->val;
		if (m->kind == CV_Y_NULL)
			continue;
		if (m->kind != CV_Y_MAP)
			return cfail(c, m->line, "a model that is not a mapping");
		if (!add_image(c, out, e->key->s, get(c, m, "model"), CV_IMAGE_MODEL, NULL))
			return 0;
	}
	return 1;
}

cv_err cv_compose_images(const char *yaml, size_t len, cv_image_list *out, cv_diag *d)
{
	cv_yaml y;
	cv_diag local;
	cx c;
	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	cv_diag_clear(&local);
	c.d = d ? d : &local;
	c.y = &y;
	c.work = C_MAX_WORK;
	cv_err err = cv_yaml_parse(yaml, len, &y, c.d);
	if (err != CV_OK) {
		cv_yaml_free(&y);
		return err;
	}
	cv_ynode *dict = NULL;
	int include = 0;
	if (y.ndocs == 0)
		cfail(&c, 0, "no document");
	for (size_t i = 0; i < y.ndocs && !c.failed; i++) {
		c.npaths = 0;
		int removed = 0;
		cv_ynode *doc = resolve(&c, y.docs[i], "", 0, &removed);
		if (c.failed)
			break;
		if (removed || !doc || doc->kind != CV_Y_MAP) {
			cfail(&c, y.docs[i]->line, "a document whose top level is not a mapping");
			break;
		}
		const cv_ynode *inc = get(&c, doc, "include");
		if (inc && inc->kind != CV_Y_NULL) {
			if (inc->kind != CV_Y_SEQ) {
				cfail(&c, inc->line, "\"include\" is not a list");
				break;
			}
			if (inc->first)
				include = 1;
		}
		if (dict)
			apply_resets(&c, dict);
		cv_ynode *services = (cv_ynode *)get(&c, doc, "services");
		if (services && services->kind == CV_Y_MAP)
			for (cv_yentry *e = services->first; e && !c.failed; e = e->next)
				extend(&c, services, e->key->s, 0);
		if (c.failed)
			break;
		dict = dict ? merge(&c, dict, doc, 0) : doc;
	}
	if (!c.failed) {
		out->v = calloc(CV_MAX_IMAGES, sizeof *out->v);
		if (!out->v) {
			c.failed = 1;
			cv_fail(c.d, CV_OUT_OF_MEMORY, "Out of memory reading the compose file.");
		} else if (list_services(&c, dict, out) && list_models(&c, dict, out) && include) {
			add_image(&c, out, "include", NULL, CV_IMAGE_INCLUDE,
				"include: brings services from files not measured here");
		}
	}
	err = c.failed ? c.d->code : CV_OK;
	if (c.failed && err == CV_OK)
		err = CV_COMPOSE_MALFORMED;
	if (err != CV_OK)
		cv_image_list_free(out);
	cv_yaml_free(&y);
	return err;
}
