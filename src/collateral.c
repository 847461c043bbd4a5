/*
 * QuoteCollateralV3, TCB Info and QE Identity parsing (docs/checks.md Steps 4-5).
 *
 * TCB Info and QE Identity are parsed from the exact signed text with cJSON;
 * unknown keys are ignored, everything used is checked for type, size and
 * range, and anything after the top-level object except white space is an
 * error. Sizes are bounded before anything is allocated: the text by
 * CV_MAX_QUOTE_LEN, levels by CV_MAX_TCB_LEVELS, advisory lists by
 * CV_MAX_ADVISORIES, module identities by CV_MAX_MODULE_IDENTITIES.
 */
#include <stdlib.h>
#include <string.h>

#include "collateral.h"
#include "json.h"
#include "util.h"

/* ---- TCB status names ---- */

static const char *const status_names[CV_TCB_ST_COUNT] = {
	[CV_TCB_ST_UP_TO_DATE] = "UpToDate",
	[CV_TCB_ST_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
	[CV_TCB_ST_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
	[CV_TCB_ST_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
	[CV_TCB_ST_OUT_OF_DATE] = "OutOfDate",
	[CV_TCB_ST_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
	[CV_TCB_ST_REVOKED] = "Revoked",
};

const char *cv_tcb_status_name(cv_tcb_status s)
{
	if ((unsigned)s >= CV_TCB_ST_COUNT)
		return "Unknown";
	return status_names[s];
}

int cv_tcb_status_parse(const char *name, cv_tcb_status *out)
{
	for (int i = 0; name && i < CV_TCB_ST_COUNT; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (cv_tcb_status)i;
			return 0;
		}
	}
	return -1;
}

/* ---- small JSON helpers; ctx names the object in messages ---- */

static const cJSON *member(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static cv_err need(const cJSON *o, const char *k, const char *ctx, const cJSON **out, cv_diag *d)
{
	*out = member(o, k);
	if (!*out)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s has no \"%s\" field.", ctx, k);
	return CV_OK;
}

static cv_err get_uint(const cJSON *o, const char *k, const char *ctx, uint64_t max, uint64_t *out,
	cv_diag *d)
{
	const cJSON *it;
	cv_err e = need(o, k, ctx, &it, d);
	if (e)
		return e;
	double v = it->valuedouble;
	if (!cJSON_IsNumber(it) || !(v >= 0 && v <= (double)max) || v != (double)(uint64_t)v)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" must be an integer from 0 to %U.", ctx, k,
			max);
	*out = (uint64_t)v;
	return CV_OK;
}

static cv_err get_hex(const cJSON *o, const char *k, const char *ctx, uint8_t *out, size_t n, cv_diag *d)
{
	const cJSON *it;
	cv_err e = need(o, k, ctx, &it, d);
	if (e)
		return e;
	if (!cJSON_IsString(it) || strlen(it->valuestring) != 2 * n ||
		cv_hex_decode(it->valuestring, 2 * n, out, n) != n)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" must be %u bytes of hex.", ctx, k, (unsigned)n);
	return CV_OK;
}

static cv_err get_date(const cJSON *o, const char *k, const char *ctx, int64_t *out, cv_diag *d)
{
	const cJSON *it;
	cv_err e = need(o, k, ctx, &it, d);
	if (e)
		return e;
	if (!cJSON_IsString(it) || cv_time_parse_rfc3339(it->valuestring, strlen(it->valuestring), out) != 0)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" must be an RFC 3339 date.", ctx, k);
	return CV_OK;
}

static cv_err get_status(const cJSON *o, const char *ctx, cv_tcb_status *st, cv_diag *d)
{
	const cJSON *it;
	cv_err e = need(o, "tcbStatus", ctx, &it, d);
	if (e)
		return e;
	if (!cJSON_IsString(it))
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"tcbStatus\" must be a string.", ctx);
	if (cv_tcb_status_parse(it->valuestring, st) != 0)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s has the unknown tcbStatus \"%s\".", ctx,
			it->valuestring);
	return CV_OK;
}

