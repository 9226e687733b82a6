/* SPDX-License-Identifier: MIT */
/* fmt_psjson.c - `Get-WinEvent | ConvertTo-Json` (and `Get-EventLog |
 * ConvertTo-Json`) (FAS d.4).
 *
 * The output is an array of objects, or one object when there was one
 * event; `>>` appends make several such values one after another. Windows
 * PowerShell 5.1 writes UTF-16LE with a byte-order mark when redirected
 * (`>`), UTF-8 or ASCII with Out-File/Set-Content -Encoding; -Compress puts
 * everything on one line. The file is never loaded whole: a small scanner
 * (string and escape aware, counting brackets) cuts each element of the
 * top-level array into a bounded buffer (the options' max_record), which
 * cJSON then parses alone. A larger element is skipped and reported; a file
 * cut off mid-object keeps the objects before it.
 *
 * Properties as in the CSV export (fmt_pscsv.c). TimeCreated is
 * "\/Date(1649391053843)\/" in 5.1 (milliseconds since 1970, UTC; a
 * "+0200" suffix, when present, does not change them) and an ISO 8601 string
 * with the offset in PowerShell 7; both are exact. Properties is an array of
 * {"Value": ...} objects: scalar values become Data[1..n] (by position).
 * Objects deeper than -Depth (2 by default) are written as their type names
 * ("System.Diagnostics.Eventing.Reader.EventBookmark"): such strings are not
 * data. Keywords are read from the number's text, not through a double, so
 * that all 64 bits stay exact. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/parser.h"
#include "parser/textutil.h"
#include "parser/winevent.h"

#define READ_SIZE (64u * 1024u)
#define MAX_DATA 256		/* Properties values kept per event */

struct psjson_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;

	/* the raw input */
	unsigned char *raw;
	uint64_t rbase;		/* input offset of the next byte to read */
	enum enc enc;
	bool failed;
	unsigned char odd;	/* UTF-16: a byte left over from the last read */
	bool have_odd;
	unsigned high;		/* UTF-16: a high surrogate waiting for its pair */
	uint64_t high_off;
	uint64_t bad_units;

	/* the scanner */
	uint64_t lineno;
	bool prev_cr;
	int64_t depth;		/* brackets open: 1 inside the top-level array, more in an element */
	bool capturing, scalar, in_str, esc;
	int64_t cap_depth;	/* depth the element started at */
	bool junk_told;
	struct buf obj;
	uint64_t obj_line, obj_offset;

	/* the event being mapped */
	struct buf msg, conv, one;
	struct ec_kv data[MAX_DATA + 2];
	char names[MAX_DATA][16];
	char nums[MAX_DATA + 2][32];
	uint64_t problems;
};

static int
problem(struct psjson_state *st, uint64_t line, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
problem(struct psjson_state *st, uint64_t line, uint64_t offset, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!text_problem_ok(&st->problems))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_problemf(st->sink, line, offset, 0, 0, "%s", msg);
}

/* ---- values ------------------------------------------------------------- */

static cJSON *
item(const cJSON *o, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(o, name);

	return v && !cJSON_IsNull(v) ? v : NULL;
}

static bool
num_int(const cJSON *v, int64_t *out)
{
	double d;

	if (cJSON_IsString(v) && v->valuestring)
		return csv_int(sv_cstr(v->valuestring), out);
	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!(d >= -9.2e18 && d <= 9.2e18) || (double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

static int64_t
get_int(const cJSON *o, const char *name)
{
	int64_t v;
	cJSON *x = item(o, name);

	return x && num_int(x, &v) ? v : -1;
}

static struct sv
get_str(const cJSON *o, const char *name)
{
	cJSON *x = item(o, name);

	return x && cJSON_IsString(x) && x->valuestring ? sv_cstr(x->valuestring) : SV_NULL;
}

/* A scalar as text: strings as they are, numbers as PowerShell shows them
 * (integers without a fraction), booleans True/False. */
static bool
scalar_text(const cJSON *v, char num[32], struct sv *out)
{
	if (cJSON_IsString(v) && v->valuestring) {
		*out = sv_cstr(v->valuestring);
		return true;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d > -9.0e15 && d < 9.0e15 && (double)(int64_t)d == d)
			snprintf(num, 32, "%" PRId64, (int64_t)d);
		else
			snprintf(num, 32, "%.17g", d);
		*out = sv_cstr(num);
		return true;
	}
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v) ? SV_LIT("True") : SV_LIT("False");
		return true;
	}
	if (cJSON_IsNull(v)) {
		*out = SV_NULL;
		return true;
	}
	return false;
}

