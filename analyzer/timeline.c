/* SPDX-License-Identifier: MIT */
/* timeline.c - the case on one time axis (timeline.h). Everything here is
 * already in the analysis; this only puts it in lanes, in time order. */
#include <stdlib.h>
#include <string.h>

#include "analyzer/timeline.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

static const char *const kind_names[TL_KINDS] = {
	"wizard", "install", "action", "upgrade", "sync-paused", "run", "error",
};

const char *
tl_kind_name(enum tl_kind k)
{
	return (unsigned)k < TL_KINDS ? kind_names[k] : "unknown";
}

const char *
tl_status_name(enum tl_status s)
{
	switch (s) {
	case TL_OK: return "ok";
	case TL_WARNING: return "warning";
	case TL_FAILED: return "failed";
	case TL_INFO: return "info";
	case TL_UNKNOWN: break;
	}
	return "unknown";
}

struct tb {
	struct timeline *t;
	size_t cap, lcap;
};

static size_t
lane(struct tb *b, const char *name, enum tl_kind kind)
{
	struct timeline *t = b->t;

	for (size_t i = 0; i < t->nlanes; i++)
		if (t->lanes[i].kind == kind && strcmp(t->lanes[i].name, name) == 0)
			return i;
	if (t->nlanes == b->lcap) {
		b->lcap = b->lcap ? b->lcap * 2 : 8;
		t->lanes = xrealloc(t->lanes, b->lcap * sizeof(*t->lanes));
	}
	t->lanes[t->nlanes].name = xstrdup(name);
	t->lanes[t->nlanes].kind = kind;
	return t->nlanes++;
}

/* Add an item; false (and nothing added) when start is not a UTC time. */
static bool
add(struct tb *b, enum tl_kind kind, size_t ln, const char *start, const char *end, enum tl_status st,
    char *label, char *detail, const char *path, int64_t line, int64_t record)
{
	struct timeline *t = b->t;
	int64_t s = iso_to_ms(start), e = iso_to_ms(end);
	struct tl_item *it;

	if (s == INT64_MIN) {
		free(label), free(detail);
		return false;
	}
	if (e < s)
		end = NULL, e = s;
	if (t->nitems == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		t->items = xrealloc(t->items, b->cap * sizeof(*t->items));
	}
	it = &t->items[t->nitems++];
	it->kind = kind;
	it->lane = ln;
	it->start = xstrdup(start);
	it->end = xstrdup0(end);
	it->start_ms = s;
	it->end_ms = e;
	it->status = st;
	it->label = label;
	it->detail = detail;
	it->path = xstrdup0(path);
	it->line = line;
	it->record = record;
	return true;
}

static enum tl_status
install_status(const char *outcome)
{
	if (!outcome)
		return TL_UNKNOWN;
	if (strncmp(outcome, "succeeded", 9) == 0)
		return TL_OK;
	if (strcmp(outcome, "failed") == 0)
		return TL_FAILED;
	if (strcmp(outcome, "cancelled") == 0)
		return TL_WARNING;
	return TL_UNKNOWN;
}

static enum tl_status
upgrade_status(const char *outcome)
{
	if (!outcome)
		return TL_UNKNOWN;
	if (strcmp(outcome, "succeeded") == 0)
		return TL_OK;
	if (strcmp(outcome, "failed") == 0)
		return TL_FAILED;
	if (strcmp(outcome, "aborted") == 0)
		return TL_WARNING;
	return TL_UNKNOWN;
}

static enum tl_status
run_status(const char *result_class)
{
	if (!result_class || strcmp(result_class, "unknown") == 0)
		return TL_UNKNOWN;
	if (strcmp(result_class, "completed-warnings") == 0)
		return TL_WARNING;
	return run_succeeded(result_class) ? TL_OK : TL_FAILED;
}

static char *
first_line(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	n = strcspn(s, "\r\n");
	return xstrndup(s, n);
}

static void
wizard_runs(struct tb *b, const struct analysis *a)
{
	for (size_t i = 0; i < a->nepisodes; i++) {
		const struct an_episode *e = &a->episodes[i];

		if (!e->kind || strcmp(e->kind, "wizard-run") != 0)
			continue;
		if (!add(b, TL_WIZARD, lane(b, "wizard", TL_WIZARD), e->start, e->end,
			 e->errors ? TL_WARNING : TL_OK, xstrdup0(e->label ? e->label : "wizard run"),
			 xstrdup0(e->outcome), e->path, e->first_error_line, -1))
			b->t->unplaced++;
	}
}

