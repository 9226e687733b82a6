/* SPDX-License-Identifier: MIT */
/* signature.c - matching records against the loaded signatures: a clause
 * against a record, the samples, the matcher with the case conditions,
 * expanding titles, and version_cmp. */
#include "analyzer/sig_int.h"

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

bool
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
