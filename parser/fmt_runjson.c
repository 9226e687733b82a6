/* SPDX-License-Identifier: MIT */
/* fmt_runjson.c - `Get-ADSyncRunProfileResult | ConvertTo-Json` and
 * `Get-ADSyncRunStepResult | ConvertTo-Json` (FAS e.2), and the run builder
 * the PowerShell run readers share (runps.h).
 *
 * The objects come one at a time from jsonstream.h (an array of them, one
 * object, or several appended). A run object (RunHistoryId, ConnectorName,
 * RunProfileName, RunNumber, Result, StartDate, EndDate ...) carries its
 * steps in RunStepResults: null without -RunStepDetails, an array of step
 * objects, or, when ConvertTo-Json's -Depth (2 by default) was too small,
 * the type name of the collection ("System.Collections.ObjectModel.
 * ReadOnlyCollection`1[...]") or of each step ("Microsoft.IdentityManagement.
 * PowerShell.ObjectModel.RunStepResult"): then the run has no steps, and one
 * problem per file says so. A step object (StepNumber, StepResult, the
 * counters, ConnectorConnectionInformationXml, StepXml, and the objects
 * SyncErrors, ConnectorDiscoveryErrors and MvRetryErrors with their *Xml
 * strings and *List arrays) alone, as Get-ADSyncRunStepResult gives it,
 * becomes a step of the run before it with the same RunHistoryId, or of a
 * run of its own. JSON steps have no step type (unless StepXml has one): their
 * kind comes from the run profile's name.
 *
 * Dates are "\/Date(1649391053843)\/" (Windows PowerShell 5.1: UTC
 * milliseconds, also with a "+0200" suffix that does not change them) or ISO
 * 8601 (PowerShell 7), as strings or as {"value": ...} objects; ISO 8601
 * without a zone is read as UTC, which the sync engine keeps. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/jsonstream.h"
#include "parser/parser.h"
#include "parser/runclass.h"
#include "parser/runps.h"
#include "parser/textutil.h"

/* ==== the run builder (runps.h) ========================================== */

static const struct ec_time no_time = { 0, -1, TQ_NONE };

void
runps_init(struct runps *rp, const struct ec_input *inp, uint64_t *problems,
	   struct csvread *dates)
{
	memset(rp, 0, sizeof(*rp));
	rp->sink = inp->sink;
	rp->opt = inp->opt;
	rp->problems = problems;
	rp->dates = dates;
	rp->pool = xmalloc(RUNPS_POOL);
	buf_init(&rp->tmp, RUNPS_POOL);
	buf_init(&rp->join, 2 * RUNPS_TEXT_MAX + 1);
}

void
runps_release(struct runps *rp)
{
	free(rp->pool);
	rp->pool = NULL;
	buf_release(&rp->tmp);
	buf_release(&rp->join);
}

int
runps_problemf(struct runps *rp, uint64_t line, uint64_t offset, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!text_problem_ok(rp->problems))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_problemf(rp->sink, line, offset, 0, 0, "%s", msg);
}

/* ---- text --------------------------------------------------------------- */

