/* SPDX-License-Identifier: MIT */
/* clock.c - one clock per case: settles each source's computer and UTC
 * offset from the evidence of the whole case and has the store move the
 * local times whose offset changed.
 *
 * Computers: a source's own (a Windows Installer log's ComputerName, a
 * configuration export's hostName, the Computer of Windows events), else
 * the one of the log it ran or of the trace that ran it, else the case's
 * only computer. Offsets, per file and never averaged: a trace's own
 * Start Time (Local)/(UTC) header; an MSI log takes the offset of the
 * trace that ran it, else of the trace of its computer nearest in local
 * time; any other local source the offset at which most of its records
 * match exact-UTC records of its computer. Everything is decided again
 * from the store at each settling, so the order of ingests does not
 * matter; the store keeps the offset applied and moves times by the
 * difference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/clock.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "common/strview.h"

#define KEY_MAX 64

struct csrc {
	int64_t id;
	char *path, *name, *format;
	char *clock, *host_was, *host_from_was, *clock_from_was;	/* as stored */
	int64_t applied;		/* offset applied now (0 when none) */
	bool has_offset;
	int64_t first_ms;		/* stored first time, INT64_MIN when none */
	char *own_host;
	int64_t own_line;
	/* a trace's header */
	bool header;
	int64_t hdr_offset, hdr_line, hdr_local_line;
	int64_t start_local_ms;		/* wizard.start_local, INT64_MIN when none */
	/* decided */
	char *host, *host_from;		/* NULL: unknown */
	char key[KEY_MAX];		/* of host, "" when unknown */
	int64_t ran_by;			/* MSI log: index of the trace that names it, -1 */
};

struct settle {
	struct store *s;
	struct csrc *src;
	size_t n, cap;
	int rc;
};

void
clock_host_key(const char *name, char *out, size_t n)
{
	size_t i = 0;

	for (; name && name[i] && name[i] != '.' && i + 1 < n; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	out[i] = '\0';
}

void
clock_offset_text(int64_t minutes, char out[8])
{
	int64_t m = minutes < 0 ? -minutes : minutes;

	snprintf(out, 8, "%c%02d:%02d", minutes < 0 ? '-' : '+', (int)(m / 60 % 100), (int)(m % 60));
}

/* "+02:00" -> 120; false if not an offset. */
static bool
read_offset(const char *v, int64_t *min)
{
	int h, m;

	if (!v || strlen(v) != 6 || (v[0] != '+' && v[0] != '-') || v[3] != ':')
		return false;
	h = read_digits(v + 1, 2);
	m = read_digits(v + 4, 2);
	if (h < 0 || m < 0)
		return false;
	*min = (v[0] == '-' ? -1 : 1) * (h * 60 + m);
	return true;
}


static bool
is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static struct csrc *
find(struct settle *st, int64_t id)
{
	for (size_t i = 0; i < st->n; i++) {
		if (st->src[i].id == id)
			return &st->src[i];
	}
	return NULL;
}

static int
on_source(void *ctx, const struct store_clock_source *r)
{
	struct settle *st = ctx;
	struct csrc *c;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->src = xrealloc(st->src, st->cap * sizeof(*st->src));
	}
	c = &st->src[st->n++];
	memset(c, 0, sizeof(*c));
	c->id = r->id;
	c->path = xstrdup0(r->path);
	c->name = xstrdup0(r->name);
	c->format = xstrdup0(r->format);
	c->clock = xstrdup0(r->clock);
	c->host_was = xstrdup0(r->host);
	c->host_from_was = xstrdup0(r->host_from);
	c->clock_from_was = xstrdup0(r->clock_from);
	c->applied = r->has_offset ? r->utc_offset : 0;
	c->has_offset = r->has_offset;
	c->first_ms = r->first_time ? iso_to_ms(r->first_time) : INT64_MIN;
	c->own_host = r->own_host && *r->own_host ? xstrdup(r->own_host) : NULL;
	c->own_line = r->own_line;
	c->start_local_ms = INT64_MIN;
	c->ran_by = -1;
	return 0;
}