/* An array's length, bounded by max (counting stops past it). */
static size_t arr_len(const cJSON *a, size_t max)
{
	size_t n = 0;
	for (const cJSON *it = a ? a->child : NULL; it && n <= max; it = it->next)
		n++;
	return n;
}

static cv_err get_array(const cJSON *o, const char *k, const char *ctx, size_t min, size_t max,
	const cJSON **arr, size_t *n, cv_diag *d)
{
	cv_err e = need(o, k, ctx, arr, d);
	if (e)
		return e;
	if (!cJSON_IsArray(*arr))
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" must be an array.", ctx, k);
	*n = arr_len(*arr, max);
	if (*n < min || *n > max)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" must hold %u to %u entries.", ctx, k,
			(unsigned)min, (unsigned)max);
	return CV_OK;
}

/* Intel's documents nest 6 deep; cJSON recurses once per level up to 1000,
 * which a hostile text could use to exhaust the small WASM stack. */
#define MAX_JSON_DEPTH 16

/* Parse text strictly into a cJSON object tree. */
static cv_err parse_strict(const char *text, size_t len, const char *what, cJSON **out, cv_diag *d)
{
	*out = NULL;
	if (!text || len == 0)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The %s text is empty.", what);
	if (len > CV_MAX_QUOTE_LEN)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The %s text is %U bytes, over the %u-byte limit.", what,
			(uint64_t)len, (unsigned)CV_MAX_QUOTE_LEN);
	if (!cv_json_depth_ok(text, len, MAX_JSON_DEPTH))
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The %s text nests deeper than %u levels.", what,
			(unsigned)MAX_JSON_DEPTH);
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!j)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The %s text is not valid JSON (error near byte %U).", what,
			(uint64_t)(end && end >= text ? (size_t)(end - text) : 0));
	for (const char *p = end; p && p < text + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
			cJSON_Delete(j);
			return cv_fail(d, CV_COLLATERAL_MALFORMED,
				"The %s text has trailing data at byte %U after its JSON object.", what,
				(uint64_t)(p - text));
		}
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The %s text is not a JSON object.", what);
	}
	const char *dup = cv_json_duplicate_key(j);
	if (dup) {
		cv_err e = cv_fail(d, CV_COLLATERAL_MALFORMED, "The %s text repeats the key %s: it is ambiguous.",
			what, dup);
		cJSON_Delete(j);
		return e;
	}
	*out = j;
	return CV_OK;
}

/* A bump allocator over one block, sized in a counting pass. */
typedef struct {
	uint8_t *p;
	size_t left;
} arena;

static void *arena_take(arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > a->left)
		return NULL; /* sized beforehand: cannot happen */
	void *r = a->p;
	a->p += n;
	a->left -= n;
	return r;
}

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* advisoryIDs (optional) -> pointers into the tree. */
static cv_err get_advisories(const cJSON *lvl, const char *ctx, arena *a, const char *const **ids, size_t *n,
	cv_diag *d)
{
	*ids = NULL;
	*n = 0;
	const cJSON *arr = member(lvl, "advisoryIDs");
	if (!arr)
		return CV_OK;
	size_t cnt;
	cv_err e = get_array(lvl, "advisoryIDs", ctx, 0, CV_MAX_ADVISORIES, &arr, &cnt, d);
	if (e)
		return e;
	if (!cnt)
		return CV_OK;
	const char **v = arena_take(a, cnt * sizeof *v);
	if (!v)
		return cv_fail(d, CV_INTERNAL, "Advisory list storage was sized wrongly.");
	size_t i = 0;
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		size_t l = cJSON_IsString(it) ? strlen(it->valuestring) : 0;
		if (l == 0 || l > CV_ADVISORY_ID_MAX)
			return cv_fail(d, CV_COLLATERAL_MALFORMED,
				"%s advisoryIDs[%u] must be a non-empty string of at most %u characters.", ctx,
				(unsigned)i, (unsigned)CV_ADVISORY_ID_MAX);
		for (size_t k = 0; k < l; k++) {
			unsigned char ch = (unsigned char)it->valuestring[k];
			if (ch < 0x21 || ch > 0x7e)
				return cv_fail(d, CV_COLLATERAL_MALFORMED,
					"%s advisoryIDs[%u] contains a character that is not printable ASCII.", ctx,
					(unsigned)i);
		}
		v[i] = it->valuestring;
	}
	*ids = (const char *const *)v;
	*n = cnt;
	return CV_OK;
}

