/* SPDX-License-Identifier: MIT */
/* export.c - events and findings as NDJSON with ECS field names, the
 * timeline as CSV (export.h, docs/EXPORT.md). Documents are written by
 * hand into one reused buffer: no JSON tree per record, no allocation per
 * line once the buffers have grown. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyzer/signature.h"
#include "common/encoding.h"
#include "common/xalloc.h"
#include "reports/export.h"

/* ---- JSON text ---------------------------------------------------------- */

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* s[0..n) as a JSON string: '"', '\' and control characters escaped,
 * what is not UTF-8 replaced by U+FFFD, the rest copied in runs. */
static void
json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;

	buf_addc(b, '"');
	while (p < end) {
		unsigned char c = *p;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

		if (c >= 0x20 && c != '"' && c != '\\') {
			uint32_t ucp;
			size_t k = c < 0x80 ? 1 : utf8_seq(p, (size_t)(end - p), &ucp);

			if (k) {
				p += k;
				continue;
			}
		}
		buf_add(b, run, (size_t)(p - run));
		run = ++p;
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			if (c >= 0x80) {
				buf_add(b, REPLACEMENT, 3);
			} else {
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				buf_add(b, esc, 6);
			}
		}
	}
	buf_add(b, run, (size_t)(p - run));
	buf_addc(b, '"');
}

static void
json_cstr(struct buf *b, const char *s)
{
	if (s)
		json_str(b, s, strlen(s));
	else
		buf_add(b, "null", 4);
}

/* A writer of nested objects and arrays that puts the commas. Member
 * names given as C strings are ASCII constants, written as they are. */
#define JW_DEPTH 8

struct jw {
	struct buf *b;
	int depth;
	bool first[JW_DEPTH];	/* nothing written yet at this depth */
};

static void
jw_begin(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = true;
	buf_addc(b, '{');
}

/* The comma before a member or an element, unless it is the first. */
static void
jw_sep(struct jw *w)
{
	if (!w->first[w->depth])
		buf_addc(w->b, ',');
	w->first[w->depth] = false;
}

static void
jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	buf_addc(w->b, '"');
	buf_adds(w->b, key);
	buf_add(w->b, "\":", 2);
}

/* Open an object ('{') or array ('[') member. */
static void
jw_open(struct jw *w, const char *key, char bracket)
{
	jw_key(w, key);
	buf_addc(w->b, bracket);
	w->first[++w->depth] = true;
}

/* Open an object or array as an element of the array being written. */
static void
jw_elem(struct jw *w, char bracket)
{
	jw_sep(w);
	buf_addc(w->b, bracket);
	w->first[++w->depth] = true;
}

static void
jw_close(struct jw *w, char bracket)
{
	buf_addc(w->b, bracket);
	w->depth--;
}

/* A string member; nothing when s is NULL or empty. */
static void
jw_str(struct jw *w, const char *key, const char *s)
{
	if (!s || !*s)
		return;
	jw_key(w, key);
	json_str(w->b, s, strlen(s));
}

static void
jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	buf_add_i64(w->b, v);
}

/* An integer as a string (ECS keeps event codes as keywords). */
static void
jw_int_str(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	buf_addc(w->b, '"');
	buf_add_i64(w->b, v);
	buf_addc(w->b, '"');
}

/* ---- the data column ---------------------------------------------------- */