/* wizard.utc_offset: the trace's header offset (the first of the file). */
static int
on_utc_offset(void *ctx, const struct store_fact_row *r)
{
	struct csrc *c = find(ctx, r->source_id);
	int64_t off;

	if (c && !c->header && read_offset(r->value, &off)) {
		c->header = true;
		c->hdr_offset = off;
		c->hdr_line = r->line;
	}
	return 0;
}

/* wizard.start_local "2026-05-10T10:15:02": the local start of the run. */
static int
on_start_local(void *ctx, const struct store_fact_row *r)
{
	struct csrc *c = find(ctx, r->source_id);
	char iso[32];

	if (c && c->start_local_ms == INT64_MIN && r->value && strlen(r->value) == 19) {
		snprintf(iso, sizeof(iso), "%s.000Z", r->value);
		c->start_local_ms = iso_to_ms(iso);
		c->hdr_local_line = r->line;
	}
	return 0;
}

/* msi.log_path: the trace that ran an MSI log names it. The first trace
 * (in source order) that names a log whose computer is not another's. */
static int
on_log_path(void *ctx, const struct store_fact_row *r)
{
	struct settle *st = ctx;
	struct csrc *t = find(st, r->source_id);
	const char *base = path_base(r->value);

	if (!t || !is(t->format, "trace") || !*base)
		return 0;
	for (size_t i = 0; i < st->n; i++) {
		struct csrc *m = &st->src[i];

		if (!is(m->format, "msi") || m->ran_by >= 0 || !m->name || strcasecmp(m->name, base) != 0)
			continue;
		m->ran_by = t - st->src;
		break;
	}
	return 0;
}

static void
set_host(struct csrc *c, const char *host, char *from)
{
	free(c->host);
	free(c->host_from);
	c->host = xstrdup(host);
	c->host_from = from;
	clock_host_key(host, c->key, sizeof(c->key));
}

/* Computers: own, then through the trace/MSI link, then the case's only one. */
static size_t
decide_hosts(struct settle *st, const char **only)
{
	size_t nkeys = 0;
	char first[KEY_MAX] = "";

	*only = NULL;
	for (size_t i = 0; i < st->n; i++) {
		struct csrc *c = &st->src[i];
		char key[KEY_MAX];

		if (!c->own_host)
			continue;
		set_host(c, c->own_host,
			 c->own_line ? xasprintf("%s:%lld %s", c->name, (long long)c->own_line,
						 is(c->format, "msi") ? "ComputerName" : "hostName")
				     : xstrdup("the Computer of its events"));
		clock_host_key(c->own_host, key, sizeof(key));
		if (!nkeys) {
			snprintf(first, sizeof(first), "%s", key);
			*only = c->own_host;
			nkeys = 1;
		} else if (strcmp(first, key) != 0) {
			nkeys = 2;	/* more than one: the exact number is the summary's */
		}
	}
	/* A trace is on the computer of the log it ran; a log on its trace's
	 * (twice: a trace that ran two logs passes one's on to the other). */
	for (size_t i = 0; i < 2 * st->n; i++) {
		struct csrc *m = &st->src[i % st->n], *t;

		if (m->ran_by < 0)
			continue;
		t = &st->src[m->ran_by];
		if (m->host && !t->host)
			set_host(t, m->host, xasprintf("the Windows Installer log it ran (%s)", m->name));
		else if (t->host && !m->host)
			set_host(m, t->host, xasprintf("the wizard trace that ran it (%s)", t->name));
	}
	for (size_t i = 0; nkeys == 1 && i < st->n; i++) {
		if (!st->src[i].host)
			set_host(&st->src[i], *only, xstrdup("the case's only computer"));
	}
	return nkeys;
}

struct match {
	int64_t best, best_n, total, with;
};

static int
on_match(void *ctx, int64_t offset, int64_t matches, int64_t with)
{
	struct match *m = ctx;

	if (!m->total) {
		m->best = offset;
		m->best_n = matches;
		m->with = with;
	}
	m->total += matches;
	return 0;
}