/* Size of the advisory pointers of one level (counting pass; bounded). */
static size_t adv_bytes(const cJSON *lvl)
{
	const cJSON *arr = member(lvl, "advisoryIDs");
	if (!cJSON_IsArray(arr))
		return 0;
	return round16(arr_len(arr, CV_MAX_ADVISORIES) * sizeof(const char *));
}

/* tcbLevels[] of an identity (QE or TDX module): {tcb{isvsvn}, tcbDate, tcbStatus, advisoryIDs?}. */
static cv_err parse_isv_levels(const cJSON *parent, const char *ctx, arena *a, const cv_isv_level **out,
	size_t *n_out, int module_statuses, cv_diag *d)
{
	const cJSON *arr;
	size_t n;
	cv_err e = get_array(parent, "tcbLevels", ctx, 1, CV_MAX_TCB_LEVELS, &arr, &n, d);
	if (e)
		return e;
	cv_isv_level *lv = arena_take(a, n * sizeof *lv);
	if (!lv)
		return cv_fail(d, CV_INTERNAL, "Level storage was sized wrongly.");
	size_t i = 0;
	char c[96];
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		cv_format(c, sizeof c, "%s tcbLevels[%u]", ctx, (unsigned)i);
		if (!cJSON_IsObject(it))
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s must be an object.", c);
		const cJSON *tcb;
		uint64_t v;
		if ((e = need(it, "tcb", c, &tcb, d)))
			return e;
		if (!cJSON_IsObject(tcb))
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"tcb\" must be an object.", c);
		if ((e = get_uint(tcb, "isvsvn", c, 0xffff, &v, d)))
			return e;
		lv[i].isvsvn = (uint16_t)v;
		if ((e = get_date(it, "tcbDate", c, &lv[i].tcb_date, d)) || (e = get_status(it, c, &lv[i].status, d)))
			return e;
		if (module_statuses && lv[i].status != CV_TCB_ST_UP_TO_DATE && lv[i].status != CV_TCB_ST_OUT_OF_DATE &&
			lv[i].status != CV_TCB_ST_REVOKED)
			return cv_fail(d, CV_COLLATERAL_MALFORMED,
				"%s has tcbStatus \"%s\"; a TDX module level must be UpToDate, OutOfDate or Revoked.", c,
				cv_tcb_status_name(lv[i].status));
		if ((e = get_advisories(it, c, a, &lv[i].advisory_ids, &lv[i].n_advisory_ids, d)))
			return e;
	}
	*out = lv;
	*n_out = n;
	return CV_OK;
}

static size_t isv_levels_bytes(const cJSON *parent)
{
	const cJSON *arr = member(parent, "tcbLevels");
	if (!cJSON_IsArray(arr))
		return 0;
	size_t n = arr_len(arr, CV_MAX_TCB_LEVELS), b = round16(n * sizeof(cv_isv_level));
	for (const cJSON *it = arr->child; it && n; it = it->next, n--)
		b += adv_bytes(it);
	return b;
}

/* ---- TCB Info ---- */

