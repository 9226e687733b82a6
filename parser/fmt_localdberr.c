/* SPDX-License-Identifier: MIT */
/* fmt_localdberr.c - the error log of a SQL Server (LocalDB) instance: for
 * Entra Connect, <ADSync service profile>\AppData\Local\Microsoft\Microsoft
 * SQL Server Local DB\Instances\ADSync2019\error.log (the ERRORLOG of a full
 * SQL Server has the same layout). SQL Server writes it in UTF-16LE.
 *
 * Layout (Microsoft's model-database article, resolve-model-database-
 * corruption-sqllocaldb.md, gives the lines with the time as the placeholder
 * "<yyyy-MM-dd HH:mm:ss.##>"; SQL Server's own ERRORLOG lines as quoted in
 * public logs have the same shape):
 *
 *   2022-11-18 13:43:05.96 Server      Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)
 *           Sep 24 2019 13:48:23
 *   2022-11-18 13:43:05.97 Server      UTC adjustment: -8:00
 *   2022-11-18 13:43:06.12 spid14s     Error: 9003, Severity: 20, State: 1.
 *   2022-11-18 13:43:06.12 spid14s     The log scan number (41:488:1) passed to ...
 *
 * a local date and time with hundredths, one space, the source ("Server",
 * "spid14s", "Logon", "Backup" ...) padded with spaces to a column, the
 * message. A line without the time continues the record before it (the
 * header's tab-indented lines). An "Error: N, Severity: S, State: T." line
 * is followed by its message on the next line of the same source: both
 * become one record, level error, with the items Error, Severity, State.
 * Times are local: the "UTC adjustment" line is left to the clock
 * (analyzer/clock.c), as for Windows Installer logs. */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/timeutil.h"
#include "parser/parser.h"
#include "parser/textutil.h"

#define SRC_MAX 32

