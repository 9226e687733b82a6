/* SPDX-License-Identifier: MIT */
/* report_md.c - the diagnosis as Markdown (CommonMark with GitHub tables),
 * to paste into a ticket: the text report's content in its order. Log text
 * goes into code spans and fenced blocks, whose delimiters are made longer
 * than any backtick run inside; other text has the Markdown and HTML
 * characters backslash-escaped, so nothing from a log becomes markup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "reports/report.h"
#include "reports/rutil.h"
#include "reports/tout.h"

struct md {
	FILE *f;
	struct buf tmp;		/* one scratch buffer, reused */
	bool table;		/* in a table row: '|' in code spans must be \| (GFM) */
};

static void
put(struct md *m, const char *s)
{
	fputs(s, m->f);
}

/* Plain text: control characters escaped (report_clean), then every
 * character Markdown or HTML could read as syntax backslash-escaped; a
 * line break becomes a space. At most max bytes. */
static void
text_n(struct md *m, const char *s, size_t len, size_t max)
{
	buf_reset(&m->tmp);
	report_clean(&m->tmp, s, len, max);
	for (const char *p = m->tmp.data; *p; p++) {
		if (strchr("\\`*_[]<|~", *p) || (p == m->tmp.data && strchr("#+-=!>", *p)) ||
		    (*p == '&' && (p[1] == '#' || (p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z'))))
			fputc('\\', m->f);
		fputc(*p, m->f);
	}
}

static void
text(struct md *m, const char *s, size_t max)
{
	if (s)
		text_n(m, s, strlen(s), max);
}

/* The longest run of backticks in s. */
static size_t
ticks(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* An inline code span of one line of log text. */
static void
code_n(struct md *m, const char *s, size_t len, size_t max)
{
	size_t n;
	bool pad;

	buf_reset(&m->tmp);
	report_clean(&m->tmp, s, len, max);
	n = ticks(m->tmp.data) + 1;
	for (size_t i = 0; i < n; i++)
		fputc('`', m->f);
	/* a space either side keeps a leading or trailing backtick apart
	 * (CommonMark strips one space from each side) */
	pad = m->tmp.len && (m->tmp.data[0] == '`' || m->tmp.data[m->tmp.len - 1] == '`' ||
			     (m->tmp.data[0] == ' ' && m->tmp.data[m->tmp.len - 1] == ' '));
	if (pad)
		fputc(' ', m->f);
	for (const char *p = m->tmp.data; *p; p++) {
		if (*p == '|' && m->table)
			fputc('\\', m->f);
		fputc(*p, m->f);
	}
	if (pad)
		fputc(' ', m->f);
	for (size_t i = 0; i < n; i++)
		fputc('`', m->f);
}

static void
code(struct md *m, const char *s, size_t max)
{
	if (s)
		code_n(m, s, strlen(s), max);
}

static void
first_line_code(struct md *m, const char *s, size_t max)
{
	if (s)
		code_n(m, s, strcspn(s, "\r\n"), max);
}

/* A location as a code span: path:line, path#record or path. */
static void
loc(struct md *m, const char *path, int64_t line, int64_t record)
{
	char *s;

	if (!path)
		return;
	if (line > 0)
		s = xasprintf("%s:%lld", path, (long long)line);
	else if (record > 0)
		s = xasprintf("%s#%lld", path, (long long)record);
	else
		s = xasprintf("%s", path);
	code(m, s, 2000);
	free(s);
}

/* A paragraph of our own text (summaries, fixes) with its line breaks
 * kept as Markdown hard breaks, each line prefixed with indent. */
static void
para(struct md *m, const char *indent, const char *s, size_t max)
{
	size_t used = 0;

	put(m, indent);
	while (s && *s && used < max) {
		size_t n = strcspn(s, "\n");

		text_n(m, s, n, max - used);
		used += n + 1;
		s += n;
		if (*s == '\n' && s[1]) {
			put(m, "  \n");
			put(m, indent);
		}
		if (*s)
			s++;
	}
	put(m, "\n");
}

static void
minute(struct md *m, const char *iso, const char *same_day)
{
	char b[32];

	put(m, report_time(b, iso, same_day, true));
}

static void
stamp(struct md *m, const char *iso)
{
	char b[32];
	const char *t = report_time(b, iso, NULL, false);

	fprintf(m->f, "%s%s", t, t == b ? " UTC" : "");
}

static void
verdict(struct md *m, const struct analysis *a)
{
	static const char *const sev[] = { "critical", "error", "warning", "info" };
	size_t count[4] = { 0 };
	bool first = true;

	put(m, "## Verdict\n\n");
	put(m, "- **Case: ");
	text(m, report_judgement_text(a->judgement), 60);
	put(m, "**");
	if (has(a->judgement_basis)) {
		put(m, " — ");
		text(m, a->judgement_basis, 300);
	}
	put(m, "\n");
	if (!a->nupgrades)
		put(m, "- **Upgrade:** no upgrade attempt found\n");
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		put(m, "- **Upgrade ");
		text(m, or_unknown(u->from), 60);
		put(m, " → ");
		text(m, or_unknown(u->to), 60);
		put(m, ": ");
		text(m, or_unknown(u->outcome), 60);
		put(m, "**");
		if (u->started || u->ended) {
			put(m, " (");
			minute(m, u->started, NULL);
			put(m, " – ");
			minute(m, u->ended, u->started);
			put(m, " UTC)");
		}
		put(m, "\n");
	}
	put(m, "- **Versions:** ");
	if (a->installed.value || a->target.value || a->engine_absent.value) {
		put(m, "installed ");
		text(m, a->installed.value ? a->installed.value : a->engine_absent.value ? "none" : "unknown", 60);
		put(m, ", target ");
		text(m, or_unknown(a->target.value), 60);
		if (a->gui_version.value) {
			put(m, ", Help > About ");
			text(m, a->gui_version.value, 60);
		}
	} else {
		put(m, "unknown (no wizard trace with a version was read)");
	}
	put(m, "\n- **Sync: ");
	text(m, or_unknown(a->sync_verdict), 60);
	put(m, "**");
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];

		put(m, i ? "; " : " — ");
		text(m, or_unknown(c->connector), 200);
		put(m, ": ");
		text(m, or_unknown(c->verdict), 60);
		if (c->resumed_time) {
			put(m, " at ");
			minute(m, c->resumed_time, NULL);
			put(m, " UTC");
		}
	}
	for (size_t i = 0; i < a->nfindings; i++)
		for (size_t k = 0; k < 4; k++)
			if (a->findings[i].severity && strcmp(a->findings[i].severity, sev[k]) == 0)
				count[k]++;
	fprintf(m->f, "\n- **Findings:** %zu", a->nfindings);
	for (size_t k = 0; k < 4; k++) {
		if (!count[k])
			continue;
		fprintf(m->f, "%s%zu %s", first ? " (" : ", ", count[k], sev[k]);
		first = false;
	}
	put(m, first ? "\n" : ")\n");
	if (a->ncomputers > 1) {
		fprintf(m->f, "- **Computers: %zu** — ", a->ncomputers);
		for (size_t i = 0; i < a->ncomputers; i++) {
			put(m, i ? ", " : "");
			text(m, a->computers[i].name, 100);
			fprintf(m->f, " (%lld file%s)", (long long)a->computers[i].files,
				a->computers[i].files == 1 ? "" : "s");
		}
		put(m, "; times and findings are kept per computer\n");
	}
	put(m, "\n");
}

static void
findings(struct md *m, const struct analysis *a)
{
	fprintf(m->f, "## Findings (%zu)\n\n", a->nfindings);
	if (!a->nfindings)
		put(m, "None.\n\n");
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct an_finding *f = &a->findings[i];

		fprintf(m->f, "### %lld. ", (long long)(f->rank > 0 ? f->rank : (int64_t)i + 1));
		text(m, or_unknown(f->severity), 20);
		put(m, " ");
		code(m, f->rule, 100);
		put(m, ": ");
		text(m, f->title, 300);
		put(m, "\n\n*confidence ");
		text(m, or_unknown(f->confidence), 20);
		if (has(f->kind)) {
			put(m, ", ");
			text(m, f->kind, 20);
		}
		if (f->time) {
			put(m, ", at ");
			stamp(m, f->time);
		}
		put(m, "*");
		if (has(f->explained_by)) {
			put(m, " — caused by ");
			code(m, f->explained_by, 100);
		}
		put(m, "\n\n");
		if (has(f->stop_role) && !strcmp(f->stop_role, "stopped")) {
			put(m, has(f->stop_run) && !strcmp(f->stop_run, "install") ? "**Stopped the install:** "
										       : "**Stopped the wizard run:** ");
			loc(m, f->stop_path, f->stop_line, -1);
			put(m, "\n\n");
		} else if (has(f->stop_role) && !strcmp(f->stop_role, "survived")) {
			put(m, "*Logged; the run went on.*\n\n");
		}
		if (has(f->basis) && strcmp(f->basis, "logs") != 0) {
			put(m, "*Basis: ");
			text(m, report_basis_text(f->basis), 200);
			put(m, "*\n\n");
		}
		if (has(f->summary)) {
			para(m, "", f->summary, 2000);
			put(m, "\n");
		}
		if (f->nev)
			put(m, "**Evidence**\n\n");
		for (size_t k = 0, nctx = 0; k < f->nev; k++) {
			const struct an_evidence *e = &f->ev[k];
			const char *msg = e->nctx ? e->ctx[e->self].text : e->message;

			if (e->context) {
				/* the other records of the failure: one line, each file named once */
				const struct an_evidence *p = nctx ? &f->ev[k - 1] : NULL;

				put(m, nctx++ ? ", " : "- part of the same failure: ");
				if (p && p->context && p->path && e->path && !strcmp(p->path, e->path) && e->line > 0)
					fprintf(m->f, "%lld", (long long)e->line);
				else
					loc(m, e->path, e->line, e->record);
				if (k + 1 == f->nev || !f->ev[k + 1].context)
					put(m, "\n");
				continue;
			}
			put(m, "- ");
			loc(m, e->path, e->line, e->record);
			if (has(e->note)) {
				put(m, " (");
				text(m, e->note, 300);
				put(m, ")");
			}
			if (report_pasted(e->format)) {
				put(m, " [");
				text(m, report_pasted(e->format), 40);
				put(m, "]");
			}
			if (has(msg)) {
				put(m, "  \n  ");
				first_line_code(m, msg, 400);
			}
			put(m, "\n");
		}
		if (f->nev)
			put(m, "\n");
		if (has(f->remediation)) {
			put(m, "**Fix:** ");
			para(m, "", f->remediation, 4000);
			put(m, "\n");
		}
	}
}

static void
missing(struct md *m, const struct analysis *a)
{
	if (!a->nmissing)
		return;
	fprintf(m->f, "## Missing evidence (%zu)\n\n", a->nmissing);
	for (size_t i = 0; i < a->nmissing; i++) {
		const struct an_missing *x = &a->missing[i];

		put(m, "- **");
		text(m, or_unknown(x->question), 1000);
		put(m, "**\n");
		if (has(x->collect)) {
			put(m, "  - Collect: ");
			text(m, x->collect, 2000);
			put(m, "\n");
		}
		if (has(x->how)) {
			put(m, "  - How: ");
			text(m, x->how, 4000);
			put(m, "\n");
		}
	}
	put(m, "\n");
}

static void
unexplained(struct md *m, const struct analysis *a)
{
	if (!a->nunexplained)
		return;
	fprintf(m->f, "## Unexplained errors (%zu)\n\n", a->nunexplained);
	put(m, "| count | error (numbers as `<n>`) | first | example |\n|---:|---|---|---|\n");
	m->table = true;
	for (size_t i = 0; i < a->nunexplained; i++) {
		const struct an_unexplained *u = &a->unexplained[i];

		fprintf(m->f, "| %lld | ", (long long)u->count);
		first_line_code(m, u->template, 200);
		put(m, " | ");
		if (u->first_time)
			stamp(m, u->first_time);
		put(m, " | ");
		loc(m, u->path, u->line, u->record);
		put(m, " |\n");
	}
	m->table = false;
	put(m, "\n");
}

static void
unread(struct md *m, const struct analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nsources; i++)
		n += report_unread(&a->sources[i]);
	fprintf(m->f, "## Could not be read (%zu)\n\n", n);
	if (!n) {
		put(m, "Nothing: every input was read whole.\n\n");
		return;
	}
	put(m, "| status | input | why |\n|---|---|---|\n");
	m->table = true;
	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];

		if (!report_unread(s))
			continue;
		put(m, "| ");
		text(m, s->status, 20);
		put(m, " | ");
		code(m, s->path, 1000);
		put(m, " | ");
		if (s->reason)
			text(m, s->reason, 300);
		for (size_t k = 0; k < s->nprobs; k++) {
			put(m, k || s->reason ? "; " : "");
			if (s->probs[k].line > 0)
				fprintf(m->f, "line %lld: ", (long long)s->probs[k].line);
			else if (s->probs[k].offset >= 0)
				fprintf(m->f, "offset %lld: ", (long long)s->probs[k].offset);
			text(m, s->probs[k].message, 300);
		}
		if ((int64_t)s->nprobs < s->problems)
			fprintf(m->f, " (%lld problems in all)", (long long)s->problems);
		put(m, " |\n");
	}
	m->table = false;
	put(m, "\n");
}

