/* SPDX-License-Identifier: MIT */
/* sigload.c - loading signatures (docs/SIGNATURES.md): the JSON read and
 * validated with exact errors, every pattern compiled (and JIT-compiled),
 * the samples checked; what a loaded set tells about itself. */
#include "analyzer/sig_int.h"

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

int
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
		/* a LocalDB error.log has no kind of its own (the signature language
		 * is unchanged): every signature reads it, as when it was plain text */
		{ "localdb-errorlog", SK_ANY },
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

static pcre2_code *compile_exact(const char *pattern, bool caseful, const char *where, char **err);

/* The pattern as it is matched: every run of spaces outside a character
 * class (escaped or not) stands for any run of white space, so that a line
 * that arrives wrapped, double-spaced or with a tab between two words still
 * matches ("assembly\n  Microsoft.Foo" for "assembly Microsoft.Foo"). A
 * run followed by a quantifier keeps it on one \s. Caller frees. */
char *
sig_ws_pattern(const char *p)
{
	struct buf b;
	char *out;

	buf_init(&b, 1u << 16);
	for (size_t i = 0; p[i];) {
		if (p[i] == '\\' && p[i + 1] && p[i + 1] != ' ') {
			buf_add(&b, p + i, 2);
			i += 2;
		} else if (p[i] == '[') {
			/* a class: copied as written, escapes and all */
			size_t k = i + 1;

			if (p[k] == '^')
				k++;
			if (p[k] == ']')
				k++;
			while (p[k] && p[k] != ']')
				k += p[k] == '\\' && p[k + 1] ? 2 : 1;
			if (p[k])
				k++;
			buf_add(&b, p + i, k - i);
			i = k;
		} else if (p[i] == ' ' || (p[i] == '\\' && p[i + 1] == ' ')) {
			while (p[i] == ' ' || (p[i] == '\\' && p[i + 1] == ' '))
				i += p[i] == ' ' ? 1 : 2;
			buf_adds(&b, strchr("?*+{", p[i]) && p[i] ? "\\s" : "\\s+");
		} else {
			buf_addc(&b, p[i++]);
		}
	}
	out = xstrndup(b.data ? b.data : "", b.len);
	buf_release(&b);
	return out;
}

static pcre2_code *
compile(const char *written, bool caseful, const char *where, char **err)
{
	char *pattern = sig_ws_pattern(written), *e2 = NULL;
	pcre2_code *re = compile_exact(pattern, caseful, where, &e2);

	free(pattern);
	if (re)
		return re;
	/* say what is wrong where the author wrote it */
	if ((re = compile_exact(written, caseful, where, err))) {
		pcre2_code_free(re);
		*err = e2;
		return NULL;
	}
	free(e2);
	return NULL;
}

static pcre2_code *
compile_exact(const char *pattern, bool caseful, const char *where, char **err)
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
			/* white space may arrive as any white space: keep the
			 * longest piece without it */
			if (strpbrk(c->literals[k], " \t\r\n")) {
				const char *best = NULL, *q = c->literals[k];
				size_t bn = 0;

				while (*q) {
					size_t n = strcspn(q, " \t\r\n");

					if (n > bn)
						best = q, bn = n;
					q += n;
					q += strspn(q, " \t\r\n");
				}
				if (bn < MIN_LITERAL)
					FAIL("when[%zu].literal: \"%s\" has no word of %d characters", ci,
					     c->literals[k], MIN_LITERAL);
				memmove(c->literals[k], best, bn);
				c->literals[k][bn] = '\0';
			}
		}
	} else if (c->pattern) {
		int bad = 0;

		char *ws = sig_ws_pattern(c->pattern);
		bool derived = derive_literals(ws, &c->literals, &c->nliterals, &bad);

		free(ws);
		if (!derived) {
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
