/* SPDX-License-Identifier: MIT */
/* fmt_evtext.c - Event Viewer's text copies of events ("Copy details as
 * text", the General/Details pane, what users paste into tickets and what
 * Microsoft's articles quote), one event or many in one file:
 *
 *   Log Name:      Application
 *   Source:        ADSync
 *   Date:          5/12/2023 7:34:38 AM
 *   Event ID:      6050
 *   Task Category: Management Agent Run Profile
 *   Level:         Error
 *   Keywords:      Classic
 *   User:          N/A
 *   Computer:      AADConnect.Contoso.com
 *   Description:
 *   The management agent "Contoso.com" failed on run profile ...
 *   Event Xml:
 *   <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"> ...
 *
 * A label is followed by any amount of spaces or tabs (copies collapse the
 * padding); the whole block may be indented (a copy from a Markdown code
 * block). The Description starts on its own line or the next one and runs
 * until the "Event Xml:" section or the next event's header; a new header
 * inside a description is recognised when "Log Name:" is followed by another
 * header line, or when three header lines follow one another (abbreviated
 * copies start with "Event ID:"). The "Event Xml:" section, when there is
 * one, is read by fmt_evxml.c: its UTC time, record id, qualifiers and
 * inserts complete the event.
 *
 * Date is the exporting machine's local time in its locale: "5/12/2023
 * 7:34:38 AM" (US), "12.05.2023 07:34:38", "2023-05-12 07:34:38",
 * "15-07-2024 09:25:57 PM". With AM/PM a slash date is month first; dots
 * are day first; a slash date without AM/PM whose order no date of the file
 * settles is read month first, and said once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/msiline.h"
#include "parser/evxml.h"
#include "parser/parser.h"
#include "parser/textutil.h"
#include "parser/winevent.h"

#define FIELD_MAX 1024			/* header values */
#define XML_MAX ((size_t)1 << 20)	/* an "Event Xml:" section */


enum label {
	L_LOGNAME, L_SOURCE, L_DATE, L_EVENTID, L_TASK, L_LEVEL, L_OPCODE, L_KEYWORDS, L_USER,
	L_COMPUTER,
	NHEAD,				/* the labels above are header fields */
	L_DESCRIPTION = NHEAD, L_DETAILS, L_EVENTXML,
	L_NONE,
};

static const char *const label_names[] = {
	"Log Name", "Source", "Date", "Event ID", "Task Category", "Level", "OpCode", "Keywords",
	"User", "Computer", "Description", "Details", "Event Xml",
};

enum tstate {
	T_OUTSIDE,			/* before the first header */
	T_HEADER,			/* header lines */
	T_DESC,				/* the description */
	T_XML,				/* the "Event Xml:" section */
};

struct evtext_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;
	enum tstate state;

	/* the event being read */
	bool open;
	uint64_t ev_line, ev_offset;
	size_t indent;			/* of its first header line */
	struct buf field[NHEAD];
	bool seen[NHEAD];
	struct buf desc;
	uint64_t dropped;		/* description bytes cut */
	struct buf xml;
	uint64_t xml_line;
	bool xml_cut;

	/* header lines inside a description that may start the next event */
	unsigned tent;
	enum label tent_first;
	size_t tent_mark;		/* description length before them */
	uint64_t tent_line, tent_offset;
	struct buf tent_lines;		/* the lines, '\n' after each */

	/* what flush() hands to the merge with the XML */
	struct ec_event *tev;
	struct ec_winevent *twin;
	struct ec_kv task;
	bool has_task;
	struct ec_kv *kv;
	size_t ckv;

	/* dating */
	char order;			/* 'm' or 'd' once a date of the file settles it */
	bool ambiguous_told;

	uint64_t events, problems, before, before_line;
};

/* ---- lines --------------------------------------------------------------- */

static size_t
indent_of(struct sv line)
{
	size_t i = 0;

	while (i < line.n && (line.p[i] == ' ' || line.p[i] == '\t'))
		i++;
	return i;
}

/* Markdown emphasis around a whole value in copies from articles. */
static struct sv
unbold(struct sv v)
{
	if (v.n > 4 && memcmp(v.p, "**", 2) == 0 && memcmp(v.p + v.n - 2, "**", 2) == 0)
		return sv_trim(sv_make(v.p + 2, v.n - 4));
	return v;
}