/* Copy n bytes to the pool, cut at what is left (at a UTF-8 boundary). */
static struct sv
pool_put(struct runps *rp, const char *p, size_t n)
{
	size_t room = RUNPS_POOL - rp->pool_len;
	char *at = rp->pool + rp->pool_len;

	if (!n)
		return SV_NULL;
	if (room == 0) {
		rp->pool_cut = true;
		return SV_NULL;
	}
	if (n > room - 1) {
		rp->pool_cut = true;
		n = room - 1;
		while (n && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(at, p, n);
	at[n] = '\0';
	rp->pool_len += n + 1;
	return sv_make(at, n);
}

/* "&lt;" ... "&#233;" "&#xE9;" at p (n bytes left): the code point and the
 * entity's length, or 0. */
static size_t
entity(const char *p, size_t n, unsigned *cp)
{
	static const struct {
		const char *name;
		unsigned cp;
	} named[] = { { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' },
		      { "apos;", '\'' } };
	size_t i = 1;
	unsigned v = 0;
	bool hex;

	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		size_t len = strlen(named[k].name);

		if (n > len && memcmp(p + 1, named[k].name, len) == 0) {
			*cp = named[k].cp;
			return len + 1;
		}
	}
	if (n < 4 || p[1] != '#')
		return 0;
	i = 2;
	hex = p[2] == 'x' || p[2] == 'X';
	if (hex)
		i++;
	for (; i < n && i < 12 && p[i] != ';'; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			v = v * (hex ? 16 : 10) + (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned)(c - 'A' + 10);
		else
			return 0;
	}
	if (i >= n || p[i] != ';' || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return i + 1;
}

struct sv
runps_keep(struct runps *rp, struct sv v, size_t max, bool xml)
{
	v = sv_trim(v);
	if (xml && memchr(v.p ? v.p : "", '&', v.n)) {
		buf_reset(&rp->tmp);
		for (size_t i = 0; i < v.n;) {
			unsigned cp;
			size_t k = v.p[i] == '&' ? entity(v.p + i, v.n - i, &cp) : 0;

			if (k) {
				utf8_put(&rp->tmp, cp);
				i += k;
			} else {
				buf_addc(&rp->tmp, v.p[i++]);
			}
		}
		v = sv_trim(buf_sv(&rp->tmp));
	}
	if (max && v.n > max) {
		v.n = max;
		while (v.n && ((unsigned char)v.p[v.n] & 0xC0) == 0x80)
			v.n--;
	}
	return pool_put(rp, v.p, v.n);
}

/* ---- XML fragments, by simple search ------------------------------------ */

static bool
name_end(char c)
{
	return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first element called tag in x: its content and the whole of it
 * (start tag to end tag). A self-closed element has no content; one that is
 * not closed runs to the end of x. */
static bool
xml_elem(struct sv x, const char *tag, struct sv *inner, struct sv *whole)
{
	const char *p = x.p, *end = x.p + x.n;
	size_t tl = strlen(tag);
	char close[80];

	if (!x.n || tl + 4 > sizeof(close))
		return false;
	snprintf(close, sizeof(close), "</%s>", tag);
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *gt;
		long k;

		if (!lt)
			return false;
		p = lt + 1;
		if ((size_t)(end - lt) < tl + 2 || memcmp(lt + 1, tag, tl) != 0 || !name_end(lt[1 + tl]))
			continue;
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (!gt)
			return false;
		if (gt[-1] == '/') {
			*inner = SV_NULL;
			*whole = sv_make(lt, (size_t)(gt + 1 - lt));
			return true;
		}
		k = sv_find(sv_make(gt + 1, (size_t)(end - gt - 1)), close);
		if (k < 0) {
			*inner = sv_make(gt + 1, (size_t)(end - gt - 1));
			*whole = sv_make(lt, (size_t)(end - lt));
		} else {
			*inner = sv_make(gt + 1, (size_t)k);
			*whole = sv_make(lt, (size_t)(gt + 1 + k + tl + 3 - lt));
		}
		return true;
	}
	return false;
}

/* The content of the first element called tag, or empty. */
static struct sv
xml_text(struct sv x, const char *tag)
{
	struct sv in, whole;

	return xml_elem(x, tag, &in, &whole) ? in : SV_NULL;
}

/* The value of attribute name in the start tag at the beginning of el. */
static struct sv
xml_attr(struct sv el, const char *name)
{
	const char *gt = memchr(el.p ? el.p : "", '>', el.n);
	struct sv tag = sv_make(el.p, gt ? (size_t)(gt - el.p) : el.n);
	size_t nl = strlen(name);

	for (size_t i = 1; i + nl + 2 < tag.n; i++) {
		const char *p = tag.p + i, *q;
		char quote;

		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\r' && p[-1] != '\n') ||
		    memcmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		quote = p[nl + 1];
		if (quote != '"' && quote != '\'')
			continue;
		q = memchr(p + nl + 2, quote, (size_t)(tag.p + tag.n - (p + nl + 2)));
		if (!q)
			return SV_NULL;
		return sv_make(p + nl + 2, (size_t)(q - (p + nl + 2)));
	}
	return SV_NULL;
}

/* The name of the element whose start tag is at x.p ("<name ..."). */
static struct sv
xml_name(struct sv x)
{
	size_t i = 1;

	while (i < x.n && !name_end(x.p[i]))
		i++;
	return sv_make(x.p + 1, i - 1);
}

/* Fill e from an error element (or a cd-error fragment, or an incident):
 * what it has. The detail is the error literal, a line break and the
 * server's detail; or the one of them there is; or the call stack of an
 * extension error, as the run-history XML reader has it. */
static int
error_from_xml(struct runps *rp, struct ec_run_error *e, struct sv x, uint64_t line)
{
	struct sv v, lit, sed;

	v = xml_attr(x, "dn");
	if (!v.n)
		v = xml_text(x, "dn");
	if (v.n)
		e->dn = runps_keep(rp, v, RUNPS_TEXT_MAX, true);
	if ((v = xml_text(x, "error-type")).n)
		e->error_type = runps_keep(rp, v, RUNPS_TEXT_MAX, true);
	if ((v = xml_text(x, "error-code")).n)
		e->code = runps_keep(rp, v, 64, true);
	lit = sv_trim(xml_text(x, "error-literal"));
	sed = sv_trim(xml_text(x, "server-error-detail"));
	buf_reset(&rp->join);
	buf_addsv(&rp->join, lit.n > RUNPS_TEXT_MAX ? sv_make(lit.p, RUNPS_TEXT_MAX) : lit);
	if (lit.n && sed.n)
		buf_addc(&rp->join, '\n');
	buf_addsv(&rp->join, sed.n > RUNPS_TEXT_MAX ? sv_make(sed.p, RUNPS_TEXT_MAX) : sed);
	if (!rp->join.len)
		buf_addsv(&rp->join, xml_text(x, "call-stack"));
	if (rp->join.len)
		e->detail = runps_keep(rp, buf_sv(&rp->join), 2 * RUNPS_TEXT_MAX, true);
	v = xml_text(x, "date-occurred");
	if (!v.n)
		v = xml_text(x, "date");
	return v.n ? runps_time(rp, v, &e->when, line) : 0;
}

/* ---- runs and steps ----------------------------------------------------- */

static bool
same_id(struct sv a, struct sv b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++) {
		char x = a.p[i], y = b.p[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static void
reset(struct runps *rp)
{
	memset(&rp->run, 0, sizeof(rp->run));
	rp->run.run_number = -1;
	rp->run.start = rp->run.end = no_time;
	rp->open = rp->from_steps = rp->incomplete = false;
	rp->cur = NULL;
	rp->dropped_steps = 0;
	rp->ncounters = rp->nerrors = 0;
	rp->pool_len = 0;
	rp->pool_cut = false;
}

/* How bad a result is, to pick the worst of a run's steps (as the
 * run-history XML reader does). */
static int
result_rank(struct sv r)
{
	static const char *const order[] = { "success", "completed-no-objects", "in-progress",
					     "completed-warnings", "unknown", "completed-errors",
					     "no-start", "stopped" };
	const char *c;

	if (!sv_trim(r).n)
		return 0;
	c = run_result_class(r);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!strcmp(c, order[i]))
			return (int)i + 1;
	}
	return 5;
}

/* What the run does not say itself, from its steps. */
static void
from_steps(struct runps *rp)
{
	struct ec_run *r = &rp->run;
	struct ec_time start = no_time, end = no_time;
	const struct ec_run_step *last = NULL;
	struct sv worst = SV_NULL;
	int worst_rank = 0;

	for (size_t i = 0; i < r->nsteps; i++) {
		const struct ec_run_step *s = &rp->step[i];
		int rank = result_rank(s->result);

		if (s->start.q != TQ_NONE && (start.q == TQ_NONE || s->start.ms < start.ms))
			start = s->start;
		if (s->end.q != TQ_NONE && (end.q == TQ_NONE || s->end.ms > end.ms))
			end = s->end;
		if (!last || s->step_number > last->step_number)
			last = s;
		if (rank > worst_rank) {
			worst_rank = rank;
			worst = s->result;
		}
	}
	if (r->start.q == TQ_NONE)
		r->start = start;
	if (r->end.q == TQ_NONE)
		r->end = end;
	if (!sv_trim(r->result).n) {
		if (last && sv_trim(last->result).n)
			r->result = last->result;
		else if (last)
			r->result = worst;
		else if (rp->incomplete)
			r->result = SV_LIT("in-progress");
	}
}

int
runps_flush(struct runps *rp)
{
	struct ec_run *r = &rp->run;
	int64_t lost = 0, all = 0;
	int rc = 0;

	if (!rp->open)
		return 0;
	for (size_t i = 0; i < r->nsteps; i++) {
		struct ec_run_step *s = &rp->step[i];

		s->result_class = run_result_class(s->result);
		s->step_class = run_step_class(s->step_type, s->step_subtype, r->profile);
		s->error_count = rp->errors_known[i] ? rp->errors_found[i] : -1;
		all += rp->errors_found[i];
		lost += rp->errors_found[i] - (int64_t)s->nerrors;
		if (s->nerrors == 0)
			s->errors = NULL;
		if (s->ncounters == 0)
			s->counters = NULL;
	}
	from_steps(rp);
	r->steps = r->nsteps ? rp->step : NULL;
	r->result_class = run_result_class(r->result);
	if (rp->dropped_steps)
		rc = runps_problemf(rp, r->line, UINT64_MAX, "run at line %" PRIu64 " has more than "
				    "%d steps: %" PRIu64 " dropped", r->line, RUNPS_MAX_STEPS,
				    rp->dropped_steps);
	if (!rc && lost)
		rc = runps_problemf(rp, r->line, UINT64_MAX, "the run at line %" PRIu64 " has %" PRId64
				    " errors: %" PRId64 " of them are not kept", r->line, all, lost);
	if (!rc && rp->pool_cut)
		rc = runps_problemf(rp, r->line, UINT64_MAX, "run at line %" PRIu64 " has more than "
				    "%zu bytes of text to keep: the rest dropped", r->line,
				    (size_t)RUNPS_POOL);
	if (!rc && rp->sink->run)
		rc = rp->sink->run(rp->sink->ctx, r);
	rp->runs++;
	reset(rp);
	return rc;
}

int
runps_begin_run(struct runps *rp, uint64_t line)
{
	int rc = runps_flush(rp);

	reset(rp);
	rp->open = true;
	rp->run.line = line;
	return rc;
}

void
runps_add_step(struct runps *rp)
{
	struct ec_run_step *s;
	size_t i = rp->run.nsteps;

	rp->cur = NULL;
	if (!rp->open)
		return;
	if (i >= RUNPS_MAX_STEPS) {
		rp->dropped_steps++;
		return;
	}
	s = &rp->step[i];
	memset(s, 0, sizeof(*s));
	s->step_number = -1;
	s->start = s->end = no_time;
	s->counters = rp->counter + rp->ncounters;
	s->errors = rp->error + rp->nerrors;
	s->error_count = -1;
	rp->errors_known[i] = false;
	rp->errors_found[i] = 0;
	rp->run.nsteps++;
	rp->cur = s;
}

int
runps_begin_step(struct runps *rp, uint64_t line, struct sv rhid)
{
	int rc = 0;

	rhid = sv_trim(rhid);
	if (!rp->open || !same_id(rp->run.run_history_id, rhid) || (!rhid.n && !rp->from_steps)) {
		rc = runps_flush(rp);
		reset(rp);
		rp->open = rp->from_steps = true;
		rp->run.line = line;
		rp->run.run_history_id = runps_keep(rp, rhid, 0, false);
	}
	runps_add_step(rp);
	return rc;
}

/* ---- properties --------------------------------------------------------- */

static const struct {
	const char *name;
	enum runps_field f;
} fields[] = {
	{ "RunHistoryId", RP_RUN_HISTORY_ID },
	{ "ConnectorId", RP_CONNECTOR_ID },
	{ "ConnectorName", RP_CONNECTOR_NAME },
	{ "RunProfileName", RP_PROFILE },
	{ "RunNumber", RP_RUN_NUMBER },
	{ "Username", RP_USER },
	{ "Result", RP_RESULT },
	{ "StartDate", RP_START },
	{ "EndDate", RP_END },
	{ "RunStepResults", RP_RUN_STEP_RESULTS },
	{ "IsRunComplete", RP_IS_RUN_COMPLETE },
	{ "StepHistoryId", RP_STEP_HISTORY_ID },
	{ "StepNumber", RP_STEP_NUMBER },
	{ "StepResult", RP_STEP_RESULT },
	{ "ConnectorConnectionInformationXml", RP_CONNECTION_XML },
	{ "StepXml", RP_STEP_XML },
	{ "SyncErrors", RP_SYNC_ERRORS },
	{ "ConnectorDiscoveryErrors", RP_DISCOVERY_ERRORS },
	{ "MvRetryErrors", RP_MV_RETRY_ERRORS },
	/* MIIS_RunHistory (WMI) through Select-Object | Export-Csv */
	{ "MaName", RP_CONNECTOR_NAME },
	{ "MaGuid", RP_CONNECTOR_ID },
	{ "RunProfile", RP_PROFILE },
	{ "RunStatus", RP_RESULT },
	{ "RunStartTime", RP_START },
	{ "RunEndTime", RP_END },
};

enum runps_field
runps_field(struct sv name)
{
	static const char *const counter_prefix[] = { "Stage", "Export", "Disconnector",
						      "Connector", "Flow" };

	name = sv_trim(name);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (sv_ieq(name, fields[i].name))
			return fields[i].f;
	}
	for (size_t i = 0; i < sizeof(counter_prefix) / sizeof(counter_prefix[0]); i++) {
		if (sv_istarts(name, counter_prefix[i]) && name.n > strlen(counter_prefix[i]))
			return RP_COUNTER;
	}
	return RP_OTHER;
}

int
runps_time(struct runps *rp, struct sv text, struct ec_time *t, uint64_t line)
{
	const struct ec_options *o = rp->opt;
	bool zoned;
	int rc;

	*t = no_time;
	text = sv_trim(text);
	if (!text.n)
		return 0;
	if (js_date(text, t, &zoned)) {
		t->q = TQ_EXACT;
		return 0;
	}
	*t = no_time;
	if (rp->dates) {
		rp->dates->line = line;
		rc = csv_time(rp->dates, text, t);
		if (t->q == TQ_LOCAL_GIVEN && o) {
			t->ms += (int64_t)o->utc_offset_min * 60000;
			t->q = TQ_EXACT;
		} else if (t->q == TQ_LOCAL_ASSUMED) {
			t->q = TQ_EXACT;
		}
		return rc;
	}
	return runps_problemf(rp, line, UINT64_MAX, "date '%.*s' at line %" PRIu64 " not "
			      "understood: no time", (int)(text.n > 60 ? 60 : text.n), text.p, line);
}

static void
counter(struct runps *rp, struct sv name, struct sv value)
{
	struct ec_kv *kv;
	char num[32];
	int64_t v;

	if (!rp->cur || !csv_int(value, &v) || rp->ncounters >= RUNPS_MAX_COUNTERS)
		return;
	kv = &rp->counter[rp->ncounters++];
	buf_reset(&rp->tmp);
	run_counter_name(sv_trim(name), &rp->tmp);
	kv->name = runps_keep(rp, buf_sv(&rp->tmp), 0, false);
	snprintf(num, sizeof(num), "%" PRId64, v);
	kv->value = runps_keep(rp, sv_cstr(num), 0, false);
	rp->cur->ncounters++;
}

/* ConnectorConnectionInformationXml: "<connection-result>failed-connection
 * </connection-result><server>10.2.3.4:389</server><connection-log>
 * <incident><connection-result>...</connection-result><date>...</date>
 * <server>...</server><cd-error><error-code>0x51</error-code><error-literal>
 * Server Down</error-literal></cd-error></incident></connection-log>": the
 * result and server before the log; each incident that did not succeed (or
 * has a cd-error) is an error of category "connection", its type the
 * incident's connection-result. */
static int
connection(struct runps *rp, struct sv x, uint64_t line)
{
	struct ec_run_step *s = rp->cur;
	struct sv head = x, rest, inc, whole, cd, cdwhole;
	long k = sv_find(x, "<connection-log");
	int rc;

	if (!s)
		return 0;
	if (k >= 0)
		head.n = (size_t)k;
	s->connection_result = runps_keep(rp, xml_text(head, "connection-result"), 256, true);
	s->connection_server = runps_keep(rp, xml_text(head, "server"), 1024, true);
	rest = k >= 0 ? sv_make(x.p + k, x.n - (size_t)k) : SV_NULL;
	while (xml_elem(rest, "incident", &inc, &whole)) {
		struct sv result = sv_trim(xml_text(inc, "connection-result"));
		struct ec_run_error *e;

		rest = sv_make(whole.p + whole.n, (size_t)(rest.p + rest.n - (whole.p + whole.n)));
		/* The log lists the attempts that worked too. */
		if (sv_ieq(result, "success") && !xml_elem(inc, "cd-error", &cd, &cdwhole))
			continue;
		if ((e = runps_error(rp, "connection")) == NULL)
			continue;
		e->error_type = runps_keep(rp, result, 256, true);
		if (xml_elem(inc, "cd-error", &cd, &cdwhole) &&
		    (rc = error_from_xml(rp, e, cd, line)) != 0)
			return rc;
		if ((rc = runps_time(rp, xml_text(inc, "date"), &e->when, line)) != 0)
			return rc;
	}
	return 0;
}

/* StepXml: "<step-description><step-type type="delta-import">
 * <import-subtype>to-cs</import-subtype></step-type>...". */
static void
step_xml(struct runps *rp, struct sv x)
{
	struct sv in, whole, sub;

	if (!rp->cur || !xml_elem(x, "step-type", &in, &whole))
		return;
	rp->cur->step_type = runps_keep(rp, xml_attr(whole, "type"), 128, true);
	sub = xml_text(in, "import-subtype");
	if (!sub.n)
		sub = xml_text(in, "apply-rules-subtype");
	if (!sub.n)
		sub = xml_text(in, "export-subtype");
	rp->cur->step_subtype = runps_keep(rp, sub, 128, true);
}

int
runps_set(struct runps *rp, bool step, struct sv name, struct sv value, uint64_t line)
{
	struct ec_run *r = &rp->run;
	struct ec_run_step *s = rp->cur;
	enum runps_field f = runps_field(name);
	int64_t n;

	if (!rp->open)
		return 0;
	if (!step) {
		switch (f) {
		case RP_RUN_HISTORY_ID:
			r->run_history_id = runps_keep(rp, value, 256, false);
			break;
		case RP_CONNECTOR_ID:
			r->connector_id = runps_keep(rp, value, 256, false);
			break;
		case RP_CONNECTOR_NAME:
			r->connector = runps_keep(rp, value, 1024, false);
			break;
		case RP_PROFILE:
			r->profile = runps_keep(rp, value, 1024, false);
			break;
		case RP_RUN_NUMBER:
			if (csv_int(value, &n))
				r->run_number = n;
			break;
		case RP_USER:
			r->user = runps_keep(rp, value, 1024, false);
			break;
		case RP_RESULT:
			r->result = runps_keep(rp, value, 256, false);
			break;
		case RP_START:
			return runps_time(rp, value, &r->start, line);
		case RP_END:
			return runps_time(rp, value, &r->end, line);
		case RP_IS_RUN_COMPLETE:
			rp->incomplete = sv_ieq(sv_trim(value), "false");
			break;
		default:
			break;
		}
		return 0;
	}
	if (!s)
		return 0;
	switch (f) {
	case RP_STEP_NUMBER:
		if (csv_int(value, &n))
			s->step_number = n;
		break;
	case RP_STEP_RESULT:
		s->result = runps_keep(rp, value, 256, false);
		break;
	case RP_START:
		return runps_time(rp, value, &s->start, line);
	case RP_END:
		return runps_time(rp, value, &s->end, line);
	case RP_CONNECTION_XML:
		return connection(rp, value, line);
	case RP_STEP_XML:
		step_xml(rp, value);
		break;
	case RP_COUNTER:
		counter(rp, name, value);
		break;
	case RP_SYNC_ERRORS:
	case RP_DISCOVERY_ERRORS:
	case RP_MV_RETRY_ERRORS:
		/* Text only when someone expanded the *Xml string into it. */
		value = sv_trim(value);
		if (value.n && value.p[0] == '<')
			runps_errors_xml(rp, f == RP_SYNC_ERRORS ? "sync" :
					 f == RP_DISCOVERY_ERRORS ? "discovery" : "mv-retry", value);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- errors ------------------------------------------------------------- */

void
runps_errors_known(struct runps *rp)
{
	if (rp->cur)
		rp->errors_known[rp->cur - rp->step] = true;
}

struct ec_run_error *
runps_error(struct runps *rp, const char *category)
{
	struct ec_run_error *e;

	if (!rp->cur)
		return NULL;
	rp->errors_found[rp->cur - rp->step]++;
	if (rp->nerrors >= RUNPS_MAX_ERRORS)
		return NULL;
	e = &rp->error[rp->nerrors++];
	memset(e, 0, sizeof(*e));
	e->category = sv_cstr(category);
	e->when = no_time;
	rp->cur->nerrors++;
	return e;
}

void
runps_errors_xml(struct runps *rp, const char *category, struct sv x)
{
	const char *p, *end;

	if (!rp->cur)
		return;
	runps_errors_known(rp);
	x = sv_trim(x);
	p = x.p;
	end = x.p + x.n;
	/* The root element, after any declaration or comment. */
	while (p && p < end) {
		p = memchr(p, '<', (size_t)(end - p));
		if (!p || p + 1 >= end)
			return;
		if (p[1] != '?' && p[1] != '!')
			break;
		p++;
	}
	if (!p || p >= end)
		return;
	p = memchr(p, '>', (size_t)(end - p));
	if (!p || p[-1] == '/')
		return;
	/* Each child element is an error. */
	for (p++; p < end;) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		struct sv el, name, in, whole;
		struct ec_run_error *e;

		if (!lt || lt + 1 >= end || lt[1] == '/')
			return;
		if (lt[1] == '!' || lt[1] == '?') {
			p = lt + 2;
			continue;
		}
		el = sv_make(lt, (size_t)(end - lt));
		name = xml_name(el);
		if (!name.n || name.n > 60)
			return;
		{
			char tag[64];

			memcpy(tag, name.p, name.n);
			tag[name.n] = '\0';
			if (!xml_elem(el, tag, &in, &whole))
				return;
		}
		p = whole.p + whole.n;
		e = runps_error(rp, sv_istarts(name, "export") ? "export" : category);
		if (e)
			error_from_xml(rp, e, whole, rp->run.line);
	}
}

bool
runps_type_name(struct sv v)
{
	v = sv_trim(v);
	if (v.n >= 2 && v.p[0] == '{' && v.p[v.n - 1] == '}')
		return true;
	if (!sv_starts(v, "Microsoft.") && !sv_starts(v, "System."))
		return false;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] == ' ' && !(i > 0 && v.p[i - 1] == ','))
			return false;
	}
	return true;
}