/* 16 component SVNs: v3 "sgxtcbcomponents"/"tdxtcbcomponents" arrays of {svn}. */
static cv_err get_components(const cJSON *tcb, const char *k, const char *ctx, uint8_t out[16], cv_diag *d)
{
	const cJSON *arr;
	cv_err e = need(tcb, k, ctx, &arr, d);
	if (e)
		return e;
	if (!cJSON_IsArray(arr))
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" must be an array.", ctx, k);
	/* Exactly 16: a shorter list must not be zipped into a partial match
	 * (GHSA-6q6c-vvf9-fj3w). */
	size_t n = arr_len(arr, 16);
	if (n != 16)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"%s\" has %s%u entries; exactly 16 are required.",
			ctx, k, n > 16 ? "more than " : "", (unsigned)(n > 16 ? 16 : n));
	const cJSON *it;
	int i = 0;
	char c[112];
	for (it = arr->child; it; it = it->next, i++) {
		cv_format(c, sizeof c, "%s %s[%d]", ctx, k, i);
		if (!cJSON_IsObject(it))
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s must be an object.", c);
		uint64_t v;
		if ((e = get_uint(it, "svn", c, 255, &v, d)))
			return e;
		out[i] = (uint8_t)v;
	}
	return CV_OK;
}

/* The v2 flat form: sgxtcbcomp01svn .. sgxtcbcomp16svn. */
static cv_err get_components_v2(const cJSON *tcb, const char *ctx, uint8_t out[16], cv_diag *d)
{
	for (int i = 0; i < 16; i++) {
		char k[20];
		cv_format(k, sizeof k, "sgxtcbcomp%d%dsvn", (i + 1) / 10, (i + 1) % 10);
		uint64_t v;
		cv_err e = get_uint(tcb, k, ctx, 255, &v, d);
		if (e)
			return e;
		out[i] = (uint8_t)v;
	}
	return CV_OK;
}

static cv_err parse_tcb_levels(const cJSON *root, cv_tcb_info *t, arena *a, cv_diag *d)
{
	const cJSON *arr;
	size_t n;
	cv_err e = get_array(root, "tcbLevels", "TCB info", 1, CV_MAX_TCB_LEVELS, &arr, &n, d);
	if (e)
		return e;
	t->levels = arena_take(a, n * sizeof *t->levels);
	if (!t->levels)
		return cv_fail(d, CV_INTERNAL, "Level storage was sized wrongly.");
	memset(t->levels, 0, n * sizeof *t->levels);
	t->n_levels = n;
	size_t i = 0;
	char c[64];
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		cv_tcb_level *l = &t->levels[i];
		cv_format(c, sizeof c, "TCB info tcbLevels[%u]", (unsigned)i);
		if (!cJSON_IsObject(it))
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s must be an object.", c);
		const cJSON *tcb;
		uint64_t v;
		if ((e = need(it, "tcb", c, &tcb, d)))
			return e;
		if (!cJSON_IsObject(tcb))
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"tcb\" must be an object.", c);
		if (t->version >= 3) {
			if ((e = get_components(tcb, "sgxtcbcomponents", c, l->sgx_comp, d)))
				return e;
			if (t->is_tdx) {
				if ((e = get_components(tcb, "tdxtcbcomponents", c, l->tdx_comp, d)))
					return e;
				l->has_tdx = 1;
			}
		} else if ((e = get_components_v2(tcb, c, l->sgx_comp, d))) {
			return e;
		}
		if ((e = get_uint(tcb, "pcesvn", c, 0xffff, &v, d)))
			return e;
		l->pcesvn = (uint16_t)v;
		if ((e = get_date(it, "tcbDate", c, &l->tcb_date, d)) || (e = get_status(it, c, &l->status, d)) ||
			(e = get_advisories(it, c, a, &l->advisory_ids, &l->n_advisory_ids, d)))
			return e;
	}
	return CV_OK;
}

