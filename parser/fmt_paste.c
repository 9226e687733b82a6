/* SPDX-License-Identifier: MIT */
/* fmt_paste.c - evidence pasted into a ticket, a forum post or an e-mail
 * (issue 13): wizard trace lines with or without their "[HH:MM:SS.fff]
 * [tid]" prefix, the wizard's error text, Event Viewer's General tab, cmdlet
 * output, in any quoting, one after the other in one .txt, .md or .eml.
 *
 * Each line is first de-quoted: "> " and ">>" quote marks, list bullets
 * ("- ", "* ", "+ ", "1. "), surrounding quote marks, and the Markdown
 * fences (``` and ~~~, the fence lines themselves are markup). An e-mail's
 * RFC 822 headers are skipped (its Subject is kept as a record),
 * quoted-printable is undone (soft line breaks "=" and "=XX"), multipart
 * bodies are read part by part; a part that is not text, or is base64, is
 * reported and not read.
 *
 * The de-quoted lines are then split into parts, each read by the grammar
 * it has:
 *   - a line with the full trace prefix starts a trace part, read by
 *     fmt_trace (every following line is its text, as in a trace file);
 *   - "Log Name:" starts an Event Viewer copy, read by fmt_evtext;
 *   - a Format-List property of a run ("RunHistoryId :", "ConnectorName :"
 *     ...) starts a run list, read by fmt_runlist (the property names are
 *     re-padded so that their colons line up, as a forum's collapsed spaces
 *     would not); a global settings parameter ("Microsoft.X.Y : v", "Name :
 *     Microsoft.X.Y") starts a settings list, read by fmt_adsyncsettings;
 *   - anything else is read here, as trace lines without their prefix: one
 *     record per logical line, with the lines that continue it (indented,
 *     "at ...", "--->", "Exception ...", "Inner Exception", "Server stack
 *     trace") joined to it; once a kept "[LEVEL]" tag has been seen, every
 *     line without one continues the record before it, as in a trace file.
 * A part is handed to its format's parse() from memory (common/memstream)
 * with a sink that maps the line numbers and offsets of the part back to
 * the pasted file. Blank lines never end a part by themselves (the Q&A
 * renderer puts one between every two lines): in a run or settings list a
 * blank line is kept only before a property that the object being read has
 * already had (a new object starts), and a part ends at a line that is
 * none of its grammar. A change of quote depth or a fence ends a part.
 *
 * Times: pasted trace lines have no date (TQ_NONE, or TQ_TIME_OF_DAY when
 * the "[HH:MM:SS.fff]" is kept); parts read by another format keep what
 * that format reads from them. Levels: a kept tag, else error when the line
 * names an exception or says error or failed, else none. Facts: those of
 * the trace reader's messages (trace_message_facts()). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/stream.h"
#include "common/xalloc.h"
#include "parser/fmt_trace.h"
#include "parser/parser.h"
#include "parser/runps.h"
#include "parser/textutil.h"

extern const struct ec_format fmt_trace;
extern const struct ec_format fmt_evtext;
extern const struct ec_format fmt_runlist;
extern const struct ec_format fmt_adsyncsettings;

#define PART_LINES 65536	/* lines of a part handed over at once */
#define MAX_NAMES 64		/* property names remembered per object */
#define NAME_PAD 40		/* column of the colon in re-padded run properties */
#define SNIFF_LINES 400
#define HDR_MAX 4096		/* an e-mail header, folded lines joined */

enum part { P_NONE, P_TRACE, P_EVTEXT, P_RUNLIST, P_SETTINGS };

/* What a line could start. */
enum start { S_NONE, S_TRACE, S_EVTEXT, S_RUNLIST, S_SETTINGS };

enum mail {
	M_UNKNOWN,	/* nothing read yet */
	M_NONE,		/* not an e-mail */
	M_HEAD,		/* the message's headers */
	M_PREAMBLE,	/* a multipart body before its first part */
	M_PARTHEAD,	/* a part's headers */
	M_BODY,		/* text to read */
	M_SKIP,		/* a part not read */
};

/* A line of the part being gathered. */
struct pline {
	uint64_t lineno, offset;	/* in the pasted file */
	size_t at;			/* where it starts in the part */
	size_t cut;			/* bytes of quoting removed before it */
};

/* A de-quoted line. */
struct dq {
	struct sv text;
	size_t cut;		/* bytes removed at its start */
	int depth;		/* "> " quote marks */
	bool fence;		/* a fence line (markup only) */
};

struct paste {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;
	uint64_t problems;

	/* e-mail */
	enum mail mail;
	bool multipart, qp, part_qp, part_skip;
	struct buf boundary;		/* "--" and the boundary */
	struct buf hdr;			/* the header being read */
	uint64_t hdr_line, part_line;
	struct buf logical;		/* a quoted-printable line, soft breaks undone */
	bool joining;
	uint64_t log_line, log_offset;

	/* quoting */
	bool fence;
	char fence_ch;
	size_t fence_indent;
	int depth;

