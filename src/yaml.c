/*
 * The bounded YAML reader of yaml.h: a recursive-descent reader of the
 * block and flow syntax compose files use, every document of the stream,
 * tags kept on nodes. Strict: what it does not read is an error with the
 * line, never a guess (docs/compose-model.md).
 */
#include <stdlib.h>
#include <string.h>

#include "yaml.h"

#define Y_MAX_NODES    200000
#define Y_MAX_ANCHORS  4096
#define Y_MAX_MEM      (32u << 20)
#define Y_MAX_ALIAS_STEPS 5000000

/* ---- arena ---- */

struct cv_yblock {
	struct cv_yblock *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *cv_yaml_alloc(cv_yaml *y, size_t n)
{
	if (n > Y_MAX_MEM)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (!y->arena || y->arena->cap - y->arena->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		if (y->arena_total + cap > Y_MAX_MEM)
			return NULL;
		cv_yblock *b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = y->arena;
		b->used = 0;
		b->cap = cap;
		y->arena = b;
		y->arena_total += cap;
	}
	void *p = y->arena->data + y->arena->used;
	y->arena->used += n;
	return p;
}

void cv_yaml_free(cv_yaml *y)
{
	if (!y)
		return;
	while (y->arena) {
		cv_yblock *n = y->arena->next;
		free(y->arena);
		y->arena = n;
	}
	y->arena_total = 0;
	y->ndocs = 0;
}

cv_ynode *cv_yaml_node(cv_yaml *y, int kind)
{
	cv_ynode *n = cv_yaml_alloc(y, sizeof *n);
	if (n) {
		memset(n, 0, sizeof *n);
		n->kind = kind;
	}
	return n;
}

int cv_yaml_append(cv_yaml *y, cv_ynode *coll, cv_ynode *key, cv_ynode *val)
{
	cv_yentry *e = cv_yaml_alloc(y, sizeof *e);
	if (!e)
		return 0;
	e->key = key;
	e->val = val;
	e->next = NULL;
	if (coll->last)
		coll->last->next = e;
	else
		coll->first = e;
	coll->last = e;
	return 1;
}

int cv_yaml_is_null(const cv_ynode *n)
{
	if (!n || n->kind == CV_Y_NULL)
		return 1;
	if (n->kind != CV_Y_SCALAR || !n->plain || n->tag)
		return 0;
	return n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
		strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0;
}

/* ---- reader state ---- */

typedef struct yanchor {
	const char *name;
	size_t len;
	cv_ynode *node;
	struct yanchor *next;
} yanchor;

typedef struct {
	const char *s;
	size_t n, pos;
	size_t line_start, line; /* line is 1-based */
	cv_yaml *y;
	int depth;
	size_t nodes, n_anchors;
	yanchor *anchors;
	int failed;
	cv_diag *d;
	const cv_ynode *alias_ret; /* the node the last alias returned */
	size_t ndocs_seen;
	size_t alias_steps;
	int bad_tab;            /* block_scalar_body met a tab in indentation */
} yp;

static int yfail(yp *p, const char *what)
{
	if (!p->failed) {
		p->failed = 1;
		cv_fail(p->d, CV_COMPOSE_MALFORMED, "The docker-compose YAML is not readable at line %U: %s.",
			(uint64_t)p->line, what);
	}
	return 0;
}

static cv_ynode *new_node(yp *p, int kind)
{
	if (p->failed)
		return NULL;
	if (++p->nodes > Y_MAX_NODES) {
		yfail(p, "too many nodes");
		return NULL;
	}
	cv_ynode *n = cv_yaml_node(p->y, kind);
	if (!n) {
		yfail(p, "out of memory (or over the reader's memory limit)");
		return NULL;
	}
	n->line = p->line;
	return n;
}

static int add_entry(yp *p, cv_ynode *coll, cv_ynode *key, cv_ynode *val)
{
	return cv_yaml_append(p->y, coll, key, val) ? 1 : yfail(p, "out of memory");
}

/* A scalar node over text already in the reader's memory (buf holds len + 1
 * bytes): the quoted, plain and block scalar readers decode into such a buffer. */
static cv_ynode *scalar_owning(yp *p, char *buf, size_t len, int plain)
{
	cv_ynode *n = new_node(p, CV_Y_SCALAR);
	if (!n)
		return NULL;
	buf[len] = '\0';
	n->s = buf;
	n->len = len;
	n->plain = plain;
	return n;
}

/* A scalar node from text (copied). */
static cv_ynode *scalar(yp *p, const char *s, size_t len, int plain)
{
	cv_ynode *n = new_node(p, CV_Y_SCALAR);
	if (!n)
		return NULL;
	n->s = cv_yaml_alloc(p->y, len + 1);
	if (!n->s) {
		yfail(p, "out of memory (or over the reader's memory limit)");
		return NULL;
	}
	memcpy(n->s, s, len);
	n->s[len] = '\0';
	n->len = len;
	n->plain = plain;
	return n;
}

/* ---- character level ---- */

static char cur(const yp *p) { return p->pos < p->n ? p->s[p->pos] : '\0'; }
static char peek(const yp *p, size_t k) { return p->pos + k < p->n ? p->s[p->pos + k] : '\0'; }
static size_t col(const yp *p) { return p->pos - p->line_start; }
static int is_blank(char c) { return c == ' ' || c == '\t'; }
static int is_eol(char c) { return c == '\n' || c == '\r' || c == '\0'; }
static int is_ws_or_eol(char c) { return is_blank(c) || is_eol(c); }
static int is_flow_ind(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

/* Characters that cannot start a plain scalar in block context (those not
 * dispatched elsewhere). */
static int bad_plain_start(char c)
{
	return c == ']' || c == '}' || c == ',' || c == '%' || c == '@' || c == '`' || c == ':';
}

static void adv(yp *p)
{
	if (p->pos >= p->n)
		return;
	if (p->s[p->pos] == '\n') {
		p->line++;
		p->line_start = p->pos + 1;
	}
	p->pos++;
}

static void skip_blanks(yp *p)
{
	while (is_blank(cur(p)))
		adv(p);
}

/* At the end of the content of this line (white space, then a comment or
 * the line end). Does not move. */
static int at_line_end(const yp *p)
{
	size_t i = p->pos;
	while (i < p->n && is_blank(p->s[i]))
		i++;
	return i >= p->n || p->s[i] == '\n' || p->s[i] == '\r' ||
		(p->s[i] == '#' && (i == p->pos ? (i == p->line_start || is_blank(p->s[i - 1])) : 1));
}

static void skip_to_eol(yp *p)
{
	while (!is_eol(cur(p)))
		adv(p);
}

/* A "---" or "..." document marker at column 0. */
static int at_doc_marker(const yp *p)
{
	if (col(p) != 0 || p->pos + 3 > p->n)
		return 0;
	const char *q = p->s + p->pos;
	return (memcmp(q, "---", 3) == 0 || memcmp(q, "...", 3) == 0) &&
		(p->pos + 3 == p->n || is_ws_or_eol(q[3]));
}

/*
 * Move to the next content character (skipping white space, comments and
 * line ends). Returns 0 at the end of the document. Rejects tabs in the
 * indentation of the line it lands on (block context).
 */
static int next_content(yp *p)
{
	for (;;) {
		char c = cur(p);
		if (c == '\0')
			return 0;
		if (c == '\t') {
			/* yaml.v3 refuses a tab in a line's indentation, even before a
			 * comment or on an otherwise empty line. */
			size_t i = p->line_start;
			while (i < p->pos && p->s[i] == ' ')
				i++;
			if (i == p->pos)
				return yfail(p, "a tab in the indentation");
		}
		if (is_blank(c)) {
			adv(p);
		} else if (c == '#' && (p->pos == p->line_start || is_blank(p->s[p->pos - 1]))) {
			skip_to_eol(p);
		} else if (c == '\n' || c == '\r') {
			adv(p);
		} else {
			break;
		}
	}
	if (at_doc_marker(p))
		return 0; /* a document marker: the caller decides */
	for (size_t i = p->line_start; i < p->pos; i++)
		if (p->s[i] == '\t')
			return yfail(p, "a tab in the indentation");
	return 1;
}

/* ---- scalars ---- */

/* UTF-8 of a code point (invalid ones become U+FFFD); returns bytes. */
static size_t utf8_put(unsigned long cp, char *out)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int hexdig(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/*
 * Line folding inside a quoted scalar: at a line break, drop trailing
 * blanks already written, skip the next line's leading blanks, and write a
 * space (or one newline per empty line).
 */
static void fold_break(yp *p, char *out, size_t *k)
{
	while (*k && is_blank(out[*k - 1]))
		(*k)--;
	size_t empty = 0;
	for (;;) {
		if (cur(p) == '\r')
			adv(p);
		if (cur(p) != '\n')
			break;
		adv(p);
		skip_blanks(p);
		if (cur(p) == '\n' || cur(p) == '\r')
			empty++;
		else
			break;
	}
	if (empty)
		while (empty--)
			out[(*k)++] = '\n';
	else
		out[(*k)++] = ' ';
}

static cv_ynode *quoted(yp *p)
{
	char q = cur(p);
	size_t start = p->pos + 1, end = start;
	/* Find the closing quote to size the output (never longer than the input). */
	while (end < p->n) {
		if (q == '"' && p->s[end] == '\\' && end + 1 < p->n)
			end += 2;
		else if (p->s[end] == q && q == '\'' && end + 1 < p->n && p->s[end + 1] == '\'')
			end += 2;
		else if (p->s[end] == q)
			break;
		else
			end++;
	}
	if (end >= p->n) {
		yfail(p, "an unterminated quoted string");
		return NULL;
	}
	char *out = cv_yaml_alloc(p->y, end - start + 1);
	if (!out) {
		yfail(p, "out of memory (or over the reader's memory limit)");
		return NULL;
	}
	size_t k = 0;
	adv(p);
	while (p->pos < end) {
		char c = cur(p);
		if (c == '\n' || c == '\r') {
			fold_break(p, out, &k);
			continue;
		}
		if (q == '\'' && c == '\'') { /* '' inside single quotes */
			out[k++] = '\'';
			adv(p);
			adv(p);
			continue;
		}
		if (q == '"' && c == '\\') {
			adv(p);
			char e = cur(p);
			int ndig = 0;
			switch (e) {
			case '0': out[k++] = '\0'; break;
			case 'a': out[k++] = '\a'; break;
			case 'b': out[k++] = '\b'; break;
			case 't': case '\t': out[k++] = '\t'; break;
			case 'n': out[k++] = '\n'; break;
			case 'v': out[k++] = '\v'; break;
			case 'f': out[k++] = '\f'; break;
			case 'r': out[k++] = '\r'; break;
			case 'e': out[k++] = 0x1b; break;
			case ' ': out[k++] = ' '; break;
			case '"': out[k++] = '"'; break;
			case '\\': out[k++] = '\\'; break;
			case 'x': ndig = 2; break;
			case 'u': ndig = 4; break;
			case 'U': ndig = 8; break;
			case '\r': case '\n':
				/* An escaped line break: join without a space. */
				if (e == '\r')
					adv(p);
				if (cur(p) == '\n')
					adv(p);
				skip_blanks(p);
				continue;
			default:
				yfail(p, "an unknown escape in a double-quoted string");
				return NULL;
			}
			if (ndig) {
				unsigned long cp = 0;
				for (int i = 0; i < ndig; i++) {
					int h = hexdig(peek(p, (size_t)i + 1));
					if (h < 0 || p->pos + (size_t)i + 1 >= end) {
						yfail(p, "a bad \\x/\\u escape");
						return NULL;
					}
					cp = cp << 4 | (unsigned long)h;
				}
				for (int i = 0; i < ndig; i++)
					adv(p);
				/* Never longer than the escape text (at least 4 chars for 3-4 bytes). */
				char tmp[4];
				size_t m = utf8_put(ndig == 2 ? cp & 0xFF : cp, tmp);
				memcpy(out + k, tmp, m);
				k += m;
			}
			adv(p);
			continue;
		}
		out[k++] = c;
		adv(p);
	}
	adv(p); /* the closing quote */
	return scalar_owning(p, out, k, 0);
}

/*
 * A plain scalar. In block context it ends at ": " (a key), " #" or the
 * line end; in flow context also at , [ ] { }. *is_key is set when it ends
 * at a ':' indicator (pos is left on the ':').
 */
static void plain_span(yp *p, int flow, size_t *start, size_t *len, int *is_key)
{
	*start = p->pos;
	*is_key = 0;
	while (!is_eol(cur(p))) {
		char c = cur(p);
		/* As yaml.v3 scans: ':' ends a plain scalar only before white
		 * space ("a:b" is one scalar, in flow too), and in flow context
		 * '?' and the flow indicators end it. */
		if (c == ':' && is_ws_or_eol(peek(p, 1))) {
			*is_key = 1;
			break;
		}
		if (c == '#' && p->pos > *start && is_blank(p->s[p->pos - 1]))
			break;
		if (flow && (is_flow_ind(c) || c == '?'))
			break;
		adv(p);
	}
	size_t e = p->pos;
	while (e > *start && is_blank(p->s[e - 1]))
		e--;
	*len = e - *start;
}

/* After a plain scalar's text on this line: is a comment what ends it? */
static int comment_follows(const yp *p)
{
	size_t i = p->pos;
	while (i < p->n && is_blank(p->s[i]))
		i++;
	return i < p->n && p->s[i] == '#';
}

/*
 * From the end of the current line, move to the next continuation line of
 * a multi-line plain scalar: the next non-empty line, indented at least
 * min_col, that is not a comment or a document marker (as yaml.v3 scans,
 * a comment ends a plain scalar). *breaks gets the empty lines skipped.
 * Returns 0 (position unchanged) when there is none.
 */
static int plain_continuation(yp *p, size_t min_col, size_t *breaks)
{
	size_t pos = p->pos, ls = p->line_start, line = p->line;
	*breaks = 0;
	skip_to_eol(p);
	for (;;) {
		if (cur(p) == '\r')
			adv(p);
		if (cur(p) != '\n')
			break;
		adv(p);
		while (cur(p) == ' ' || cur(p) == '\t')
			adv(p);
		char c = cur(p);
		if (c == '\n' || c == '\r') {
			(*breaks)++;
			continue;
		}
		if (c == '\0' || c == '#' || col(p) < min_col || at_doc_marker(p))
			break;
		for (size_t i = p->line_start; i < p->pos; i++)
			if (p->s[i] == '\t')
				goto none;
		return 1;
	}
none:
	p->pos = pos;
	p->line_start = ls;
	p->line = line;
	return 0;
}

/* A plain scalar in block context, with continuation lines indented at
 * least min_col: lines folded with a space, empty lines kept as line
 * breaks. Stops before a ':' key indicator. */
static cv_ynode *plain_block(yp *p, size_t min_col, int *is_key)
{
	size_t start, len;
	plain_span(p, 0, &start, &len, is_key);
	if (*is_key || !at_line_end(p) || comment_follows(p)) {
		if (!*is_key)
			skip_to_eol(p);
		return scalar(p, p->s + start, len, 1);
	}
	/* Two passes: measure, then copy. */
	size_t save_pos = p->pos, save_ls = p->line_start, save_line = p->line;
	char *buf = NULL;
	size_t k = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			buf = cv_yaml_alloc(p->y, k + 1);
			if (!buf) {
				yfail(p, "out of memory (or over the reader's memory limit)");
				return NULL;
			}
			p->pos = save_pos;
			p->line_start = save_ls;
			p->line = save_line;
		}
		k = 0;
		if (buf)
			memcpy(buf, p->s + start, len);
		k = len;
		size_t breaks;
		int ended_by_comment = 0;
		for (;;) {
			size_t bp = p->pos, bls = p->line_start, bl = p->line, s2, l2;
			int k2;
			if (ended_by_comment || !plain_continuation(p, min_col, &breaks))
				break;
			plain_span(p, 0, &s2, &l2, &k2);
			if (k2) { /* a key: not a continuation (the caller reads it) */
				p->pos = bp;
				p->line_start = bls;
				p->line = bl;
				break;
			}
			ended_by_comment = comment_follows(p);
			for (size_t j = 0; j < (breaks ? breaks : 1); j++) {
				if (buf)
					buf[k] = breaks ? '\n' : ' ';
				k++;
			}
			if (buf)
				memcpy(buf + k, p->s + s2, l2);
			k += l2;
		}
		if (!pass && k == len) {
			skip_to_eol(p);
			return scalar(p, p->s + start, len, 1);
		}
	}
	skip_to_eol(p);
	return scalar_owning(p, buf, k, 1);
}

/*
 * The lines of a block scalar from pos, indented at least `indent`: written
 * to buf when not NULL; returns the text length. pos ends at the start of
 * the first line that is less indented (or at the end).
 */
static size_t block_scalar_body(yp *p, long indent, int literal, int chomp, char *buf)
{
	size_t k = 0, pending_nl = 0;
	int any = 0, prev_blank = 0;
#define PUT(ch) do { if (buf) buf[k] = (ch); k++; } while (0)
	while (p->pos < p->n) {
		size_t ls = p->pos, sp = 0;
		while (ls + sp < p->n && p->s[ls + sp] == ' ')
			sp++;
		char c = ls + sp < p->n ? p->s[ls + sp] : '\0';
		if (c == '\0')
			break;
		if (c == '\n' || c == '\r') {
			/* An empty line: kept as a line break. */
			pending_nl++;
			while (cur(p) != '\n' && cur(p) != '\0')
				adv(p);
			adv(p);
			continue;
		}
		if ((long)sp < indent && c == '\t') {
			p->bad_tab = 1; /* libyaml refuses a tab where indentation is expected */
			break;
		}
		if ((long)sp < indent)
			break;
		/* Folding (>) joins two lines with a space only when neither
		 * is more indented than the block; otherwise, and in literal
		 * style, the line break is kept (libyaml's rule). */
		int blank = ls + sp < p->n && (long)sp > indent;
		if (!blank && (long)sp == indent)
			blank = is_blank(c);
		if (any) {
			if (literal || prev_blank || blank)
				for (size_t j = 0; j < pending_nl + 1; j++)
					PUT('\n');
			else if (pending_nl)
				for (size_t j = 0; j < pending_nl; j++)
					PUT('\n');
			else
				PUT(' ');
		} else {
			/* Leading empty lines are kept, in both styles. */
			for (size_t j = 0; j < pending_nl; j++)
				PUT('\n');
		}
		pending_nl = 0;
		any = 1;
		prev_blank = blank;
		for (long j = 0; j < indent; j++)
			adv(p);
		while (!is_eol(cur(p))) {
			PUT(cur(p));
			adv(p);
		}
		if (cur(p) == '\r')
			adv(p);
		if (cur(p) == '\n')
			adv(p);
	}
	if (any && chomp >= 0) {
		PUT('\n');
		if (chomp > 0)
			while (pending_nl--)
				PUT('\n');
	}
#undef PUT
	return k;
}

/* Block scalar (| or >) whose parent block is indented at parent_col. */
static cv_ynode *block_scalar(yp *p, long parent_col)
{
	int literal = cur(p) == '|';
	int chomp = 0; /* -1 strip, 0 clip, +1 keep */
	long explicit_indent = 0;
	adv(p);
	for (int i = 0; i < 2; i++) {
		char c = cur(p);
		if ((c == '-' || c == '+') && !chomp) {
			chomp = c == '-' ? -1 : 1;
			adv(p);
		} else if (c >= '1' && c <= '9' && !explicit_indent) {
			explicit_indent = c - '0';
			adv(p);
		}
	}
	if (!at_line_end(p)) {
		yfail(p, "text after a block scalar indicator");
		return NULL;
	}
	skip_to_eol(p);
	if (cur(p) == '\r')
		adv(p);
	if (cur(p) == '\n')
		adv(p);
	/* Content indentation: explicit, or that of the first non-empty line. */
	long indent = explicit_indent ? parent_col + explicit_indent : -1;
	if (indent < 0) {
		size_t i = p->pos;
		for (;;) {
			size_t sp = 0;
			while (i + sp < p->n && p->s[i + sp] == ' ')
				sp++;
			if (i + sp < p->n && (p->s[i + sp] == '\n' || p->s[i + sp] == '\r')) {
				while (i < p->n && p->s[i] != '\n')
					i++;
				i++;
				continue;
			}
			if (i + sp < p->n && p->s[i + sp] == '\t') {
				yfail(p, "a tab in a block scalar's indentation");
				return NULL;
			}
			indent = (long)sp;
			break;
		}
		if (indent <= parent_col)
			indent = parent_col + 1; /* empty content */
	}
	/* Measure, then copy: memory stays proportional to the text. */
	size_t save_pos = p->pos, save_ls = p->line_start, save_line = p->line;
	size_t len = block_scalar_body(p, indent, literal, chomp, NULL);
	if (p->bad_tab) {
		yfail(p, "a tab in a block scalar's indentation");
		return NULL;
	}
	p->pos = save_pos;
	p->line_start = save_ls;
	p->line = save_line;
	char *buf = cv_yaml_alloc(p->y, len + 1);
	if (!buf) {
		yfail(p, "out of memory (or over the reader's memory limit)");
		return NULL;
	}
	block_scalar_body(p, indent, literal, chomp, buf);
	return scalar_owning(p, buf, len, 0);
}

/* ---- anchors ---- */

/* An anchor or alias name: [0-9A-Za-z_-], as libyaml and go-yaml (docker
 * compose) read them, so "&a:b" is anchor "a" then ":b". */
static void read_anchor(yp *p, const char **name, size_t *len)
{
	*name = p->s + p->pos;
	size_t s = p->pos;
	for (;;) {
		char c = cur(p);
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    c == '_' || c == '-'))
			break;
		adv(p);
	}
	*len = p->pos - s;
}

