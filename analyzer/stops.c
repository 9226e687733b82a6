/* SPDX-License-Identifier: MIT */
/* stops.c - the error that stopped each wizard run and each install, and
 * the errors a run logged and survived. The rules are in docs/ANALYSIS.md
 * ("The error that stopped the run"):
 *
 * - An install (a Windows Installer logging session that failed) is
 *   stopped by its first action that returned 3; the failure covers that
 *   action's lines to the end of the session (the rollback, "Note: 1:
 *   1708", "Installation failed", the status lines of server and client).
 * - A wizard run is stopped by the first error record of its last burst of
 *   errors before its failure marker ("result of installation operations -
 *   Failed", the move to the "Configuration failed" page); without a
 *   marker, by the first record of its last burst when the run did not
 *   succeed. A burst is error records on one thread, each within
 *   BURST_GAP_MS of the one before, with no page transition between them.
 *   Everything the run logged from that record on belongs to the failure.
 *   A run whose success marker comes after a failure survived it.
 * - Every other error record of a trace or an install log was logged and
 *   survived: the run went on.
 *
 * stops_find() runs before the signature scan (which hands error records
 * inside a failure to it as context instead of listing them unexplained);
 * stops_classify() runs after the checks: it decides which findings
 * explain each stop, adds a finding for a wizard run whose stop no finding
 * explains, attaches the context, and marks every finding's role and
 * basis for the ranking. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"
#include "analyzer/signature.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define BURST_GAP_MS 10000
#define BURST_MAX 32
#define CONTEXT_MAX 40		/* context records attached to one finding */
#define STOP_TEXT_MAX 300


/* ---- finding the stops ---------------------------------------------------- */

static bool
is_error(const char *level)
{
	return level && (!strcmp(level, "error") || !strcmp(level, "critical"));
}

/* Milliseconds of a record's time: UTC when placed, else its time of day. */
static int64_t
rec_ms(const struct store_event_row *r)
{
	if (r->time)
		return iso_to_ms(r->time);
	if (r->time_local && strlen(r->time_local) >= 8) {
		int h = read_digits(r->time_local, 2), m = read_digits(r->time_local + 3, 2),
		    s = read_digits(r->time_local + 6, 2), f = 0;

		if (h < 0 || m < 0 || s < 0)
			return INT64_MIN;
		if (r->time_local[8] == '.' && read_digits(r->time_local + 9, 3) >= 0)
			f = read_digits(r->time_local + 9, 3);
		return ((int64_t)h * 3600 + m * 60 + s) * 1000 + f;
	}
	return INT64_MIN;
}

struct brec {
	int64_t id, line, ms;
	char *text, *time;
};

struct burst {
	struct brec r[BURST_MAX];
	size_t n;
	char thread[32];
	int64_t last_ms;
	int64_t total;			/* records in the burst, kept or not */
};

static void
burst_clear(struct burst *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->r[i].text);
		free(b->r[i].time);
	}
	memset(b, 0, sizeof(*b));
}

static void
burst_copy(struct burst *to, const struct burst *from)
{
	burst_clear(to);
	*to = *from;
	for (size_t i = 0; i < from->n; i++) {
		to->r[i].text = xstrdup0(from->r[i].text);
		to->r[i].time = xstrdup0(from->r[i].time);
	}
}

static char *
first_line(const char *m)
{
	size_t n = strcspn(m ? m : "", "\r\n");

	if (n > STOP_TEXT_MAX)
		for (n = STOP_TEXT_MAX; n > 0 && ((unsigned char)m[n] & 0xC0) == 0x80; n--)
			;
	return xstrndup(m ? m : "", n);
}

struct trace_scan {
	struct burst cur, stop;
	bool have_stop;			/* a failure marker froze `stop` */
	bool succeeded;			/* a success marker came after the last failure */
	int64_t marker_line, marker_id;
	char *marker_text, *marker_time;
	int64_t last_line;
};

static void
burst_add(struct burst *b, const struct store_event_row *r)
{
	int64_t ms = rec_ms(r);
	const char *th = r->thread ? r->thread : "";

	if (b->total && (strcmp(b->thread, th) != 0 || ms == INT64_MIN || b->last_ms == INT64_MIN ||
			 ms - b->last_ms > BURST_GAP_MS || ms < b->last_ms))
		burst_clear(b);
	if (!b->total)
		snprintf(b->thread, sizeof(b->thread), "%s", th);
	if (b->n < BURST_MAX) {
		struct brec *x = &b->r[b->n++];

		x->id = r->id;
		x->line = r->line;
		x->ms = ms;
		x->text = first_line(r->message);
		x->time = xstrdup0(r->time);
	}
	b->total++;
	b->last_ms = ms;
}