/* The text of a top-level member's value in the object text (keys matched
 * without case), or NULL: to read a number without going through a
 * double. */
static const char *
member_text(const char *s, size_t n, const char *key)
{
	size_t klen = strlen(key);
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '"') {
			size_t j = i + 1;

			while (j < n && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			if (j >= n)
				return NULL;
			if (depth == 1 && j - i - 1 == klen && csv_name_eq(sv_make(s + i + 1, klen), key)) {
				size_t k = j + 1;

				while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n'))
					k++;
				if (k < n && s[k] == ':') {
					k++;
					while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
							 s[k] == '\n'))
						k++;
					return s + k;
				}
			}
			i = j;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return NULL;
}

/* Keywords: a decimal (negative when the top bit is set) as written. */
static bool
keywords(const cJSON *o, const char *text, size_t n, uint64_t *out)
{
	cJSON *x = item(o, "Keywords");
	const char *p, *e;
	int64_t v;

	if (!x)
		return false;
	if (cJSON_IsString(x) && x->valuestring)
		return csv_u64(sv_cstr(x->valuestring), out);
	if (!cJSON_IsNumber(x))
		return false;
	p = member_text(text, n, "Keywords");
	if (p) {
		e = p + (*p == '-');
		while (*e >= '0' && *e <= '9')
			e++;
		if (*e != '.' && *e != 'e' && *e != 'E' && csv_u64(sv_make(p, (size_t)(e - p)), out))
			return true;
	}
	if (!num_int(x, &v))
		return false;
	*out = (uint64_t)v;
	return true;
}

/* ---- times -------------------------------------------------------------- */

/* "/Date(1649391053843)/", "/Date(1649391053843+0200)/": UTC ms. */
static bool
ms_date(struct sv s, int64_t *ms)
{
	const char *p, *end = s.p + s.n;
	bool neg = false;
	int64_t v = 0;
	int digits = 0;

	if (!sv_starts(s, "/Date("))
		return false;
	p = s.p + 6;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	while (p < end && *p >= '0' && *p <= '9' && digits < 18) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits)
		return false;
	if (p < end && (*p == '+' || *p == '-')) {
		p++;
		if (end - p < 4 || read_digits(p, 4) < 0)
			return false;
		p += 4;
	}
	if (end - p != 2 || p[0] != ')' || p[1] != '/')
		return false;
	*ms = neg ? -v : v;
	return true;
}

/* "2023-05-12T07:34:38.1234567+02:00", "...Z", or without zone (local). */
static bool
iso_date(struct psjson_state *st, struct sv s, struct ec_time *t)
{
	const struct ec_options *o = st->inp->opt;
	const char *p = s.p, *end = s.p + s.n;
	struct civil c;
	int zone = 0, scale = 100;
	bool has_zone = false;

	memset(&c, 0, sizeof(c));
	if (s.n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') ||
	    p[13] != ':' || p[16] != ':')
		return false;
	c.year = read_digits(p, 4);
	c.month = read_digits(p + 5, 2);
	c.day = read_digits(p + 8, 2);
	c.hour = read_digits(p + 11, 2);
	c.min = read_digits(p + 14, 2);
	c.sec = read_digits(p + 17, 2);
	if (c.year < 0 || c.month < 0 || c.day < 0 || c.hour < 0 || c.min < 0 || c.sec < 0 ||
	    c.hour > 23 || c.min > 59 || c.sec > 59 || !civil_valid(&c))
		return false;
	p += 19;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return false;
		for (; p < end && *p >= '0' && *p <= '9'; p++, scale /= 10)
			c.msec += (*p - '0') * scale;
	}
	if (p < end && *p == 'Z') {
		has_zone = true;
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1, h, m;

		if (end - p < 6 || p[3] != ':' || (h = read_digits(p + 1, 2)) < 0 ||
		    (m = read_digits(p + 4, 2)) < 0)
			return false;
		zone = sign * (h * 60 + m);
		has_zone = true;
		p += 6;
	}
	if (p != end)
		return false;
	t->ms = civil_to_ms(&c);
	t->tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000 + c.msec;
	if (has_zone) {
		t->ms -= (int64_t)zone * 60000;
		t->q = TQ_EXACT;
	} else if (o && o->have_offset) {
		t->ms -= (int64_t)o->utc_offset_min * 60000;
		t->q = TQ_LOCAL_GIVEN;
	} else {
		t->q = TQ_LOCAL_ASSUMED;
	}
	return true;
}

