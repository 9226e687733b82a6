/* SPDX-License-Identifier: MIT */
/* fmt_psjson.c - `Get-WinEvent | ConvertTo-Json` (and `Get-EventLog |
 * ConvertTo-Json`) (FAS d.4).
 *
 * The output is an array of objects, or one object when there was one
 * event; `>>` appends make several such values one after another. Windows
 * PowerShell 5.1 writes UTF-16LE with a byte-order mark when redirected
 * (`>`), UTF-8 or ASCII with Out-File/Set-Content -Encoding; -Compress puts
 * everything on one line. The file is never loaded whole: jsonstream.h cuts
 * each top-level object into a bounded buffer (the options' max_record) and
 * parses it alone. A larger element is skipped and reported; a file cut off
 * mid-object keeps the objects before it.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/jsonstream.h"
#include "parser/parser.h"
#include "parser/winevent.h"

#define MAX_DATA 256		/* Properties values kept per event */

struct psjson_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct jsonstream js;
	uint64_t obj_line, obj_offset;	/* the object being mapped */

	/* the event being mapped */
	struct buf msg;
	struct ec_kv data[MAX_DATA + 2];
	char names[MAX_DATA][16];
	char nums[MAX_DATA + 2][32];
};

/* ---- values ------------------------------------------------------------- */

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
	cJSON *x = js_get(o, "Keywords");
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
	if (!js_num_int(x, &v))
		return false;
	*out = (uint64_t)v;
	return true;
}

/* ---- times -------------------------------------------------------------- */

/* The event's time from its first time property; a problem if it has one
 * that cannot be read. A time without a zone is local: read with the user's
 * --utc-offset, else as UTC. */
static int
event_time(struct psjson_state *st, const cJSON *o, struct ec_time *t)
{
	static const char *const names[] = { "TimeCreated", "TimeGenerated", "TimeWritten" };
	const struct ec_options *opt = st->inp->opt;
	cJSON *x = NULL;
	struct sv s;
	bool zoned;

	t->ms = 0;
	t->tod_ms = -1;
	t->q = TQ_NONE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !x; i++)
		x = js_get(o, names[i]);
	if (!x)
		return 0;
	/* A DateTime with note properties: {"value": "/Date(...)/", ...}. */
	if (cJSON_IsObject(x))
		x = js_get(x, "value");
	s = x && cJSON_IsString(x) && x->valuestring ? sv_trim(sv_cstr(x->valuestring)) : SV_NULL;
	if (js_date(s, t, &zoned)) {
		if (!zoned && opt && opt->have_offset) {
			t->ms -= (int64_t)opt->utc_offset_min * 60000;
			t->q = TQ_LOCAL_GIVEN;
		}
		return 0;
	}
	t->ms = 0;
	t->tod_ms = -1;
	t->q = TQ_NONE;
	return js_problemf(&st->js, st->obj_line, st->obj_offset,
			   "time '%.*s' of the event at line %" PRIu64 " not understood: the event "
			   "has no time", (int)(s.n > 60 ? 60 : s.n), s.p ? s.p : "", st->obj_line);
}

/* ---- events ------------------------------------------------------------- */