static void
installs(struct tb *b, const struct analysis *a)
{
	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		const char *path = in->path ? in->path : in->trace_path;
		size_t ln = lane(b, "installer", TL_INSTALL);
		char *label = xasprintf("%s%s%s", in->product ? in->product : "Windows Installer install",
					in->version ? " " : "", in->version ? in->version : "");
		char *detail = in->status >= 0 ? xasprintf("%s, status %lld", in->outcome, (long long)in->status)
					       : xstrdup(in->outcome);

		if (!add(b, TL_INSTALL, ln, in->start, in->end ? in->end : in->fail_time,
			 install_status(in->outcome), label, detail, path, in->path ? 1 : in->trace_line, -1)) {
			b->t->unplaced++;
			continue;
		}
		if (in->fail_action) {
			char *d;

			if (in->error_number >= 0 && in->error_text)
				d = xasprintf("returned 3 (fatal error); Error %lld: %s", (long long)in->error_number,
					      in->error_text);
			else if (in->ca_name)
				d = xasprintf("returned 3 (fatal error); custom action %s returned %lld", in->ca_name,
					      (long long)in->ca_error);
			else
				d = xstrdup("returned 3 (fatal error)");
			char *one = first_line(d);

			free(d);
			add(b, TL_ACTION, ln, in->fail_time ? in->fail_time : in->end, NULL, TL_FAILED,
			    xstrdup(in->fail_action), one, path, in->fail_line, -1);
		}
	}
}

static void
upgrades(struct tb *b, const struct analysis *a)
{
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];
		char *label = xasprintf("upgrade %s -> %s", u->from ? u->from : "?", u->to ? u->to : "?");

		add(b, TL_UPGRADE, lane(b, "upgrade", TL_UPGRADE), u->started, u->ended,
		    upgrade_status(u->outcome), label, xstrdup0(u->outcome ? u->outcome : "unknown"), u->path,
		    u->line, -1);
		if (u->pause_start) {
			char *detail = u->pause_end ? (u->pause_seconds >= 0
							       ? xasprintf("no sync run for %lld s",
									   (long long)u->pause_seconds)
							       : xstrdup("no sync run"))
						    : xstrdup("no sync run after the upgrade in the case");

			add(b, TL_PAUSE, lane(b, "sync paused", TL_PAUSE), u->pause_start, u->pause_end,
			    u->pause_end ? TL_INFO : TL_WARNING, xstrdup("sync paused"), detail, NULL, 0, -1);
		}
	}
}

static void
runs(struct tb *b, const struct analysis *a)
{
	for (size_t i = 0; i < a->nruns; i++) {
		const struct an_run *r = &a->runs[i];
		char *detail = r->errors > 0 ? xasprintf("%s, %lld error%s", r->result ? r->result : "no result",
							 (long long)r->errors, r->errors == 1 ? "" : "s")
					     : xstrdup(r->result ? r->result : "no result");

		if (!add(b, TL_RUN, lane(b, r->connector ? r->connector : "(connector unknown)", TL_RUN), r->start,
			 r->end, run_status(r->result_class), xstrdup(r->profile ? r->profile : "run"), detail,
			 r->path, r->line, -1))
			b->t->unplaced++;
	}
}

static void
errors(struct tb *b, const struct analysis *a)
{
	for (size_t i = 0; i < a->nerrevents; i++) {
		const struct an_errevent *e = &a->errevents[i];
		char *label = e->event_id >= 0 ? xasprintf("%s %lld", e->provider ? e->provider : "event",
							   (long long)e->event_id)
					       : xstrdup(e->provider ? e->provider : e->level);

		add(b, TL_ERROR, lane(b, "error events", TL_ERROR), e->time, NULL,
		    strcmp(e->level, "critical") == 0 || strcmp(e->level, "error") == 0 ? TL_FAILED : TL_WARNING,
		    label, xstrdup0(e->message), e->path, e->line, e->record);
	}
	b->t->errors_total = a->errevents_total;
}

static int
by_lane_start(const void *x, const void *y)
{
	const struct tl_item *p = x, *q = y;

	if (p->lane != q->lane)
		return p->lane < q->lane ? -1 : 1;
	if (p->start_ms != q->start_ms)
		return p->start_ms < q->start_ms ? -1 : 1;
	return (int)p->kind - (int)q->kind;
}

void
timeline_build(const struct analysis *a, struct timeline *t)
{
	struct tb b = { t, 0, 0 };

	memset(t, 0, sizeof(*t));
	wizard_runs(&b, a);
	installs(&b, a);
	upgrades(&b, a);
	runs(&b, a);
	errors(&b, a);
	if (t->nitems)
		qsort(t->items, t->nitems, sizeof(*t->items), by_lane_start);
	for (size_t i = 0; i < t->nitems; i++) {
		if (i == 0 || t->items[i].start_ms < t->first_ms)
			t->first_ms = t->items[i].start_ms;
		if (i == 0 || t->items[i].end_ms > t->last_ms)
			t->last_ms = t->items[i].end_ms;
	}
}

void
timeline_release(struct timeline *t)
{
	for (size_t i = 0; i < t->nlanes; i++)
		free(t->lanes[i].name);
	for (size_t i = 0; i < t->nitems; i++) {
		struct tl_item *it = &t->items[i];

		free(it->start), free(it->end), free(it->label), free(it->detail), free(it->path);
	}
	free(t->lanes);
	free(t->items);
	memset(t, 0, sizeof(*t));
}