/* The event's time from its first time property; a problem if it has one
 * that cannot be read. */
static int
event_time(struct psjson_state *st, const cJSON *o, struct ec_time *t)
{
	static const char *const names[] = { "TimeCreated", "TimeGenerated", "TimeWritten" };
	cJSON *x = NULL;
	struct sv s;
	int64_t ms;

	t->ms = 0;
	t->tod_ms = -1;
	t->q = TQ_NONE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !x; i++)
		x = item(o, names[i]);
	if (!x)
		return 0;
	/* A DateTime with note properties: {"value": "/Date(...)/", ...}. */
	if (cJSON_IsObject(x))
		x = item(x, "value");
	s = x && cJSON_IsString(x) && x->valuestring ? sv_trim(sv_cstr(x->valuestring)) : SV_NULL;
	if (ms_date(s, &ms)) {
		struct civil c;

		t->ms = ms;
		ms_to_civil(ms, &c);
		t->tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000 + c.msec;
		t->q = TQ_EXACT;
		return 0;
	}
	if (iso_date(st, s, t))
		return 0;
	return problem(st, st->obj_line, st->obj_offset,
		       "time '%.*s' of the event at line %" PRIu64 " not understood: the event has "
		       "no time", (int)(s.n > 60 ? 60 : s.n), s.p ? s.p : "", st->obj_line);
}

/* ---- events ------------------------------------------------------------- */

/* Properties [{"Value": x}, ...] or ReplacementStrings ["x", ...]: Data[i]. */
static size_t
inserts(struct psjson_state *st, const cJSON *o)
{
	cJSON *arr = item(o, "Properties"), *el;
	bool plain = false;
	size_t n = 0, i = 0;

	if (!cJSON_IsArray(arr)) {
		arr = item(o, "ReplacementStrings");
		plain = true;
		if (!cJSON_IsArray(arr))
			return 0;
	}
	cJSON_ArrayForEach(el, arr) {
		const cJSON *v = plain ? el : cJSON_IsObject(el) ? cJSON_GetObjectItem(el, "Value") : NULL;
		struct sv text;

		i++;
		if (n >= MAX_DATA)
			break;
		/* An EventProperty cut at -Depth is its type name: no value. */
		if (!v || !scalar_text(v, st->nums[n], &text))
			continue;
		snprintf(st->names[n], sizeof(st->names[n]), "Data[%zu]", i);
		st->data[n].name = sv_cstr(st->names[n]);
		st->data[n].value = text;
		n++;
	}
	return n;
}