/* &anchor and !tag in any order, at most one of each. */
static int props(yp *p, const char **anc, size_t *anc_len, const char **tag, size_t *tag_len)
{
	*anc = *tag = NULL;
	*anc_len = *tag_len = 0;
	for (;;) {
		char c = cur(p);
		if (c == '&') {
			if (*anc)
				return yfail(p, "two anchors on one node");
			adv(p);
			read_anchor(p, anc, anc_len);
			if (!*anc_len)
				return yfail(p, "an empty or invalid anchor name");
		} else if (c == '!') {
			if (*tag)
				return yfail(p, "two tags on one node");
			/* As libyaml (and so yaml.v3) reads it: up to white space, flow
			 * indicators included ("!reset}" is a tag of its own). */
			*tag = p->s + p->pos;
			size_t s0 = p->pos;
			while (!is_ws_or_eol(cur(p)))
				adv(p);
			*tag_len = p->pos - s0;
		} else {
			return 1;
		}
		/* libyaml (so yaml.v3) ends an anchor only at white space or
		 * ',' ']' '}': "&a{" is an error there, so it is here. */
		if (!is_ws_or_eol(cur(p)) && cur(p) != ',' && cur(p) != ']' && cur(p) != '}')
			return yfail(p, "an anchor not followed by white space");
		skip_blanks(p);
	}
}