/* "Label:" then any spaces or tabs, then the value (trimmed). */
static enum label
label_of(struct sv line, struct sv *value)
{
	size_t i = indent_of(line);

	*value = SV_NULL;
	for (int k = 0; k < L_NONE; k++) {
		size_t n = strlen(label_names[k]), j = i + n;

		if (line.n < j + 1 || !sv_istarts(sv_make(line.p + i, n), label_names[k]))
			continue;
		while (j < line.n && line.p[j] == ' ')
			j++;
		if (j >= line.n || line.p[j] != ':')
			continue;
		j++;
		*value = unbold(sv_trim(sv_make(line.p + j, line.n - j)));
		return (enum label)k;
	}
	return L_NONE;
}

/* ---- dates --------------------------------------------------------------- */

/* Read the Date value into ev (local time, --utc-offset applied). */
static int
date_of(struct evtext_state *st, struct sv v, struct ec_event *ev)
{
	const struct ec_options *o = st->inp->opt;
	char b[96];
	size_t n = 0, sp;
	struct sv date, time;
	enum msi_date_order ord;
	struct civil c;
	bool ampm;
	int offset_min = o && o->have_offset ? o->utc_offset_min : 0;

	ev->timeq = TQ_NONE;
	ev->tod_ms = -1;
	/* Windows puts left-to-right marks (U+200E) around date parts. */
	for (size_t i = 0; i < v.n && n < sizeof(b) - 1; i++) {
		if (i + 2 < v.n && (unsigned char)v.p[i] == 0xE2 && (unsigned char)v.p[i + 1] == 0x80 &&
		    ((unsigned char)v.p[i + 2] == 0x8E || (unsigned char)v.p[i + 2] == 0x8F)) {
			i += 2;
			continue;
		}
		b[n++] = v.p[i];
	}
	b[n] = '\0';
	v = sv_trim(sv_make(b, n));
	for (sp = 0; sp < v.n && v.p[sp] != ' ' && v.p[sp] != 'T'; sp++)
		;
	date = sv_make(v.p, sp);
	time = sp < v.n ? sv_trim(sv_make(v.p + sp + 1, v.n - sp - 1)) : SV_NULL;
	/* "2023-05-12T07:34:38.123": fractions are not read. */
	for (size_t i = 0; i < time.n; i++) {
		if (time.p[i] == '.' || time.p[i] == ',') {
			time.n = i;
			break;
		}
	}
	ampm = time.n >= 2 && (sv_eq(sv_make(time.p + time.n - 2, 2), "AM") ||
			       sv_eq(sv_make(time.p + time.n - 2, 2), "PM"));
	ord = msi_header_date(date, time, NULL, &c);
	if (ord == MSI_DATE_BAD) {
		if (text_problem_ok(&st->problems))
			return ec_problemf(st->sink, st->ev_line, st->ev_offset, 0, 0,
					   "date '%.*s' of the event at line %" PRIu64 " not understood: "
					   "the event has no time", (int)(v.n > 64 ? 64 : v.n), v.p,
					   st->ev_line);
		return 0;
	}
	if (ord == MSI_DATE_MDY_ASSUMED && !ampm) {
		if (st->order == 'd') {
			int m = c.month;

			c.month = c.day;
			c.day = m;
		} else if (!st->ambiguous_told) {
			int rc;

			st->ambiguous_told = true;
			rc = ec_problemf(st->sink, st->ev_line, st->ev_offset, 0, 0,
					 "date '%.*s' could be month/day or day/month: read as "
					 "%04d-%02d-%02d (month first), and so are the file's other dates "
					 "that do not settle it", (int)date.n, date.p, c.year, c.month,
					 c.day);
			if (rc)
				return rc;
		}
	} else if ((ord == MSI_DATE_MDY && c.month != c.day) || ord == MSI_DATE_DMY) {
		if (!st->order)
			st->order = ord == MSI_DATE_MDY ? 'm' : 'd';
	}
	ev->tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000;
	ev->time_ms = days_from_civil(c.year, c.month, c.day) * MS_PER_DAY + ev->tod_ms -
		      (int64_t)offset_min * 60000;
	ev->timeq = o && o->have_offset ? TQ_LOCAL_GIVEN : TQ_LOCAL_ASSUMED;
	return 0;
}

/* ---- events -------------------------------------------------------------- */

static int64_t
opcode_of(struct sv v)
{
	static const char *const names[] = { "Info", "Start", "Stop", "DCStart", "DCStop",
					     "Extension", "Reply", "Resume", "Suspend", "Send" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (sv_ieq(v, names[i]))
			return (int64_t)i;
	}
	if (sv_ieq(v, "Receive"))
		return 240;
	return -1;
}

static int64_t
event_id_of(struct sv v)
{
	int64_t n = 0;

	if (!v.n)
		return -1;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9' || n > 100000000)
			return -1;
		n = n * 10 + (v.p[i] - '0');
	}
	return n;
}

