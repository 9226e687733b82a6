/* SPDX-License-Identifier: MIT */
/* fmt_adsyncsettings.c - the sync engine's global settings as PowerShell
 * prints them: Get-ADSyncGlobalSettings and Get-ADSyncGlobalSettingsParameter
 * output saved to a file. Forms (docs/FORMATS.md, "Global settings"):
 *
 *   keyed Format-List, one line per parameter (the Laparoscope sample,
 *   $settings.Parameters of a PSCustomObject keyed by name):
 *     Microsoft.Synchronize.ServerConfigurationVersion       : 2.0.25.1
 *   Format-List of the parameter objects (Select -ExpandProperty Parameters,
 *   Get-ADSyncGlobalSettingsParameter), blocks separated by blank lines:
 *     Name                   : Microsoft.Synchronize.StagingMode
 *     InputType              : String
 *     ...
 *     Value                  : False
 *   a table (select Name, Value / Format-Table Name, Value, DataType), with or
 *   without its header; rows have no colon:
 *     Name                                                   Value
 *     ----                                                   -----
 *     Microsoft.Synchronize.StagingMode                      False
 *   Format-List of the settings object itself:
 *     SqlSchemaVersion : 616
 *     Version          : 22102
 *     InstanceId       : ecf3f9c3-16da-4c7e-82f2-2d2ce4c105a5
 *   ConvertTo-Json of the settings object, of its Parameters, or of one
 *   parameter (read whole, at most 16 MiB, with cJSON).
 *
 * Every parameter gives one event (provider "Get-ADSyncGlobalSettings",
 * message "Name = Value", the pair as its data item) and facts on it
 * (docs/FACTS.md). Format-List wraps a long value onto lines indented to the
 * value's column: those lines are joined to it. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/xalloc.h"
#include "parser/configexport.h"
#include "parser/parser.h"
#include "parser/textutil.h"

#define FIELD_MAX 65536				/* a parameter's name or value */
#define JSON_MAX ((size_t)16 << 20)		/* a JSON file read whole */
#define SNIFF_SPAN 4096				/* bytes the sniffer reads */
#define PROVIDER "Get-ADSyncGlobalSettings"

/* A parameter or property being read (its value may continue on the next
 * lines). */
struct pending {
	bool open;
	bool prop;		/* a property of the settings object, not a parameter */
	struct buf name, value;
	uint64_t line, offset;
	size_t col;		/* column where the value starts (continuation lines) */
};

struct st {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;
	struct pending pend;

	/* a Format-List block of a parameter object ("Name : ..." ... "Value : ...") */
	bool blk, blk_value;
	struct buf blk_name, blk_val;
	uint64_t blk_line, blk_offset;
	size_t blk_col;
	bool blk_in_value;	/* the last label line was Value: continuation goes there */

	/* a table */
	bool hdr;		/* "Name  Value" header seen, dashes expected */
	bool table;		/* rows follow */
	size_t t_indent, t_value, t_third;	/* columns; t_third 0 without a third column */

	uint64_t params, problems;
	bool json_failed;	/* a JSON problem already said that nothing was read */
};

/* ---- helpers ---------------------------------------------------------------- */

static size_t
indent_of(struct sv l)
{
	size_t i = 0;

	while (i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	return i;
}

static bool
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_';
}

/* A parameter name: "Microsoft.<A>.<B>" (letters, digits, dots, '_'). */
static bool
param_name(struct sv v)
{
	size_t dots = 0;

	if (!sv_starts(v, "Microsoft.") || v.n < 12)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		if (!name_char(v.p[i]))
			return false;
		dots += v.p[i] == '.';
	}
	return dots >= 2 && v.p[v.n - 1] != '.';
}

/* "<label> <spaces>: <value>": label starts with a letter and has only
 * letters, digits, '.', '_'. Sets label, value (trimmed) and the column of
 * the value (from the line start). */
