/* SPDX-License-Identifier: MIT */
/* jsonstream.c - top-level JSON objects cut from a stream into a bounded
 * buffer and parsed one at a time (jsonstream.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/jsonstream.h"
#include "parser/textutil.h"

#define READ_SIZE (64u * 1024u)

int
js_problemf(struct jsonstream *js, uint64_t line, uint64_t offset, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!text_problem_ok(&js->problems))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_problemf(js->sink, line, offset, 0, 0, "%s", msg);
}

void
js_init(struct jsonstream *js, const struct ec_input *inp)
{
	size_t max_rec = text_max_record(inp->opt);

	memset(js, 0, sizeof(*js));
	js->inp = inp;
	js->sink = inp->sink;
	js->enc = inp->enc.enc;
	js->lineno = 1;
	js->raw = xmalloc(READ_SIZE);
	buf_init(&js->obj, max_rec);
	buf_init(&js->conv, 3 * max_rec);
	buf_init(&js->one, 8);
}

void
js_release(struct jsonstream *js)
{
	buf_release(&js->obj);
	buf_release(&js->conv);
	buf_release(&js->one);
	free(js->raw);
	js->raw = NULL;
}

/* ---- one element -------------------------------------------------------- */

/* An element is cut: parse it and hand it over. */
static int
element(struct jsonstream *js)
{
	const char *text = js->obj.data, *err;
	size_t len = js->obj.len;
	struct js_element el;
	cJSON *o;
	int rc;

	if (js->obj.len > js->peak)
		js->peak = js->obj.len;
	if (js->obj.truncated)
		return js_problemf(js, js->obj_line, js->obj_offset,
				   "object at line %" PRIu64 " larger than %zu bytes: skipped",
				   js->obj_line, js->obj.max);
	if (js->enc == ENC_UTF8 && utf8_valid_len((const unsigned char *)text, len) != len) {
		/* Not UTF-8 after all: Windows-1252, as the line reader does. */
		buf_reset(&js->conv);
		cp1252_to_utf8(&js->conv, (const unsigned char *)text, len);
		text = js->conv.data;
		len = js->conv.len;
	}
	o = cJSON_ParseWithLength(text, len);
	if (!o) {
		err = cJSON_GetErrorPtr();
		return js_problemf(js, js->obj_line, js->obj_offset,
				   "object at line %" PRIu64 " is not valid JSON (at byte %zu of it): "
				   "skipped", js->obj_line,
				   err && err >= text && err <= text + len ? (size_t)(err - text) : len);
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return js_problemf(js, js->obj_line, js->obj_offset,
				   "element at line %" PRIu64 " is not an object: skipped", js->obj_line);
	}
	el.json = o;
	el.text = text;
	el.len = len;
	el.line = js->obj_line;
	el.offset = js->obj_offset;
	js->elements++;
	rc = js->fn(js->ctx, &el);
	cJSON_Delete(o);
	return rc;
}

/* ---- the scanner -------------------------------------------------------- */

static void
start(struct jsonstream *js, uint64_t off, bool scalar)
{
	js->capturing = true;
	js->scalar = scalar;
	js->in_str = js->esc = false;
	js->cap_depth = js->depth;
	js->obj_line = js->lineno;
	js->obj_offset = off;
	buf_reset(&js->obj);
}

/* A byte outside any element: *started if it is the first of one. */
static int
outside(struct jsonstream *js, unsigned char c, uint64_t off, bool *started)
{
	*started = false;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return 0;
	if (js->depth == 0) {
		if (c == '[') {
			js->depth = 1;
			return 0;
		}
		if (c == '{') {
			start(js, off, false);
			*started = true;
			return 0;
		}
	} else {
		if (c == ',')
			return 0;
		if (c == ']') {
			js->depth = 0;
			return 0;
		}
		start(js, off, c != '{' && c != '[');
		*started = true;
		return 0;
	}
	if (js->junk_told)
		return 0;
	js->junk_told = true;
	return js_problemf(js, js->lineno, off, "text outside the JSON arrays and objects at line "
			   "%" PRIu64 ": ignored", js->lineno);
}

