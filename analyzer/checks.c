/* SPDX-License-Identifier: MIT */
/* checks.c - what a pattern cannot decide: the upgrade attempts and their
 * four phases (the seed article's baseline, backup, upgrade, verify), the
 * version arithmetic, whether synchronization resumed, and the evidence a
 * case lacks to answer those questions.
 *
 * Inputs: the trace spans and facts, the Windows Installer installs and
 * auto-upgrade results (installs.c), the run history, and what the
 * signature scan handed over (a->runevents, a->explained). Everything is
 * read again from the store here: analyzer_run and analysis_load do not
 * load the same things.
 *
 * Times are UTC milliseconds; INT64_MIN is "unknown". */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analyzer/analyzer.h"
#include "analyzer/signature.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

const char *const phase_names[PHASES] = { "baseline", "backup", "upgrade", "verify" };

#define UNKNOWN_MS INT64_MIN
#define NO_LIMIT INT64_MAX
/* Auto-upgrade results of one source this close together are one attempt. */
#define AUTO_GROUP_MS (INT64_C(3600) * 1000)
/* Runs shown as evidence that a connector did not resume. */
#define EVIDENCE_RUNS 3

#define LEARN "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/"

/* version_cmp() is defined with the signature engine (analyzer/signature.c)
 * so that the build-time signature check links without the store: dotted
 * parts compared as numbers, a part ends at its first non-digit
 * ("1.0.0.0-1446499270" == "1.0.0.0"), missing parts are 0. The checks
 * never pass it NULL. */

/* ---- what the checks read ------------------------------------------------ */

struct source_info {
	int64_t id;
	char *path, *name, *format;
};

/* One wizard trace and what its lines say about the run. */
struct wizrun {
	int64_t source_id;
	char *path;
	int64_t start_ms, end_ms;	/* span */
	int64_t errors;
	char *engine;			/* engine.installed_version (first) */
	int64_t engine_line;
	char *wizard;			/* wizard.version */
	char *from, *to;		/* upgrade.from/upgrade.to of the sync engine */
	int64_t decision_line;		/* "... is installed, needs to be upgraded to ..." */
	/* markers read from the trace's records */
	int result;			/* 1 completed, -1 failed, 0 neither */
	int64_t result_line;
	char *result_time;
	bool moved;			/* a page transition: past detection */
	char *last_page;		/* page the last transition went to */
	bool closed;			/* "Wizard closed by the user" */
	int64_t first_error_line;	/* first ERROR record, 0 if none */
	int64_t last_line;
};

enum reading_kind { R_GUI = 0, R_SCV = 1, R_TRACE = 2 };

static const char *const reading_names[] = {
	"Help > About", "ServerConfigurationVersion", "the wizard's detection of the installed engine",
};

/* A version reading: Help > About, Get-ADSyncGlobalSettings, a trace. */
struct reading {
	enum reading_kind kind;
	char *value, *path, *time;
	int64_t ms, source_id, event_id, line;
	bool before_hint;		/* untimed, but its file name says "before" */
};

/* A configuration export and when it was written. */
struct cexport {
	char *path, *time, *version;
	int64_t ms, source_id, event_id, line;
};

enum { K_IMPORT = 1 << RUN_IMPORT, K_SYNC = 1 << RUN_SYNC, K_EXPORT = 1 << RUN_EXPORT };
enum { RC_OK = 0, RC_ERRORS = 1, RC_FAILED = 2 };

struct runrec {
	char *connector, *profile, *result, *start, *end, *path;
	int64_t start_ms, end_ms, done_ms, source_id, line;
	unsigned kinds;
	int rclass;
};

/* ADSync 2005/6226: the sync service could not open its database
 * (0x8023044a, "Login timeout expired"): it cannot run. */
struct svcfail {
	char *time;
	int64_t ms, source_id, event_id, line, id;
};

struct phase {
	const char *state;
	char *time, *path, *detail;
	int64_t line;
};

struct attempt {
	char *from, *to;
	const char *outcome;		/* succeeded, failed, aborted, unknown */
	char *started, *ended;
	int64_t start_ms, end_ms;
	int64_t source_id, line;
	const char *path;
	struct wizrun *w;
	const struct an_install *in;	/* the sync engine's install */
	const struct an_install *failed_in;	/* any install of the run that failed */
	const struct an_autoupgrade *au;
	struct phase ph[PHASES];
	char *pause_start, *pause_end;
	int64_t pause_seconds;
	size_t order;			/* for a stable sort */
};

/* A piece of evidence: a line of a source (event_id 0: looked up). */
struct ref {
	int64_t source_id, event_id, line;
	const char *time;
};

/* The sync verdict of one connector. */
struct cverdict {
	char *name;
	const char *verdict, *basis;
	const char *import_time, *sync_time, *export_time;
	char *resumed_time;
	int64_t seconds, runs_after, failed_after;
	char *note;
	struct ref at;			/* the record that decided */
	struct ref last[EVIDENCE_RUNS];	/* the connector's last records (after the end) */
	size_t nlast;
};

struct ctx {
	struct store *s;
	struct analysis *a;
	struct source_info *src;
	size_t nsrc;
	struct wizrun *w;
	size_t nw;
	struct reading *rd;
	size_t nrd;
	struct cexport *ex;
	size_t nex;
	struct runrec *runs;
	size_t nruns;
	int64_t runs_last_ms;		/* latest time the run history reaches */
	struct attempt *at;
	size_t nat;
	struct cverdict *cv;		/* after the last attempt (or the last cycle) */
	size_t ncv;
	struct svcfail *svc;		/* in time order per source */
	size_t nsvc;
	bool has_trace, has_events;
	char *os_version;		/* the latest os.version */
	int64_t backup_finding;
	int64_t ev_finding;		/* the finding evidence was last added to */
	struct ref ev_seen[64];		/* and the lines it got */
	size_t nev_seen;
	int rc;
};

/* Room for element n of an array grown to powers of two. */
static void *
grow(void *p, size_t n, size_t size)
{
	return (n & (n - 1)) == 0 ? xrealloc(p, (n ? n * 2 : 1) * size) : p;
}

/* Append a zeroed element to arr (n elements) and return it. */
#define PUSH(arr, n)                                                                     \
	((arr) = grow((arr), (n), sizeof(*(arr))), memset(&(arr)[(n)], 0, sizeof(*(arr))), \
	 &(arr)[(n)++])

static int64_t
ms_of(const char *iso)
{
	return iso ? iso_to_ms(iso) : UNKNOWN_MS;
}

static const char *
base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; p && *p; p++) {
		if (*p == '\\' || *p == '/')
			b = p + 1;
	}
	return b;
}

/* "2026-05-12 06:03:34 UTC" for notes; "(time unknown)" without one. */
static const char *
when(int64_t ms, char out[40])
{
	char iso[32];

	if (ms == UNKNOWN_MS)
		return "(time unknown)";
	ms_to_iso(ms, iso);
	snprintf(out, 40, "%.10s %.8s UTC", iso, iso + 11);
	return out;
}

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

static char *
iso_dup(int64_t ms)
{
	char iso[32];

	if (ms == UNKNOWN_MS)
		return NULL;
	ms_to_iso(ms, iso);
	return xstrdup(iso);
}

/* Is needle on the first line of msg? */
static bool
first_line_has(const char *msg, const char *needle)
{
	const char *p = msg ? strstr(msg, needle) : NULL, *nl;

	if (!p)
		return false;
	nl = strchr(msg, '\n');
	return !nl || p < nl;
}

/* ---- loading ------------------------------------------------------------- */

static int
on_source(void *ctx, const struct store_source_row *r)
{
	struct ctx *c = ctx;
	struct source_info *si;

	if (!r->status || strcmp(r->status, "parsed") != 0)
		return 0;
	si = PUSH(c->src, c->nsrc);
	si->id = r->id;
	si->path = xstrdup0(r->path);
	si->name = xstrdup0(r->name ? r->name : base_name(r->path));
	si->format = xstrdup0(r->format);
	if (r->format && strcmp(r->format, "trace") == 0)
		c->has_trace = true;
	c->has_events |= sig_kind_of_format(r->format) == SK_EVENT;
	return 0;
}

static const struct source_info *
source_by_id(const struct ctx *c, int64_t id)
{
	for (size_t i = 0; i < c->nsrc; i++) {
		if (c->src[i].id == id)
			return &c->src[i];
	}
	return NULL;
}

static int64_t
source_id_of(const struct ctx *c, const char *path)
{
	for (size_t i = 0; path && i < c->nsrc; i++) {
		if (c->src[i].path && strcmp(c->src[i].path, path) == 0)
			return c->src[i].id;
	}
	return 0;
}

/* The auto-upgrader's own log may be written in the trace grammar; it is
 * not a wizard run. */
static bool
is_autoupgrader(const struct source_info *si)
{
	return si && si->name && sv_istarts(sv_cstr(si->name), "SyncEngine-AutoUpgrader");
}

static int
on_span(void *ctx, const struct store_span_row *r)
{
	struct ctx *c = ctx;
	struct wizrun *w;

	if (is_autoupgrader(source_by_id(c, r->source_id)))
		return 0;
	w = PUSH(c->w, c->nw);
	w->source_id = r->source_id;
	w->path = xstrdup0(r->path);
	w->start_ms = ms_of(r->first_time);
	w->end_ms = ms_of(r->last_time);
	w->errors = r->errors;
	return 0;
}

static struct wizrun *
wizrun_of(const struct ctx *c, int64_t source_id)
{
	for (size_t i = 0; i < c->nw; i++) {
		if (c->w[i].source_id == source_id)
			return &c->w[i];
	}
	return NULL;
}

/* The "before" in "about-before-upgrade.txt": an untimed reading the user
 * marked as taken before the upgrade. */
static bool
name_says_before(const char *path)
{
	struct sv n = sv_cstr(base_name(path));

	return sv_ifind(n, "before") >= 0 || sv_ifind(n, "pre-upgrade") >= 0 ||
	       sv_ifind(n, "preupgrade") >= 0 || sv_ifind(n, "pre_upgrade") >= 0 ||
	       sv_ifind(n, "baseline") >= 0;
}

