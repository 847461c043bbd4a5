/*
 * A bounded, strict YAML reader producing a tree (docs/compose-model.md).
 *
 * Reads every document of a stream ("---" / "..."), block and flow
 * collections, plain / single / double quoted scalars (multi-line too),
 * block scalars (| and >), comments, directives, anchors and aliases, and
 * keeps each node's tag (e.g. "!reset", "!override", "!!str"). Anything it
 * does not read (complex keys "?", collections or aliases as keys, tabs in
 * indentation, ...) is CV_COMPOSE_MALFORMED with the line.
 *
 * Aliases share nodes: the tree is a DAG (anchors are registered once their
 * node is complete, so there are no cycles). A consumer that expands
 * aliases must bound its own work (see compose_images.c). Merge keys "<<"
 * are kept as ordinary entries: applying them is the consumer's job.
 *
 * Bounds: nesting depth, node count, anchors and arena memory are capped.
 */
#ifndef CV_YAML_H
#define CV_YAML_H

#include <stddef.h>

#include "cv.h"

#define CV_YAML_MAX_DEPTH 64
#define CV_YAML_MAX_DOCS  64

enum { CV_Y_NULL, CV_Y_SCALAR, CV_Y_SEQ, CV_Y_MAP };

typedef struct cv_ynode cv_ynode;
typedef struct cv_yentry {
	cv_ynode *key;          /* NULL in a sequence */
	cv_ynode *val;
	struct cv_yentry *next;
} cv_yentry;

struct cv_ynode {
	int kind;               /* CV_Y_* */
	int plain;              /* a plain (unquoted) scalar */
	char *s;                /* scalar text, NUL-terminated (may hold NULs: use len) */
	size_t len;
	const char *tag;        /* NUL-terminated tag as written ("!reset", "!!str"), or NULL */
	size_t line;            /* 1-based line where the node starts */
	cv_yentry *first, *last;
};

typedef struct cv_yblock cv_yblock;

/* A parsed stream: the documents and the memory that holds them. */
typedef struct {
	cv_ynode *docs[CV_YAML_MAX_DOCS]; /* the root of each document (CV_Y_NULL when empty) */
	size_t ndocs;
	cv_yblock *arena;       /* owned */
	size_t arena_total;
} cv_yaml;

/* Parse every document of text[0..len). Codes: CV_COMPOSE_MALFORMED (with
 * the line; also for an input over the bounds). Always call cv_yaml_free. */
cv_err cv_yaml_parse(const char *text, size_t len, cv_yaml *y, cv_diag *d);
void cv_yaml_free(cv_yaml *y);

/* Memory from the stream's arena (freed with it), for consumers that build
 * trees of their own; NULL over the reader's memory cap. */
void *cv_yaml_alloc(cv_yaml *y, size_t n);

/* A new node / entry in the stream's arena; NULL when out of memory. */
cv_ynode *cv_yaml_node(cv_yaml *y, int kind);
int cv_yaml_append(cv_yaml *y, cv_ynode *coll, cv_ynode *key, cv_ynode *val);

/* A plain scalar that YAML reads as null ("", "~", "null", "Null", "NULL"),
 * or a CV_Y_NULL node, or NULL. */
int cv_yaml_is_null(const cv_ynode *n);

#endif
