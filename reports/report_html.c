/* SPDX-License-Identifier: MIT */
/* report_html.c - the analysis as one self-contained HTML file: a verdict
 * banner, the timeline drawn as inline SVG (analyzer/timeline.h), the
 * upgrade phase by phase, sync per connector, the ranked findings with
 * evidence excerpts, what to collect, the errors nothing explains, the
 * versions and host, every source with its sha256, and what could not be
 * read (docs/REPORTS.md).
 *
 * Nothing in the file can fetch anything: there is no script, no link, no
 * src, href or url() anywhere, and a Content-Security-Policy of
 * default-src 'none' says so to the browser as well. References of
 * signatures are shown as text. Every string that comes from the analysis
 * goes through put_hn(), which escapes markup and shows control characters,
 * escape sequences and invalid UTF-8 as visible \xHH. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "analyzer/timeline.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "reports/report.h"
#include "reports/rutil.h"

#define TEXT_MAX 4000		/* bytes of a summary, remediation, note */
#define CTX_MAX 1500		/* bytes of a context record in an excerpt */
#define SELF_MAX 6000		/* bytes of the evidence record itself */
#define SELF_LINES 12		/* lines of the evidence record in an excerpt */
#define CTX_LINES 3		/* lines of a record around it */

/* put_hn flags */
enum {
	H_NL = 1,		/* keep line breaks (CR LF becomes LF) */
	H_ATTR = 2,		/* an attribute value: no markup for control characters */
};

/* ------------------------------------------------------------------------
 * Escaping
 * ------------------------------------------------------------------------ */

static void
put_ctl(FILE *out, const char *fmt, unsigned v, unsigned fl)
{
	if (!(fl & H_ATTR))
		fputs("<span class=\"ctl\">", out);
	fprintf(out, fmt, v);
	if (!(fl & H_ATTR))
		fputs("</span>", out);
}

/* Write the first len bytes of s as HTML text (or an attribute value with
 * H_ATTR): & < > " ' as character references; C0 controls, DEL, C1
 * controls and bytes that are not valid UTF-8 as visible \xHH; bidi
 * controls as \uHHHH. Tabs stay; line breaks stay with H_NL, else they are
 * \x0a. Stops before a UTF-8 sequence that len would cut. Returns the bytes
 * consumed. */
static size_t
put_hn(FILE *out, const char *s, size_t len, unsigned fl)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		uint32_t cp;
		size_t n;

		switch (c) {
		case '&': fputs("&amp;", out); p++; continue;
		case '<': fputs("&lt;", out); p++; continue;
		case '>': fputs("&gt;", out); p++; continue;
		case '"': fputs("&quot;", out); p++; continue;
		case '\'': fputs("&#39;", out); p++; continue;
		case '\t': fputc('\t', out); p++; continue;
		default: break;
		}
		if (c == '\r' && (fl & H_NL) && p + 1 < end && p[1] == '\n') {
			p++;
			continue;
		}
		if (c == '\n' && (fl & H_NL)) {
			fputc('\n', out);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			put_ctl(out, "\\x%02x", c, fl);
			p++;
			continue;
		}
		if (c < 0x80) {
			fputc(c, out);
			p++;
			continue;
		}
		n = utf8_seq(p, 4, &cp);
		if (n && p + n > end)
			break;
		if (!n) {
			put_ctl(out, "\\x%02x", c, fl);
			p++;
			continue;
		}
		if (report_hidden_cp(cp))
			put_ctl(out, cp < 0xa0 ? "\\x%02x" : "\\u%04x", (unsigned)cp, fl);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
	return (size_t)(p - (const unsigned char *)s);
}

/* s escaped (put_hn), at most max bytes, then an ellipsis. NULL: nothing. */
static void
put_h(FILE *out, const char *s, size_t max, unsigned fl)
{
	size_t len;

	if (!s)
		return;
	len = strlen(s);
	if (put_hn(out, s, len < max ? len : max, fl) < len)
		fputs("&#8230;", out);
}

/* Text content of a table cell. */
static void
h(FILE *out, const char *s)
{
	put_h(out, s, TEXT_MAX, 0);
}

/* The first line of s, at most max bytes. */
static void
h_line(FILE *out, const char *s, size_t max)
{
	size_t n;

	if (!s)
		return;
	n = strcspn(s, "\r\n");
	if (n < max && s[n]) {
		put_hn(out, s, n, 0);
		fputs(" &#8230;", out);
	} else {
		put_h(out, s, max, 0);
	}
}

/* An id or class name from s: letters, digits, '-' and '_' kept, anything
 * else '_' (so it cannot end the attribute). */