static void
add_reading(struct ctx *c, enum reading_kind kind, const struct store_fact_row *r)
{
	struct reading *rd = PUSH(c->rd, c->nrd);

	rd->kind = kind;
	rd->value = xstrdup0(r->value);
	rd->path = xstrdup0(r->path);
	rd->time = xstrdup0(r->time);
	rd->ms = ms_of(r->time);
	rd->source_id = r->source_id;
	rd->event_id = r->event_id;
	rd->line = r->line;
	rd->before_hint = rd->ms == UNKNOWN_MS && name_says_before(r->path);
}

static struct cexport *
export_of(struct ctx *c, int64_t source_id)
{
	for (size_t i = 0; i < c->nex; i++) {
		if (c->ex[i].source_id == source_id)
			return &c->ex[i];
	}
	return NULL;
}

/* The sync engine's entry of upgrade.from/upgrade.to (the key is the
 * wizard's component label, "Azure AD Sync Engine"). */
static bool
engine_component(const char *key)
{
	struct sv k = sv_cstr(key);

	return key && (sv_ifind(k, "sync engine") >= 0 || sv_ifind(k, "synchronization service") >= 0);
}

static int
on_fact(void *ctx, const struct store_fact_row *r)
{
	struct ctx *c = ctx;
	struct wizrun *w = wizrun_of(c, r->source_id);

	if (!r->name || !r->value)
		return 0;
	if (strcmp(r->name, "gui.version") == 0) {
		add_reading(c, R_GUI, r);
	} else if (strcmp(r->name, "settings.server_configuration_version") == 0) {
		add_reading(c, R_SCV, r);
	} else if (strcmp(r->name, "config.export_time") == 0 ||
		   strcmp(r->name, "config.exported_from_version") == 0) {
		struct cexport *x = export_of(c, r->source_id);

		if (!x) {
			x = PUSH(c->ex, c->nex);
			x->source_id = r->source_id;
			x->path = xstrdup0(r->path);
			x->ms = UNKNOWN_MS;
		}
		if (strcmp(r->name, "config.export_time") == 0 && !x->time) {
			x->time = xstrdup(r->value);
			x->ms = ms_of(r->value);
			x->event_id = r->event_id;
			x->line = r->line;
		} else if (strcmp(r->name, "config.exported_from_version") == 0 && !x->version) {
			x->version = xstrdup(r->value);
		}
	} else if (strcmp(r->name, "os.version") == 0) {
		free(c->os_version);
		c->os_version = xstrdup(r->value);
	} else if (w && strcmp(r->name, "engine.installed_version") == 0) {
		if (!w->engine) {
			w->engine = xstrdup(r->value);
			w->engine_line = r->line;
			add_reading(c, R_TRACE, r);
		}
	} else if (w && strcmp(r->name, "wizard.version") == 0) {
		if (!w->wizard)
			w->wizard = xstrdup(r->value);
	} else if (w && strcmp(r->name, "upgrade.from") == 0 && engine_component(r->key)) {
		if (!w->from) {
			w->from = xstrdup(r->value);
			w->decision_line = r->line;
		}
	} else if (w && strcmp(r->name, "upgrade.to") == 0 && engine_component(r->key)) {
		if (!w->to)
			w->to = xstrdup(r->value);
	}
	return 0;
}

/* What the wizard's own lines say about how the run ended:
 * "PerformConfigurationPageViewModel.PerformWorkflowInstallationAndUpdateState:
 * result of installation operations - Success" (or "- Failed"), the page
 * transitions to "Configuration complete" or "Configuration failed"
 * [ErrorPageViewModel], "Wizard closed by the user", and whether the run
 * left the Welcome page at all. */
static int
on_trace_record(void *ctx, const struct store_event_row *r)
{
	struct wizrun *w = ctx;
	const char *m = r->message ? r->message : "";
	const char *res = strstr(m, "result of installation operations - ");

	w->last_line = r->line;
	if (!w->first_error_line && r->level && (!strcmp(r->level, "error") || !strcmp(r->level, "critical")))
		w->first_error_line = r->line;
	if (res && first_line_has(m, "result of installation operations - ")) {
		res += strlen("result of installation operations - ");
		w->result = strncasecmp(res, "Success", 7) == 0 ? 1 : -1;
		w->result_line = r->line;
		free(w->result_time);
		w->result_time = xstrdup0(r->time);
	} else if (first_line_has(m, "Page transition from ")) {
		/* Page transition from "A" [AViewModel] to "B" [BViewModel] */
		const char *to = strstr(m, " to \"");

		w->moved = true;
		if (to && first_line_has(m, " to \"")) {
			const char *q = strchr(to + 5, '"');

			free(w->last_page);
			w->last_page = q ? xstrndup(to + 5, (size_t)(q - to - 5)) : NULL;
		}
		if (w->result == 0 && (first_line_has(m, "[ConfigurationCompletePageViewModel]") ||
				       first_line_has(m, "to \"Configuration complete\""))) {
			w->result = 1;
			w->result_line = r->line;
			w->result_time = xstrdup0(r->time);
		} else if (w->result == 0 && (first_line_has(m, "[ErrorPageViewModel]") ||
					      first_line_has(m, "to \"Configuration failed\""))) {
			w->result = -1;
			w->result_line = r->line;
			w->result_time = xstrdup0(r->time);
		}
	} else if (first_line_has(m, "Wizard closed by the user")) {
		w->closed = true;
	}
	return 0;
}

/* success, completed-no-objects and completed-*-warnings did their work;
 * completed-*-errors did it with errors; stopped-*, no-start-*, in-progress
 * and unknown results did not. */
static int
rclass_of(const char *cls)
{
	if (run_succeeded(cls))
		return RC_OK;
	if (cls && !strcmp(cls, "completed-errors"))
		return RC_ERRORS;
	return RC_FAILED;
}

static int
on_run(void *ctx, const struct store_run_row *r)
{
	struct ctx *c = ctx;
	struct runrec *x = PUSH(c->runs, c->nruns);

	x->connector = xstrdup(r->connector ? r->connector : "(connector unknown)");
	x->profile = xstrdup0(r->profile);
	x->result = xstrdup0(r->result);
	x->start = xstrdup0(r->start_time);
	x->end = xstrdup0(r->end_time);
	x->path = xstrdup0(r->path);
	x->start_ms = ms_of(r->start_time);
	x->end_ms = ms_of(r->end_time);
	x->done_ms = x->end_ms != UNKNOWN_MS ? x->end_ms : x->start_ms;
	x->source_id = r->source_id;
	x->line = r->line;
	x->kinds = run_kinds(r->step_classes, r->profile);
	x->rclass = rclass_of(r->result_class);
	if (x->done_ms != UNKNOWN_MS && (c->runs_last_ms == UNKNOWN_MS || x->done_ms > c->runs_last_ms))
		c->runs_last_ms = x->done_ms;
	return 0;
}

static int
on_error_event(void *ctx, const struct store_event_row *r)
{
	struct ctx *c = ctx;
	struct svcfail *f;

	if (!r->provider || strcasecmp(r->provider, "ADSync") != 0 || (r->event_id != 2005 && r->event_id != 6226) ||
	    !r->time)
		return 0;
	f = PUSH(c->svc, c->nsvc);
	f->time = xstrdup(r->time);
	f->ms = ms_of(r->time);
	f->source_id = r->source_id;
	f->event_id = r->id;
	f->line = r->line;
	f->id = r->event_id;
	return 0;
}

