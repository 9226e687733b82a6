/* SPDX-License-Identifier: MIT */
/* verdicts.c - per connector, whether synchronization resumed after an
 * upgrade (from the run history, else the events), the pause, and the
 * verify phase; storing the verdicts. */
#include "analyzer/checks_int.h"

static const char *
duration(int64_t seconds, char out[48])
{
	if (seconds < 120)
		snprintf(out, 48, "%lld s", (long long)seconds);
	else if (seconds < 7200)
		snprintf(out, 48, "%lld min", (long long)(seconds / 60));
	else if (seconds < 172800)
		snprintf(out, 48, "%lld h %lld min", (long long)(seconds / 3600),
			 (long long)(seconds % 3600 / 60));
	else
		snprintf(out, 48, "%lld days", (long long)(seconds / 86400));
	return out;
}

/* ---- run history --------------------------------------------------------- */

struct connector_scan {
	const char *name;
	const struct runrec *imp, *sync, *exp;		/* first successful after the end */
	const struct runrec *imp_any, *sync_any, *exp_any;	/* first that completed (errors too) */
	const struct runrec *first_err;			/* first completed with errors */
	const struct runrec *exp_last;			/* the last export run (whatever its result) */
	const struct runrec *last[EVIDENCE_RUNS];
	size_t nlast;
	int64_t runs_after, failed_after;
	const struct runrec *latest[3];			/* no attempt: the latest of each kind */
};

static void
keep_last(struct connector_scan *k, const struct runrec *r)
{
	if (k->nlast == EVIDENCE_RUNS) {
		memmove(k->last, k->last + 1, (EVIDENCE_RUNS - 1) * sizeof(k->last[0]));
		k->nlast--;
	}
	k->last[k->nlast++] = r;
}

static void
cv_ref(struct ref *f, const struct runrec *r)
{
	f->source_id = r->source_id;
	f->event_id = 0;
	f->line = r->line;
	f->time = r->start;
}

/* The later of two runs' ends. */
static const struct runrec *
later(const struct runrec *x, const struct runrec *y)
{
	if (!x)
		return y;
	if (!y)
		return x;
	return y->done_ms > x->done_ms ? y : x;
}

/* One connector after end (runs started before limit). The cycle is the
 * first successful import, synchronization and export after it ended (an
 * active server's scheduler runs all three every cycle):
 * - resumed: an import and an export ran (the import and export steps of
 *   the cycle), resumed-with-errors when a run of the connector until the
 *   cycle was complete ended with completed-*-errors, or import and export
 *   only completed with errors;
 * - resumed-staging: import and synchronization ran, no export, and the
 *   server is in staging mode (settings.staging_mode True): exports are
 *   held by design;
 * - resumed-without-export: import and synchronization ran but no export
 *   succeeded on an active server;
 * - not-resumed: the history reaches past the end without an import and a
 *   synchronization; unknown when it stops before. */
