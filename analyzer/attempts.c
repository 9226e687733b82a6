/* SPDX-License-Identifier: MIT */
/* attempts.c - the case as the checks read it from the store, the upgrade
 * attempts in it and their phases baseline, backup and upgrade (verify is
 * verdicts.c's); storing the attempts. */
#include "analyzer/checks_int.h"

const char *const phase_names[PHASES] = { "baseline", "backup", "upgrade", "verify" };

const char *const reading_names[] = {
	"Help > About", "ServerConfigurationVersion", "the wizard's detection of the installed engine",
};

/* Auto-upgrade results of one source this close together are one attempt. */
#define AUTO_GROUP_MS (INT64_C(3600) * 1000)

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
	si->name = xstrdup0(r->name ? r->name : path_base(r->path));
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

int64_t
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
	struct sv n = sv_cstr(path_base(path));

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

/* Keep r in *s when it is read later (untimed: collected with the case,
 * after everything timed). */
static void
keep_setting(struct setting *s, const struct store_fact_row *r)
{
	int64_t ms = ms_of(r->time);

	if (s->value && ms != UNKNOWN_MS && (s->ms == UNKNOWN_MS || ms < s->ms))
		return;
	free(s->value), free(s->time), free(s->path);
	s->value = xstrdup(r->value);
	s->time = xstrdup0(r->time);
	s->path = xstrdup0(r->path);
	s->ms = ms;
	s->source_id = r->source_id;
	s->event_id = r->event_id;
	s->line = r->line;
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
	} else if (strcmp(r->name, "settings.staging_mode") == 0) {
		keep_setting(&c->staging, r);
	} else if (strcmp(r->name, "settings.scheduler_suspended") == 0) {
		keep_setting(&c->suspended, r);
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
	x->conn = xstrdup0(r->connection_result);
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

/* Service Control Manager: the service did not start (7000, 7009), stopped
 * (7023, 7031, 7034) or could not log on (7038); the event names the service
 * by its display name, "Microsoft Azure AD Sync", or its name ADSync. */
static bool
scm_adsync(const struct store_event_row *r)
{
	static const int64_t ids[] = { 7000, 7009, 7023, 7031, 7034, 7038 };
	struct sv m = sv_cstr(r->message ? r->message : "");
	bool id = false;

	if (!r->provider || (strcasecmp(r->provider, "Service Control Manager") != 0 &&
			     strcasecmp(r->provider, "Microsoft-Windows-Service Control Manager") != 0))
		return false;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		id |= r->event_id == ids[i];
	return id && (sv_ifind(m, "Azure AD Sync") >= 0 || sv_ifind(m, "ADSync") >= 0);
}

static int
on_error_event(void *ctx, const struct store_event_row *r)
{
	struct ctx *c = ctx;
	struct svcfail *f;

	if (scm_adsync(r)) {
		struct scmevent *e = PUSH(c->scm, c->nscm);

		e->time = xstrdup0(r->time);
		e->message = xstrdup0(r->message);
		e->ms = ms_of(r->time);
		e->source_id = r->source_id;
		e->event_id = r->id;
		e->line = r->line;
		e->id = r->event_id;
		return 0;
	}
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

int
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

bool
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
int64_t
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
void
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
bool
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

void
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
void
phase_baseline(struct ctx *c, struct attempt *t)
{
	for (size_t i = 0; i < c->nrd; i++) {
		const struct reading *r = &c->rd[i];

		if (r->kind != R_TRACE && reading_before(r, t)) {
			phase_set(&t->ph[PHASE_BASELINE], "done", r->time, r->path, r->line,
				  xasprintf("%s read %s before the upgrade (%s:%lld)", reading_names[r->kind],
					    r->value, path_base(r->path), (long long)r->line));
			return;
		}
	}
	if (t->w && t->w->engine)
		phase_set(&t->ph[PHASE_BASELINE], "unknown", NULL, t->w->path, t->w->engine_line,
			  xasprintf("no Help > About or Get-ADSyncGlobalSettings reading from before the upgrade "
				    "is in the case; the wizard detected the installed sync engine %s (%s:%lld)",
				    t->w->engine, path_base(t->w->path), (long long)t->w->engine_line));
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
void
phase_backup(struct ctx *c, struct attempt *t)
{
	const struct cexport *x = export_before(c, t->start_ms);
	char w[40], iso[32];

	if (x) {
		ms_to_iso(x->ms, iso);
		phase_set(&t->ph[PHASE_BACKUP], "done", iso, x->path, x->line,
			  xasprintf("configuration export written %s%s%s, before the upgrade (%s)", x->time,
				    x->version ? " by " : "", x->version ? x->version : "", path_base(x->path)));
	} else {
		phase_set(&t->ph[PHASE_BACKUP], "not-done", NULL, NULL, 0,
			  xasprintf("no configuration export dated before the upgrade started (%s) is in the case",
				    when(t->start_ms, w)));
	}
}

/* Phase 3: the attempt's outcome with the line that shows it. */
void
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

int
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

/* ---- releasing ----------------------------------------------------------- */

void
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
		free(r->path), free(r->conn);
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
	for (size_t i = 0; i < c->nscm; i++)
		free(c->scm[i].time), free(c->scm[i].message);
	free(c->scm);
	free(c->staging.value), free(c->staging.time), free(c->staging.path);
	free(c->suspended.value), free(c->suspended.time), free(c->suspended.path);
}