static struct sv
field(struct evtext_state *st, enum label l)
{
	return buf_sv(&st->field[l]);
}

static void
begin_event(struct evtext_state *st, uint64_t line, uint64_t offset, size_t indent)
{
	for (int k = 0; k < NHEAD; k++) {
		buf_reset(&st->field[k]);
		st->seen[k] = false;
	}
	buf_reset(&st->desc);
	buf_reset(&st->xml);
	st->open = true;
	st->dropped = 0;
	st->xml_cut = false;
	st->xml_line = 0;
	st->tent = 0;
	st->ev_line = line;
	st->ev_offset = offset;
	st->indent = indent;
	st->state = T_HEADER;
}

/* The event from the "Event Xml:" section, completed by the text. */
static int
merge(void *ctx, struct ec_event *xev)
{
	struct evtext_state *st = ctx;
	struct ec_event ev = *st->tev;
	struct ec_winevent win = *xev->win;
	size_t n = xev->ndata + (st->has_task ? 1 : 0);

	if (xev->timeq == TQ_EXACT) {
		ev.time_ms = xev->time_ms;
		ev.tod_ms = -1;
		ev.timeq = TQ_EXACT;
	}
	if (xev->level != LVL_NONE)
		ev.level = xev->level;
	if (xev->provider.n)
		ev.provider = xev->provider;
	if (xev->event_id >= 0)
		ev.event_id = xev->event_id;
	if (!ev.message.n)
		ev.message = xev->message;
	if (!win.channel.n)
		win.channel = st->twin->channel;
	if (!win.computer.n)
		win.computer = st->twin->computer;
	if (!win.user_sid.n)
		win.user_sid = st->twin->user_sid;
	if (win.opcode < 0)
		win.opcode = st->twin->opcode;
	if (n > st->ckv) {
		st->ckv = n;
		st->kv = xrealloc(st->kv, n * sizeof(*st->kv));
	}
	if (xev->ndata)
		memcpy(st->kv, xev->data, xev->ndata * sizeof(*st->kv));
	if (st->has_task)
		st->kv[xev->ndata] = st->task;
	ev.data = n ? st->kv : NULL;
	ev.ndata = n;
	ev.win = &win;
	return winevent_emit(st->sink, &ev);
}

static int
flush(struct evtext_state *st)
{
	struct ec_event ev;
	struct ec_winevent win;
	struct sv user = field(st, L_USER), level = field(st, L_LEVEL);
	int rc;

	if (!st->open)
		return 0;
	st->open = false;
	st->state = T_OUTSIDE;
	st->events++;
	if (st->desc.truncated) {
		text_drop_partial_utf8(&st->desc);
		if (text_problem_ok(&st->problems) &&
		    (rc = ec_problemf(st->sink, st->ev_line, st->ev_offset, 0, st->dropped,
				      "description of the event at line %" PRIu64 " too long, cut at "
				      "%zu bytes", st->ev_line, st->desc.max)) != 0)
			return rc;
	}
	buf_rtrim(&st->desc, " \t\r\n");

	memset(&ev, 0, sizeof(ev));
	memset(&win, 0, sizeof(win));
	ev.line = st->ev_line;
	ev.offset = st->ev_offset;
	ev.tod_ms = -1;
	if (st->seen[L_DATE] && (rc = date_of(st, field(st, L_DATE), &ev)) != 0)
		return rc;
	ev.level = winevent_level_name(level);
	if (ev.level == LVL_NONE && sv_ieq(level, "Info"))
		ev.level = LVL_INFO;
	ev.provider = field(st, L_SOURCE);
	ev.event_id = event_id_of(field(st, L_EVENTID));
	ev.message = buf_sv(&st->desc);
	st->has_task = st->seen[L_TASK];
	st->task.name = SV_LIT("TaskCategory");
	st->task.value = field(st, L_TASK);
	if (st->has_task) {
		ev.data = &st->task;
		ev.ndata = 1;
	}
	win.channel = field(st, L_LOGNAME);
	win.computer = field(st, L_COMPUTER);
	if (!sv_ieq(user, "N/A"))
		win.user_sid = user;
	win.qualifiers = win.task = win.win_level = -1;
	win.opcode = st->seen[L_OPCODE] ? opcode_of(field(st, L_OPCODE)) : -1;
	win.process_id = win.thread_id = -1;
	ev.win = &win;

	if (st->xml.len) {
		if (st->xml_cut && text_problem_ok(&st->problems) &&
		    (rc = ec_problemf(st->sink, st->xml_line, UINT64_MAX, 0, 0,
				      "Event Xml section over %zu bytes: ignored", XML_MAX)) != 0)
			return rc;
		if (!st->xml_cut) {
			st->tev = &ev;
			st->twin = &win;
			rc = evxml_read_one(st->xml.data, st->xml.len, st->sink, st->xml_line, merge, st);
			if (rc != -2)
				return rc;
		}
	}
	return winevent_emit(st->sink, &ev);
}