	/* the part being gathered */
	enum part part;
	int part_depth;
	struct buf pbuf;
	struct pline *pl;
	size_t npl, cap;
	size_t blanks;			/* blank lines not yet placed */
	uint64_t blank_line, blank_offset;
	bool after_prop;		/* the last line of a list was a property or its wrap */
	uint32_t names[MAX_NAMES];	/* hashes of the property names of the object */
	size_t nnames;
	struct buf norm;		/* a re-padded property line */

	/* a record of loose lines */
	struct buf rec;
	bool rec_open, tagged;
	int rec_depth;
	uint64_t rec_line, rec_offset;
	enum ec_level rec_level;
	int32_t rec_tod;
	char tid[TRACE_MAX_TID];
	size_t tid_len;
	uint64_t dropped;
	struct trace_facts tf;

	struct ec_sink wrap;		/* what a part's reader reports to */
	uint64_t records;
};

/* ---- small helpers ----------------------------------------------------------- */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
ident_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' ||
	       c == '.' || c == '-';
}

static uint32_t
hash_ci(struct sv v)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < v.n; i++) {
		char c = v.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		h = (h ^ (unsigned char)c) * 16777619u;
	}
	return h;
}

/* "Name<spaces>: value" or "Name<spaces>:" (Format-List): the name, else
 * the empty view. *colon is the colon's position. */
