/* SPDX-License-Identifier: MIT */
/* fmt_msi.c - Windows Installer verbose logs (msiexec /l*v): the sync
 * engine's "Synchronization Service_Install-*.log" and any other MSI log
 * (LocalDB, ODBC, VC++ prerequisites, forced uninstalls).
 *
 * A record is one line, except that an error message ("Error NNNNN.",
 * "Product: X -- Error NNNNN.", "Info", "Warning") takes the lines after it
 * that start no record of their own (messages from the Error table may run
 * over several lines), and indented lines (stack frames of a managed custom
 * action) join the record before them. A line with no time of its own
 * (Property, CustomAction, Error ...) carries the time of the line before.
 *
 * Sessions: each "=== Verbose logging started" starts one, its "stopped"
 * line ends it; a log without header is one session. Dates come from the
 * header (local time) or, before any header, from a YYYYMMDD-HHMMSS stamp in
 * the file name. Actions are tracked on a stack to give their nesting and
 * reported when they end; the last "Error NNNNN" and "CustomAction X
 * returned actual error code N" inside an action are reported with it.
 * Facts are listed in docs/FACTS.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/msiline.h"
#include "parser/parser.h"
#include "parser/textutil.h"

#define MAX_DEPTH 64		/* open actions tracked */
#define MAX_NAME 128		/* action names are at most 72 characters */
#define JOIN_MAX 20		/* lines an error message may run over */
#define ERR_TEXT_MAX 4096	/* error text kept for the action that fails */
#define FIELD_MAX 1024		/* session fields (paths, names, versions) */
#define CMD_MAX 4096		/* command line */

struct open_action {
	char name[MAX_NAME];
	size_t n;
	uint64_t start_line;
	struct ec_time start;
	uint32_t seq;
};

struct msi_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;

	/* the open record */
	struct buf text;
	bool open;
	uint64_t rec_line, rec_offset, dropped;
	enum msi_kind rec_kind;
	unsigned joined;

	/* dating */
	bool dated;
	struct daytrack dt;
	int offset_min;
	enum ec_timeq tq;
	bool have_stamp;
	struct civil stamp;
	int32_t last_tod;

	/* the session */
	bool in_session, s_header, s_verbose, s_footer, s_cmd_server, s_version_prop;
	uint32_t session, s_actions, s_failed;
	uint64_t s_start_line, s_end_line;
	struct ec_time s_start, s_end;
	int64_t s_status, s_engine_return, s_removed_status;
	struct buf s_started, s_caller, s_package, s_cmd, s_product, s_version, s_pcode, s_ucode,
		s_result, s_removed;

	/* actions */
	struct open_action stack[MAX_DEPTH];
	size_t depth;
	uint32_t seq;
	uint64_t last_end_line;
	bool deep_reported;
	bool host_told;		/* host.name reported (once per file) */

	/* the last errors, for the action they happen in */
	int64_t err_number;
	uint64_t err_line, err_record;
	struct buf err_text;
	int64_t ca_code;
	uint64_t ca_line;
	struct buf ca_name;

	uint64_t records, msi_lines, problems, pre_blank;
};

static int
fact(struct msi_state *st, const char *name, struct sv key, struct sv value)
{
	return ec_fact_report(st->sink, name, key, value, true);
}

static int
fact_num(struct msi_state *st, const char *name, struct sv key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return fact(st, name, key, sv_cstr(num));
}

static void
set(struct buf *b, struct sv v)
{
	buf_reset(b);
	buf_addsv(b, v);
}

static struct sv
first_line(struct sv v)
{
	const char *nl = v.n ? memchr(v.p, '\n', v.n) : NULL;

	return nl ? sv_make(v.p, (size_t)(nl - v.p)) : v;
}

/* ---- time --------------------------------------------------------------- */

static struct ec_time
date(struct msi_state *st, int32_t tod)
{
	struct ec_time t = { 0, tod, TQ_NONE };

	if (tod < 0)
		return t;
	if (!st->dated) {
		t.q = TQ_TIME_OF_DAY;
		return t;
	}
	t.ms = daytrack_day(&st->dt, tod) * MS_PER_DAY + tod - (int64_t)st->offset_min * 60000;
	t.q = st->tq;
	return t;
}