static bool
label_line(struct sv l, struct sv *label, struct sv *value, size_t *col)
{
	size_t i = indent_of(l), s = i, j;

	if (i >= l.n || !isalpha((unsigned char)l.p[i]))
		return false;
	while (i < l.n && name_char(l.p[i]))
		i++;
	j = i;
	while (j < l.n && (l.p[j] == ' ' || l.p[j] == '\t'))
		j++;
	if (j >= l.n || l.p[j] != ':' || (j + 1 < l.n && l.p[j + 1] != ' ' && l.p[j + 1] != '\t'))
		return false;
	*label = sv_make(l.p + s, i - s);
	j++;
	if (j < l.n && (l.p[j] == ' ' || l.p[j] == '\t'))
		j++;
	*col = j;
	*value = sv_trim(sv_make(l.p + j, l.n - j));
	return true;
}

static bool
all_digits(struct sv v)
{
	if (!v.n)
		return false;
	for (size_t i = 0; i < v.n; i++)
		if (!isdigit((unsigned char)v.p[i]))
			return false;
	return true;
}

static bool
guid_like(struct sv v)
{
	if (v.n >= 2 && v.p[0] == '{' && v.p[v.n - 1] == '}')
		v = sv_make(v.p + 1, v.n - 2);
	if (v.n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? v.p[i] != '-' : !isxdigit((unsigned char)v.p[i]))
			return false;
	}
	return true;
}

/* ---- what a parameter gives ---------------------------------------------------- */

static const struct {
	const char *param;
	const char *fact;
} known[] = {
	{ "Microsoft.Synchronize.ServerConfigurationVersion", "settings.server_configuration_version" },
	{ "Microsoft.Synchronize.StagingMode", "settings.staging_mode" },
	{ "Microsoft.Synchronize.SchedulerSuspended", "settings.scheduler_suspended" },
	{ "Microsoft.OptionalFeature.AutoUpgradeState", "settings.autoupgrade_state" },
	{ "Microsoft.OptionalFeature.AutoUpgradeSuspensionReason", "settings.autoupgrade_suspension_reason" },
	{ "Microsoft.Synchronize.TimeInterval", "settings.sync_interval" },
	{ "Microsoft.Synchronize.RunHistoryPurgeInterval", "settings.run_history_purge_interval" },
};

static const struct {
	const char *prop;
	const char *fact;
} props[] = {
	{ "SqlSchemaVersion", "settings.sql_schema_version" },
	{ "Version", "settings.version" },
	{ "InstanceId", "settings.instance_id" },
};

/* One parameter (or settings property): its event, then its facts. */
static int
emit(struct st *st, bool prop, struct sv name, struct sv value, uint64_t line, uint64_t offset)
{
	struct ec_event ev;
	struct ec_kv kv;
	struct buf msg;
	int rc = 0;

	value = sv_trim(value);
	buf_init(&msg, 2 * FIELD_MAX + 8);
	buf_addsv(&msg, name);
	buf_adds(&msg, " = ");
	buf_addsv(&msg, value);
	memset(&ev, 0, sizeof(ev));
	ev.line = line;
	ev.offset = offset;
	ev.tod_ms = -1;
	ev.timeq = TQ_NONE;
	ev.level = LVL_INFO;
	ev.provider = sv_cstr(PROVIDER);
	ev.event_id = -1;
	ev.message = buf_sv(&msg);
	kv.name = name;
	kv.value = value;
	ev.data = &kv;
	ev.ndata = 1;
	if (st->sink->event)
		rc = st->sink->event(st->sink->ctx, &ev);
	if (!rc && prop) {
		for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
			if (sv_ieq(name, props[i].prop)) {
				rc = ec_fact_report(st->sink, props[i].fact, SV_NULL, value, true);
				break;
			}
	} else if (!rc) {
		st->params++;
		rc = ec_fact_report(st->sink, "settings.parameter", name, value, true);
		for (size_t i = 0; !rc && i < sizeof(known) / sizeof(known[0]); i++)
			if (sv_ieq(name, known[i].param) && value.n)
				rc = ec_fact_report(st->sink, known[i].fact, SV_NULL, value, true);
	}
	buf_release(&msg);
	return rc;
}

static int
flush_pending(struct st *st)
{
	struct pending *p = &st->pend;

	if (!p->open)
		return 0;
	p->open = false;
	return emit(st, p->prop, buf_sv(&p->name), buf_sv(&p->value), p->line, p->offset);
}