static struct sv
prop_name(struct sv l, size_t *colon)
{
	size_t i = 0, e;

	while (i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	if (i >= l.n || !((l.p[i] >= 'A' && l.p[i] <= 'Z') || (l.p[i] >= 'a' && l.p[i] <= 'z')))
		return SV_NULL;
	e = i;
	while (e < l.n && ident_char(l.p[e]))
		e++;
	*colon = e;
	while (*colon < l.n && (l.p[*colon] == ' ' || l.p[*colon] == '\t'))
		(*colon)++;
	if (*colon >= l.n || l.p[*colon] != ':' ||
	    (*colon + 1 < l.n && l.p[*colon + 1] != ' ' && l.p[*colon + 1] != '\t'))
		return SV_NULL;
	return sv_make(l.p + i, e - i);
}

/* "Microsoft.<A>.<B>": a global settings parameter name. */
static bool
param_name(struct sv v)
{
	size_t dots = 0;

	if (v.n < 12 || !sv_starts(v, "Microsoft."))
		return false;
	for (size_t i = 0; i < v.n; i++) {
		if (!ident_char(v.p[i]) || v.p[i] == '-')
			return false;
		dots += v.p[i] == '.';
	}
	return dots >= 2 && v.p[v.n - 1] != '.';
}

/* A property that only a run or a run step has. */
static bool
run_prop(struct sv name)
{
	switch (runps_field(name)) {
	case RP_RUN_HISTORY_ID:
	case RP_CONNECTOR_ID:
	case RP_CONNECTOR_NAME:
	case RP_PROFILE:
	case RP_RUN_NUMBER:
	case RP_RUN_STEP_RESULTS:
	case RP_IS_RUN_COMPLETE:
	case RP_STEP_HISTORY_ID:
	case RP_STEP_NUMBER:
	case RP_STEP_RESULT:
		return true;
	default:
		return false;
	}
}

/* "Log Name:" (Event Viewer's first header line). */
static bool
logname_line(struct sv l)
{
	size_t i = 8;

	if (!sv_istarts(l, "Log Name"))
		return false;
	while (i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	return i < l.n && l.p[i] == ':';
}

static enum start
start_of(struct sv l)
{
	struct trace_line tl;
	struct sv name, value;
	size_t colon;

	if (l.n && l.p[0] == '[' && trace_line_parse(l, &tl))
		return S_TRACE;
	if (l.n && (l.p[0] == 'L' || l.p[0] == 'l') && logname_line(l))
		return S_EVTEXT;
	name = prop_name(l, &colon);
	if (!name.n)
		return S_NONE;
	if (run_prop(name))
		return S_RUNLIST;
	value = sv_trim(sv_make(l.p + colon + 1, l.n - colon - 1));
	if (param_name(name) || (sv_ieq(name, "Name") && param_name(value)))
		return S_SETTINGS;
	return S_NONE;
}

static enum ec_level
level_word(struct sv w)
{
	static const struct {
		const char *w;
		enum ec_level l;
	} words[] = {
		{ "INFO", LVL_INFO }, { "VERB", LVL_VERBOSE }, { "WARN", LVL_WARN },
		{ "ERROR", LVL_ERROR }, { "DEBUG", LVL_VERBOSE }, { "FATAL", LVL_CRITICAL },
		{ "VERBOSE", LVL_VERBOSE }, { "WARNING", LVL_WARN }, { "CRITICAL", LVL_CRITICAL },
		{ "INFORMATION", LVL_INFO },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (sv_eq(w, words[i].w))
			return words[i].l;
	}
	return LVL_NONE;
}

/* "[ word ]" at the start of v: the word trimmed, and v moved past it. */
static bool
bracket(struct sv *v, struct sv *word)
{
	const char *e;

	if (!v->n || v->p[0] != '[' || !(e = memchr(v->p, ']', v->n < 24 ? v->n : 24)))
		return false;
	*word = sv_trim(sv_make(v->p + 1, (size_t)(e - v->p - 1)));
	*v = sv_make(e + 1, v->n - (size_t)(e + 1 - v->p));
	return true;
}

/* "[HH:MM:SS.fff]" -> ms, else -1. */
static int32_t
tod_of(struct sv w)
{
	const char *p = w.p;

	if (w.n != 12 || p[2] != ':' || p[5] != ':' || p[8] != '.')
		return -1;
	for (int i = 0; i < 12; i++) {
		if (i != 2 && i != 5 && i != 8 && !is_digit(p[i]))
			return -1;
	}
	int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0'),
	    s = (p[6] - '0') * 10 + (p[7] - '0');

	if (h > 23 || m > 59 || s > 59)
		return -1;
	return ((h * 60 + m) * 60 + s) * 1000 + (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}

static bool
all_digits(struct sv w)
{
	if (!w.n || w.n > TRACE_MAX_TID)
		return false;
	for (size_t i = 0; i < w.n; i++) {
		if (!is_digit(w.p[i]))
			return false;
	}
	return true;
}

/* What is left of a trace prefix on a line: "[HH:MM:SS.fff]", "[tid]",
 * "[LEVEL]", each optional, in that order. Returns the message. */
static struct sv
prefix_rest(struct sv l, int32_t *tod, struct sv *tid, enum ec_level *level, bool *tagged)
{
	struct sv v = l, w;

	*tod = -1;
	*tid = SV_NULL;
	*level = LVL_NONE;
	*tagged = false;
	if (bracket(&v, &w) && (*tod = tod_of(w)) >= 0) {
		l = v;
		while (l.n && l.p[0] == ' ')
			l = sv_make(l.p + 1, l.n - 1);
	}
	v = l;
	if (bracket(&v, &w) && all_digits(w)) {
		*tid = w;
		l = v;
		while (l.n && l.p[0] == ' ')
			l = sv_make(l.p + 1, l.n - 1);
	}
	v = l;
	if (bracket(&v, &w) && (*level = level_word(w)) != LVL_NONE) {
		*tagged = true;
		l = v;
		if (l.n && l.p[0] == ' ')
			l = sv_make(l.p + 1, l.n - 1);
	}
	return l;
}

/* A line that continues the record before it in a pasted trace. */
static bool
continues(struct sv l)
{
	static const char *const starts[] = {
		"at ", "--->", "--- ", "Exception", "Inner Exception", "Server stack trace",
		"Stack trace", "StackTrace", "   ",
	};

	if (l.p[0] == ' ' || l.p[0] == '\t')
		return true;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		if (sv_starts(l, starts[i]))
			return true;
	}
	return false;
}

/* A line without a level that names an exception or says error or failed. */
static enum ec_level
guess_level(struct sv l)
{
	if (sv_ifind(l, "exception") >= 0 || sv_ifind(l, "error") >= 0 || sv_ifind(l, "failed") >= 0)
		return LVL_ERROR;
	return LVL_NONE;
}

/* ---- de-quoting ---------------------------------------------------------------- */

static bool
fence_mark(struct sv l, char *ch)
{
	size_t i = 0;

	while (i < l.n && i < 3 && l.p[i] == ' ')
		i++;
	if (i + 3 > l.n || (l.p[i] != '`' && l.p[i] != '~') || l.p[i + 1] != l.p[i] ||
	    l.p[i + 2] != l.p[i])
		return false;
	*ch = l.p[i];
	return true;
}

/* Remove quote marks, bullets, surrounding quote marks; find fences. fence
 * and fence_ch/indent are the state of the Markdown fences, updated. */
static struct dq
dequote(struct sv l, bool *fence, char *fence_ch, size_t *fence_indent)
{
	struct dq d = { l, 0, 0, false };
	struct sv v = l;
	char ch;
	size_t i;

	while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	for (;;) {
		i = 0;
		while (i < v.n && i < 3 && v.p[i] == ' ')
			i++;
		if (i >= v.n || v.p[i] != '>')
			break;
		i++;
		if (i < v.n && v.p[i] == ' ')
			i++;
		v = sv_make(v.p + i, v.n - i);
		d.depth++;
	}
	if (fence_mark(v, &ch)) {
		if (!*fence) {
			*fence = true;
			*fence_ch = ch;
			for (i = 0; i < v.n && v.p[i] == ' '; i++)
				;
			*fence_indent = i;
			d.fence = true;
		} else if (ch == *fence_ch) {
			*fence = false;
			d.fence = true;
		}
		if (d.fence) {
			d.text = SV_NULL;
			return d;
		}
	}
	if (*fence) {
		for (i = 0; i < v.n && i < *fence_indent && v.p[i] == ' '; i++)
			;
		v = sv_make(v.p + i, v.n - i);
	} else {
		/* list bullets */
		for (i = 0; i < v.n && i < 3 && v.p[i] == ' '; i++)
			;
		if (i + 1 < v.n && (v.p[i] == '-' || v.p[i] == '*' || v.p[i] == '+') &&
		    v.p[i + 1] == ' ') {
			v = sv_make(v.p + i + 2, v.n - i - 2);
		} else {
			size_t k = i;

			while (k < v.n && k - i < 3 && is_digit(v.p[k]))
				k++;
			if (k > i && k + 1 < v.n && (v.p[k] == '.' || v.p[k] == ')') && v.p[k + 1] == ' ')
				v = sv_make(v.p + k + 2, v.n - k - 2);
		}
		/* "..." or “...” around the whole line */
		if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') {
			v = sv_make(v.p + 1, v.n - 2);
		} else if (v.n >= 6 && sv_starts(v, "\xE2\x80\x9C") &&
			   memcmp(v.p + v.n - 3, "\xE2\x80\x9D", 3) == 0) {
			v = sv_make(v.p + 3, v.n - 6);
		}
	}
	d.text = v;
	d.cut = (size_t)(v.p - l.p);
	return d;
}

/* ---- the sink of a part's reader ------------------------------------------------- */

static uint64_t
map_line(const struct paste *st, uint64_t line)
{
	return line >= 1 && line <= st->npl ? st->pl[line - 1].lineno : 0;
}

static uint64_t
map_offset(const struct paste *st, uint64_t off)
{
	size_t lo = 0, hi = st->npl;

	if (off == UINT64_MAX || !st->npl)
		return off == UINT64_MAX ? off : 0;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (st->pl[mid].at <= off)
			lo = mid;
		else
			hi = mid;
	}
	return st->pl[lo].offset + st->pl[lo].cut + (off - st->pl[lo].at);
}