static void
upgrades(struct md *m, const struct analysis *a)
{
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		put(m, "## Upgrade ");
		text(m, or_unknown(u->from), 60);
		put(m, " → ");
		text(m, or_unknown(u->to), 60);
		put(m, ": ");
		text(m, or_unknown(u->outcome), 60);
		put(m, "\n\n| phase | state | time | what shows it |\n|---|---|---|---|\n");
		m->table = true;
		for (int k = 0; k < PHASES; k++) {
			const struct an_phase *p = &u->phases[k];

			fprintf(m->f, "| %s | ", phase_names[k]);
			text(m, or_unknown(p->state), 20);
			put(m, " | ");
			if (p->time)
				stamp(m, p->time);
			put(m, " | ");
			if (has(p->detail))
				text(m, p->detail, 400);
			if (p->path) {
				put(m, " ");
				loc(m, p->path, p->line, 0);
			}
			put(m, " |\n");
		}
		m->table = false;
		put(m, "\nSync paused: ");
		if (u->pause_start || u->pause_end) {
			minute(m, u->pause_start, NULL);
			put(m, " – ");
			minute(m, u->pause_end, u->pause_start);
			put(m, " UTC");
			if (u->pause_seconds >= 0)
				fprintf(m->f, " (%lld s)", (long long)u->pause_seconds);
		} else {
			put(m, "unknown");
		}
		put(m, "\n\n");
	}
}

