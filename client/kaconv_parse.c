/* kaconv_parse.c: keepalived's configuration syntax into a tree.
 *
 * Words are separated by blanks; "double quotes" keep blanks in a word; '{'
 * and '}' are tokens of their own (outside quotes); '#' or '!' outside
 * quotes starts a comment that runs to the end of the line, also in the
 * middle of a word (as keepalived reads it). A statement
 * is the words of one line, and owns the { } block that follows it, on the
 * same line or the next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaconv_priv.h"

enum tok { T_WORD, T_OPEN, T_CLOSE, T_EOL, T_END, T_ERR };

struct parser {
	const char *p, *end;
	int line;
	char *word;                     /* the last T_WORD, owned until taken */
	enum tok back;                  /* pushed back token, T_ERR = none */
	int back_line;
	char *err;
	size_t errlen;
};

static enum tok fail(struct parser *ps, const char *what)
{
	snprintf(ps->err, ps->errlen, "line %d: %s", ps->line, what);
	return T_ERR;
}

static int fail_rc(struct parser *ps, const char *what)
{
	fail(ps, what);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Append n bytes to the word being built. */
static bool word_add(char **w, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 32;
		char *nw;

		while (c < *len + n + 1)
			c *= 2;
		if (!(nw = realloc(*w, c)))
			return false;
		*w = nw;
		*cap = c;
	}
	memcpy(*w + *len, s, n);
	*len += n;
	(*w)[*len] = '\0';
	return true;
}

/* One word at ps->p (not at a blank, brace, newline or comment). */
static enum tok lex_word(struct parser *ps)
{
	char *w = NULL;
	size_t len = 0, cap = 0;
	bool ok = word_add(&w, &len, &cap, "", 0);

	while (ok && ps->p < ps->end && !is_blank(*ps->p) && !strchr("\n{}#!", *ps->p)) {
		if (*ps->p == '"') {
			const char *q = ps->p + 1;

			while (q < ps->end && *q != '"' && *q != '\n')
				q++;
			if (q == ps->end || *q != '"') {
				free(w);
				return fail(ps, "unterminated quote");
			}
			ok = word_add(&w, &len, &cap, ps->p + 1, (size_t)(q - ps->p - 1));
			ps->p = q + 1;
		} else {
			ok = word_add(&w, &len, &cap, ps->p++, 1);
		}
	}
	if (!ok) {
		free(w);
		return fail(ps, "out of memory");
	}
	ps->word = w;
	return T_WORD;
}

static enum tok lex(struct parser *ps)
{
	enum tok t;

	if (ps->back != T_ERR) {
		t = ps->back;
		ps->back = T_ERR;
		return t;
	}
	for (;;) {
		if (ps->p >= ps->end)
			return T_END;
		if (is_blank(*ps->p)) {
			ps->p++;
		} else if (*ps->p == '#' || *ps->p == '!') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else if (*ps->p == '\0') {
			return fail(ps, "NUL byte (not a text file?)");
		} else {
			break;
		}
	}
	if (*ps->p == '\n') {
		ps->p++;
		ps->line++;
		return T_EOL;
	}
	if (*ps->p == '{' || *ps->p == '}')
		return *ps->p++ == '{' ? T_OPEN : T_CLOSE;
	return lex_word(ps);
}

static void unlex(struct parser *ps, enum tok t)
{
	ps->back = t;
}

static int node_push(struct ka_node *parent, struct ka_node *child)
{
	struct ka_node *nk = realloc(parent->kids, (parent->n_kids + 1) * sizeof(*nk));

	if (!nk)
		return -1;
	parent->kids = nk;
	parent->kids[parent->n_kids++] = *child;
	return 0;
}

static int word_push(struct ka_node *n, char *w)
{
	char **nw = realloc(n->w, (n->n + 1) * sizeof(*nw));

	if (!nw) {
		free(w);
		return -1;
	}
	n->w = nw;
	n->w[n->n++] = w;
	return 0;
}

static int parse_block(struct parser *ps, struct ka_node *parent, int depth, int open_line);

/* The words of one statement (the first is in ps->word), and its block. */
static int parse_statement(struct parser *ps, struct ka_node *parent, int depth)
{
	struct ka_node n = { .line = ps->line };
	enum tok t = T_WORD;
	int rc = 0;

	do {
		if (t == T_WORD && word_push(&n, ps->word) < 0) {
			rc = fail_rc(ps, "out of memory");
			break;
		}
		ps->word = NULL;
		t = lex(ps);
	} while (t == T_WORD);
	if (rc == 0 && t == T_ERR)
		rc = -1;
	if (rc == 0 && t == T_OPEN) {
		n.block = true;
		rc = parse_block(ps, &n, depth + 1, ps->line);
	} else if (rc == 0) {
		unlex(ps, t);
	}
	if (rc == 0 && node_push(parent, &n) < 0)
		rc = fail_rc(ps, "out of memory");
	if (rc < 0)
		ka_free(&n);
	return rc;
}

/* Statements until the '}' that closes the block (or the end, at depth 0). */
static int parse_block(struct parser *ps, struct ka_node *parent, int depth, int open_line)
{
	if (depth > KA_DEPTH_MAX)
		return fail_rc(ps, "blocks nested too deep");
	for (;;) {
		enum tok t = lex(ps);
		struct ka_node *last = parent->n_kids ? &parent->kids[parent->n_kids - 1] : NULL;

		switch (t) {
		case T_ERR:
			return -1;
		case T_EOL:
			continue;
		case T_END:
			if (depth == 0)
				return 0;
			snprintf(ps->err, ps->errlen, "end of file: missing '}' for the block "
				 "opened at line %d", open_line);
			return -1;
		case T_CLOSE:
			if (depth > 0)
				return 0;
			return fail_rc(ps, "'}' without a block to close");
		case T_OPEN:    /* a block on the line after its statement */
			if (!last || last->block) {
				return fail_rc(ps, "'{' without a keyword before it");
			}
			last->block = true;
			if (parse_block(ps, last, depth + 1, ps->line) < 0)
				return -1;
			continue;
		case T_WORD:
			if (parse_statement(ps, parent, depth) < 0)
				return -1;
			continue;
		}
	}
}

int ka_parse(const char *text, size_t len, struct ka_node *root, char *err, size_t errlen)
{
	struct parser ps = {
		.p = text, .end = text + len, .line = 1, .back = T_ERR, .err = err, .errlen = errlen,
	};

	memset(root, 0, sizeof(*root));
	if (parse_block(&ps, root, 0, 0) == 0)
		return 0;
	free(ps.word);
	ka_free(root);
	return -1;
}

void ka_free(struct ka_node *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->w[i]);
	free(n->w);
	for (size_t i = 0; i < n->n_kids; i++)
		ka_free(&n->kids[i]);
	free(n->kids);
	memset(n, 0, sizeof(*n));
}