/* Bytes that end a run of string text. */
static bool
special(unsigned char c)
{
	return c == '"' || c == '\\' || c == '\n' || c == '\r' || c == 0;
}

/* Bytes that end a run of text between strings inside an array or object
 * element. */
static bool
structural(unsigned char c)
{
	return c == '"' || c == '{' || c == '[' || c == '}' || c == ']' || c == '\n' || c == '\r' ||
	       c == 0;
}

/* Feed decoded UTF-8 text; byte k came from input offset off + k * stride. */
static int
feed(struct jsonstream *js, const unsigned char *p, size_t n, uint64_t off, unsigned stride)
{
	size_t i = 0;
	int rc;

	while (i < n) {
		unsigned char c = p[i];

		if (js->capturing && js->in_str && !js->esc && !special(c)) {
			size_t j = i + 1;

			while (j < n && !special(p[j]))
				j++;
			buf_add(&js->obj, p + i, j - i);
			i = j;
			continue;
		}
		if (js->capturing && !js->in_str && !js->scalar && !structural(c)) {
			size_t j = i + 1;

			while (j < n && !structural(p[j]))
				j++;
			buf_add(&js->obj, p + i, j - i);
			i = j;
			continue;
		}
		if (js->capturing && js->scalar && !js->in_str &&
		    (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
			/* The end of a scalar element; c is read again outside. */
			js->capturing = false;
			if ((rc = element(js)) != 0)
				return rc;
			continue;
		}
		/* Lines end at LF, CRLF or a lone CR. */
		if (c == '\n') {
			if (!js->prev_cr)
				js->lineno++;
			js->prev_cr = false;
		} else {
			if (c == '\r')
				js->lineno++;
			js->prev_cr = c == '\r';
		}
		if (!js->capturing) {
			bool started;

			if ((rc = outside(js, c, off + i * stride, &started)) != 0)
				return rc;
			if (!started) {
				i++;
				continue;
			}
		}
		i++;
		if (c == 0) {
			buf_add(&js->obj, "\xEF\xBF\xBD", 3);
			js->esc = false;
			continue;
		}
		buf_addc(&js->obj, (char)c);
		if (js->in_str) {
			if (js->esc)
				js->esc = false;
			else if (c == '\\')
				js->esc = true;
			else if (c == '"')
				js->in_str = false;
			continue;
		}
		if (c == '"') {
			js->in_str = true;
		} else if (c == '{' || c == '[') {
			js->depth++;
		} else if ((c == '}' || c == ']') && js->depth > js->cap_depth) {
			js->depth--;
			if (js->depth == js->cap_depth) {
				js->capturing = false;
				if ((rc = element(js)) != 0)
					return rc;
			}
		}
	}
	return 0;
}

/* ---- decoding ----------------------------------------------------------- */

static unsigned
unit(const struct jsonstream *js, const unsigned char *u)
{
	return js->enc == ENC_UTF16BE ? (unsigned)(u[0] << 8 | u[1]) : (unsigned)(u[0] | u[1] << 8);
}

static int
put_cp(struct jsonstream *js, unsigned cp, uint64_t off)
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
	return feed(js, out, k, off, 0);
}

/* Decode n bytes of UTF-16 at input offset off and feed them: runs of ASCII
 * in one call. */