static void
open_pending(struct st *st, bool prop, struct sv name, struct sv value, size_t col)
{
	struct pending *p = &st->pend;

	p->open = true;
	p->prop = prop;
	buf_reset(&p->name);
	buf_reset(&p->value);
	buf_addsv(&p->name, name);
	buf_addsv(&p->value, value);
	p->line = st->lr.lineno;
	p->offset = st->lr.offset;
	p->col = col;
}

static int
flush_block(struct st *st)
{
	int rc = 0;

	if (st->blk && st->blk_value && st->blk_name.len)
		rc = emit(st, false, buf_sv(&st->blk_name), buf_sv(&st->blk_val), st->blk_line,
			  st->blk_offset);
	st->blk = st->blk_value = st->blk_in_value = false;
	return rc;
}

/* A line indented to the value column of what is open: Format-List wrapped
 * the value there. */
static bool
continuation(struct st *st, struct sv l)
{
	size_t ind = indent_of(l);
	struct sv rest = sv_trim(l);

	if (!rest.n)
		return false;
	if (st->pend.open && st->pend.value.len && ind == st->pend.col) {
		buf_addsv(&st->pend.value, rest);
		return true;
	}
	if (st->blk && st->blk_in_value && st->blk_val.len && ind == st->blk_col) {
		buf_addsv(&st->blk_val, rest);
		return true;
	}
	return false;
}

/* "Name  Value [DataType ...]" */
static bool
table_header(struct sv l)
{
	struct sv t = sv_trim(l);

	if (!sv_starts(t, "Name") || t.n < 5 || (t.p[4] != ' ' && t.p[4] != '\t'))
		return false;
	t = sv_trim(sv_make(t.p + 4, t.n - 4));
	return sv_starts(t, "Value") && (t.n == 5 || t.p[5] == ' ' || t.p[5] == '\t');
}

static bool
dashes(struct sv l)
{
	bool any = false;

	for (size_t i = 0; i < l.n; i++) {
		if (l.p[i] == '-')
			any = true;
		else if (l.p[i] != ' ' && l.p[i] != '\t')
			return false;
	}
	return any;
}

/* Columns from the dash line: name, value, and a third column if any. */
static void
table_columns(struct st *st, struct sv l)
{
	size_t i = 0, run = 0;
	size_t cols[3] = { 0, 0, 0 };

	while (i < l.n && run < 3) {
		while (i < l.n && l.p[i] != '-')
			i++;
		if (i >= l.n)
			break;
		cols[run++] = i;
		while (i < l.n && l.p[i] == '-')
			i++;
	}
	st->t_indent = cols[0];
	st->t_value = run >= 2 ? cols[1] : 0;
	st->t_third = run >= 3 ? cols[2] : 0;
}

/* A table row: "Microsoft.X.Y   value" (no colon after the name). */
static int
table_row(struct st *st, struct sv l, bool *taken)
{
	size_t ind = indent_of(l), e = ind;
	struct sv name, value;

	*taken = false;
	while (e < l.n && name_char(l.p[e]))
		e++;
	name = sv_make(l.p + ind, e - ind);
	if (!param_name(name) || (e < l.n && l.p[e] != ' ' && l.p[e] != '\t'))
		return 0;
	if (st->table && st->t_value > e) {
		size_t vs = st->t_value, ve = l.n;

		if (vs > l.n)
			vs = l.n;
		if (st->t_third && st->t_third < l.n && st->t_third > vs)
			ve = st->t_third;
		value = sv_trim(sv_make(l.p + vs, ve - vs));
	} else {
		value = sv_trim(sv_make(l.p + e, l.n - e));
		/* A name alone is an empty value only in a table. */
		if (!value.n && !st->table)
			return 0;
	}
	*taken = true;
	return emit(st, false, name, value, st->lr.lineno, st->lr.offset);
}