/* ==== ConvertTo-Json ===================================================== */

struct runjson_state {
	struct jsonstream js;
	struct runps rp;
	bool told_steps;	/* RunStepResults was a type name */
	bool told_errors;	/* a step's errors object was a type name */
};

/* A date member: a string, or a DateTime with note properties
 * {"value": ..., "DateTime": ...}. */
static struct sv
date_text(const cJSON *v)
{
	if (cJSON_IsObject(v))
		v = js_get(v, "value");
	return v && cJSON_IsString(v) && v->valuestring ? sv_cstr(v->valuestring) : SV_NULL;
}

static int
depth_steps(struct runjson_state *st, uint64_t line, uint64_t offset)
{
	if (st->told_steps)
		return 0;
	st->told_steps = true;
	return js_problemf(&st->js, line, offset, "-Depth too small: steps not in the export "
			   "(RunStepResults of the run at line %" PRIu64 " is a type name)", line);
}

static int
depth_errors(struct runjson_state *st, uint64_t line, uint64_t offset)
{
	if (st->told_errors)
		return 0;
	st->told_errors = true;
	return js_problemf(&st->js, line, offset, "-Depth too small: step errors not in the "
			   "export (an errors object of the step at line %" PRIu64 " is a type "
			   "name)", line);
}

/* One element of SyncErrorsList (RunStepErrorObject): ObjectDn, ErrorType,
 * DateOccurred, CdError (a string, XML or not, or an object), and
 * ExtensionErrorInfo. */