static int register_anchor(yp *p, const char *name, size_t len, cv_ynode *n);

/*
 * Give a finished node its properties. A node reached through an alias is
 * shared, so properties on an alias are refused (YAML forbids them too).
 */
static cv_ynode *finish(yp *p, cv_ynode *n, const char *anc, size_t anc_len, const char *tag, size_t tag_len)
{
	if (!n || p->failed)
		return NULL;
	if (!anc && !tag)
		return n;
	if (n == p->alias_ret) {
		yfail(p, "an anchor or tag on an alias");
		return NULL;
	}
	if (tag) {
		if (n->tag) {
			yfail(p, "two tags on one node");
			return NULL;
		}
		char *t = cv_yaml_alloc(p->y, tag_len + 1);
		if (!t) {
			yfail(p, "out of memory");
			return NULL;
		}
		memcpy(t, tag, tag_len);
		t[tag_len] = '\0';
		n->tag = t;
	}
	return register_anchor(p, anc, anc_len, n) ? n : NULL;
}

static int register_anchor(yp *p, const char *name, size_t len, cv_ynode *n)
{
	if (!name || !n)
		return 1;
	if (++p->n_anchors > Y_MAX_ANCHORS)
		return yfail(p, "too many anchors");
	yanchor *a = cv_yaml_alloc(p->y, sizeof *a);
	if (!a)
		return yfail(p, "out of memory");
	a->name = name;
	a->len = len;
	a->node = n;
	a->next = p->anchors; /* newest first: a redefinition wins */
	p->anchors = a;
	return 1;
}