struct decision {
	bool derived;
	int64_t offset;
	char *from;			/* clock_from; for assumed: why */
};

/* An MSI log: the trace that ran it, else its computer's nearest trace. */
static void
decide_msi(struct settle *st, struct csrc *c, size_t nkeys, struct decision *d)
{
	struct csrc *best = NULL;
	int64_t best_gap = INT64_MAX, start;

	if (c->ran_by >= 0 && st->src[c->ran_by].header) {
		struct csrc *t = &st->src[c->ran_by];

		if (!c->key[0] || !t->key[0] || strcmp(c->key, t->key) == 0) {
			d->derived = true;
			d->offset = t->hdr_offset;
			d->from = xasprintf("%s:%lld Start Time (Local)/(UTC) of the wizard trace that ran it",
					    t->path, (long long)t->hdr_line);
			return;
		}
	}
	start = c->first_ms == INT64_MIN ? INT64_MIN : c->first_ms + c->applied * 60000;
	for (size_t i = 0; start != INT64_MIN && i < st->n; i++) {
		struct csrc *t = &st->src[i];
		int64_t t_local, gap;

		if (!t->header || !is(t->format, "trace"))
			continue;
		/* the same computer; without any named in the case, one unnamed */
		if (c->key[0] ? strcmp(c->key, t->key) != 0 : (nkeys != 0 || t->key[0]))
			continue;
		t_local = t->start_local_ms != INT64_MIN ? t->start_local_ms
			  : t->first_ms != INT64_MIN ? t->first_ms + t->hdr_offset * 60000 : INT64_MIN;
		if (t_local == INT64_MIN)
			continue;
		gap = t_local > start ? t_local - start : start - t_local;
		if (gap < best_gap) {
			best_gap = gap;
			best = t;
		}
	}
	if (best) {
		d->derived = true;
		d->offset = best->hdr_offset;
		d->from = xasprintf("%s:%lld Start Time (Local)/(UTC) of the wizard trace of %s nearest in time",
				    best->path, (long long)best->hdr_line, c->host ? c->host : "this computer");
		return;
	}
	d->from = !c->host && nkeys > 1
		? xstrdup("its computer is not known and the case holds several: no trace's offset applies")
		: xasprintf("no wizard trace with a Start Time header ran it%s%s",
			    c->host ? " or is of " : "", c->host ? c->host : "");
}

/* Any other local source: the offset its records match exact ones at. */
static int
decide_match(struct settle *st, struct csrc *c, size_t nkeys, struct decision *d)
{
	struct match m = { 0 };
	struct csrc *with;

	if (!c->key[0] && nkeys > 1) {
		d->from = xstrdup("its computer is not known and the case holds several");
		return STORE_OK;
	}
	if (store_clock_match(st->s, c->id, c->applied, c->key[0] ? c->key : NULL, on_match, &m) !=
	    STORE_OK)
		return STORE_ERROR;
	if (m.total && m.best_n * 2 > m.total) {
		with = find(st, m.with);
		d->derived = true;
		d->offset = m.best;
		d->from = xasprintf("%lld of %lld matching records agree with the UTC times of %s",
				    (long long)m.best_n, (long long)m.total, with ? with->path : "another source");
	} else if (m.total) {
		d->from = xasprintf("its records match UTC ones at several offsets (%lld of %lld agree)",
				    (long long)m.best_n, (long long)m.total);
	} else {
		d->from = is(c->format, "trace") ? xstrdup("the trace has no Start Time (Local)/(UTC) header")
			  : xstrdup("no exact-UTC copy of its records in the case");
	}
	return STORE_OK;
}

