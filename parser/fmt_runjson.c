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
#include "parser/runbuild.h"
#include "parser/runps.h"
#include "parser/textutil.h"

/* ==== the PowerShell run objects (runps.h) =============================== */

static const struct ec_time no_time = { 0, -1, TQ_NONE };

void
runps_init(struct runps *rp, const struct ec_input *inp, uint64_t *problems,
	   struct csvread *dates)
{
	memset(rp, 0, sizeof(*rp));
	rb_init(&rp->b, inp->sink, problems, RB_PS);
	rp->opt = inp->opt;
	rp->dates = dates;
	buf_init(&rp->tmp, RUNPS_TMP);
	buf_init(&rp->join, 2 * RUNPS_TEXT_MAX + 1);
}

void
runps_release(struct runps *rp)
{
	rb_release(&rp->b);
	buf_release(&rp->tmp);
	buf_release(&rp->join);
}

/* ---- text --------------------------------------------------------------- */

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

void
runps_keep(struct runps *rp, enum rb_field f, struct sv v, size_t max, bool xml)
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
	rb_set(&rp->b, f, v);
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

/* Fill the error last added from an error element (or a cd-error fragment,
 * or an incident): what it has. The detail is the error literal, a line break and the
 * server's detail; or the one of them there is; or the call stack of an
 * extension error, as the run-history XML reader has it. */
static int
error_from_xml(struct runps *rp, struct sv x, uint64_t line)
{
	struct ec_time when;
	struct sv v, lit, sed;
	int rc;

	v = xml_attr(x, "dn");
	if (!v.n)
		v = xml_text(x, "dn");
	if (v.n)
		runps_keep(rp, RB_ERROR_DN, v, RUNPS_TEXT_MAX, true);
	if ((v = xml_text(x, "error-type")).n)
		runps_keep(rp, RB_ERROR_TYPE, v, RUNPS_TEXT_MAX, true);
	if ((v = xml_text(x, "error-code")).n)
		runps_keep(rp, RB_ERROR_CODE, v, 64, true);
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
		runps_keep(rp, RB_ERROR_DETAIL, buf_sv(&rp->join), 2 * RUNPS_TEXT_MAX, true);
	v = xml_text(x, "date-occurred");
	if (!v.n)
		v = xml_text(x, "date");
	if (!v.n)
		return 0;
	rc = runps_time(rp, v, &when, line);
	rb_time(&rp->b, RB_ERROR_WHEN, when);
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
	return rb_problemf(&rp->b, line, UINT64_MAX, "date '%.*s' at line %" PRIu64 " not "
			   "understood: no time", (int)(text.n > 60 ? 60 : text.n), text.p, line);
}

