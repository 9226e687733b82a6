/* SPDX-License-Identifier: MIT */
/* report_text.c - the terminal view, verdict first: the upgrade's outcome,
 * versions and the sync verdict; the ranked findings with their evidence
 * (path:line or #record) and fix; missing evidence; the errors nothing
 * explains; what could not be read. Then the details: the upgrade phase
 * by phase, sync per connector, versions, host, wizard runs, installs and
 * run history. Written through tout (tout.h): fitted to the width, log
 * text escaped, colour only when the command line asks for it. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "reports/report.h"
#include "reports/rutil.h"
#include "reports/tout.h"

/* "2026-05-10T08:15:02.129Z" -> "2026-05-10 08:15:02"; with same_day, only
 * the time of day. */
static void
put_time(struct tout *t, const char *iso, const char *same_day)
{
	char b[32];

	tout_puts(t, report_time(b, iso, same_day, false));
}

static void
put_where(struct tout *t, const char *path, long long line)
{
	if (!path)
		return;
	if (line > 0)
		tout_printf(t, "%s:%lld", path, line);
	else
		tout_esc(t, path, 1000);
}

static void
put_first_line(struct tout *t, const char *msg, size_t max)
{
	if (msg)
		tout_escn(t, msg, strcspn(msg, "\r\n"), max);
}

static const char *
quality_note(const char *q)
{
	if (!q)
		return "";
	if (strcmp(q, "local-assumed") == 0)
		return " (local time read as UTC: offset unknown, see --utc-offset)";
	if (strcmp(q, "local-given") == 0)
		return " (local time, offset as given)";
	return "";
}

static void
versions(struct tout *t, const struct analysis *a)
{
	tout_puts(t, "VERSIONS  ");
	if (a->installed.value || a->target.value) {
		tout_printf(t, "installed %s -> target %s\n",
			a->installed.value ? a->installed.value
			: a->engine_absent.value ? "none found by the wizard (it installs, not upgrades)"
						 : "unknown",
			a->target.value ? a->target.value : "unknown");
		if (a->installed.value || a->engine_absent.value) {
			const struct an_value *v = a->installed.value ? &a->installed : &a->engine_absent;

			tout_puts(t, "          installed  ");
			put_where(t, v->path, v->line);
			tout_putc(t, '\n');
		}
		if (a->target.value) {
			tout_puts(t, "          target     ");
			put_where(t, a->target.path, a->target.line);
			tout_putc(t, '\n');
		}
	} else {
		tout_puts(t, "unknown: no wizard trace with a version was read\n");
	}
}

/* One "what it says, where" line of the versions block. */
static void
version_line(struct tout *t, const char *label, const struct an_value *v, const char *extra)
{
	if (!v->value)
		return;
	tout_printf(t, "          %-10s ", label);
	tout_esc(t, v->value, 100);
	if (extra)
		tout_puts(t, extra);
	tout_puts(t, "  ");
	put_where(t, v->path, v->line);
	tout_putc(t, '\n');
}

static void
settings(struct tout *t, const struct analysis *a)
{
	version_line(t, "config", &a->server_config_version,
		     " (ServerConfigurationVersion: the version whose wizard last completed)");
	version_line(t, "GUI", &a->gui_version, " (Help > About, as written down)");
	version_line(t, "export", &a->config_export_version, " (the configuration export was written by)");
	if (a->staging_mode.value || a->scheduler_suspended.value || a->autoupgrade_state.value) {
		tout_puts(t, "SETTINGS  ");
		if (a->staging_mode.value)
			tout_printf(t, "staging mode %s", a->staging_mode.value);
		if (a->scheduler_suspended.value)
			tout_printf(t, "%sscheduler suspended %s", a->staging_mode.value ? ", " : "",
				a->scheduler_suspended.value);
		if (a->autoupgrade_state.value) {
			tout_printf(t, "%sauto-upgrade %s", a->staging_mode.value || a->scheduler_suspended.value ? ", " : "",
				a->autoupgrade_state.value);
			if (a->autoupgrade_reason.value) {
				tout_puts(t, " (");
				tout_esc(t, a->autoupgrade_reason.value, 100);
				tout_putc(t, ')');
			}
		}
		tout_putc(t, '\n');
	}
}

static void
host(struct tout *t, const struct analysis *a)
{
	tout_puts(t, "HOST      ");
	if (a->os_version.value)
		tout_printf(t, "%s (%s)", a->os_name.value ? a->os_name.value : "Windows", a->os_version.value);
	else
		tout_puts(t, "OS unknown");
	if (a->dotnet_release.value)
		tout_printf(t, ", .NET Framework %s (release %s)",
			a->dotnet_version.value ? a->dotnet_version.value : "?", a->dotnet_release.value);
	else
		tout_puts(t, ", .NET unknown");
	if (a->tls12.value) {
		tout_puts(t, ", TLS 1.2 ");
		tout_esc(t, a->tls12.value, 200);
	} else {
		tout_puts(t, ", TLS 1.2 not reported");
	}
	tout_putc(t, '\n');
	for (size_t i = 0; i < a->ncomponents; i++) {
		tout_puts(t, i == 0 ? "          components " : "                     ");
		tout_esc(t, a->components[i].name, 80);
		tout_printf(t, " %s\n", a->components[i].version ? a->components[i].version : "?");
	}
}