static int
on_trace_rec(void *ctx, const struct store_event_row *r)
{
	struct trace_scan *ts = ctx;
	const char *m = r->message ? r->message : "";
	bool failed = false, ok = false, transition = first_line_has(m, "Page transition from ");

	ts->last_line = r->line;
	if (first_line_has(m, "result of installation operations - ")) {
		const char *res = strstr(m, "result of installation operations - ") +
				  strlen("result of installation operations - ");

		if (strncasecmp(res, "Success", 7) == 0)
			ok = true;
		else
			failed = true;
	} else if (transition) {
		if (first_line_has(m, "[ErrorPageViewModel]") || first_line_has(m, "to \"Configuration failed\""))
			failed = true;
		else if (first_line_has(m, "[ConfigurationCompletePageViewModel]") ||
			 first_line_has(m, "to \"Configuration complete\""))
			ok = true;
	}
	if (is_error(r->level))
		burst_add(&ts->cur, r);
	if (failed && !ts->have_stop) {
		/* the first marker of this failure freezes its burst */
		ts->have_stop = true;
		ts->succeeded = false;
		burst_copy(&ts->stop, &ts->cur);
		free(ts->marker_text);
		free(ts->marker_time);
		ts->marker_line = r->line;
		ts->marker_id = r->id;
		ts->marker_text = first_line(m);
		ts->marker_time = xstrdup0(r->time);
	} else if (ok) {
		/* the run got over whatever failed before */
		ts->have_stop = false;
		ts->succeeded = true;
		burst_clear(&ts->stop);
	}
	if (transition && !failed)
		burst_clear(&ts->cur);
	return 0;
}

static void
add_stop(struct analysis *a, const char *kind, int64_t source_id, const char *path, const struct brec *rec,
	 int64_t from_line, int64_t to_line, const char *text, const char *time)
{
	struct an_stop *st;

	a->stops = xrealloc(a->stops, (a->nstops + 1) * sizeof(*a->stops));
	st = &a->stops[a->nstops++];
	memset(st, 0, sizeof(*st));

	st->kind = kind;
	st->source_id = source_id;
	st->path = xstrdup0(path);
	st->event_id = rec ? rec->id : 0;
	st->line = rec ? rec->line : from_line;
	st->from_line = from_line;
	st->to_line = to_line;
	st->text = xstrdup0(rec ? rec->text : text);
	st->time = xstrdup0(rec ? rec->time : time);
	st->install = -1;
	st->cause = -1;
}

struct trace_list {
	struct analysis *a;
	int64_t *ids;
	char **paths;
	size_t n;
};

static int
on_trace_source(void *ctx, const struct store_span_row *r)
{
	struct trace_list *tl = ctx;

	if (r->errors == 0)
		return 0;	/* nothing stopped it on an error */
	tl->ids = xrealloc(tl->ids, (tl->n + 1) * sizeof(*tl->ids));
	tl->paths = xrealloc(tl->paths, (tl->n + 1) * sizeof(*tl->paths));
	tl->ids[tl->n] = r->source_id;
	tl->paths[tl->n++] = xstrdup0(r->path);
	return 0;
}

