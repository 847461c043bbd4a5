/*
 * JSON helpers (json.c): exact parsing and the bounds that keep cJSON safe
 * on hostile input. Every JSON text the core reads goes through here.
 */
#ifndef CV_JSON_H
#define CV_JSON_H

#include "cJSON.h"
#include "cv.h"

/*
 * True when JSON text nests brackets (outside strings) at most max deep.
 * cJSON recurses once per level, which the WASM stack cannot afford for
 * hostile input, so callers check this before parsing.
 */
int cv_json_depth_ok(const char *s, size_t len, unsigned max);

/*
 * An upper bound on the number of values in JSON text: separators and
 * openings outside strings, plus one. Each parsed value costs the parser
 * about 50 bytes, so callers bound memory by bounding this count.
 */
size_t cv_json_value_bound(const char *s, size_t len);

/*
 * Parse JSON text of exactly len bytes: trailing white space allowed,
 * anything else rejected; nesting deeper than 64 rejected (cJSON recurses
 * per level); an object that repeats a key rejected (which of two values a
 * reader takes differs between parsers, so evidence that repeats a key is
 * ambiguous, docs/checks.md). NULL when it is not such JSON.
 */
cJSON *cv_json_parse_exact(const char *s, size_t len);

/* The same, repeated keys allowed: for a caller that then names the
 * repeated key itself (cv_json_duplicate_key) with the right code. */
cJSON *cv_json_parse_text(const char *s, size_t len);

/*
 * The first key that an object anywhere in the tree holds twice, or NULL.
 * The parse must be depth-bounded (cv_json_depth_ok): this recurses per
 * level.
 */
const char *cv_json_duplicate_key(const cJSON *node);

#endif