static void
anchor(struct msi_state *st, const struct civil *c)
{
	const struct ec_options *o = st->inp->opt;

	daytrack_anchor(&st->dt, days_from_civil(c->year, c->month, c->day),
			((c->hour * 60 + c->min) * 60 + c->sec) * 1000);
	st->dated = true;
	st->offset_min = o && o->have_offset ? o->utc_offset_min : 0;
	st->tq = o && o->have_offset ? TQ_LOCAL_GIVEN : TQ_LOCAL_ASSUMED;
}

/* ---- actions and sessions ----------------------------------------------- */

static int
emit_action(struct msi_state *st, const struct open_action *a, struct sv name, uint64_t end_line,
	    struct ec_time end, int64_t ret, size_t depth)
{
	struct ec_msi_action ac;
	uint64_t floor = a ? a->start_line : st->last_end_line;

	if (!st->sink->msi_action)
		return 0;
	memset(&ac, 0, sizeof(ac));
	ac.session = st->session;
	ac.seq = a ? a->seq : ++st->seq;
	ac.name = name;
	ac.depth = (uint32_t)depth;
	if (depth > 0)
		ac.parent = sv_make(st->stack[depth - 1].name, st->stack[depth - 1].n);
	ac.start_line = a ? a->start_line : 0;
	ac.start = a ? a->start : (struct ec_time){ 0, -1, TQ_NONE };
	ac.end_line = end_line;
	ac.end = end;
	ac.return_value = ret;
	ac.ca_error = -1;
	ac.error_number = -1;
	/* Errors written inside the action (or, when its start was not seen,
	 * since the action before it ended) and before its end. */
	if (st->ca_line > floor && (!end_line || st->ca_line <= end_line)) {
		ac.ca_name = buf_sv(&st->ca_name);
		ac.ca_error = st->ca_code;
		ac.ca_line = st->ca_line;
	}
	if (st->err_line > floor && (!end_line || st->err_line <= end_line)) {
		ac.error_number = st->err_number;
		ac.error_line = st->err_line;
		ac.error_text = buf_sv(&st->err_text);
	}
	return st->sink->msi_action(st->sink->ctx, &ac);
}

/* Actions still open at the end of a session never ended. */
static int
close_actions(struct msi_state *st, size_t down_to)
{
	int rc;

	while (st->depth > down_to) {
		struct open_action *a = &st->stack[st->depth - 1];

		st->depth--;
		rc = emit_action(st, a, sv_make(a->name, a->n), 0, (struct ec_time){ 0, -1, TQ_NONE },
				 -1, st->depth);
		if (rc)
			return rc;
	}
	return 0;
}

static int
end_session(struct msi_state *st)
{
	struct ec_msi_session s;
	int rc;

	if (!st->in_session)
		return 0;
	if ((rc = close_actions(st, 0)) != 0)
		return rc;
	st->in_session = false;
	/* Its own uninstall: the removal was all it reported. */
	if (st->s_status < 0 && st->s_removed_status >= 0 &&
	    (!st->s_version.len || (st->s_version.len == st->s_removed.len &&
				    memcmp(st->s_version.data, st->s_removed.data, st->s_removed.len) == 0)))
		st->s_status = st->s_removed_status;
	if (!st->sink->msi_session)
		return 0;
	memset(&s, 0, sizeof(s));
	s.session = st->session;
	s.start_line = st->s_start_line;
	s.end_line = st->s_end_line;
	s.start = st->s_start;
	s.end = st->s_end;
	s.started = buf_sv(&st->s_started);
	s.calling_process = buf_sv(&st->s_caller);
	s.package = buf_sv(&st->s_package);
	s.command_line = buf_sv(&st->s_cmd);
	s.product = buf_sv(&st->s_product);
	s.version = buf_sv(&st->s_version);
	s.product_code = buf_sv(&st->s_pcode);
	s.upgrade_code = buf_sv(&st->s_ucode);
	s.result = buf_sv(&st->s_result);
	s.status = st->s_status;
	s.engine_return = st->s_engine_return;
	s.footer = st->s_footer;
	s.actions = st->s_actions;
	s.failed_actions = st->s_failed;
	return st->sink->msi_session(st->sink->ctx, &s);
}