static void
put_ident(FILE *out, const char *s)
{
	if (!s || !*s) {
		fputs("unknown", out);
		return;
	}
	for (size_t i = 0; s[i] && i < 100; i++) {
		unsigned char c = (unsigned char)s[i];

		fputc((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '_' ? c : '_', out);
	}
}

/* ------------------------------------------------------------------------
 * Times and places
 * ------------------------------------------------------------------------ */

/* "2026-05-10T08:15:02.129Z" -> "2026-05-10 08:15:02"; with same_day (an
 * ISO time of the same date), only the time of day. "?" for NULL. */
static void
put_time(FILE *out, const char *iso, const char *same_day)
{
	char buf[32];

	if (!iso) {
		fputs("?", out);
		return;
	}
	if (strlen(iso) < 19 || iso[10] != 'T') {
		put_h(out, iso, 40, 0);
		return;
	}
	put_h(out, report_time(buf, iso, same_day, false), sizeof(buf), 0);
}

/* "start – end UTC", the end's date left out when it is the start's. */
static void
put_span(FILE *out, const char *start, const char *end)
{
	put_time(out, start, NULL);
	if (end && (!start || strcmp(start, end) != 0)) {
		fputs(" &#8211; ", out);
		put_time(out, end, start);
	}
	fputs(" UTC", out);
}

/* path:line, else path#record (EVTX/XML record id), else path. */
static void
put_loc(FILE *out, const char *path, long long line, long long record)
{
	if (!path)
		return;
	fputs("<span class=\"path\">", out);
	put_h(out, path, 600, 0);
	if (line > 0)
		fprintf(out, ":%lld", line);
	else if (record > 0)
		fprintf(out, "#%lld", record);
	fputs("</span>", out);
}

static void
put_duration(FILE *out, long long sec)
{
	char b[32];

	fputs(report_duration(b, sec), out);
}

/* ------------------------------------------------------------------------
 * The page
 * ------------------------------------------------------------------------ */

static const char *const style[] = {
	"@page{size:A4;margin:15mm}\n",
	":root{--ok:#2e7d32;--warn:#b26a00;--fail:#c62828;--info:#44698f;--unk:#757575}\n",
	"body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;",
	"font-size:15px;line-height:1.4;color:#1a1a1a;background:#fff;max-width:1100px;margin:0 auto;padding:1em}\n",
	"code,pre,.path,.hash{font-family:ui-monospace,\"Cascadia Mono\",Consolas,\"DejaVu Sans Mono\",",
	"\"Liberation Mono\",monospace;font-size:.88em}\n",
	"h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}",
	"h3{font-size:1em;margin:.2em 0 .4em}\n",
	"header p{margin:.1em 0;color:#444}\n",
	"#verdict{border:2px solid var(--unk);border-left-width:10px;padding:.6em 1em;margin:1em 0;",
	"background:#f4f4f4}\n",
	"#verdict .headline{font-size:1.35em;font-weight:600}\n",
	"#verdict p{margin:.2em 0}\n",
	".verdict-failed{border-color:var(--fail)!important;background:#fdecea!important}\n",
	".verdict-ok{border-color:var(--ok)!important;background:#e8f5e9!important}\n",
	".verdict-warning{border-color:var(--warn)!important;background:#fff4e0!important}\n",
	".outcome{text-transform:uppercase;font-weight:700}\n",
	".sev{display:inline-block;font-size:.8em;font-weight:700;text-transform:uppercase;border:1px solid;",
	"border-radius:3px;padding:0 .35em}\n",
	".sev-critical,.sev-error{color:var(--fail)}.sev-warning{color:var(--warn)}.sev-info{color:var(--info)}\n",
	".finding{border:1px solid #ccc;border-left:5px solid var(--unk);padding:.5em .9em;margin:.8em 0}\n",
	".finding-critical,.finding-error{border-left-color:var(--fail)!important}",
	".finding-warning{border-left-color:var(--warn)!important}.finding-info{border-left-color:var(--info)!important}\n",
	".finding h3 .rank{color:#555}.finding h3 code{font-weight:600}\n",
	".meta{color:#444;font-size:.9em;margin:.2em 0}\n",
	".text{white-space:pre-line;margin:.4em 0}\n",
	".label{font-weight:600}\n",
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f7f7;border:1px solid #ddd;",
	"padding:.4em .6em;margin:.3em 0 .6em;font-size:.82em;line-height:1.35}\n",
	"pre .rec{display:block;padding-left:9ch;text-indent:-9ch}\n",
	"pre .ln{color:#666}\n",
	"pre .hit{background:#fff3b0;border-left:3px solid var(--warn);margin-left:calc(-.6em - 1px);"
	"padding-left:calc(9ch + .6em - 2px)}\n",
	"pre .hit .ln{color:#000;font-weight:700}\n",
	".note{color:#444}\n",
	".ctl{color:#a00;background:#fde;border-radius:2px}\n",
	"table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:.9em}\n",
	"th,td{border:1px solid #ccc;padding:.2em .4em;text-align:left;vertical-align:top}\n",
	"th{background:#f0f0f0}\n",
	".path,.hash{overflow-wrap:anywhere;word-break:break-all}\n",
	".refs{font-size:.85em;color:#333}.refs li{overflow-wrap:anywhere}\n",
	".st-parsed{color:var(--ok)}.st-failed{color:var(--fail)}.st-skipped,.st-duplicate{color:var(--warn)}\n",
	".state-done{color:var(--ok)}.state-failed{color:var(--fail)}\n",
	".v-resumed{color:var(--ok)}.v-not-resumed{color:var(--fail)}.v-resumed-with-errors{color:var(--warn)}\n"
	".v-resumed-staging{color:var(--ok)}.v-resumed-without-export{color:var(--fail)}\n",
	"#timeline{width:100%;height:auto;display:block;border:1px solid #ddd;font-family:inherit}\n",
	"#timeline text{font-size:11px;fill:#222}\n",
	"#timeline .axis text{font-size:10px;fill:#444}\n",
	"#timeline .grid{stroke:#ddd;stroke-width:1}\n",
	"#timeline .brk{stroke:#888;stroke-width:1;stroke-dasharray:3 3}\n",
	"#timeline .lane-bg{fill:#f6f6f6}\n",
	"#timeline .band{fill:#1565c0;fill-opacity:.07}\n",
	"#timeline .tl-item{stroke:#fff;stroke-width:.5}\n",
	"#timeline .st-ok{fill:var(--ok)}#timeline .st-warning{fill:#f9a825}#timeline .st-failed{fill:var(--fail)}",
	"#timeline .st-info{fill:#6d8fb3}#timeline .st-unknown{fill:#9e9e9e}\n",
	"#timeline .tl-upgrade,#timeline .tl-sync-paused{fill-opacity:.35;stroke-width:1.5}\n",
	"#timeline .tl-upgrade.st-ok,#timeline .tl-sync-paused.st-ok{stroke:var(--ok)}",
	"#timeline .tl-upgrade.st-failed,#timeline .tl-sync-paused.st-failed{stroke:var(--fail)}",
	"#timeline .tl-upgrade.st-warning,#timeline .tl-sync-paused.st-warning{stroke:#f9a825}",
	"#timeline .tl-upgrade.st-info,#timeline .tl-sync-paused.st-info{stroke:#6d8fb3}",
	"#timeline .tl-upgrade.st-unknown,#timeline .tl-sync-paused.st-unknown{stroke:#9e9e9e}\n",
	"#timeline .tl-action,#timeline .tl-error{stroke:#000;stroke-width:.6}\n",
	"#timeline .item-label{font-size:10px;fill:#333}\n",
	"footer{margin-top:2em;color:#666;font-size:.85em}\n",
	"@media print{\n",
	"body{font-size:10pt;max-width:none;padding:0}\n",
	"h2{break-after:avoid}\n",
	".finding,table tr,pre,#timeline{break-inside:avoid}\n",
	"#verdict,.finding{background:none!important}\n",
	"#timeline,#timeline *{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n",
	"pre{background:none}\n",
	"th{background:none}\n",
	"}\n",
};

static const char *
upgrade_class(const char *outcome)
{
	if (!outcome)
		return "unknown";
	if (strcmp(outcome, "succeeded") == 0)
		return "ok";
	if (strcmp(outcome, "failed") == 0)
		return "failed";
	if (strcmp(outcome, "aborted") == 0)
		return "warning";
	return "unknown";
}

/* The banner's colour: the worse of the upgrade's outcome and the sync
 * verdict (failed, warning, unknown, ok). */
static const char *
verdict_class(const char *outcome, const char *sync)
{
	static const char *const order[] = { "failed", "warning", "unknown", "ok" };
	const char *u = upgrade_class(outcome), *v = "ok";

	if (sync && (strcmp(sync, "not-resumed") == 0 || strcmp(sync, "resumed-without-export") == 0))
		v = "failed";
	else if (sync && strcmp(sync, "resumed-with-errors") == 0)
		v = "warning";
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(u, order[i]) == 0 || strcmp(v, order[i]) == 0)
			return order[i];
	return "unknown";
}

static void
head(FILE *out, const struct analysis *a)
{
	const struct an_upgrade *u = a->nupgrades ? &a->upgrades[0] : NULL;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"ecdiag " ECDIAG_VERSION "\">\n<title>ecdiag: ", out);
	if (u) {
		fputs("upgrade ", out);
		put_h(out, or_unknown(u->from), 60, 0);
		fputs(" &#8594; ", out);
		put_h(out, or_unknown(u->to), 60, 0);
		fputc(' ', out);
		put_h(out, or_unknown(u->outcome), 60, 0);
	} else {
		fputs("no upgrade attempt found", out);
	}
	fputs("</title>\n<style>\n", out);
	for (size_t i = 0; i < sizeof(style) / sizeof(style[0]); i++)
		fputs(style[i], out);
	fputs("</style>\n</head>\n<body>\n", out);
}

static void
header(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	fputs("<header>\n<h1>Entra Connect upgrade diagnosis</h1>\n<p>ecdiag " ECDIAG_VERSION, out);
	if (o->db_path) {
		fputs(" &#183; case database <span class=\"path\">", out);
		put_h(out, o->db_path, 600, 0);
		fputs("</span>", out);
	}
	fputs("</p>\n", out);
	if (!a->current)
		fputs("<p><strong>Note:</strong> the analysis is older than the last ingest; "
		      "run <code>ecdiag analyze</code>.</p>\n", out);
	fputs("</header>\n", out);
}