static int
hex4(const char *p, const char *end, uint32_t *v)
{
	*v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The JSON string at p decoded into out (a lone surrogate becomes U+FFFD;
 * other bytes are kept as stored, json_str checks them); returns the end
 * of the string, or NULL if p is not one. */
static const char *
decode_str(const char *p, const char *end, struct buf *out)
{
	const char *run;

	if (p >= end || *p != '"')
		return NULL;
	run = ++p;
	while (p < end && *p != '"') {
		uint32_t cp, lo;

		if (*p != '\\') {
			p++;
			continue;
		}
		buf_add(out, run, (size_t)(p - run));
		if (++p >= end)
			return NULL;
		switch (*p++) {
		case '"': buf_addc(out, '"'); break;
		case '\\': buf_addc(out, '\\'); break;
		case '/': buf_addc(out, '/'); break;
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'u':
			if (hex4(p, end, &cp) != 0)
				return NULL;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    hex4(p + 2, end, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			utf8_put(out, cp);
			break;
		default:
			return NULL;
		}
		run = p;
	}
	if (p >= end)
		return NULL;
	buf_add(out, run, (size_t)(p - run));
	return p + 1;
}

/* The end of a scalar that is not a string (null, a number), or NULL. */
static const char *
scalar_end(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != ',' && *q != ']' && *q != ' ' && *q != '\n' && *q != '\r' && *q != '\t')
		q++;
	return q > p ? q : NULL;
}

static uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

/* Where the name k[0..n) is in the hash table, or the empty slot it would
 * take; *idx is its index in x->key, or -1. */
static size_t
key_find(const struct exporter *x, const char *k, size_t n, int64_t *idx)
{
	size_t mask = x->nslots - 1;

	for (size_t i = (size_t)hash_bytes(k, n) & mask;; i = (i + 1) & mask) {
		const struct export_slot *sl = &x->slot[i];
		const struct export_key *e;

		if (sl->gen != x->gen) {
			*idx = -1;
			return i;
		}
		e = &x->key[sl->idx];
		if (e->len == n && memcmp(x->keys.data + e->off, k, n) == 0) {
			*idx = sl->idx;
			return i;
		}
	}
}

/* Forget the names of the last document. */
static void
keys_reset(struct exporter *x)
{
	x->nkeys = 0;
	buf_reset(&x->keys);
	if (++x->gen == 0) {
		if (x->slot)
			memset(x->slot, 0, x->nslots * sizeof(*x->slot));
		x->gen = 1;
	}
}

/* Room for one more name: the key array and a table at most half full. */
static void
keys_room(struct exporter *x)
{
	if (x->nkeys == x->key_cap) {
		x->key_cap = x->key_cap ? x->key_cap * 2 : 32;
		x->key = xrealloc(x->key, x->key_cap * sizeof(*x->key));
	}
	if ((x->nkeys + 1) * 2 > x->nslots) {
		int64_t idx;

		x->nslots = x->nslots ? x->nslots * 2 : 64;
		free(x->slot);
		x->slot = xcalloc(x->nslots, sizeof(*x->slot));
		x->gen = 1;
		for (size_t i = 0; i < x->nkeys; i++) {
			size_t at = key_find(x, x->keys.data + x->key[i].off, x->key[i].len, &idx);

			x->slot[at].gen = x->gen;
			x->slot[at].idx = (uint32_t)i;
		}
	}
}

/* The member name of data item i (0-based) named name[0..n): "Data[N]"
 * (an unnamed insert) becomes "paramN" and "" "param<i+1>", as Winlogbeat
 * names them; a name already used gets "_2", "_3" ... Kept in x->keys;
 * returns where it is, its length in *len. */
static const char *
item_key(struct exporter *x, size_t i, const char *name, size_t n, size_t *len)
{
	size_t start = x->keys.len, base_len, at;
	bool unnamed = n == 0;
	int64_t idx;

	keys_room(x);
	if (n > 6 && memcmp(name, "Data[", 5) == 0 && name[n - 1] == ']') {
		unnamed = true;
		for (size_t k = 5; k < n - 1; k++)
			unnamed = unnamed && name[k] >= '0' && name[k] <= '9';
	}
	if (unnamed && n) {
		buf_add(&x->keys, "param", 5);
		buf_add(&x->keys, name + 5, n - 6);
	} else if (unnamed) {
		buf_add(&x->keys, "param", 5);
		buf_add_u64(&x->keys, i + 1);
	} else {
		buf_add(&x->keys, name, n);
	}
	base_len = x->keys.len - start;
	at = key_find(x, x->keys.data + start, base_len, &idx);
	if (idx >= 0) {
		int64_t first = idx;
		uint64_t dup = x->key[first].next_dup;

		for (;; dup++) {
			x->keys.len = start + base_len;
			buf_addc(&x->keys, '_');
			buf_add_u64(&x->keys, dup);
			at = key_find(x, x->keys.data + start, x->keys.len - start, &idx);
			if (idx < 0 || x->keys.truncated)	/* truncated: emit() drops it */
				break;
		}
		x->key[first].next_dup = dup + 1;
	}
	x->slot[at].gen = x->gen;
	x->slot[at].idx = (uint32_t)x->nkeys;
	x->key[x->nkeys].off = start;
	x->key[x->nkeys].next_dup = 2;
	x->key[x->nkeys++].len = *len = x->keys.len - start;
	return x->keys.data + start;
}

/* data ([["name","value"],...]) as the member key, an object of the items;
 * nothing when there are none. An item the text does not parse as ends
 * the object there (the items before it stay). */
static void
data_object(struct jw *w, struct exporter *x, const char *key, const char *data)
{
	const char *p, *end;
	bool opened = false;

	if (!data)
		return;
	end = data + strlen(data);
	p = skip_ws(data, end);
	if (p >= end || *p != '[')
		return;
	p = skip_ws(p + 1, end);
	keys_reset(x);
	for (size_t i = 0; p < end && *p == '['; i++) {
		const char *k, *v, *vend;
		size_t klen;

		buf_reset(&x->text);
		p = decode_str(skip_ws(p + 1, end), end, &x->text);
		if (!p || (p = skip_ws(p, end)) >= end || *p != ',')
			break;
		v = p = skip_ws(p + 1, end);
		if (p >= end || (*p != '"' && !scalar_end(p, end)))
			break;
		k = item_key(x, i, x->text.data, x->text.len, &klen);
		if (!opened) {
			jw_open(w, key, '{');
			opened = true;
		}
		jw_sep(w);
		json_str(w->b, k, klen);
		buf_addc(w->b, ':');
		if (*p == '"') {
			buf_reset(&x->text);
			if (!(p = decode_str(p, end, &x->text))) {
				buf_add(w->b, "null", 4);
				break;
			}
			json_str(w->b, x->text.data, x->text.len);
		} else {
			vend = scalar_end(p, end);
			if (vend - v == 4 && memcmp(v, "null", 4) == 0)
				buf_add(w->b, "null", 4);
			else
				json_str(w->b, v, (size_t)(vend - v));
			p = vend;
		}
		p = skip_ws(p, end);
		if (p >= end || *p != ']')
			break;
		p = skip_ws(p + 1, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	if (opened)
		jw_close(w, '}');
}

/* ---- documents ---------------------------------------------------------- */

void
export_init(struct exporter *x, const struct export_opts *o)
{
	memset(x, 0, sizeof(*x));
	x->o = o;
	buf_init(&x->line, EXPORT_LINE_MAX);
	buf_init(&x->text, EXPORT_LINE_MAX);
	buf_init(&x->keys, EXPORT_LINE_MAX);
	buf_init(&x->action, EXPORT_LINE_MAX);
	if (o->bulk_index) {
		buf_adds(&x->action, "{\"index\":{\"_index\":");
		json_cstr(&x->action, o->bulk_index);
		buf_adds(&x->action, "}}\n");
	}
}

void
export_release(struct exporter *x)
{
	buf_release(&x->line);
	buf_release(&x->text);
	buf_release(&x->keys);
	buf_release(&x->action);
	free(x->key);
	free(x->slot);
	memset(x, 0, sizeof(*x));
}

/* Write the document in x->line (after the action line for bulk). */
static int
emit(FILE *out, struct exporter *x)
{
	if (x->line.truncated || x->text.truncated || x->keys.truncated) {
		buf_reset(&x->line);
		buf_reset(&x->text);
		buf_reset(&x->keys);
		return EXPORT_TOO_LARGE;
	}
	buf_addc(&x->line, '\n');
	if (x->action.len && fwrite(x->action.data, 1, x->action.len, out) != x->action.len)
		return EXPORT_WRITE;
	if (fwrite(x->line.data, 1, x->line.len, out) != x->line.len)
		return EXPORT_WRITE;
	x->documents++;
	return EXPORT_OK;
}

/* Is the format a Windows event format? Asked once per source. */
static bool
windows_format(struct exporter *x, const struct store_export_row *r)
{
	if (r->source_id != x->last_source) {
		x->last_source = r->source_id;
		x->last_windows = sig_kind_of_format(r->format) == SK_EVENT;
	}
	return x->last_windows;
}

int
export_event_ndjson(FILE *out, struct exporter *x, const struct store_export_row *r)
{
	bool windows = windows_format(x, r);
	const char *host = r->computer && *r->computer ? r->computer : x->o->host;
	struct jw w;

	buf_reset(&x->line);
	jw_begin(&w, &x->line);
	jw_str(&w, "@timestamp", r->time);
	jw_key(&w, "message");
	json_cstr(&x->line, r->message ? r->message : "");

	jw_open(&w, "event", '{');
	jw_str(&w, "kind", "event");
	jw_str(&w, "module", "ecdiag");
	jw_key(&w, "dataset");
	buf_reset(&x->text);
	buf_adds(&x->text, "ecdiag.");
	buf_adds(&x->text, r->format && *r->format ? r->format : "unknown");
	json_str(&x->line, x->text.data, x->text.len);
	jw_str(&w, "provider", r->provider);
	if (r->event_id >= 0)
		jw_int_str(&w, "code", r->event_id);
	jw_int(&w, "sequence", r->ordinal);
	jw_close(&w, '}');

	jw_open(&w, "log", '{');
	jw_str(&w, "level", r->level);
	if (r->path && *r->path) {
		jw_open(&w, "file", '{');
		jw_str(&w, "path", r->path);
		jw_close(&w, '}');
	}
	jw_close(&w, '}');

	if (host && *host) {
		jw_open(&w, "host", '{');
		jw_str(&w, "name", host);
		jw_close(&w, '}');
	}
	if (!windows && r->thread && *r->thread) {
		jw_open(&w, "process", '{');
		jw_open(&w, "thread", '{');
		jw_str(&w, "name", r->thread);
		jw_close(&w, '}');
		jw_close(&w, '}');
	}

	if (windows) {
		jw_open(&w, "winlog", '{');
		jw_str(&w, "channel", r->channel);
		jw_str(&w, "computer_name", r->computer);
		if (r->record_id >= 0)
			jw_int(&w, "record_id", r->record_id);
		if (r->event_id >= 0)
			jw_int_str(&w, "event_id", r->event_id);
		jw_str(&w, "provider_name", r->provider);
		if (r->user_sid && *r->user_sid) {
			jw_open(&w, "user", '{');
			jw_str(&w, "identifier", r->user_sid);
			jw_close(&w, '}');
		}
		if (r->task >= 0)
			jw_int(&w, "task", r->task);
		if (r->opcode >= 0)
			jw_int(&w, "opcode", r->opcode);
		if (r->keywords && *r->keywords) {
			jw_open(&w, "keywords", '[');
			json_cstr(&x->line, r->keywords);
			jw_close(&w, ']');
		}
		if (r->process_id >= 0 || r->thread_id >= 0) {
			jw_open(&w, "process", '{');
			if (r->process_id >= 0)
				jw_int(&w, "pid", r->process_id);
			if (r->thread_id >= 0) {
				jw_open(&w, "thread", '{');
				jw_int(&w, "id", r->thread_id);
				jw_close(&w, '}');
			}
			jw_close(&w, '}');
		}
		data_object(&w, x, "event_data", r->data);
		jw_close(&w, '}');
	}

	jw_open(&w, "ecdiag", '{');
	jw_str(&w, "case", x->o->case_name);
	jw_int(&w, "id", r->id);
	jw_open(&w, "source", '{');
	jw_int(&w, "id", r->source_id);
	jw_str(&w, "format", r->format);
	jw_str(&w, "sha256", r->sha256);
	jw_close(&w, '}');
	if (r->line > 0)
		jw_int(&w, "line", r->line);
	if (r->offset >= 0)
		jw_int(&w, "offset", r->offset);
	jw_str(&w, "time_quality", r->time_q);
	jw_str(&w, "time_local", r->time_local);
	if (windows && r->qualifiers >= 0)
		jw_int(&w, "qualifiers", r->qualifiers);
	if (!windows)
		data_object(&w, x, "data", r->data);
	jw_close(&w, '}');
	jw_close(&w, '}');
	return emit(out, x);
}

/* ECS event.severity of a finding's severity; 0 when it is none of them. */
static int
severity_number(const char *sev)
{
	static const char *const names[] = { "info", "warning", "error", "critical" };

	for (int i = 0; sev && i < 4; i++)
		if (strcmp(sev, names[i]) == 0)
			return i + 1;
	return 0;
}

/* references (array of strings) and captures (object of strings) from a
 * finding's data. */
static void
finding_data(struct jw *w, const cJSON *d)
{
	const cJSON *it, *v;

	it = cJSON_GetObjectItemCaseSensitive(d, "references");
	if (cJSON_IsArray(it) && cJSON_GetArraySize(it) > 0) {
		jw_open(w, "references", '[');
		cJSON_ArrayForEach(v, it) {
			if (!cJSON_IsString(v) || !v->valuestring[0])
				continue;
			jw_sep(w);
			json_cstr(w->b, v->valuestring);
		}
		jw_close(w, ']');
	}
	it = cJSON_GetObjectItemCaseSensitive(d, "captures");
	if (cJSON_IsObject(it) && cJSON_GetArraySize(it) > 0) {
		jw_open(w, "captures", '{');
		cJSON_ArrayForEach(v, it) {
			char *num;

			if (!v->string)
				continue;
			if (cJSON_IsString(v)) {
				jw_sep(w);
				json_cstr(w->b, v->string);
				buf_addc(w->b, ':');
				json_cstr(w->b, v->valuestring);
			} else if (cJSON_IsNumber(v) && (num = cJSON_PrintUnformatted(v)) != NULL) {
				jw_sep(w);
				json_cstr(w->b, v->string);
				buf_addc(w->b, ':');
				json_cstr(w->b, num);
				free(num);
			}
		}
		jw_close(w, '}');
	}
}

static const char *
first_reference(const cJSON *d)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(d, "references"), *v;

	cJSON_ArrayForEach(v, it)
		if (cJSON_IsString(v) && v->valuestring[0])
			return v->valuestring;
	return NULL;
}

int
export_finding_ndjson(FILE *out, struct exporter *x, const struct an_finding *f)
{
	cJSON *d = f->data ? cJSON_Parse(f->data) : NULL;
	int sev = severity_number(f->severity);
	struct jw w;

	if (d && !cJSON_IsObject(d)) {
		cJSON_Delete(d);
		d = NULL;
	}
	buf_reset(&x->line);
	jw_begin(&w, &x->line);
	jw_str(&w, "@timestamp", f->time);
	buf_reset(&x->text);
	buf_adds(&x->text, f->title ? f->title : f->rule ? f->rule : "finding");
	if (f->summary && *f->summary) {
		buf_add(&x->text, ": ", 2);
		buf_adds(&x->text, f->summary);
	}
	jw_key(&w, "message");
	json_str(&x->line, x->text.data, x->text.len);

	jw_open(&w, "event", '{');
	jw_str(&w, "kind", "alert");
	jw_str(&w, "module", "ecdiag");
	jw_str(&w, "dataset", "ecdiag.finding");
	if (sev)
		jw_int(&w, "severity", sev);
	jw_close(&w, '}');

	if (f->severity && *f->severity) {
		jw_open(&w, "log", '{');
		jw_str(&w, "level", f->severity);
		jw_close(&w, '}');
	}
	if (x->o->host && *x->o->host) {
		jw_open(&w, "host", '{');
		jw_str(&w, "name", x->o->host);
		jw_close(&w, '}');
	}

	jw_open(&w, "rule", '{');
	jw_str(&w, "id", f->rule);
	jw_str(&w, "name", f->title);
	jw_str(&w, "category", f->kind && *f->kind ? f->kind : "check");
	jw_str(&w, "reference", d ? first_reference(d) : NULL);
	jw_close(&w, '}');

	jw_open(&w, "ecdiag", '{');
	jw_str(&w, "case", x->o->case_name);
	jw_open(&w, "finding", '{');
	jw_int(&w, "id", f->id);
	if (f->rank > 0)
		jw_int(&w, "rank", f->rank);
	jw_str(&w, "severity", f->severity);
	jw_str(&w, "confidence", f->confidence);
	jw_str(&w, "summary", f->summary);
	jw_str(&w, "remediation", f->remediation);
	jw_str(&w, "explained_by", f->explained_by);
	if (d)
		finding_data(&w, d);
	jw_open(&w, "evidence", '[');
	for (size_t i = 0; i < f->nev; i++) {
		const struct an_evidence *e = &f->ev[i];

		jw_elem(&w, '{');
		jw_str(&w, "path", e->path);
		if (e->line > 0)
			jw_int(&w, "line", e->line);
		if (e->record > 0)
			jw_int(&w, "record", e->record);
		jw_str(&w, "time", e->time);
		jw_str(&w, "format", e->format);
		jw_str(&w, "note", e->note);
		jw_str(&w, "message", e->message);
		if (e->event_id > 0)
			jw_int(&w, "event", e->event_id);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	jw_close(&w, '}');
	jw_close(&w, '}');
	cJSON_Delete(d);
	return emit(out, x);
}

/* ---- the timeline as CSV ------------------------------------------------ */

/* One CSV field after a comma (none before the first): valid UTF-8 (U+FFFD
 * for what is not), quoted when it holds a comma, a quote, CR or LF, with
 * quotes doubled. NULL: an empty field. */
static void
csv_field(struct buf *b, const char *s, bool first)
{
	const unsigned char *p, *end;
	bool quote;

	if (!first)
		buf_addc(b, ',');
	if (!s)
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	p = (const unsigned char *)s;
	end = p + strlen(s);
	if (quote)
		buf_addc(b, '"');
	while (p < end) {
		uint32_t ucp;
		size_t k = *p < 0x80 ? 1 : utf8_seq(p, (size_t)(end - p), &ucp);

		if (*p == '"')
			buf_addc(b, '"');
		if (k) {
			buf_add(b, p, k);
			p += k;
		} else {
			buf_add(b, REPLACEMENT, 3);
			p++;
		}
	}
	if (quote)
		buf_addc(b, '"');
}

static void
csv_int(struct buf *b, int64_t v, bool known)
{
	buf_addc(b, ',');
	if (known)
		buf_add_i64(b, v);
}

int
export_timeline_csv(FILE *out, const struct timeline *t)
{
	static const char header[] = "start,end,lane,kind,status,label,detail,path,line,record\n";
	struct buf b;
	int rc = 0;

	if (fputs(header, out) < 0)
		return -1;
	buf_init(&b, EXPORT_LINE_MAX);
	for (size_t i = 0; i < t->nitems && rc == 0; i++) {
		const struct tl_item *it = &t->items[i];

		buf_reset(&b);
		csv_field(&b, it->start, true);
		csv_field(&b, it->end, false);
		csv_field(&b, it->lane < t->nlanes ? t->lanes[it->lane].name : NULL, false);
		csv_field(&b, tl_kind_name(it->kind), false);
		csv_field(&b, tl_status_name(it->status), false);
		csv_field(&b, it->label, false);
		csv_field(&b, it->detail, false);
		csv_field(&b, it->path, false);
		csv_int(&b, it->line, it->line > 0);
		csv_int(&b, it->record, it->record >= 0);
		buf_addc(&b, '\n');
		if (fwrite(b.data, 1, b.len, out) != b.len)
			rc = -1;
	}
	buf_release(&b);
	return rc;
}