static void
begin_session(struct msi_state *st)
{
	struct buf *fields[] = { &st->s_started, &st->s_caller, &st->s_package, &st->s_cmd,
				 &st->s_product, &st->s_version, &st->s_pcode, &st->s_ucode,
				 &st->s_result, &st->s_removed, &st->err_text, &st->ca_name };

	st->in_session = true;
	st->session++;
	st->s_header = st->s_verbose = st->s_footer = st->s_cmd_server = st->s_version_prop = false;
	st->s_removed_status = -1;
	st->s_actions = st->s_failed = 0;
	st->s_start_line = st->rec_line;
	st->s_end_line = st->rec_line;
	st->s_start = st->s_end = (struct ec_time){ 0, -1, TQ_NONE };
	st->s_status = st->s_engine_return = -1;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		buf_reset(fields[i]);
	st->err_number = st->ca_code = -1;
	st->err_line = st->ca_line = st->last_end_line = 0;
	st->depth = 0;
}

/* The header: a new session, dated by its date. */
static int
header(struct msi_state *st, const struct msi_line *o)
{
	enum msi_date_order ord;
	struct civil c;
	char iso[32];
	int rc = 0;

	if ((rc = end_session(st)) != 0)
		return rc;
	begin_session(st);
	st->s_header = true;
	st->s_verbose = o->verbose;
	buf_addsv(&st->s_started, o->date);
	buf_addc(&st->s_started, ' ');
	buf_addsv(&st->s_started, o->time);
	set(&st->s_caller, o->value);
	ord = msi_header_date(o->date, o->time, st->have_stamp ? &st->stamp : NULL, &c);
	if (ord == MSI_DATE_BAD) {
		if (text_problem_ok(&st->problems))
			rc = ec_problemf(st->sink, st->rec_line, st->rec_offset, 0, 0,
					 "header date '%.*s %.*s' not understood: times of day only",
					 (int)o->date.n, o->date.p, (int)o->time.n, o->time.p);
		return rc;
	}
	if (ord == MSI_DATE_MDY_ASSUMED && text_problem_ok(&st->problems)) {
		snprintf(iso, sizeof(iso), "%04d-%02d-%02d", c.year, c.month, c.day);
		rc = ec_problemf(st->sink, st->rec_line, st->rec_offset, 0, 0,
				 "header date '%.*s' could be month/day or day/month: read as %s "
				 "(month first, as msiexec writes in US English)",
				 (int)o->date.n, o->date.p, iso);
	}
	anchor(st, &c);
	st->last_tod = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000;
	return rc;
}

/* ---- records ------------------------------------------------------------ */

static enum ec_level
level_of(const struct msi_line *o)
{
	switch (o->kind) {
	case MSI_LOG_START:
	case MSI_LOG_STOP:
	case MSI_ACTION_START:
	case MSI_PACKAGE:
	case MSI_COMMAND_LINE:
	case MSI_INFO:
		return LVL_INFO;
	case MSI_ACTION_END:
		return o->number == 3 ? LVL_ERROR : o->number == 2 ? LVL_WARN : LVL_INFO;
	case MSI_CA_ERROR:
		return o->number == 0 ? LVL_INFO : LVL_ERROR;
	case MSI_PRODUCT_ERROR:
	case MSI_ERROR:
		return LVL_ERROR;
	case MSI_WARNING:
		return LVL_WARN;
	case MSI_PRODUCT_RESULT:
		return sv_find(o->value, "failed") >= 0 ? LVL_ERROR : LVL_INFO;
	case MSI_NOTE:
		return o->number == 1708 ? LVL_ERROR : LVL_VERBOSE;
	case MSI_SUMMARY:
	case MSI_ENGINE_RETURN:
		if (o->number == 0 || o->number == 3010 || o->number == 1641 || o->number < 0)
			return LVL_INFO;
		return o->number == 1602 ? LVL_WARN : LVL_ERROR;
	case MSI_OTHER:
		return o->engine ? LVL_VERBOSE : LVL_INFO;
	default:
		return LVL_VERBOSE;
	}
}