int
stops_find(struct store *s, struct analysis *a)
{
	struct trace_list tl = { a, NULL, NULL, 0 };
	int rc = STORE_OK;

	/* Installs first: a wizard stop points at the install it ran. */
	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		struct brec rec = { 0 };

		if (!in->path || !in->outcome || strcmp(in->outcome, "failed") != 0 || in->other_product)
			continue;
		rec.line = in->error_line ? in->error_line : in->ca_line ? in->ca_line : in->fail_line;
		rec.text = in->fail_action ? xasprintf("action %s returned 3", in->fail_action)
					   : xstrdup("the install failed");
		rec.time = xstrdup0(in->fail_time);
		add_stop(a, "install", in->source_id, in->path, &rec,
			 in->fail_start_line ? in->fail_start_line : rec.line ? rec.line : in->start_line,
			 in->end_line ? in->end_line : INT64_MAX, NULL, NULL);
		a->stops[a->nstops - 1].event_id = 0;	/* looked up by line */
		a->stops[a->nstops - 1].install = (int64_t)i;
		free(rec.text);
		free(rec.time);
	}
	if (store_spans(s, "trace", on_trace_source, &tl) != STORE_OK)
		rc = STORE_ERROR;
	for (size_t i = 0; rc == STORE_OK && i < tl.n; i++) {
		struct trace_scan ts = { 0 };
		const struct burst *b = NULL;

		if (store_events(s, tl.ids[i], NULL, 0, on_trace_rec, &ts) != STORE_OK) {
			rc = STORE_ERROR;
		} else if (ts.have_stop) {
			b = &ts.stop;
		} else if (!ts.succeeded && ts.cur.n) {
			b = &ts.cur;
		}
		if (b && b->n) {
			add_stop(a, "wizard-run", tl.ids[i], tl.paths[i], &b->r[0], b->r[0].line, INT64_MAX, NULL,
				 NULL);
		} else if (ts.have_stop) {
			struct brec mk = { ts.marker_id, ts.marker_line, INT64_MIN, ts.marker_text, ts.marker_time };

			add_stop(a, "wizard-run", tl.ids[i], tl.paths[i], &mk, ts.marker_line, INT64_MAX, NULL, NULL);
		}
		if (b || ts.have_stop) {
			struct an_stop *st = &a->stops[a->nstops - 1];

			/* the install it ran that failed is the cause */
			for (size_t k = 0; k + 1 < a->nstops; k++) {
				const struct an_stop *x = &a->stops[k];

				if (x->install >= 0 && a->installs[x->install].trace_source == tl.ids[i]) {
					st->cause = (int64_t)k;
					break;
				}
			}
		}
		burst_clear(&ts.cur);
		burst_clear(&ts.stop);
		free(ts.marker_text);
		free(ts.marker_time);
		free(tl.paths[i]);
	}
	for (size_t i = rc == STORE_OK ? tl.n : 0; i < tl.n; i++)
		free(tl.paths[i]);
	free(tl.ids);
	free(tl.paths);
	return rc;
}

/* The stop whose failure holds this line of this source, or -1. */
long
stops_at(const struct analysis *a, int64_t source_id, int64_t line)
{
	for (size_t i = 0; i < a->nstops; i++) {
		const struct an_stop *st = &a->stops[i];

		if (st->source_id == source_id && line >= st->from_line && line <= st->to_line)
			return (long)i;
	}
	return -1;
}

void
stops_note_context(struct analysis *a, long stop, int64_t event_id, int64_t line)
{
	struct an_stop *st = &a->stops[stop];

	if (st->nctx < CONTEXT_MAX) {
		st->ctx = xrealloc(st->ctx, (st->nctx + 1) * sizeof(*st->ctx));
		st->ctx[st->nctx].id = event_id;
		st->ctx[st->nctx].line = line;
	}
	st->nctx++;
}

void
stops_release(struct analysis *a)
{
	for (size_t i = 0; i < a->nstops; i++) {
		free(a->stops[i].path);
		free(a->stops[i].text);
		free(a->stops[i].time);
		free(a->stops[i].ctx);
	}
	free(a->stops);
	a->stops = NULL;
	a->nstops = 0;
}

/* ---- which finding explains which stop ------------------------------------ */

enum basis { B_LOGS = 0, B_PASTED = 1, B_NOTES = 2 };

struct fnd {
	int64_t id;
	char *rule, *confidence, *data, *kind;
	bool explains_msi;		/* its signature names msi-failed among what it explains */
	unsigned long long stops;	/* bit k: explains stop k (first 64) */
	bool survived;			/* evidence on an error a run survived */
	bool other;			/* evidence elsewhere (not a survived error) */
	int basis;			/* strongest basis of its evidence */
	bool any_ev;
	int64_t survived_source, survived_line;
};

struct cls {
	struct store *s;
	struct analysis *a;
	struct fnd *f;
	size_t n;
	struct fnd *cur;
	int64_t level_id;
	bool level_error;
	int rc;
};

static int
on_level(void *ctx, const struct store_event_row *r)
{
	struct cls *c = ctx;

	c->level_error = is_error(r->level);
	return 0;
}

static int
basis_of_format(const char *format)
{
	if (!format)
		return B_LOGS;
	if (!strcmp(format, "paste"))
		return B_PASTED;
	if (!strcmp(format, "text"))
		return B_NOTES;
	return B_LOGS;
}

static bool
run_format(const char *format)
{
	return format && (!strcmp(format, "trace") || !strcmp(format, "msi"));
}