static int
w_event(void *ctx, const struct ec_event *ev)
{
	struct paste *st = ctx;
	struct ec_event e = *ev;

	e.line = map_line(st, ev->line);
	e.offset = map_offset(st, ev->offset);
	st->records++;
	return st->sink->event ? st->sink->event(st->sink->ctx, &e) : 0;
}

static int
w_fact(void *ctx, const struct ec_fact *f)
{
	struct paste *st = ctx;

	return st->sink->fact ? st->sink->fact(st->sink->ctx, f) : 0;
}

static int
w_problem(void *ctx, const struct ec_problem *p)
{
	struct paste *st = ctx;
	struct ec_problem q = *p;

	q.line = map_line(st, p->line);
	q.offset = map_offset(st, p->offset);
	return st->sink->problem ? st->sink->problem(st->sink->ctx, &q) : 0;
}

static int
w_run(void *ctx, const struct ec_run *r)
{
	struct paste *st = ctx;
	struct ec_run q = *r;

	q.line = map_line(st, r->line);
	return st->sink->run ? st->sink->run(st->sink->ctx, &q) : 0;
}

static int
w_action(void *ctx, const struct ec_msi_action *a)
{
	struct paste *st = ctx;

	return st->sink->msi_action ? st->sink->msi_action(st->sink->ctx, a) : 0;
}

static int
w_session(void *ctx, const struct ec_msi_session *s)
{
	struct paste *st = ctx;

	return st->sink->msi_session ? st->sink->msi_session(st->sink->ctx, s) : 0;
}

/* ---- parts ------------------------------------------------------------------------ */

/* Hand the part gathered so far to its reader. */
static int
run_part(struct paste *st)
{
	static const struct ec_format *const readers[] = {
		[P_TRACE] = &fmt_trace, [P_EVTEXT] = &fmt_evtext, [P_RUNLIST] = &fmt_runlist,
		[P_SETTINGS] = &fmt_adsyncsettings,
	};
	struct memstream ms;
	struct ec_stream s;
	struct ec_input in;
	int rc;

	if (st->part == P_NONE || !st->npl)
		return 0;
	memstream_init(&ms, &s, st->pbuf.data, st->pbuf.len);
	in.in = &s;
	in.enc.enc = ENC_UTF8;
	in.enc.bom = 0;
	in.name = "pasted";	/* no date from the file's name */
	in.opt = st->inp->opt;
	in.sink = &st->wrap;
	rc = readers[st->part]->parse(&in);
	buf_reset(&st->pbuf);
	st->npl = 0;
	return rc > 0 ? rc : 0;
}

static int
end_part(struct paste *st)
{
	int rc = run_part(st);

	st->part = P_NONE;
	st->nnames = 0;
	st->after_prop = false;
	return rc;
}

static int
add_line(struct paste *st, struct sv l, size_t cut, uint64_t lineno, uint64_t offset)
{
	struct pline *p;
	int rc;

	if (st->npl >= PART_LINES || l.n + 1 > st->pbuf.max - st->pbuf.len) {
		/* A part too long for memory is read in pieces. */
		if ((rc = run_part(st)) != 0)
			return rc;
		if (l.n + 1 > st->pbuf.max)
			l.n = st->pbuf.max - 1;
	}
	if (st->npl == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		st->pl = xrealloc(st->pl, st->cap * sizeof(*st->pl));
	}
	p = &st->pl[st->npl++];
	p->lineno = lineno;
	p->offset = offset;
	p->at = st->pbuf.len;
	p->cut = cut;
	buf_addsv(&st->pbuf, l);
	buf_addc(&st->pbuf, '\n');
	return 0;
}

static int
add_blanks(struct paste *st, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = add_line(st, SV_NULL, 0, st->blank_line, st->blank_offset)) != 0)
			return rc;
	}
	return 0;
}