static void
runs(struct tout *t, const struct analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nepisodes; i++)
		n += strcmp(a->episodes[i].kind, "wizard-run") == 0;
	tout_printf(t, "WIZARD RUNS (%zu)\n", n);
	for (size_t i = 0; i < a->nepisodes; i++) {
		const struct an_episode *e = &a->episodes[i];

		if (strcmp(e->kind, "wizard-run") != 0)
			continue;
		tout_puts(t, "  ");
		if (e->start) {
			put_time(t, e->start, NULL);
			tout_puts(t, " - ");
			put_time(t, e->end, e->start);
			tout_puts(t, " UTC");
		} else {
			tout_printf(t, "%s - %s local, date unknown", e->first_local ? e->first_local : "?",
				e->last_local ? e->last_local : "?");
		}
		tout_puts(t, "  ");
		put_where(t, e->path, 0);
		tout_printf(t, "  %s  %s", e->label, e->outcome);
		if (e->first_error_line > 0)
			tout_printf(t, ", first at line %lld", (long long)e->first_error_line);
		tout_printf(t, "%s\n", quality_note(e->time_q));
	}
}

static const char *
outcome_word(const char *o)
{
	if (strcmp(o, "succeeded") == 0)
		return "succeeded";
	if (strcmp(o, "succeeded-restart") == 0)
		return "succeeded, restart required";
	if (strcmp(o, "failed") == 0)
		return "FAILED";
	if (strcmp(o, "cancelled") == 0)
		return "cancelled";
	if (strcmp(o, "unknown-cut") == 0)
		return "outcome unknown: the log ends before the result";
	return "outcome unknown";
}

static void
put_line_ref(struct tout *t, long long line)
{
	if (line > 0)
		tout_printf(t, " (line %lld)", line);
}

static void
installs(struct tout *t, const struct analysis *a)
{
	if (!a->ninstalls)
		return;
	tout_printf(t, "INSTALLS (%zu)\n", a->ninstalls);
	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		const char *meaning = in->status >= 0 ? msi_status_text(in->status) : NULL;

		tout_puts(t, "  ");
		if (in->start) {
			put_time(t, in->start, NULL);
			tout_puts(t, " - ");
			put_time(t, in->end, in->start);
			tout_puts(t, " UTC");
		} else if (in->start_local) {
			tout_printf(t, "%.8s - %.8s local, date unknown", in->start_local,
				in->end_local ? in->end_local : "?");
		} else if (in->fail_time) {
			put_time(t, in->fail_time, NULL);
			tout_puts(t, " UTC");
		} else {
			tout_puts(t, "time unknown");
		}
		tout_puts(t, "  ");
		if (in->path)
			tout_esc(t, in->path, 400);
		else
			tout_puts(t, "(no MSI log in the case)");
		if (in->offset)
			tout_printf(t, " (local time, UTC offset %s from the wizard trace)", in->offset);
		else
			tout_puts(t, quality_note(in->time_q));
		tout_puts(t, "\n    ");
		tout_esc(t, in->product ? in->product : "product unknown", 200);
		if (in->version)
			tout_printf(t, " %s", in->version);
		tout_printf(t, ": %s", outcome_word(in->outcome));
		if (in->status > 0)
			tout_printf(t, ", status %lld%s%s%s", (long long)in->status, meaning ? " (" : "",
				meaning ? meaning : "", meaning ? ")" : "");
		tout_putc(t, '\n');
		if (in->fail_action) {
			tout_puts(t, "    first failure  ");
			tout_esc(t, in->fail_action, 100);
			tout_puts(t, " returned 3");
			if (in->fail_time) {
				tout_puts(t, " at ");
				put_time(t, in->fail_time, NULL);
				tout_puts(t, " UTC");
			} else if (in->fail_local) {
				tout_printf(t, " at %.8s local", in->fail_local);
			}
			put_line_ref(t, in->fail_line);
			tout_putc(t, '\n');
		}
		if (in->ca_name) {
			tout_puts(t, "    custom action  ");
			tout_esc(t, in->ca_name, 100);
			tout_printf(t, " returned error code %lld", (long long)in->ca_error);
			put_line_ref(t, in->ca_line);
			tout_putc(t, '\n');
		}
		for (size_t k = 0; k < in->ncontext; k++) {
			tout_puts(t, k ? "                   " : "    before it      ");
			tout_printf(t, "%lld  ", (long long)in->context[k].line);
			tout_esc(t, in->context[k].text, 160);
			tout_putc(t, '\n');
		}
		if (in->error_number >= 0) {
			tout_printf(t, "    error %-8lld ", (long long)in->error_number);
			put_first_line(t, in->error_text, 300);
			put_line_ref(t, in->error_line);
			tout_putc(t, '\n');
		}
		if (in->trace_path) {
			tout_puts(t, in->path ? "    wizard         " : "    seen in        ");
			put_where(t, in->trace_path, in->trace_line);
			if (in->path && in->trace_error_line)
				tout_printf(t, " (its copy of the error: line %lld)",
					(long long)in->trace_error_line);
			tout_putc(t, '\n');
		}
		if (in->missing_log) {
			tout_puts(t, "    missing        ");
			tout_esc(t, in->missing_log, 300);
			tout_puts(t, " (in %ProgramData%\\AADConnect on the server)\n");
		}
	}
}