static int
on_cls_evidence(void *ctx, const struct store_evidence_row *r)
{
	struct cls *c = ctx;
	struct fnd *f = c->cur;
	long k = stops_at(c->a, r->source_id, r->line);
	int b = basis_of_format(r->format);

	if (r->note && !strncmp(r->note, "context:", 8))
		return 0;
	if (!f->any_ev || b < f->basis)
		f->basis = b;
	f->any_ev = true;
	if (k >= 0) {
		if (k < 64)
			f->stops |= 1ull << k;
		return 0;
	}
	c->level_error = false;
	if (run_format(r->format) && r->event_id > 0)
		store_event(c->s, r->event_id, on_level, c);
	if (c->level_error) {
		f->survived = true;
		if (!f->survived_line) {
			f->survived_source = r->source_id;
			f->survived_line = r->line;
		}
	} else {
		f->other = true;
	}
	return 0;
}

static int
on_cls_finding(void *ctx, const struct store_finding_row *r)
{
	struct cls *c = ctx;
	struct fnd *f;
	cJSON *d = r->data ? cJSON_Parse(r->data) : NULL;
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(d, "explains"), *e;

	c->f = xrealloc(c->f, (c->n + 1) * sizeof(*c->f));
	f = &c->f[c->n++];
	memset(f, 0, sizeof(*f));
	f->id = r->id;
	f->rule = xstrdup(r->rule);
	f->confidence = xstrdup0(r->confidence);
	f->data = xstrdup0(r->data);
	f->kind = xstrdup0(r->kind);
	cJSON_ArrayForEach(e, ex) {
		if (cJSON_IsString(e) && !strcmp(e->valuestring, "msi-failed"))
			f->explains_msi = true;
	}
	cJSON_Delete(d);
	return 0;
}

static const char *
lower_confidence(const char *c, int basis)
{
	if (basis == B_NOTES)
		return "low";
	if (basis == B_PASTED)
		return !strcmp(c, "high") ? "medium" : "low";
	return c;
}

static const char *const basis_names[] = { "logs", "pasted", "notes" };

/* A finding for a wizard run that stopped on an error no finding
 * explains: the exception is the best the case knows. */
static int64_t
add_run_failed(struct cls *c, const struct an_stop *st)
{
	struct store_finding f = { 0 };
	char title[STOP_TEXT_MAX + 64], summary[STOP_TEXT_MAX + 512];
	const char *p = strrchr(st->path ? st->path : "", '/');
	cJSON *d = cJSON_CreateObject();
	int64_t id;

	snprintf(title, sizeof(title), "The wizard run failed: %s", st->text && *st->text ? st->text : "(no text)");
	snprintf(summary, sizeof(summary),
		 "%s line %lld is the error that stopped the wizard run; no signature of the catalogue names "
		 "its cause",
		 p ? p + 1 : st->path ? st->path : "the trace", (long long)st->line);
	cJSON_AddArrayToObject(d, "references");
	cJSON_AddArrayToObject(d, "explains");
	f.rule = "wizard-run-failed";
	f.title = title;
	f.severity = "error";
	f.confidence = "medium";
	f.summary = summary;
	f.remediation = "Read the trace from this line: the exception text (and its inner exceptions) "
			"names what failed. Fix that, then run the wizard again; the wizard keeps its "
			"trace in %ProgramData%\\AADConnect. If the text is not enough, collect the "
			"Application event log of the same minutes (ADSync, MSIInstaller and .NET Runtime "
			"sources).";
	f.time = st->time;
	f.kind = "check";
	f.data = NULL;
	{
		char *js = cJSON_PrintUnformatted(d);

		f.data = js;
		id = store_add_finding(c->s, &f);
		free(js);
	}
	cJSON_Delete(d);
	if (id < 0)
		return -1;
	if (store_add_evidence(c->s, id, st->source_id, st->event_id, st->line, "the error that stopped the run") !=
	    STORE_OK)
		return -1;
	return id;
}

