/* SPDX-License-Identifier: MIT */
/* fmt_evcsv.c - Event Viewer's "Save All Events As": CSV (Comma Separated)
 * and Text (Tab delimited) (FAS d.2).
 *
 * The header is "Level,Date and Time,Source,Event ID,Task Category" (tabs in
 * the text form); each row has one more column than the header, the message,
 * quoted when it holds line breaks. Localised Windows writes the header and
 * the level names in its language: columns are read by position, and a
 * header that is not the English one is said once. The date is local time
 * in the exporter's culture (csv_time() in csvread.c). There are no inserts
 * in this form: the message is the event's whole text.
 *
 * A row that does not start an event (its "Event ID" is not a number or it
 * has no date) is a line of the message before it that the writer did not
 * quote; it is joined to that message. A row that looks like an event but
 * has too few columns is reported and skipped; the header found again (files
 * joined) is skipped. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/parser.h"
#include "parser/textutil.h"
#include "parser/winevent.h"

#define FIELD_MAX 4096		/* source and task category kept */

static const char *const header_names[] = { "Level", "Date and Time", "Source", "Event ID",
					     "Task Category" };

struct evcsv_state {
	struct csvread cr;

	/* the event read last, emitted when the next one starts */
	bool pending, msg_quoted, msg_cut;
	uint64_t line, offset;
	struct ec_time t;
	enum ec_level level;
	int64_t event_id;
	struct buf source, task, msg;

	bool told_level, told_join;
};

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A date and time, roughly: digits and a colon. */
static bool
datelike(struct sv v)
{
	size_t digits = 0;
	bool colon = false;

	for (size_t i = 0; i < v.n; i++) {
		digits += digit(v.p[i]);
		colon |= v.p[i] == ':';
	}
	return colon && digits >= 6;
}

/* A row that starts an event: at least the five header columns, a number
 * as event id, a date. */
static bool
event_row(const struct csvread *cr)
{
	int64_t id;

	return cr->nfields >= 5 && csv_int(cr->field[3], &id) && datelike(cr->field[1]);
}

static bool
english_header(const struct csvread *cr)
{
	if (cr->nfields < 5)
		return false;
	for (size_t i = 0; i < 5; i++) {
		if (!csv_name_eq(cr->field[i], header_names[i]))
			return false;
	}
	return true;
}

static int
flush(struct evcsv_state *st)
{
	struct ec_winevent w;
	struct ec_event ev;
	struct ec_kv kv;
	int rc;

	if (!st->pending)
		return 0;
	st->pending = false;
	if (st->msg.truncated) {
		text_drop_partial_utf8(&st->msg);
		if (text_problem_ok(&st->cr.problems) &&
		    (rc = ec_problemf(st->cr.sink, st->line, st->offset, 0, 0,
				      "message of the event at line %" PRIu64 " cut at %zu bytes",
				      st->line, st->msg.max)) != 0)
			return rc;
	}
	buf_rtrim(&st->msg, " \t\r\n");
	memset(&w, 0, sizeof(w));
	w.qualifiers = w.task = w.opcode = w.win_level = w.process_id = w.thread_id = -1;
	memset(&ev, 0, sizeof(ev));
	ev.line = st->line;
	ev.offset = st->offset;
	ev.time_ms = st->t.ms;
	ev.tod_ms = st->t.tod_ms;
	ev.timeq = st->t.q;
	ev.level = st->level;
	ev.provider = buf_sv(&st->source);
	ev.event_id = st->event_id;
	ev.message = buf_sv(&st->msg);
	if (st->task.len) {
		kv.name = SV_LIT("TaskCategory");
		kv.value = buf_sv(&st->task);
		ev.data = &kv;
		ev.ndata = 1;
	}
	ev.win = &w;
	return winevent_emit(st->cr.sink, &ev);
}

static void
set(struct buf *b, struct sv v)
{
	buf_reset(b);
	buf_addsv(b, sv_trim(v));
}

/* A row that starts an event becomes the pending one. */
static int
start_event(struct evcsv_state *st)
{
	struct csvread *cr = &st->cr;
	struct sv level = sv_trim(cr->field[0]);
	int64_t id = -1;
	int rc;

	if ((rc = flush(st)) != 0)
		return rc;
	st->pending = true;
	st->line = cr->line;
	st->offset = cr->offset;
	st->level = winevent_level_name(level);
	if (st->level == LVL_NONE && level.n && !st->told_level) {
		st->told_level = true;
		if ((rc = csv_problemf(cr, "level '%.*s' at line %" PRIu64 " is not an English level "
				       "name: events with such levels have none", (int)level.n,
				       level.p, cr->line)) != 0)
			return rc;
	}
	csv_int(cr->field[3], &id);
	st->event_id = id >= 0 ? (id & 0xFFFF) : -1;
	set(&st->source, cr->field[2]);
	set(&st->task, cr->field[4]);
	buf_reset(&st->msg);
	st->msg_quoted = cr->nfields > 5 && cr->span[5].quoted;
	/* More columns than six: a message with separators, not quoted. */
	buf_addsv(&st->msg, csv_rest(cr, 5));
	return csv_time(cr, cr->field[1], &st->t);
}