/* Properties [{"Value": x}, ...] or ReplacementStrings ["x", ...]: Data[i]. */
static size_t
inserts(struct psjson_state *st, const cJSON *o)
{
	cJSON *arr = js_get(o, "Properties"), *el;
	bool plain = false;
	size_t n = 0, i = 0;

	if (!cJSON_IsArray(arr)) {
		arr = js_get(o, "ReplacementStrings");
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
		if (!v || !js_scalar_text(v, st->nums[n], &text))
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

	w.win_level = js_get_int(o, "Level");
	ev.level = winevent_level(w.win_level);
	if (ev.level == LVL_NONE)
		ev.level = winevent_level_name(js_get_str(o, "LevelDisplayName"));
	if (ev.level == LVL_NONE && (x = js_get(o, "EntryType")) != NULL) {
		if (js_scalar_text(x, st->nums[0], &v))
			ev.level = csv_entry_type(v);
	}

	ev.provider = js_get_str(o, "ProviderName");
	if (!ev.provider.n)
		ev.provider = js_get_str(o, "Source");
	w.qualifiers = js_get_int(o, "Qualifiers");
	if ((n = js_get_int(o, "Id")) >= 0) {
		ev.event_id = n & 0xFFFF;
	} else if ((n = js_get_int(o, "InstanceId")) >= 0) {
		ev.event_id = n & 0xFFFF;
		if (w.qualifiers < 0)
			w.qualifiers = (n >> 16) & 0xFFFF;
	} else if ((n = js_get_int(o, "EventID")) >= 0) {
		ev.event_id = n & 0xFFFF;
	} else {
		ev.event_id = -1;
	}
	if ((n = js_get_int(o, "RecordId")) >= 0 || (n = js_get_int(o, "Index")) >= 0)
		w.record_id = (uint64_t)n;
	w.channel = js_get_str(o, "LogName");
	w.computer = js_get_str(o, "MachineName");
	/* UserId: a SecurityIdentifier, {"Value": "S-1-5-18", ...}, or its
	 * string when cut at -Depth. */
	if ((x = js_get(o, "UserId")) != NULL)
		w.user_sid = cJSON_IsObject(x) ? js_get_str(x, "Value") :
			     cJSON_IsString(x) && x->valuestring ? sv_cstr(x->valuestring) : SV_NULL;
	w.task = js_get_int(o, "Task");
	w.opcode = js_get_int(o, "Opcode");
	w.has_keywords = keywords(o, text, len, &w.keywords);
	w.process_id = js_get_int(o, "ProcessId");
	w.thread_id = js_get_int(o, "ThreadId");

	nins = inserts(st, o);
	ev.ndata = nins;
	v = js_get_str(o, "TaskDisplayName");
	if (!v.n)
		v = js_get_str(o, "Category");
	if (v.n) {
		st->data[ev.ndata].name = SV_LIT("TaskCategory");
		st->data[ev.ndata++].value = v;
	}
	if ((v = js_get_str(o, "UserName")).n) {
		st->data[ev.ndata].name = SV_LIT("UserName");
		st->data[ev.ndata++].value = v;
	}
	ev.data = ev.ndata ? st->data : NULL;

	v = js_get_str(o, "Message");
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

/* One top-level object of the input. */
static int
element(void *ctx, const struct js_element *el)
{
	struct psjson_state *st = ctx;

	st->obj_line = el->line;
	st->obj_offset = el->offset;
	return map_event(st, el->json, el->text, el->len);
}

static int
psjson_parse(const struct ec_input *inp)
{
	struct psjson_state *st = xcalloc(1, sizeof(*st));
	int rc;

	st->inp = inp;
	st->sink = inp->sink;
	js_init(&st->js, inp);
	buf_init(&st->msg, EC_MAX_LINE);
	rc = js_finish(&st->js, js_read(&st->js, element, st));
	buf_release(&st->msg);
	js_release(&st->js);
	free(st);
	return rc;
}

/* ---- sniffing ----------------------------------------------------------- */

static int
psjson_sniff(const struct ec_sniff *s)
{
	struct sv t;

	if (!js_sniff_head(s, &t))
		return 0;
	/* Run history (Get-ADSyncRunProfileResult) and other cmdlets' JSON. */
	if (js_has_key(t, "RunHistoryId") || js_has_key(t, "RunProfileName"))
		return 0;
	if ((js_has_key(t, "ProviderName") || js_has_key(t, "LogName")) &&
	    (js_has_key(t, "TimeCreated") || js_has_key(t, "Id")))
		return 90;
	if (js_has_key(t, "InstanceId") && js_has_key(t, "TimeGenerated") &&
	    js_has_key(t, "Source"))
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