static void
autoupgrades(struct tout *t, const struct analysis *a)
{
	if (!a->nautoupgrades)
		return;
	tout_printf(t, "AUTO-UPGRADE (%zu)\n", a->nautoupgrades);
	for (size_t i = 0; i < a->nautoupgrades; i++) {
		const struct an_autoupgrade *u = &a->autoupgrades[i];

		tout_puts(t, "  ");
		if (u->time) {
			put_time(t, u->time, NULL);
			tout_puts(t, " UTC  ");
		}
		tout_printf(t, "%-13s ", u->kind);
		tout_esc(t, u->code, 200);
		tout_puts(t, "  ");
		put_where(t, u->path, u->line);
		tout_putc(t, '\n');
	}
}

/* A table cell: escaped, cut at width bytes, padded to width columns. */
static void
put_cell(struct tout *t, const char *s, int width)
{
	int start = tout_col(t), used;

	if (s)
		tout_escn(t, s, strlen(s) < (size_t)width ? strlen(s) : (size_t)width, (size_t)width);
	used = tout_col(t) - start;
	if (used < width)
		tout_spaces(t, width - used);
}

static void
sync_runs(struct tout *t, const struct analysis *a)
{
	static const char *const kinds[RUN_KINDS] = { "import", "sync", "export" };
	bool marked = false;
	/* a table when the widest connector, profile and result fit, else
	 * one run per line */
	int wc = 9, wp = 7, wr = 6;
	bool table;

	for (size_t i = 0; i < a->nruns; i++) {
		const struct an_run *r = &a->runs[i];
		int n;

		if (r->connector && (n = (int)strlen(r->connector)) > wc)
			wc = n > 40 ? 40 : n;
		if (r->profile && (n = (int)strlen(r->profile)) > wp)
			wp = n > 30 ? 30 : n;
		if (r->result && (n = (int)strlen(r->result)) > wr)
			wr = n > 30 ? 30 : n;
	}
	table = 2 + 19 + 2 + 8 + 2 + wc + 2 + wp + 2 + wr + 2 + 6 <= t->width;

	if (!a->runs_total)
		return;
	tout_printf(t, "RUNS (%zu of %lld", a->nruns, (long long)a->runs_total);
	if (a->window_start) {
		tout_puts(t, ", around the upgrade window ");
		put_time(t, a->window_start, NULL);
		tout_puts(t, " - ");
		put_time(t, a->window_end, a->window_start);
		tout_printf(t, " UTC, from %s)\n", a->window_from);
	} else {
		tout_puts(t, ", the latest; no upgrade window in the case)\n");
	}
	if (table) {
		tout_puts(t, "  start                end       ");
		put_cell(t, "connector", wc);
		tout_puts(t, "  ");
		put_cell(t, "profile", wp);
		tout_puts(t, "  ");
		put_cell(t, "result", wr);
		tout_puts(t, "  errors\n");
	}
	for (size_t i = 0; i < a->nruns; i++) {
		const struct an_run *r = &a->runs[i];

		if (a->window_start && r->after_window && !marked) {
			tout_puts(t, "  ---- upgrade window ");
			put_time(t, a->window_start, NULL);
			tout_puts(t, " - ");
			put_time(t, a->window_end, a->window_start);
			tout_puts(t, " UTC ----\n");
			marked = true;
		}
		tout_puts(t, "  ");
		if (r->start)
			put_time(t, r->start, NULL);
		else
			tout_puts(t, "?                  ");
		tout_puts(t, "  ");
		if (r->end)
			put_time(t, r->end, r->start);
		else
			tout_puts(t, "?       ");
		tout_puts(t, "  ");
		if (table) {
			put_cell(t, r->connector, wc);
			tout_puts(t, "  ");
			put_cell(t, r->profile, wp);
			tout_puts(t, "  ");
			put_cell(t, r->result, wr);
			tout_printf(t, "  %lld", (long long)r->errors);
		} else {
			tout_hang(t);
			tout_esc(t, or_unknown(r->connector), 200);
			tout_puts(t, ", ");
			tout_esc(t, or_unknown(r->profile), 200);
			tout_puts(t, ": ");
			tout_esc(t, or_unknown(r->result), 200);
			if (r->errors)
				tout_printf(t, ", %lld error%s", (long long)r->errors, r->errors == 1 ? "" : "s");
		}
		if (r->connection && strcmp(r->connection, "success") != 0)
			tout_printf(t, " (connection: %s)", r->connection);
		tout_putc(t, '\n');
	}
	if (a->window_start && !marked) {
		tout_puts(t, "  ---- upgrade window ");
		put_time(t, a->window_start, NULL);
		tout_puts(t, " - ");
		put_time(t, a->window_end, a->window_start);
		tout_puts(t, " UTC: no run after it ----\n");
	}
	tout_puts(t, "SYNC BY CONNECTOR");
	tout_puts(t, a->window_start ? " (last success before the upgrade, first after)\n"
				     : " (last success)\n");
	for (size_t i = 0; i < a->nconnectors; i++) {
		const struct an_connector *c = &a->connectors[i];

		tout_puts(t, "  ");
		tout_esc(t, c->name, 120);
		tout_printf(t, "  (%lld runs", (long long)c->runs);
		if (a->window_start)
			tout_printf(t, ", %lld after the upgrade, %lld of them not successful",
				(long long)c->runs_after, (long long)c->failed_after);
		tout_puts(t, ")\n");
		for (int k = 0; k < RUN_KINDS; k++) {
			const struct an_run_ref *b = &c->before[k], *f = &c->after[k];

			if (!b->present && !f->present && !(a->window_start && k != RUN_SYNC))
				continue;
			tout_printf(t, "    %-7s before: ", kinds[k]);
			if (b->present) {
				put_time(t, b->time, NULL);
				tout_puts(t, " (");
				tout_esc(t, b->profile, 60);
				tout_puts(t, ")");
			} else {
				tout_puts(t, "none");
			}
			if (a->window_start) {
				tout_puts(t, "   after: ");
				if (f->present) {
					put_time(t, f->time, NULL);
					tout_puts(t, " (");
					tout_esc(t, f->profile, 60);
					tout_puts(t, ")");
				} else {
					tout_puts(t, "NONE");
				}
			}
			tout_putc(t, '\n');
		}
	}
}