static int
text_line(struct st *st, struct sv l)
{
	struct sv label, value;
	size_t col;
	bool taken;
	int rc;

	if (text_blank(l)) {
		if ((rc = flush_pending(st)) != 0 || (rc = flush_block(st)) != 0)
			return rc;
		return 0;
	}
	if (continuation(st, l))
		return 0;
	if ((rc = flush_pending(st)) != 0)
		return rc;
	if (label_line(l, &label, &value, &col)) {
		if (param_name(label)) {
			if ((rc = flush_block(st)) != 0)
				return rc;
			st->table = false;
			open_pending(st, false, label, value, col);
			return 0;
		}
		if (sv_ieq(label, "Name")) {
			if ((rc = flush_block(st)) != 0)
				return rc;
			st->table = false;
			if (value.n && memchr(value.p, ' ', value.n) == NULL) {
				st->blk = true;
				buf_reset(&st->blk_name);
				buf_reset(&st->blk_val);
				buf_addsv(&st->blk_name, value);
				st->blk_line = st->lr.lineno;
				st->blk_offset = st->lr.offset;
			}
			return 0;
		}
		if (st->blk && sv_ieq(label, "Value")) {
			buf_reset(&st->blk_val);
			buf_addsv(&st->blk_val, value);
			st->blk_value = true;
			st->blk_in_value = true;
			st->blk_col = col;
			return 0;
		}
		st->blk_in_value = false;
		for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
			if (!sv_ieq(label, props[i].prop))
				continue;
			if (i == 2 ? guid_like(value) : all_digits(value))
				open_pending(st, true, label, value, col);
			break;
		}
		return 0;
	}
	if ((rc = flush_block(st)) != 0)
		return rc;
	if (table_header(l)) {
		st->hdr = true;
		st->table = false;
		return 0;
	}
	if (st->hdr && dashes(l)) {
		table_columns(st, l);
		st->hdr = false;
		st->table = true;
		return 0;
	}
	st->hdr = false;
	if ((rc = table_row(st, l, &taken)) != 0)
		return rc;
	if (!taken)
		st->table = false;
	return 0;
}

/* ---- JSON --------------------------------------------------------------------- */

static void
json_scalar(const cJSON *v, struct buf *out)
{
	buf_reset(out);
	if (cJSON_IsString(v) && v->valuestring)
		buf_adds(out, v->valuestring);
	else if (cJSON_IsBool(v))
		buf_adds(out, cJSON_IsTrue(v) ? "True" : "False");
	else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d >= -9e15 && d <= 9e15 && d == (double)(int64_t)d)
			buf_add_i64(out, (int64_t)d);
		else
			buf_addf(out, "%.17g", d);
	}
}

static const cJSON *
iget(const cJSON *o, const char *key)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, o)
		if (c->string && strcasecmp(c->string, key) == 0)
			return c;
	return NULL;
}

struct jctx {
	struct st *st;
	const struct cx_text *t;
	size_t cursor;
	struct buf val;
};

static int
json_emit(struct jctx *j, bool prop, const char *name, const cJSON *v)
{
	uint64_t line = cx_text_find_string(j->t, &j->cursor, name);

	json_scalar(v, &j->val);
	return emit(j->st, prop, sv_cstr(name), buf_sv(&j->val), line,
		    line ? cx_text_offset(j->t, line) : 0);
}

static int json_settings(struct jctx *j, const cJSON *o, int depth);

/* One parameter object {"Name": ..., "Value": ...}. */
static int
json_param(struct jctx *j, const cJSON *o)
{
	const cJSON *n = iget(o, "Name"), *v = iget(o, "Value");

	if (!cJSON_IsString(n) || !n->valuestring || !n->valuestring[0])
		return 0;
	return json_emit(j, false, n->valuestring, v);
}

/* Parameters as an array of objects or an object keyed by name. */
static int
json_params(struct jctx *j, const cJSON *p)
{
	const cJSON *c;
	int rc;

	cJSON_ArrayForEach(c, p) {
		if (cJSON_IsObject(c) && iget(c, "Name"))
			rc = json_param(j, c);
		else if (c->string && cJSON_IsObject(c) && iget(c, "Value"))
			rc = json_emit(j, false, c->string, iget(c, "Value"));
		else if (c->string && !cJSON_IsObject(c) && !cJSON_IsArray(c))
			rc = json_emit(j, false, c->string, c);
		else
			rc = 0;
		if (rc)
			return rc;
	}
	return 0;
}