static cv_ynode *alias(yp *p)
{
	const char *name;
	size_t len;
	adv(p); /* '*' */
	read_anchor(p, &name, &len);
	if (!len) {
		yfail(p, "an empty or invalid alias name");
		return NULL;
	}
	for (yanchor *a = p->anchors; a; a = a->next) {
		/* A linear search: bounded in total, so many anchors times many
		 * aliases cannot take quadratic time. */
		if (++p->alias_steps > Y_MAX_ALIAS_STEPS) {
			yfail(p, "too many alias lookups");
			return NULL;
		}
		if (a->len == len && memcmp(a->name, name, len) == 0) {
			p->alias_ret = a->node;
			return a->node;
		}
	}
	yfail(p, "an alias to an unknown anchor");
	return NULL;
}

/* ---- flow collections ---- */

static cv_ynode *flow_node(yp *p);

/* White space, line ends and comments inside a flow collection. */
static void flow_skip(yp *p)
{
	for (;;) {
		char c = cur(p);
		if (is_blank(c) || c == '\n' || c == '\r')
			adv(p);
		else if (c == '#' && (p->pos == p->line_start || is_blank(p->s[p->pos - 1])))
			skip_to_eol(p);
		else
			return;
	}
}

static cv_ynode *flow_collection(yp *p)
{
	int is_map = cur(p) == '{';
	char close = is_map ? '}' : ']';
	cv_ynode *coll = new_node(p, is_map ? CV_Y_MAP : CV_Y_SEQ);
	if (!coll)
		return NULL;
	adv(p);
	for (;;) {
		flow_skip(p);
		if (cur(p) == close) {
			adv(p);
			return coll;
		}
		if (cur(p) == '\0') {
			yfail(p, "an unterminated flow collection");
			return NULL;
		}
		if (cur(p) == ',' || (cur(p) == ':' && is_ws_or_eol(peek(p, 1)))) {
			yfail(p, "an empty entry in a flow collection");
			return NULL;
		}
		size_t key_line = p->line;
		cv_ynode *key = flow_node(p);
		if (!key)
			return NULL;
		cv_ynode *val = NULL;
		flow_skip(p);
		if (cur(p) == ':' && p->line != key_line) {
			/* YAML's implicit keys stay on one line (yaml.v3 refuses). */
			yfail(p, "a mapping key that spans lines");
			return NULL;
		}
		if (cur(p) == ':') {
			if (!is_map) {
				yfail(p, "a mapping inside a flow sequence");
				return NULL;
			}
			adv(p);
			flow_skip(p);
			if (cur(p) == ',' || cur(p) == close)
				val = new_node(p, CV_Y_NULL);
			else
				val = flow_node(p);
			if (!val)
				return NULL;
			flow_skip(p);
		} else if (is_map) {
			val = new_node(p, CV_Y_NULL);
			if (!val)
				return NULL;
		}
		if (!add_entry(p, coll, is_map ? key : NULL, is_map ? val : key))
			return NULL;
		if (cur(p) == ',')
			adv(p);
		else if (cur(p) != close) {
			yfail(p, "a missing ',' in a flow collection");
			return NULL;
		}
	}
}

