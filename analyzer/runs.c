/* SPDX-License-Identifier: MIT */
/* runs.c - the sync engine's runs around the upgrade: the window the
 * upgrade took (the sync engine's install, else the upgrade attempts
 * analyzer/attempts.c stored, else the wizard runs that upgrade), the runs
 * near it, and per connector the last successful import, sync and
 * export before it and the first after it. */
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define RUNS_SHOWN 40
#define HOURS_BEFORE 12
#define HOURS_AFTER 48

/* The first start and last end of the stored upgrade attempts
 * (analyzer/attempts.c), or nothing when none was stored. */
struct span_ctx {
	char *from, *to;
	size_t n;
};

static int
on_upgrade(void *ctx, const struct store_upgrade *u)
{
	struct span_ctx *sp = ctx;
	const char *s = u->started ? u->started : u->ended, *e = u->ended ? u->ended : s;

	sp->n++;
	if (s && (!sp->from || strcmp(s, sp->from) < 0)) {
		free(sp->from);
		sp->from = xstrdup(s);
	}
	if (e && (!sp->to || strcmp(e, sp->to) > 0)) {
		free(sp->to);
		sp->to = xstrdup(e);
	}
	return 0;
}

/* Sources whose wizard run decided to upgrade the sync engine: the
 * upgrade line, or an installed engine older than the wizard. */
struct upgrade_traces {
	struct {
		int64_t source_id;
		char *path, *engine, *wizard;
		bool decided;
	} *t;
	size_t n;
};

static int
on_trace_fact(void *ctx, const struct store_fact_row *r)
{
	struct upgrade_traces *ut = ctx;
	size_t i;

	for (i = 0; i < ut->n && ut->t[i].source_id != r->source_id; i++)
		;
	if (i == ut->n) {
		ut->t = xrealloc(ut->t, (ut->n + 1) * sizeof(*ut->t));
		memset(&ut->t[i], 0, sizeof(*ut->t));
		ut->t[i].source_id = r->source_id;
		ut->t[i].path = xstrdup0(r->path);
		ut->n++;
	}
	if (!strcmp(r->name, "upgrade.from"))
		ut->t[i].decided = true;
	else if (!strcmp(r->name, "engine.installed_version") && !ut->t[i].engine)
		ut->t[i].engine = xstrdup0(r->value);
	else if (!strcmp(r->name, "wizard.version") && !ut->t[i].wizard)
		ut->t[i].wizard = xstrdup0(r->value);
	return 0;
}

static bool
upgrade_trace(const struct upgrade_traces *ut, const char *path)
{
	for (size_t i = 0; path && i < ut->n; i++) {
		if (ut->t[i].path && !strcmp(ut->t[i].path, path))
			return ut->t[i].decided || (ut->t[i].engine && ut->t[i].wizard &&
						     version_cmp(ut->t[i].wizard, ut->t[i].engine) > 0);
	}
	return false;
}

/* The upgrade window: the sync engine's installs (when the engine was
 * stopped and replaced); else, once the checks have stored them, the
 * upgrade attempts (none stored in a current analysis: no window); before
 * that (during analyzer_run), the wizard runs that upgrade the engine. */