/* A header line of the event being read. */
static int
header_line(struct evtext_state *st, enum label l, struct sv value, uint64_t line,
	    uint64_t offset, size_t indent)
{
	int rc;

	if (st->state == T_OUTSIDE || st->seen[l]) {
		/* A label seen twice: the event had no description. */
		if ((rc = flush(st)) != 0)
			return rc;
		begin_event(st, line, offset, indent);
	}
	st->seen[l] = true;
	buf_reset(&st->field[l]);
	buf_addsv(&st->field[l], value);
	return 0;
}

/* A line of the description, its block's indentation removed. */
static void
desc_line(struct evtext_state *st, struct sv line, bool has_nul)
{
	size_t k = indent_of(line);

	if (k > st->indent)
		k = st->indent;
	line = sv_make(line.p + k, line.n - k);
	if (!st->desc.len && text_blank(line))
		return;
	if (st->desc.len)
		st->dropped += text_append(&st->desc, "\n", 1);
	st->dropped += text_append_line(&st->desc, line, has_nul);
}

/* Header lines that turned up in a description start the next event. */
static int
commit_tentative(struct evtext_state *st)
{
	struct sv rest = buf_sv(&st->tent_lines);
	uint64_t line = st->tent_line;
	int rc;

	st->desc.len = st->tent_mark < st->desc.len ? st->tent_mark : st->desc.len;
	st->desc.data[st->desc.len] = '\0';
	if ((rc = flush(st)) != 0)
		return rc;
	begin_event(st, st->tent_line, st->tent_offset, indent_of(rest));
	while (rest.n) {
		const char *nl = memchr(rest.p, '\n', rest.n);
		size_t len = (size_t)(nl - rest.p);
		struct sv value;
		enum label l = label_of(sv_make(rest.p, len), &value);

		if ((rc = header_line(st, l, value, line, UINT64_MAX, st->indent)) != 0)
			return rc;
		rest = sv_make(nl + 1, rest.n - len - 1);
		line++;
	}
	buf_reset(&st->tent_lines);
	st->tent = 0;
	return 0;
}

static int
on_line(struct evtext_state *st, struct sv line, bool has_nul)
{
	struct sv value;
	enum label l = label_of(line, &value);
	uint64_t no = st->lr.lineno, off = st->lr.offset;
	int rc;

	switch (st->state) {
	case T_OUTSIDE:
		if (l < NHEAD)
			return header_line(st, l, value, no, off, indent_of(line));
		if (!text_blank(line) && st->before++ == 0)
			st->before_line = no;
		return 0;
	case T_HEADER:
		if (l < NHEAD)
			return header_line(st, l, value, no, off, indent_of(line));
		if (l == L_EVENTXML) {
			st->state = T_XML;
			st->xml_line = no + 1;
			return 0;
		}
		if (text_blank(line))
			return 0;
		/* "Description:", "Details:" (abbreviated copies) or text
		 * without a label: the description starts. */
		st->state = T_DESC;
		if (l == L_DESCRIPTION || l == L_DETAILS) {
			if (value.n)
				desc_line(st, value, has_nul);
		} else {
			desc_line(st, line, has_nul);
		}
		return 0;
	case T_DESC:
		if (l == L_EVENTXML) {
			buf_reset(&st->tent_lines);
			st->tent = 0;
			st->state = T_XML;
			st->xml_line = no + 1;
			return 0;
		}
		if (l < NHEAD) {
			if (st->tent == 0) {
				st->tent_mark = st->desc.len;
				st->tent_line = no;
				st->tent_offset = off;
				st->tent_first = l;
				buf_reset(&st->tent_lines);
			}
			st->tent++;
			buf_addsv(&st->tent_lines, line);
			buf_addc(&st->tent_lines, '\n');
			if (st->tent_lines.truncated) {
				st->tent = 0;
			} else if (st->tent >= 3 || (st->tent >= 2 && st->tent_first == L_LOGNAME)) {
				return commit_tentative(st);
			}
		} else {
			st->tent = 0;
		}
		desc_line(st, line, has_nul);
		return 0;
	case T_XML:
		if (l == L_LOGNAME) {
			if ((rc = flush(st)) != 0)
				return rc;
			return header_line(st, l, value, no, off, indent_of(line));
		}
		if (!st->xml_cut) {
			if (st->xml.len)
				buf_addc(&st->xml, '\n');
			if (!buf_addsv(&st->xml, line))
				st->xml_cut = true;
		}
		return 0;
	}
	return 0;
}