static bool
name_seen(struct paste *st, struct sv name)
{
	uint32_t h = hash_ci(name);

	for (size_t i = 0; i < st->nnames; i++) {
		if (st->names[i] == h)
			return true;
	}
	if (st->nnames < MAX_NAMES)
		st->names[st->nnames++] = h;
	return false;
}

/* A property line of a run list with its name padded to NAME_PAD. */
static struct sv
repad(struct paste *st, struct sv l, struct sv name, size_t colon)
{
	struct sv value = colon + 1 < l.n ? sv_make(l.p + colon + 1, l.n - colon - 1) : SV_NULL;

	if (name.n >= NAME_PAD)
		return l;
	if (value.n && value.p[0] == ' ')
		value = sv_make(value.p + 1, value.n - 1);
	buf_reset(&st->norm);
	buf_addsv(&st->norm, name);
	while (st->norm.len < NAME_PAD)
		buf_addc(&st->norm, ' ');
	buf_adds(&st->norm, ": ");
	buf_addsv(&st->norm, value);
	return buf_sv(&st->norm);
}

/* ---- loose lines ------------------------------------------------------------------- */

static int
flush_record(struct paste *st)
{
	struct ec_event ev;
	struct sv msg;
	int rc;

	if (!st->rec_open)
		return 0;
	st->rec_open = false;
	if (st->rec.truncated) {
		text_drop_partial_utf8(&st->rec);
		if (text_problem_ok(&st->problems) &&
		    (rc = ec_problemf(st->sink, st->rec_line, st->rec_offset, 0, st->dropped,
				      "record starting at line %" PRIu64 " too long, cut at %zu bytes",
				      st->rec_line, st->rec.max)) != 0)
			return rc;
	}
	buf_rtrim(&st->rec, " \t\r\n");
	msg = buf_sv(&st->rec);
	memset(&ev, 0, sizeof(ev));
	ev.line = st->rec_line;
	ev.offset = st->rec_offset;
	ev.tod_ms = st->rec_tod;
	ev.timeq = st->rec_tod >= 0 ? TQ_TIME_OF_DAY : TQ_NONE;
	ev.level = st->rec_level;
	ev.provider = trace_provider_of(msg);
	ev.event_id = -1;
	ev.thread = sv_make(st->tid, st->tid_len);
	ev.message = msg;
	st->records++;
	if (st->sink->event && (rc = st->sink->event(st->sink->ctx, &ev)) != 0)
		return rc;
	return trace_message_facts(&st->tf, st->rec_level, msg);
}

/* Start a record of loose lines (the first line of text or a continuation). */
static int
loose_line(struct paste *st, struct sv l, size_t cut, int depth, uint64_t lineno, uint64_t offset)
{
	struct sv msg, tid;
	enum ec_level level;
	int32_t tod;
	bool tagged, has_nul = memchr(l.p, 0, l.n) != NULL;
	int rc;

	msg = prefix_rest(l, &tod, &tid, &level, &tagged);
	if (st->rec_open && depth == st->rec_depth && tod < 0 && !tid.n && !tagged &&
	    (st->tagged || continues(l))) {
		st->dropped += text_append(&st->rec, "\n", 1);
		st->dropped += text_append_line(&st->rec, l, has_nul);
		return 0;
	}
	if ((rc = flush_record(st)) != 0)
		return rc;
	if (tagged)
		st->tagged = true;
	st->rec_open = true;
	st->rec_depth = depth;
	st->rec_line = lineno;
	st->rec_offset = offset + cut + (size_t)(msg.p - l.p);
	st->rec_level = tagged ? level : guess_level(msg);
	st->rec_tod = tod;
	st->tid_len = tid.n;
	if (tid.n)
		memcpy(st->tid, tid.p, tid.n);
	st->dropped = 0;
	buf_reset(&st->rec);
	st->dropped += text_append_line(&st->rec, msg, has_nul);
	return 0;
}

/* ---- the line after de-quoting ------------------------------------------------------ */

static int
start_part(struct paste *st, enum start s, int depth)
{
	static const enum part of[] = {
		[S_TRACE] = P_TRACE, [S_EVTEXT] = P_EVTEXT, [S_RUNLIST] = P_RUNLIST,
		[S_SETTINGS] = P_SETTINGS,
	};
	int rc;

	if ((rc = flush_record(st)) != 0)
		return rc;
	st->tagged = false;
	st->part = of[s];
	st->part_depth = depth;
	st->nnames = 0;
	st->after_prop = false;
	return 0;
}

/* A line of a run or settings list; false when it is none (the list ends). */
static int
list_line(struct paste *st, struct sv l, size_t cut, enum start s, uint64_t lineno,
	  uint64_t offset, bool *taken)
{
	struct sv name, trimmed = sv_trim(l);
	size_t colon;
	int rc;

	*taken = false;
	if (s == S_TRACE || s == S_EVTEXT || (s == S_RUNLIST && st->part == P_SETTINGS) ||
	    (s == S_SETTINGS && st->part == P_RUNLIST))
		return 0;
	name = prop_name(l, &colon);
	if (name.n) {
		if (name_seen(st, name)) {
			/* the object has it already: a new object */
			if ((rc = add_blanks(st, 1)) != 0)
				return rc;
			st->nnames = 0;
			name_seen(st, name);
		}
		st->blanks = 0;
		if (st->part == P_RUNLIST)
			l = repad(st, l, name, colon);
		st->after_prop = true;
		*taken = true;
		return add_line(st, l, cut, lineno, offset);
	}
	if (!st->blanks && st->after_prop) {
		*taken = true;
		return add_line(st, l, cut, lineno, offset);
	}
	if (st->part == P_RUNLIST && trimmed.n && trimmed.p[0] == '<') {
		/* the XML of a step's errors, after the step */
		rc = add_blanks(st, 1);
		st->blanks = 0;
		st->after_prop = false;
		st->nnames = 0;
		*taken = true;
		return rc ? rc : add_line(st, l, cut, lineno, offset);
	}
	return 0;
}