static int
error_object(struct runjson_state *st, const cJSON *o, const char *category, uint64_t line)
{
	struct runps *rp = &st->rp;
	struct ec_run_error *e = runps_error(rp, category);
	cJSON *cd, *ext;
	struct sv v;

	if (!e)
		return 0;
	e->dn = runps_keep(rp, js_get_str(o, "ObjectDn"), RUNPS_TEXT_MAX, false);
	e->error_type = runps_keep(rp, js_get_str(o, "ErrorType"), RUNPS_TEXT_MAX, false);
	if ((cd = js_get(o, "CdError")) != NULL) {
		if (cJSON_IsString(cd) && cd->valuestring) {
			v = sv_trim(sv_cstr(cd->valuestring));
			if (v.n && v.p[0] == '<')
				error_from_xml(rp, e, v, line);
			else
				e->detail = runps_keep(rp, v, RUNPS_TEXT_MAX, false);
		} else if (cJSON_IsObject(cd)) {
			e->code = runps_keep(rp, js_get_str(cd, "ErrorCode"), 64, false);
			e->detail = runps_keep(rp, js_get_str(cd, "ErrorLiteral"), RUNPS_TEXT_MAX,
					       false);
		}
	}
	if (!e->detail.n && (ext = js_get(o, "ExtensionErrorInfo")) != NULL && cJSON_IsString(ext) &&
	    ext->valuestring) {
		v = sv_trim(sv_cstr(ext->valuestring));
		if (v.n && v.p[0] == '<')
			v = xml_text(v, "call-stack");
		e->detail = runps_keep(rp, v, RUNPS_TEXT_MAX, true);
	}
	return runps_time(rp, date_text(js_get(o, "DateOccurred")), &e->when, line);
}