/* "2026-05-10T08:15:02.129Z" -> "2026-05-10 08:15"; with same_day, "08:15". */
static void
put_minute(struct tout *t, const char *iso, const char *same_day)
{
	char b[32];

	tout_puts(t, report_time(b, iso, same_day, true));
}

/* path:line, else path#record (EVTX/XML record id), else path. */
static void
put_loc(struct tout *t, const char *path, long long line, long long record)
{
	if (!path)
		return;
	tout_esc(t, path, 400);
	if (line > 0)
		tout_printf(t, ":%lld", line);
	else if (record > 0)
		tout_printf(t, "#%lld", record);
}

static void
put_duration(struct tout *t, long long sec)
{
	char b[32];

	tout_puts(t, report_duration(b, sec));
}

/* Text that may span lines: continuation lines start at the current
 * column; line breaks in the text are kept (each following line starts
 * there too), control characters escaped; at most max bytes, then "...". */
static void
put_wrapped(struct tout *t, const char *s, size_t max)
{
	int col = tout_col(t);
	size_t used = 0;

	while (s && *s && used < max) {
		size_t n = strcspn(s, "\n");

		tout_hang(t);
		tout_escn(t, s, n, max - used);
		used += n + 1;
		s += n;
		if (*s == '\n' && s[1] && used < max) {
			tout_putc(t, '\n');
			tout_spaces(t, col);
		}
		if (*s)
			s++;
	}
	if (s && *s)
		tout_puts(t, " ...");
}

static const char *
outcome_sgr(const char *o)
{
	if (!o)
		return "33";
	if (strcmp(o, "succeeded") == 0 || strcmp(o, "resumed") == 0 || strcmp(o, "resumed-staging") == 0)
		return "1;32";
	if (strcmp(o, "failed") == 0 || strcmp(o, "not-resumed") == 0 || strcmp(o, "resumed-without-export") == 0)
		return "1;31";
	return "1;33";
}

static const char *
severity_sgr(const char *sev)
{
	if (!sev)
		return "0";
	if (strcmp(sev, "critical") == 0 || strcmp(sev, "error") == 0)
		return "1;31";
	if (strcmp(sev, "warning") == 0)
		return "33";
	return "36";
}