static void
syncs(struct md *m, const struct analysis *a)
{
	if (!a->nsyncs)
		return;
	put(m, "## Sync by connector\n\n| connector | verdict | basis | resumed | runs after | not successful | note |\n"
	       "|---|---|---|---|---:|---:|---|\n");
	m->table = true;
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];

		put(m, "| ");
		text(m, or_unknown(c->connector), 200);
		put(m, " | ");
		text(m, or_unknown(c->verdict), 40);
		put(m, " | ");
		text(m, has(c->basis) ? c->basis : "none", 40);
		put(m, " | ");
		if (c->resumed_time)
			stamp(m, c->resumed_time);
		fprintf(m->f, " | %lld | %lld | ", (long long)(c->runs_after > 0 ? c->runs_after : 0),
			(long long)(c->failed_after > 0 ? c->failed_after : 0));
		if (has(c->note))
			text(m, c->note, 600);
		put(m, " |\n");
	}
	m->table = false;
	put(m, "\n");
}

static void
sources(struct md *m, const struct analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nsources; i++)
		n += strcmp(a->sources[i].status, "archive") != 0;
	fprintf(m->f, "## Inputs (%zu)\n\n| input | format | status | records | sha256 |\n|---|---|---|---:|---|\n",
		n);
	m->table = true;
	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];

		if (strcmp(s->status, "archive") == 0)
			continue;
		put(m, "| ");
		code(m, s->path, 1000);
		put(m, " | ");
		text(m, s->format ? s->format : "", 40);
		put(m, " | ");
		text(m, s->status, 20);
		fprintf(m->f, " | %lld | ", (long long)s->records);
		if (s->sha256)
			code(m, s->sha256, 64);
		put(m, " |\n");
	}
	m->table = false;
	put(m, "\n");
}

int
report_md(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	struct md m = { out, { 0 }, false };

	buf_init(&m.tmp, 1u << 20);
	put(&m, "# ecdiag diagnosis\n\n");
	fprintf(out, "ecdiag %s", ECDIAG_VERSION);
	if (o->db_path) {
		put(&m, ", case database ");
		code(&m, o->db_path, 1000);
	}
	put(&m, "\n\n");
	if (!a->current)
		put(&m, "> **Note:** the analysis is older than the last ingest; run `ecdiag analyze`.\n\n");
	verdict(&m, a);
	findings(&m, a);
	missing(&m, a);
	unexplained(&m, a);
	unread(&m, a);
	upgrades(&m, a);
	syncs(&m, a);
	sources(&m, a);
	buf_release(&m.tmp);
	return ferror(out) ? -1 : 0;
}