static void
verdict_runs(struct ctx *c, struct connector_scan *k, int64_t end, struct cverdict *v)
{
	const struct runrec *in = k->imp ? k->imp : k->imp_any;
	const struct runrec *sy = k->sync ? k->sync : k->sync_any;
	const struct runrec *ex = k->exp ? k->exp : k->exp_any;
	char w1[40], w2[40], w3[40], w4[40], d[48];

	v->basis = "run-history";
	v->runs_after = k->runs_after;
	v->failed_after = k->failed_after;
	v->seconds = -1;
	v->import_time = in ? in->start : NULL;
	v->sync_time = sy ? sy->start : NULL;
	v->export_time = ex ? ex->start : k->exp_last ? k->exp_last->start : NULL;
	for (size_t i = 0; i < k->nlast; i++)
		cv_ref(&v->last[v->nlast++], k->last[i]);
	if (in && ex) {
		const struct runrec *done = later(in, ex);
		const struct runrec *bad = k->first_err && k->first_err->start_ms <= done->done_ms ? k->first_err : NULL;

		v->resumed_time = iso_dup(done->done_ms);
		v->seconds = (done->done_ms - end) / 1000;
		if (!bad) {
			v->verdict = "resumed";
			cv_ref(&v->at, done);
			v->note = xasprintf("first successful import %s, %s%s and export %s after the upgrade ended "
					    "(%s): the cycle was complete again %s later",
					    when(in->start_ms, w1), sy ? "synchronization " : "no synchronization",
					    sy ? when(sy->start_ms, w4) : "", when(ex->start_ms, w2), when(end, w3),
					    duration(v->seconds, d));
		} else {
			v->verdict = "resumed-with-errors";
			cv_ref(&v->at, bad);
			v->note = xasprintf("import and export ran after the upgrade ended (%s), complete %s later, but "
					    "with errors (%s %s: %s)",
					    when(end, w1), duration(v->seconds, d),
					    bad->profile ? bad->profile : "run", when(bad->start_ms, w2),
					    bad->result ? bad->result : "?");
		}
	} else if (in && sy && setting_true(&c->staging)) {
		const struct runrec *done = later(in, sy);

		v->verdict = "resumed-staging";
		cv_ref(&v->at, done);
		v->resumed_time = iso_dup(done->done_ms);
		v->seconds = (done->done_ms - end) / 1000;
		v->note = xasprintf("import %s and synchronization %s ran after the upgrade ended (%s), %s later; "
				    "the server is in staging mode (Microsoft.Synchronize.StagingMode True, %s:%lld), "
				    "which holds every export by design",
				    when(in->start_ms, w1), when(sy->start_ms, w2), when(end, w3),
				    duration(v->seconds, d), path_base(c->staging.path ? c->staging.path : "?"),
				    (long long)c->staging.line);
	} else if (in && sy) {
		const struct runrec *x = k->exp_last;

		v->verdict = "resumed-without-export";
		cv_ref(&v->at, x ? x : later(in, sy));
		if (x)
			v->note = xasprintf("import %s and synchronization %s ran after the upgrade ended (%s), but no "
					    "export succeeded: %s %s ended %s",
					    when(in->start_ms, w1), when(sy->start_ms, w2), when(end, w3),
					    x->profile ? x->profile : "the export", when(x->start_ms, d),
					    x->result ? x->result : "?");
		else
			v->note = xasprintf("import %s and synchronization %s ran after the upgrade ended (%s), but no "
					    "export ran on this connector though the run history reaches %s "
					    "(%lld run%s after the end); the server is not known to be in staging mode",
					    when(in->start_ms, w1), when(sy->start_ms, w2), when(end, w3),
					    when(c->runs_last_ms, d), (long long)k->runs_after, k->runs_after == 1 ? "" : "s");
	} else if (c->runs_last_ms != UNKNOWN_MS && c->runs_last_ms > end) {
		const struct runrec *last = k->nlast ? k->last[k->nlast - 1] : NULL;

		v->verdict = "not-resumed";
		if (last)
			cv_ref(&v->at, last);
		v->note = xasprintf("the run history reaches %s, past the upgrade's end (%s), and this connector "
				    "has %s after it: %lld run%s after it, %lld not "
				    "successful%s%s%s%s",
				    when(c->runs_last_ms, w1), when(end, w2),
				    in ? "an import but no successful synchronization" : "no successful import and synchronization",
				    (long long)k->runs_after,
				    k->runs_after == 1 ? "" : "s", (long long)k->failed_after,
				    last ? "; last: " : "", last && last->profile ? last->profile : "",
				    last ? " " : "", last && last->result ? last->result : "");
	} else {
		v->verdict = "unknown";
		v->note = xasprintf("the run history ends %s, before the upgrade ended (%s)",
				    when(c->runs_last_ms, w1), when(end, w2));
	}
}

/* Without an upgrade attempt: the connector's last import and its last
 * export (or sync). */
