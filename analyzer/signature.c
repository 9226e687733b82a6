/* SPDX-License-Identifier: MIT */
/* signature.c - loading, validating, compiling and matching signatures
 * (docs/SIGNATURES.md).
 *
 * Cost per record does not grow with the number of signatures: the
 * literals of every clause are in one Aho-Corasick automaton (a DFA over
 * the byte classes the literals use), so a record's text is read once;
 * PCRE2, compiled and JIT-compiled at load, runs only for the clauses whose
 * literal (or provider) the record has. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/signature.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define MIN_LITERAL 3
#define MAX_FILE (1u << 20)

enum op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

struct cond_cmp {
	char *capture;
	enum op op;
	double value;
};

struct cond_fact {
	char *name, *version, *equals;
	enum op op;
	int present;			/* -1: not asked, 0: must be absent, 1: must be present */
};

struct clause {
	char *pattern, *field;
	pcre2_code *re;
	uint32_t ncap;			/* capture groups */
	char **literals;
	size_t nliterals;
	char **providers;
	size_t nproviders;
	int64_t *ids;
	size_t nids;
	int level;			/* lowest level rank, 0: any */
	struct cond_cmp *cmp;
	size_t ncmp;
	struct cond_fact *facts;
	size_t nfacts;
	bool after_start;
	pcre2_code *nf_re;		/* not_followed_by */
	int64_t nf_minutes;		/* -1: to the end of the source */
};

struct sample {
	char *message, *provider, *level;
	int64_t event_id;
	char **fname, **fvalue;		/* fields, then facts after nfields */
	size_t nfields, nfacts;
	bool expect;
};

struct sig {
	struct sig_info info;
	char *id, *title, *severity, *confidence, *remediation, *origin;
	char **explains, **refs;
	struct clause *cl;
	size_t ncl;
	struct sample *samples;
	size_t nsamples;
	char **set_fact, **set_value;
	size_t nsets;
};

/* A clause by its global number (after sigset_finish). */
struct gclause {
	uint32_t sig, clause;
};

struct sig_set {
	struct sig *sigs;
	size_t n, cap;
	bool finished;
	struct gclause *gcl;
	size_t ngcl;
	/* Aho-Corasick DFA over byte classes (lower-cased). */
	uint8_t cls[256];
	size_t ncls, nstates;
	int32_t *delta;			/* nstates * ncls */
	int32_t *out_first;		/* per state: index into outs, -1 */
	int32_t *dict;			/* per state: next state (suffix) with output, -1 */
	uint32_t *outs;			/* lists of gclause numbers, each ended by UINT32_MAX */
	size_t nouts;
	uint32_t *provider_only;	/* clauses without literals (they have a provider) */
	size_t nprovider_only;
};

/* ---- small helpers --------------------------------------------------------- */

static void
seterr(char **err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	free(*err);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
level_rank(const char *l)
{
	if (!l)
		return 0;
	if (!strcasecmp(l, "verbose"))
		return 1;
	if (!strcasecmp(l, "info") || !strcasecmp(l, "information"))
		return 2;
	if (!strcasecmp(l, "warning") || !strcasecmp(l, "warn"))
		return 3;
	if (!strcasecmp(l, "error"))
		return 4;
	if (!strcasecmp(l, "critical"))
		return 5;
	return 0;
}

unsigned
sig_kind_of_format(const char *f)
{
	static const struct {
		const char *format;
		unsigned kind;
	} map[] = {
		{ "trace", SK_TRACE },		{ "msi", SK_MSI },		{ "autoupgrade", SK_AUTOUPGRADE },
		{ "evtx", SK_EVENT },		{ "evxml", SK_EVENT },		{ "evtext", SK_EVENT },
		{ "evcsv", SK_EVENT },		{ "pscsv", SK_EVENT },		{ "psjson", SK_EVENT },
		{ "adsyncsettings", SK_SETTINGS }, { "aboutversion", SK_SETTINGS }, { "configexport", SK_CONFIG },
		{ "runxml", SK_RUN },		{ "runclixml", SK_RUN },	{ "runjson", SK_RUN },
		{ "runcsv", SK_RUN },		{ "runlist", SK_RUN },
		/* pasted and plain text may hold any of them: every signature reads it */
		{ "paste", SK_ANY },		{ "text", SK_ANY },
	};

	for (size_t i = 0; f && i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(f, map[i].format))
			return map[i].kind;
	}
	return 0;
}

static unsigned
kind_by_name(const char *n)
{
	static const char *const names[] = { "trace", "msi", "event", "autoupgrade", "settings", "config", "run" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(n, names[i]))
			return 1u << i;
	}
	return 0;
}

static bool
parse_op(const char *s, enum op *op)
{
	static const char *const ops[] = { "<", "<=", ">", ">=", "==", "!=" };

	for (int i = 0; i < 6; i++) {
		if (s && !strcmp(s, ops[i])) {
			*op = (enum op)i;
			return true;
		}
	}
	return false;
}

static bool
op_holds(enum op op, int c)
{
	switch (op) {
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	}
	return false;
}

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
static bool
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

/* ---- loading --------------------------------------------------------------- */

static char *
str_member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static bool
check_keys(const cJSON *o, const char *const *allowed, const char **unknown)
{
	for (const cJSON *m = o->child; m; m = m->next) {
		bool ok = false;

		for (size_t k = 0; allowed[k]; k++)
			ok = ok || !strcmp(m->string, allowed[k]);
		if (!ok) {
			*unknown = m->string;
			return false;
		}
	}
	return true;
}