static cv_ynode *flow_node(yp *p)
{
	const char *anc, *tag;
	size_t anc_len, tag_len;
	cv_ynode *n;
	if (++p->depth > CV_YAML_MAX_DEPTH) {
		yfail(p, "nesting too deep");
		return NULL;
	}
	if (!props(p, &anc, &anc_len, &tag, &tag_len))
		return NULL;
	flow_skip(p);
	char c = cur(p);
	if (c == '*')
		n = alias(p);
	else if (c == '[' || c == '{')
		n = flow_collection(p);
	else if (c == '"' || c == '\'')
		n = quoted(p);
	else if (c == ',' || c == ']' || c == '}')
		n = new_node(p, CV_Y_NULL);
	else if (strchr("|>%@`#?:", c) || (c == '-' && is_ws_or_eol(peek(p, 1)))) {
		/* Indicators that cannot start a plain scalar in flow context
		 * (yaml.v3 refuses them too; "?" and ":" would be explicit keys
		 * and values, which this reader does not take). */
		yfail(p, "a character that cannot start a value in a flow collection");
		return NULL;
	} else {
		size_t s, l;
		int k;
		plain_span(p, 1, &s, &l, &k);
		if (!l && !k && !is_flow_ind(cur(p))) {
			yfail(p, "an unexpected character in a flow collection");
			return NULL;
		}
		n = scalar(p, p->s + s, l, 1);
	}
	p->depth--;
	return finish(p, n, anc, anc_len, tag, tag_len);
}

