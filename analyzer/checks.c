/* SPDX-License-Identifier: MIT */
/* checks.c - the checks that become findings (version unchanged or
 * mismatched, half-migrated database, unsupported version, no backup, sync
 * not resumed) and the missing evidence; checks_run, checks_load and
 * checks_release. */
#include "analyzer/checks_int.h"

#define LEARN "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/"

/* ---- storing ------------------------------------------------------------- */

/* A finding of kind "check"; data is {"references": [...]} plus the
 * given object's members. */
int64_t
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
void
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
			 nsame > 1 ? " and other readings" : "", t->from, path_base(first->path),
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
				      gui->value, path_base(gui->path), (long long)gui->line, scv->value,
				      path_base(scv->path), (long long)scv->line);
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
						      path_base(r->path), (long long)r->line, t->to,
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
					 r->value, path_base(r->path), (long long)r->line);
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
				      path_base(c->ex[i].path), c->ex[i].time ? c->ex[i].time : "time unknown");
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
	bool after = false, resumed = resumed_fully(sync);

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
			 in->missing_log, in->trace_path ? path_base(in->trace_path) : "", (long long)in->trace_line);
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
	if (!t && !c->has_trace && !c->a->ninstalls && !c->nruns) {
		/* Nothing says whether an upgrade happened or sync runs: the
		 * case cannot be judged without the basic evidence. */
		missing(c, "Was Microsoft Entra Connect upgraded on this server, and how did it end?",
			"The wizard trace logs and the Windows Installer logs of the upgrade.",
			"Copy %ProgramData%\\AADConnect\\trace-*.log and %ProgramData%\\AADConnect\\*Install*.log "
			"from the server.",
			0);
		missing(c, "Does synchronization run successfully now?",
			"The sync engine's run history.",
			"On the server, in PowerShell: Import-Module ADSync; Get-ADSyncRunProfileResult "
			"-NumberRequested 200 -RunStepDetails | ConvertTo-Json -Depth 5 | Out-File runs.json "
			"(or Synchronization Service Manager > Operations).",
			0);
	}
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

/* The overall verdict is the worst connector's: resumed < resumed-staging
 * < resumed-with-errors < resumed-without-export < not-resumed; unknown
 * without connectors or when all are. */
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