static cv_err parse_tdx_module(const cJSON *root, cv_tcb_info *t, arena *a, cv_diag *d)
{
	const cJSON *m = member(root, "tdxModule");
	cv_err e;
	if (!m)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The TDX TCB info has no \"tdxModule\" field.");
	if (!cJSON_IsObject(m))
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "TCB info \"tdxModule\" must be an object.");
	if ((e = get_hex(m, "mrsigner", "TCB info tdxModule", t->module_mrsigner, 48, d)) ||
		(e = get_hex(m, "attributes", "TCB info tdxModule", t->module_attributes, 8, d)) ||
		(e = get_hex(m, "attributesMask", "TCB info tdxModule", t->module_attributes_mask, 8, d)))
		return e;
	t->has_tdx_module = 1;

	const cJSON *arr = member(root, "tdxModuleIdentities");
	if (!arr)
		return CV_OK;
	size_t n;
	if ((e = get_array(root, "tdxModuleIdentities", "TCB info", 0, CV_MAX_MODULE_IDENTITIES, &arr, &n, d)))
		return e;
	t->has_module_identities = 1;
	cv_tdx_module_identity *mods = n ? arena_take(a, n * sizeof *mods) : NULL;
	if (n && !mods)
		return cv_fail(d, CV_INTERNAL, "Module storage was sized wrongly.");
	size_t i = 0;
	char c[64];
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		cv_tdx_module_identity *mi = &mods[i];
		memset(mi, 0, sizeof *mi);
		cv_format(c, sizeof c, "TCB info tdxModuleIdentities[%u]", (unsigned)i);
		if (!cJSON_IsObject(it))
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s must be an object.", c);
		const cJSON *id;
		if ((e = need(it, "id", c, &id, d)))
			return e;
		if (!cJSON_IsString(id) || strlen(id->valuestring) == 0 || strlen(id->valuestring) >= sizeof mi->id)
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "%s \"id\" must be a short string such as \"TDX_01\".",
				c);
		memcpy(mi->id, id->valuestring, strlen(id->valuestring) + 1);
		if ((e = get_hex(it, "mrsigner", c, mi->mrsigner, 48, d)) ||
			(e = get_hex(it, "attributes", c, mi->attributes, 8, d)) ||
			(e = get_hex(it, "attributesMask", c, mi->attributes_mask, 8, d)) ||
			(e = parse_isv_levels(it, c, a, &mi->levels, &mi->n_levels, 1, d)))
			return e;
	}
	t->modules = mods;
	t->n_modules = n;
	return CV_OK;
}

/* Bytes needed for everything the TCB info arena holds (counting pass). */
static size_t tcb_info_bytes(const cJSON *root)
{
	const cJSON *arr = member(root, "tcbLevels");
	size_t b = 16;
	if (cJSON_IsArray(arr)) {
		size_t n = arr_len(arr, CV_MAX_TCB_LEVELS);
		b += round16(n * sizeof(cv_tcb_level));
		for (const cJSON *it = arr->child; it && n; it = it->next, n--)
			b += adv_bytes(it);
	}
	const cJSON *mods = member(root, "tdxModuleIdentities");
	if (cJSON_IsArray(mods)) {
		size_t n = arr_len(mods, CV_MAX_MODULE_IDENTITIES);
		b += round16(n * sizeof(cv_tdx_module_identity));
		for (const cJSON *it = mods->child; it && n; it = it->next, n--)
			b += isv_levels_bytes(it);
	}
	return b;
}

void cv_tcb_info_free(cv_tcb_info *t)
{
	if (!t)
		return;
	free(t->mem);
	cJSON_Delete(t->json);
	memset(t, 0, sizeof *t);
}