/* The session learns its product; facts once per session. */
static int
learn_product(struct msi_state *st, struct sv name)
{
	int rc;

	if (st->s_product.len || !name.n)
		return 0;
	set(&st->s_product, name);
	if ((rc = fact(st, "msi.product", SV_NULL, name)) != 0)
		return rc;
	if (st->s_version.len && msi_is_sync_engine(name))
		return fact(st, "engine.msi_version", SV_NULL, buf_sv(&st->s_version));
	return 0;
}

/* The session's version: ProductVersion from the property dump wins over
 * the summary line (a major upgrade logs the removal of the old version
 * too); facts when it changes. */
static int
learn_version(struct msi_state *st, struct sv v, bool from_property)
{
	struct sv cur = buf_sv(&st->s_version);
	int rc;

	if (!v.n || (st->s_version_prop && !from_property) ||
	    (cur.n == v.n && memcmp(cur.p, v.p, v.n) == 0)) {
		st->s_version_prop |= from_property;
		return 0;
	}
	st->s_version_prop |= from_property;
	set(&st->s_version, v);
	if ((rc = fact(st, "msi.product_version", buf_sv(&st->s_product), v)) != 0)
		return rc;
	if (st->s_product.len && msi_is_sync_engine(buf_sv(&st->s_product)))
		return fact(st, "engine.msi_version", SV_NULL, v);
	return 0;
}

/* The message of an error record: from after "Error NNNNN." to its end. */
static struct sv
error_text(struct sv msg, const struct msi_line *o)
{
	struct sv first = first_line(msg);
	const char *p = o->value.p ? o->value.p : first.p + first.n;

	return sv_trim(sv_make(p, (size_t)(msg.p + msg.n - p)));
}