/* A list of strings; NULL entries end it. Returns false if v is not an
 * array of non-empty strings. */
static bool
str_list(const cJSON *v, char ***out, size_t *n)
{
	const cJSON *e;

	*out = NULL;
	*n = 0;
	if (!v)
		return true;
	if (!cJSON_IsArray(v))
		return false;
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e) || !e->valuestring[0])
			return false;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(e->valuestring);
	}
	return true;
}

static pcre2_code *
compile(const char *pattern, bool caseful, const char *where, char **err)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseful ? 0 : PCRE2_CASELESS);

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		seterr(err, "%s: %s at offset %zu\n  %s\n  %*s^", where, (const char *)msg, (size_t)off,
		       pattern, (int)off, "");
		return NULL;
	}
	/* JIT where the platform has it; the interpreter otherwise. */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static void
clause_free(struct clause *c)
{
	free(c->pattern);
	free(c->field);
	pcre2_code_free(c->re);
	pcre2_code_free(c->nf_re);
	for (size_t i = 0; i < c->nliterals; i++)
		free(c->literals[i]);
	free(c->literals);
	for (size_t i = 0; i < c->nproviders; i++)
		free(c->providers[i]);
	free(c->providers);
	free(c->ids);
	for (size_t i = 0; i < c->ncmp; i++)
		free(c->cmp[i].capture);
	free(c->cmp);
	for (size_t i = 0; i < c->nfacts; i++) {
		free(c->facts[i].name);
		free(c->facts[i].version);
		free(c->facts[i].equals);
	}
	free(c->facts);
}

static void
strs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
sig_free(struct sig *s)
{
	free(s->id), free(s->title), free(s->severity), free(s->confidence);
	free(s->remediation), free(s->origin);
	strs_free(s->explains, s->info.nexplains);
	strs_free(s->refs, s->info.nreferences);
	for (size_t i = 0; i < s->ncl; i++)
		clause_free(&s->cl[i]);
	free(s->cl);
	for (size_t i = 0; i < s->nsamples; i++) {
		struct sample *m = &s->samples[i];

		free(m->message), free(m->provider), free(m->level);
		strs_free(m->fname, m->nfields + m->nfacts);
		strs_free(m->fvalue, m->nfields + m->nfacts);
	}
	free(s->samples);
	strs_free(s->set_fact, s->nsets);
	strs_free(s->set_value, s->nsets);
}

/* Errors name the file, the signature and the field: "file: id: field: what". */
#define FAIL(...)                                                                \
	do {                                                                     \
		char *m_ = xasprintf(__VA_ARGS__);                               \
		seterr(err, "%s: %s: %s", origin, s->id ? s->id : "(no id)", m_); \
		free(m_);                                                        \
		return false;                                                    \
	} while (0)