static void
verdict(FILE *out, const struct analysis *a)
{
	static const char *const sevs[] = { "critical", "error", "warning", "info" };
	const struct an_upgrade *u = a->nupgrades ? &a->upgrades[0] : NULL;
	size_t count[4] = { 0 }, other = 0;
	bool first = true;

	for (size_t i = 0; i < a->nfindings; i++) {
		size_t k = 0;

		while (k < 4 && (!a->findings[i].severity || strcmp(a->findings[i].severity, sevs[k]) != 0))
			k++;
		if (k < 4)
			count[k]++;
		else
			other++;
	}
	fprintf(out, "<section id=\"verdict\" class=\"verdict verdict-%s upgrade-%s\">\n<p class=\"headline\">",
		verdict_class(u ? u->outcome : NULL, a->sync_verdict), upgrade_class(u ? u->outcome : NULL));
	if (u) {
		fputs("Upgrade ", out);
		put_h(out, or_unknown(u->from), 60, 0);
		fputs(" &#8594; ", out);
		put_h(out, or_unknown(u->to), 60, 0);
		fputs(" <span class=\"outcome\">", out);
		put_h(out, or_unknown(u->outcome), 60, 0);
		fputs("</span>", out);
	} else {
		fputs("No upgrade attempt found", out);
	}
	fputs(" &#183; Sync: <span class=\"sync-verdict\">", out);
	put_h(out, or_unknown(a->sync_verdict), 60, 0);
	fputs("</span></p>\n<p class=\"judgement\"><span class=\"label\">Case:</span> <strong>", out);
	put_h(out, report_judgement_text(a->judgement), 60, 0);
	fputs("</strong>", out);
	if (has(a->judgement_basis)) {
		fputs(" &#8212; ", out);
		put_h(out, a->judgement_basis, 400, 0);
	}
	fputs("</p>\n", out);
	if (u && (u->started || u->ended)) {
		fputs("<p>", out);
		put_span(out, u->started, u->ended);
		if (u->path) {
			fputs(" &#183; ", out);
			put_loc(out, u->path, u->line, 0);
		}
		fputs("</p>\n", out);
	}
	for (size_t i = 1; i < a->nupgrades; i++) {
		const struct an_upgrade *v = &a->upgrades[i];

		fputs("<p>Also: upgrade ", out);
		put_h(out, or_unknown(v->from), 60, 0);
		fputs(" &#8594; ", out);
		put_h(out, or_unknown(v->to), 60, 0);
		fputc(' ', out);
		put_h(out, or_unknown(v->outcome), 60, 0);
		if (v->started || v->ended) {
			fputs(" (", out);
			put_span(out, v->started, v->ended);
			fputc(')', out);
		}
		fputs("</p>\n", out);
	}
	fputs("<p class=\"counts\">", out);
	if (!a->nfindings)
		fputs("No findings", out);
	else
		fprintf(out, "%zu finding%s: ", a->nfindings, a->nfindings == 1 ? "" : "s");
	for (size_t k = 0; k < 4; k++) {
		if (!count[k])
			continue;
		fprintf(out, "%s<span class=\"sev sev-%s\">%zu %s</span>", first ? "" : " ", sevs[k], count[k],
			sevs[k]);
		first = false;
	}
	if (other)
		fprintf(out, "%s%zu of other severity", first ? "" : " ", other);
	fputs("</p>\n", out);
	if (a->ncomputers > 1) {
		fprintf(out, "<p class=\"computers\">These inputs come from %zu computers: ", a->ncomputers);
		for (size_t i = 0; i < a->ncomputers; i++) {
			fputs(i ? ", " : "", out);
			h(out, a->computers[i].name);
			fprintf(out, " (%lld file%s)", (long long)a->computers[i].files,
				a->computers[i].files == 1 ? "" : "s");
		}
		fputs("; times and findings are kept per computer.</p>\n", out);
	}
	fputs("</section>\n", out);
}

/* ------------------------------------------------------------------------
 * The timeline
 * ------------------------------------------------------------------------ */

#define TL_W 1000		/* viewBox width */
#define TL_X0 160		/* plot area; lane names left of it */
#define TL_X1 988
#define TL_TOP 40		/* axis above the lanes */
#define TL_ROW 24
#define TL_LEGEND 26
#define TL_BREAK 26		/* width of a cut between stretches */
#define SEG_MAX 6
#define LANE_Y(l) (TL_TOP + (double)(l) * TL_ROW)

/* A piece of the axis, linear within. The axis is the stretches of time
 * that have items, the gaps between them cut out, so that a week of run
 * history does not squeeze the upgrade's few minutes into a pixel; and
 * the stretch with the (first) upgrade window is drawn in three pieces so
 * the window gets at least FOCUS_SHARE of its width. */
struct seg {
	int64_t t0, t1;		/* milliseconds, padded */
	double x0, x1;		/* where it is drawn */
	bool cut;		/* the time before it was cut out */
};

#define FOCUS_SHARE 0.4

struct axis {
	struct seg seg[SEG_MAX + 2];
	size_t nseg;
};

struct span {
	int64_t s, e;
};

static int
by_start(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	return p->s < q->s ? -1 : p->s > q->s;
}

/* Merge the spans (by start) into stretches separated by gaps longer than
 * gap; SEG_MAX + 1 when there would be more than SEG_MAX. */
static size_t
merge_spans(const struct span *sp, size_t n, int64_t gap, struct seg *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (k && sp[i].s - out[k - 1].t1 <= gap) {
			if (sp[i].e > out[k - 1].t1)
				out[k - 1].t1 = sp[i].e;
			continue;
		}
		if (k == SEG_MAX)
			return SEG_MAX + 1;
		out[k].t0 = sp[i].s;
		out[k].t1 = sp[i].e;
		k++;
	}
	return k;
}

/* Draw the upgrade window [ws, we] of the stretch ax->seg[i] at a larger
 * scale: the stretch becomes up to three pieces, the window's getting
 * FOCUS_SHARE of its width when it would get less. */
static void
axis_focus(struct axis *ax, size_t i, int64_t ws, int64_t we)
{
	struct seg st = ax->seg[i], p[3];
	int64_t pad = (we - ws) / 5 > 60000 ? (we - ws) / 5 : 60000;
	int64_t fs = ws - pad > st.t0 ? ws - pad : st.t0, fe = we + pad < st.t1 ? we + pad : st.t1;
	double w = st.x1 - st.x0, rest = (double)(st.t1 - st.t0 - (fe - fs)), x = st.x0;
	size_t n = 0;

	if ((double)(fe - fs) >= FOCUS_SHARE * (double)(st.t1 - st.t0))
		return;
	if (fs > st.t0)
		p[n++] = (struct seg){ st.t0, fs, 0, (1 - FOCUS_SHARE) * w * (double)(fs - st.t0) / rest, st.cut };
	p[n] = (struct seg){ fs, fe, 0, FOCUS_SHARE * w, st.cut && fs == st.t0 };
	n++;
	if (fe < st.t1)
		p[n++] = (struct seg){ fe, st.t1, 0, (1 - FOCUS_SHARE) * w * (double)(st.t1 - fe) / rest, false };
	for (size_t k = 0; k < n; k++) {
		double width = p[k].x1;

		p[k].x0 = x, p[k].x1 = x + width, x += width;
	}
	memmove(&ax->seg[i + n], &ax->seg[i + 1], (ax->nseg - i - 1) * sizeof(ax->seg[0]));
	memcpy(&ax->seg[i], p, n * sizeof(p[0]));
	ax->nseg += n - 1;
}

