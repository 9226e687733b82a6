/* SPDX-License-Identifier: MIT */
/* sigauto.c - the literal prefilter: the literals a pattern cannot match
 * without, and one Aho-Corasick automaton of the literals of every clause. */
#include "analyzer/sig_int.h"

/* ---- literals -------------------------------------------------------------- */

/* Past a group or class starting at p[i]; escapes and nested classes
 * skipped. */
static size_t
skip_class(const char *p, size_t i)
{
	i++;					/* '[' */
	if (p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	while (p[i] && p[i] != ']') {
		if (p[i] == '\\' && p[i + 1])
			i++;
		else if (p[i] == '[' && p[i + 1] == ':') {
			const char *e = strstr(p + i + 2, ":]");

			if (e)
				i = (size_t)(e - p) + 1;
		}
		i++;
	}
	return p[i] ? i + 1 : i;
}

static size_t
skip_group(const char *p, size_t i)
{
	int depth = 0;

	while (p[i]) {
		if (p[i] == '\\' && p[i + 1]) {
			i += 2;
			continue;
		}
		if (p[i] == '[') {
			i = skip_class(p, i);
			continue;
		}
		if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return i;
}

/* A quantifier at p[i]: its length (with a lazy or possessive suffix), and
 * whether the atom before it may be absent. 0 when none. */
static size_t
quantifier(const char *p, size_t i, bool *optional)
{
	size_t n = 0;

	*optional = false;
	if (p[i] == '*' || p[i] == '?') {
		*optional = true;
		n = 1;
	} else if (p[i] == '+') {
		n = 1;
	} else if (p[i] == '{' && isdigit((unsigned char)p[i + 1])) {
		size_t k = i + 1;

		while (isdigit((unsigned char)p[k]) || p[k] == ',')
			k++;
		if (p[k] != '}')
			return 0;
		*optional = p[i + 1] == '0';
		n = k + 1 - i;
	}
	if (n && (p[i + n] == '?' || p[i + n] == '+'))
		n++;
	return n;
}

struct lit_acc {
	struct buf run, best;
};

static void
run_end(struct lit_acc *a)
{
	if (a->run.len > a->best.len) {
		buf_reset(&a->best);
		buf_add(&a->best, a->run.data, a->run.len);
	}
	buf_reset(&a->run);
}

/* The longest run of plain characters of each top-level alternative of
 * pattern, lower-cased; false (with *bad the alternative's number) when an
 * alternative has none of MIN_LITERAL characters. */
bool
derive_literals(const char *p, char ***out, size_t *nout, int *bad)
{
	struct lit_acc a;
	size_t i = 0;
	int alt = 0;
	bool ok = true;

	buf_init(&a.run, 4096);
	buf_init(&a.best, 4096);
	for (;;) {
		char c = p[i], atom;
		bool opt;
		size_t q;

		if (c == '\0' || c == '|') {
			run_end(&a);
			if (a.best.len < MIN_LITERAL) {
				if (ok)
					*bad = alt;
				ok = false;
			} else {
				*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
				(*out)[(*nout)++] = xstrndup(a.best.data, a.best.len);
			}
			buf_reset(&a.best);
			alt++;
			if (c == '\0')
				break;
			i++;
			continue;
		}
		if (c == '(' || c == '[') {
			run_end(&a);
			i = c == '(' ? skip_group(p, i) : skip_class(p, i);
			i += quantifier(p, i, &opt);
			continue;
		}
		if (c == '.' || c == '^' || c == '$' || c == '*' || c == '+' || c == '?' || c == '{' || c == ')') {
			run_end(&a);
			i++;
			i += quantifier(p, i, &opt);
			continue;
		}
		if (c == '\\') {
			char d = p[i + 1];

			if (d == '\0') {
				i++;
				continue;
			}
			if (isalnum((unsigned char)d)) {
				/* \d \s \b \x41 \p{..} ...: not a plain character */
				run_end(&a);
				i += 2;
				if ((d == 'x' || d == 'p' || d == 'P' || d == 'o') && p[i] == '{') {
					while (p[i] && p[i] != '}')
						i++;
					if (p[i])
						i++;
				}
				i += quantifier(p, i, &opt);
				continue;
			}
			atom = d;
			i += 2;
		} else {
			atom = c;
			i++;
		}
		q = quantifier(p, i, &opt);
		if (q) {
			if (!opt)
				buf_addc(&a.run, (char)tolower((unsigned char)atom));
			run_end(&a);
			i += q;
		} else {
			buf_addc(&a.run, (char)tolower((unsigned char)atom));
		}
	}
	buf_release(&a.run);
	buf_release(&a.best);
	return ok;
}

/* ---- the automaton ------------------------------------------------------ */

struct trie {
	int32_t *next;			/* nstates * ncls, -1 */
	int32_t *fail;
	uint32_t **out;			/* per state: gclause list */
	size_t *nout;
	size_t n, cap, ncls;
};

static int32_t
trie_add_state(struct trie *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		t->next = xrealloc(t->next, cap * t->ncls * sizeof(*t->next));
		t->fail = xrealloc(t->fail, cap * sizeof(*t->fail));
		t->out = xrealloc(t->out, cap * sizeof(*t->out));
		t->nout = xrealloc(t->nout, cap * sizeof(*t->nout));
		t->cap = cap;
	}
	for (size_t c = 0; c < t->ncls; c++)
		t->next[t->n * t->ncls + c] = -1;
	t->fail[t->n] = 0;
	t->out[t->n] = NULL;
	t->nout[t->n] = 0;
	return (int32_t)t->n++;
}

void
sigset_finish(struct sig_set *ss)
{
	struct trie t = { 0 };
	int32_t *queue;
	size_t qh = 0, qt = 0, nout = 0;

	if (ss->finished)
		return;
	ss->finished = true;
	/* Global clause numbers, and the byte classes of all literals. */
	memset(ss->cls, 0, sizeof(ss->cls));
	ss->ncls = 1;
	for (size_t i = 0; i < ss->n; i++) {
		for (size_t j = 0; j < ss->sigs[i].ncl; j++) {
			const struct clause *c = &ss->sigs[i].cl[j];

			ss->gcl = xrealloc(ss->gcl, (ss->ngcl + 1) * sizeof(*ss->gcl));
			ss->gcl[ss->ngcl++] = (struct gclause){ (uint32_t)i, (uint32_t)j };
			for (size_t k = 0; k < c->nliterals; k++) {
				for (const unsigned char *p = (const unsigned char *)c->literals[k]; *p; p++) {
					if (!ss->cls[*p])
						ss->cls[*p] = (uint8_t)ss->ncls++;
				}
			}
		}
	}
	/* Upper-case letters share their lower-case letter's class. */
	for (int c = 'A'; c <= 'Z'; c++)
		ss->cls[c] = ss->cls[c + 'a' - 'A'];
	t.ncls = ss->ncls;
	trie_add_state(&t);
	for (size_t g = 0; g < ss->ngcl; g++) {
		const struct clause *c = &ss->sigs[ss->gcl[g].sig].cl[ss->gcl[g].clause];

		if (!c->nliterals) {
			ss->provider_only = xrealloc(ss->provider_only,
						     (ss->nprovider_only + 1) * sizeof(*ss->provider_only));
			ss->provider_only[ss->nprovider_only++] = (uint32_t)g;
			continue;
		}
		for (size_t k = 0; k < c->nliterals; k++) {
			int32_t st = 0;

			for (const unsigned char *p = (const unsigned char *)c->literals[k]; *p; p++) {
				size_t cl = ss->cls[*p];
				int32_t nx = t.next[(size_t)st * t.ncls + cl];

				if (nx < 0) {
					nx = trie_add_state(&t);
					t.next[(size_t)st * t.ncls + cl] = nx;
				}
				st = nx;
			}
			t.out[st] = xrealloc(t.out[st], (t.nout[st] + 1) * sizeof(uint32_t));
			t.out[st][t.nout[st]++] = (uint32_t)g;
		}
	}
	/* Breadth first: failure links, and missing edges filled in so that
	 * the trie becomes a DFA. */
	queue = xmalloc(t.n * sizeof(*queue));
	ss->dict = xmalloc(t.n * sizeof(*ss->dict));
	ss->dict[0] = -1;
	for (size_t c = 0; c < t.ncls; c++) {
		int32_t nx = t.next[c];

		if (nx < 0) {
			t.next[c] = 0;
		} else {
			t.fail[nx] = 0;
			queue[qt++] = nx;
		}
	}
	while (qh < qt) {
		int32_t st = queue[qh++];
		int32_t f = t.fail[st];

		ss->dict[st] = t.nout[f] ? f : ss->dict[f];
		for (size_t c = 0; c < t.ncls; c++) {
			int32_t nx = t.next[(size_t)st * t.ncls + c];

			if (nx < 0) {
				t.next[(size_t)st * t.ncls + c] = t.next[(size_t)f * t.ncls + c];
			} else {
				t.fail[nx] = t.next[(size_t)f * t.ncls + c];
				queue[qt++] = nx;
			}
		}
	}
	free(queue);
	/* Outputs as one array of lists. */
	ss->out_first = xmalloc(t.n * sizeof(*ss->out_first));
	for (size_t st = 0; st < t.n; st++)
		nout += t.nout[st] ? t.nout[st] + 1 : 0;
	ss->outs = xmalloc((nout + 1) * sizeof(*ss->outs));
	ss->nouts = 0;
	for (size_t st = 0; st < t.n; st++) {
		if (!t.nout[st]) {
			ss->out_first[st] = -1;
			continue;
		}
		ss->out_first[st] = (int32_t)ss->nouts;
		for (size_t k = 0; k < t.nout[st]; k++)
			ss->outs[ss->nouts++] = t.out[st][k];
		ss->outs[ss->nouts++] = UINT32_MAX;
		free(t.out[st]);
	}
	ss->delta = t.next;
	ss->nstates = t.n;
	free(t.fail);
	free(t.out);
	free(t.nout);
}