/* ---- block collections ---- */

static cv_ynode *node_at(yp *p, size_t min_col, int allow_coll);
static cv_ynode *block_seq(yp *p, size_t indent);

/* The text after a complete value must end the line. */
static int expect_line_end(yp *p)
{
	if (!at_line_end(p))
		return yfail(p, "unexpected text after a value");
	skip_to_eol(p);
	return 1;
}

/* A mapping value after "key:" at indentation `indent`. */
static cv_ynode *map_value(yp *p, size_t indent)
{
	const char *anc, *tag;
	size_t anc_len, tag_len;
	cv_ynode *v;
	skip_blanks(p);
	if (!props(p, &anc, &anc_len, &tag, &tag_len))
		return NULL;
	if (at_line_end(p)) {
		skip_to_eol(p);
		if (!next_content(p)) {
			v = p->failed ? NULL : new_node(p, CV_Y_NULL);
		} else if (col(p) > indent) {
			v = node_at(p, indent + 1, 1);
		} else if (col(p) == indent && cur(p) == '-' && is_ws_or_eol(peek(p, 1))) {
			v = block_seq(p, indent); /* a sequence at its key's indentation */
		} else {
			v = new_node(p, CV_Y_NULL);
		}
	} else {
		v = node_at(p, indent + 1, 0);
	}
	return finish(p, v, anc, anc_len, tag, tag_len);
}

/* A block mapping at column `indent`; the first key is already read and
 * pos is on its ':'. */
static cv_ynode *block_map(yp *p, size_t indent, cv_ynode *first_key)
{
	cv_ynode *map = new_node(p, CV_Y_MAP);
	cv_ynode *key = first_key;
	if (!map)
		return NULL;
	for (;;) {
		adv(p); /* ':' */
		cv_ynode *val = map_value(p, indent);
		if (!val || !add_entry(p, map, key, val))
			return NULL;
		if (!next_content(p))
			return p->failed ? NULL : map;
		if (col(p) < indent)
			return map;
		if (col(p) > indent) {
			yfail(p, "bad indentation of a mapping entry");
			return NULL;
		}
		/* The next key. */
		char c = cur(p);
		if (c == '-' && is_ws_or_eol(peek(p, 1))) {
			yfail(p, "a sequence item where a mapping key was expected");
			return NULL;
		}
		if (c == '?' && is_ws_or_eol(peek(p, 1))) {
			yfail(p, "complex mapping keys are not supported");
			return NULL;
		}
		if (c == '&' || c == '!' || c == '*' || c == '[' || c == '{' || c == '|' || c == '>' ||
			(bad_plain_start(c) && !(c == ':' && !is_ws_or_eol(peek(p, 1))))) {
			yfail(p, "an anchor, alias or collection as a mapping key is not supported");
			return NULL;
		}
		int is_key = 0;
		if (c == '"' || c == '\'') {
			size_t key_line = p->line;
			key = quoted(p);
			if (!key)
				return NULL;
			skip_blanks(p);
			is_key = cur(p) == ':' && is_ws_or_eol(peek(p, 1));
			if (is_key && p->line != key_line) {
				yfail(p, "a mapping key that spans lines");
				return NULL;
			}
		} else {
			size_t s, l;
			plain_span(p, 0, &s, &l, &is_key);
			if (!l) {
				yfail(p, "an empty mapping key");
				return NULL;
			}
			key = scalar(p, p->s + s, l, 1);
			if (!key)
				return NULL;
		}
		if (!is_key) {
			yfail(p, "a mapping key without ':'");
			return NULL;
		}
	}
}