static void
heading(struct tout *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
heading(struct tout *t, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	tout_sgr(t, "1");
	tout_puts(t, tmp);
	tout_sgr(t, "0");
	tout_putc(t, '\n');
}

/* The verdict: the upgrade's outcome and versions, the sync verdict per
 * connector, the findings by severity. */
static void
verdict(struct tout *t, const struct analysis *a)
{
	static const char *const sev[] = { "critical", "error", "warning", "info" };
	size_t count[4] = { 0 };

	heading(t, "VERDICT");
	tout_puts(t, "  case      ");
	tout_hang(t);
	tout_sgr(t, !a->judgement || !strcmp(a->judgement, "findings") ? "1;31"
		    : !strcmp(a->judgement, "healthy") ? "32" : "33");
	tout_puts(t, report_judgement_text(a->judgement));
	tout_sgr(t, "0");
	if (has(a->judgement_basis)) {
		tout_puts(t, ": ");
		tout_esc(t, a->judgement_basis, 300);
	}
	tout_putc(t, '\n');
	if (!a->nupgrades)
		tout_puts(t, "  upgrade   no upgrade attempt found\n");
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		tout_puts(t, "  upgrade   ");
		tout_esc(t, or_unknown(u->from), 60);
		tout_puts(t, " -> ");
		tout_esc(t, or_unknown(u->to), 60);
		tout_puts(t, "  ");
		tout_sgr(t, outcome_sgr(u->outcome));
		tout_puts(t, or_unknown(u->outcome));
		tout_sgr(t, "0");
		if (u->started || u->ended) {
			tout_puts(t, "  ");
			put_minute(t, u->started, NULL);
			tout_puts(t, " - ");
			put_minute(t, u->ended, u->started);
			tout_puts(t, " UTC");
		}
		tout_putc(t, '\n');
	}
	tout_puts(t, "  versions  ");
	if (a->installed.value || a->target.value || a->engine_absent.value) {
		tout_puts(t, "installed ");
		tout_esc(t, a->installed.value ? a->installed.value
			    : a->engine_absent.value ? "none" : "unknown", 60);
		tout_puts(t, ", target ");
		tout_esc(t, or_unknown(a->target.value), 60);
		if (a->gui_version.value) {
			tout_puts(t, ", Help > About ");
			tout_esc(t, a->gui_version.value, 60);
		}
	} else {
		tout_puts(t, "unknown (no wizard trace with a version was read)");
	}
	tout_putc(t, '\n');
	tout_puts(t, "  sync      ");
	tout_sgr(t, outcome_sgr(a->sync_verdict));
	tout_puts(t, or_unknown(a->sync_verdict));
	tout_sgr(t, "0");
	tout_putc(t, '\n');
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];

		tout_puts(t, "            ");
		tout_esc(t, or_unknown(c->connector), 120);
		tout_puts(t, ": ");
		tout_sgr(t, outcome_sgr(c->verdict));
		tout_puts(t, or_unknown(c->verdict));
		tout_sgr(t, "0");
		if (c->resumed_time) {
			tout_puts(t, " at ");
			put_minute(t, c->resumed_time, NULL);
			tout_puts(t, " UTC");
		}
		tout_putc(t, '\n');
	}
	for (size_t i = 0; i < a->nfindings; i++)
		for (size_t k = 0; k < 4; k++)
			if (a->findings[i].severity && strcmp(a->findings[i].severity, sev[k]) == 0)
				count[k]++;
	tout_printf(t, "  findings  %zu", a->nfindings);
	for (size_t k = 0, first = 1; k < 4; k++) {
		if (!count[k])
			continue;
		tout_puts(t, first ? ": " : ", ");
		tout_sgr(t, severity_sgr(sev[k]));
		tout_printf(t, "%zu %s", count[k], sev[k]);
		tout_sgr(t, "0");
		first = 0;
	}
	tout_putc(t, '\n');
	if (a->ncomputers > 1) {
		tout_printf(t, "  computers %zu: ", a->ncomputers);
		tout_hang(t);
		for (size_t i = 0; i < a->ncomputers; i++) {
			tout_puts(t, i ? ", " : "");
			tout_esc(t, a->computers[i].name, 100);
			tout_printf(t, " (%lld file%s)", (long long)a->computers[i].files,
				    a->computers[i].files == 1 ? "" : "s");
		}
		tout_puts(t, "; times and findings are kept per computer\n");
	}
	tout_putc(t, '\n');
}

static void
upgrade_phases(struct tout *t, const struct analysis *a)
{
	static const char *const names[PHASES] = { "baseline", "backup", "upgrade", "verify" };

	if (!a->nupgrades)
		return;
	tout_printf(t, "UPGRADE (%zu attempt%s)\n", a->nupgrades, a->nupgrades == 1 ? "" : "s");
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		tout_puts(t, "  ");
		tout_esc(t, or_unknown(u->from), 60);
		tout_puts(t, " -> ");
		tout_esc(t, or_unknown(u->to), 60);
		tout_printf(t, "  %s", or_unknown(u->outcome));
		if (u->path) {
			tout_puts(t, "  ");
			put_loc(t, u->path, u->line, 0);
		}
		tout_putc(t, '\n');
		for (int k = 0; k < PHASES; k++) {
			const struct an_phase *p = &u->phases[k];

			tout_printf(t, "    %-8s  %s", names[k], or_unknown(p->state));
			if ((p->time || has(p->detail) || p->path) && strlen(or_unknown(p->state)) < 8)
				tout_spaces(t, 8 - strlen(or_unknown(p->state)));
			if (p->time) {
				tout_puts(t, "  ");
				put_time(t, p->time, u->started);
			}
			if (has(p->detail)) {
				tout_puts(t, "  ");
				put_first_line(t, p->detail, 200);
			}
			if (p->path) {
				tout_puts(t, "  ");
				put_loc(t, p->path, p->line, 0);
			}
			tout_putc(t, '\n');
		}
		tout_puts(t, "    sync paused  ");
		if (u->pause_start || u->pause_end) {
			put_time(t, u->pause_start, NULL);
			tout_puts(t, " - ");
			put_time(t, u->pause_end, u->pause_start);
			tout_puts(t, " UTC");
			if (u->pause_seconds >= 0) {
				tout_puts(t, " (");
				put_duration(t, u->pause_seconds);
				tout_putc(t, ')');
			}
		} else if (u->pause_seconds >= 0) {
			put_duration(t, u->pause_seconds);
		} else {
			tout_puts(t, "unknown");
		}
		tout_putc(t, '\n');
	}
	tout_putc(t, '\n');
}