static int
feed_utf16(struct jsonstream *js, const unsigned char *p, size_t n, uint64_t off)
{
	unsigned char ascii[512];
	size_t na = 0, i = 0;
	uint64_t aoff = off;
	int rc;

	while (i + 1 < n) {
		unsigned u = unit(js, p + i);
		uint64_t uoff = off + i;

		i += 2;
		if (u < 0x80 && !js->high) {
			if (!na)
				aoff = uoff;
			ascii[na++] = (unsigned char)u;
			if (na == sizeof(ascii)) {
				if ((rc = feed(js, ascii, na, aoff, 2)) != 0)
					return rc;
				na = 0;
			}
			continue;
		}
		if (na) {
			if ((rc = feed(js, ascii, na, aoff, 2)) != 0)
				return rc;
			na = 0;
		}
		if (js->high) {
			unsigned hi = js->high;

			js->high = 0;
			if (u >= 0xDC00 && u <= 0xDFFF) {
				if ((rc = put_cp(js, 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00),
						 js->high_off)) != 0)
					return rc;
				continue;
			}
			js->bad_units++;
			if ((rc = put_cp(js, 0xFFFD, js->high_off)) != 0)
				return rc;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			js->high = u;
			js->high_off = uoff;
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			js->bad_units++;
			if ((rc = put_cp(js, 0xFFFD, uoff)) != 0)
				return rc;
		} else if ((rc = put_cp(js, u, uoff)) != 0) {
			return rc;
		}
	}
	if (na && (rc = feed(js, ascii, na, aoff, 2)) != 0)
		return rc;
	return 0;
}

/* Windows-1252: ASCII runs as they are, other bytes one by one. */
static int
feed_cp1252(struct jsonstream *js, const unsigned char *p, size_t n, uint64_t off)
{
	size_t i = 0;
	int rc;

	while (i < n) {
		size_t j = i;

		while (j < n && p[j] < 0x80)
			j++;
		if (j > i && (rc = feed(js, p + i, j - i, off + i, 1)) != 0)
			return rc;
		if (j >= n)
			break;
		buf_reset(&js->one);
		cp1252_to_utf8(&js->one, p + j, 1);
		if ((rc = feed(js, (const unsigned char *)js->one.data, js->one.len, off + j, 0)) != 0)
			return rc;
		i = j + 1;
	}
	return 0;
}

/* ---- the read ----------------------------------------------------------- */

/* The end of the input: a surrogate or a byte left over, an element not
 * closed, an array not closed, bad UTF-16. */
static int
at_end(struct jsonstream *js)
{
	int rc;

	if (js->high || js->have_odd) {
		js->bad_units++;
		js->high = 0;
		js->have_odd = false;
		if ((rc = put_cp(js, 0xFFFD, js->rbase)) != 0)
			return rc;
	}
	if (js->capturing && js->scalar && !js->in_str) {
		js->capturing = false;
		if ((rc = element(js)) != 0)
			return rc;
	}
	if (js->capturing) {
		js->capturing = false;
		if ((rc = js_problemf(js, js->obj_line, js->obj_offset,
				      "the input ends inside the object starting at line %" PRIu64
				      " (%zu bytes of it read; cut off?): skipped", js->obj_line,
				      js->obj.len)) != 0)
			return rc;
	} else if (js->depth > 0 &&
		   (rc = js_problemf(js, js->lineno, UINT64_MAX,
				     "the input ends before the array is closed: cut off?")) != 0) {
		return rc;
	}
	if (js->bad_units &&
	    (rc = ec_problemf(js->sink, 0, UINT64_MAX, 0, 0,
			      "invalid utf-16: %" PRIu64 " units replaced", js->bad_units)) != 0)
		return rc;
	return 0;
}

int
js_read(struct jsonstream *js, js_element_fn fn, void *ctx)
{
	size_t skip = js->inp->enc.bom;
	int rc;

	js->fn = fn;
	js->ctx = ctx;
	for (;;) {
		const unsigned char *p = js->raw;
		size_t have = 0, n;
		long got;
		uint64_t off = js->rbase;

		if (js->have_odd) {
			js->raw[0] = js->odd;
			have = 1;
			js->have_odd = false;
			off--;
		}
		got = js->inp->in->read(js->inp->in->ctx, js->raw + have, READ_SIZE - have);
		if (got < 0) {
			js->failed = true;
			break;
		}
		if (got == 0)
			break;
		js->rbase += (uint64_t)got;
		have += (size_t)got;
		n = have;
		while (skip && n) {
			p++;
			n--;
			off++;
			skip--;
		}
		switch (js->enc) {
		case ENC_UTF16LE:
		case ENC_UTF16BE:
			if (n & 1) {
				js->odd = p[n - 1];
				js->have_odd = true;
				n--;
			}
			rc = feed_utf16(js, p, n, off);
			break;
		case ENC_CP1252:
			rc = feed_cp1252(js, p, n, off);
			break;
		default:
			rc = feed(js, p, n, off, 1);
			break;
		}
		if (rc)
			return rc;
	}
	if ((rc = at_end(js)) != 0)
		return rc;
	return js->failed ? -1 : 0;
}