static int
map_event(struct psjson_state *st, const cJSON *o, const char *text, size_t len)
{
	struct ec_winevent w;
	struct ec_event ev;
	struct ec_time t;
	struct sv v;
	cJSON *x;
	int64_t n;
	size_t nins;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&ev, 0, sizeof(ev));
	ev.line = st->obj_line;
	ev.offset = st->obj_offset;
	if ((rc = event_time(st, o, &t)) != 0)
		return rc;
	ev.time_ms = t.ms;
	ev.tod_ms = t.tod_ms;
	ev.timeq = t.q;

	w.win_level = get_int(o, "Level");
	ev.level = winevent_level(w.win_level);
	if (ev.level == LVL_NONE)
		ev.level = winevent_level_name(get_str(o, "LevelDisplayName"));
	if (ev.level == LVL_NONE && (x = item(o, "EntryType")) != NULL) {
		if (scalar_text(x, st->nums[0], &v))
			ev.level = csv_entry_type(v);
	}

	ev.provider = get_str(o, "ProviderName");
	if (!ev.provider.n)
		ev.provider = get_str(o, "Source");
	w.qualifiers = get_int(o, "Qualifiers");
	if ((n = get_int(o, "Id")) >= 0) {
		ev.event_id = n & 0xFFFF;
	} else if ((n = get_int(o, "InstanceId")) >= 0) {
		ev.event_id = n & 0xFFFF;
		if (w.qualifiers < 0)
			w.qualifiers = (n >> 16) & 0xFFFF;
	} else if ((n = get_int(o, "EventID")) >= 0) {
		ev.event_id = n & 0xFFFF;
	} else {
		ev.event_id = -1;
	}
	if ((n = get_int(o, "RecordId")) >= 0 || (n = get_int(o, "Index")) >= 0)
		w.record_id = (uint64_t)n;
	w.channel = get_str(o, "LogName");
	w.computer = get_str(o, "MachineName");
	/* UserId: a SecurityIdentifier, {"Value": "S-1-5-18", ...}, or its
	 * string when cut at -Depth. */
	if ((x = item(o, "UserId")) != NULL)
		w.user_sid = cJSON_IsObject(x) ? get_str(x, "Value") :
			     cJSON_IsString(x) && x->valuestring ? sv_cstr(x->valuestring) : SV_NULL;
	w.task = get_int(o, "Task");
	w.opcode = get_int(o, "Opcode");
	w.has_keywords = keywords(o, text, len, &w.keywords);
	w.process_id = get_int(o, "ProcessId");
	w.thread_id = get_int(o, "ThreadId");

	nins = inserts(st, o);
	ev.ndata = nins;
	v = get_str(o, "TaskDisplayName");
	if (!v.n)
		v = get_str(o, "Category");
	if (v.n) {
		st->data[ev.ndata].name = SV_LIT("TaskCategory");
		st->data[ev.ndata++].value = v;
	}
	if ((v = get_str(o, "UserName")).n) {
		st->data[ev.ndata].name = SV_LIT("UserName");
		st->data[ev.ndata++].value = v;
	}
	ev.data = ev.ndata ? st->data : NULL;

	v = get_str(o, "Message");
	while (v.n && (v.p[v.n - 1] == '\n' || v.p[v.n - 1] == '\r' || v.p[v.n - 1] == ' ' ||
		       v.p[v.n - 1] == '\t'))
		v.n--;
	if (!v.n && nins) {
		/* No message DLL where it was exported: build the line from the
		 * inserts. */
		buf_reset(&st->msg);
		winevent_message(ev.provider, ev.event_id, st->data, nins, &st->msg);
		v = buf_sv(&st->msg);
	}
	ev.message = v;
	ev.win = &w;
	return winevent_emit(st->sink, &ev);
}

/* One element of the top-level array (or the top-level object) is cut. */
static int
element(struct psjson_state *st)
{
	const char *text = st->obj.data, *err;
	size_t len = st->obj.len;
	cJSON *o;
	int rc;

	if (st->obj.truncated)
		return problem(st, st->obj_line, st->obj_offset,
			       "object at line %" PRIu64 " larger than %zu bytes: skipped",
			       st->obj_line, st->obj.max);
	if (st->enc == ENC_UTF8 && utf8_valid_len((const unsigned char *)text, len) != len) {
		/* Not UTF-8 after all: Windows-1252, as the line reader does. */
		buf_reset(&st->conv);
		cp1252_to_utf8(&st->conv, (const unsigned char *)text, len);
		text = st->conv.data;
		len = st->conv.len;
	}
	o = cJSON_ParseWithLength(text, len);
	if (!o) {
		err = cJSON_GetErrorPtr();
		return problem(st, st->obj_line, st->obj_offset,
			       "object at line %" PRIu64 " is not valid JSON (at byte %zu of it): "
			       "skipped", st->obj_line,
			       err && err >= text && err <= text + len ? (size_t)(err - text) : len);
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return problem(st, st->obj_line, st->obj_offset,
			       "element at line %" PRIu64 " is not an object: skipped", st->obj_line);
	}
	rc = map_event(st, o, text, len);
	cJSON_Delete(o);
	return rc;
}