struct errline {
	struct civil c;
	struct sv source;	/* view into the line */
	struct sv message;	/* view into the line, may be empty */
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "YYYY-MM-DD HH:MM:SS.cc<sp>source<sp>+message" */
static bool
errline_at(struct sv l, struct errline *e)
{
	size_t i, s;
	int frac = 0, nd = 0;

	if (l.n < 24 || l.p[4] != '-' || l.p[7] != '-' || l.p[10] != ' ' || l.p[13] != ':' ||
	    l.p[16] != ':' || l.p[19] != '.')
		return false;
	memset(e, 0, sizeof(*e));
	e->c.year = read_digits(l.p, 4);
	e->c.month = read_digits(l.p + 5, 2);
	e->c.day = read_digits(l.p + 8, 2);
	e->c.hour = read_digits(l.p + 11, 2);
	e->c.min = read_digits(l.p + 14, 2);
	e->c.sec = read_digits(l.p + 17, 2);
	if (e->c.year < 0 || e->c.month < 0 || e->c.day < 0 || e->c.hour < 0 || e->c.hour > 23 ||
	    e->c.min < 0 || e->c.min > 59 || e->c.sec < 0 || e->c.sec > 59 || !civil_valid(&e->c))
		return false;
	/* Hundredths as written (two digits); one to three are accepted. */
	for (i = 20; i < l.n && nd < 3 && is_digit(l.p[i]); i++, nd++)
		frac = frac * 10 + (l.p[i] - '0');
	if (nd == 0 || i >= l.n || l.p[i] != ' ')
		return false;
	e->c.msec = nd == 1 ? frac * 100 : nd == 2 ? frac * 10 : frac;
	s = ++i;
	while (i < l.n && l.p[i] != ' ' && l.p[i] != '\t')
		i++;
	if (i == s || i - s > SRC_MAX)
		return false;
	e->source = sv_make(l.p + s, i - s);
	if (i < l.n && l.p[i] != ' ' && l.p[i] != '\t')
		return false;
	while (i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	e->message = sv_make(l.p + i, l.n - i);
	return true;
}

/* "Error: 9003, Severity: 20, State: 1." -> the three numbers as views. */
static bool
error_head(struct sv m, struct sv num[3])
{
	static const char *const lab[3] = { "Error: ", ", Severity: ", ", State: " };
	size_t i = 0;

	for (int k = 0; k < 3; k++) {
		size_t n = strlen(lab[k]), s;

		if (m.n - i < n || memcmp(m.p + i, lab[k], n) != 0)
			return false;
		i += n;
		s = i;
		while (i < m.n && is_digit(m.p[i]))
			i++;
		if (i == s)
			return false;
		num[k] = sv_make(m.p + s, i - s);
	}
	return i < m.n && m.p[i] == '.';
}

/* The record being built. */
struct rec {
	bool open;
	bool is_error;		/* an "Error:" head waiting for its message line */
	bool joined;		/* that message line was added */
	uint64_t line, offset;
	struct civil c;
	char source[SRC_MAX + 1];
	size_t source_n;
	struct buf text;
	uint64_t cut;
};

struct ctx {
	const struct ec_input *inp;
	struct rec r;
	int offset_min;
	enum ec_timeq tq;
};

static int
flush(struct ctx *x)
{
	const struct ec_sink *sink = x->inp->sink;
	struct rec *r = &x->r;
	struct ec_event ev;
	struct ec_kv kv[3];
	struct sv num[3];
	int rc = 0;

	if (!r->open)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.line = r->line;
	ev.offset = r->offset;
	ev.time_ms = civil_to_ms(&r->c) - (int64_t)x->offset_min * 60000;
	ev.timeq = x->tq;
	ev.tod_ms = ((r->c.hour * 60 + r->c.min) * 60 + r->c.sec) * 1000 + r->c.msec;
	ev.level = r->is_error ? LVL_ERROR : LVL_INFO;
	ev.provider = sv_make(r->source, r->source_n);
	ev.event_id = -1;
	ev.message = buf_sv(&r->text);
	if (r->is_error && error_head(ev.message, num)) {
		kv[0].name = SV_LIT("Error");
		kv[0].value = num[0];
		kv[1].name = SV_LIT("Severity");
		kv[1].value = num[1];
		kv[2].name = SV_LIT("State");
		kv[2].value = num[2];
		ev.data = kv;
		ev.ndata = 3;
	}
	if (r->cut)
		rc = ec_problemf(sink, r->line, r->offset, 0, r->cut,
				 "record too long, %llu bytes cut", (unsigned long long)r->cut);
	if (!rc && sink->event)
		rc = sink->event(sink->ctx, &ev);
	r->open = false;
	r->is_error = false;
	r->joined = false;
	r->cut = 0;
	buf_reset(&r->text);
	return rc;
}

static void
start(struct ctx *x, const struct linereader *lr, const struct errline *e, bool has_nul)
{
	struct rec *r = &x->r;

	r->open = true;
	r->line = lr->lineno;
	r->offset = lr->offset;
	r->c = e->c;
	r->source_n = e->source.n;
	memcpy(r->source, e->source.p, e->source.n);
	r->source[r->source_n] = '\0';
	r->cut += text_append_line(&r->text, e->message, has_nul);
}

static int
lde_parse(const struct ec_input *inp)
{
	const struct ec_options *o = inp->opt;
	struct linereader lr;
	struct ctx x;
	struct sv line;
	uint64_t problems = 0;
	int r = 0, rc = 0;

	memset(&x, 0, sizeof(x));
	x.inp = inp;
	x.offset_min = o && o->have_offset ? o->utc_offset_min : 0;
	x.tq = o && o->have_offset ? TQ_LOCAL_GIVEN : TQ_LOCAL_ASSUMED;
	buf_init(&x.r.text, text_max_record(o));
	lr_init(&lr, inp->in, inp->enc.enc, inp->enc.bom, text_max_line(o));
	while (!rc && (r = lr_next(&lr, &line)) > 0) {
		struct errline e;
		struct sv num[3];
		bool has_nul = line.n && memchr(line.p, 0, line.n);
		struct sv t;

		if ((lr.nul_bytes || lr.cut_bytes || lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&lr, inp->sink, has_nul, &problems)) != 0)
			break;
		t = sv_trim(line);
		if (!t.n)
			continue;
		/* trailing spaces and CR go; leading ones are kept for
		 * continuation lines, which are written indented */
		while (line.n && (line.p[line.n - 1] == ' ' || line.p[line.n - 1] == '\t' ||
				  line.p[line.n - 1] == '\r'))
			line.n--;
		if (!errline_at(line, &e)) {
			if (x.r.open) {
				x.r.cut += text_append(&x.r.text, "\n", 1);
				x.r.cut += text_append_line(&x.r.text, t, has_nul);
			}
			/* text before the first dated line belongs to no record */
			continue;
		}
		if (x.r.open && x.r.is_error && !x.r.joined && e.source.n == x.r.source_n &&
		    memcmp(e.source.p, x.r.source, e.source.n) == 0 && !error_head(e.message, num)) {
			x.r.cut += text_append(&x.r.text, "\n", 1);
			x.r.cut += text_append_line(&x.r.text, e.message, has_nul);
			x.r.joined = true;
			continue;
		}
		if ((rc = flush(&x)) != 0)
			break;
		start(&x, &lr, &e, has_nul);
		x.r.is_error = error_head(e.message, num);
	}
	if (!rc)
		rc = flush(&x);
	if (!rc)
		rc = text_finish(&lr, inp->sink, problems, r);
	lr_release(&lr);
	buf_release(&x.r.text);
	return rc;
}

struct sniffst {
	int dated, other;
	bool first_dated;
};

static int
judge(void *ctx, struct sv line, int seen)
{
	struct sniffst *st = ctx;
	struct errline e;

	while (line.n && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == ' '))
		line.n--;
	if (errline_at(line, &e)) {
		st->dated++;
		if (seen == 1)
			st->first_dated = true;
	} else if (line.n && (line.p[0] == '\t' || line.p[0] == ' ') && st->dated) {
		/* a continuation line of the header */
	} else {
		st->other++;
	}
	return 0;
}

/* Content only: the first non-blank line is dated in this layout and so are
 * all the first lines but indented continuations. 70 for two or more such
 * lines (above the event exports and the paste reader), 40 for a single one. */
static int
lde_sniff(const struct ec_sniff *s)
{
	struct sniffst st = { 0, 0, false };

	if (!s->text)
		return 0;
	text_sniff_lines(s, 12, judge, &st);
	/* one stray line (a wrapped message) among three dated ones is allowed */
	if (!st.first_dated || st.other > (st.dated >= 3 ? 1 : 0))
		return 0;
	return st.dated >= 2 ? 70 : 40;
}

const struct ec_format fmt_localdberr = {
	.name = "localdb-errorlog",
	.title = "SQL Server / LocalDB instance error log (error.log, ERRORLOG)",
	.identifies = "text whose lines start \"YYYY-MM-DD HH:MM:SS.cc <source>  \" (UTF-16LE or UTF-8)",
	.binary = false,
	.sniff = lde_sniff,
	.parse = lde_parse,
};