int
js_finish(struct jsonstream *js, int r)
{
	int rc;

	if (r != 0 && !(r == -1 && js->failed))
		return r;
	if (js->problems > TEXT_PROBLEM_CAP &&
	    (rc = ec_problemf(js->sink, 0, UINT64_MAX, 0, 0, "%" PRIu64 " more problems like this",
			      js->problems - TEXT_PROBLEM_CAP)) != 0)
		return rc;
	if (r < 0) {
		const char *why = js->inp->in->error ? js->inp->in->error(js->inp->in->ctx) : NULL;

		rc = ec_problemf(js->sink, js->lineno, UINT64_MAX, 0, 0, "read error: %s",
				 why ? why : "unknown");
		return rc ? rc : -1;
	}
	return 0;
}

/* ---- values ------------------------------------------------------------- */

cJSON *
js_get(const cJSON *o, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(o, name);

	return v && !cJSON_IsNull(v) ? v : NULL;
}

bool
js_num_int(const cJSON *v, int64_t *out)
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

int64_t
js_get_int(const cJSON *o, const char *name)
{
	int64_t v;
	cJSON *x = js_get(o, name);

	return x && js_num_int(x, &v) ? v : -1;
}

struct sv
js_get_str(const cJSON *o, const char *name)
{
	cJSON *x = js_get(o, name);

	return x && cJSON_IsString(x) && x->valuestring ? sv_cstr(x->valuestring) : SV_NULL;
}

bool
js_scalar_text(const cJSON *v, char num[32], struct sv *out)
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

/* ---- dates -------------------------------------------------------------- */

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

/* "2023-05-12T07:34:38.1234567+02:00", "...Z", or without a zone. */
static bool
iso_date(struct sv s, struct ec_time *t, bool *zoned)
{
	const char *p = s.p, *end = s.p + s.n;
	struct civil c;
	int zone = 0, scale = 100;

	memset(&c, 0, sizeof(c));
	*zoned = false;
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
		*zoned = true;
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1, h, m;

		if (end - p < 6 || p[3] != ':' || (h = read_digits(p + 1, 2)) < 0 ||
		    (m = read_digits(p + 4, 2)) < 0)
			return false;
		zone = sign * (h * 60 + m);
		*zoned = true;
		p += 6;
	}
	if (p != end)
		return false;
	t->ms = civil_to_ms(&c) - (int64_t)zone * 60000;
	t->tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000 + c.msec;
	t->q = *zoned ? TQ_EXACT : TQ_LOCAL_ASSUMED;
	return true;
}

bool
js_date(struct sv s, struct ec_time *t, bool *zoned)
{
	int64_t ms;

	if (ms_date(s, &ms)) {
		struct civil c;

		t->ms = ms;
		ms_to_civil(ms, &c);
		t->tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000 + c.msec;
		t->q = TQ_EXACT;
		*zoned = true;
		return true;
	}
	return iso_date(s, t, zoned);
}

/* ---- sniffing ----------------------------------------------------------- */

bool
js_sniff_head(const struct ec_sniff *s, struct sv *head)
{
	struct sv t;
	size_t i = 0;

	if (!s->text)
		return false;
	t = sv_make(s->text, s->text_len < JS_SNIFF_MAX ? s->text_len : JS_SNIFF_MAX);
	if (t.n >= 3 && memcmp(t.p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < t.n && (t.p[i] == ' ' || t.p[i] == '\t' || t.p[i] == '\r' || t.p[i] == '\n'))
		i++;
	if (i >= t.n || (t.p[i] != '[' && t.p[i] != '{'))
		return false;
	*head = t;
	return true;
}

bool
js_has_key(struct sv text, const char *key)
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