static void
verdict_last_cycle(struct ctx *c, struct connector_scan *k, struct cverdict *v)
{
	const struct runrec *imp = k->latest[0], *out = k->latest[2] ? k->latest[2] : k->latest[1];

	v->basis = "run-history";
	v->seconds = -1;
	v->import_time = imp ? imp->start : NULL;
	v->sync_time = k->latest[1] ? k->latest[1]->start : NULL;
	v->export_time = k->latest[2] ? k->latest[2]->start : NULL;
	if (imp && !k->latest[2] && out && setting_true(&c->staging) && imp->rclass != RC_FAILED &&
	    out->rclass != RC_FAILED)
		v->verdict = "resumed-staging";
	else if (imp && out && imp->rclass == RC_OK && out->rclass == RC_OK)
		v->verdict = "resumed";
	else if (imp && out && imp->rclass != RC_FAILED && out->rclass != RC_FAILED)
		v->verdict = "resumed-with-errors";
	else
		v->verdict = "not-resumed";
	if (imp || out)
		cv_ref(&v->at, later(imp, out));
	v->note = xasprintf("no upgrade attempt in the case: the verdict is about the connector's last runs "
			    "(import %s, %s %s)%s",
			    imp && imp->result ? imp->result : "none", k->latest[2] ? "export" : "sync",
			    out && out->result ? out->result : "none",
			    !strcmp(v->verdict, "resumed-staging") ? "; the server is in staging mode, which holds "
								     "every export"
								   : "");
}

static struct connector_scan *
scan_of(struct connector_scan **ks, size_t *n, const char *name)
{
	struct connector_scan *k;

	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*ks)[i].name, name))
			return &(*ks)[i];
	}
	k = PUSH(*ks, *n);
	k->name = name;
	return k;
}

static void
first_of(const struct runrec **slot, const struct runrec *r)
{
	if (!*slot)
		*slot = r;
}

/* The per-connector verdicts from the run history, relative to end (the
 * upgrade's end; UNKNOWN_MS: no attempt, the last cycle decides), looking
 * at runs that started before limit. */
static size_t
verdicts_from_runs(struct ctx *c, int64_t end, int64_t limit, struct cverdict **out)
{
	struct connector_scan *ks = NULL;
	size_t nk = 0;

	for (size_t i = 0; i < c->nruns; i++) {
		const struct runrec *r = &c->runs[i];
		struct connector_scan *k = scan_of(&ks, &nk, r->connector);

		if (end == UNKNOWN_MS) {
			if (r->kinds & K_IMPORT)
				k->latest[0] = r;
			if (r->kinds & K_SYNC)
				k->latest[1] = r;
			if (r->kinds & K_EXPORT)
				k->latest[2] = r;
			continue;
		}
		if (r->start_ms == UNKNOWN_MS || r->start_ms < end || r->start_ms >= limit)
			continue;
		k->runs_after++;
		k->failed_after += r->rclass != RC_OK;
		keep_last(k, r);
		if (r->kinds & K_EXPORT)
			k->exp_last = r;
		if (r->rclass == RC_ERRORS && !k->first_err)
			k->first_err = r;
		if (r->rclass == RC_OK) {
			if (r->kinds & K_IMPORT)
				first_of(&k->imp, r);
			if (r->kinds & K_SYNC)
				first_of(&k->sync, r);
			if (r->kinds & K_EXPORT)
				first_of(&k->exp, r);
		}
		if (r->rclass != RC_FAILED) {
			if (r->kinds & K_IMPORT)
				first_of(&k->imp_any, r);
			if (r->kinds & K_SYNC)
				first_of(&k->sync_any, r);
			if (r->kinds & K_EXPORT)
				first_of(&k->exp_any, r);
		}
	}
	*out = xcalloc(nk ? nk : 1, sizeof(**out));
	for (size_t i = 0; i < nk; i++) {
		(*out)[i].name = xstrdup(ks[i].name);
		if (end == UNKNOWN_MS)
			verdict_last_cycle(c, &ks[i], &(*out)[i]);
		else
			verdict_runs(c, &ks[i], end, &(*out)[i]);
	}
	free(ks);
	return nk;
}

/* ---- events (no run history) --------------------------------------------- */