/* ---- the scanner -------------------------------------------------------- */

static void
start(struct psjson_state *st, uint64_t off, bool scalar)
{
	st->capturing = true;
	st->scalar = scalar;
	st->in_str = st->esc = false;
	st->cap_depth = st->depth;
	st->obj_line = st->lineno;
	st->obj_offset = off;
	buf_reset(&st->obj);
}

/* A byte outside any element: *started if it is the first of one. */
static int
outside(struct psjson_state *st, unsigned char c, uint64_t off, bool *started)
{
	*started = false;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return 0;
	if (st->depth == 0) {
		if (c == '[') {
			st->depth = 1;
			return 0;
		}
		if (c == '{') {
			start(st, off, false);
			*started = true;
			return 0;
		}
	} else {
		if (c == ',')
			return 0;
		if (c == ']') {
			st->depth = 0;
			return 0;
		}
		start(st, off, c != '{' && c != '[');
		*started = true;
		return 0;
	}
	if (st->junk_told)
		return 0;
	st->junk_told = true;
	return problem(st, st->lineno, off, "text outside the JSON arrays and objects at line "
		       "%" PRIu64 ": ignored", st->lineno);
}

/* Bytes that end a run of string text. */
static bool
special(unsigned char c)
{
	return c == '"' || c == '\\' || c == '\n' || c == '\r' || c == 0;
}

/* Feed decoded UTF-8 text; byte k came from input offset off + k * stride. */
static int
feed(struct psjson_state *st, const unsigned char *p, size_t n, uint64_t off, unsigned stride)
{
	size_t i = 0;
	int rc;

	while (i < n) {
		unsigned char c = p[i];

		if (st->capturing && st->in_str && !st->esc && !special(c)) {
			size_t j = i + 1;

			while (j < n && !special(p[j]))
				j++;
			buf_add(&st->obj, p + i, j - i);
			i = j;
			continue;
		}
		if (st->capturing && st->scalar && !st->in_str &&
		    (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
			/* The end of a scalar element; c is read again outside. */
			st->capturing = false;
			if ((rc = element(st)) != 0)
				return rc;
			continue;
		}
		/* Lines end at LF, CRLF or a lone CR. */
		if (c == '\n') {
			if (!st->prev_cr)
				st->lineno++;
			st->prev_cr = false;
		} else {
			if (c == '\r')
				st->lineno++;
			st->prev_cr = c == '\r';
		}
		if (!st->capturing) {
			bool started;

			if ((rc = outside(st, c, off + i * stride, &started)) != 0)
				return rc;
			if (!started) {
				i++;
				continue;
			}
		}
		i++;
		if (c == 0) {
			buf_add(&st->obj, "\xEF\xBF\xBD", 3);
			st->esc = false;
			continue;
		}
		buf_addc(&st->obj, (char)c);
		if (st->in_str) {
			if (st->esc)
				st->esc = false;
			else if (c == '\\')
				st->esc = true;
			else if (c == '"')
				st->in_str = false;
			continue;
		}
		if (c == '"') {
			st->in_str = true;
		} else if (c == '{' || c == '[') {
			st->depth++;
		} else if ((c == '}' || c == ']') && st->depth > st->cap_depth) {
			st->depth--;
			if (st->depth == st->cap_depth) {
				st->capturing = false;
				if ((rc = element(st)) != 0)
					return rc;
			}
		}
	}
	return 0;
}

static unsigned
unit(const struct psjson_state *st, const unsigned char *u)
{
	return st->enc == ENC_UTF16BE ? (unsigned)(u[0] << 8 | u[1]) : (unsigned)(u[0] | u[1] << 8);
}

static int
put_cp(struct psjson_state *st, unsigned cp, uint64_t off)
{
	unsigned char out[4];
	size_t k;

	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		out[0] = (unsigned char)(0xF0 | cp >> 18);
		out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[3] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	return feed(st, out, k, off, 0);
}

/* Decode n bytes of UTF-16 at input offset off and feed them: runs of ASCII
 * in one call. */
static int
feed_utf16(struct psjson_state *st, const unsigned char *p, size_t n, uint64_t off)
{
	unsigned char ascii[512];
	size_t na = 0, i = 0;
	uint64_t aoff = off;
	int rc;

	while (i + 1 < n) {
		unsigned u = unit(st, p + i);
		uint64_t uoff = off + i;

		i += 2;
		if (u < 0x80 && !st->high) {
			if (!na)
				aoff = uoff;
			ascii[na++] = (unsigned char)u;
			if (na == sizeof(ascii)) {
				if ((rc = feed(st, ascii, na, aoff, 2)) != 0)
					return rc;
				na = 0;
			}
			continue;
		}
		if (na) {
			if ((rc = feed(st, ascii, na, aoff, 2)) != 0)
				return rc;
			na = 0;
		}
		if (st->high) {
			unsigned hi = st->high;

			st->high = 0;
			if (u >= 0xDC00 && u <= 0xDFFF) {
				if ((rc = put_cp(st, 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00),
						 st->high_off)) != 0)
					return rc;
				continue;
			}
			st->bad_units++;
			if ((rc = put_cp(st, 0xFFFD, st->high_off)) != 0)
				return rc;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			st->high = u;
			st->high_off = uoff;
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			st->bad_units++;
			if ((rc = put_cp(st, 0xFFFD, uoff)) != 0)
				return rc;
		} else if ((rc = put_cp(st, u, uoff)) != 0) {
			return rc;
		}
	}
	if (na && (rc = feed(st, ascii, na, aoff, 2)) != 0)
		return rc;
	return 0;
}