int
stops_classify(struct store *s, struct analysis *a)
{
	struct cls c = { s, a, NULL, 0, NULL, 0, false, STORE_OK };
	int64_t *explainer = NULL;

	if (store_findings(s, on_cls_finding, &c) != STORE_OK)
		return STORE_ERROR;
	for (size_t i = 0; i < c.n; i++) {
		c.cur = &c.f[i];
		if (store_evidence(s, c.f[i].id, on_cls_evidence, &c) != STORE_OK) {
			c.rc = STORE_ERROR;
			break;
		}
	}
	explainer = xcalloc(a->nstops + 1, sizeof(*explainer));
	/* Per stop: the best finding with evidence inside the failure, from
	 * the logs before pasted text; an install's finding explains the run
	 * that ran it; else a finding whose signature explains msi-failed. */
	for (size_t k = 0; c.rc == STORE_OK && k < a->nstops && k < 64; k++) {
		struct fnd *best = NULL;

		for (size_t i = 0; i < c.n; i++) {
			struct fnd *f = &c.f[i];

			if ((f->stops & (1ull << k)) && (!best || f->basis < best->basis))
				best = f;
		}
		if (best)
			explainer[k] = best->id;
	}
	for (size_t k = 0; c.rc == STORE_OK && k < a->nstops && k < 64; k++) {
		const struct an_stop *st = &a->stops[k];

		if (!explainer[k] && st->cause >= 0 && explainer[st->cause]) {
			explainer[k] = explainer[st->cause];
			for (size_t i = 0; i < c.n; i++)
				if (c.f[i].id == explainer[k])
					c.f[i].stops |= 1ull << k;
		}
		if (!explainer[k] && (st->install >= 0 || st->cause >= 0)) {
			for (size_t i = 0; i < c.n; i++) {
				if (c.f[i].explains_msi && c.f[i].basis == B_LOGS) {
					explainer[k] = c.f[i].id;
					c.f[i].stops |= 1ull << k;
					break;
				}
			}
		}
		if (!explainer[k] && !strcmp(st->kind, "wizard-run")) {
			int64_t id = add_run_failed(&c, st);

			if (id < 0) {
				c.rc = STORE_ERROR;
				break;
			}
			c.f = xrealloc(c.f, (c.n + 1) * sizeof(*c.f));
			memset(&c.f[c.n], 0, sizeof(c.f[c.n]));
			c.f[c.n].id = id;
			c.f[c.n].rule = xstrdup("wizard-run-failed");
			c.f[c.n].confidence = xstrdup("medium");
			c.f[c.n].kind = xstrdup("check");
			c.f[c.n].stops = 1ull << k;
			c.f[c.n].any_ev = true;
			c.n++;
			explainer[k] = id;
		}
		/* the records of the failure no signature matched */
		for (size_t j = 0; explainer[k] && j < st->nctx && j < CONTEXT_MAX; j++)
			if (store_add_evidence(s, explainer[k], st->source_id, st->ctx[j].id, st->ctx[j].line,
					       "context: part of the same failure") != STORE_OK)
				c.rc = STORE_ERROR;
	}
	/* Each finding's role and basis, for the ranking and the reports. */
	for (size_t i = 0; c.rc == STORE_OK && i < c.n; i++) {
		struct fnd *f = &c.f[i];
		cJSON *d = f->data ? cJSON_Parse(f->data) : NULL;
		char *js;
		int basis = f->any_ev ? f->basis : B_LOGS;

		if (!d)
			d = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(d, "stop");
		cJSON_DeleteItemFromObjectCaseSensitive(d, "basis");
		cJSON_AddStringToObject(d, "basis", basis_names[basis]);
		if (f->stops) {
			cJSON *o = cJSON_AddObjectToObject(d, "stop");
			size_t k = 0;

			while (!(f->stops & (1ull << k)))
				k++;
			cJSON_AddStringToObject(o, "role", "stopped");
			cJSON_AddStringToObject(o, "run", a->stops[k].kind);
			cJSON_AddStringToObject(o, "path", a->stops[k].path ? a->stops[k].path : "");
			cJSON_AddNumberToObject(o, "line", (double)a->stops[k].line);
		} else if (f->survived && !f->other && basis == B_LOGS) {
			cJSON *o = cJSON_AddObjectToObject(d, "stop");

			cJSON_AddStringToObject(o, "role", "survived");
			cJSON_AddNumberToObject(o, "line", (double)f->survived_line);
		}
		js = cJSON_PrintUnformatted(d);
		cJSON_Delete(d);
		if (store_update_finding(s, f->id, f->confidence ? lower_confidence(f->confidence, basis) : NULL,
					 js) != STORE_OK)
			c.rc = STORE_ERROR;
		free(js);
	}
	for (size_t i = 0; i < c.n; i++) {
		free(c.f[i].rule);
		free(c.f[i].confidence);
		free(c.f[i].data);
		free(c.f[i].kind);
	}
	free(c.f);
	free(explainer);
	return c.rc;
}
