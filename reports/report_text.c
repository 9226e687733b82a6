/* SPDX-License-Identifier: MIT */
/* report_text.c - the terminal view: the verdict, the upgrade attempts
 * phase by phase, sync per connector, the ranked findings with evidence,
 * what to collect and the errors nothing explains; then versions, host,
 * wizard runs, installs, run history and what could not be read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "reports/report.h"

#define WRAP_WIDTH 78

void
report_put_escaped(FILE *out, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] < 0xa0)
			fprintf(out, "\\x%02x", (unsigned char)*++s);	/* C1 controls (U+0080..U+009F) */
		else
			fputc(c, out);
	}
	if (s && *s)
		fputs("...", out);
}

/* "2026-05-10T08:15:02.129Z" -> "2026-05-10 08:15:02"; with same_day, only
 * the time of day. */
static void
put_time(FILE *out, const char *iso, const char *same_day)
{
	if (!iso) {
		fputs("?", out);
		return;
	}
	if (same_day && strncmp(iso, same_day, 10) == 0)
		fprintf(out, "%.8s", iso + 11);
	else
		fprintf(out, "%.10s %.8s", iso, iso + 11);
}

static void
put_where(FILE *out, const char *path, long long line)
{
	if (!path)
		return;
	if (line > 0)
		fprintf(out, "%s:%lld", path, line);
	else
		fputs(path, out);
}