int
verdict_rank(const char *v)
{
	if (!v)
		return 0;
	if (!strcmp(v, "not-resumed"))
		return 5;
	if (!strcmp(v, "resumed-without-export"))
		return 4;
	if (!strcmp(v, "resumed-with-errors"))
		return 3;
	if (!strcmp(v, "resumed-staging"))
		return 2;
	if (!strcmp(v, "resumed"))
		return 1;
	return 0;
}

static void
event_ref(const struct ctx *c, struct ref *f, const struct an_runevent *e)
{
	f->source_id = source_id_of(c, e->path);
	f->event_id = 0;
	f->line = e->line;
	f->time = e->time;
}

/* ADSync 6050 (a run failed) makes its connector not-resumed; 6100, 6803
 * and 6941 (completed with errors, export errors) resumed-with-errors;
 * Directory Synchronization 904 (a cycle finished) makes the scheduler
 * resumed. With an attempt, the events after its end count (the worst one
 * per connector); without one, each connector's latest event. */
static size_t
verdicts_from_events(struct ctx *c, int64_t end, int64_t limit, struct cverdict **out)
{
	struct cverdict *v = NULL;
	size_t n = 0;
	char w[40], d[48];

	for (size_t i = 0; i < c->a->nrunevents; i++) {
		const struct an_runevent *e = &c->a->runevents[i];
		const char *name = e->connector ? e->connector : e->failed ? "(connector unknown)" : "(scheduler)";
		const char *verdict = !e->failed ? "resumed" : e->event_id == 6050 ? "not-resumed" : "resumed-with-errors";
		int64_t ms = ms_of(e->time);
		struct cverdict *x = NULL;

		if (end != UNKNOWN_MS && (ms == UNKNOWN_MS || ms < end || ms >= limit))
			continue;
		for (size_t k = 0; k < n; k++) {
			if (!strcmp(v[k].name, name))
				x = &v[k];
		}
		if (!x) {
			x = PUSH(v, n);
			x->name = xstrdup(name);
			x->basis = "events";
			x->seconds = -1;
		}
		x->runs_after += end != UNKNOWN_MS;
		x->failed_after += end != UNKNOWN_MS && e->failed;
		if (x->nlast == EVIDENCE_RUNS) {
			memmove(x->last, x->last + 1, (EVIDENCE_RUNS - 1) * sizeof(x->last[0]));
			x->nlast--;
		}
		event_ref(c, &x->last[x->nlast++], e);
		if (end == UNKNOWN_MS || verdict_rank(verdict) > verdict_rank(x->verdict)) {
			x->verdict = verdict;
			event_ref(c, &x->at, e);
		}
		if (!e->failed && end != UNKNOWN_MS && !x->resumed_time && ms != UNKNOWN_MS) {
			x->resumed_time = xstrdup0(e->time);
			x->seconds = (ms - end) / 1000;
		}
	}
	for (size_t k = 0; k < n; k++) {
		struct cverdict *x = &v[k];

		bool staging = !strcmp(x->verdict, "resumed") && setting_true(&c->staging);

		/* A cycle of a staging server imports and synchronizes only. */
		if (staging)
			x->verdict = "resumed-staging";
		if (end == UNKNOWN_MS)
			x->note = xasprintf("no upgrade attempt and no run history in the case: the verdict is about "
					    "the latest event (%s)%s",
					    x->at.time ? x->at.time : "time unknown",
					    staging ? "; the server is in staging mode, which holds every export" : "");
		else if (staging)
			x->note = xasprintf("a synchronization cycle finished (Directory Synchronization 904) %s "
					    "after the upgrade ended (%s); the server is in staging mode "
					    "(Microsoft.Synchronize.StagingMode True), which holds every export by design",
					    duration(x->seconds, d), when(end, w));
		else if (!strcmp(x->verdict, "resumed"))
			x->note = xasprintf("a synchronization cycle finished (Directory Synchronization 904) %s "
					    "after the upgrade ended (%s)",
					    duration(x->seconds, d), when(end, w));
		else
			x->note = xasprintf("the event log shows %s after the upgrade ended (%s): %lld event%s",
					    !strcmp(x->verdict, "not-resumed") ? "a failed run (ADSync 6050)"
									  : "runs with errors",
					    when(end, w), (long long)x->failed_after, x->failed_after == 1 ? "" : "s");
		if (strcmp(x->verdict, "resumed") != 0 && !staging) {
			free(x->resumed_time);
			x->resumed_time = NULL;
			x->seconds = -1;
		}
	}
	*out = v;
	return n;
}

