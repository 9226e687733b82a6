/* SPDX-License-Identifier: MIT */
/* runs.c - the sync engine's runs around the upgrade: the window the
 * upgrade took (from the sync engine's install, else the wizard runs), the
 * runs near it, and per connector the last successful import, sync and
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

/* The upgrade window: the sync engine's installs, else the wizard runs of
 * an upgrade (a trace that found an installed engine and a target). */
static void
window(struct analysis *a)
{
	const char *from = NULL, *to = NULL;

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
	} else if (a->installed.value && a->target.value) {
		for (size_t i = 0; i < a->nepisodes; i++) {
			const struct an_episode *e = &a->episodes[i];

			if (strcmp(e->kind, "wizard-run") != 0 || !e->start)
				continue;
			if (!from || strcmp(e->start, from) < 0)
				from = e->start;
			if (!to || strcmp(e->end ? e->end : e->start, to) > 0)
				to = e->end ? e->end : e->start;
		}
		if (from)
			a->window_from = "the wizard runs";
	}
	a->window_start = xstrdup0(from);
	a->window_end = xstrdup0(to);
}

static bool
succeeded(const char *cls)
{
	return cls && (!strcmp(cls, "success") || !strcmp(cls, "completed-no-objects") ||
		       !strcmp(cls, "completed-warnings"));
}

/* What a run did: import, sync or export (from its steps, else its name). */
static int
kind_of(const struct store_run_row *r)
{
	const char *k = r->step_classes ? r->step_classes : "";

	if (strstr(k, "import"))
		return RUN_IMPORT;
	if (strstr(k, "sync"))
		return RUN_SYNC;
	if (strstr(k, "export"))
		return RUN_EXPORT;
	if (r->profile) {
		struct sv p = sv_cstr(r->profile);

		if (sv_ifind(p, "import") >= 0)
			return RUN_IMPORT;
		if (sv_ifind(p, "sync") >= 0)
			return RUN_SYNC;
		if (sv_ifind(p, "export") >= 0)
			return RUN_EXPORT;
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
		if (!succeeded(r->result_class))
			c->failed_after++;
		if (k >= 0 && succeeded(r->result_class) && !c->after[k].present)
			set_ref(&c->after[k], r);
	} else if (k >= 0 && succeeded(r->result_class) &&
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

	window(a);
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