static int
on_text(struct paste *st, struct dq d, uint64_t lineno, uint64_t offset)
{
	struct sv l = d.text;
	enum start s;
	bool taken;
	int rc;

	if (d.fence || (st->part != P_NONE && d.depth != st->part_depth && !text_blank(l))) {
		if ((rc = end_part(st)) != 0 || (rc = flush_record(st)) != 0)
			return rc;
		st->tagged = false;
		if (d.fence) {
			st->blanks = 0;
			return 0;
		}
	}
	if (text_blank(l)) {
		if (st->blanks++ == 0) {
			st->blank_line = lineno;
			st->blank_offset = offset;
		}
		return 0;
	}
	s = start_of(l);
	switch (st->part) {
	case P_TRACE:
		if (s != S_EVTEXT && s != S_RUNLIST && s != S_SETTINGS) {
			if ((rc = add_blanks(st, st->blanks)) != 0)
				return rc;
			st->blanks = 0;
			return add_line(st, l, d.cut, lineno, offset);
		}
		break;
	case P_EVTEXT: {
		int32_t tod;
		struct sv tid;
		enum ec_level lv;
		bool tagged;

		prefix_rest(l, &tod, &tid, &lv, &tagged);
		if (s != S_TRACE && s != S_RUNLIST && s != S_SETTINGS && !tagged) {
			if ((rc = add_blanks(st, st->blanks)) != 0)
				return rc;
			st->blanks = 0;
			return add_line(st, l, d.cut, lineno, offset);
		}
		break;
	}
	case P_RUNLIST:
	case P_SETTINGS:
		if ((rc = list_line(st, l, d.cut, s, lineno, offset, &taken)) != 0 || taken)
			return rc;
		break;
	case P_NONE:
		break;
	}
	if ((rc = end_part(st)) != 0)
		return rc;
	st->blanks = 0;
	if (s != S_NONE) {
		if ((rc = start_part(st, s, d.depth)) != 0)
			return rc;
		if (s == S_RUNLIST || s == S_SETTINGS)
			return list_line(st, l, d.cut, s, lineno, offset, &taken);
		return add_line(st, l, d.cut, lineno, offset);
	}
	return loose_line(st, l, d.cut, d.depth, lineno, offset);
}

static int
on_logical(struct paste *st, struct sv line, uint64_t lineno, uint64_t offset)
{
	struct dq d = dequote(line, &st->fence, &st->fence_ch, &st->fence_indent);

	return on_text(st, d, lineno, offset);
}

/* ---- e-mail ------------------------------------------------------------------------ */

static bool
mail_header_name(struct sv l, bool first)
{
	static const char *const names[] = {
		"From:", "Received:", "Return-Path:", "Delivered-To:", "MIME-Version:", "Message-ID:",
		"X-", "To:", "Subject:", "Reply-To:", "Cc:", "Date:", "Content-Type:",
		"Content-Transfer-Encoding:", "DKIM-Signature:", "Authentication-Results:", "ARC-",
		"Thread-", "In-Reply-To:", "References:", "Importance:", "Sender:", "Accept-Language:",
		"Content-Language:",
	};
	size_t colon;

	if (first) {
		/* the first line decides: no "Date:" or "To:" alone */
		for (size_t i = 0; i < 7; i++) {
			if (sv_istarts(l, names[i]))
				return prop_name(l, &colon).n || sv_istarts(l, "X-");
		}
		return false;
	}
	return prop_name(l, &colon).n != 0;
}

/* The value of parameter key= in a header value (quotes removed). */
static struct sv
header_param(struct sv v, const char *key)
{
	long at = sv_ifind(v, key);
	size_t i, e;

	if (at < 0)
		return SV_NULL;
	i = (size_t)at + strlen(key);
	if (i < v.n && v.p[i] == '"') {
		i++;
		for (e = i; e < v.n && v.p[e] != '"'; e++)
			;
	} else {
		for (e = i; e < v.n && v.p[e] != ';' && v.p[e] != ' ' && v.p[e] != '\t'; e++)
			;
	}
	return sv_make(v.p + i, e - i);
}