/* A block sequence whose '-' indicators are at column `indent`. */
static cv_ynode *block_seq(yp *p, size_t indent)
{
	cv_ynode *seq = new_node(p, CV_Y_SEQ);
	if (!seq)
		return NULL;
	for (;;) {
		adv(p); /* '-' */
		while (cur(p) == ' ')
			adv(p);
		if (cur(p) == '\t') /* yaml.v3 refuses a tab after "- " too */
			return yfail(p, "a tab after a sequence indicator"), NULL;
		cv_ynode *item;
		if (at_line_end(p)) {
			skip_to_eol(p);
			if (!next_content(p))
				item = p->failed ? NULL : new_node(p, CV_Y_NULL);
			else if (col(p) > indent)
				item = node_at(p, indent + 1, 1);
			else
				item = new_node(p, CV_Y_NULL);
		} else {
			/* "- key: v" or "- - x": a compact collection at this column. */
			item = node_at(p, indent + 1, 1);
		}
		if (!item || !add_entry(p, seq, NULL, item))
			return NULL;
		if (!next_content(p))
			return p->failed ? NULL : seq;
		if (col(p) < indent)
			return seq;
		if (col(p) > indent || !(cur(p) == '-' && is_ws_or_eol(peek(p, 1)))) {
			if (col(p) == indent)
				return seq; /* e.g. the next key of a parent mapping at the same column */
			yfail(p, "bad indentation of a sequence item");
			return NULL;
		}
	}
}

/*
 * The scalar key just read at start_col is followed by ": ": it opens a block
 * mapping, with key as its first key. Shared by quoted and plain keys, which
 * refuse the same things: a mapping where no collection may start (after a
 * key on the same line), and properties that would belong to the key.
 */
static cv_ynode *key_opens_map(yp *p, size_t start_col, cv_ynode *key, int allow_coll, int inline_props)
{
	if (!allow_coll) {
		yfail(p, "a mapping on the same line as its key");
		return NULL;
	}
	if (inline_props) {
		yfail(p, "an anchor or tag on a mapping key is not supported");
		return NULL;
	}
	return block_map(p, start_col, key);
}

/*
 * A node starting at pos (a content character). min_col: the least column
 * of its continuation lines. allow_coll: a block mapping or sequence may
 * start here (start of a line, or after "- ").
 */
static cv_ynode *node_at(yp *p, size_t min_col, int allow_coll)
{
	const char *anc, *tag;
	size_t anc_len, tag_len;
	cv_ynode *n = NULL;
	if (++p->depth > CV_YAML_MAX_DEPTH) {
		yfail(p, "nesting too deep");
		return NULL;
	}
	size_t start_col = col(p);
	if (!props(p, &anc, &anc_len, &tag, &tag_len))
		return NULL;
	int inline_props = anc || tag;
	if (at_line_end(p)) {
		/* Properties ("&a", "!tag") alone: the node is on the next lines. */
		skip_to_eol(p);
		if (!next_content(p) || col(p) < min_col)
			n = p->failed ? NULL : new_node(p, CV_Y_NULL);
		else
			n = node_at(p, min_col, 1);
		goto done;
	}
	start_col = col(p);
	char c = cur(p);
	if (c == '*') {
		n = alias(p);
		if (n && !expect_line_end(p))
			n = NULL;
	} else if (c == '-' && is_ws_or_eol(peek(p, 1))) {
		if (!allow_coll) {
			yfail(p, "a sequence on the same line as its key");
			goto done;
		}
		n = block_seq(p, start_col);
	} else if (c == '[' || c == '{') {
		n = flow_collection(p);
		if (n && !expect_line_end(p))
			n = NULL;
	} else if (c == '|' || c == '>') {
		n = block_scalar(p, (long)min_col - 1);
	} else if (c == '?' && is_ws_or_eol(peek(p, 1))) {
		yfail(p, "complex mapping keys are not supported");
	} else if (c == '"' || c == '\'') {
		size_t key_line = p->line;
		n = quoted(p);
		if (!n)
			goto done;
		skip_blanks(p);
		if (cur(p) == ':' && is_ws_or_eol(peek(p, 1)) && p->line != key_line) {
			yfail(p, "a mapping key that spans lines");
			n = NULL;
			goto done;
		}
		if (cur(p) == ':' && is_ws_or_eol(peek(p, 1))) {
			n = key_opens_map(p, start_col, n, allow_coll, inline_props);
		} else if (!expect_line_end(p)) {
			n = NULL;
		}
	} else if (bad_plain_start(c) && !(c == ':' && !is_ws_or_eol(peek(p, 1)))) {
		yfail(p, "a value that starts with a reserved character");
	} else {
		int is_key;
		n = plain_block(p, min_col, &is_key);
		if (n && is_key)
			n = key_opens_map(p, start_col, n, allow_coll, inline_props);
	}
done:
	p->depth--;
	return finish(p, n, anc, anc_len, tag, tag_len);
}