/* The sync service could not open its database after the upgrade ended
 * (ADSync 2005/6226): connectors whose run history stops before the end
 * (unknown) did not resume, nor, without any other evidence, the
 * service. */
static size_t
service_failures(struct ctx *c, int64_t end, int64_t limit, struct cverdict **out, size_t n)
{
	const struct svcfail *first = NULL;
	struct ref refs[EVIDENCE_RUNS];
	size_t nrefs = 0, count = 0;
	char w1[40], w2[40];

	for (size_t i = 0; end != UNKNOWN_MS && i < c->nsvc; i++) {
		const struct svcfail *f = &c->svc[i];

		if (f->ms == UNKNOWN_MS || f->ms < end || f->ms >= limit)
			continue;
		first = !first || f->ms < first->ms ? f : first;
		count++;
		if (nrefs == EVIDENCE_RUNS) {
			memmove(refs, refs + 1, (EVIDENCE_RUNS - 1) * sizeof(refs[0]));
			nrefs--;
		}
		refs[nrefs++] = (struct ref){ f->source_id, f->event_id, f->line, f->time };
	}
	if (!first)
		return n;
	if (!n) {
		*out = xrealloc(*out, sizeof(**out));
		memset(*out, 0, sizeof(**out));
		(*out)[0].name = xstrdup("(sync service)");
		(*out)[0].verdict = "unknown";
		(*out)[0].seconds = -1;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct cverdict *v = &(*out)[i];

		if (strcmp(v->verdict, "unknown") != 0)
			continue;
		v->verdict = "not-resumed";
		v->basis = "events";
		v->at = refs[0];
		memcpy(v->last, refs, nrefs * sizeof(refs[0]));
		v->nlast = nrefs;
		free(v->note);
		v->note = xasprintf("the sync service could not open its database after the upgrade ended (%s): "
				    "ADSync %lld at %s, %zu such event%s, and no run after the end is in the case",
				    when(end, w1), (long long)first->id, when(first->ms, w2), count,
				    count == 1 ? "" : "s");
	}
	return n;
}

size_t
verdicts(struct ctx *c, int64_t end, int64_t limit, struct cverdict **out)
{
	size_t n = c->nruns ? verdicts_from_runs(c, end, limit, out) : verdicts_from_events(c, end, limit, out);

	return service_failures(c, end, limit, out, n);
}

void
verdicts_free(struct cverdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].resumed_time);
		free(v[i].note);
	}
	free(v);
}

const char *
worst_verdict(const struct cverdict *v, size_t n)
{
	const char *worst = "unknown";
	int rank = 0;

	for (size_t i = 0; i < n; i++) {
		if (verdict_rank(v[i].verdict) > rank) {
			rank = verdict_rank(v[i].verdict);
			worst = v[i].verdict;
		}
	}
	return worst;
}

/* Synchronization paused: from the last run that started before the
 * upgrade started (any connector) to the end (else start) of the first
 * successful run after it ended. */
void
pause_of(struct ctx *c, struct attempt *t)
{
	const struct runrec *before = NULL, *after = NULL;
	int64_t end = end_of(t), p1, p2;

	t->pause_seconds = -1;
	if (t->start_ms == UNKNOWN_MS)
		return;
	for (size_t i = 0; i < c->nruns; i++) {
		const struct runrec *r = &c->runs[i];

		if (r->start_ms == UNKNOWN_MS)
			continue;
		if (r->start_ms < t->start_ms && (!before || r->start_ms >= before->start_ms))
			before = r;
		if (r->start_ms >= end && r->rclass == RC_OK && (!after || r->start_ms < after->start_ms))
			after = r;
	}
	p1 = before ? before->start_ms : UNKNOWN_MS;
	p2 = after ? after->done_ms : UNKNOWN_MS;
	t->pause_start = iso_dup(p1);
	t->pause_end = iso_dup(p2);
	if (p1 != UNKNOWN_MS && p2 != UNKNOWN_MS)
		t->pause_seconds = (p2 - p1) / 1000;
}