cv_err cv_tcb_info_parse(const char *text, size_t len, cv_tcb_info *t, cv_diag *d)
{
	memset(t, 0, sizeof *t);
	cJSON *root;
	cv_err e = parse_strict(text, len, "TCB info", &root, d);
	if (e)
		return e;
	t->json = root;

	uint64_t v;
	if ((e = get_uint(root, "version", "TCB info", 1000, &v, d)))
		goto fail;
	t->version = (int)v;
	if (t->version != 2 && t->version != 3) {
		e = cv_fail(d, CV_COLLATERAL_MALFORMED, "TCB info version %d is not supported (2 or 3).", t->version);
		goto fail;
	}
	const cJSON *id = member(root, "id");
	if (id || t->version >= 3) {
		if (!id || !cJSON_IsString(id) ||
			(strcmp(id->valuestring, "SGX") != 0 && strcmp(id->valuestring, "TDX") != 0)) {
			e = cv_fail(d, CV_COLLATERAL_MALFORMED, "TCB info \"id\" must be \"SGX\" or \"TDX\".");
			goto fail;
		}
		memcpy(t->id, id->valuestring, 4);
		t->is_tdx = strcmp(t->id, "TDX") == 0;
	}
	if (t->is_tdx && t->version < 3) {
		e = cv_fail(d, CV_COLLATERAL_MALFORMED, "A TDX TCB info must be version 3 or later, got %d.", t->version);
		goto fail;
	}
	if ((e = get_date(root, "issueDate", "TCB info", &t->issue_date, d)) ||
		(e = get_date(root, "nextUpdate", "TCB info", &t->next_update, d)) ||
		(e = get_hex(root, "fmspc", "TCB info", t->fmspc, 6, d)) ||
		(e = get_hex(root, "pceId", "TCB info", t->pce_id, 2, d)))
		goto fail;
	if ((e = get_uint(root, "tcbType", "TCB info", 0xffff, &v, d)))
		goto fail;
	t->tcb_type = (int)v;
	/* Type 0 is the only defined layout of the components. */
	if (t->tcb_type != 0) {
		e = cv_fail(d, CV_COLLATERAL_MALFORMED, "TCB info tcbType %d is not supported (only 0).", t->tcb_type);
		goto fail;
	}
	if ((e = get_uint(root, "tcbEvaluationDataNumber", "TCB info", 0x7fffffff, &v, d)))
		goto fail;
	t->tcb_eval_num = (int)v;

	size_t bytes = tcb_info_bytes(root);
	t->mem = malloc(bytes);
	if (!t->mem) {
		e = cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory while reading the TCB info.");
		goto fail;
	}
	arena a = { t->mem, bytes };
	if ((e = parse_tcb_levels(root, t, &a, d)))
		goto fail;
	if (t->is_tdx && (e = parse_tdx_module(root, t, &a, d)))
		goto fail;
	return CV_OK;
fail:
	cv_tcb_info_free(t);
	return e;
}

/* ---- QE Identity ---- */

void cv_qe_identity_free(cv_qe_identity *q)
{
	if (!q)
		return;
	free(q->mem);
	cJSON_Delete(q->json);
	memset(q, 0, sizeof *q);
}

cv_err cv_qe_identity_parse(const char *text, size_t len, cv_qe_identity *q, cv_diag *d)
{
	memset(q, 0, sizeof *q);
	cJSON *root;
	cv_err e = parse_strict(text, len, "QE identity", &root, d);
	if (e)
		return e;
	q->json = root;
	const char *c = "QE identity";
	uint64_t v;
	const cJSON *id;
	if ((e = need(root, "id", c, &id, d)))
		goto fail;
	if (!cJSON_IsString(id) || (strcmp(id->valuestring, "QE") != 0 && strcmp(id->valuestring, "TD_QE") != 0 &&
		strcmp(id->valuestring, "QVE") != 0)) {
		e = cv_fail(d, CV_COLLATERAL_MALFORMED, "QE identity \"id\" must be \"QE\", \"TD_QE\" or \"QVE\".");
		goto fail;
	}
	memcpy(q->id, id->valuestring, strlen(id->valuestring) + 1);
	if ((e = get_uint(root, "version", c, 1000, &v, d)))
		goto fail;
	q->version = (int)v;
	if (q->version < 2) {
		e = cv_fail(d, CV_COLLATERAL_MALFORMED, "QE identity version %d is not supported (2 or later).",
			q->version);
		goto fail;
	}
	uint8_t ms[4], msm[4];
	if ((e = get_date(root, "issueDate", c, &q->issue_date, d)) ||
		(e = get_date(root, "nextUpdate", c, &q->next_update, d)) ||
		(e = get_uint(root, "tcbEvaluationDataNumber", c, 0x7fffffff, &v, d)))
		goto fail;
	q->tcb_eval_num = (int)v;
	if ((e = get_hex(root, "miscselect", c, ms, 4, d)) || (e = get_hex(root, "miscselectMask", c, msm, 4, d)) ||
		(e = get_hex(root, "attributes", c, q->attributes, 16, d)) ||
		(e = get_hex(root, "attributesMask", c, q->attributes_mask, 16, d)) ||
		(e = get_hex(root, "mrsigner", c, q->mrsigner, 32, d)) ||
		(e = get_uint(root, "isvprodid", c, 0xffff, &v, d)))
		goto fail;
	/* The hex bytes are in report byte order (Intel's sample identities
	 * match their QE reports byte for byte), so read them as the report's
	 * little-endian u32. */
	q->miscselect = cv_le32(ms);
	q->miscselect_mask = cv_le32(msm);
	q->isvprodid = (uint16_t)v;

	size_t bytes = 16 + isv_levels_bytes(root);
	q->mem = malloc(bytes);
	if (!q->mem) {
		e = cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory while reading the QE identity.");
		goto fail;
	}
	arena a = { q->mem, bytes };
	if ((e = parse_isv_levels(root, c, &a, &q->levels, &q->n_levels, 0, d)))
		goto fail;
	return CV_OK;
fail:
	cv_qe_identity_free(q);
	return e;
}