static int
window(struct store *st, struct analysis *a)
{
	const char *from = NULL, *to = NULL;
	struct span_ctx sp = { NULL, NULL, 0 };
	struct upgrade_traces ut = { NULL, 0 };
	static const char *const names[] = { "upgrade.from", "engine.installed_version", "wizard.version" };

	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		const char *s = in->start ? in->start : in->fail_time, *e = in->end ? in->end : s;

		if (!s || !in->product || sv_ifind(sv_cstr(in->product), "synchronization service") < 0)
			continue;
		if (!from || strcmp(s, from) < 0)
			from = s;
		if (!to || strcmp(e, to) > 0)
			to = e;
	}
	if (from) {
		a->window_from = "the sync engine's install";
		a->window_start = xstrdup(from);
		a->window_end = xstrdup(to);
		return STORE_OK;
	}
	if (store_upgrades(st, on_upgrade, &sp) != STORE_OK)
		return STORE_ERROR;
	if (sp.n || a->current) {
		a->window_from = sp.from ? "the upgrade attempts" : NULL;
		a->window_start = sp.from;
		a->window_end = sp.from && !sp.to ? xstrdup(sp.from) : sp.to;
		return STORE_OK;
	}
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (store_facts(st, names[k], on_trace_fact, &ut) != STORE_OK)
			break;
	}
	for (size_t i = 0; i < a->nepisodes; i++) {
		const struct an_episode *e = &a->episodes[i];

		if (strcmp(e->kind, "wizard-run") != 0 || !e->start || !upgrade_trace(&ut, e->path))
			continue;
		if (!from || strcmp(e->start, from) < 0)
			from = e->start;
		if (!to || strcmp(e->end ? e->end : e->start, to) > 0)
			to = e->end ? e->end : e->start;
	}
	if (from)
		a->window_from = "the wizard runs";
	a->window_start = xstrdup0(from);
	a->window_end = xstrdup0(to);
	for (size_t i = 0; i < ut.n; i++)
		free(ut.t[i].path), free(ut.t[i].engine), free(ut.t[i].wizard);
	free(ut.t);
	return STORE_OK;
}

bool
run_succeeded(const char *cls)
{
	return cls && (!strcmp(cls, "success") || !strcmp(cls, "completed-no-objects") ||
		       !strcmp(cls, "completed-warnings"));
}

unsigned
run_kinds(const char *step_classes, const char *profile)
{
	static const char *const names[RUN_KINDS] = { "import", "sync", "export" };
	struct sv k = sv_cstr(step_classes), p = sv_cstr(profile);
	unsigned kinds = 0;

	for (int i = 0; i < RUN_KINDS; i++)
		kinds |= sv_find(k, names[i]) >= 0 ? 1u << i : 0;
	if (kinds || !profile)
		return kinds;
	for (int i = 0; i < RUN_KINDS; i++)
		kinds |= sv_ifind(p, names[i]) >= 0 ? 1u << i : 0;
	return kinds;
}

/* What a run did first: import, sync or export; -1 when unknown. */
static int
kind_of(const struct store_run_row *r)
{
	unsigned k = run_kinds(r->step_classes, r->profile);

	for (int i = 0; i < RUN_KINDS; i++) {
		if (k & (1u << i))
			return i;
	}
	return -1;
}