static int
row(struct evcsv_state *st)
{
	struct csvread *cr = &st->cr;
	struct sv text;
	int rc;

	if (event_row(cr))
		return start_event(st);
	/* The header again: exports joined into one file. */
	if (english_header(cr))
		return flush(st);
	if (winevent_level_name(cr->field[0]) != LVL_NONE ||
	    (cr->nfields > 1 && datelike(cr->field[1])) || !st->pending) {
		if (cr->nfields < 5)
			return csv_problemf(cr, "row at line %" PRIu64 " has %zu columns, an event has "
					    "6: skipped", cr->line, cr->nfields);
		return csv_problemf(cr, "row at line %" PRIu64 " is not an event (event id '%.*s', "
				    "date '%.*s'): skipped", cr->line,
				    (int)(cr->field[3].n > 40 ? 40 : cr->field[3].n), cr->field[3].p,
				    (int)(cr->field[1].n > 40 ? 40 : cr->field[1].n), cr->field[1].p);
	}
	/* A line of the message before it. */
	if (st->msg_quoted && !st->told_join) {
		st->told_join = true;
		if ((rc = csv_problemf(cr, "line %" PRIu64 " follows the quoted message of the event "
				       "at line %" PRIu64 " but starts no event: joined to that "
				       "message (quotes in the message not doubled?)", cr->line,
				       st->line)) != 0)
			return rc;
	}
	text = csv_rest(cr, 0);
	buf_addc(&st->msg, '\n');
	buf_addsv(&st->msg, text);
	return 0;
}

static int
run(struct evcsv_state *st)
{
	struct csvread *cr = &st->cr;
	int r, rc;

	r = csv_next(cr);
	if (r == 1) {
		if (english_header(cr)) {
			/* fine */
		} else if (event_row(cr)) {
			if ((rc = csv_problemf(cr, "no header line: columns read as Level, Date and "
					       "Time, Source, Event ID, Task Category, message")) != 0)
				return rc;
			if ((rc = row(st)) != 0)
				return rc;
		} else if ((rc = csv_problemf(cr, "header '%.*s' is not Event Viewer's English one: "
					      "columns read by position",
					      (int)(csv_rest(cr, 0).n > 120 ? 120 : csv_rest(cr, 0).n),
					      csv_rest(cr, 0).p)) != 0) {
			return rc;
		}
		while ((r = csv_next(cr)) == 1) {
			if ((rc = row(st)) != 0)
				return rc;
		}
	}
	if (r == 2)
		return cr->stop;
	if ((rc = flush(st)) != 0)
		return rc;
	return csv_finish(cr, r);
}

static int
evcsv_parse(const struct ec_input *inp)
{
	struct evcsv_state *st = xcalloc(1, sizeof(*st));
	int rc;

	csv_init(&st->cr, inp, ",\t");
	buf_init(&st->source, FIELD_MAX);
	buf_init(&st->task, FIELD_MAX);
	buf_init(&st->msg, st->cr.rec.max);
	rc = run(st);
	buf_release(&st->msg);
	buf_release(&st->task);
	buf_release(&st->source);
	csv_release(&st->cr);
	free(st);
	return rc;
}

/* The first line is the header, with commas or tabs, quoted or not. */
static int
evcsv_judge(void *ctx, struct sv line, int seen)
{
	const char *p = line.p, *end = line.p + line.n;
	char sep = 0;

	(void)ctx;
	(void)seen;
	for (size_t i = 0; i < 5; i++) {
		size_t n = strlen(header_names[i]);
		bool q = p < end && *p == '"';

		p += q;
		if ((size_t)(end - p) < n || !csv_name_eq(sv_make(p, n), header_names[i]))
			return -1;
		p += n;
		if (q) {
			if (p >= end || *p != '"')
				return -1;
			p++;
		}
		if (i == 4)
			break;
		if (p >= end || (*p != ',' && *p != '\t') || (sep && *p != sep))
			return -1;
		sep = *p++;
	}
	return 90;
}

static int
evcsv_sniff(const struct ec_sniff *s)
{
	int v = text_sniff_lines(s, 1, evcsv_judge, NULL);

	return v > 0 ? v : 0;
}

const struct ec_format fmt_evcsv = {
	.name = "evcsv",
	.title = "Event Viewer \"Save All Events As\" CSV or tab-separated text",
	.identifies = "first line Level,Date and Time,Source,Event ID,Task Category (commas or tabs)",
	.binary = false,
	.sniff = evcsv_sniff,
	.parse = evcsv_parse,
};