/* SyncErrors, ConnectorDiscoveryErrors or MvRetryErrors of the current step:
 * {"SyncErrorsXml": "<synchronization-errors>...", "SyncErrorsList": [...]}:
 * the XML when there is one, else the list. */
static int
errors_object(struct runjson_state *st, const cJSON *v, enum runps_field f,
	      const struct js_element *el)
{
	const char *category = f == RP_SYNC_ERRORS ? "sync" :
			       f == RP_DISCOVERY_ERRORS ? "discovery" : "mv-retry";
	struct runps *rp = &st->rp;
	char name[64];
	struct sv xml;
	cJSON *list, *x;
	int rc;

	if (!rp->cur)
		return 0;
	if (cJSON_IsNull(v)) {
		runps_errors_known(rp);
		return 0;
	}
	if (cJSON_IsString(v))
		return runps_type_name(sv_cstr(v->valuestring)) ? depth_errors(st, el->line, el->offset)
								 : 0;
	if (!cJSON_IsObject(v))
		return 0;
	runps_errors_known(rp);
	snprintf(name, sizeof(name), "%sXml", v->string);
	xml = sv_trim(js_get_str(v, name));
	if (xml.n) {
		runps_errors_xml(rp, category, xml);
		return 0;
	}
	snprintf(name, sizeof(name), "%sList", v->string);
	list = js_get(v, name);
	if (cJSON_IsString(list))
		return depth_errors(st, el->line, el->offset);
	if (!cJSON_IsArray(list))
		return 0;
	cJSON_ArrayForEach(x, list) {
		if (cJSON_IsString(x)) {
			if ((rc = depth_errors(st, el->line, el->offset)) != 0)
				return rc;
		} else if (cJSON_IsObject(x) && (rc = error_object(st, x, category, el->line)) != 0) {
			return rc;
		}
	}
	return 0;
}