static int
settle_one(struct settle *st, struct csrc *c, size_t nkeys, int64_t *moved)
{
	struct store_clock_set set = { c->host, c->host_from, c->clock, NULL, 0, false };
	struct decision d = { false, 0, NULL };
	bool local = is(c->clock, "assumed") || is(c->clock, "derived");
	bool restamp = false;
	int rc;

	if (local) {
		if (is(c->format, "msi"))
			decide_msi(st, c, nkeys, &d);
		else if ((rc = decide_match(st, c, nkeys, &d)) != STORE_OK)
			return rc;
		set.clock = d.derived ? "derived" : "assumed";
		set.clock_from = d.from;
		set.utc_offset = d.derived ? d.offset : 0;
		set.has_offset = true;
		restamp = set.utc_offset != c->applied || !is(c->clock, set.clock);
	} else if (is(c->clock, "header") && c->header) {
		/* The offset is read on the UTC line, or on Runtime.Start= that
		 * gives both (and the local start) at once. */
		d.from = xasprintf("%s:%lld %s", c->path, (long long)c->hdr_line,
				   c->hdr_local_line == c->hdr_line ? "Runtime.Start="
								    : "Start Time (Local)/(UTC)");
		set.clock_from = d.from;
		set.utc_offset = c->hdr_offset;
		set.has_offset = true;
	} else {
		/* exact, given or no times: as the ingest left them */
		set.clock_from = c->clock_from_was;
		set.utc_offset = c->applied;
		set.has_offset = c->has_offset;
	}
	rc = store_clock_set(st->s, c->id, &set, restamp, set.utc_offset - c->applied,
			     d.derived ? "local-derived" : "local-assumed");
	if (restamp && rc == STORE_OK)
		(*moved)++;
	free(d.from);
	return rc;
}

static void
summarise(const struct settle *st, struct clock_summary *out)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct csrc *c = &st->src[i];
		size_t k;

		if (!c->key[0])
			continue;
		for (k = 0; k < out->nhosts; k++) {
			char key[KEY_MAX];

			clock_host_key(out->hosts[k].name, key, sizeof(key));
			if (strcmp(key, c->key) == 0)
				break;
		}
		if (k == out->nhosts) {
			size_t n = strcspn(c->host, ".");

			out->hosts = xrealloc(out->hosts, (out->nhosts + 1) * sizeof(*out->hosts));
			out->hosts[k].name = xstrndup(c->host, n);
			out->hosts[k].files = 0;
			out->nhosts++;
		}
		out->hosts[k].files++;
	}
}

int
clock_settle(struct store *s, struct clock_summary *out)
{
	struct settle st = { s, NULL, 0, 0, STORE_OK };
	const char *only;
	size_t nkeys;
	int64_t moved = 0;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	rc = store_clock_sources(s, on_source, &st);
	if (rc == STORE_OK)
		rc = store_facts(s, "wizard.utc_offset", on_utc_offset, &st);
	if (rc == STORE_OK)
		rc = store_facts(s, "wizard.start_local", on_start_local, &st);
	if (rc == STORE_OK)
		rc = store_facts(s, "msi.log_path", on_log_path, &st);
	if (rc == STORE_OK && st.n && store_clock_current(s)) {
		/* Nothing stored since the last settling: as it left them. */
		for (size_t i = 0; i < st.n; i++) {
			if (st.src[i].host_was)
				set_host(&st.src[i], st.src[i].host_was, NULL);
		}
	} else if (rc == STORE_OK && st.n) {
		nkeys = decide_hosts(&st, &only);
		rc = store_clock_begin(s);
		for (size_t i = 0; rc == STORE_OK && i < st.n; i++)
			rc = settle_one(&st, &st.src[i], nkeys, &moved);
		if (rc == STORE_OK)
			rc = store_clock_end(s, true);
		else
			store_clock_end(s, false);
	}
	if (rc == STORE_OK && out) {
		summarise(&st, out);
		out->moved = moved;
	}
	for (size_t i = 0; i < st.n; i++) {
		struct csrc *c = &st.src[i];

		free(c->path), free(c->name), free(c->format), free(c->clock), free(c->host_was);
		free(c->host_from_was), free(c->clock_from_was), free(c->own_host), free(c->host);
		free(c->host_from);
	}
	free(st.src);
	return rc;
}

void
clock_summary_release(struct clock_summary *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nhosts; i++)
		free(c->hosts[i].name);
	free(c->hosts);
	memset(c, 0, sizeof(*c));
}