static int
on_record(struct msi_state *st, struct sv msg, const struct msi_line *o, struct ec_time t)
{
	struct sv text;
	int rc = 0;

	switch (o->kind) {
	case MSI_LOG_START:
		if (st->s_started.len) {
			struct civil c;
			char iso[32];

			if (msi_header_date(o->date, o->time, st->have_stamp ? &st->stamp : NULL, &c)) {
				snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d", c.year,
					 c.month, c.day, c.hour, c.min, c.sec);
				rc = fact(st, "msi.logging_started", SV_NULL, sv_cstr(iso));
			}
		}
		break;
	case MSI_LOG_STOP:
		st->s_footer = true;
		break;
	case MSI_ACTION_START:
		if (st->depth == MAX_DEPTH) {
			if (!st->deep_reported && text_problem_ok(&st->problems))
				rc = ec_problemf(st->sink, st->rec_line, st->rec_offset, 0, 0,
						 "actions nested deeper than %d: the deeper ones are not "
						 "tracked", MAX_DEPTH);
			st->deep_reported = true;
			break;
		} else {
			struct open_action *a = &st->stack[st->depth++];

			a->n = o->name.n < MAX_NAME ? o->name.n : MAX_NAME;
			memcpy(a->name, o->name.p, a->n);
			a->start_line = st->rec_line;
			a->start = t;
			a->seq = ++st->seq;
			st->s_actions++;
		}
		break;
	case MSI_ACTION_END: {
		size_t k = st->depth;
		struct sv name = o->name.n > MAX_NAME ? sv_make(o->name.p, MAX_NAME) : o->name;

		while (k > 0 && !(st->stack[k - 1].n == name.n &&
				  memcmp(st->stack[k - 1].name, name.p, name.n) == 0))
			k--;
		if (k > 0) {
			struct open_action a;

			if ((rc = close_actions(st, k)) != 0)
				return rc;
			a = st->stack[k - 1];
			st->depth = k - 1;
			rc = emit_action(st, &a, sv_make(a.name, a.n), st->rec_line, t, o->number,
					 st->depth);
		} else {
			st->s_actions++;
			rc = emit_action(st, NULL, name, st->rec_line, t, o->number, st->depth);
		}
		st->last_end_line = st->rec_line;
		if (o->number == 3) {
			st->s_failed++;
			if (!rc)
				rc = fact_num(st, "msi.action_failed", o->name, o->number);
		}
		break;
	}
	case MSI_CA_ERROR:
		set(&st->ca_name, o->name);
		st->ca_code = o->number;
		st->ca_line = st->rec_line;
		rc = fact_num(st, "msi.custom_action_error", o->name, o->number);
		break;
	case MSI_PRODUCT_ERROR:
	case MSI_ERROR:
		if (o->kind == MSI_PRODUCT_ERROR && (rc = learn_product(st, o->name)) != 0)
			return rc;
		text = error_text(msg, o);
		/* "Product: X -- Error N." is often followed by the same bare "Error N.". */
		if (st->err_number == o->number && st->records - st->err_record <= 3) {
			st->err_record = st->records;
			break;
		}
		st->err_number = o->number;
		st->err_line = st->rec_line;
		st->err_record = st->records;
		buf_reset(&st->err_text);
		buf_addsv(&st->err_text, text);
		{
			char key[24];

			snprintf(key, sizeof(key), "%" PRId64, o->number);
			rc = fact(st, "msi.error", sv_cstr(key), first_line(text));
		}
		break;
	case MSI_PRODUCT_RESULT:
		if ((rc = learn_product(st, o->name)) != 0)
			return rc;
		set(&st->s_result, o->value);
		rc = fact(st, "msi.result", o->name, o->value);
		break;
	case MSI_SUMMARY:
		if ((rc = learn_product(st, o->name)) != 0)
			return rc;
		if (sv_starts(o->verb, "removed")) {
			/* The old version a major upgrade removes, or the session's own
			 * uninstall: decided at the end of the session. */
			set(&st->s_removed, o->version);
			st->s_removed_status = o->number;
			rc = fact(st, "msi.removed_version", o->name, o->version);
			break;
		}
		if ((rc = learn_version(st, o->version, false)) != 0)
			return rc;
		st->s_status = o->number;
		if (o->number >= 0)
			rc = fact_num(st, "msi.status", o->name, o->number);
		break;
	case MSI_ENGINE_RETURN:
		st->s_engine_return = o->number;
		rc = fact_num(st, "msi.engine_return", sv_make(&o->ctx, o->ctx ? 1 : 0), o->number);
		break;
	case MSI_PROPERTY:
		if (sv_eq(o->name, "ProductName"))
			rc = learn_product(st, o->value);
		else if (sv_eq(o->name, "ProductVersion"))
			rc = learn_version(st, o->value, true);
		else if (sv_eq(o->name, "ProductCode") && !st->s_pcode.len)
			set(&st->s_pcode, o->value);
		else if (sv_eq(o->name, "UpgradeCode") && !st->s_ucode.len)
			set(&st->s_ucode, o->value);
		else if (sv_eq(o->name, "ComputerName") && !st->host_told && sv_trim(o->value).n) {
			st->host_told = true;
			rc = fact(st, "host.name", SV_NULL, sv_trim(o->value));
		}
		break;
	case MSI_PACKAGE:
		if (!st->s_package.len) {
			set(&st->s_package, o->value);
			rc = fact(st, "msi.package", SV_NULL, o->value);
		}
		break;
	case MSI_COMMAND_LINE:
		if (!st->s_cmd_server || o->ctx == 's') {
			set(&st->s_cmd, o->value);
			st->s_cmd_server = o->ctx == 's';
		}
		break;
	default:
		break;
	}
	return rc;
}