static void
sync_verdicts(struct tout *t, const struct analysis *a)
{
	if (!a->nsyncs)
		return;
	tout_printf(t, "SYNC (%s)\n", or_unknown(a->sync_verdict));
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];
		const char *kind[RUN_KINDS] = { c->import_time, c->sync_time, c->export_time };
		static const char *const kname[RUN_KINDS] = { "import", "sync", "export" };

		tout_puts(t, "  ");
		tout_esc(t, or_unknown(c->connector), 120);
		tout_printf(t, ": %s (", or_unknown(c->verdict));
		if (c->resumed_time) {
			tout_puts(t, "at ");
			put_time(t, c->resumed_time, NULL);
			tout_puts(t, " UTC, ");
		}
		if (c->seconds_to_resume >= 0) {
			put_duration(t, c->seconds_to_resume);
			tout_puts(t, " after the upgrade, ");
		}
		tout_printf(t, "basis %s)\n", has(c->basis) ? c->basis : "none");
		if (c->import_time || c->sync_time || c->export_time) {
			tout_puts(t, "    first after ");
			for (int k = 0; k < RUN_KINDS; k++) {
				tout_printf(t, "%s%s ", k ? ", " : "", kname[k]);
				if (kind[k])
					put_time(t, kind[k], NULL);
				else
					tout_puts(t, "none");
			}
			tout_putc(t, '\n');
		}
		if (c->runs_after >= 0)
			tout_printf(t, "    runs after  %lld, %lld not successful\n", (long long)c->runs_after,
				(long long)(c->failed_after > 0 ? c->failed_after : 0));
		if (has(c->note)) {
			tout_puts(t, "    note        ");
			put_wrapped(t, c->note, 1000);
			tout_putc(t, '\n');
		}
		if (c->path) {
			tout_puts(t, "    evidence    ");
			put_loc(t, c->path, c->line, 0);
			tout_putc(t, '\n');
		}
	}
	tout_putc(t, '\n');
}

/* Whether the finding explains the error that stopped a run, rests on
 * errors a run survived, or on pasted text or notes only. */
static void
finding_role(struct tout *t, const struct an_finding *f)
{
	if (has(f->stop_role) && !strcmp(f->stop_role, "stopped")) {
		tout_puts(t, "      stopped   ");
		tout_hang(t);
		tout_puts(t, has(f->stop_run) && !strcmp(f->stop_run, "install") ? "the install: " : "the wizard run: ");
		put_loc(t, f->stop_path, f->stop_line, -1);
		tout_putc(t, '\n');
	} else if (has(f->stop_role) && !strcmp(f->stop_role, "survived")) {
		tout_puts(t, "      survived  logged; the run went on\n");
	}
	if (has(f->basis) && strcmp(f->basis, "logs") != 0) {
		tout_puts(t, "      basis     ");
		tout_hang(t);
		tout_puts(t, report_basis_text(f->basis));
		tout_putc(t, '\n');
	}
}

/* The other records of the same failure, on one line. */
static void
context_lines(struct tout *t, const struct an_finding *f)
{
	size_t n = 0;
	const char *path = NULL;

	for (size_t k = 0; k < f->nev; k++) {
		const struct an_evidence *e = &f->ev[k];

		if (!e->context)
			continue;
		if (!n++) {
			tout_puts(t, "      context   ");
			tout_hang(t);
		} else {
			tout_puts(t, ", ");
		}
		if (!path || !e->path || strcmp(path, e->path) != 0) {
			put_loc(t, e->path, e->line, e->record);
			path = e->path;
		} else if (e->record >= 0) {
			tout_printf(t, "#%lld", (long long)e->record);
		} else {
			tout_printf(t, "%lld", (long long)e->line);
		}
	}
	if (n)
		tout_printf(t, "  (%zu record%s of the same failure)\n", n, n == 1 ? "" : "s");
}