static bool
load_clause(struct sig *s, const char *origin, size_t ci, const cJSON *o, char **err)
{
	static const char *const keys[] = { "pattern", "field", "literal", "provider", "event_id", "level",
					    "compare", "fact", "after_upgrade_start", "not_followed_by",
					    "case", NULL };
	struct clause *c = &s->cl[ci];
	const char *unknown, *v;
	const cJSON *e, *m;
	char where[64];
	bool caseful = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "case"));

	memset(c, 0, sizeof(*c));
	c->nf_minutes = -1;
	if (!cJSON_IsObject(o))
		FAIL("when[%zu]: not an object", ci);
	if (!check_keys(o, keys, &unknown))
		FAIL("when[%zu]: unknown key \"%s\"", ci, unknown);
	if ((v = str_member(o, "pattern"))) {
		char *e2 = NULL;

		snprintf(where, sizeof(where), "when[%zu].pattern", ci);
		c->pattern = xstrdup(v);
		if (!(c->re = compile(v, caseful, where, &e2))) {
			seterr(err, "%s: %s: %s", origin, s->id, e2);
			free(e2);
			return false;
		}
		pcre2_pattern_info(c->re, PCRE2_INFO_CAPTURECOUNT, &c->ncap);
	}
	if ((v = str_member(o, "field")))
		c->field = xstrdup(v);
	if (c->field && !c->re)
		FAIL("when[%zu].field: a field needs a pattern", ci);
	if (!str_list(cJSON_GetObjectItemCaseSensitive(o, "provider"), &c->providers, &c->nproviders))
		FAIL("when[%zu].provider: not a list of names", ci);
	if ((m = cJSON_GetObjectItemCaseSensitive(o, "event_id"))) {
		if (!cJSON_IsArray(m))
			FAIL("when[%zu].event_id: not a list of numbers", ci);
		cJSON_ArrayForEach(e, m) {
			if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 65535)
				FAIL("when[%zu].event_id: not an event id (0-65535)", ci);
			c->ids = xrealloc(c->ids, (c->nids + 1) * sizeof(*c->ids));
			c->ids[c->nids++] = (int64_t)e->valuedouble;
		}
		if (!c->nproviders)
			FAIL("when[%zu].event_id: an event id needs a provider (ids mean nothing without their source)", ci);
	}
	if ((v = str_member(o, "level")) && !(c->level = level_rank(v)))
		FAIL("when[%zu].level: \"%s\" is not warning, error or critical", ci, v);
	if ((m = cJSON_GetObjectItemCaseSensitive(o, "compare"))) {
		if (!cJSON_IsArray(m))
			FAIL("when[%zu].compare: not a list", ci);
		cJSON_ArrayForEach(e, m) {
			struct cond_cmp k = { 0 };
			const char *cap = str_member(e, "capture");
			const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "value");

			if (!cap || !parse_op(str_member(e, "op"), &k.op) || !cJSON_IsNumber(val))
				FAIL("when[%zu].compare: needs capture, op (< <= > >= == !=) and a number value", ci);
			if (!c->re || pcre2_substring_number_from_name(c->re, (PCRE2_SPTR)cap) < 0)
				FAIL("when[%zu].compare: the pattern has no capture named \"%s\"", ci, cap);
			k.capture = xstrdup(cap);
			k.value = val->valuedouble;
			c->cmp = xrealloc(c->cmp, (c->ncmp + 1) * sizeof(*c->cmp));
			c->cmp[c->ncmp++] = k;
		}
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(o, "fact"))) {
		if (!cJSON_IsArray(m))
			FAIL("when[%zu].fact: not a list", ci);
		cJSON_ArrayForEach(e, m) {
			struct cond_fact f = { .present = -1 };
			const char *name = str_member(e, "name"), *ver = str_member(e, "version"),
				   *eq = str_member(e, "equals");
			const cJSON *pr = cJSON_GetObjectItemCaseSensitive(e, "present");

			if (!name)
				FAIL("when[%zu].fact: needs a name", ci);
			if (ver && !parse_op(str_member(e, "op"), &f.op))
				FAIL("when[%zu].fact: a version needs an op (< <= > >= == !=)", ci);
			if (!ver && !eq && !cJSON_IsBool(pr))
				FAIL("when[%zu].fact: needs version (with op), equals, or present", ci);
			f.name = xstrdup(name);
			f.version = xstrdup0(ver);
			f.equals = xstrdup0(eq);
			if (cJSON_IsBool(pr))
				f.present = cJSON_IsTrue(pr);
			c->facts = xrealloc(c->facts, (c->nfacts + 1) * sizeof(*c->facts));
			c->facts[c->nfacts++] = f;
		}
	}
	c->after_start = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "after_upgrade_start"));
	if ((m = cJSON_GetObjectItemCaseSensitive(o, "not_followed_by"))) {
		const char *np = str_member(m, "pattern");
		const cJSON *mins = cJSON_GetObjectItemCaseSensitive(m, "within_minutes");
		char *e2 = NULL;

		if (!np)
			FAIL("when[%zu].not_followed_by: needs a pattern", ci);
		if (mins) {
			if (!cJSON_IsNumber(mins) || mins->valuedouble <= 0)
				FAIL("when[%zu].not_followed_by.within_minutes: not a positive number", ci);
			c->nf_minutes = (int64_t)mins->valuedouble;
		}
		snprintf(where, sizeof(where), "when[%zu].not_followed_by.pattern", ci);
		if (!(c->nf_re = compile(np, caseful, where, &e2))) {
			seterr(err, "%s: %s: %s", origin, s->id, e2);
			free(e2);
			return false;
		}
	}
	/* The prefilter: given literals, else derived ones, else the provider. */
	if ((m = cJSON_GetObjectItemCaseSensitive(o, "literal"))) {
		if (!str_list(m, &c->literals, &c->nliterals) || !c->nliterals)
			FAIL("when[%zu].literal: not a list of strings", ci);
		for (size_t k = 0; k < c->nliterals; k++) {
			if (strlen(c->literals[k]) < MIN_LITERAL)
				FAIL("when[%zu].literal: \"%s\" is shorter than %d characters", ci,
				     c->literals[k], MIN_LITERAL);
			for (char *p = c->literals[k]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		}
	} else if (c->pattern) {
		int bad = 0;

		if (!derive_literals(c->pattern, &c->literals, &c->nliterals, &bad)) {
			strs_free(c->literals, c->nliterals);
			c->literals = NULL;
			c->nliterals = 0;
			if (!c->nproviders)
				FAIL("when[%zu].pattern: alternative %d has no run of %d plain characters to"
				     " prefilter on; add \"literal\" (strings one of which every match contains)"
				     " or a provider",
				     ci, bad + 1, MIN_LITERAL);
		}
	}
	if (!c->re && !c->nproviders)
		FAIL("when[%zu]: needs a pattern or a provider", ci);
	return true;
}

static bool
load_sample(struct sig *s, const char *origin, const cJSON *e, bool expect, char **err)
{
	static const char *const keys[] = { "message", "provider", "event_id", "level", "field", "facts", NULL };
	struct sample m = { .event_id = -1, .expect = expect };
	const char *unknown;
	const cJSON *f;

	if (cJSON_IsString(e)) {
		m.message = xstrdup(e->valuestring);
	} else if (cJSON_IsObject(e)) {
		if (!check_keys(e, keys, &unknown))
			FAIL("samples: unknown key \"%s\"", unknown);
		if (!str_member(e, "message"))
			FAIL("samples: an object sample needs a message");
		m.message = xstrdup(str_member(e, "message"));
		m.provider = xstrdup0(str_member(e, "provider"));
		m.level = xstrdup0(str_member(e, "level"));
		if ((f = cJSON_GetObjectItemCaseSensitive(e, "event_id")) && cJSON_IsNumber(f))
			m.event_id = (int64_t)f->valuedouble;
		for (int pass = 0; pass < 2; pass++) {
			const cJSON *obj = cJSON_GetObjectItemCaseSensitive(e, pass ? "facts" : "field");

			for (const cJSON *kv = obj ? obj->child : NULL; kv; kv = kv->next) {
				size_t n = m.nfields + m.nfacts;

				if (!cJSON_IsString(kv)) {
					free(m.message);
					FAIL("samples: %s \"%s\" is not a string", pass ? "fact" : "field", kv->string);
				}
				m.fname = xrealloc(m.fname, (n + 1) * sizeof(char *));
				m.fvalue = xrealloc(m.fvalue, (n + 1) * sizeof(char *));
				m.fname[n] = xstrdup(kv->string);
				m.fvalue[n] = xstrdup(kv->valuestring);
				if (pass)
					m.nfacts++;
				else
					m.nfields++;
			}
		}
	} else {
		FAIL("samples: a sample is a string or an object");
	}
	s->samples = xrealloc(s->samples, (s->nsamples + 1) * sizeof(*s->samples));
	s->samples[s->nsamples++] = m;
	return true;
}