/* A header read whole (folded lines joined). */
static int
mail_header(struct paste *st)
{
	struct sv h = buf_sv(&st->hdr), v;
	size_t colon;
	struct sv name = prop_name(h, &colon);
	bool part = st->mail == M_PARTHEAD;
	int rc = 0;

	if (!name.n)
		return 0;
	v = sv_trim(sv_make(h.p + colon + 1, h.n - colon - 1));
	if (sv_ieq(name, "Content-Type")) {
		if (!part && sv_istarts(v, "multipart/")) {
			struct sv b = header_param(v, "boundary=");

			st->multipart = b.n > 0;
			buf_reset(&st->boundary);
			buf_adds(&st->boundary, "--");
			buf_addsv(&st->boundary, b);
		} else if (part && !sv_istarts(v, "text/plain") && !st->part_skip) {
			st->part_skip = true;
			rc = ec_problemf(st->sink, st->part_line, UINT64_MAX, 0, 0,
					 "e-mail part at line %" PRIu64 " (%.*s) not read", st->part_line,
					 (int)(v.n > 60 ? 60 : v.n), v.p);
		}
	} else if (sv_ieq(name, "Content-Transfer-Encoding")) {
		bool qp = sv_istarts(v, "quoted-printable");

		if (part)
			st->part_qp = qp;
		else
			st->qp = qp;
		if (sv_istarts(v, "base64") && !(part && st->part_skip)) {
			if (part)
				st->part_skip = true;
			else
				st->mail = M_SKIP;	/* at the body */
			rc = ec_problemf(st->sink, part ? st->part_line : st->hdr_line, UINT64_MAX, 0, 0,
					 "base64 %s at line %" PRIu64 " not read", part ? "e-mail part" :
					 "e-mail body", part ? st->part_line : st->hdr_line);
		}
	} else if (!part && sv_ieq(name, "Subject") && v.n && sv_find(v, "=?") < 0) {
		/* the subject often names the error */
		st->mail = M_NONE;
		rc = loose_line(st, v, (size_t)(v.p - h.p), 0, st->hdr_line, UINT64_MAX);
		if (!rc)
			rc = flush_record(st);
		st->mail = M_HEAD;
	}
	buf_reset(&st->hdr);
	return rc;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo quoted-printable in one physical line; true at a soft break. */
static bool
qp_decode(struct buf *out, struct sv l)
{
	bool soft = l.n && l.p[l.n - 1] == '=';

	if (soft)
		l.n--;
	for (size_t i = 0; i < l.n; i++) {
		int hi, lo;

		if (l.p[i] == '=' && i + 2 < l.n && (hi = hexval(l.p[i + 1])) >= 0 &&
		    (lo = hexval(l.p[i + 2])) >= 0) {
			buf_addc(out, (char)(hi * 16 + lo));
			i += 2;
			continue;
		}
		buf_addc(out, l.p[i]);
	}
	return soft;
}

static int
body_line(struct paste *st, struct sv line, uint64_t lineno, uint64_t offset)
{
	bool qp = st->multipart ? st->part_qp : st->qp;
	int rc;

	if (!qp)
		return on_logical(st, line, lineno, offset);
	if (!st->joining) {
		buf_reset(&st->logical);
		st->log_line = lineno;
		st->log_offset = offset;
	}
	st->joining = qp_decode(&st->logical, line);
	if (st->joining)
		return 0;
	rc = on_logical(st, buf_sv(&st->logical), st->log_line, st->log_offset);
	return rc;
}

static int
flush_joining(struct paste *st)
{
	if (!st->joining)
		return 0;
	st->joining = false;
	return on_logical(st, buf_sv(&st->logical), st->log_line, st->log_offset);
}

static int
on_line(struct paste *st, struct sv line, uint64_t lineno, uint64_t offset)
{
	struct sv t;
	int rc;

	switch (st->mail) {
	case M_UNKNOWN:
		if (text_blank(line))
			return 0;
		if (!mail_header_name(line, true)) {
			st->mail = M_NONE;
			return on_logical(st, line, lineno, offset);
		}
		st->mail = M_HEAD;
		/* fall through */
	case M_HEAD:
	case M_PARTHEAD:
		if (line.n && (line.p[0] == ' ' || line.p[0] == '\t')) {
			buf_addc(&st->hdr, ' ');
			buf_addsv(&st->hdr, sv_trim(line));
			return 0;
		}
		if ((rc = mail_header(st)) != 0)
			return rc;
		if (text_blank(line)) {
			if (st->mail == M_PARTHEAD)
				st->mail = st->part_skip ? M_SKIP : M_BODY;
			else if (st->mail == M_HEAD)
				st->mail = st->multipart ? M_PREAMBLE : M_BODY;
			return 0;
		}
		if (st->mail == M_SKIP)		/* a base64 body: its headers are read on */
			st->mail = M_HEAD;
		buf_addsv(&st->hdr, line);
		st->hdr_line = lineno;
		return 0;
	case M_PREAMBLE:
	case M_BODY:
	case M_SKIP:
		t = sv_trim(line);
		if (st->multipart && st->boundary.len > 2 && sv_starts(t, st->boundary.data)) {
			if ((rc = flush_joining(st)) != 0)
				return rc;
			st->mail = M_PARTHEAD;
			st->part_qp = false;
			st->part_skip = false;
			st->part_line = lineno;
			if (t.n >= st->boundary.len + 2 && sv_starts(sv_make(t.p + st->boundary.len, 2), "--"))
				st->mail = M_SKIP;	/* the end: the epilogue is not text */
			return 0;
		}
		if (st->mail == M_BODY)
			return body_line(st, line, lineno, offset);
		return 0;
	case M_NONE:
		return on_logical(st, line, lineno, offset);
	}
	return 0;
}

/* ---- the parse --------------------------------------------------------------------- */

static int
run(struct paste *st)
{
	struct sv line;
	bool has_nul;
	int r, rc;

	while ((r = lr_next(&st->lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((st->lr.cut_bytes || st->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&st->lr, st->sink, has_nul, &st->problems)) != 0)
			return rc;
		if ((rc = on_line(st, line, st->lr.lineno, st->lr.offset)) != 0)
			return rc;
	}
	if ((rc = flush_joining(st)) != 0 || (rc = end_part(st)) != 0 || (rc = flush_record(st)) != 0)
		return rc;
	if (st->mail == M_HEAD && (rc = mail_header(st)) != 0)
		return rc;
	return text_finish(&st->lr, st->sink, st->problems, r);
}

static int
paste_parse(const struct ec_input *inp)
{
	struct paste *st = xcalloc(1, sizeof(*st));
	size_t max_line = text_max_line(inp->opt), max_rec = text_max_record(inp->opt);
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	st->tf.sink = inp->sink;
	st->wrap = (struct ec_sink){ st, w_event, w_fact, w_problem, w_action, w_session, w_run };
	lr_init(&st->lr, inp->in, inp->enc.enc, inp->enc.bom, max_line);
	buf_init(&st->pbuf, max_rec);
	buf_init(&st->rec, max_rec);
	buf_init(&st->logical, max_line);
	buf_init(&st->norm, max_line + NAME_PAD + 4);
	buf_init(&st->boundary, 256);
	buf_init(&st->hdr, HDR_MAX);
	rc = run(st);
	buf_release(&st->hdr);
	buf_release(&st->boundary);
	buf_release(&st->norm);
	buf_release(&st->logical);
	buf_release(&st->rec);
	buf_release(&st->pbuf);
	free(st->pl);
	lr_release(&st->lr);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------------------- */

/* Phrases of the wizard's errors and of .NET exceptions that a pasted
 * excerpt carries. */
static const char *const phrases[] = {
	"Unable to install the Synchronization Service",
	"Unable to upgrade the Synchronization Service",
	"Unable to create the synchronization service account",
	"Retrying this operation may help",
	"Service ADSync was not found on computer",
	"Microsoft Azure AD Sync service",
	"Microsoft.Online.Deployment.",
	"Microsoft.IdentityManagement.",
	"Microsoft.Azure.ActiveDirectory.",
	"System.Management.Automation.",
	"Exception: ",
	"--->",
	"Error 25019",
	"Error 25009",
	"Description:",
	"Event ID:",
};

struct sniff_ctx {
	bool fence;
	char fence_ch;
	size_t fence_indent;
	int found;
	unsigned kinds;		/* bits: the kinds of part seen (1 << enum start, 1 for tagged lines) */
};

static int
paste_judge(void *ctx, struct sv line, int seen)
{
	struct sniff_ctx *c = ctx;
	struct dq d = dequote(line, &c->fence, &c->fence_ch, &c->fence_indent);
	struct sv l = d.text, tid;
	int32_t tod;
	enum ec_level lv;
	bool tagged;

	enum start s;

	if (seen == 1 && mail_header_name(line, true))
		c->found++;
	if (d.fence || !l.n)
		return 0;
	if ((s = start_of(l)) != S_NONE) {
		c->found++;
		c->kinds |= 1u << s;
	}
	prefix_rest(l, &tod, &tid, &lv, &tagged);
	if ((tagged || tod >= 0) && s == S_NONE) {
		c->found++;
		c->kinds |= 1u;
	}
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
		if (sv_find(l, phrases[i]) >= 0) {
			c->found++;
			break;
		}
	}
	return 0;
}

/* Among the first SNIFF_LINES non-blank lines: 65 when parts of two kinds
 * are found (trace lines with or without prefix, an Event Viewer copy, a
 * run list, global settings): more than an Event Viewer copy after notes
 * (55) or a trace whose first line is not a record (60), less than any
 * file that starts as one format (70 and more); 20, below every format,
 * when any piece it knows is found; else 0. */
static int
paste_sniff(const struct ec_sniff *s)
{
	struct sniff_ctx c = { false, 0, 0, 0, 0 };
	unsigned k;

	text_sniff_lines(s, SNIFF_LINES, paste_judge, &c);
	k = c.kinds;
	if ((k & (k - 1)) != 0)
		return 65;
	return c.found ? 20 : 0;
}

const struct ec_format fmt_paste = {
	.name = "paste",
	.title = "pasted text: trace lines, event General tab, cmdlet output, in any quoting",
	.identifies = "trace lines with or without their prefix, wizard error phrases, Log Name:/"
		      "Event ID:/Description: lines, Format-List run results or global settings, "
		      "quoted, fenced or in an e-mail, among the first 400 lines: 65 for parts of "
		      "two kinds, else 20 (lower than any other format)",
	.binary = false,
	.sniff = paste_sniff,
	.parse = paste_parse,
};