/* Skip a "..." or "---" marker (pos at column 0 on it). */
static void skip_marker(yp *p)
{
	adv(p);
	adv(p);
	adv(p);
}

/*
 * Every document of the stream. A document is an optional prologue
 * (directives, then "---"), a node, and an optional "..." end marker; a
 * "---" alone opens an empty document. Anchors do not cross documents.
 */
static int yaml_parse_all(yp *p)
{
	for (;;) {
		int started = 0, directives = 0;
		size_t marker_line = 0;
		cv_ynode *root;
		p->anchors = NULL;
		p->n_anchors = 0;
		p->alias_ret = NULL;
		for (;;) {
			if (next_content(p)) {
				if (cur(p) == '%' && col(p) == 0 && !started) {
					/* yaml.v3 (so Compose) accepts only "%YAML 1.1"; a %TAG
					 * would change what tags mean. */
					static const char v11[] = "%YAML 1.1";
					if (p->n - p->pos < sizeof v11 - 1 || memcmp(p->s + p->pos, v11, sizeof v11 - 1) != 0)
						return yfail(p, "a directive other than %YAML 1.1");
					adv(p);
					if (directives++)
						return yfail(p, "a repeated %YAML directive");
					p->pos += sizeof v11 - 2;
					if (!at_line_end(p))
						return yfail(p, "text after a %YAML directive");
					skip_to_eol(p);
					continue;
				}
				break;
			}
			if (p->failed)
				return 0;
			if (!at_doc_marker(p)) { /* the end of the input */
				if (started || directives) {
					if (directives && !started)
						return yfail(p, "directives without a document");
					goto empty;
				}
				return 1;
			}
			if (p->s[p->pos] == '.') {
				if (started)
					goto empty;
				skip_marker(p); /* a stray end marker */
				if (!at_line_end(p))
					return yfail(p, "text after a document end marker");
				continue;
			}
			if (started)
				goto empty; /* "---" right after "---" */
			started = 1;
			marker_line = p->line;
			skip_marker(p);
		}
		/* yaml.v3 reads only the first document without a "---" (and
		 * not after directives). */
		if (!started && (p->ndocs_seen || directives))
			return yfail(p, "a document without a \"---\" start marker");
		if (p->ndocs_seen >= CV_YAML_MAX_DOCS)
			return yfail(p, "too many documents");
		/* On the "---" line itself only a scalar or a flow collection. */
		root = node_at(p, 0, !(started && p->line == marker_line));
		if (!root)
			return 0;
		p->y->docs[p->y->ndocs++] = root;
		p->ndocs_seen++;
		if (next_content(p))
			return yfail(p, "content after the end of a document's top-level node");
		if (p->failed)
			return 0;
		continue;
empty:
		if (p->ndocs_seen >= CV_YAML_MAX_DOCS)
			return yfail(p, "too many documents");
		root = new_node(p, CV_Y_NULL);
		if (!root)
			return 0;
		p->y->docs[p->y->ndocs++] = root;
		p->ndocs_seen++;
	}
}

cv_err cv_yaml_parse(const char *text, size_t len, cv_yaml *y, cv_diag *d)
{
	yp p;
	cv_diag local;
	memset(y, 0, sizeof *y);
	memset(&p, 0, sizeof p);
	cv_diag_clear(&local);
	p.s = text;
	p.n = len;
	p.line = 1;
	p.y = y;
	p.d = d ? d : &local;
	/* A byte order mark opens the stream for yaml.v3 (it is skipped); the
	 * key after it would otherwise read as "\xEF\xBB\xBFservices" here. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
		p.s = text;
		p.n = len;
	}
	/* yaml.v3 (so Compose) also breaks lines at NEL (U+0085) and the
	 * Unicode line and paragraph separators (U+2028, U+2029): text after one
	 * inside a comment would be read by Compose and not here. Refuse them. */
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)text + i;
		if (u[0] == '\n')
			p.line++;
		else if (i + 2 < len && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
			/* yaml.v3 skips a BOM at the start of any line too; refuse it
			 * anywhere but the very start. */
			yfail(&p, "a byte order mark (U+FEFF) after the start of the text");
			y->ndocs = 0;
			return CV_COMPOSE_MALFORMED;
		} else if ((i + 1 < len && u[0] == 0xC2 && u[1] == 0x85) ||
			(i + 2 < len && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))) {
			yfail(&p, "a Unicode line break (NEL, U+2028 or U+2029), which Compose reads as a new line");
			y->ndocs = 0;
			return CV_COMPOSE_MALFORMED;
		} else if (u[0] == '\r' && (i + 1 == len || u[1] != '\n')) {
			/* A CR alone is a line break to yaml.v3 too; this reader
			 * counts columns from LF only, so it would misplace the next
			 * line's indentation (a service read as a key of another). */
			yfail(&p, "a carriage return not followed by a line feed (only LF or CRLF line ends are read)");
			y->ndocs = 0;
			return CV_COMPOSE_MALFORMED;
		}
	}
	p.line = 1;
	if (!yaml_parse_all(&p)) {
		if (!p.failed)
			yfail(&p, "the reader stopped without a reason");
		y->ndocs = 0;
		return CV_COMPOSE_MALFORMED;
	}
	return CV_OK;
}