/* The stretches of a timeline with items, and where each is drawn. */
static void
axis_build(struct axis *ax, const struct timeline *t)
{
	struct span *sp = xmalloc(t->nitems * sizeof(*sp));
	int64_t total = t->last_ms - t->first_ms, gap, sum = 0;
	double width, wsum = 0, x;

	for (size_t i = 0; i < t->nitems; i++) {
		sp[i].s = t->items[i].start_ms;
		sp[i].e = t->items[i].end_ms > sp[i].s ? t->items[i].end_ms : sp[i].s;
	}
	qsort(sp, t->nitems, sizeof(*sp), by_start);
	gap = total / 8 > 30 * 60000 ? total / 8 : 30 * 60000;
	while ((ax->nseg = merge_spans(sp, t->nitems, gap, ax->seg)) > SEG_MAX)
		gap *= 2;
	free(sp);
	/* pad each stretch (a gap is over total / 8, so pads never meet) */
	for (size_t i = 0; i < ax->nseg; i++) {
		struct seg *s = &ax->seg[i];
		int64_t pad = (s->t1 - s->t0) / 20;

		if (pad < 30000)
			pad = 30000;
		s->t0 -= pad, s->t1 += pad;
		s->cut = i > 0;
		sum += s->t1 - s->t0;
	}
	/* widths: by duration, each at least a share of the plot */
	width = (double)(TL_X1 - TL_X0) - (double)(ax->nseg - 1) * TL_BREAK;
	for (size_t i = 0; i < ax->nseg; i++)
		wsum += (double)(ax->seg[i].t1 - ax->seg[i].t0) / (double)sum + 0.2;
	x = TL_X0;
	for (size_t i = 0; i < ax->nseg; i++) {
		struct seg *s = &ax->seg[i];

		s->x0 = x;
		s->x1 = x + width * ((double)(s->t1 - s->t0) / (double)sum + 0.2) / wsum;
		x = s->x1 + TL_BREAK;
	}
	for (size_t i = 0; i < t->nitems; i++) {
		const struct tl_item *it = &t->items[i];
		size_t k = 0;

		if (it->kind != TL_UPGRADE)
			continue;
		while (k < ax->nseg && !(it->start_ms >= ax->seg[k].t0 && it->end_ms <= ax->seg[k].t1))
			k++;
		if (k < ax->nseg)
			axis_focus(ax, k, it->start_ms, it->end_ms);
		break;
	}
}

static double
axis_x(const struct axis *ax, int64_t ms)
{
	for (size_t i = 0; i < ax->nseg; i++) {
		const struct seg *s = &ax->seg[i];

		if (ms < s->t0)
			return s->x0;
		if (ms <= s->t1)
			return s->x0 + (s->x1 - s->x0) * (double)(ms - s->t0) / (double)(s->t1 - s->t0);
	}
	return ax->nseg ? ax->seg[ax->nseg - 1].x1 : TL_X0;
}

/* The smallest tick step that keeps ticks at least 110 units apart. */
static int64_t
tick_step(int64_t dur, double w)
{
	static const int64_t steps[] = {
		1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000,
		3600000, 7200000, 10800000, 21600000, 43200000, 86400000, 172800000, 604800000,
		INT64_C(2592000000),
	};
	size_t last = sizeof(steps) / sizeof(steps[0]) - 1;
	double n = w / 110 > 1 ? w / 110 : 1;

	for (size_t i = 0; i <= last; i++)
		if ((double)dur / (double)steps[i] <= n)
			return steps[i];
	return steps[last] * (int64_t)((double)dur / n / (double)steps[last] + 1);
}

/* The time of a tick (seconds when step is under a minute), and its date
 * above it when that is not prev_day; returns the date. */
static int
tick_label(FILE *out, double x, const char *anchor, int64_t t, int64_t step, int prev_day)
{
	struct civil c;
	int day;

	ms_to_civil(t, &c);
	day = c.year * 400 + c.month * 32 + c.day;
	if (day != prev_day)
		fprintf(out, "<text x=\"%.1f\" y=\"12\" text-anchor=\"%s\">%04d-%02d-%02d</text>\n", x, anchor,
			c.year, c.month, c.day);
	if (step < 60000)
		fprintf(out, "<text x=\"%.1f\" y=\"26\" text-anchor=\"%s\">%02d:%02d:%02d</text>\n", x, anchor,
			c.hour, c.min, c.sec);
	else
		fprintf(out, "<text x=\"%.1f\" y=\"26\" text-anchor=\"%s\">%02d:%02d</text>\n", x, anchor, c.hour,
			c.min);
	return day;
}

static void
axis_draw(FILE *out, const struct axis *ax, double y_end)
{
	int prev_day = -1;
	double last_label = -100;

	fputs("<g class=\"axis\">\n<text x=\"8\" y=\"26\">UTC</text>\n", out);
	for (size_t i = 0; i < ax->nseg; i++) {
		const struct seg *s = &ax->seg[i];
		int64_t step = tick_step(s->t1 - s->t0, s->x1 - s->x0);
		int64_t t = (s->t0 / step + (s->t0 % step != 0)) * step;

		if (s->cut) {
			double bx = s->x0 - TL_BREAK / 2.0;

			fprintf(out, "<line class=\"brk\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n", bx,
				TL_TOP - 8, bx, y_end);
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\"><title>nothing for ", bx,
				TL_TOP - 1);
			put_duration(out, (s->t0 - ax->seg[i - 1].t1) / 1000);
			fputs(": cut from the axis</title>&#8776;</text>\n", out);
			prev_day = tick_label(out, s->x0 + 2, "start", s->t0, step, prev_day);
			last_label = s->x0 + 30;
		}
		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", s->x0, TL_TOP - 4,
			s->x1, TL_TOP - 4);
		for (; t <= s->t1; t += step) {
			double x = axis_x(ax, t);

			fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
				TL_TOP - 8, x, y_end);
			if (x - last_label < (step < 60000 ? 60 : 45) || x > TL_W - 28)
				continue;	/* where the scale changes, or at the edge */
			last_label = x;
			prev_day = tick_label(out, x, "middle", t, step, prev_day);
		}
	}
	fputs("</g>\n", out);
}

/* The tooltip of an item: label, times, detail, place. */
static void
item_title(FILE *out, const struct tl_item *it)
{
	fputs("<title>", out);
	put_h(out, it->label, 300, 0);
	fputc('\n', out);
	put_span(out, it->start, it->end);
	if (has(it->detail)) {
		fputc('\n', out);
		put_h(out, it->detail, 600, H_NL);
	}
	if (it->path) {
		fputc('\n', out);
		put_h(out, it->path, 600, 0);
		if (it->line > 0)
			fprintf(out, ":%lld", (long long)it->line);
		else if (it->record > 0)
			fprintf(out, "#%lld", (long long)it->record);
	}
	fputs("</title>", out);
}

/* The label of an item beside it: right of it, else left of it, else
 * right of it and cut, unless it would run into the lane's last label
 * (*label_x: where that ends) or out of the plot. */
