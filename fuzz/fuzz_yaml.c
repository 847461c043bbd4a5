/*
 * The YAML reader (cv_yaml_parse: every document, tags, anchors / aliases)
 * and the Compose rules over it (cv_compose_images: documents merged,
 * !reset / !override, extends, include, build, image volumes).
 * Invariants: an error carries its code and a message; a parsed tree has
 * at most CV_YAML_MAX_DOCS documents, only known node kinds, mappings whose
 * keys are present and sequences whose keys are absent; a walk of the tree
 * as a DAG (aliases shared) terminates within the reader's node bound.
 */
#include "compose_images.h"
#include "fuzz_common.h"
#include "yaml.h"

/* Visits each node once per path, with a budget: aliases must not blow up a
 * walk that stops at a bound. Returns nodes visited, or -1 past budget. */
static long walk(const cv_ynode *n, int depth, long *budget)
{
	FUZZ_ASSERT(n != NULL);
	FUZZ_ASSERT(n->kind >= CV_Y_NULL && n->kind <= CV_Y_MAP);
	FUZZ_ASSERT(depth <= CV_YAML_MAX_DEPTH * 2);
	if (--*budget < 0)
		return -1;
	if (n->kind == CV_Y_SCALAR)
		FUZZ_ASSERT(n->s != NULL && n->s[n->len] == '\0');
	if (n->kind != CV_Y_SEQ && n->kind != CV_Y_MAP)
		return 1;
	long total = 1;
	for (const cv_yentry *e = n->first; e; e = e->next) {
		FUZZ_ASSERT((n->kind == CV_Y_MAP) == (e->key != NULL));
		if (e->key) {
			long k = walk(e->key, depth + 1, budget);
			if (k < 0)
				return -1;
			total += k;
		}
		long v = walk(e->val, depth + 1, budget);
		if (v < 0)
			return -1;
		total += v;
	}
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	cv_yaml y;
	cv_diag d;
	cv_diag_clear(&d);
	cv_err e = cv_yaml_parse(text, size, &y, &d);
	if (e == CV_OK) {
		FUZZ_ASSERT(y.ndocs <= CV_YAML_MAX_DOCS);
		long budget = 100000;
		for (size_t i = 0; i < y.ndocs; i++)
			if (walk(y.docs[i], 0, &budget) < 0)
				break;
	} else {
		FUZZ_ASSERT(e == CV_COMPOSE_MALFORMED && d.code == e && d.msg[0]);
	}
	cv_yaml_free(&y);

	cv_image_list l;
	cv_diag_clear(&d);
	e = cv_compose_images(text, size, &l, &d);
	if (e == CV_OK) {
		FUZZ_ASSERT(l.n <= CV_MAX_IMAGES);
		for (size_t i = 0; i < l.n; i++) {
			const char *why = NULL;
			FUZZ_ASSERT(l.v[i].service && l.v[i].why);
			if (l.v[i].pinned)
				FUZZ_ASSERT(l.v[i].image && cv_image_pinned(l.v[i].image, &why));
		}
	} else {
		FUZZ_ASSERT(d.code == e && d.msg[0]);
	}
	cv_image_list_free(&l);
	free(text);
	return 0;
}