static int
run(struct evtext_state *st)
{
	struct sv line;
	bool has_nul;
	int r, rc;

	while ((r = lr_next(&st->lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((st->lr.nul_bytes || st->lr.cut_bytes || st->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&st->lr, st->sink, has_nul, &st->problems)) != 0)
			return rc;
		if ((rc = on_line(st, line, has_nul)) != 0)
			return rc;
	}
	if ((rc = flush(st)) != 0)
		return rc;
	if (st->before &&
	    (rc = ec_problemf(st->sink, st->before_line, UINT64_MAX, 0, 0,
			      "%" PRIu64 " lines before the first event header skipped",
			      st->before)) != 0)
		return rc;
	if (st->events == 0 && r == 0 &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0,
			      "no event header (Log Name:, Source:, Event ID: ...) found in %" PRIu64
			      " lines", st->lr.lineno)) != 0)
		return rc;
	return text_finish(&st->lr, st->sink, st->problems, r);
}

static int
evtext_parse(const struct ec_input *inp)
{
	const struct ec_options *o = inp->opt;
	size_t max_line = text_max_line(o);
	size_t max_rec = text_max_record(o);
	struct evtext_state *st = xcalloc(1, sizeof(*st));
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	lr_init(&st->lr, inp->in, inp->enc.enc, inp->enc.bom, max_line);
	for (int k = 0; k < NHEAD; k++)
		buf_init(&st->field[k], FIELD_MAX);
	buf_init(&st->desc, max_rec);
	buf_init(&st->xml, XML_MAX);
	buf_init(&st->tent_lines, 3 * (max_line + 1));
	rc = run(st);
	for (int k = 0; k < NHEAD; k++)
		buf_release(&st->field[k]);
	buf_release(&st->desc);
	buf_release(&st->xml);
	buf_release(&st->tent_lines);
	free(st->kv);
	lr_release(&st->lr);
	free(st);
	return rc;
}

/* ---- sniffing ------------------------------------------------------------ */

struct judge_ctx {
	enum label first;
	int labels;			/* header lines among the first ones */
};

static int
evtext_judge(void *ctx, struct sv line, int seen)
{
	struct judge_ctx *j = ctx;
	struct sv value;
	enum label l = label_of(line, &value);

	if (seen == 1) {
		if (l != L_LOGNAME && l != L_EVENTID && l != L_SOURCE)
			return -1;
		j->first = l;
		j->labels = 1;
		return 0;
	}
	if (l < NHEAD)
		j->labels++;
	if (j->first == L_LOGNAME && l == L_SOURCE)
		return 90;
	if (seen == 4)
		return j->labels >= 3 ? 70 : -1;
	return 0;
}

/* 90 when the first non-blank line is "Log Name:" and a "Source:" line
 * follows within 3 lines; 70 when it is "Event ID:" or "Source:" and two
 * more header lines follow within 3 lines (abbreviated copies); 55 when a
 * "Log Name:" with its "Source:" comes after some lines of notes. */
/* Notes before the copy (a ticket, a pasted excerpt): "Log Name:" with
 * "Source:" on one of the 3 lines after it, anywhere in the first 30. */
static int
evtext_judge_later(void *ctx, struct sv line, int seen)
{
	int *logname_at = ctx;
	struct sv value;
	enum label l = label_of(line, &value);

	if (l == L_LOGNAME)
		*logname_at = seen;
	else if (l == L_SOURCE && *logname_at && seen - *logname_at <= 3)
		return 55;
	return 0;
}

static int
evtext_sniff(const struct ec_sniff *s)
{
	struct judge_ctx j = { L_NONE, 0 };
	int v = text_sniff_lines(s, 4, evtext_judge, &j), at = 0;

	if (v > 0)
		return v;
	return text_sniff_lines(s, 30, evtext_judge_later, &at);
}

const struct ec_format fmt_evtext = {
	.name = "evtext",
	.title = "Event Viewer event copied as text (Log Name:, Source:, Date:, Event ID: ...)",
	.identifies = "Log Name: then Source: within 3 lines (or an abbreviated Event ID:/Source: "
		      "header) at the start",
	.binary = false,
	.sniff = evtext_sniff,
	.parse = evtext_parse,
};