/* Phase 4: after the end, the versions read equal the target and
 * synchronization resumed. */
void
phase_verify(struct ctx *c, size_t i, const struct cverdict *v, size_t nv)
{
	struct attempt *t = &c->at[i];
	struct phase *p = &t->ph[PHASE_VERIFY];
	const struct reading *ok = NULL, *bad = NULL;
	const char *sync = worst_verdict(v, nv);
	const struct cverdict *stuck = NULL;
	char *detail;

	for (size_t k = 0; k < nv; k++) {
		if (!resumed_fully(v[k].verdict) && strcmp(v[k].verdict, "unknown") != 0 && !stuck)
			stuck = &v[k];
	}
	for (size_t k = 0; k < c->nrd; k++) {
		const struct reading *r = &c->rd[k];

		if (!reading_after(c, r, i))
			continue;
		if (t->to && version_cmp(r->value, t->to) == 0)
			ok = ok ? ok : r;
		else if (t->to && !bad)
			bad = r;
	}
	if (stuck) {
		phase_set(p, "failed", stuck->at.time, NULL, 0,
			  xasprintf(!strcmp(stuck->verdict, "resumed-without-export")
					    ? "imports and synchronizations resumed on %s after the upgrade, but no export "
					      "succeeded"
					    : "synchronization did not resume on %s after the upgrade",
				    stuck->name));
	} else if (bad) {
		phase_set(p, "failed", bad->time, bad->path, bad->line,
			  xasprintf("%s shows %s after the upgrade, not %s (%s:%lld)", reading_names[bad->kind],
				    bad->value, t->to, path_base(bad->path), (long long)bad->line));
	} else if (ok && resumed_fully(sync)) {
		phase_set(p, "done", ok->time, ok->path, ok->line,
			  xasprintf("%s shows %s after the upgrade and synchronization %s", reading_names[ok->kind],
				    ok->value,
				    !strcmp(sync, "resumed")	     ? "resumed"
				    : !strcmp(sync, "resumed-staging") ? "resumed (imports and synchronizations; "
									 "staging mode holds the exports)"
									 : "resumed, with errors"));
	} else {
		if (ok)
			detail = xasprintf("%s shows %s after the upgrade, but nothing in the case shows whether "
					   "synchronization resumed",
					   reading_names[ok->kind], ok->value);
		else
			detail = xasprintf("no Help > About, Get-ADSyncGlobalSettings or later wizard reading from "
					   "after the upgrade is in the case%s",
					   !strcmp(sync, "unknown") ? ""
					   : !strcmp(sync, "resumed") ? "; synchronization resumed"
					   : !strcmp(sync, "resumed-staging")
						   ? "; synchronization resumed (staging mode holds the exports)"
						   : "; synchronization resumed with errors");
		phase_set(p, "unknown", ok ? ok->time : NULL, ok ? ok->path : NULL, ok ? ok->line : 0, detail);
	}
}

/* ---- storing ------------------------------------------------------------- */

int
store_verdicts(struct ctx *c)
{
	for (size_t i = 0; i < c->ncv; i++) {
		const struct cverdict *v = &c->cv[i];
		struct store_sync y = { 0 };

		y.connector = v->name;
		y.verdict = v->verdict;
		y.basis = v->basis;
		y.import_time = v->import_time;
		y.sync_time = v->sync_time;
		y.export_time = v->export_time;
		y.resumed_time = v->resumed_time;
		y.note = v->note;
		y.seconds_to_resume = v->seconds;
		y.runs_after = v->runs_after;
		y.failed_after = v->failed_after;
		y.source_id = v->at.source_id;
		y.line = v->at.line;
		if (store_add_sync(c->s, &y) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}