static void
put_first_line(FILE *out, const char *msg, size_t max)
{
	char one[1024];
	size_t n = 0;

	if (!msg)
		return;
	while (msg[n] && msg[n] != '\n' && n < sizeof(one) - 1) {
		one[n] = msg[n];
		n++;
	}
	one[n] = '\0';
	report_put_escaped(out, one, max);
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
versions(FILE *out, const struct analysis *a)
{
	fputs("VERSIONS  ", out);
	if (a->installed.value || a->target.value) {
		fprintf(out, "installed %s -> target %s\n",
			a->installed.value ? a->installed.value
			: a->engine_absent.value ? "none found by the wizard (it installs, not upgrades)"
						 : "unknown",
			a->target.value ? a->target.value : "unknown");
		if (a->installed.value || a->engine_absent.value) {
			const struct an_value *v = a->installed.value ? &a->installed : &a->engine_absent;

			fputs("          installed  ", out);
			put_where(out, v->path, v->line);
			fputc('\n', out);
		}
		if (a->target.value) {
			fputs("          target     ", out);
			put_where(out, a->target.path, a->target.line);
			fputc('\n', out);
		}
	} else {
		fputs("unknown: no wizard trace with a version was read\n", out);
	}
}

/* One "what it says, where" line of the versions block. */
static void
version_line(FILE *out, const char *label, const struct an_value *v, const char *extra)
{
	if (!v->value)
		return;
	fprintf(out, "          %-10s ", label);
	report_put_escaped(out, v->value, 100);
	if (extra)
		fputs(extra, out);
	fputs("  ", out);
	put_where(out, v->path, v->line);
	fputc('\n', out);
}

static void
settings(FILE *out, const struct analysis *a)
{
	version_line(out, "config", &a->server_config_version,
		     " (ServerConfigurationVersion: the version whose wizard last completed)");
	version_line(out, "GUI", &a->gui_version, " (Help > About, as written down)");
	version_line(out, "export", &a->config_export_version, " (the configuration export was written by)");
	if (a->staging_mode.value || a->scheduler_suspended.value || a->autoupgrade_state.value) {
		fputs("SETTINGS  ", out);
		if (a->staging_mode.value)
			fprintf(out, "staging mode %s", a->staging_mode.value);
		if (a->scheduler_suspended.value)
			fprintf(out, "%sscheduler suspended %s", a->staging_mode.value ? ", " : "",
				a->scheduler_suspended.value);
		if (a->autoupgrade_state.value) {
			fprintf(out, "%sauto-upgrade %s", a->staging_mode.value || a->scheduler_suspended.value ? ", " : "",
				a->autoupgrade_state.value);
			if (a->autoupgrade_reason.value) {
				fputs(" (", out);
				report_put_escaped(out, a->autoupgrade_reason.value, 100);
				fputc(')', out);
			}
		}
		fputc('\n', out);
	}
}

static void
host(FILE *out, const struct analysis *a)
{
	fputs("HOST      ", out);
	if (a->os_version.value)
		fprintf(out, "%s (%s)", a->os_name.value ? a->os_name.value : "Windows", a->os_version.value);
	else
		fputs("OS unknown", out);
	if (a->dotnet_release.value)
		fprintf(out, ", .NET Framework %s (release %s)",
			a->dotnet_version.value ? a->dotnet_version.value : "?", a->dotnet_release.value);
	else
		fputs(", .NET unknown", out);
	if (a->tls12.value) {
		fputs(", TLS 1.2 ", out);
		report_put_escaped(out, a->tls12.value, 200);
	} else {
		fputs(", TLS 1.2 not reported", out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < a->ncomponents; i++) {
		fputs(i == 0 ? "          components " : "                     ", out);
		report_put_escaped(out, a->components[i].name, 80);
		fprintf(out, " %s\n", a->components[i].version ? a->components[i].version : "?");
	}
}

static void
runs(FILE *out, const struct analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nepisodes; i++)
		n += strcmp(a->episodes[i].kind, "wizard-run") == 0;
	fprintf(out, "WIZARD RUNS (%zu)\n", n);
	for (size_t i = 0; i < a->nepisodes; i++) {
		const struct an_episode *e = &a->episodes[i];

		if (strcmp(e->kind, "wizard-run") != 0)
			continue;
		fputs("  ", out);
		if (e->start) {
			put_time(out, e->start, NULL);
			fputs(" - ", out);
			put_time(out, e->end, e->start);
			fputs(" UTC", out);
		} else {
			fprintf(out, "%s - %s local, date unknown", e->first_local ? e->first_local : "?",
				e->last_local ? e->last_local : "?");
		}
		fputs("  ", out);
		put_where(out, e->path, 0);
		fprintf(out, "  %s  %s", e->label, e->outcome);
		if (e->first_error_line > 0)
			fprintf(out, ", first at line %lld", (long long)e->first_error_line);
		fprintf(out, "%s\n", quality_note(e->time_q));
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
put_line_ref(FILE *out, long long line)
{
	if (line > 0)
		fprintf(out, " (line %lld)", line);
}

static void
installs(FILE *out, const struct analysis *a)
{
	if (!a->ninstalls)
		return;
	fprintf(out, "INSTALLS (%zu)\n", a->ninstalls);
	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		const char *meaning = in->status >= 0 ? msi_status_text(in->status) : NULL;

		fputs("  ", out);
		if (in->start) {
			put_time(out, in->start, NULL);
			fputs(" - ", out);
			put_time(out, in->end, in->start);
			fputs(" UTC", out);
		} else if (in->start_local) {
			fprintf(out, "%.8s - %.8s local, date unknown", in->start_local,
				in->end_local ? in->end_local : "?");
		} else if (in->fail_time) {
			put_time(out, in->fail_time, NULL);
			fputs(" UTC", out);
		} else {
			fputs("time unknown", out);
		}
		fputs("  ", out);
		if (in->path)
			report_put_escaped(out, in->path, 400);
		else
			fputs("(no MSI log in the case)", out);
		if (in->offset)
			fprintf(out, " (local time, UTC offset %s from the wizard trace)", in->offset);
		else
			fputs(quality_note(in->time_q), out);
		fputs("\n    ", out);
		report_put_escaped(out, in->product ? in->product : "product unknown", 200);
		if (in->version)
			fprintf(out, " %s", in->version);
		fprintf(out, ": %s", outcome_word(in->outcome));
		if (in->status > 0)
			fprintf(out, ", status %lld%s%s%s", (long long)in->status, meaning ? " (" : "",
				meaning ? meaning : "", meaning ? ")" : "");
		fputc('\n', out);
		if (in->fail_action) {
			fputs("    first failure  ", out);
			report_put_escaped(out, in->fail_action, 100);
			fputs(" returned 3", out);
			if (in->fail_time) {
				fputs(" at ", out);
				put_time(out, in->fail_time, NULL);
				fputs(" UTC", out);
			} else if (in->fail_local) {
				fprintf(out, " at %.8s local", in->fail_local);
			}
			put_line_ref(out, in->fail_line);
			fputc('\n', out);
		}
		if (in->ca_name) {
			fputs("    custom action  ", out);
			report_put_escaped(out, in->ca_name, 100);
			fprintf(out, " returned error code %lld", (long long)in->ca_error);
			put_line_ref(out, in->ca_line);
			fputc('\n', out);
		}
		for (size_t k = 0; k < in->ncontext; k++) {
			fputs(k ? "                   " : "    before it      ", out);
			fprintf(out, "%lld  ", (long long)in->context[k].line);
			report_put_escaped(out, in->context[k].text, 160);
			fputc('\n', out);
		}
		if (in->error_number >= 0) {
			fprintf(out, "    error %-8lld ", (long long)in->error_number);
			put_first_line(out, in->error_text, 300);
			put_line_ref(out, in->error_line);
			fputc('\n', out);
		}
		if (in->trace_path) {
			fputs(in->path ? "    wizard         " : "    seen in        ", out);
			put_where(out, in->trace_path, in->trace_line);
			if (in->path && in->trace_error_line)
				fprintf(out, " (its copy of the error: line %lld)",
					(long long)in->trace_error_line);
			fputc('\n', out);
		}
		if (in->missing_log) {
			fputs("    missing        ", out);
			report_put_escaped(out, in->missing_log, 300);
			fputs(" (in %ProgramData%\\AADConnect on the server)\n", out);
		}
	}
}

static void
autoupgrades(FILE *out, const struct analysis *a)
{
	if (!a->nautoupgrades)
		return;
	fprintf(out, "AUTO-UPGRADE (%zu)\n", a->nautoupgrades);
	for (size_t i = 0; i < a->nautoupgrades; i++) {
		const struct an_autoupgrade *u = &a->autoupgrades[i];

		fputs("  ", out);
		if (u->time) {
			put_time(out, u->time, NULL);
			fputs(" UTC  ", out);
		}
		fprintf(out, "%-13s ", u->kind);
		report_put_escaped(out, u->code, 200);
		fputs("  ", out);
		put_where(out, u->path, u->line);
		fputc('\n', out);
	}
}

static void
put_cell(FILE *out, const char *s, int width)
{
	int n = 0;

	for (; s && *s && n < width; s++, n++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
		/* count a UTF-8 sequence as one column */
		while ((s[1] & 0xC0) == 0x80)
			fputc(*++s, out);
	}
	for (; n < width; n++)
		fputc(' ', out);
}

static void
sync_runs(FILE *out, const struct analysis *a)
{
	static const char *const kinds[RUN_KINDS] = { "import", "sync", "export" };
	bool marked = false;

	if (!a->runs_total)
		return;
	fprintf(out, "RUNS (%zu of %lld", a->nruns, (long long)a->runs_total);
	if (a->window_start) {
		fputs(", around the upgrade window ", out);
		put_time(out, a->window_start, NULL);
		fputs(" - ", out);
		put_time(out, a->window_end, a->window_start);
		fprintf(out, " UTC, from %s)\n", a->window_from);
	} else {
		fputs(", the latest; no upgrade window in the case)\n", out);
	}
	fputs("  start                end       connector                       profile                  "
	      "result                        errors\n", out);
	for (size_t i = 0; i < a->nruns; i++) {
		const struct an_run *r = &a->runs[i];

		if (a->window_start && r->after_window && !marked) {
			fputs("  ---- upgrade window ", out);
			put_time(out, a->window_start, NULL);
			fputs(" - ", out);
			put_time(out, a->window_end, a->window_start);
			fputs(" UTC ----\n", out);
			marked = true;
		}
		fputs("  ", out);
		if (r->start)
			put_time(out, r->start, NULL);
		else
			fputs("?                  ", out);
		fputs("  ", out);
		if (r->end)
			put_time(out, r->end, r->start);
		else
			fputs("?       ", out);
		fputs("  ", out);
		put_cell(out, r->connector, 30);
		fputs("  ", out);
		put_cell(out, r->profile, 23);
		fputs("  ", out);
		put_cell(out, r->result, 28);
		fprintf(out, "  %lld", (long long)r->errors);
		if (r->connection && strcmp(r->connection, "success") != 0)
			fprintf(out, " (connection: %s)", r->connection);
		fputc('\n', out);
	}
	if (a->window_start && !marked) {
		fputs("  ---- upgrade window ", out);
		put_time(out, a->window_start, NULL);
		fputs(" - ", out);
		put_time(out, a->window_end, a->window_start);
		fputs(" UTC: no run after it ----\n", out);
	}
	fputs("SYNC BY CONNECTOR", out);
	fputs(a->window_start ? " (last success before the upgrade, first after)\n"
			      : " (last success)\n", out);
	for (size_t i = 0; i < a->nconnectors; i++) {
		const struct an_connector *c = &a->connectors[i];

		fputs("  ", out);
		report_put_escaped(out, c->name, 120);
		fprintf(out, "  (%lld runs", (long long)c->runs);
		if (a->window_start)
			fprintf(out, ", %lld after the upgrade, %lld of them not successful",
				(long long)c->runs_after, (long long)c->failed_after);
		fputs(")\n", out);
		for (int k = 0; k < RUN_KINDS; k++) {
			const struct an_run_ref *b = &c->before[k], *f = &c->after[k];

			if (!b->present && !f->present && !(a->window_start && k != RUN_SYNC))
				continue;
			fprintf(out, "    %-7s before: ", kinds[k]);
			if (b->present) {
				put_time(out, b->time, NULL);
				fputs(" (", out);
				report_put_escaped(out, b->profile, 60);
				fputs(")", out);
			} else {
				fputs("none", out);
			}
			if (a->window_start) {
				fputs("   after: ", out);
				if (f->present) {
					put_time(out, f->time, NULL);
					fputs(" (", out);
					report_put_escaped(out, f->profile, 60);
					fputs(")", out);
				} else {
					fputs("NONE", out);
				}
			}
			fputc('\n', out);
		}
	}
}

/* "2026-05-10T08:15:02.129Z" -> "2026-05-10 08:15"; with same_day, "08:15". */
static void
put_minute(FILE *out, const char *iso, const char *same_day)
{
	if (!iso || strlen(iso) < 16) {
		fputs("?", out);
		return;
	}
	if (same_day && strncmp(iso, same_day, 10) == 0)
		fprintf(out, "%.5s", iso + 11);
	else
		fprintf(out, "%.10s %.5s", iso, iso + 11);
}

/* path:line, else path#record (EVTX/XML record id), else path. */
static void
put_loc(FILE *out, const char *path, long long line, long long record)
{
	if (!path)
		return;
	report_put_escaped(out, path, 400);
	if (line > 0)
		fprintf(out, ":%lld", line);
	else if (record > 0)
		fprintf(out, "#%lld", record);
}

static void
put_duration(FILE *out, long long sec)
{
	if (sec < 60)
		fprintf(out, "%lld s", sec);
	else if (sec < 3600)
		fprintf(out, "%lld min %lld s", sec / 60, sec % 60);
	else if (sec < 86400)
		fprintf(out, "%lld h %lld min", sec / 3600, sec % 3600 / 60);
	else
		fprintf(out, "%lld d %lld h", sec / 86400, sec % 86400 / 3600);
}

static void
indent_to(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

/* Text from column col, wrapped at WRAP_WIDTH with continuation lines at
 * column indent; line breaks in the text are kept, control characters
 * escaped. At most max bytes, then "...". Ends without a newline. */
static void
put_wrapped(FILE *out, const char *s, size_t col, size_t indent, size_t max)
{
	const char *start = s;
	bool line_start = true;

	while (s && *s && (size_t)(s - start) < max) {
		size_t n = 0, w = 0;
		char *word;

		if (*s == '\n') {
			fputc('\n', out);
			indent_to(out, indent);
			col = indent, line_start = true, s++;
			for (; *s == ' '; s++, col++)	/* a list's indentation */
				fputc(' ', out);
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\r') {
			s++;
			continue;
		}
		while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\r' && s[n] != '\n') {
			unsigned char c = (unsigned char)s[n++];

			if ((c & 0xc0) != 0x80)
				w += c < 0x20 || c == 0x7f ? 4 : 1;
		}
		if (!line_start && col + 1 + w > WRAP_WIDTH) {
			fputc('\n', out);
			indent_to(out, indent);
			col = indent, line_start = true;
		}
		if (!line_start) {
			fputc(' ', out);
			col++;
		}
		word = xstrndup(s, n);
		report_put_escaped(out, word, n);
		free(word);
		col += w, line_start = false, s += n;
	}
	if (s && *s)
		fputs(" ...", out);
}

static bool
has(const char *s)
{
	return s && *s;
}

static const char *
or_unknown(const char *s)
{
	return s && *s ? s : "unknown";
}

static void
verdict(FILE *out, const struct analysis *a)
{
	fputs("VERDICT\n", out);
	if (!a->nupgrades)
		fputs("  upgrade: no upgrade attempt found\n", out);
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		fputs("  upgrade ", out);
		report_put_escaped(out, or_unknown(u->from), 60);
		fputs(" -> ", out);
		report_put_escaped(out, or_unknown(u->to), 60);
		fprintf(out, ": %s", or_unknown(u->outcome));
		if (u->started || u->ended) {
			fputs(" (", out);
			put_minute(out, u->started, NULL);
			fputs(" - ", out);
			put_minute(out, u->ended, u->started);
			fputs(" UTC)", out);
		}
		fputc('\n', out);
	}
	fprintf(out, "  sync: %s\n\n", or_unknown(a->sync_verdict));
}

static void
upgrade_phases(FILE *out, const struct analysis *a)
{
	static const char *const names[PHASES] = { "baseline", "backup", "upgrade", "verify" };

	if (!a->nupgrades)
		return;
	fprintf(out, "UPGRADE (%zu attempt%s)\n", a->nupgrades, a->nupgrades == 1 ? "" : "s");
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		fputs("  ", out);
		report_put_escaped(out, or_unknown(u->from), 60);
		fputs(" -> ", out);
		report_put_escaped(out, or_unknown(u->to), 60);
		fprintf(out, "  %s", or_unknown(u->outcome));
		if (u->path) {
			fputs("  ", out);
			put_loc(out, u->path, u->line, 0);
		}
		fputc('\n', out);
		for (int k = 0; k < PHASES; k++) {
			const struct an_phase *p = &u->phases[k];

			fprintf(out, "    %-8s  %s", names[k], or_unknown(p->state));
			if ((p->time || has(p->detail) || p->path) && strlen(or_unknown(p->state)) < 8)
				indent_to(out, 8 - strlen(or_unknown(p->state)));
			if (p->time) {
				fputs("  ", out);
				put_time(out, p->time, u->started);
			}
			if (has(p->detail)) {
				fputs("  ", out);
				put_first_line(out, p->detail, 200);
			}
			if (p->path) {
				fputs("  ", out);
				put_loc(out, p->path, p->line, 0);
			}
			fputc('\n', out);
		}
		fputs("    sync paused  ", out);
		if (u->pause_start || u->pause_end) {
			put_time(out, u->pause_start, NULL);
			fputs(" - ", out);
			put_time(out, u->pause_end, u->pause_start);
			fputs(" UTC", out);
			if (u->pause_seconds >= 0) {
				fputs(" (", out);
				put_duration(out, u->pause_seconds);
				fputc(')', out);
			}
		} else if (u->pause_seconds >= 0) {
			put_duration(out, u->pause_seconds);
		} else {
			fputs("unknown", out);
		}
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void
sync_verdicts(FILE *out, const struct analysis *a)
{
	if (!a->nsyncs)
		return;
	fprintf(out, "SYNC (%s)\n", or_unknown(a->sync_verdict));
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];
		const char *kind[RUN_KINDS] = { c->import_time, c->sync_time, c->export_time };
		static const char *const kname[RUN_KINDS] = { "import", "sync", "export" };

		fputs("  ", out);
		report_put_escaped(out, or_unknown(c->connector), 120);
		fprintf(out, ": %s (", or_unknown(c->verdict));
		if (c->resumed_time) {
			fputs("at ", out);
			put_time(out, c->resumed_time, NULL);
			fputs(" UTC, ", out);
		}
		if (c->seconds_to_resume >= 0) {
			put_duration(out, c->seconds_to_resume);
			fputs(" after the upgrade, ", out);
		}
		fprintf(out, "basis %s)\n", has(c->basis) ? c->basis : "none");
		if (c->import_time || c->sync_time || c->export_time) {
			fputs("    first after ", out);
			for (int k = 0; k < RUN_KINDS; k++) {
				fprintf(out, "%s%s ", k ? ", " : "", kname[k]);
				if (kind[k])
					put_time(out, kind[k], NULL);
				else
					fputs("none", out);
			}
			fputc('\n', out);
		}
		if (c->runs_after >= 0)
			fprintf(out, "    runs after  %lld, %lld not successful\n", (long long)c->runs_after,
				(long long)(c->failed_after > 0 ? c->failed_after : 0));
		if (has(c->note)) {
			fputs("    note        ", out);
			put_wrapped(out, c->note, 16, 16, 1000);
			fputc('\n', out);
		}
		if (c->path) {
			fputs("    evidence    ", out);
			put_loc(out, c->path, c->line, 0);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

static void
findings(FILE *out, const struct analysis *a)
{
	fprintf(out, "FINDINGS (%zu)\n", a->nfindings);
	if (!a->nfindings)
		fputs("  none\n", out);
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct an_finding *f = &a->findings[i];

		fprintf(out, "  [%lld] %s ", (long long)(f->rank > 0 ? f->rank : (int64_t)i + 1), or_unknown(f->severity));
		report_put_escaped(out, f->rule, 100);
		fputs(": ", out);
		report_put_escaped(out, f->title, 300);
		fputc('\n', out);
		if (has(f->explained_by)) {
			fputs("      caused by ", out);
			report_put_escaped(out, f->explained_by, 100);
			fputc('\n', out);
		}
		fprintf(out, "      confidence %s", or_unknown(f->confidence));
		if (has(f->kind))
			fprintf(out, ", %s", f->kind);
		if (f->time) {
			fputs(", at ", out);
			put_time(out, f->time, NULL);
			fputs(" UTC", out);
		}
		fputc('\n', out);
		if (has(f->summary)) {
			fputs("      ", out);
			put_wrapped(out, f->summary, 6, 6, 2000);
			fputc('\n', out);
		}
		for (size_t k = 0; k < f->nev; k++) {
			const struct an_evidence *e = &f->ev[k];

			fputs("      evidence  ", out);
			put_loc(out, e->path, e->line, e->record);
			if (has(e->message)) {
				fputs("  ", out);
				put_first_line(out, e->message, 160);
			}
			fputc('\n', out);
			if (has(e->note)) {
				fputs("                ", out);
				put_wrapped(out, e->note, 16, 16, 600);
				fputc('\n', out);
			}
		}
		if (has(f->remediation)) {
			fputs("      fix       ", out);
			put_wrapped(out, f->remediation, 16, 16, 4000);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

static void
missing_evidence(FILE *out, const struct analysis *a)
{
	if (!a->nmissing)
		return;
	fprintf(out, "MISSING EVIDENCE (%zu)\n", a->nmissing);
	for (size_t i = 0; i < a->nmissing; i++) {
		const struct an_missing *m = &a->missing[i];

		fputs("  ", out);
		put_wrapped(out, or_unknown(m->question), 2, 2, 1000);
		fputc('\n', out);
		if (has(m->collect)) {
			fputs("    collect  ", out);
			put_wrapped(out, m->collect, 13, 13, 2000);
			fputc('\n', out);
		}
		if (has(m->how)) {
			fputs("    how      ", out);
			put_wrapped(out, m->how, 13, 13, 4000);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

static void
unexplained(FILE *out, const struct analysis *a)
{
	if (!a->nunexplained)
		return;
	fprintf(out, "UNEXPLAINED ERRORS (%zu)\n", a->nunexplained);
	for (size_t i = 0; i < a->nunexplained; i++) {
		const struct an_unexplained *u = &a->unexplained[i];

		fprintf(out, "  %lld x ", (long long)u->count);
		put_first_line(out, u->template, 200);
		fputc('\n', out);
		fprintf(out, "      in %lld source%s", (long long)u->sources, u->sources == 1 ? "" : "s");
		if (u->first_time) {
			fputs(", first at ", out);
			put_time(out, u->first_time, NULL);
			fputs(" UTC", out);
		}
		if (has(u->level))
			fprintf(out, ", level %s", u->level);
		if (has(u->provider)) {
			fputs(", provider ", out);
			report_put_escaped(out, u->provider, 100);
		}
		fputc('\n', out);
		if (u->path || u->example) {
			fputs("      example  ", out);
			put_loc(out, u->path, u->line, u->record);
			if (u->example) {
				fputs(u->path ? "  " : "", out);
				put_first_line(out, u->example, 160);
			}
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

static void
read_summary(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	fprintf(out, "READ      %zu input%s: %zu parsed (%lld records), %zu skipped", a->nsources - a->narchives,
		a->nsources - a->narchives == 1 ? "" : "s", a->nparsed, (long long)a->nrecords, a->nskipped);
	if (a->nduplicate)
		fprintf(out, ", %zu duplicate", a->nduplicate);
	if (a->nfailed)
		fprintf(out, ", %zu unreadable", a->nfailed);
	if (a->narchives)
		fprintf(out, "; from %zu archive%s", a->narchives, a->narchives == 1 ? "" : "s");
	fputc('\n', out);
	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];
		bool parsed = strcmp(s->status, "parsed") == 0;

		if (strcmp(s->status, "archive") == 0)
			continue;
		if (parsed && !s->problems && !o->show_sources)
			continue;
		fprintf(out, "  %-9s ", s->status);
		report_put_escaped(out, s->path, 400);
		if (parsed)
			fprintf(out, "  %s, %s, %lld records", s->format, s->encoding, (long long)s->records);
		if (s->reason) {
			fputs(": ", out);
			report_put_escaped(out, s->reason, 300);
		}
		if (s->duplicate_of) {
			fputs(" (", out);
			report_put_escaped(out, s->duplicate_of, 300);
			fputc(')', out);
		}
		fputc('\n', out);
		for (size_t k = 0; k < s->nprobs; k++) {
			fputs("            ", out);
			if (s->probs[k].line > 0)
				fprintf(out, "line %lld: ", (long long)s->probs[k].line);
			else if (s->probs[k].offset >= 0)
				fprintf(out, "offset %lld: ", (long long)s->probs[k].offset);
			report_put_escaped(out, s->probs[k].message, 300);
			fputc('\n', out);
		}
		if ((int64_t)s->nprobs < s->problems)
			fprintf(out, "            ... %lld problems in all (ecdiag sources)\n",
				(long long)s->problems);
	}
}

int
report_text(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	fprintf(out, "ecdiag %s", ECDIAG_VERSION);
	if (o->db_path)
		fprintf(out, "  case database %s", o->db_path);
	fputc('\n', out);
	if (!a->current)
		fputs("note: the analysis is older than the last ingest; run 'ecdiag analyze'\n", out);
	fputc('\n', out);
	verdict(out, a);
	upgrade_phases(out, a);
	sync_verdicts(out, a);
	findings(out, a);
	missing_evidence(out, a);
	unexplained(out, a);
	versions(out, a);
	settings(out, a);
	host(out, a);
	runs(out, a);
	installs(out, a);
	autoupgrades(out, a);
	sync_runs(out, a);
	read_summary(out, a, o);
	return ferror(out) ? -1 : 0;
}