/* Windows-1252: ASCII runs as they are, other bytes one by one. */
static int
feed_cp1252(struct psjson_state *st, const unsigned char *p, size_t n, uint64_t off)
{
	size_t i = 0;
	int rc;

	while (i < n) {
		size_t j = i;

		while (j < n && p[j] < 0x80)
			j++;
		if (j > i && (rc = feed(st, p + i, j - i, off + i, 1)) != 0)
			return rc;
		if (j >= n)
			break;
		buf_reset(&st->one);
		cp1252_to_utf8(&st->one, p + j, 1);
		if ((rc = feed(st, (const unsigned char *)st->one.data, st->one.len, off + j, 0)) != 0)
			return rc;
		i = j + 1;
	}
	return 0;
}

static int
run(struct psjson_state *st)
{
	size_t skip = st->inp->enc.bom;
	int rc;

	for (;;) {
		size_t have = 0;
		long got;
		uint64_t off = st->rbase;

		if (st->have_odd) {
			st->raw[0] = st->odd;
			have = 1;
			st->have_odd = false;
			off--;
		}
		got = st->inp->in->read(st->inp->in->ctx, st->raw + have, READ_SIZE - have);
		if (got < 0) {
			st->failed = true;
			break;
		}
		if (got == 0)
			break;
		st->rbase += (uint64_t)got;
		have += (size_t)got;
		{
			const unsigned char *p = st->raw;
			size_t n = have;

			while (skip && n) {
				p++;
				n--;
				off++;
				skip--;
			}
			switch (st->enc) {
			case ENC_UTF16LE:
			case ENC_UTF16BE:
				if (n & 1) {
					st->odd = p[n - 1];
					st->have_odd = true;
					n--;
				}
				rc = feed_utf16(st, p, n, off);
				break;
			case ENC_CP1252:
				rc = feed_cp1252(st, p, n, off);
				break;
			default:
				rc = feed(st, p, n, off, 1);
				break;
			}
			if (rc)
				return rc;
		}
	}
	/* The end: a surrogate or a byte left over, an element not closed. */
	if (st->high || st->have_odd) {
		st->bad_units++;
		st->high = 0;
		st->have_odd = false;
		if ((rc = put_cp(st, 0xFFFD, st->rbase)) != 0)
			return rc;
	}
	if (st->capturing && st->scalar && !st->in_str) {
		st->capturing = false;
		if ((rc = element(st)) != 0)
			return rc;
	}
	if (st->capturing) {
		if ((rc = problem(st, st->obj_line, st->obj_offset,
				  "the input ends inside the object starting at line %" PRIu64
				  " (%zu bytes of it read; cut off?): skipped", st->obj_line,
				  st->obj.len)) != 0)
			return rc;
	} else if (st->depth > 0 &&
		   (rc = problem(st, st->lineno, UINT64_MAX,
				 "the input ends before the array is closed: cut off?")) != 0) {
		return rc;
	}
	if (st->bad_units &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0,
			      "invalid utf-16: %" PRIu64 " units replaced", st->bad_units)) != 0)
		return rc;
	if (st->problems > TEXT_PROBLEM_CAP &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      st->problems - TEXT_PROBLEM_CAP)) != 0)
		return rc;
	if (st->failed) {
		const char *why = st->inp->in->error ? st->inp->in->error(st->inp->in->ctx) : NULL;

		rc = ec_problemf(st->sink, st->lineno, UINT64_MAX, 0, 0, "read error: %s",
				 why ? why : "unknown");
		return rc ? rc : -1;
	}
	return 0;
}