/* ---- QuoteCollateralV3 ---- */

/* A PEM / JSON text field. required: absent -> MISSING. */
static cv_err coll_text(const cJSON *o, const char *k, int required, const char **s, size_t *n, cv_diag *d)
{
	const cJSON *it = member(o, k);
	*s = NULL;
	*n = 0;
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return cv_fail(d, CV_COLLATERAL_MISSING, "The collateral has no \"%s\".", k);
		return CV_OK;
	}
	if (!cJSON_IsString(it))
		return cv_fail(d, CV_COLLATERAL_MALFORMED,
			"Collateral \"%s\" must be a string (for tcb_info / qe_identity: the exact signed JSON text).", k);
	*s = it->valuestring;
	*n = strlen(it->valuestring);
	if (*n > CV_MAX_QUOTE_LEN)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "Collateral \"%s\" is %U bytes, over the %u-byte limit.", k,
			(uint64_t)*n, (unsigned)CV_MAX_QUOTE_LEN);
	if (*n == 0) {
		if (required)
			return cv_fail(d, CV_COLLATERAL_MISSING, "Collateral \"%s\" is empty.", k);
		*s = NULL;
	}
	return CV_OK;
}

/* Decoded size of a byte field (hex string or number array), or -1 when it
 * has neither form. Absent -> 0 with *present = 0. */
static cv_err coll_bytes_len(const cJSON *o, const char *k, size_t *len, cv_diag *d)
{
	const cJSON *it = member(o, k);
	if (!it || cJSON_IsNull(it))
		return cv_fail(d, CV_COLLATERAL_MISSING, "The collateral has no \"%s\".", k);
	if (cJSON_IsString(it)) {
		size_t l = strlen(it->valuestring);
		*len = l / 2 + 1;
	} else if (cJSON_IsArray(it)) {
		*len = arr_len(it, CV_MAX_QUOTE_LEN);
	} else {
		return cv_fail(d, CV_COLLATERAL_MALFORMED,
			"Collateral \"%s\" must be a hex string or an array of byte values.", k);
	}
	if (*len > CV_MAX_QUOTE_LEN)
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "Collateral \"%s\" is over the %u-byte limit.", k,
			(unsigned)CV_MAX_QUOTE_LEN);
	return CV_OK;
}