static int
flush(struct msi_state *st)
{
	struct msi_line o;
	struct ec_event ev;
	struct ec_kv kv;
	struct ec_time t;
	struct sv msg;
	int32_t tod;
	bool marker;
	int rc;

	if (!st->open)
		return 0;
	st->open = false;
	st->records++;
	if (st->text.truncated) {
		text_drop_partial_utf8(&st->text);
		if (text_problem_ok(&st->problems) &&
		    (rc = ec_problemf(st->sink, st->rec_line, st->rec_offset, 0, st->dropped,
				      "record starting at line %" PRIu64 " too long, cut at %zu bytes",
				      st->rec_line, st->text.max)) != 0)
			return rc;
	}
	buf_rtrim(&st->text, " \t\r\n");
	msg = buf_sv(&st->text);
	msi_line_parse(first_line(msg), &o);
	if (o.engine || (o.kind != MSI_OTHER && o.kind != MSI_LOG_START && o.kind != MSI_LOG_STOP))
		st->msi_lines++;
	/* "=== Logging started/stopped" inside a verbose session mark its UI
	 * part; they start and end sessions only in non-verbose logs. */
	marker = (o.kind == MSI_LOG_START || o.kind == MSI_LOG_STOP) && !o.verbose &&
		 st->in_session && st->s_verbose;
	if (o.kind == MSI_LOG_START && !marker) {
		if ((rc = header(st, &o)) != 0)
			return rc;
	} else if (!st->in_session) {
		begin_session(st);
	}
	tod = o.tod_ms >= 0 ? o.tod_ms : st->last_tod;
	if (o.kind == MSI_LOG_STOP) {
		struct civil c;

		if (msi_header_date(o.date, o.time, st->have_stamp ? &st->stamp : NULL, &c))
			tod = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000;
	}
	st->last_tod = tod;
	t = date(st, tod);
	if (t.q != TQ_NONE) {
		if (st->s_start.q == TQ_NONE)
			st->s_start = t;
		/* Action lines have whole seconds: keep the latest time. */
		if (st->s_end.q == TQ_NONE ||
		    (t.q >= TQ_LOCAL_ASSUMED ? t.ms >= st->s_end.ms : t.tod_ms >= st->s_end.tod_ms))
			st->s_end = t;
	}
	st->s_end_line = st->rec_line;

	memset(&ev, 0, sizeof(ev));
	ev.line = st->rec_line;
	ev.offset = st->rec_offset;
	ev.time_ms = t.ms;
	ev.tod_ms = t.tod_ms;
	ev.timeq = t.q;
	ev.level = level_of(&o);
	if (o.kind == MSI_ACTION_START || o.kind == MSI_ACTION_END)
		ev.provider = o.name;
	else if (st->depth)
		ev.provider = sv_make(st->stack[st->depth - 1].name, st->stack[st->depth - 1].n);
	switch (o.kind) {
	case MSI_PRODUCT_ERROR: case MSI_ERROR: case MSI_INFO: case MSI_WARNING: case MSI_NOTE:
		ev.event_id = o.number;
		break;
	default:
		ev.event_id = -1;
	}
	ev.thread = o.thread;
	ev.message = msg;
	if (o.kind == MSI_PROPERTY || o.kind == MSI_PROPERTY_CHANGE) {
		kv.name = o.name;
		kv.value = o.value;
		ev.data = &kv;
		ev.ndata = 1;
	}
	if (st->sink->event && (rc = st->sink->event(st->sink->ctx, &ev)) != 0)
		return rc;
	if (marker)
		return 0;
	if ((rc = on_record(st, msg, &o, t)) != 0)
		return rc;
	if (o.kind == MSI_LOG_STOP)
		return end_session(st);
	return 0;
}

static bool
joinable(enum msi_kind k)
{
	return k == MSI_ERROR || k == MSI_PRODUCT_ERROR || k == MSI_INFO || k == MSI_WARNING;
}

/* Other lines that start a record although they have no MSI form. */
static bool
other_starter(struct sv l)
{
	return sv_starts(l, "DEBUG: ") || sv_starts(l, "SFXCA: ") || sv_starts(l, "Calling custom action ");
}