static int
json_settings(struct jctx *j, const cJSON *o, int depth)
{
	const cJSON *p, *c;
	int rc = 0;

	if (depth > 4)
		return 0;
	if (cJSON_IsArray(o)) {
		cJSON_ArrayForEach(c, o)
			if ((rc = json_settings(j, c, depth + 1)) != 0)
				return rc;
		return 0;
	}
	if (!cJSON_IsObject(o))
		return 0;
	if (iget(o, "Name") && iget(o, "Value"))
		return json_param(j, o);
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		const cJSON *v = iget(o, props[i].prop);

		if (v && (cJSON_IsNumber(v) || cJSON_IsString(v)) &&
		    (rc = json_emit(j, true, props[i].prop, v)) != 0)
			return rc;
	}
	if ((p = iget(o, "Parameters")) != NULL)
		return json_params(j, p);
	/* An object keyed by parameter name. */
	cJSON_ArrayForEach(c, o)
		if (c->string && param_name(sv_cstr(c->string)))
			return json_params(j, o);
	return 0;
}

static int
json_parse(struct st *st, struct sv first, int *r)
{
	struct cx_text t;
	struct jctx j;
	struct sv line;
	cJSON *root;
	int rc = 0;

	cx_text_init(&t, JSON_MAX);
	cx_text_add(&t, &st->lr, first);
	while ((*r = lr_next(&st->lr, &line)) > 0)
		if (!cx_text_add(&t, &st->lr, line))
			break;
	if (t.too_big) {
		st->json_failed = true;
		rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0,
				 "JSON larger than %zu MiB: not read", JSON_MAX >> 20);
		cx_text_release(&t);
		*r = 0;
		return rc;
	}
	root = cJSON_ParseWithLength(t.text.data, t.text.len);
	if (!root) {
		const char *e = cJSON_GetErrorPtr();
		size_t pos = e && e >= t.text.data && e <= t.text.data + t.text.len ?
				     (size_t)(e - t.text.data) : t.text.len;
		uint64_t ln = cx_text_line(&t, pos);

		st->json_failed = true;
		rc = ec_problemf(st->sink, ln, cx_text_offset(&t, ln), 0, 0,
				 "not valid JSON (at line %" PRIu64 "): nothing read", ln);
		cx_text_release(&t);
		return rc;
	}
	memset(&j, 0, sizeof(j));
	j.st = st;
	j.t = &t;
	buf_init(&j.val, FIELD_MAX);
	rc = json_settings(&j, root, 0);
	buf_release(&j.val);
	cJSON_Delete(root);
	cx_text_release(&t);
	return rc;
}

/* ---- the parse ------------------------------------------------------------------ */

static int
run(struct st *st)
{
	struct sv line;
	bool has_nul, first = true;
	int r, rc;

	while ((r = lr_next(&st->lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((st->lr.nul_bytes || st->lr.cut_bytes || st->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&st->lr, st->sink, has_nul, &st->problems)) != 0)
			return rc;
		if (first && !text_blank(line)) {
			struct sv t = sv_trim(line);

			first = false;
			if (t.n && (t.p[0] == '{' || t.p[0] == '[')) {
				if ((rc = json_parse(st, line, &r)) != 0)
					return rc;
				break;
			}
		}
		if ((rc = text_line(st, line)) != 0)
			return rc;
	}
	if ((rc = flush_pending(st)) != 0 || (rc = flush_block(st)) != 0)
		return rc;
	if (st->params == 0 && !st->json_failed &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0,
			      "no global settings parameter found in %" PRIu64 " lines",
			      st->lr.lineno)) != 0)
		return rc;
	return text_finish(&st->lr, st->sink, st->problems, r);
}

static int
adsyncsettings_parse(const struct ec_input *inp)
{
	struct st *st = xcalloc(1, sizeof(*st));
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	/* A JSON file may be one long line (-Compress). */
	lr_init(&st->lr, inp->in, inp->enc.enc, inp->enc.bom, JSON_MAX);
	buf_init(&st->pend.name, FIELD_MAX);
	buf_init(&st->pend.value, FIELD_MAX);
	buf_init(&st->blk_name, FIELD_MAX);
	buf_init(&st->blk_val, FIELD_MAX);
	rc = run(st);
	buf_release(&st->blk_val);
	buf_release(&st->blk_name);
	buf_release(&st->pend.value);
	buf_release(&st->pend.name);
	lr_release(&st->lr);
	free(st);
	return rc;
}