static int
counter(struct runps *rp, struct sv name, struct sv value, uint64_t line)
{
	int64_t v;

	if (!csv_int(value, &v))
		return 0;
	return rb_counter(&rp->b, name, v, line, UINT64_MAX);
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
	struct sv head = x, rest, inc, whole, cd, cdwhole;
	long k = sv_find(x, "<connection-log");
	struct ec_time when;
	int rc;

	if (!rb_in_step(&rp->b))
		return 0;
	if (k >= 0)
		head.n = (size_t)k;
	runps_keep(rp, RB_CONNECTION_RESULT, xml_text(head, "connection-result"), 256, true);
	runps_keep(rp, RB_CONNECTION_SERVER, xml_text(head, "server"), 1024, true);
	rest = k >= 0 ? sv_make(x.p + k, x.n - (size_t)k) : SV_NULL;
	while (xml_elem(rest, "incident", &inc, &whole)) {
		struct sv result = sv_trim(xml_text(inc, "connection-result"));

		rest = sv_make(whole.p + whole.n, (size_t)(rest.p + rest.n - (whole.p + whole.n)));
		/* The log lists the attempts that worked too. */
		if (sv_ieq(result, "success") && !xml_elem(inc, "cd-error", &cd, &cdwhole))
			continue;
		if (!rb_error(&rp->b, "connection"))
			continue;
		runps_keep(rp, RB_ERROR_TYPE, result, 256, true);
		if (xml_elem(inc, "cd-error", &cd, &cdwhole) &&
		    (rc = error_from_xml(rp, cd, line)) != 0)
			return rc;
		rc = runps_time(rp, xml_text(inc, "date"), &when, line);
		rb_time(&rp->b, RB_ERROR_WHEN, when);
		if (rc)
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

	if (!rb_in_step(&rp->b) || !xml_elem(x, "step-type", &in, &whole))
		return;
	runps_keep(rp, RB_STEP_TYPE, xml_attr(whole, "type"), 128, true);
	sub = xml_text(in, "import-subtype");
	if (!sub.n)
		sub = xml_text(in, "apply-rules-subtype");
	if (!sub.n)
		sub = xml_text(in, "export-subtype");
	runps_keep(rp, RB_STEP_SUBTYPE, sub, 128, true);
}

int
runps_set(struct runps *rp, bool step, struct sv name, struct sv value, uint64_t line)
{
	struct runbuild *b = &rp->b;
	enum runps_field f = runps_field(name);
	struct ec_time t;
	int64_t n;
	int rc;

	if (!b->open || (step && !rb_in_step(b)))
		return 0;
	if (!step) {
		switch (f) {
		case RP_RUN_HISTORY_ID:
			runps_keep(rp, RB_RUN_HISTORY_ID, value, 256, false);
			break;
		case RP_CONNECTOR_ID:
			runps_keep(rp, RB_CONNECTOR_ID, value, 256, false);
			break;
		case RP_CONNECTOR_NAME:
			runps_keep(rp, RB_CONNECTOR, value, 1024, false);
			break;
		case RP_PROFILE:
			runps_keep(rp, RB_PROFILE, value, 1024, false);
			break;
		case RP_RUN_NUMBER:
			if (csv_int(value, &n))
				rb_run_number(b, n);
			break;
		case RP_USER:
			runps_keep(rp, RB_USER, value, 1024, false);
			break;
		case RP_RESULT:
			runps_keep(rp, RB_RESULT, value, 256, false);
			break;
		case RP_START:
		case RP_END:
			rc = runps_time(rp, value, &t, line);
			rb_time(b, f == RP_START ? RB_RUN_START : RB_RUN_END, t);
			return rc;
		case RP_IS_RUN_COMPLETE:
			rb_incomplete(b, sv_ieq(sv_trim(value), "false"));
			break;
		default:
			break;
		}
		return 0;
	}
	switch (f) {
	case RP_STEP_NUMBER:
		if (csv_int(value, &n))
			rb_step_number(b, n);
		break;
	case RP_STEP_RESULT:
		runps_keep(rp, RB_STEP_RESULT, value, 256, false);
		break;
	case RP_START:
	case RP_END:
		rc = runps_time(rp, value, &t, line);
		rb_time(b, f == RP_START ? RB_STEP_START : RB_STEP_END, t);
		return rc;
	case RP_CONNECTION_XML:
		return connection(rp, value, line);
	case RP_STEP_XML:
		step_xml(rp, value);
		break;
	case RP_COUNTER:
		return counter(rp, name, value, line);
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
runps_errors_xml(struct runps *rp, const char *category, struct sv x)
{
	const char *p, *end;

	if (!rb_in_step(&rp->b))
		return;
	rb_errors_known(&rp->b);
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
		if (rb_error(&rp->b, sv_istarts(name, "export") ? "export" : category))
			error_from_xml(rp, whole, rp->b.line);
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
	struct ec_time when;
	cJSON *cd, *ext;
	struct sv v;
	int rc;

	if (!rb_error(&rp->b, category))
		return 0;
	runps_keep(rp, RB_ERROR_DN, js_get_str(o, "ObjectDn"), RUNPS_TEXT_MAX, false);
	runps_keep(rp, RB_ERROR_TYPE, js_get_str(o, "ErrorType"), RUNPS_TEXT_MAX, false);
	if ((cd = js_get(o, "CdError")) != NULL) {
		if (cJSON_IsString(cd) && cd->valuestring) {
			v = sv_trim(sv_cstr(cd->valuestring));
			if (v.n && v.p[0] == '<')
				error_from_xml(rp, v, line);
			else
				runps_keep(rp, RB_ERROR_DETAIL, v, RUNPS_TEXT_MAX, false);
		} else if (cJSON_IsObject(cd)) {
			runps_keep(rp, RB_ERROR_CODE, js_get_str(cd, "ErrorCode"), 64, false);
			runps_keep(rp, RB_ERROR_DETAIL, js_get_str(cd, "ErrorLiteral"), RUNPS_TEXT_MAX,
				   false);
		}
	}
	if (!rb_get(&rp->b, RB_ERROR_DETAIL).n && (ext = js_get(o, "ExtensionErrorInfo")) != NULL &&
	    cJSON_IsString(ext) && ext->valuestring) {
		v = sv_trim(sv_cstr(ext->valuestring));
		if (v.n && v.p[0] == '<')
			v = xml_text(v, "call-stack");
		runps_keep(rp, RB_ERROR_DETAIL, v, RUNPS_TEXT_MAX, true);
	}
	rc = runps_time(rp, date_text(js_get(o, "DateOccurred")), &when, line);
	rb_time(&rp->b, RB_ERROR_WHEN, when);
	return rc;
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

	if (!rb_in_step(&rp->b))
		return 0;
	if (cJSON_IsNull(v)) {
		rb_errors_known(&rp->b);
		return 0;
	}
	if (cJSON_IsString(v))
		return runps_type_name(sv_cstr(v->valuestring)) ? depth_errors(st, el->line, el->offset)
								 : 0;
	if (!cJSON_IsObject(v))
		return 0;
	rb_errors_known(&rp->b);
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
			rb_step_begin(&st->rp.b, el->line);
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
		if ((rc = rb_run_begin(&st->rp.b, el->line, UINT64_MAX)) != 0)
			return rc;
		return members(st, o, false, el);
	}
	if (has(o, "StepNumber") || has(o, "StepResult") || has(o, "StepHistoryId")) {
		if ((rc = rb_step_object(&st->rp.b, el->line, js_get_str(o, "RunHistoryId"))) != 0)
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
	if ((r == 0 || (r == -1 && st->js.failed)) && (rc = rb_run_end(&st->rp.b)) != 0)
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