static void
findings(struct tout *t, const struct analysis *a)
{
	heading(t, "FINDINGS (%zu)", a->nfindings);
	if (!a->nfindings)
		tout_puts(t, "  none\n");
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct an_finding *f = &a->findings[i];

		tout_printf(t, "  [%lld] ", (long long)(f->rank > 0 ? f->rank : (int64_t)i + 1));
		tout_sgr(t, severity_sgr(f->severity));
		tout_puts(t, or_unknown(f->severity));
		tout_sgr(t, "0");
		tout_putc(t, ' ');
		tout_sgr(t, "1");
		tout_esc(t, f->rule, 100);
		tout_sgr(t, "0");
		tout_puts(t, ": ");
		tout_hang(t);
		tout_esc(t, f->title, 300);
		tout_putc(t, '\n');
		if (has(f->explained_by)) {
			tout_puts(t, "      caused by ");
			tout_esc(t, f->explained_by, 100);
			tout_putc(t, '\n');
		}
		tout_printf(t, "      confidence %s", or_unknown(f->confidence));
		if (has(f->kind))
			tout_printf(t, ", %s", f->kind);
		if (f->time) {
			tout_puts(t, ", at ");
			put_time(t, f->time, NULL);
			tout_puts(t, " UTC");
		}
		tout_putc(t, '\n');
		finding_role(t, f);
		if (has(f->summary)) {
			tout_puts(t, "      ");
			put_wrapped(t, f->summary, 2000);
			tout_putc(t, '\n');
		}
		for (size_t k = 0; k < f->nev; k++) {
			const struct an_evidence *e = &f->ev[k];

			if (e->context)
				continue;
			tout_puts(t, "      evidence  ");
			tout_hang(t);
			put_loc(t, e->path, e->line, e->record);
			if (has(e->note)) {
				tout_puts(t, "  (");
				tout_esc(t, e->note, 300);
				tout_putc(t, ')');
			}
			if (report_pasted(e->format))
				tout_printf(t, "  [%s]", report_pasted(e->format));
			tout_putc(t, '\n');
			if (e->nctx) {
				const struct an_ctxline *l = &e->ctx[e->self];

				tout_puts(t, "              > ");
				put_first_line(t, l->text, 300);
				tout_putc(t, '\n');
			} else if (has(e->message)) {
				tout_puts(t, "              > ");
				put_first_line(t, e->message, 300);
				tout_putc(t, '\n');
			}
		}
		context_lines(t, f);
		if (has(f->remediation)) {
			tout_puts(t, "      fix       ");
			put_wrapped(t, f->remediation, 4000);
			tout_putc(t, '\n');
		}
	}
	tout_putc(t, '\n');
}

static void
missing_evidence(struct tout *t, const struct analysis *a)
{
	if (!a->nmissing)
		return;
	tout_printf(t, "MISSING EVIDENCE (%zu)\n", a->nmissing);
	for (size_t i = 0; i < a->nmissing; i++) {
		const struct an_missing *m = &a->missing[i];

		tout_puts(t, "  ");
		put_wrapped(t, or_unknown(m->question), 1000);
		tout_putc(t, '\n');
		if (has(m->collect)) {
			tout_puts(t, "    collect  ");
			put_wrapped(t, m->collect, 2000);
			tout_putc(t, '\n');
		}
		if (has(m->how)) {
			tout_puts(t, "    how      ");
			put_wrapped(t, m->how, 4000);
			tout_putc(t, '\n');
		}
	}
	tout_putc(t, '\n');
}

static void
unexplained(struct tout *t, const struct analysis *a)
{
	if (!a->nunexplained)
		return;
	tout_printf(t, "UNEXPLAINED ERRORS (%zu)\n", a->nunexplained);
	for (size_t i = 0; i < a->nunexplained; i++) {
		const struct an_unexplained *u = &a->unexplained[i];

		tout_printf(t, "  %lld x ", (long long)u->count);
		put_first_line(t, u->template, 200);
		tout_putc(t, '\n');
		tout_printf(t, "      in %lld source%s", (long long)u->sources, u->sources == 1 ? "" : "s");
		if (u->first_time) {
			tout_puts(t, ", first at ");
			put_time(t, u->first_time, NULL);
			tout_puts(t, " UTC");
		}
		if (has(u->level))
			tout_printf(t, ", level %s", u->level);
		if (has(u->provider)) {
			tout_puts(t, ", provider ");
			tout_esc(t, u->provider, 100);
		}
		tout_putc(t, '\n');
		if (u->path || u->example) {
			tout_puts(t, "      example  ");
			put_loc(t, u->path, u->line, u->record);
			if (u->example) {
				tout_puts(t, u->path ? "  " : "");
				put_first_line(t, u->example, 160);
			}
			tout_putc(t, '\n');
		}
	}
	tout_putc(t, '\n');
}