static bool sample_matches(const struct sig *s, const struct sample *m, int *clause, bool *prefilter_miss);

static bool
load_sig(struct sig *s, const char *origin, const cJSON *root, char **err)
{
	static const char *const keys[] = { "id", "title", "severity", "confidence", "sources", "when",
					    "min_count", "sets", "explains", "remediation", "references",
					    "samples", "$comment", NULL };
	static const char *const sev[] = { "info", "warning", "error", "critical", NULL };
	static const char *const conf[] = { "low", "medium", "high", NULL };
	const char *unknown, *v;
	const cJSON *m, *e;
	size_t n;
	bool ok;

	s->origin = xstrdup(origin);
	if (!cJSON_IsObject(root))
		FAIL("not a JSON object");
	if (!(v = str_member(root, "id")))
		FAIL("id: missing");
	s->id = xstrdup(v);
	n = strlen(v);
	ok = n > 0 && n <= 48 && (islower((unsigned char)v[0]) || isdigit((unsigned char)v[0]));
	for (size_t i = 0; ok && i < n; i++)
		ok = islower((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || v[i] == '-';
	if (!ok)
		FAIL("id: must be [a-z0-9][a-z0-9-]*, at most 48 characters");
	if (!check_keys(root, keys, &unknown))
		FAIL("unknown key \"%s\"", unknown);
	if (!(v = str_member(root, "title")) || !*v || strchr(v, '\n'))
		FAIL("title: missing or not one line");
	s->title = xstrdup(v);
	v = str_member(root, "severity");
	for (ok = false, n = 0; v && sev[n]; n++)
		ok = ok || !strcmp(v, sev[n]);
	if (!ok)
		FAIL("severity: must be info, warning, error or critical");
	s->severity = xstrdup(v);
	v = str_member(root, "confidence");
	for (ok = false, n = 0; v && conf[n]; n++)
		ok = ok || !strcmp(v, conf[n]);
	if (!ok)
		FAIL("confidence: must be low, medium or high");
	s->confidence = xstrdup(v);
	if (!(v = str_member(root, "remediation")) || !*v)
		FAIL("remediation: missing");
	s->remediation = xstrdup(v);
	m = cJSON_GetObjectItemCaseSensitive(root, "sources");
	if (!cJSON_IsArray(m) || !cJSON_GetArraySize(m))
		FAIL("sources: missing (a list of trace, msi, event, autoupgrade, settings, config, run)");
	cJSON_ArrayForEach(e, m) {
		unsigned k = cJSON_IsString(e) ? kind_by_name(e->valuestring) : 0;

		if (!k)
			FAIL("sources: \"%s\" is not one of trace, msi, event, autoupgrade, settings, config, run",
			     cJSON_IsString(e) ? e->valuestring : "?");
		s->info.kinds |= k;
	}
	if (!str_list(cJSON_GetObjectItemCaseSensitive(root, "explains"), &s->explains, &s->info.nexplains))
		FAIL("explains: not a list of ids");
	for (size_t i = 0; i < s->info.nexplains; i++) {
		if (!strcmp(s->explains[i], s->id))
			FAIL("explains: a signature cannot explain itself");
	}
	if (!str_list(cJSON_GetObjectItemCaseSensitive(root, "references"), &s->refs, &s->info.nreferences) ||
	    !s->info.nreferences)
		FAIL("references: at least one source is needed");
	s->info.min_count = 1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "min_count"))) {
		if (!cJSON_IsNumber(m) || m->valuedouble < 1)
			FAIL("min_count: not a number of 1 or more");
		s->info.min_count = (size_t)m->valuedouble;
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "sets"))) {
		if (!cJSON_IsArray(m))
			FAIL("sets: not a list");
		cJSON_ArrayForEach(e, m) {
			const char *fact = str_member(e, "fact"), *val = str_member(e, "value");

			if (!fact || !val)
				FAIL("sets: each item needs fact and value");
			s->set_fact = xrealloc(s->set_fact, (s->nsets + 1) * sizeof(char *));
			s->set_value = xrealloc(s->set_value, (s->nsets + 1) * sizeof(char *));
			s->set_fact[s->nsets] = xstrdup(fact);
			s->set_value[s->nsets++] = xstrdup(val);
		}
	}
	m = cJSON_GetObjectItemCaseSensitive(root, "when");
	if (!cJSON_IsArray(m) || !cJSON_GetArraySize(m))
		FAIL("when: missing (a list of clauses)");
	s->cl = xcalloc((size_t)cJSON_GetArraySize(m), sizeof(*s->cl));
	cJSON_ArrayForEach(e, m) {
		s->ncl++;
		if (!load_clause(s, origin, s->ncl - 1, e, err))
			return false;
	}
	m = cJSON_GetObjectItemCaseSensitive(root, "samples");
	if (!cJSON_IsObject(m))
		FAIL("samples: missing (match and no_match lines)");
	for (int pass = 0; pass < 2; pass++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(m, pass ? "no_match" : "match");

		if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list))
			FAIL("samples.%s: missing or empty", pass ? "no_match" : "match");
		cJSON_ArrayForEach(e, list) {
			if (!load_sample(s, origin, e, pass == 0, err))
				return false;
		}
	}
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct sample *sm = &s->samples[i];
		int clause;
		bool miss = false, hit = sample_matches(s, sm, &clause, &miss);

		if (miss)
			FAIL("samples.match[%zu]: when[%d] matches \"%s\" but none of its literals is in it,"
			     " so the prefilter would skip such records; fix \"literal\"",
			     i, clause, sm->message);
		if (hit != sm->expect)
			FAIL("samples.%s: \"%s\" %s", sm->expect ? "match" : "no_match", sm->message,
			     sm->expect ? "is matched by no clause" : "is matched by when[] but must not be");
	}
	s->info.id = s->id;
	s->info.title = s->title;
	s->info.severity = s->severity;
	s->info.confidence = s->confidence;
	s->info.remediation = s->remediation;
	s->info.origin = s->origin;
	s->info.nclauses = s->ncl;
	s->info.nsamples = s->nsamples;
	s->info.explains = (const char *const *)s->explains;
	s->info.references = (const char *const *)s->refs;
	return true;
}