static int
psjson_parse(const struct ec_input *inp)
{
	const struct ec_options *o = inp->opt;
	size_t max_rec = text_max_record(o);
	struct psjson_state *st = xcalloc(1, sizeof(*st));
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	st->enc = inp->enc.enc;
	st->lineno = 1;
	st->raw = xmalloc(READ_SIZE);
	buf_init(&st->obj, max_rec);
	buf_init(&st->conv, 3 * max_rec);
	buf_init(&st->one, 8);
	buf_init(&st->msg, EC_MAX_LINE);
	rc = run(st);
	buf_release(&st->msg);
	buf_release(&st->conv);
	buf_release(&st->one);
	buf_release(&st->obj);
	free(st->raw);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

#define SNIFF_MAX 4096

/* "key" followed by a colon, in the first bytes. */
static bool
has_key(struct sv text, const char *key)
{
	char pat[40];
	struct sv rest = text;
	long k;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	while ((k = sv_find(rest, pat)) >= 0) {
		const char *p = rest.p + k + strlen(pat), *end = rest.p + rest.n;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p < end && *p == ':')
			return true;
		rest = sv_make(p, (size_t)(end - p));
	}
	return false;
}

static int
psjson_sniff(const struct ec_sniff *s)
{
	struct sv t;
	size_t i = 0;

	if (!s->text)
		return 0;
	t = sv_make(s->text, s->text_len < SNIFF_MAX ? s->text_len : SNIFF_MAX);
	if (t.n >= 3 && memcmp(t.p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < t.n && (t.p[i] == ' ' || t.p[i] == '\t' || t.p[i] == '\r' || t.p[i] == '\n'))
		i++;
	if (i >= t.n || (t.p[i] != '[' && t.p[i] != '{'))
		return 0;
	/* Run history (Get-ADSyncRunProfileResult) and other cmdlets' JSON. */
	if (has_key(t, "RunHistoryId") || has_key(t, "RunProfileName"))
		return 0;
	if ((has_key(t, "ProviderName") || has_key(t, "LogName")) &&
	    (has_key(t, "TimeCreated") || has_key(t, "Id")))
		return 90;
	if (has_key(t, "InstanceId") && has_key(t, "TimeGenerated") && has_key(t, "Source"))
		return 90;
	return 0;
}

const struct ec_format fmt_psjson = {
	.name = "psjson",
	.title = "Get-WinEvent or Get-EventLog | ConvertTo-Json",
	.identifies = "a JSON array or object whose first object has ProviderName or LogName "
		      "with TimeCreated or Id (or InstanceId, Source, TimeGenerated)",
	.binary = false,
	.sniff = psjson_sniff,
	.parse = psjson_parse,
};