static int members(struct runjson_state *st, const cJSON *o, bool step,
		   const struct js_element *el);

/* RunStepResults: null, step objects, or type names (-Depth too small). */
static int
run_steps(struct runjson_state *st, const cJSON *v, const struct js_element *el)
{
	const cJSON *x;
	int rc;

	if (cJSON_IsString(v))
		return runps_type_name(sv_cstr(v->valuestring)) ? depth_steps(st, el->line, el->offset)
								 : 0;
	if (!cJSON_IsArray(v))
		return 0;
	cJSON_ArrayForEach(x, v) {
		if (cJSON_IsString(x)) {
			if ((rc = depth_steps(st, el->line, el->offset)) != 0)
				return rc;
		} else if (cJSON_IsObject(x)) {
			runps_add_step(&st->rp);
			if ((rc = members(st, x, true, el)) != 0)
				return rc;
		}
	}
	return 0;
}

/* The members of a run (step false) or step object. */
static int
members(struct runjson_state *st, const cJSON *o, bool step, const struct js_element *el)
{
	const cJSON *m;
	char num[32];
	int rc;

	cJSON_ArrayForEach(m, o) {
		struct sv name = sv_cstr(m->string), text;
		enum runps_field f = runps_field(name);

		switch (f) {
		case RP_RUN_STEP_RESULTS:
			rc = step ? 0 : run_steps(st, m, el);
			break;
		case RP_SYNC_ERRORS:
		case RP_DISCOVERY_ERRORS:
		case RP_MV_RETRY_ERRORS:
			rc = step ? errors_object(st, m, f, el) : 0;
			break;
		case RP_START:
		case RP_END:
			rc = runps_set(&st->rp, step, name, date_text(m), el->line);
			break;
		default:
			rc = js_scalar_text(m, num, &text) ?
			     runps_set(&st->rp, step, name, text, el->line) : 0;
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static bool
has(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItem(o, name) != NULL;
}

static int
element(void *ctx, const struct js_element *el)
{
	struct runjson_state *st = ctx;
	const cJSON *o = el->json;
	int rc;

	if (has(o, "RunProfileName") || has(o, "ConnectorName") || has(o, "Result") ||
	    has(o, "RunNumber") || has(o, "RunStepResults")) {
		if ((rc = runps_begin_run(&st->rp, el->line)) != 0)
			return rc;
		return members(st, o, false, el);
	}
	if (has(o, "StepNumber") || has(o, "StepResult") || has(o, "StepHistoryId")) {
		if ((rc = runps_begin_step(&st->rp, el->line, js_get_str(o, "RunHistoryId"))) != 0)
			return rc;
		return members(st, o, true, el);
	}
	return js_problemf(&st->js, el->line, el->offset, "object at line %" PRIu64 " is neither "
			   "a run (RunProfileName, Result ...) nor a run step (StepNumber, "
			   "StepResult ...): skipped", el->line);
}

static int
runjson_parse(const struct ec_input *inp)
{
	struct runjson_state *st = xcalloc(1, sizeof(*st));
	int r, rc;

	js_init(&st->js, inp);
	runps_init(&st->rp, inp, &st->js.problems, NULL);
	r = js_read(&st->js, element, st);
	/* The last run, unless a sink stopped the read. */
	if ((r == 0 || (r == -1 && st->js.failed)) && (rc = runps_flush(&st->rp)) != 0)
		r = rc;
	rc = js_finish(&st->js, r);
	runps_release(&st->rp);
	js_release(&st->js);
	free(st);
	return rc;
}

static int
runjson_sniff(const struct ec_sniff *s)
{
	struct sv t;

	if (!js_sniff_head(s, &t))
		return 0;
	if (js_has_key(t, "ProviderName") || js_has_key(t, "LogName"))
		return 0;
	return js_has_key(t, "RunHistoryId") || js_has_key(t, "RunProfileName") ? 90 : 0;
}

const struct ec_format fmt_runjson = {
	.name = "runjson",
	.title = "Get-ADSyncRunProfileResult or Get-ADSyncRunStepResult | ConvertTo-Json",
	.identifies = "a JSON array or object with RunHistoryId or RunProfileName (and no "
		      "ProviderName or LogName) in its first 4 KiB",
	.binary = false,
	.sniff = runjson_sniff,
	.parse = runjson_parse,
};