struct sig_set *
sigset_new(void)
{
	return xcalloc(1, sizeof(struct sig_set));
}

int
sigset_add(struct sig_set *ss, const char *origin, const char *text, size_t len, char **err)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	struct sig s = { 0 };

	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
		size_t line = 1;

		for (size_t i = 0; i < off; i++)
			line += text[i] == '\n';
		seterr(err, "%s: line %zu (offset %zu): not valid JSON", origin, line, off);
		return -1;
	}
	if (!load_sig(&s, origin, root, err)) {
		cJSON_Delete(root);
		sig_free(&s);
		return -1;
	}
	cJSON_Delete(root);
	for (size_t i = 0; i < ss->n; i++) {
		if (!strcmp(ss->sigs[i].id, s.id)) {
			sig_free(&ss->sigs[i]);
			ss->sigs[i] = s;
			ss->sigs[i].info.id = ss->sigs[i].id;
			return 0;
		}
	}
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 32;
		ss->sigs = xrealloc(ss->sigs, ss->cap * sizeof(*ss->sigs));
	}
	ss->sigs[ss->n++] = s;
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
sigset_add_dir(struct sig_set *ss, const char *dir, char **err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!d) {
		seterr(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".json") && de->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && rc == 0; i++) {
		FILE *f = fopen(names[i], "rb");
		struct buf b;
		char chunk[8192];
		size_t got;

		if (!f) {
			seterr(err, "%s: %s", names[i], strerror(errno));
			rc = -1;
			break;
		}
		buf_init(&b, MAX_FILE);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, got);
		fclose(f);
		if (b.truncated) {
			seterr(err, "%s: larger than %u bytes; not a signature", names[i], MAX_FILE);
			rc = -1;
		} else {
			rc = sigset_add(ss, names[i], b.data ? b.data : "", b.len, err);
		}
		buf_release(&b);
	}
	strs_free(names, n);
	return rc;
}

size_t
sigset_count(const struct sig_set *ss)
{
	return ss->n;
}

const struct sig_info *
sigset_info(const struct sig_set *ss, size_t i)
{
	return &ss->sigs[i].info;
}

size_t
sigset_nsets(const struct sig_set *ss, size_t i)
{
	return ss->sigs[i].nsets;
}

void
sigset_set(const struct sig_set *ss, size_t i, size_t k, const char **fact, const char **value)
{
	*fact = ss->sigs[i].set_fact[k];
	*value = ss->sigs[i].set_value[k];
}