/* ---- sniffing --------------------------------------------------------------------- */

/* Parameter lines among the first SNIFF_SPAN bytes of text: keyed
 * "Microsoft.X.Y : v", "Name : Microsoft.X.Y", table rows after a header. */
static int
count_text(const char *p, const char *end)
{
	bool table = false;
	int n = 0;

	while (p < end) {
		const char *e = p;
		struct sv l, label, value, t;
		size_t col;

		while (e < end && *e != '\n' && *e != '\r')
			e++;
		l = sv_make(p, (size_t)(e - p));
		p = e + 1;
		t = sv_trim(l);
		if (label_line(l, &label, &value, &col)) {
			if (param_name(label) || (sv_ieq(label, "Name") && param_name(value)))
				n++;
			continue;
		}
		if (table_header(l)) {
			table = true;
			continue;
		}
		if (t.n && sv_starts(t, "Microsoft.")) {
			size_t k = 0;

			while (k < t.n && name_char(t.p[k]))
				k++;
			/* after a header, any row; without, the name and two spaces
			 * (column padding, not a sentence) */
			if (param_name(sv_make(t.p, k)) &&
			    (table ? k == t.n || t.p[k] == ' ' || t.p[k] == '\t'
				   : k + 2 < t.n && t.p[k] == ' ' && t.p[k + 1] == ' '))
				n++;
		}
	}
	return n;
}

/* JSON: "Name": "Microsoft.X.Y" pairs or "Microsoft.X.Y": keys. */
static int
count_json(const char *p, const char *end)
{
	struct sv v = sv_make(p, (size_t)(end - p));
	int n = 0;
	long k;

	while ((k = sv_find(v, "\"Microsoft.")) >= 0) {
		const char *b = v.p + k, *q = b + 1, *e = q, *a;

		while (e < end && *e != '"')
			e++;
		if (e >= end)
			break;
		if (param_name(sv_make(q, (size_t)(e - q)))) {
			a = e + 1;
			while (a < end && isspace((unsigned char)*a))
				a++;
			while (b > p && isspace((unsigned char)b[-1]))
				b--;
			if (a < end && *a == ':')
				n++;		/* a key */
			else if (b > p && b[-1] == ':') {
				b--;
				while (b > p && isspace((unsigned char)b[-1]))
					b--;
				if (b - p >= 6 && strncasecmp(b - 6, "\"Name\"", 6) == 0)
					n++;	/* the value of "Name" */
			}
		}
		v = sv_make(e + 1, (size_t)(end - e - 1));
	}
	return n;
}

/* 85 with two parameter lines in the first 4 KiB (or one naming a
 * Microsoft.Synchronize. parameter); JSON alike. */
static int
adsyncsettings_sniff(const struct ec_sniff *s)
{
	const char *p = s->text, *end;
	struct sv head;
	int n;

	if (!p)
		return 0;
	end = p + (s->text_len < SNIFF_SPAN ? s->text_len : SNIFF_SPAN);
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	head = sv_make(p, (size_t)(end - p));
	if (sv_find(head, "Microsoft.") < 0)
		return 0;
	head = sv_trim(head);
	if (head.n && (head.p[0] == '{' || head.p[0] == '['))
		n = count_json(p, end);
	else
		n = count_text(p, end);
	if (n >= 2 || (n == 1 && sv_find(sv_make(p, (size_t)(end - p)), "Microsoft.Synchronize.") >= 0))
		return 85;
	return 0;
}

const struct ec_format fmt_adsyncsettings = {
	.name = "adsyncsettings",
	.title = "Get-ADSyncGlobalSettings output (Format-List, table, JSON)",
	.identifies = "Microsoft.Synchronize.* parameter names with Name/Value labels, "
		      "'Name : Value' lines, table rows or JSON keys in the first 4 KiB",
	.binary = false,
	.sniff = adsyncsettings_sniff,
	.parse = adsyncsettings_parse,
};