static void
item_label(FILE *out, const struct tl_item *it, double left, double right, double cy, double *label_x)
{
	size_t len = strlen(it->label), n = len < 40 ? len : 40;
	double w = (double)n * 5.6, x;
	const char *anchor = "start";

	if (right + 4 >= *label_x && right + 4 + w <= TL_X1) {
		x = right + 4;
	} else if (left - 4 - w >= (*label_x > TL_X0 ? *label_x : TL_X0)) {
		x = left - 4, anchor = "end";
	} else if (right + 4 >= *label_x && TL_X1 - (right + 4) >= 12 * 5.6) {
		x = right + 4;
		n = (size_t)((TL_X1 - x) / 5.6) - 1;
	} else {
		return;
	}
	fprintf(out, "<text class=\"item-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, cy + 3.5, anchor);
	if (put_hn(out, it->label, n, 0) < len)
		fputs("&#8230;", out);
	fputs("</text>\n", out);
	*label_x = *anchor == 's' ? x + (double)(n + 1) * 5.6 : right + 4;
}

/* One item in the row at y: a diamond for a failing action, a circle for
 * an error event, else a bar at least 2 units wide; then its label (not
 * for sync runs and error events: too many). */
static void
item_draw(FILE *out, const struct axis *ax, const struct tl_item *it, double y, double *label_x)
{
	double x = axis_x(ax, it->start_ms), x2 = axis_x(ax, it->end_ms), cy = y + TL_ROW / 2.0, left, right;
	const char *kind = tl_kind_name(it->kind), *st = tl_status_name(it->status), *close;

	if (it->kind == TL_ACTION) {
		fprintf(out, "<path class=\"tl-item tl-%s st-%s\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\">", kind, st, x,
			cy - 6);
		left = x - 6, right = x + 6, close = "</path>\n";
	} else if (it->kind == TL_ERROR) {
		fprintf(out, "<circle class=\"tl-item tl-%s st-%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\">", kind, st, x,
			cy);
		left = x - 4, right = x + 4, close = "</circle>\n";
	} else {
		double w = x2 - x < 2 ? 2 : x2 - x;
		int hgt = it->kind == TL_UPGRADE || it->kind == TL_PAUSE ? 16 : 12;

		fprintf(out, "<rect class=\"tl-item tl-%s st-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%d\" rx=\"2\">", kind, st, x, cy - hgt / 2.0, w, hgt);
		left = x, right = x + w, close = "</rect>\n";
	}
	item_title(out, it);
	fputs(close, out);
	if (it->kind != TL_RUN && it->kind != TL_ERROR && has(it->label))
		item_label(out, it, left, right, cy, label_x);
}

static void
legend(FILE *out, double y)
{
	static const char *const st[] = { "ok", "warning", "failed", "info", "unknown" };
	double x = TL_X0;

	fputs("<g class=\"legend\">\n", out);
	for (size_t i = 0; i < 5; i++, x += 90)
		fprintf(out, "<rect class=\"st-%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" rx=\"2\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", st[i], x, y + 8, x + 18, y + 17, st[i]);
	fprintf(out, "<path class=\"st-failed\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\"/><text x=\"%.1f\" y=\"%.1f\">"
		"failing action</text>\n", x + 6, y + 7, x + 16, y + 17);
	x += 110;
	fprintf(out, "<circle class=\"st-failed\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/><text x=\"%.1f\" y=\"%.1f\">"
		"error event</text>\n", x + 4, y + 13, x + 12, y + 17);
	fputs("</g>\n", out);
}

static void
timeline_svg(FILE *out, const struct timeline *t)
{
	struct axis ax;
	double y_end = LANE_Y(t->nlanes), label_x = 0;
	size_t lane = SIZE_MAX;

	memset(&ax, 0, sizeof(ax));
	axis_build(&ax, t);
	fprintf(out, "<svg id=\"timeline\" viewBox=\"0 0 %d %.0f\" role=\"img\" "
		"aria-label=\"timeline of the case\">\n", TL_W, y_end + TL_LEGEND);
	for (size_t l = 0; l < t->nlanes; l += 2)
		fprintf(out, "<rect class=\"lane-bg\" x=\"0\" y=\"%.0f\" width=\"%d\" height=\"%d\"/>\n", LANE_Y(l),
			TL_W, TL_ROW);
	axis_draw(out, &ax, y_end);
	/* the upgrade window behind every lane */
	for (size_t i = 0; i < t->nitems; i++) {
		const struct tl_item *it = &t->items[i];
		double x = axis_x(&ax, it->start_ms), x2 = axis_x(&ax, it->end_ms);

		if (it->kind == TL_UPGRADE && x2 > x)
			fprintf(out, "<rect class=\"band\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.0f\">"
				"<title>the upgrade window</title></rect>\n", x, TL_TOP, x2 - x, y_end - TL_TOP);
	}
	for (size_t l = 0; l < t->nlanes; l++) {
		fprintf(out, "<text class=\"lane\" x=\"8\" y=\"%.1f\"><title>", LANE_Y(l) + TL_ROW / 2.0 + 4);
		put_h(out, t->lanes[l].name, 300, 0);
		fputs("</title>", out);
		put_h(out, t->lanes[l].name, 24, 0);
		fputs("</text>\n", out);
	}
	for (size_t i = 0; i < t->nitems; i++) {
		const struct tl_item *it = &t->items[i];

		if (it->lane != lane)
			lane = it->lane, label_x = 0;
		item_draw(out, &ax, it, LANE_Y(it->lane), &label_x);
	}
	legend(out, y_end);
	fputs("</svg>\n", out);
}

static void
timeline(FILE *out, const struct analysis *a)
{
	struct timeline t;
	size_t errors = 0;

	timeline_build(a, &t);
	fputs("<section id=\"timeline-section\">\n<h2>Timeline</h2>\n", out);
	if (t.nitems)
		timeline_svg(out, &t);
	else
		fputs("<p id=\"timeline-empty\">Nothing in the case has a UTC time to place on a timeline.</p>\n",
		      out);
	for (size_t i = 0; i < t.nitems; i++)
		errors += t.items[i].kind == TL_ERROR;
	if (t.unplaced)
		fprintf(out, "<p class=\"meta\">%zu wizard run%s, install%s or sync run%s without a UTC time "
			"%s not drawn.</p>\n", t.unplaced, t.unplaced == 1 ? "" : "s", t.unplaced == 1 ? "" : "s",
			t.unplaced == 1 ? "" : "s", t.unplaced == 1 ? "is" : "are");
	if (t.errors_total > (int64_t)errors)
		fprintf(out, "<p class=\"meta\">%zu of %lld error events drawn.</p>\n", errors,
			(long long)t.errors_total);
	fputs("</section>\n", out);
	timeline_release(&t);
}
/* ------------------------------------------------------------------------
 * Upgrade and sync
 * ------------------------------------------------------------------------ */

static void
upgrade_phases(FILE *out, const struct analysis *a)
{
	if (!a->nupgrades)
		return;
	fprintf(out, "<section id=\"upgrade\">\n<h2>Upgrade (%zu attempt%s)</h2>\n", a->nupgrades,
		a->nupgrades == 1 ? "" : "s");
	for (size_t i = 0; i < a->nupgrades; i++) {
		const struct an_upgrade *u = &a->upgrades[i];

		fputs("<h3>", out);
		put_h(out, or_unknown(u->from), 60, 0);
		fputs(" &#8594; ", out);
		put_h(out, or_unknown(u->to), 60, 0);
		fputs(": ", out);
		put_h(out, or_unknown(u->outcome), 60, 0);
		fputs("</h3>\n<p class=\"meta\">", out);
		if (u->started || u->ended) {
			put_span(out, u->started, u->ended);
			fputs(" &#183; ", out);
		}
		put_loc(out, u->path, u->line, 0);
		fputs("</p>\n<table class=\"phases\">\n<tr><th>phase</th><th>state</th><th>time (UTC)</th>"
		      "<th>detail</th><th>evidence</th></tr>\n", out);
		for (int k = 0; k < PHASES; k++) {
			const struct an_phase *p = &u->phases[k];

			fprintf(out, "<tr><td>%s</td><td class=\"state-", phase_names[k]);
			put_ident(out, or_unknown(p->state));
			fputs("\">", out);
			put_h(out, or_unknown(p->state), 60, 0);
			fputs("</td><td>", out);
			if (p->time)
				put_time(out, p->time, u->started);
			fputs("</td><td>", out);
			h_line(out, p->detail, 400);
			fputs("</td><td>", out);
			put_loc(out, p->path, p->line, 0);
			fputs("</td></tr>\n", out);
		}
		fputs("<tr><td>sync paused</td><td colspan=\"4\">", out);
		if (u->pause_start || u->pause_end) {
			put_span(out, u->pause_start, u->pause_end);
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
		fputs("</td></tr>\n</table>\n", out);
	}
	fputs("</section>\n", out);
}

static void
sync_verdicts(FILE *out, const struct analysis *a)
{
	fputs("<section id=\"sync\">\n<h2>Sync: ", out);
	put_h(out, or_unknown(a->sync_verdict), 60, 0);
	fputs("</h2>\n", out);
	if (!a->nsyncs) {
		fputs("<p>No connector in the case.</p>\n</section>\n", out);
		return;
	}
	fputs("<table>\n<tr><th>connector</th><th>verdict</th><th>first import, sync, export after (UTC)</th>"
	      "<th>runs after</th><th>note</th></tr>\n", out);
	for (size_t i = 0; i < a->nsyncs; i++) {
		const struct an_sync *c = &a->syncs[i];
		const char *kind[RUN_KINDS] = { c->import_time, c->sync_time, c->export_time };

		fputs("<tr><td>", out);
		h(out, or_unknown(c->connector));
		fputs("</td><td class=\"v-", out);
		put_ident(out, or_unknown(c->verdict));
		fputs("\">", out);
		put_h(out, or_unknown(c->verdict), 60, 0);
		fputs("<br><span class=\"meta\">basis ", out);
		put_h(out, has(c->basis) ? c->basis : "none", 60, 0);
		if (c->resumed_time) {
			fputs(", at ", out);
			put_time(out, c->resumed_time, NULL);
		}
		if (c->seconds_to_resume >= 0) {
			fputs(", ", out);
			put_duration(out, c->seconds_to_resume);
			fputs(" after the upgrade", out);
		}
		fputs("</span></td><td>", out);
		for (int k = 0; k < RUN_KINDS; k++) {
			fputs(k ? "<br>" : "", out);
			if (kind[k])
				put_time(out, kind[k], NULL);
			else
				fputs("none", out);
		}
		fputs("</td><td>", out);
		if (c->runs_after >= 0)
			fprintf(out, "%lld, %lld not successful", (long long)c->runs_after,
				(long long)(c->failed_after > 0 ? c->failed_after : 0));
		fputs("</td><td><span class=\"text\">", out);
		put_h(out, c->note, TEXT_MAX, H_NL);
		fputs("</span>", out);
		if (c->path) {
			fputs(has(c->note) ? "<br>" : "", out);
			put_loc(out, c->path, c->line, 0);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

/* ------------------------------------------------------------------------
 * Findings
 * ------------------------------------------------------------------------ */

/* One record of an excerpt, a block: line number, a mark on the evidence
 * itself, then its text, at most maxlines lines and max bytes (continuation
 * lines hang under the text). */
static void
excerpt_record(FILE *out, int64_t line, const char *text, bool self, size_t maxlines, size_t max)
{
	const char *p = text ? text : "";
	size_t nlines = 0, left = max;

	fputs(self ? "<span class=\"rec hit\">" : "<span class=\"rec\">", out);
	if (line > 0)
		fprintf(out, "<span class=\"ln\">%6lld %s </span>", (long long)line, self ? "&#9656;" : " ");
	else
		fprintf(out, "<span class=\"ln\">       %s </span>", self ? "&#9656;" : " ");
	for (;;) {
		size_t n = strcspn(p, "\n"), m = n, done;

		if (m && p[m - 1] == '\r')
			m--;
		done = put_hn(out, p, m < left ? m : left, 0);
		left -= done;
		if (done < m) {
			fputs(" &#8230;", out);
			break;
		}
		if (!p[n] || !p[n + 1])
			break;
		p += n + 1;
		if (++nlines == maxlines || !left) {
			fputs("\n&#8230;", out);
			break;
		}
		fputc('\n', out);
	}
	fputs("</span>", out);
}

static void
evidence(FILE *out, const struct an_evidence *e)
{
	fputs("<div class=\"evidence\">\n<p class=\"meta\"><span class=\"label\">evidence</span> ", out);
	put_loc(out, e->path, e->line, e->record);
	if (e->time) {
		fputs(" &#183; ", out);
		put_time(out, e->time, NULL);
		fputs(" UTC", out);
	}
	if (has(e->format)) {
		fputs(" &#183; ", out);
		put_h(out, e->format, 40, 0);
	}
	if (has(e->note) && strlen(e->note) < 100 && !strchr(e->note, '\n')) {
		fputs(" &#183; <span class=\"note\">", out);
		put_h(out, e->note, 100, 0);
		fputs("</span>", out);
	}
	fputs("</p>\n", out);
	if (has(e->note) && (strlen(e->note) >= 100 || strchr(e->note, '\n'))) {
		fputs("<p class=\"text note\">", out);
		put_h(out, e->note, TEXT_MAX, H_NL);
		fputs("</p>\n", out);
	}
	if (e->nctx) {
		fputs("<pre class=\"excerpt\">", out);
		for (size_t k = 0; k < e->nctx; k++)
			excerpt_record(out, e->ctx[k].line, e->ctx[k].text, k == e->self,
				       k == e->self ? SELF_LINES : CTX_LINES, k == e->self ? SELF_MAX : CTX_MAX);
		fputs("</pre>\n", out);
	} else if (has(e->message)) {
		fputs("<pre class=\"excerpt\">", out);
		excerpt_record(out, e->line, e->message, true, SELF_LINES, SELF_MAX);
		fputs("</pre>\n", out);
	}
	fputs("</div>\n", out);
}

/* The references of a finding's data (a JSON object), as text: nothing in
 * the report is a link, so nothing can be fetched from it. */
static void
references(FILE *out, const char *data)
{
	cJSON *d = data ? cJSON_Parse(data) : NULL;
	const cJSON *refs = cJSON_IsObject(d) ? cJSON_GetObjectItemCaseSensitive(d, "references") : NULL;
	const cJSON *r;
	bool any = false;

	if (!cJSON_IsArray(refs))
		refs = NULL;
	cJSON_ArrayForEach(r, refs) {
		if (!cJSON_IsString(r) || !r->valuestring[0])
			continue;
		fputs(any ? "" : "<div class=\"refs\"><span class=\"label\">references</span>\n<ul>\n", out);
		fputs("<li>", out);
		put_h(out, r->valuestring, 600, 0);
		fputs("</li>\n", out);
		any = true;
	}
	if (any)
		fputs("</ul></div>\n", out);
	cJSON_Delete(d);
}

/* How many earlier findings have the same rule (their ids are taken). */
static size_t
rule_seen(const struct analysis *a, size_t i)
{
	size_t n = 0;

	for (size_t k = 0; k < i; k++)
		n += a->findings[k].rule && a->findings[i].rule && strcmp(a->findings[k].rule, a->findings[i].rule) == 0;
	return n;
}

static void
finding(FILE *out, const struct analysis *a, size_t i)
{
	const struct an_finding *f = &a->findings[i];
	size_t dup = rule_seen(a, i);
	bool first = true;

	fputs("<section class=\"finding finding-", out);
	put_ident(out, or_unknown(f->severity));
	fputs("\" id=\"finding-", out);
	put_ident(out, f->rule);
	if (dup)
		fprintf(out, "-%zu", dup + 1);
	fprintf(out, "\">\n<h3><span class=\"rank\">%lld.</span> <span class=\"sev sev-",
		(long long)(f->rank > 0 ? f->rank : (int64_t)i + 1));
	put_ident(out, or_unknown(f->severity));
	fputs("\">", out);
	put_h(out, or_unknown(f->severity), 40, 0);
	fputs("</span> <code class=\"rule\">", out);
	put_h(out, or_unknown(f->rule), 100, 0);
	fputs("</code> ", out);
	put_h(out, f->title, 600, 0);
	fputs("</h3>\n<p class=\"meta\">confidence ", out);
	put_h(out, or_unknown(f->confidence), 40, 0);
	if (has(f->kind)) {
		fputs(" &#183; ", out);
		put_h(out, f->kind, 40, 0);
	}
	if (f->time) {
		fputs(" &#183; at ", out);
		put_time(out, f->time, NULL);
		fputs(" UTC", out);
	}
	if (has(f->explained_by)) {
		fputs(" &#183; <span class=\"label\">caused by</span> <code>", out);
		put_h(out, f->explained_by, 100, 0);
		fputs("</code>", out);
	}
	for (size_t k = 0; k < a->nfindings; k++) {
		const struct an_finding *g = &a->findings[k];

		if (k == i || !has(f->rule) || !has(g->rule) || !g->explained_by || strcmp(g->explained_by, f->rule) != 0 ||
		    rule_seen(a, k))
			continue;
		fputs(first ? " &#183; <span class=\"label\">explains</span> " : ", ", out);
		fputs("<code>", out);
		put_h(out, g->rule, 100, 0);
		fputs("</code>", out);
		first = false;
	}
	fputs("</p>\n", out);
	if (has(f->stop_role) && !strcmp(f->stop_role, "stopped")) {
		fputs(has(f->stop_run) && !strcmp(f->stop_run, "install")
			      ? "<p class=\"stop\"><span class=\"label\">stopped the install</span> "
			      : "<p class=\"stop\"><span class=\"label\">stopped the wizard run</span> ",
		      out);
		put_loc(out, f->stop_path, f->stop_line, 0);
		fputs("</p>\n", out);
	} else if (has(f->stop_role) && !strcmp(f->stop_role, "survived")) {
		fputs("<p class=\"survived\">Logged; the run went on.</p>\n", out);
	}
	if (has(f->basis) && strcmp(f->basis, "logs") != 0) {
		fputs("<p class=\"basis\"><span class=\"label\">basis</span> ", out);
		put_h(out, report_basis_text(f->basis), 200, 0);
		fputs("</p>\n", out);
	}
	if (has(f->summary)) {
		fputs("<p class=\"text summary\">", out);
		put_h(out, f->summary, TEXT_MAX, H_NL);
		fputs("</p>\n", out);
	}
	for (size_t k = 0; k < f->nev; k++)
		if (!f->ev[k].context)
			evidence(out, &f->ev[k]);
	{
		size_t n = 0;

		for (size_t k = 0; k < f->nev; k++) {
			const struct an_evidence *e = &f->ev[k];

			if (!e->context)
				continue;
			fputs(n++ ? ", "
				  : "<p class=\"meta context\"><span class=\"label\">part of the same failure</span> ",
			      out);
			put_loc(out, e->path, e->line, e->record);
		}
		if (n)
			fputs("</p>\n", out);
	}
	if (has(f->remediation)) {
		fputs("<p class=\"text fix\"><span class=\"label\">Fix:</span> ", out);
		put_h(out, f->remediation, TEXT_MAX, H_NL);
		fputs("</p>\n", out);
	}
	references(out, f->data);
	fputs("</section>\n", out);
}

static void
findings(FILE *out, const struct analysis *a)
{
	fprintf(out, "<section id=\"findings\">\n<h2>Findings (%zu)</h2>\n", a->nfindings);
	if (!a->nfindings)
		fputs("<p>None.</p>\n", out);
	for (size_t i = 0; i < a->nfindings; i++)
		finding(out, a, i);
	fputs("</section>\n", out);
}

static void
missing_evidence(FILE *out, const struct analysis *a)
{
	if (!a->nmissing)
		return;
	fprintf(out, "<section id=\"missing\">\n<h2>Missing evidence (%zu)</h2>\n<ul>\n", a->nmissing);
	for (size_t i = 0; i < a->nmissing; i++) {
		const struct an_missing *m = &a->missing[i];

		fputs("<li><p class=\"text\">", out);
		put_h(out, or_unknown(m->question), TEXT_MAX, H_NL);
		fputs("</p>\n", out);
		if (has(m->collect)) {
			fputs("<p class=\"text\"><span class=\"label\">Collect:</span> ", out);
			put_h(out, m->collect, TEXT_MAX, H_NL);
			fputs("</p>\n", out);
		}
		if (has(m->how)) {
			fputs("<pre>", out);
			put_h(out, m->how, TEXT_MAX, H_NL);
			fputs("</pre>\n", out);
		}
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

static void
unexplained(FILE *out, const struct analysis *a)
{
	if (!a->nunexplained)
		return;
	fprintf(out, "<section id=\"unexplained\">\n<h2>Errors nothing explains (%zu)</h2>\n", a->nunexplained);
	for (size_t i = 0; i < a->nunexplained; i++) {
		const struct an_unexplained *u = &a->unexplained[i];

		fprintf(out, "<div class=\"unexplained\">\n<p><span class=\"label\">%lld &#215;</span> ",
			(long long)u->count);
		h_line(out, u->template, 600);
		fprintf(out, "</p>\n<p class=\"meta\">in %lld source%s", (long long)u->sources,
			u->sources == 1 ? "" : "s");
		if (u->first_time) {
			fputs(", first at ", out);
			put_time(out, u->first_time, NULL);
			fputs(" UTC", out);
		}
		if (has(u->level)) {
			fputs(", level ", out);
			put_h(out, u->level, 40, 0);
		}
		if (has(u->provider)) {
			fputs(", provider ", out);
			put_h(out, u->provider, 200, 0);
		}
		if (u->path) {
			fputs(", example ", out);
			put_loc(out, u->path, u->line, u->record);
		}
		fputs("</p>\n", out);
		if (has(u->example)) {
			fputs("<pre class=\"excerpt\">", out);
			excerpt_record(out, u->line, u->example, false, SELF_LINES, CTX_MAX);
			fputs("</pre>\n", out);
		}
		fputs("</div>\n", out);
	}
	fputs("</section>\n", out);
}

/* ------------------------------------------------------------------------
 * Versions, host, installs
 * ------------------------------------------------------------------------ */

static void
value_row(FILE *out, const char *label, const struct an_value *v, const char *note)
{
	if (!v->value)
		return;
	fprintf(out, "<tr><th>%s</th><td>", label);
	put_h(out, v->value, 400, 0);
	if (note)
		fprintf(out, " <span class=\"meta\">(%s)</span>", note);
	fputs("</td><td>", out);
	put_loc(out, v->path, v->line, 0);
	fputs("</td></tr>\n", out);
}

static void
facts(FILE *out, const struct analysis *a)
{
	fputs("<section id=\"facts\">\n<h2>Versions and host</h2>\n<table>\n"
	      "<tr><th>what</th><th>value</th><th>read from</th></tr>\n", out);
	value_row(out, "installed", &a->installed, "sync engine before the upgrade");
	value_row(out, "installed", &a->engine_absent, "the wizard found no sync engine");
	value_row(out, "target", &a->target, "the version the wizard installs");
	value_row(out, "wizard", &a->wizard, NULL);
	value_row(out, "config", &a->server_config_version, "ServerConfigurationVersion");
	value_row(out, "GUI", &a->gui_version, "Help &gt; About, as written down");
	value_row(out, "export", &a->config_export_version, "the configuration export was written by");
	value_row(out, "staging mode", &a->staging_mode, NULL);
	value_row(out, "scheduler suspended", &a->scheduler_suspended, NULL);
	value_row(out, "auto-upgrade", &a->autoupgrade_state, NULL);
	value_row(out, "auto-upgrade reason", &a->autoupgrade_reason, NULL);
	value_row(out, "OS", &a->os_version, NULL);
	value_row(out, "OS name", &a->os_name, NULL);
	value_row(out, ".NET release", &a->dotnet_release, NULL);
	value_row(out, ".NET version", &a->dotnet_version, NULL);
	value_row(out, "TLS 1.2", &a->tls12, NULL);
	for (size_t i = 0; i < a->ncomponents; i++) {
		const struct an_component *c = &a->components[i];

		fputs("<tr><th>component</th><td>", out);
		put_h(out, c->name, 200, 0);
		fputc(' ', out);
		put_h(out, c->version ? c->version : "?", 60, 0);
		fputs("</td><td>", out);
		put_loc(out, c->path, c->line, 0);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

static void
installs(FILE *out, const struct analysis *a)
{
	if (!a->ninstalls)
		return;
	fprintf(out, "<section id=\"installs\">\n<h2>Windows Installer installs (%zu)</h2>\n<table>\n"
		"<tr><th>time</th><th>product</th><th>outcome</th><th>first failure</th><th>log</th></tr>\n",
		a->ninstalls);
	for (size_t i = 0; i < a->ninstalls; i++) {
		const struct an_install *in = &a->installs[i];
		const char *meaning = in->status >= 0 ? msi_status_text(in->status) : NULL;

		fputs("<tr><td>", out);
		if (in->start)
			put_span(out, in->start, in->end);
		else if (in->start_local) {
			put_h(out, in->start_local, 40, 0);
			fputs(" local, date unknown", out);
		} else
			fputs("time unknown", out);
		fputs("</td><td>", out);
		put_h(out, in->product ? in->product : "product unknown", 200, 0);
		if (in->version) {
			fputc(' ', out);
			put_h(out, in->version, 60, 0);
		}
		fputs("</td><td>", out);
		put_h(out, in->outcome, 60, 0);
		if (in->status > 0) {
			fprintf(out, ", status %lld", (long long)in->status);
			if (meaning) {
				fputs(" (", out);
				put_h(out, meaning, 200, 0);
				fputc(')', out);
			}
		}
		fputs("</td><td>", out);
		if (in->fail_action) {
			put_h(out, in->fail_action, 100, 0);
			fputs(" returned 3", out);
			if (in->fail_line > 0)
				fprintf(out, " (line %lld)", (long long)in->fail_line);
		}
		if (in->ca_name) {
			fputs("<br>custom action ", out);
			put_h(out, in->ca_name, 100, 0);
			fprintf(out, " returned %lld", (long long)in->ca_error);
		}
		if (in->error_number >= 0) {
			fprintf(out, "<br>error %lld: ", (long long)in->error_number);
			h_line(out, in->error_text, 300);
		}
		fputs("</td><td>", out);
		if (in->path)
			put_loc(out, in->path, 0, 0);
		else
			fputs("no MSI log in the case", out);
		if (in->missing_log) {
			fputs("<br>missing: ", out);
			put_h(out, in->missing_log, 300, 0);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

/* ------------------------------------------------------------------------
 * Sources
 * ------------------------------------------------------------------------ */

static void
problems(FILE *out, const struct an_source *s)
{
	if (!s->nprobs && s->problems <= 0)
		return;
	fputs("<ul>\n", out);
	for (size_t k = 0; k < s->nprobs; k++) {
		fputs("<li>", out);
		if (s->probs[k].line > 0)
			fprintf(out, "line %lld: ", (long long)s->probs[k].line);
		else if (s->probs[k].offset >= 0)
			fprintf(out, "offset %lld: ", (long long)s->probs[k].offset);
		put_h(out, s->probs[k].message, 600, 0);
		fputs("</li>\n", out);
	}
	if ((int64_t)s->nprobs < s->problems)
		fprintf(out, "<li>&#8230; %lld problems in all (<code>ecdiag sources</code>)</li>\n",
			(long long)s->problems);
	fputs("</ul>\n", out);
}

static void
sources(FILE *out, const struct analysis *a)
{
	fprintf(out, "<section id=\"sources\">\n<h2>Sources (%zu)</h2>\n<p>%zu parsed (%lld records), "
		"%zu skipped, %zu duplicate, %zu unreadable, %zu archive%s.</p>\n<table>\n"
		"<colgroup><col style=\"width:30%%\"><col style=\"width:11%%\"><col style=\"width:9%%\">"
		"<col style=\"width:8%%\"><col style=\"width:32%%\"><col style=\"width:10%%\"></colgroup>\n"
		"<tr><th>path</th><th>format</th><th>status</th><th>records</th><th>sha256</th>"
		"<th>problems</th></tr>\n", a->nsources, a->nparsed, (long long)a->nrecords, a->nskipped,
		a->nduplicate, a->nfailed, a->narchives, a->narchives == 1 ? "" : "s");
	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];

		fputs("<tr><td>", out);
		put_loc(out, s->path, 0, 0);
		fputs("</td><td>", out);
		put_h(out, s->format, 40, 0);
		if (has(s->encoding)) {
			fputs("<br><span class=\"meta\">", out);
			put_h(out, s->encoding, 40, 0);
			fputs("</span>", out);
		}
		fputs("</td><td class=\"st-", out);
		put_ident(out, s->status);
		fputs("\">", out);
		put_h(out, or_unknown(s->status), 40, 0);
		fprintf(out, "</td><td>%lld</td><td><span class=\"hash\">", (long long)(s->records > 0 ? s->records : 0));
		put_h(out, has(s->sha256) ? s->sha256 : "none", 80, 0);
		fprintf(out, "</span></td><td>%lld</td></tr>\n", (long long)(s->problems > 0 ? s->problems : 0));
	}
	fputs("</table>\n</section>\n", out);
}

static void
unread(FILE *out, const struct analysis *a)
{
	size_t n = 0;

	fputs("<section id=\"unread\">\n<h2>Could not be read</h2>\n", out);
	for (size_t i = 0; i < a->nsources; i++) {
		const struct an_source *s = &a->sources[i];
		bool parsed = s->status && strcmp(s->status, "parsed") == 0;

		if (!report_unread(s))
			continue;
		fputs(n++ ? "" : "<ul>\n", out);
		fputs("<li><span class=\"st-", out);
		put_ident(out, s->status);
		fputs("\">", out);
		put_h(out, or_unknown(s->status), 40, 0);
		fputs("</span> ", out);
		put_loc(out, s->path, 0, 0);
		if (parsed)
			fprintf(out, ": read with %lld problem%s, %lld record%s skipped", (long long)s->problems,
				s->problems == 1 ? "" : "s", (long long)s->skipped, s->skipped == 1 ? "" : "s");
		if (s->reason) {
			fputs(": ", out);
			put_h(out, s->reason, 600, 0);
		}
		if (s->duplicate_of) {
			fputs(" (", out);
			put_h(out, s->duplicate_of, 600, 0);
			fputc(')', out);
		}
		problems(out, s);
		fputs("</li>\n", out);
	}
	fputs(n ? "</ul>\n" : "<p>Every input was read.</p>\n", out);
	fputs("</section>\n", out);
}

int
report_html(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	head(out, a);
	header(out, a, o);
	verdict(out, a);
	timeline(out, a);
	upgrade_phases(out, a);
	sync_verdicts(out, a);
	findings(out, a);
	missing_evidence(out, a);
	unexplained(out, a);
	facts(out, a);
	installs(out, a);
	sources(out, a);
	unread(out, a);
	fputs("<footer>Written by ecdiag " ECDIAG_VERSION " from the stored analysis. This file loads nothing "
	      "and runs no script; log text is shown as text.</footer>\n</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}