void
sigset_free(struct sig_set *ss)
{
	if (!ss)
		return;
	for (size_t i = 0; i < ss->n; i++)
		sig_free(&ss->sigs[i]);
	free(ss->sigs);
	free(ss->gcl);
	free(ss->delta);
	free(ss->out_first);
	free(ss->dict);
	free(ss->outs);
	free(ss->provider_only);
	free(ss);
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

/* ---- matching one record against one clause ------------------------------ */

struct eval {
	pcre2_match_data *md;
	const char *text;		/* what the pattern matched */
};

static bool
provider_ok(const struct clause *c, const char *provider)
{
	if (!c->nproviders)
		return true;
	for (size_t i = 0; provider && i < c->nproviders; i++) {
		if (!strcasecmp(provider, c->providers[i]))
			return true;
	}
	return false;
}

static bool
id_ok(const struct clause *c, int64_t id)
{
	if (!c->nids)
		return true;
	for (size_t i = 0; i < c->nids; i++) {
		if (c->ids[i] == id)
			return true;
	}
	return false;
}

/* The text of capture name after a match, or NULL. */
static const char *
capture(const struct clause *c, pcre2_match_data *md, const char *text, const char *name, size_t *len)
{
	int n = pcre2_substring_number_from_name(c->re, (PCRE2_SPTR)name);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	if (n < 0 || (uint32_t)n >= pcre2_get_ovector_count(md) || ov[2 * n] == PCRE2_UNSET)
		return NULL;
	*len = ov[2 * n + 1] - ov[2 * n];
	return text + ov[2 * n];
}

static bool
compares_hold(const struct clause *c, pcre2_match_data *md, const char *text)
{
	for (size_t i = 0; i < c->ncmp; i++) {
		size_t len;
		const char *v = capture(c, md, text, c->cmp[i].capture, &len);
		char num[32];
		char *end;
		double d;

		if (!v || !len || len >= sizeof(num))
			return false;
		memcpy(num, v, len);
		num[len] = '\0';
		d = strtod(num, &end);
		if (*end)
			return false;
		if (!op_holds(c->cmp[i].op, d < c->cmp[i].value ? -1 : d > c->cmp[i].value ? 1 : 0))
			return false;
	}
	return true;
}

static bool
facts_hold(const struct clause *c, sig_fact_fn fact, void *ctx)
{
	for (size_t i = 0; i < c->nfacts; i++) {
		const struct cond_fact *f = &c->facts[i];
		const char *v = fact ? fact(ctx, f->name) : NULL;

		if (f->present >= 0 && (v != NULL) != (f->present == 1))
			return false;
		if (f->version && (!v || !op_holds(f->op, version_cmp(v, f->version))))
			return false;
		if (f->equals && (!v || strcasecmp(v, f->equals)))
			return false;
	}
	return true;
}

/* The clause's own conditions on one record (not facts, not time). */
static bool
clause_matches(const struct clause *c, const struct sig_record *r, pcre2_match_data *md, const char **text,
	       size_t *tlen)
{
	if (!provider_ok(c, r->provider) || !id_ok(c, r->event_id))
		return false;
	if (c->level && level_rank(r->level) < c->level)
		return false;
	if (!c->re)
		return true;
	*text = r->message;
	*tlen = r->len;
	if (c->field) {
		*text = r->field ? r->field(r->field_ctx, c->field, tlen) : NULL;
		if (!*text)
			return false;
	}
	if (pcre2_match(c->re, (PCRE2_SPTR)*text, *tlen, 0, 0, md, NULL) < 0)
		return false;
	return compares_hold(c, md, *text);
}

/* ---- samples --------------------------------------------------------------- */

struct sample_ctx {
	const struct sample *m;
};

static const char *
sample_field(void *ctx, const char *name, size_t *len)
{
	const struct sample *m = ctx;

	for (size_t i = 0; i < m->nfields; i++) {
		if (!strcmp(m->fname[i], name)) {
			*len = strlen(m->fvalue[i]);
			return m->fvalue[i];
		}
	}
	return NULL;
}

static const char *
sample_fact(void *ctx, const char *name)
{
	const struct sample *m = ctx;

	for (size_t i = m->nfields; i < m->nfields + m->nfacts; i++) {
		if (!strcmp(m->fname[i], name))
			return m->fvalue[i];
	}
	return NULL;
}

static bool
has_literal(const struct clause *c, const char *text, size_t len)
{
	for (size_t k = 0; k < c->nliterals; k++) {
		size_t n = strlen(c->literals[k]);

		for (size_t i = 0; i + n <= len; i++) {
			if (!strncasecmp(text + i, c->literals[k], n))
				return true;
		}
	}
	return false;
}

static bool
sample_matches(const struct sig *s, const struct sample *m, int *clause, bool *prefilter_miss)
{
	struct sig_record r = {
		.message = m->message, .len = strlen(m->message), .provider = m->provider,
		.event_id = m->event_id, .level = m->level, .field = sample_field, .field_ctx = (void *)m,
	};
	bool hit = false;

	*clause = -1;
	for (size_t j = 0; j < s->ncl && !hit; j++) {
		const struct clause *c = &s->cl[j];
		pcre2_match_data *md = c->re ? pcre2_match_data_create_from_pattern(c->re, NULL) : NULL;
		const char *text = NULL;
		size_t tlen = 0;

		/* a level condition is met by a sample that gives none */
		if (!m->level)
			r.level = c->level == 5 ? "critical" : c->level == 4 ? "error" : "warning";
		if (facts_hold(c, sample_fact, (void *)m) && clause_matches(c, &r, md, &text, &tlen)) {
			hit = true;
			*clause = (int)j;
			if (c->nliterals && !has_literal(c, text, tlen) && !has_literal(c, m->message, r.len))
				*prefilter_miss = true;
		}
		r.level = m->level;
		pcre2_match_data_free(md);
	}
	return hit;
}

void
sigset_samples(const struct sig_set *ss, size_t i, void (*fn)(void *ctx, const struct sig_sample_result *r),
	       void *ctx)
{
	const struct sig *s = &ss->sigs[i];

	for (size_t k = 0; k < s->nsamples; k++) {
		struct sig_sample_result r = { s->samples[k].message, s->samples[k].expect, false, -1 };
		bool miss = false;

		r.matched = sample_matches(s, &s->samples[k], &r.clause, &miss);
		fn(ctx, &r);
	}
}

/* ---- the matcher ------------------------------------------------------------ */

struct pending {
	size_t sig;
	const struct clause *c;
	struct sig_hit hit;
	int64_t deadline;		/* ms, INT64_MIN: to the end of the source */
	uint64_t seq;			/* the record it came from */
};

struct sig_state {
	uint64_t hits;
	struct sig_hit kept[SIG_HITS_KEPT];
	size_t nkept;
	uint64_t last_seq;		/* a record hits a signature once */
};

struct sig_matcher {
	const struct sig_set *ss;
	sig_fact_fn fact;
	void *fact_ctx;
	char *upgrade_start;
	bool *enabled;			/* per gclause: its fact conditions hold */
	uint64_t *stamp;		/* per gclause: the record that made it a candidate */
	uint32_t *cand;
	size_t ncand;
	uint64_t seq;
	int64_t source;
	pcre2_match_data **md;		/* per gclause */
	pcre2_match_data *nf_md;	/* for not_followed_by: whether, not where */
	struct sig_state *st;
	struct pending *pend;
	size_t npend, cappend;
};

struct sig_matcher *
sigmatch_new(const struct sig_set *ss, sig_fact_fn fact, void *fact_ctx, const char *upgrade_start)
{
	struct sig_matcher *m = xcalloc(1, sizeof(*m));

	m->ss = ss;
	m->fact = fact;
	m->fact_ctx = fact_ctx;
	m->upgrade_start = xstrdup0(upgrade_start);
	m->enabled = xcalloc(ss->ngcl ? ss->ngcl : 1, sizeof(*m->enabled));
	m->stamp = xcalloc(ss->ngcl ? ss->ngcl : 1, sizeof(*m->stamp));
	m->cand = xcalloc(ss->ngcl ? ss->ngcl : 1, sizeof(*m->cand));
	m->md = xcalloc(ss->ngcl ? ss->ngcl : 1, sizeof(*m->md));
	m->st = xcalloc(ss->n ? ss->n : 1, sizeof(*m->st));
	m->source = -1;
	m->nf_md = pcre2_match_data_create(1, NULL);
	for (size_t g = 0; g < ss->ngcl; g++) {
		const struct clause *c = &ss->sigs[ss->gcl[g].sig].cl[ss->gcl[g].clause];

		m->enabled[g] = facts_hold(c, fact, fact_ctx) && (!c->after_start || upgrade_start);
		if (c->re)
			m->md[g] = pcre2_match_data_create_from_pattern(c->re, NULL);
	}
	return m;
}

static void
hit_release(struct sig_hit *h)
{
	free(h->time);
	for (size_t i = 0; i < h->ncaptures; i++) {
		free(h->cap_name[i]);
		free(h->cap_value[i]);
	}
	memset(h, 0, sizeof(*h));
}

void
sigmatch_free(struct sig_matcher *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ss->n; i++) {
		for (size_t k = 0; k < m->st[i].nkept; k++)
			hit_release(&m->st[i].kept[k]);
	}
	for (size_t i = 0; i < m->npend; i++)
		hit_release(&m->pend[i].hit);
	for (size_t g = 0; g < m->ss->ngcl; g++)
		pcre2_match_data_free(m->md[g]);
	free(m->md);
	pcre2_match_data_free(m->nf_md);
	free(m->pend);
	free(m->st);
	free(m->cand);
	free(m->stamp);
	free(m->enabled);
	free(m->upgrade_start);
	free(m);
}