static cv_err coll_bytes(const cJSON *o, const char *k, uint8_t *out, size_t cap, size_t *n, cv_diag *d)
{
	const cJSON *it = member(o, k);
	if (cJSON_IsString(it)) {
		size_t r = cv_hex_decode(it->valuestring, strlen(it->valuestring), out, cap);
		if (r == (size_t)-1)
			return cv_fail(d, CV_COLLATERAL_MALFORMED, "Collateral \"%s\" is not valid hex.", k);
		*n = r;
	} else {
		size_t i = 0;
		for (const cJSON *b = it->child; b; b = b->next, i++) {
			double v = b->valuedouble;
			if (i >= cap || !cJSON_IsNumber(b) || !(v >= 0 && v <= 255) || v != (double)(int)v)
				return cv_fail(d, CV_COLLATERAL_MALFORMED,
					"Collateral \"%s\"[%U] is not a byte value (0 to 255).", k, (uint64_t)i);
			out[i] = (uint8_t)v;
		}
		*n = i;
	}
	if (*n == 0)
		return cv_fail(d, CV_COLLATERAL_MISSING, "Collateral \"%s\" is empty.", k);
	return CV_OK;
}

void cv_collateral_free(cv_collateral *c)
{
	if (!c)
		return;
	free(c->mem);
	memset(c, 0, sizeof *c);
}

cv_err cv_collateral_parse(const cJSON *obj, cv_collateral *c, cv_diag *d)
{
	memset(c, 0, sizeof *c);
	if (!obj || cJSON_IsNull(obj))
		return cv_fail(d, CV_COLLATERAL_MISSING, "No collateral was supplied.");
	if (!cJSON_IsObject(obj))
		return cv_fail(d, CV_COLLATERAL_MALFORMED, "The collateral must be a JSON object.");
	const cJSON *inner = member(obj, "quote_collateral");
	if (!member(obj, "tcb_info") && cJSON_IsObject(inner))
		obj = inner;

	cv_err e;
	if ((e = coll_text(obj, "tcb_info", 1, &c->tcb_info, &c->tcb_info_len, d)) ||
		(e = coll_text(obj, "tcb_info_issuer_chain", 1, &c->tcb_info_issuer_chain,
			&c->tcb_info_issuer_chain_len, d)) ||
		(e = coll_text(obj, "qe_identity", 1, &c->qe_identity, &c->qe_identity_len, d)) ||
		(e = coll_text(obj, "qe_identity_issuer_chain", 1, &c->qe_identity_issuer_chain,
			&c->qe_identity_issuer_chain_len, d)) ||
		(e = coll_text(obj, "pck_crl_issuer_chain", 0, &c->pck_crl_issuer_chain,
			&c->pck_crl_issuer_chain_len, d)) ||
		(e = coll_text(obj, "pck_certificate_chain", 0, &c->pck_certificate_chain,
			&c->pck_certificate_chain_len, d)))
		return e;

	static const char *const keys[4] = { "root_ca_crl", "pck_crl", "tcb_info_signature", "qe_identity_signature" };
	size_t lens[4], total = 0;
	for (int i = 0; i < 4; i++) {
		if ((e = coll_bytes_len(obj, keys[i], &lens[i], d)))
			return e;
		total += lens[i];
	}
	c->mem = malloc(total ? total : 1);
	if (!c->mem)
		return cv_fail(d, CV_OUT_OF_MEMORY, "Out of memory while reading the collateral.");
	uint8_t *p = c->mem;
	for (int i = 0; i < 4; i++) {
		size_t got;
		if ((e = coll_bytes(obj, keys[i], p, lens[i], &got, d)))
			goto fail;
		if (i == 0) {
			c->root_ca_crl = (cv_bytes){ p, got };
		} else if (i == 1) {
			c->pck_crl = (cv_bytes){ p, got };
		} else if (got != 64) {
			e = cv_fail(d, CV_COLLATERAL_MALFORMED,
				"Collateral \"%s\" is %U bytes; a raw ECDSA P-256 signature (r||s) is 64.", keys[i],
				(uint64_t)got);
			goto fail;
		} else {
			memcpy(i == 2 ? c->tcb_info_sig : c->qe_identity_sig, p, 64);
		}
		p += got;
	}
	return CV_OK;
fail:
	cv_collateral_free(c);
	return e;
}