static int
load(struct ctx *c)
{
	if (store_sources(c->s, on_source, c) != STORE_OK || store_spans(c->s, "trace", on_span, c) != STORE_OK ||
	    store_facts(c->s, NULL, on_fact, c) != STORE_OK || store_runs(c->s, on_run, c) != STORE_OK)
		return STORE_ERROR;
	for (size_t i = 0; i < c->nsrc; i++) {
		if (sig_kind_of_format(c->src[i].format) == SK_EVENT &&
		    store_events(c->s, c->src[i].id, "error", 0, on_error_event, c) != STORE_OK)
			return STORE_ERROR;
	}
	for (size_t i = 0; i < c->nw; i++) {
		struct wizrun *w = &c->w[i];

		/* Without the upgrade line, the installed engine and the wizard's
		 * own version give the upgrade. */
		if (!w->from && w->engine) {
			w->from = xstrdup(w->engine);
			w->decision_line = w->engine_line;
		}
		if (!w->to && w->wizard)
			w->to = xstrdup(w->wizard);
		if (!w->from || !w->to || version_cmp(w->to, w->from) <= 0)
			continue;
		if (store_events(c->s, w->source_id, NULL, 0, on_trace_record, w) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* ---- upgrade attempts ---------------------------------------------------- */

static bool
is_sync_engine(const char *product)
{
	return product && sv_ifind(sv_cstr(product), "synchronization service") >= 0;
}

static bool
install_failed(const struct an_install *in)
{
	return in->outcome && strcmp(in->outcome, "failed") == 0;
}

static const char *
install_outcome(const struct an_install *in)
{
	if (!in->outcome)
		return "unknown";
	if (!strcmp(in->outcome, "succeeded") || !strcmp(in->outcome, "succeeded-restart"))
		return "succeeded";
	if (!strcmp(in->outcome, "failed"))
		return "failed";
	if (!strcmp(in->outcome, "cancelled"))
		return "aborted";
	return "unknown";
}

/* The wizard decides: its result line or page; else a failed install it
 * ran or ERROR records (it stopped on an error: the sign-in failed, an
 * exception); a trace that just stops without either (closed, killed, hung
 * at the sign-in prompt) is aborted. */
static const char *
wizard_outcome(const struct attempt *t)
{
	const struct wizrun *w = t->w;

	if (w->result > 0)
		return "succeeded";
	if (w->result < 0 || t->failed_in || w->errors > 0)
		return "failed";
	return "aborted";
}

/* When the upgrade ended (its start when the end is unknown). */
static int64_t
end_of(const struct attempt *t)
{
	return t->end_ms != UNKNOWN_MS ? t->end_ms : t->start_ms;
}

/* The latest version the case read before ms: the wizard's detection or a
 * reading; NULL if none. */
static const struct reading *
reading_before_ms(const struct ctx *c, int64_t ms)
{
	const struct reading *best = NULL;

	for (size_t i = 0; ms != UNKNOWN_MS && i < c->nrd; i++) {
		const struct reading *r = &c->rd[i];

		if (r->ms != UNKNOWN_MS && r->ms < ms && (!best || r->ms >= best->ms))
			best = r;
	}
	return best;
}

static void
attempt_from_wizard(struct ctx *c, struct wizrun *w)
{
	struct attempt *t = PUSH(c->at, c->nat);

	t->order = c->nat;
	t->w = w;
	t->from = xstrdup(w->from);
	t->to = xstrdup(w->to);
	t->source_id = w->source_id;
	t->path = w->path;
	t->line = w->decision_line;
	t->start_ms = w->start_ms;
	t->end_ms = w->end_ms;
	for (size_t i = 0; i < c->a->ninstalls; i++) {
		const struct an_install *in = &c->a->installs[i];

		if (in->trace_source != w->source_id)
			continue;
		if (!t->in && (is_sync_engine(in->product) || !in->product))
			t->in = in;
		if (!t->failed_in && install_failed(in))
			t->failed_in = in;
	}
	/* A trace without times of its own: the install's. */
	if (t->start_ms == UNKNOWN_MS && t->in) {
		t->start_ms = ms_of(t->in->start ? t->in->start : t->in->fail_time);
		t->end_ms = ms_of(t->in->end ? t->in->end : t->in->fail_time);
	}
	t->outcome = wizard_outcome(t);
}

static void
attempt_from_install(struct ctx *c, const struct an_install *in)
{
	struct attempt *t = PUSH(c->at, c->nat);
	const struct reading *r;

	t->order = c->nat;
	t->in = in;
	t->failed_in = install_failed(in) ? in : NULL;
	t->to = xstrdup0(in->version);
	t->start_ms = ms_of(in->start ? in->start : in->fail_time);
	t->end_ms = ms_of(in->end ? in->end : in->fail_time);
	r = reading_before_ms(c, t->start_ms);
	t->from = xstrdup0(r ? r->value : NULL);
	t->source_id = in->path ? in->source_id : in->trace_source;
	t->path = in->path ? in->path : in->trace_path;
	t->line = in->path ? (in->error_line ? in->error_line : in->fail_line) : in->trace_line;
	t->outcome = install_outcome(in);
}

/* Was a wizard run or an install (attempts [0, n)) going on at ms? */
static bool
busy_at(const struct ctx *c, size_t n, int64_t ms)
{
	for (size_t i = 0; ms != UNKNOWN_MS && i < n; i++) {
		const struct attempt *t = &c->at[i];

		if (t->start_ms != UNKNOWN_MS && ms >= t->start_ms && ms <= end_of(t))
			return true;
	}
	return false;
}

/* The version before an auto-upgrade run: the latest reading before it,
 * else (nothing changed: it failed or was rolled back) a reading collected
 * with the case. */
static const char *
version_before(const struct ctx *c, int64_t ms)
{
	const struct reading *r = reading_before_ms(c, ms);

	for (size_t k = 0; !r && k < c->nrd; k++) {
		if (c->rd[k].ms == UNKNOWN_MS)
			r = &c->rd[k];
	}
	return r ? r->value : c->a->installed.value;
}

/* Auto-upgrade runs that installed something: results of kind failed
 * (UpgradeFailed*, rolled back) or succeeded, from the auto-upgrader's log
 * or events; the log and the event of one run (within an hour) are one
 * attempt, its last result the outcome. Aborted and not-supported results
 * (UpgradeAborted*, UpgradeNotSupported*) are the auto-upgrader declining
 * before it changed anything: no attempt (the auto-upgrade-blocked
 * signature reports them). Skipped while a wizard run or install was going
 * on; codes in a wizard trace are the wizard reading the state. */
static void
attempts_from_autoupgrade(struct ctx *c)
{
	size_t nwiz = c->nat;

	for (size_t i = 0; i < c->a->nautoupgrades; i++) {
		const struct an_autoupgrade *u = &c->a->autoupgrades[i];
		const struct source_info *si = source_by_id(c, u->source_id);
		int64_t ms = ms_of(u->time);
		struct attempt *t = NULL;
		bool ok = !strcmp(u->kind, "succeeded");

		if ((!ok && strcmp(u->kind, "failed") != 0) || !si ||
		    (si->format && !strcmp(si->format, "trace") && !is_autoupgrader(si)) || busy_at(c, nwiz, ms))
			continue;
		for (size_t k = nwiz; k < c->nat; k++) {
			struct attempt *p = &c->at[k];

			if (ms == UNKNOWN_MS ? p->au->source_id == u->source_id
					     : p->start_ms != UNKNOWN_MS && ms >= p->start_ms &&
						       ms - p->start_ms <= AUTO_GROUP_MS)
				t = p;
		}
		if (!t) {
			t = PUSH(c->at, c->nat);
			t->order = c->nat;
			t->start_ms = ms;
			t->from = xstrdup0(version_before(c, ms));
			t->source_id = u->source_id;
			t->path = u->path;
			t->line = u->line;
		}
		t->au = u;
		t->outcome = ok ? "succeeded" : "failed";
		if (ms != UNKNOWN_MS)
			t->end_ms = ms;
	}
}

static int
cmp_attempt(const void *x, const void *y)
{
	const struct attempt *a = x, *b = y;

	if (a->start_ms != b->start_ms) {
		if (a->start_ms == UNKNOWN_MS)
			return 1;
		if (b->start_ms == UNKNOWN_MS)
			return -1;
		return a->start_ms < b->start_ms ? -1 : 1;
	}
	return a->order < b->order ? -1 : a->order > b->order;
}

/* One attempt per wizard run that upgrades (found an installed engine and
 * a newer target, and got past the detection: a run closed on the Welcome
 * page only looked), merged with the installs it ran; one per sync-engine
 * install no trace in the case ran; one per auto-upgrade run. */
static void
build_attempts(struct ctx *c)
{
	for (size_t i = 0; i < c->nw; i++) {
		struct wizrun *w = &c->w[i];
		bool ran_install = false;

		if (!w->from || !w->to || version_cmp(w->to, w->from) <= 0)
			continue;
		for (size_t k = 0; k < c->a->ninstalls; k++)
			ran_install |= c->a->installs[k].trace_source == w->source_id;
		if (w->moved || w->errors > 0 || w->result != 0 || ran_install)
			attempt_from_wizard(c, w);
	}
	for (size_t i = 0; i < c->a->ninstalls; i++) {
		const struct an_install *in = &c->a->installs[i];

		/* A trace in the case decides what its install was (an upgrade
		 * above, or a fresh install or repair: no attempt). */
		if (!is_sync_engine(in->product) || (in->trace_source && wizrun_of(c, in->trace_source)))
			continue;
		attempt_from_install(c, in);
	}
	attempts_from_autoupgrade(c);
	if (c->nat > 1)
		qsort(c->at, c->nat, sizeof(*c->at), cmp_attempt);
	for (size_t i = 0; i < c->nat; i++) {
		c->at[i].started = iso_dup(c->at[i].start_ms);
		c->at[i].ended = iso_dup(c->at[i].end_ms);
	}
}

/* A reading after attempt i: timed between its end and the next attempt's
 * start (not the attempt's own trace); untimed ones were collected with the
 * case, after the last attempt, unless the file name says "before". */
static bool
reading_after(const struct ctx *c, const struct reading *r, size_t i)
{
	const struct attempt *t = &c->at[i];
	int64_t end = end_of(t);
	int64_t next = i + 1 < c->nat ? c->at[i + 1].start_ms : NO_LIMIT;

	if (r->kind == R_TRACE && t->w && r->source_id == t->w->source_id)
		return false;
	if (r->ms == UNKNOWN_MS)
		return !r->before_hint && i + 1 == c->nat && r->kind != R_TRACE;
	if (end == UNKNOWN_MS)
		return false;
	return r->ms >= end && (next == UNKNOWN_MS || r->ms < next);
}

static bool
reading_before(const struct reading *r, const struct attempt *t)
{
	if (r->ms == UNKNOWN_MS)
		return r->before_hint;
	return t->start_ms != UNKNOWN_MS && r->ms < t->start_ms;
}

/* ---- phases -------------------------------------------------------------- */

static void
phase_set(struct phase *p, const char *state, const char *at, const char *path, int64_t line,
	  char *detail)
{
	p->state = state;
	p->time = xstrdup0(at);
	p->path = xstrdup0(path);
	p->line = line;
	p->detail = detail;
}

/* Phase 1: the administrator read the version before (Help > About or
 * Get-ADSyncGlobalSettings). The wizard's own detection is not that
 * baseline, but it names the version that was installed. */
static void
phase_baseline(struct ctx *c, struct attempt *t)
{
	for (size_t i = 0; i < c->nrd; i++) {
		const struct reading *r = &c->rd[i];

		if (r->kind != R_TRACE && reading_before(r, t)) {
			phase_set(&t->ph[PHASE_BASELINE], "done", r->time, r->path, r->line,
				  xasprintf("%s read %s before the upgrade (%s:%lld)", reading_names[r->kind],
					    r->value, base_name(r->path), (long long)r->line));
			return;
		}
	}
	if (t->w && t->w->engine)
		phase_set(&t->ph[PHASE_BASELINE], "unknown", NULL, t->w->path, t->w->engine_line,
			  xasprintf("no Help > About or Get-ADSyncGlobalSettings reading from before the upgrade "
				    "is in the case; the wizard detected the installed sync engine %s (%s:%lld)",
				    t->w->engine, base_name(t->w->path), (long long)t->w->engine_line));
	else
		phase_set(&t->ph[PHASE_BASELINE], "unknown", NULL, NULL, 0,
			  xasprintf("no Help > About or Get-ADSyncGlobalSettings reading from before the upgrade "
				    "is in the case%s%s",
				    t->from ? "; the version installed before was " : "", t->from ? t->from : ""));
}

/* The configuration export written last before ms, or NULL. */
static const struct cexport *
export_before(const struct ctx *c, int64_t ms)
{
	const struct cexport *best = NULL;

	for (size_t i = 0; ms != UNKNOWN_MS && i < c->nex; i++) {
		const struct cexport *x = &c->ex[i];

		if (x->ms != UNKNOWN_MS && x->ms < ms && (!best || x->ms > best->ms))
			best = x;
	}
	return best;
}

/* Phase 2: a configuration export dated before the start. The wizard also
 * writes one during the upgrade; that one is not a backup. */
static void
phase_backup(struct ctx *c, struct attempt *t)
{
	const struct cexport *x = export_before(c, t->start_ms);
	char w[40], iso[32];

	if (x) {
		ms_to_iso(x->ms, iso);
		phase_set(&t->ph[PHASE_BACKUP], "done", iso, x->path, x->line,
			  xasprintf("configuration export written %s%s%s, before the upgrade (%s)", x->time,
				    x->version ? " by " : "", x->version ? x->version : "", base_name(x->path)));
	} else {
		phase_set(&t->ph[PHASE_BACKUP], "not-done", NULL, NULL, 0,
			  xasprintf("no configuration export dated before the upgrade started (%s) is in the case",
				    when(t->start_ms, w)));
	}
}

/* Phase 3: the attempt's outcome with the line that shows it. */
static void
phase_upgrade(struct attempt *t)
{
	const struct an_install *in = t->failed_in ? t->failed_in : t->in;
	struct phase *p = &t->ph[PHASE_UPGRADE];
	const char *state = !strcmp(t->outcome, "succeeded") ? "done"
			    : !strcmp(t->outcome, "unknown") ? "unknown"
							      : "failed";
	char status[64] = "";

	if (in && in->status >= 0)
		snprintf(status, sizeof(status), " (status %lld)", (long long)in->status);
	if (t->w && t->w->result > 0)
		phase_set(p, state, t->w->result_time, t->w->path, t->w->result_line,
			  xasprintf("the wizard completed the upgrade of the sync engine from %s to %s", t->from,
				    t->to));
	else if (t->w && t->w->result < 0)
		phase_set(p, state, t->w->result_time, t->w->path, t->w->result_line,
			  xasprintf("the wizard reported that the upgrade of the sync engine from %s to %s failed%s%s%s%s%s",
				    t->from, t->to, t->failed_in ? ": Windows Installer failed to install " : "",
				    t->failed_in && in->product ? in->product : "", t->failed_in && in->version ? " " : "",
				    t->failed_in && in->version ? in->version : "", t->failed_in ? status : ""));
	else if (t->failed_in)
		phase_set(p, state, in->fail_time, in->path ? in->path : in->trace_path,
			  in->path ? (in->error_line ? in->error_line : in->fail_line) : in->trace_line,
			  xasprintf("Windows Installer failed to install %s%s%s%s",
				    in->product ? in->product : "a package", in->version ? " " : "",
				    in->version ? in->version : "", status));
	else if (t->w && t->w->errors > 0)
		phase_set(p, state, t->ended, t->w->path, t->w->first_error_line,
			  xasprintf("the wizard logged %lld ERROR record%s (the first at line %lld) and ended%s%s%s "
				    "without completing the upgrade%s",
				    (long long)t->w->errors, t->w->errors == 1 ? "" : "s",
				    (long long)t->w->first_error_line, t->w->last_page ? " on page \"" : "",
				    t->w->last_page ? t->w->last_page : "", t->w->last_page ? "\"" : "",
				    t->w->closed ? " (closed by the user)" : ""));
	else if (t->w)
		phase_set(p, state, t->ended, t->w->path, t->w->last_line,
			  xasprintf("the wizard trace ends%s%s%s%s without completing or failing: the wizard was "
				    "closed or stopped before it finished%s",
				    t->w->last_page ? " on page \"" : "", t->w->last_page ? t->w->last_page : "",
				    t->w->last_page ? "\"" : "", t->w->closed ? " (closed by the user)" : "",
				    t->in && !strcmp(install_outcome(t->in), "succeeded")
					    ? "; the sync engine's package itself was installed, its configuration "
					      "was not completed"
					    : ""));
	else if (in)
		phase_set(p, state, in->end ? in->end : in->fail_time, t->path, t->line,
			  xasprintf("Windows Installer: %s %s%s%s", in->product ? in->product : "the sync engine",
				    in->version ? in->version : "", status,
				    !strcmp(t->outcome, "succeeded") ? " installed"
				    : !strcmp(t->outcome, "aborted") ? " cancelled"
								      : ", outcome not in the log"));
	else
		phase_set(p, state, t->ended, t->path, t->line,
			  xasprintf("the auto-upgrade reported %s", t->au && t->au->code ? t->au->code : t->outcome));
}

/* ---- run history --------------------------------------------------------- */

struct connector_scan {
	const char *name;
	const struct runrec *imp, *sync, *exp;		/* first successful after the end */
	const struct runrec *imp_any, *sync_any, *exp_any;	/* first that completed (errors too) */
	const struct runrec *first_err;			/* first completed with errors */
	bool exp_seen;					/* an export ran (whatever its result) */
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
 * first successful import and the first successful export after it ended
 * (a synchronization stands in for the export only when no export ran):
 * resumed when both ran; resumed-with-errors when a run of the connector
 * until the cycle was complete ended with completed-*-errors, or import
 * and export only completed with errors; not-resumed when the history
 * reaches past the end without that; unknown when it stops before. */
static void
verdict_runs(struct ctx *c, struct connector_scan *k, int64_t end, struct cverdict *v)
{
	const struct runrec *out = k->exp_seen ? k->exp : k->sync;
	const struct runrec *out_any = k->exp_seen ? k->exp_any : k->sync_any;
	const char *out_name = k->exp_seen ? "export" : "synchronization";
	char w1[40], w2[40], w3[40], d[48];

	v->basis = "run-history";
	v->runs_after = k->runs_after;
	v->failed_after = k->failed_after;
	v->seconds = -1;
	v->import_time = k->imp ? k->imp->start : k->imp_any ? k->imp_any->start : NULL;
	v->sync_time = k->sync ? k->sync->start : k->sync_any ? k->sync_any->start : NULL;
	v->export_time = k->exp ? k->exp->start : k->exp_any ? k->exp_any->start : NULL;
	for (size_t i = 0; i < k->nlast; i++)
		cv_ref(&v->last[v->nlast++], k->last[i]);
	if ((k->imp || k->imp_any) && (out || out_any)) {
		const struct runrec *in = k->imp ? k->imp : k->imp_any, *o = out ? out : out_any;
		const struct runrec *done = later(in, o);
		const struct runrec *bad = k->first_err && k->first_err->start_ms <= done->done_ms ? k->first_err : NULL;

		v->resumed_time = iso_dup(done->done_ms);
		v->seconds = (done->done_ms - end) / 1000;
		if (!bad) {
			v->verdict = "resumed";
			cv_ref(&v->at, done);
			v->note = xasprintf("first successful import %s and %s %s after the upgrade ended (%s): "
					    "the cycle was complete again %s later",
					    when(in->start_ms, w1), out_name, when(o->start_ms, w2), when(end, w3),
					    duration(v->seconds, d));
		} else {
			v->verdict = "resumed-with-errors";
			cv_ref(&v->at, bad);
			v->note = xasprintf("import and %s ran after the upgrade ended (%s), complete %s later, but "
					    "with errors (%s %s: %s)",
					    out_name, when(end, w1), duration(v->seconds, d),
					    bad->profile ? bad->profile : "run", when(bad->start_ms, w2),
					    bad->result ? bad->result : "?");
		}
	} else if (c->runs_last_ms != UNKNOWN_MS && c->runs_last_ms > end) {
		const struct runrec *last = k->nlast ? k->last[k->nlast - 1] : NULL;

		v->verdict = "not-resumed";
		if (last)
			cv_ref(&v->at, last);
		v->note = xasprintf("the run history reaches %s, past the upgrade's end (%s), but this connector "
				    "has no successful import and export after it: %lld run%s after it, %lld not "
				    "successful%s%s%s%s",
				    when(c->runs_last_ms, w1), when(end, w2), (long long)k->runs_after,
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
verdict_last_cycle(struct connector_scan *k, struct cverdict *v)
{
	const struct runrec *imp = k->latest[0], *out = k->latest[2] ? k->latest[2] : k->latest[1];

	v->basis = "run-history";
	v->seconds = -1;
	v->import_time = imp ? imp->start : NULL;
	v->sync_time = k->latest[1] ? k->latest[1]->start : NULL;
	v->export_time = k->latest[2] ? k->latest[2]->start : NULL;
	if (imp && out && imp->rclass == RC_OK && out->rclass == RC_OK)
		v->verdict = "resumed";
	else if (imp && out && imp->rclass != RC_FAILED && out->rclass != RC_FAILED)
		v->verdict = "resumed-with-errors";
	else
		v->verdict = "not-resumed";
	if (imp || out)
		cv_ref(&v->at, later(imp, out));
	v->note = xasprintf("no upgrade attempt in the case: the verdict is about the connector's last runs "
			    "(import %s, %s %s)",
			    imp && imp->result ? imp->result : "none", k->latest[2] ? "export" : "sync",
			    out && out->result ? out->result : "none");
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
		k->exp_seen |= (r->kinds & K_EXPORT) != 0;
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
			verdict_last_cycle(&ks[i], &(*out)[i]);
		else
			verdict_runs(c, &ks[i], end, &(*out)[i]);
	}
	free(ks);
	return nk;
}

/* ---- events (no run history) --------------------------------------------- */

static int
verdict_rank(const char *v)
{
	if (!v)
		return 0;
	if (!strcmp(v, "not-resumed"))
		return 3;
	if (!strcmp(v, "resumed-with-errors"))
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

		if (end == UNKNOWN_MS)
			x->note = xasprintf("no upgrade attempt and no run history in the case: the verdict is about "
					    "the latest event (%s)",
					    x->at.time ? x->at.time : "time unknown");
		else if (!strcmp(x->verdict, "resumed"))
			x->note = xasprintf("a synchronization cycle finished (Directory Synchronization 904) %s "
					    "after the upgrade ended (%s)",
					    duration(x->seconds, d), when(end, w));
		else
			x->note = xasprintf("the event log shows %s after the upgrade ended (%s): %lld event%s",
					    !strcmp(x->verdict, "not-resumed") ? "a failed run (ADSync 6050)"
									  : "runs with errors",
					    when(end, w), (long long)x->failed_after, x->failed_after == 1 ? "" : "s");
		if (strcmp(x->verdict, "resumed") != 0) {
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

static size_t
verdicts(struct ctx *c, int64_t end, int64_t limit, struct cverdict **out)
{
	size_t n = c->nruns ? verdicts_from_runs(c, end, limit, out) : verdicts_from_events(c, end, limit, out);

	return service_failures(c, end, limit, out, n);
}

static void
verdicts_free(struct cverdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].resumed_time);
		free(v[i].note);
	}
	free(v);
}

static const char *
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
static void
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
static void
phase_verify(struct ctx *c, size_t i, const struct cverdict *v, size_t nv)
{
	struct attempt *t = &c->at[i];
	struct phase *p = &t->ph[PHASE_VERIFY];
	const struct reading *ok = NULL, *bad = NULL;
	const char *sync = worst_verdict(v, nv);
	const struct cverdict *stuck = NULL;
	char *detail;

	for (size_t k = 0; k < nv; k++) {
		if (!strcmp(v[k].verdict, "not-resumed") && !stuck)
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
			  xasprintf("synchronization did not resume on %s after the upgrade", stuck->name));
	} else if (bad) {
		phase_set(p, "failed", bad->time, bad->path, bad->line,
			  xasprintf("%s shows %s after the upgrade, not %s (%s:%lld)", reading_names[bad->kind],
				    bad->value, t->to, base_name(bad->path), (long long)bad->line));
	} else if (ok && (!strcmp(sync, "resumed") || !strcmp(sync, "resumed-with-errors"))) {
		phase_set(p, "done", ok->time, ok->path, ok->line,
			  xasprintf("%s shows %s after the upgrade and synchronization %s", reading_names[ok->kind],
				    ok->value, !strcmp(sync, "resumed") ? "resumed" : "resumed, with errors"));
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
								      : "; synchronization resumed with errors");
		phase_set(p, "unknown", ok ? ok->time : NULL, ok ? ok->path : NULL, ok ? ok->line : 0, detail);
	}
}

/* ---- storing ------------------------------------------------------------- */

static void
add_phase_json(cJSON *o, const struct phase *p, const char *name)
{
	cJSON *j = cJSON_AddObjectToObject(o, name);

	cJSON_AddStringToObject(j, "state", p->state ? p->state : "unknown");
	if (p->time)
		cJSON_AddStringToObject(j, "time", p->time);
	else
		cJSON_AddNullToObject(j, "time");
	if (p->path)
		cJSON_AddStringToObject(j, "path", p->path);
	else
		cJSON_AddNullToObject(j, "path");
	if (p->line > 0)
		cJSON_AddNumberToObject(j, "line", (double)p->line);
	else
		cJSON_AddNullToObject(j, "line");
	if (p->detail)
		cJSON_AddStringToObject(j, "detail", p->detail);
	else
		cJSON_AddNullToObject(j, "detail");
}

static int
store_attempt(struct ctx *c, const struct attempt *t)
{
	cJSON *o = cJSON_CreateObject();
	char *phases;
	struct store_upgrade u = { 0 };
	int64_t id;

	for (int k = 0; k < PHASES; k++)
		add_phase_json(o, &t->ph[k], phase_names[k]);
	phases = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	u.from_version = t->from;
	u.to_version = t->to;
	u.outcome = t->outcome;
	u.started = t->started;
	u.ended = t->ended;
	u.pause_start = t->pause_start;
	u.pause_end = t->pause_end;
	u.pause_seconds = t->pause_seconds;
	u.phases = phases;
	u.source_id = t->source_id;
	u.line = t->line;
	id = store_add_upgrade(c->s, &u);
	cJSON_free(phases);
	return id < 0 ? STORE_ERROR : STORE_OK;
}

static int
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

/* A finding of kind "check"; data is {"references": [...]} plus the
 * given object's members. */
static int64_t
add_finding(struct ctx *c, const struct store_finding *f, cJSON *data, const char *const *refs)
{
	struct store_finding g = *f;
	cJSON *d = data ? data : cJSON_CreateObject();
	cJSON *r = cJSON_AddArrayToObject(d, "references");
	char *text;
	int64_t id;

	for (size_t i = 0; refs && refs[i]; i++)
		cJSON_AddItemToArray(r, cJSON_CreateString(refs[i]));
	text = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	g.kind = "check";
	g.data = text;
	id = store_add_finding(c->s, &g);
	cJSON_free(text);
	if (id < 0)
		c->rc = STORE_ERROR;
	return id;
}

/* Evidence for a finding, each line once. */
static void
add_evidence(struct ctx *c, int64_t finding, int64_t source_id, int64_t event_id, int64_t line,
	     const char *note)
{
	if (finding <= 0 || source_id <= 0)
		return;
	if (finding != c->ev_finding) {
		c->ev_finding = finding;
		c->nev_seen = 0;
	}
	for (size_t i = 0; i < c->nev_seen; i++) {
		if (c->ev_seen[i].source_id == source_id && c->ev_seen[i].line == line &&
		    c->ev_seen[i].event_id == event_id)
			return;
	}
	if (c->nev_seen < sizeof(c->ev_seen) / sizeof(c->ev_seen[0]))
		c->ev_seen[c->nev_seen++] = (struct ref){ source_id, event_id, line, NULL };
	if (store_add_evidence(c->s, finding, source_id, event_id, line > 0 ? line : 0, note) != STORE_OK)
		c->rc = STORE_ERROR;
}

static void
reading_evidence(struct ctx *c, int64_t finding, const struct reading *r)
{
	char note[160];

	snprintf(note, sizeof(note), "%s: %s", reading_names[r->kind], r->value);
	add_evidence(c, finding, r->source_id, r->event_id, r->line, note);
}

/* ---- version checks ------------------------------------------------------ */

static const char *const refs_upgrade[] = {
	LEARN "how-to-upgrade-previous-version",
	"FORMATS-AND-SIGNATURES.md (f.1)",
	NULL,
};

/* Is r read later than best? Untimed readings were collected with the
 * case, after everything timed; among them the last one listed. */
static bool
newer(const struct reading *r, const struct reading *best)
{
	return !best || r->ms == UNKNOWN_MS || (best->ms != UNKNOWN_MS && r->ms >= best->ms);
}

/* The latest reading of the engine itself (Help > About, a later wizard
 * detection) after attempt i; untimed readings count as the latest. */
static const struct reading *
engine_after(const struct ctx *c, size_t i)
{
	const struct reading *best = NULL;

	for (size_t k = 0; k < c->nrd; k++) {
		const struct reading *r = &c->rd[k];

		if (r->kind == R_SCV || !reading_after(c, r, i))
			continue;
		if (newer(r, best))
			best = r;
	}
	return best;
}

/* The upgrade of attempt i did not take effect: the engine read after it
 * is still the version it upgraded from, or, with no reading of the engine,
 * ServerConfigurationVersion is. (An engine at the new version with the
 * old ServerConfigurationVersion is the half-migration below.) */
static bool
unchanged(const struct ctx *c, size_t i)
{
	const struct attempt *t = &c->at[i];
	const struct reading *e = engine_after(c, i);

	if (!t->from)
		return false;
	if (e)
		return version_cmp(e->value, t->from) == 0;
	for (size_t k = 0; k < c->nrd; k++) {
		if (c->rd[k].kind == R_SCV && reading_after(c, &c->rd[k], i) &&
		    version_cmp(c->rd[k].value, t->from) == 0)
			return true;
	}
	return false;
}

/* version-unchanged: after an attempt, a later reading still shows the
 * version it upgraded from. */
static void
check_unchanged(struct ctx *c)
{
	for (size_t i = 0; i < c->nat; i++) {
		const struct attempt *t = &c->at[i];
		struct store_finding f = { 0 };
		char title[256], summary[1024], w[40];
		size_t nsame = 0;
		const struct reading *first = NULL;
		int64_t id;

		if (!unchanged(c, i))
			continue;
		for (size_t k = 0; k < c->nrd; k++) {
			if (reading_after(c, &c->rd[k], i) && version_cmp(c->rd[k].value, t->from) == 0) {
				first = first ? first : &c->rd[k];
				nsame++;
			}
		}
		if (!nsame)
			continue;
		snprintf(title, sizeof(title), "The version is still %s after the upgrade%s%s", t->from,
			 t->to ? " to " : "", t->to ? t->to : "");
		snprintf(summary, sizeof(summary),
			 "After the upgrade attempt of %s (%s), %s%s still shows %s (%s:%lld): the upgrade did not "
			 "take effect%s.",
			 when(t->start_ms, w), t->outcome, reading_names[first->kind],
			 nsame > 1 ? " and other readings" : "", t->from, base_name(first->path),
			 (long long)first->line,
			 !strcmp(t->outcome, "succeeded") ? " although the attempt reported success"
			 : !strcmp(t->outcome, "failed")  ? "; the failed installation was rolled back"
							  : "");
		f.rule = "version-unchanged";
		f.title = title;
		f.severity = "error";
		f.confidence = "high";
		f.summary = summary;
		f.remediation =
			"Find out why the upgrade did not take effect: read the wizard trace of the attempt and the "
			"Synchronization Service Windows Installer log it names. If the wizard reported success, "
			"restart the ADSync service (Restart-Service ADSync) or reboot and read the version again "
			"(Synchronization Service Manager > Help > About). Otherwise fix the cause and run the "
			"upgrade again with the latest installer from the Microsoft Entra admin center (Hybrid "
			"management > Microsoft Entra Connect).";
		f.time = first->time ? first->time : t->ended;
		id = add_finding(c, &f, NULL, refs_upgrade);
		for (size_t k = 0; t->from && k < c->nrd; k++) {
			if (reading_after(c, &c->rd[k], i) && version_cmp(c->rd[k].value, t->from) == 0)
				reading_evidence(c, id, &c->rd[k]);
		}
		if (t->w && t->w->engine_line)
			add_evidence(c, id, t->w->source_id, 0, t->w->engine_line,
				     "the version the wizard found installed before the upgrade");
	}
}

/* The last reading of a kind among those taken after the last attempt
 * (all of them without attempts). */
static const struct reading *
current_reading(const struct ctx *c, enum reading_kind kind)
{
	const struct reading *best = NULL;

	for (size_t k = 0; k < c->nrd; k++) {
		const struct reading *r = &c->rd[k];

		if (r->kind != kind || (c->nat && !reading_after(c, r, c->nat - 1)))
			continue;
		if (newer(r, best))
			best = r;
	}
	return best;
}

static const char version_mismatch_fix[] =
	"Restart the ADSync service (Restart-Service ADSync) or reboot the server, then read both versions "
	"again: Help > About in the Synchronization Service Manager, and in PowerShell "
	"(Get-ADSyncGlobalSettings).Parameters | Where-Object { $_.Name -eq "
	"\"Microsoft.Synchronize.ServerConfigurationVersion\" } | Select-Object -ExpandProperty Value. "
	"If they still disagree, the runtime configuration did not reload or the configuration was not "
	"upgraded: run the Microsoft Entra Connect wizard again.";

/* version-mismatch: Help > About and ServerConfigurationVersion disagree,
 * or after a succeeded attempt one of them is neither the target nor the
 * version upgraded from (which version-unchanged reports). */
static void
check_mismatch(struct ctx *c)
{
	const struct reading *gui = current_reading(c, R_GUI), *scv = current_reading(c, R_SCV);
	const struct reading *ev[8];
	size_t nev = 0;
	char title[256] = "", summary[1024] = "";
	size_t n = 0;
	struct store_finding f = { 0 };
	int64_t id;

	if (gui && scv && version_cmp(gui->value, scv->value) != 0) {
		snprintf(title, sizeof(title), "Help > About shows %s but ServerConfigurationVersion is %s",
			 gui->value, scv->value);
		n += (size_t)snprintf(summary, sizeof(summary),
				      "Help > About reads %s (%s:%lld) and Get-ADSyncGlobalSettings "
				      "ServerConfigurationVersion reads %s (%s:%lld); after an upgrade both show the "
				      "new version.",
				      gui->value, base_name(gui->path), (long long)gui->line, scv->value,
				      base_name(scv->path), (long long)scv->line);
		ev[nev++] = gui;
		ev[nev++] = scv;
	}
	for (size_t i = 0; i < c->nat; i++) {
		const struct attempt *t = &c->at[i];

		if (strcmp(t->outcome, "succeeded") != 0 || !t->to)
			continue;
		for (size_t k = 0; k < c->nrd && nev < sizeof(ev) / sizeof(ev[0]); k++) {
			const struct reading *r = &c->rd[k];
			bool listed = false;

			if (r->kind == R_TRACE || !reading_after(c, r, i) || version_cmp(r->value, t->to) == 0 ||
			    (t->from && version_cmp(r->value, t->from) == 0))
				continue;
			for (size_t e = 0; e < nev; e++)
				listed |= ev[e] == r;
			if (!listed)
				ev[nev++] = r;
			if (!title[0])
				snprintf(title, sizeof(title), "%s shows %s after the upgrade to %s",
					 reading_names[r->kind], r->value, t->to);
			if (n < sizeof(summary))
				n += (size_t)snprintf(summary + n, sizeof(summary) - n,
						      "%s%s reads %s (%s:%lld) after the upgrade to %s succeeded; it "
						      "is neither the new version nor %s.",
						      n ? " " : "", reading_names[r->kind], r->value,
						      base_name(r->path), (long long)r->line, t->to,
						      t->from ? t->from : "the old one");
		}
	}
	if (!nev)
		return;
	f.rule = "version-mismatch";
	f.title = title;
	f.severity = "warning";
	f.confidence = "high";
	f.summary = summary;
	f.remediation = version_mismatch_fix;
	f.time = ev[0]->time;
	id = add_finding(c, &f, NULL, refs_upgrade);
	for (size_t e = 0; e < nev; e++)
		reading_evidence(c, id, ev[e]);
}

static int
on_finding_row(void *ctx, const struct store_finding_row *r)
{
	int64_t *id = ctx;

	if (r->rule && !strcmp(r->rule, "half-migrated-database")) {
		*id = r->id;
		return 1;
	}
	return 0;
}

/* half-migrated-database, the G rule of SIG-05: after a succeeded attempt,
 * ServerConfigurationVersion older than the engine it installed = the
 * configuration was not upgraded. Added to the signature's finding when
 * that fired. */
static void
check_half_migrated(struct ctx *c)
{
	int64_t id = 0;

	for (size_t i = 0; i < c->nat; i++) {
		const struct attempt *t = &c->at[i];
		const struct reading *e = engine_after(c, i);
		const char *engine = e ? e->value : t->to;

		if (strcmp(t->outcome, "succeeded") != 0 || !engine || unchanged(c, i))
			continue;
		for (size_t k = 0; k < c->nrd; k++) {
			const struct reading *r = &c->rd[k];
			char title[256], summary[1024], note[256], w[40];
			struct store_finding f = { 0 };

			if (r->kind != R_SCV || !reading_after(c, r, i) || version_cmp(r->value, engine) >= 0)
				continue;
			if (!id) {
				if (store_findings(c->s, on_finding_row, &id) < 0) {
					c->rc = STORE_ERROR;
					return;
				}
			}
			if (!id) {
				snprintf(title, sizeof(title),
					 "ServerConfigurationVersion %s is older than the installed sync engine %s",
					 r->value, engine);
				snprintf(summary, sizeof(summary),
					 "The upgrade of %s installed sync engine %s%s%s%s, but Get-ADSyncGlobalSettings "
					 "still reports Microsoft.Synchronize.ServerConfigurationVersion %s (%s:%lld): the "
					 "configuration was not upgraded to the new engine.",
					 when(t->start_ms, w), engine, e ? " (" : "", e ? reading_names[e->kind] : "",
					 e ? " shows it)" : "",
					 r->value, base_name(r->path), (long long)r->line);
				f.rule = "half-migrated-database";
				f.title = title;
				f.severity = "error";
				f.confidence = "medium";
				f.summary = summary;
				f.remediation =
					"Run the Microsoft Entra Connect wizard again on this server so that it completes "
					"the configuration of the installed version, then read ServerConfigurationVersion "
					"again. If the wizard fails, rebuild from the configuration export taken before the "
					"upgrade: install the current version on a clean server and import it (wizard > "
					"Customize > Import synchronization settings).";
				f.time = r->time ? r->time : t->ended;
				id = add_finding(c, &f, NULL,
						 (const char *const[]){ "FORMATS-AND-SIGNATURES.md (SIG-05, G)",
									LEARN "how-to-connect-import-export-config",
									NULL });
				if (id < 0)
					return;
			}
			snprintf(note, sizeof(note), "ServerConfigurationVersion %s, older than the engine %s",
				 r->value, engine);
			add_evidence(c, id, r->source_id, r->event_id, r->line, note);
			if (e)
				reading_evidence(c, id, e);
			if (t->w && t->w->result_line)
				add_evidence(c, id, t->w->source_id, 0, t->w->result_line,
					     "the wizard reported the upgrade complete");
		}
	}
}

/* The date from which 2.5.79.0 is the minimum (prerequisites page). */
#define MIN_VERSION "2.5.79.0"
#define MIN_VERSION_DATE "2026-09-30T00:00:00.000Z"

/* Why a version is unsupported or known bad; severity error for 1.x and
 * below the minimum once its date passed, else warning. Returns the number
 * of reasons. */
static int
unsupported_reasons(const char *v, int64_t now_ms, cJSON *reasons, bool *error)
{
	static const struct {
		const char *version, *why;
	} bad[] = {
		{ "2.5.190.0", "known issue: System.Diagnostics.DiagnosticSource FileLoadException (also 2.6.1.0)" },
		{ "2.6.1.0", "known issue: System.Diagnostics.DiagnosticSource FileLoadException (also 2.5.190.0)" },
		{ "2.6.79.0", "this build was recalled" },
		{ "2.6.84.0", "known issue: the upgrade fails with 0xE0474352 on a server with an existing database" },
	};
	int n = 0;

	*error = false;
	if (version_cmp(v, "2") < 0) {
		cJSON_AddItemToArray(reasons, cJSON_CreateString(
			"V1 (1.x) was retired on 31 Aug 2022 and 1.x servers stopped synchronizing to the cloud on "
			"1 Oct 2023"));
		*error = true;
		n++;
	} else if (version_cmp(v, MIN_VERSION) < 0) {
		bool passed = now_ms >= iso_to_ms(MIN_VERSION_DATE);

		cJSON_AddItemToArray(reasons, cJSON_CreateString(
			passed ? "below " MIN_VERSION ", the minimum version required from 30 Sep 2026 "
				 "(prerequisites page)"
			       : "below " MIN_VERSION ", which the prerequisites page requires by 30 Sep 2026"));
		*error = passed;
		n++;
	}
	if (version_cmp(v, "2") >= 0 && version_cmp(v, "2.1.1.0") < 0) {
		cJSON_AddItemToArray(reasons, cJSON_CreateString(
			"2.0.x builds before 2.1.1.0 can corrupt the LocalDB model database (fixed in 2.1.1.0)"));
		n++;
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (version_cmp(v, bad[i].version) == 0) {
			cJSON_AddItemToArray(reasons, cJSON_CreateString(bad[i].why));
			n++;
		}
	}
	return n;
}

/* The last reading of the wizard's detection (by time). */
static const struct reading *
last_detection(const struct ctx *c)
{
	const struct reading *best = NULL;

	for (size_t k = 0; k < c->nrd; k++) {
		if (c->rd[k].kind == R_TRACE && (!best || c->rd[k].ms >= best->ms))
			best = &c->rd[k];
	}
	return best;
}

/* unsupported-version: the version running after the last attempt (the
 * target after a success, else the one installed before); without
 * attempts the installed (the wizard's last detection), settings or About
 * version. */
static void
check_unsupported(struct ctx *c)
{
	const char *v = NULL, *what = NULL, *at = NULL;
	int64_t source_id = 0, event_id = 0, line = 0;
	cJSON *data, *reasons;
	char title[256], summary[1536], fix[1024];
	size_t n;
	bool error;
	struct store_finding f = { 0 };
	int64_t id;

	if (c->nat) {
		const struct attempt *t = &c->at[c->nat - 1];

		if (!strcmp(t->outcome, "succeeded") && t->to) {
			v = t->to;
			what = "the version the last upgrade installed";
			source_id = t->source_id;
			line = t->w && t->w->result_line ? t->w->result_line : t->line;
			at = t->ended;
		} else if (t->from) {
			v = t->from;
			what = "the version still installed after the last upgrade attempt";
			source_id = t->w ? t->w->source_id : t->source_id;
			line = t->w ? t->w->engine_line : t->line;
			at = t->ended;
		}
	}
	if (!v) {
		const struct reading *r[] = { last_detection(c), current_reading(c, R_SCV), current_reading(c, R_GUI) };

		for (size_t i = 0; !v && i < sizeof(r) / sizeof(r[0]); i++) {
			if (r[i]) {
				v = r[i]->value;
				what = r[i]->kind == R_TRACE ? "the installed sync engine" : reading_names[r[i]->kind];
				source_id = r[i]->source_id;
				event_id = r[i]->event_id;
				line = r[i]->line;
				at = r[i]->time;
			}
		}
	}
	if (!v)
		return;
	data = cJSON_CreateObject();
	reasons = cJSON_AddArrayToObject(data, "reasons");
	if (unsupported_reasons(v, (int64_t)time(NULL) * 1000, reasons, &error) == 0) {
		cJSON_Delete(data);
		return;
	}
	cJSON_AddStringToObject(data, "version", v);
	n = (size_t)snprintf(summary, sizeof(summary), "Version %s (%s): ", v, what);
	for (int i = 0; i < cJSON_GetArraySize(reasons) && n < sizeof(summary); i++)
		n += (size_t)snprintf(summary + n, sizeof(summary) - n, "%s%s", i ? "; " : "",
				      cJSON_GetArrayItem(reasons, i)->valuestring);
	if (n < sizeof(summary))
		snprintf(summary + n, sizeof(summary) - n, ".");
	snprintf(title, sizeof(title), "Microsoft Entra Connect %s is %s", v,
		 error ? "no longer supported" : "a build with a known problem");
	snprintf(fix, sizeof(fix),
		 "Upgrade to the latest Microsoft Entra Connect release: download it from the Microsoft Entra "
		 "admin center (Hybrid management > Microsoft Entra Connect) and run it on the server.%s%s",
		 version_cmp(v, "2") < 0
			 ? " A V1 (1.x) server on Windows Server 2012 R2 cannot be upgraded in place to V2 (V2 "
			   "needs Windows Server 2016 or later): install the latest version on a new Windows Server "
			   "2016 or later host and move the configuration to it (export it with the wizard, import "
			   "it on the new server)."
			 : "",
		 version_cmp(v, "2") < 0 && c->os_version && !strncmp(c->os_version, "6.3.", 4)
			 ? " This server runs Windows Server 2012 R2."
			 : "");
	f.rule = "unsupported-version";
	f.title = title;
	f.severity = error ? "error" : "warning";
	f.confidence = "high";
	f.summary = summary;
	f.remediation = fix;
	f.time = at;
	id = add_finding(c, &f, data,
			 (const char *const[]){ LEARN "reference-connect-version-history",
						LEARN "how-to-connect-install-prerequisites", NULL });
	add_evidence(c, id, source_id, event_id, line, what);
}

/* ---- backup, sync, missing evidence -------------------------------------- */

/* no-config-backup: an attempt without a configuration export dated
 * before its start in the case. */
static void
check_backup(struct ctx *c)
{
	char title[256], summary[1536], w[40];
	size_t n = 0, nmissing = 0;
	const struct attempt *first = NULL;
	struct store_finding f = { 0 };
	int64_t id;

	for (size_t i = 0; i < c->nat; i++) {
		if (strcmp(c->at[i].ph[PHASE_BACKUP].state, "not-done") != 0)
			continue;
		first = first ? first : &c->at[i];
		nmissing++;
	}
	if (!first)
		return;
	snprintf(title, sizeof(title), "No configuration export from before the upgrade of %.10s",
		 first->started ? first->started : "(date unknown)");
	n = (size_t)snprintf(summary, sizeof(summary),
			     "No configuration export (View or export current configuration, "
			     "Exported-/Applied-SynchronizationPolicy-*.json) in the case is dated before the upgrade "
			     "started (%s)%s",
			     when(first->start_ms, w), nmissing > 1 ? " nor before the later attempts" : "");
	for (size_t i = 0; i < c->nex && n < sizeof(summary); i++)
		n += (size_t)snprintf(summary + n, sizeof(summary) - n, "%s%s (%s)", i ? ", " : "; in the case: ",
				      base_name(c->ex[i].path), c->ex[i].time ? c->ex[i].time : "time unknown");
	if (n < sizeof(summary))
		snprintf(summary + n, sizeof(summary) - n,
			 ". The backup may exist outside the case; without one, a failed upgrade means rebuilding "
			 "every customisation by hand.");
	f.rule = "no-config-backup";
	f.title = title;
	f.severity = "warning";
	f.confidence = "medium";
	f.summary = summary;
	f.remediation =
		"Before the next upgrade attempt export the configuration: start the Microsoft Entra Connect "
		"wizard > Configure > View or export current configuration > Export Settings, and save the JSON "
		"file off the server. If an export from before the upgrade exists, add it to the case.";
	f.time = first->started;
	id = add_finding(c, &f, NULL, (const char *const[]){ LEARN "how-to-connect-import-export-config", NULL });
	c->backup_finding = id;
	for (size_t i = 0; i < c->nex; i++)
		add_evidence(c, id, c->ex[i].source_id, c->ex[i].event_id, c->ex[i].line,
			     "a configuration export from after the upgrade started");
	if (first->w)
		add_evidence(c, id, first->w->source_id, 0, first->w->decision_line, "the upgrade");
}

/* sync-not-resumed: a connector that did not resume after the last attempt. */
static void
check_sync(struct ctx *c)
{
	char title[512], summary[2048];
	size_t nt = 0, ns = 0, nbad = 0;
	bool events = false;
	struct store_finding f = { 0 };
	int64_t id;

	if (!c->nat)
		return;
	for (size_t i = 0; i < c->ncv; i++) {
		const struct cverdict *v = &c->cv[i];

		if (strcmp(v->verdict, "not-resumed") != 0)
			continue;
		events |= !strcmp(v->basis, "events");
		if (nt < sizeof(title))
			nt += (size_t)snprintf(title + nt, sizeof(title) - nt, "%s%s",
					       nbad ? ", " : "Synchronization did not resume after the upgrade on ",
					       v->name);
		if (ns < sizeof(summary))
			ns += (size_t)snprintf(summary + ns, sizeof(summary) - ns, "%s%s: %s", nbad ? " " : "",
					       v->name, v->note ? v->note : "");
		if (ns < sizeof(summary))
			ns += (size_t)snprintf(summary + ns, sizeof(summary) - ns, ".");
		nbad++;
	}
	if (!nbad)
		return;
	f.rule = "sync-not-resumed";
	f.title = title;
	f.severity = "error";
	f.confidence = events ? "medium" : "high";
	f.summary = summary;
	f.remediation =
		"Open the Synchronization Service Manager > Operations and look at the first failing step of "
		"the connector. Check the scheduler with Get-ADSyncScheduler (SyncCycleEnabled, "
		"SchedulerSuspended); turn it on with Set-ADSyncScheduler -SyncCycleEnabled $true, start a cycle "
		"with Start-ADSyncSyncCycle -PolicyType Delta, then check that a Delta Import and an Export of "
		"every connector end with success.";
	f.time = c->at[c->nat - 1].ended;
	id = add_finding(c, &f, NULL,
			 (const char *const[]){ LEARN "how-to-connect-sync-feature-scheduler",
						LEARN "how-to-connect-sync-service-manager-ui-operations", NULL });
	for (size_t i = 0; i < c->ncv; i++) {
		const struct cverdict *v = &c->cv[i];

		if (strcmp(v->verdict, "not-resumed") != 0)
			continue;
		for (size_t k = 0; k < v->nlast; k++)
			add_evidence(c, id, v->last[k].source_id, v->last[k].event_id, v->last[k].line,
				     "a run of the connector after the upgrade");
		if (!v->nlast)
			add_evidence(c, id, v->at.source_id, v->at.event_id, v->at.line,
				     "the connector's last run");
	}
}

static void
missing(struct ctx *c, const char *question, const char *collect, const char *how, int64_t finding)
{
	struct store_missing m = { question, collect, how, finding > 0 ? finding : 0 };

	if (store_add_missing(c->s, &m) != STORE_OK)
		c->rc = STORE_ERROR;
}

/* Did the attempt get as far as changing something (an install ran, or
 * it completed, or its outcome is unknown)? A wizard that stopped at the
 * sign-in changed nothing: the version and sync questions do not arise. */
static bool
touched(const struct attempt *t)
{
	return strcmp(t->outcome, "aborted") != 0 && (strcmp(t->outcome, "failed") != 0 || t->in || t->failed_in ||
						       t->au || (t->w && t->w->result != 0));
}

/* Only what the case lacks and a question needs. */
static void
check_missing(struct ctx *c)
{
	char q[512], col[512], how[1024];
	const char *sync = worst_verdict(c->cv, c->ncv);
	const struct attempt *t = c->nat ? &c->at[c->nat - 1] : NULL;
	bool after = false, resumed = !strcmp(sync, "resumed") || !strcmp(sync, "resumed-with-errors");

	if (!c->has_trace && t)
		missing(c, "What did the Microsoft Entra Connect wizard do during the upgrade, and how did it end?",
			"The wizard trace logs (one per wizard run, named by its local start time).",
			"Copy %ProgramData%\\AADConnect\\trace-*.log from the server.", 0);
	for (size_t i = 0; i < c->a->ninstalls; i++) {
		const struct an_install *in = &c->a->installs[i];

		if (!in->missing_log || !install_failed(in))
			continue;
		snprintf(q, sizeof(q), "Why did Windows Installer fail to install %s?",
			 in->product ? in->product : "the package");
		snprintf(col, sizeof(col), "The Windows Installer log %s that the wizard trace %s names (line %lld).",
			 in->missing_log, in->trace_path ? base_name(in->trace_path) : "", (long long)in->trace_line);
		snprintf(how, sizeof(how), "Copy %%ProgramData%%\\AADConnect\\%s from the server.", in->missing_log);
		missing(c, q, col, how, 0);
	}
	if (c->backup_finding > 0)
		missing(c, "Was the configuration exported before the upgrade?",
			"A configuration export written before the upgrade started, if one exists (saved with "
			"View or export current configuration, or an Applied-SynchronizationPolicy-*.json / "
			"Exported-SynchronizationPolicy-*.json from before that date).",
			"Wizard > Configure > View or export current configuration > Export Settings (for the next "
			"attempt); earlier exports are in %ProgramData%\\AADConnect or where they were saved.",
			c->backup_finding);
	if (!t || !touched(t))
		return;
	if (!strcmp(sync, "unknown")) {
		char w[40];

		snprintf(col, sizeof(col), "The sync engine's run history from after the upgrade ended (%s).",
			 when(end_of(t), w));
		missing(c, "Did synchronization resume after the upgrade?", col,
			"On the server, in PowerShell: Import-Module ADSync; Get-ADSyncRunProfileResult "
			"-NumberRequested 200 -RunStepDetails | ConvertTo-Json -Depth 5 | Out-File runs.json "
			"(or Synchronization Service Manager > Operations).",
			0);
	}
	for (size_t k = 0; k < c->nrd; k++)
		after |= reading_after(c, &c->rd[k], c->nat - 1);
	if (!after)
		missing(c, "Which version runs now, and was the configuration upgraded with it?",
			"The version the Synchronization Service Manager shows and Get-ADSyncGlobalSettings, read "
			"after the upgrade.",
			"Synchronization Service Manager > Help > About: write the version into about.txt; in "
			"PowerShell: (Get-ADSyncGlobalSettings).Parameters | Format-List Name,Value | Out-File "
			"settings.txt",
			0);
	if (!c->has_events && (strcmp(t->outcome, "succeeded") != 0 || !resumed))
		missing(c, "What did the sync engine, Windows Installer and the auto-upgrade log in the event "
			   "logs around the upgrade?",
			"The Application and System event logs of the server.",
			"In an elevated command prompt: wevtutil epl Application Application.evtx and wevtutil epl "
			"System System.evtx",
			0);
}

/* ---- run ----------------------------------------------------------------- */

static void
ctx_release(struct ctx *c)
{
	for (size_t i = 0; i < c->nsrc; i++)
		free(c->src[i].path), free(c->src[i].name), free(c->src[i].format);
	free(c->src);
	for (size_t i = 0; i < c->nw; i++) {
		struct wizrun *w = &c->w[i];

		free(w->path), free(w->engine), free(w->wizard);
		free(w->from), free(w->to), free(w->result_time), free(w->last_page);
	}
	free(c->w);
	for (size_t i = 0; i < c->nrd; i++)
		free(c->rd[i].value), free(c->rd[i].path), free(c->rd[i].time);
	free(c->rd);
	for (size_t i = 0; i < c->nex; i++)
		free(c->ex[i].path), free(c->ex[i].time), free(c->ex[i].version);
	free(c->ex);
	for (size_t i = 0; i < c->nruns; i++) {
		struct runrec *r = &c->runs[i];

		free(r->connector), free(r->profile), free(r->result), free(r->start), free(r->end);
		free(r->path);
	}
	free(c->runs);
	for (size_t i = 0; i < c->nat; i++) {
		struct attempt *t = &c->at[i];

		free(t->from), free(t->to), free(t->started), free(t->ended);
		free(t->pause_start), free(t->pause_end);
		for (int k = 0; k < PHASES; k++)
			free(t->ph[k].time), free(t->ph[k].path), free(t->ph[k].detail);
	}
	free(c->at);
	verdicts_free(c->cv, c->ncv);
	free(c->os_version);
	for (size_t i = 0; i < c->nsvc; i++)
		free(c->svc[i].time);
	free(c->svc);
}

int
checks_run(struct store *s, struct analysis *a)
{
	struct ctx c = { .s = s, .a = a, .runs_last_ms = UNKNOWN_MS, .rc = STORE_OK };
	int64_t end = UNKNOWN_MS;

	if (load(&c) != STORE_OK) {
		ctx_release(&c);
		return STORE_ERROR;
	}
	build_attempts(&c);
	if (c.nat)
		end = end_of(&c.at[c.nat - 1]);
	c.ncv = verdicts(&c, end, NO_LIMIT, &c.cv);
	for (size_t i = 0; i < c.nat; i++) {
		struct attempt *t = &c.at[i];

		phase_baseline(&c, t);
		phase_backup(&c, t);
		phase_upgrade(t);
		pause_of(&c, t);
		if (i + 1 == c.nat) {
			phase_verify(&c, i, c.cv, c.ncv);
		} else {
			/* An earlier attempt: what happened before the next one. */
			struct cverdict *v = NULL;
			size_t nv = end_of(t) == UNKNOWN_MS ? 0 : verdicts(&c, end_of(t), c.at[i + 1].start_ms, &v);

			phase_verify(&c, i, v, nv);
			verdicts_free(v, nv);
		}
		if (c.rc == STORE_OK && store_attempt(&c, t) != STORE_OK)
			c.rc = STORE_ERROR;
	}
	if (c.rc == STORE_OK && store_verdicts(&c) != STORE_OK)
		c.rc = STORE_ERROR;
	if (c.rc == STORE_OK)
		check_unchanged(&c);
	if (c.rc == STORE_OK)
		check_mismatch(&c);
	if (c.rc == STORE_OK)
		check_half_migrated(&c);
	if (c.rc == STORE_OK)
		check_unsupported(&c);
	if (c.rc == STORE_OK)
		check_backup(&c);
	if (c.rc == STORE_OK)
		check_sync(&c);
	if (c.rc == STORE_OK)
		check_missing(&c);
	ctx_release(&c);
	return c.rc;
}

/* ---- loading the results ------------------------------------------------- */

static void
phase_from_json(struct an_phase *p, const cJSON *o)
{
	const cJSON *v;

	memset(p, 0, sizeof(*p));
	v = cJSON_GetObjectItemCaseSensitive(o, "state");
	p->state = xstrdup(cJSON_IsString(v) ? v->valuestring : "unknown");
	v = cJSON_GetObjectItemCaseSensitive(o, "time");
	p->time = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, "path");
	p->path = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, "detail");
	p->detail = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, "line");
	p->line = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int
on_upgrade(void *ctx, const struct store_upgrade *u)
{
	struct analysis *a = ctx;
	struct an_upgrade *x = PUSH(a->upgrades, a->nupgrades);
	cJSON *o = u->phases ? cJSON_Parse(u->phases) : NULL;

	x->from = xstrdup0(u->from_version);
	x->to = xstrdup0(u->to_version);
	x->outcome = xstrdup(u->outcome ? u->outcome : "unknown");
	x->started = xstrdup0(u->started);
	x->ended = xstrdup0(u->ended);
	x->pause_start = xstrdup0(u->pause_start);
	x->pause_end = xstrdup0(u->pause_end);
	x->pause_seconds = u->pause_seconds;
	x->path = xstrdup0(u->path);
	x->line = u->line > 0 ? u->line : 0;
	for (int k = 0; k < PHASES; k++)
		phase_from_json(&x->phases[k], cJSON_GetObjectItemCaseSensitive(o, phase_names[k]));
	cJSON_Delete(o);
	return 0;
}

static int
on_sync(void *ctx, const struct store_sync *y)
{
	struct analysis *a = ctx;
	struct an_sync *x = PUSH(a->syncs, a->nsyncs);

	x->connector = xstrdup0(y->connector);
	x->verdict = xstrdup(y->verdict ? y->verdict : "unknown");
	x->basis = xstrdup0(y->basis);
	x->import_time = xstrdup0(y->import_time);
	x->sync_time = xstrdup0(y->sync_time);
	x->export_time = xstrdup0(y->export_time);
	x->resumed_time = xstrdup0(y->resumed_time);
	x->note = xstrdup0(y->note);
	x->path = xstrdup0(y->path);
	x->seconds_to_resume = y->seconds_to_resume;
	x->runs_after = y->runs_after;
	x->failed_after = y->failed_after;
	x->line = y->line > 0 ? y->line : 0;
	return 0;
}

static int
on_missing(void *ctx, const struct store_missing *m)
{
	struct analysis *a = ctx;
	struct an_missing *x = PUSH(a->missing, a->nmissing);

	x->question = xstrdup0(m->question);
	x->collect = xstrdup0(m->collect);
	x->how = xstrdup0(m->how);
	return 0;
}

/* The overall verdict is the worst connector's: resumed < resumed-with-
 * errors < not-resumed; unknown without connectors or when all are. */
int
checks_load(struct store *s, struct analysis *a)
{
	int rank = 0;
	const char *worst = "unknown";

	if (store_upgrades(s, on_upgrade, a) != STORE_OK || store_syncs(s, on_sync, a) != STORE_OK ||
	    store_missing(s, on_missing, a) != STORE_OK)
		return STORE_ERROR;
	for (size_t i = 0; i < a->nsyncs; i++) {
		if (verdict_rank(a->syncs[i].verdict) > rank) {
			rank = verdict_rank(a->syncs[i].verdict);
			worst = a->syncs[i].verdict;
		}
	}
	free(a->sync_verdict);
	a->sync_verdict = xstrdup(worst);
	return STORE_OK;
}

void
checks_release(struct analysis *a)
{
	for (size_t i = 0; i < a->nupgrades; i++) {
		struct an_upgrade *u = &a->upgrades[i];

		free(u->from), free(u->to), free(u->outcome), free(u->started), free(u->ended);
		free(u->pause_start), free(u->pause_end), free(u->path);
		for (int k = 0; k < PHASES; k++) {
			free(u->phases[k].state), free(u->phases[k].time), free(u->phases[k].path);
			free(u->phases[k].detail);
		}
	}
	free(a->upgrades);
	for (size_t i = 0; i < a->nsyncs; i++) {
		struct an_sync *y = &a->syncs[i];

		free(y->connector), free(y->verdict), free(y->basis), free(y->import_time);
		free(y->sync_time), free(y->export_time), free(y->resumed_time), free(y->note), free(y->path);
	}
	free(a->syncs);
	for (size_t i = 0; i < a->nmissing; i++)
		free(a->missing[i].question), free(a->missing[i].collect), free(a->missing[i].how);
	free(a->missing);
	for (size_t i = 0; i < a->nrunevents; i++) {
		struct an_runevent *e = &a->runevents[i];

		free(e->time), free(e->connector), free(e->profile), free(e->path);
	}
	free(a->runevents);
	for (size_t i = 0; i < a->nexplained; i++)
		free(a->explained[i]);
	free(a->explained);
	free(a->sync_verdict);
	a->upgrades = NULL;
	a->syncs = NULL;
	a->missing = NULL;
	a->runevents = NULL;
	a->explained = NULL;
	a->sync_verdict = NULL;
	a->nupgrades = a->nsyncs = a->nmissing = a->nrunevents = a->nexplained = 0;
}