/* Copy a hit with the named captures of the clause. */
static void
hit_make(struct sig_hit *h, const struct clause *c, int clause, pcre2_match_data *md, const char *text,
	 const struct sig_record *r)
{
	memset(h, 0, sizeof(*h));
	h->source_id = r->source_id;
	h->row_id = r->row_id;
	h->line = r->line;
	h->record = r->record;
	h->time = xstrdup0(r->time);
	h->clause = clause;
	if (c->re && md) {
		uint32_t count = 0, size = 0;
		PCRE2_SPTR table;

		pcre2_pattern_info(c->re, PCRE2_INFO_NAMECOUNT, &count);
		pcre2_pattern_info(c->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
		pcre2_pattern_info(c->re, PCRE2_INFO_NAMETABLE, &table);
		for (uint32_t i = 0; i < count && h->ncaptures < SIG_CAPTURES; i++) {
			const char *name = (const char *)table + i * size + 2;
			size_t len;
			const char *v = capture(c, md, text, name, &len);

			if (!v)
				continue;
			h->cap_name[h->ncaptures] = xstrdup(name);
			h->cap_value[h->ncaptures++] = xstrndup(v, len);
		}
	}
}

static void
hit_record(struct sig_matcher *m, size_t sig, struct sig_hit *h)
{
	struct sig_state *st = &m->st[sig];

	st->hits++;
	if (st->nkept < SIG_HITS_KEPT)
		st->kept[st->nkept++] = *h;
	else
		hit_release(h);
}

void
sigmatch_source_end(struct sig_matcher *m)
{
	for (size_t i = 0; i < m->npend; i++)
		hit_record(m, m->pend[i].sig, &m->pend[i].hit);
	m->npend = 0;
	m->source = -1;
}

/* Hits waiting for "not followed by": this record may cancel them, or be
 * past their deadline. */
static void
pending_step(struct sig_matcher *m, const struct sig_record *r)
{
	int64_t now = r->time ? iso_to_ms(r->time) : INT64_MIN;
	size_t k = 0;

	for (size_t i = 0; i < m->npend; i++) {
		struct pending *p = &m->pend[i];

		if (p->seq == m->seq) {
			m->pend[k++] = *p;
			continue;
		}
		if (p->deadline != INT64_MIN && now != INT64_MIN && now > p->deadline) {
			hit_record(m, p->sig, &p->hit);
			continue;
		}
		if (pcre2_match(p->c->nf_re, (PCRE2_SPTR)r->message, r->len, 0, 0, m->nf_md, NULL) >= 0)
			hit_release(&p->hit);
		else
			m->pend[k++] = *p;
	}
	m->npend = k;
}

static void
candidate(struct sig_matcher *m, uint32_t g)
{
	if (m->stamp[g] != m->seq) {
		m->stamp[g] = m->seq;
		m->cand[m->ncand++] = g;
	}
}

static void
scan_text(struct sig_matcher *m, const char *p, size_t n)
{
	const struct sig_set *ss = m->ss;
	int32_t st = 0;

	for (size_t i = 0; i < n; i++) {
		int32_t s2;

		st = ss->delta[(size_t)st * ss->ncls + ss->cls[(unsigned char)p[i]]];
		for (s2 = ss->out_first[st] >= 0 ? st : ss->dict[st]; s2 > 0; s2 = ss->dict[s2]) {
			for (const uint32_t *o = &ss->outs[ss->out_first[s2]]; *o != UINT32_MAX; o++)
				candidate(m, *o);
		}
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
sigmatch_record(struct sig_matcher *m, const struct sig_record *r)
{
	const struct sig_set *ss = m->ss;
	int nhit = 0;

	if (r->source_id != m->source) {
		if (m->source != -1)
			sigmatch_source_end(m);
		m->source = r->source_id;
	}
	m->seq++;
	if (m->npend)
		pending_step(m, r);
	m->ncand = 0;
	if (ss->nstates) {
		scan_text(m, r->message, r->len);
		if (r->extra)
			scan_text(m, r->extra, r->extra_len);
	}
	for (size_t i = 0; i < ss->nprovider_only; i++)
		candidate(m, ss->provider_only[i]);
	if (m->ncand > 1)
		qsort(m->cand, m->ncand, sizeof(*m->cand), cmp_u32);
	for (size_t i = 0; i < m->ncand; i++) {
		uint32_t g = m->cand[i];
		size_t sig = ss->gcl[g].sig;
		const struct sig *s = &ss->sigs[sig];
		const struct clause *c = &s->cl[ss->gcl[g].clause];
		const char *text = NULL;
		size_t tlen = 0;
		struct sig_hit h;

		if (!m->enabled[g] || !(s->info.kinds & r->kind) || m->st[sig].last_seq == m->seq)
			continue;
		if (c->after_start && (!r->time || strcmp(r->time, m->upgrade_start) < 0))
			continue;
		if (!clause_matches(c, r, m->md[g], &text, &tlen))
			continue;
		m->st[sig].last_seq = m->seq;
		hit_make(&h, c, (int)ss->gcl[g].clause, m->md[g], text, r);
		if (c->nf_re) {
			int64_t t = r->time ? iso_to_ms(r->time) : INT64_MIN;

			if (m->npend == m->cappend) {
				m->cappend = m->cappend ? m->cappend * 2 : 8;
				m->pend = xrealloc(m->pend, m->cappend * sizeof(*m->pend));
			}
			m->pend[m->npend++] = (struct pending){
				sig, c, h,
				c->nf_minutes >= 0 && t != INT64_MIN ? t + c->nf_minutes * 60000 : INT64_MIN,
				m->seq,
			};
			continue;
		}
		hit_record(m, sig, &h);
		nhit++;
	}
	return nhit;
}

void
sigmatch_result(const struct sig_matcher *m, size_t i, struct sig_result *out)
{
	const struct sig_state *st = &m->st[i];

	out->info = &m->ss->sigs[i].info;
	out->hits = st->hits;
	out->fired = st->hits >= out->info->min_count && st->hits > 0;
	out->kept = st->kept;
	out->nkept = st->nkept;
}

char *
sigmatch_expand(const struct sig_matcher *m, size_t i, const char *text)
{
	const struct sig_state *st = &m->st[i];
	struct buf b;
	char *out;

	buf_init(&b, 1u << 16);
	for (const char *p = text; *p;) {
		const char *e;

		if (p[0] == '$' && p[1] == '{' && (e = strchr(p + 2, '}'))) {
			char name[64];
			size_t n = (size_t)(e - p - 2);
			const char *v = NULL;

			if (n < sizeof(name)) {
				memcpy(name, p + 2, n);
				name[n] = '\0';
				for (size_t k = 0; st->nkept && k < st->kept[0].ncaptures; k++) {
					if (!strcmp(st->kept[0].cap_name[k], name))
						v = st->kept[0].cap_value[k];
				}
				if (!v && m->fact && !strcmp(name, "target"))
					v = m->fact(m->fact_ctx, "case.target_version");
				if (!v && m->fact && !strcmp(name, "installed"))
					v = m->fact(m->fact_ctx, "case.installed_version");
			}
			buf_adds(&b, v ? v : "?");
			p = e + 1;
			continue;
		}
		buf_addc(&b, *p++);
	}
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out ? out : xstrdup("");
}

/* ---- versions -------------------------------------------------------------- */

int
version_cmp(const char *a, const char *b)
{
	for (;;) {
		unsigned long x = 0, y = 0;
		bool ha = a && isdigit((unsigned char)*a), hb = b && isdigit((unsigned char)*b);

		if (!ha && !hb)
			return 0;
		while (ha && isdigit((unsigned char)*a))
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (hb && isdigit((unsigned char)*b))
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		a = a && *a == '.' ? a + 1 : NULL;
		b = b && *b == '.' ? b + 1 : NULL;
	}
}