static struct an_connector *
connector(struct analysis *a, const char *name, size_t *cap)
{
	struct an_connector *c;

	name = name ? name : "(connector unknown)";
	for (size_t i = 0; i < a->nconnectors; i++) {
		if (!strcmp(a->connectors[i].name, name))
			return &a->connectors[i];
	}
	if (a->nconnectors == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		a->connectors = xrealloc(a->connectors, *cap * sizeof(*a->connectors));
	}
	c = &a->connectors[a->nconnectors++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	return c;
}

static void
set_ref(struct an_run_ref *ref, const struct store_run_row *r)
{
	free(ref->time), free(ref->profile), free(ref->result);
	ref->time = xstrdup0(r->start_time);
	ref->profile = xstrdup0(r->profile);
	ref->result = xstrdup0(r->result);
	ref->present = true;
}

struct runs_ctx {
	struct analysis *a;
	int64_t from, to;		/* window in ms, or INT64_MIN */
	int64_t show_from, show_to;
	size_t ccap, rcap;
};

static int
on_run(void *ctx, const struct store_run_row *r)
{
	struct runs_ctx *rc = ctx;
	struct analysis *a = rc->a;
	struct an_connector *c = connector(a, r->connector, &rc->ccap);
	int64_t t = iso_to_ms(r->start_time);
	int k = kind_of(r);

	a->runs_total++;
	c->runs++;
	if (rc->from != INT64_MIN && t != INT64_MIN && t >= rc->to) {
		c->runs_after++;
		if (!run_succeeded(r->result_class))
			c->failed_after++;
		if (k >= 0 && run_succeeded(r->result_class) && !c->after[k].present)
			set_ref(&c->after[k], r);
	} else if (k >= 0 && run_succeeded(r->result_class) &&
		   (rc->from == INT64_MIN || (t != INT64_MIN && t < rc->from))) {
		set_ref(&c->before[k], r);
	}
	/* The runs shown: near the window, or (without one) the latest. */
	if (rc->from == INT64_MIN || (t != INT64_MIN && t >= rc->show_from && t <= rc->show_to)) {
		struct an_run *x;

		if (a->nruns == rc->rcap) {
			rc->rcap = rc->rcap ? rc->rcap * 2 : 16;
			a->runs = xrealloc(a->runs, rc->rcap * sizeof(*a->runs));
		}
		x = &a->runs[a->nruns++];
		memset(x, 0, sizeof(*x));
		x->connector = xstrdup0(r->connector);
		x->profile = xstrdup0(r->profile);
		x->result = xstrdup0(r->result);
		x->result_class = xstrdup0(r->result_class);
		x->start = xstrdup0(r->start_time);
		x->end = xstrdup0(r->end_time);
		x->kinds = xstrdup0(r->step_classes);
		x->path = xstrdup0(r->path);
		x->connection = xstrdup0(r->connection_result);
		x->run_number = r->run_number;
		x->errors = r->errors;
		x->line = r->line;
		x->after_window = rc->from != INT64_MIN && t != INT64_MIN && t >= rc->to;
	}
	return 0;
}

static void
free_run(struct an_run *x)
{
	free(x->connector), free(x->profile), free(x->result), free(x->result_class);
	free(x->start), free(x->end), free(x->kinds), free(x->path), free(x->connection);
}

int
runs_load(struct store *s, struct analysis *a)
{
	struct runs_ctx rc = { a, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, 0, 0 };

	if (window(s, a) != STORE_OK)
		return STORE_ERROR;
	if (a->window_start) {
		rc.from = iso_to_ms(a->window_start);
		rc.to = iso_to_ms(a->window_end);
		if (rc.from != INT64_MIN && rc.to == INT64_MIN)
			rc.to = rc.from;
		if (rc.from != INT64_MIN) {
			rc.show_from = rc.from - (int64_t)HOURS_BEFORE * 3600000;
			rc.show_to = rc.to + (int64_t)HOURS_AFTER * 3600000;
		}
	}
	if (store_runs(s, on_run, &rc) < 0)
		return STORE_ERROR;
	/* Without a window, or too many: the latest RUNS_SHOWN. */
	if (a->nruns > RUNS_SHOWN) {
		size_t drop = a->nruns - RUNS_SHOWN;

		for (size_t i = 0; i < drop; i++)
			free_run(&a->runs[i]);
		memmove(a->runs, a->runs + drop, RUNS_SHOWN * sizeof(*a->runs));
		a->nruns = RUNS_SHOWN;
		a->runs_cut = drop;
	}
	return STORE_OK;
}

void
runs_release(struct analysis *a)
{
	for (size_t i = 0; i < a->nruns; i++)
		free_run(&a->runs[i]);
	free(a->runs);
	for (size_t i = 0; i < a->nconnectors; i++) {
		struct an_connector *c = &a->connectors[i];

		free(c->name);
		for (int k = 0; k < RUN_KINDS; k++) {
			free(c->before[k].time), free(c->before[k].profile), free(c->before[k].result);
			free(c->after[k].time), free(c->after[k].profile), free(c->after[k].result);
		}
	}
	free(a->connectors);
	free(a->window_start);
	free(a->window_end);
	a->runs = NULL;
	a->connectors = NULL;
	a->window_start = a->window_end = NULL;
	a->nruns = a->nconnectors = 0;
}