static int
run(struct msi_state *st)
{
	struct msi_line o;
	struct sv line;
	bool has_nul, starts, cut_off = false;
	int r, rc;

	while ((r = lr_next(&st->lr, &line)) > 0) {
		cut_off = st->lr.unterminated;
		has_nul = line.n && memchr(line.p, 0, line.n);
		/* A block of NUL bytes ends the record before it. */
		if (st->lr.nul_bytes && (rc = flush(st)) != 0)
			return rc;
		if ((st->lr.nul_bytes || st->lr.cut_bytes || st->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&st->lr, st->sink, has_nul, &st->problems)) != 0)
			return rc;
		if (text_blank(line)) {
			if (st->open && joinable(st->rec_kind) && st->joined < JOIN_MAX) {
				st->dropped += text_append(&st->text, "\n", 1);
				st->joined++;
			}
			continue;
		}
		msi_line_parse(line, &o);
		starts = o.engine || o.kind != MSI_OTHER || other_starter(line);
		if (!starts && st->open &&
		    ((joinable(st->rec_kind) && st->joined < JOIN_MAX) || line.p[0] == ' ' ||
		     line.p[0] == '\t')) {
			st->dropped += text_append(&st->text, "\n", 1);
			st->dropped += text_append_line(&st->text, line, has_nul);
			st->joined++;
			continue;
		}
		if ((rc = flush(st)) != 0)
			return rc;
		st->open = true;
		st->rec_line = st->lr.lineno;
		st->rec_offset = st->lr.offset;
		st->rec_kind = o.kind;
		st->joined = 0;
		st->dropped = 0;
		buf_reset(&st->text);
		st->dropped += text_append_line(&st->text, line, has_nul);
	}
	if ((rc = flush(st)) != 0)
		return rc;
	if (st->in_session && st->s_header && !st->s_footer &&
	    (rc = ec_problemf(st->sink, st->s_start_line, UINT64_MAX, 0, 0,
			      "the log ends without the 'logging stopped' line of the session "
			      "started at line %" PRIu64 ": cut off, or msiexec was still writing it",
			      st->s_start_line)) != 0)
		return rc;
	if (cut_off &&
	    (rc = ec_problemf(st->sink, st->lr.lineno, st->lr.offset, 0, 0,
			      "the last line has no line end: the file was cut off mid-line")) != 0)
		return rc;
	if ((rc = end_session(st)) != 0)
		return rc;
	if (st->msi_lines == 0 &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, st->records, 0,
			      "no Windows Installer line found in %" PRIu64 " lines",
			      st->lr.lineno)) != 0)
		return rc;
	return text_finish(&st->lr, st->sink, st->problems, r);
}

static int
msi_parse(const struct ec_input *inp)
{
	const struct ec_options *o = inp->opt;
	size_t max_line = text_max_line(o);
	size_t max_rec = text_max_record(o);
	struct msi_state *st = xcalloc(1, sizeof(*st));
	struct buf *fields[] = { &st->s_started, &st->s_caller, &st->s_package, &st->s_product,
				 &st->s_version, &st->s_pcode, &st->s_ucode, &st->s_result,
				 &st->s_removed, &st->ca_name };
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	st->last_tod = -1;
	lr_init(&st->lr, inp->in, inp->enc.enc, inp->enc.bom, max_line);
	buf_init(&st->text, max_rec);
	buf_init(&st->err_text, ERR_TEXT_MAX);
	buf_init(&st->s_cmd, CMD_MAX);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		buf_init(fields[i], FIELD_MAX);
	if (name_stamp(inp->name, &st->stamp)) {
		st->have_stamp = true;
		anchor(st, &st->stamp);
	}
	rc = run(st);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		buf_release(fields[i]);
	buf_release(&st->s_cmd);
	buf_release(&st->err_text);
	buf_release(&st->text);
	lr_release(&st->lr);
	free(st);
	return rc;
}

static int
msi_judge(void *ctx, struct sv line, int seen)
{
	struct msi_line o;

	(void)ctx;
	msi_line_parse(line, &o);
	if (o.kind == MSI_LOG_START || o.engine)
		return seen == 1 ? 95 : 55;
	if (o.kind != MSI_OTHER && o.kind != MSI_ERROR && o.kind != MSI_INFO && o.kind != MSI_WARNING)
		return seen == 1 ? 75 : 55;
	return 0;
}

/* 95 if the first non-blank line is an MSI header or engine line, 75 if it
 * is another MSI form, 55 if a later one of the first 20 lines is. */
static int
msi_sniff(const struct ec_sniff *s)
{
	return text_sniff_lines(s, 20, msi_judge, NULL);
}

const struct ec_format fmt_msi = {
	.name = "msi",
	.title = "Windows Installer verbose log (msiexec /l*v)",
	.identifies = "=== Verbose logging started: ... or MSI (s) (PP:TT) [HH:MM:SS:mmm]: lines",
	.binary = false,
	.sniff = msi_sniff,
	.parse = msi_parse,
};