/* A source's computer and clock (the --all-sources list). */
static void
put_clock(struct tout *t, const struct an_source *s)
{
	bool local = s->clock && (strcmp(s->clock, "derived") == 0 || strcmp(s->clock, "assumed") == 0 ||
				  strcmp(s->clock, "header") == 0 || strcmp(s->clock, "given") == 0);

	if (!s->host && !local)
		return;
	tout_puts(t, "            ");
	tout_hang(t);
	if (s->host) {
		tout_puts(t, "on ");
		tout_esc(t, s->host, 200);
		tout_puts(t, local ? "; " : "");
	}
	if (local && strcmp(s->clock, "assumed") == 0) {
		tout_puts(t, "local times read as UTC: ");
		tout_esc(t, s->clock_from ? s->clock_from : "offset unknown", 400);
	} else if (local) {
		tout_printf(t, "local times at UTC%s", s->utc_offset ? s->utc_offset : " offset unknown");
		if (s->clock_from) {
			tout_puts(t, " from ");
			tout_esc(t, s->clock_from, 400);
		}
	}
	tout_putc(t, '\n');
}

static void
put_source(struct tout *t, const struct an_source *s)
{
	bool parsed = strcmp(s->status, "parsed") == 0;

	tout_printf(t, "  %-9s ", s->status);
	tout_hang(t);
	tout_esc(t, s->path, 400);
	if (parsed)
		tout_printf(t, "  %s, %s, %lld records", s->format, s->encoding, (long long)s->records);
	if (parsed && s->skipped > 0)
		tout_printf(t, ", %lld skipped (%lld bytes)", (long long)s->skipped, (long long)s->bytes_skipped);
	if (s->reason) {
		tout_puts(t, ": ");
		tout_esc(t, s->reason, 300);
	}
	if (s->duplicate_of) {
		tout_puts(t, " (");
		tout_esc(t, s->duplicate_of, 300);
		tout_putc(t, ')');
	}
	tout_putc(t, '\n');
	for (size_t k = 0; k < s->nprobs; k++) {
		tout_puts(t, "            ");
		if (s->probs[k].line > 0)
			tout_printf(t, "line %lld: ", (long long)s->probs[k].line);
		else if (s->probs[k].offset >= 0)
			tout_printf(t, "offset %lld: ", (long long)s->probs[k].offset);
		tout_hang(t);
		tout_esc(t, s->probs[k].message, 300);
		tout_putc(t, '\n');
	}
	if ((int64_t)s->nprobs < s->problems)
		tout_printf(t, "            ... %lld problems in all (ecdiag sources)\n", (long long)s->problems);
}

/* Inputs that were not read, or not all of them: failed, skipped (not a
 * format ecdiag reads) and parsed with problems. */
static void
unread(struct tout *t, const struct analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nsources; i++)
		n += report_unread(&a->sources[i]);
	heading(t, "COULD NOT BE READ (%zu)", n);
	if (!n)
		tout_puts(t, "  nothing: every input was read whole\n");
	for (size_t i = 0; i < a->nsources; i++)
		if (report_unread(&a->sources[i]))
			put_source(t, &a->sources[i]);
	tout_putc(t, '\n');
}

static void
read_summary(struct tout *t, const struct analysis *a, const struct report_opts *o)
{
	tout_printf(t, "READ      %zu input%s: %zu parsed (%lld records), %zu skipped", a->nsources - a->narchives,
		    a->nsources - a->narchives == 1 ? "" : "s", a->nparsed, (long long)a->nrecords, a->nskipped);
	if (a->nduplicate)
		tout_printf(t, ", %zu duplicate", a->nduplicate);
	if (a->nfailed)
		tout_printf(t, ", %zu unreadable", a->nfailed);
	if (a->narchives)
		tout_printf(t, "; from %zu archive%s", a->narchives, a->narchives == 1 ? "" : "s");
	tout_putc(t, '\n');
	if (!o->show_sources)
		return;
	for (size_t i = 0; i < a->nsources; i++) {
		if (strcmp(a->sources[i].status, "archive") != 0) {
			put_source(t, &a->sources[i]);
			put_clock(t, &a->sources[i]);
		}
	}
}

int
report_text(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	struct tout t;

	tout_init(&t, out, o->width > 0 ? o->width : 80, o->color);
	tout_printf(&t, "ecdiag %s", ECDIAG_VERSION);
	if (o->db_path) {
		tout_puts(&t, "  case database ");
		tout_esc(&t, o->db_path, 1000);
	}
	tout_putc(&t, '\n');
	if (!a->current)
		tout_puts(&t, "note: the analysis is older than the last ingest; run 'ecdiag analyze'\n");
	tout_putc(&t, '\n');
	verdict(&t, a);
	findings(&t, a);
	missing_evidence(&t, a);
	unexplained(&t, a);
	unread(&t, a);
	upgrade_phases(&t, a);
	sync_verdicts(&t, a);
	versions(&t, a);
	settings(&t, a);
	host(&t, a);
	runs(&t, a);
	installs(&t, a);
	autoupgrades(&t, a);
	sync_runs(&t, a);
	read_summary(&t, a, o);
	return tout_done(&t);
}
