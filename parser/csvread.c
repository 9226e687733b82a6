/* SPDX-License-Identifier: MIT */
/* csvread.c - RFC 4180 records over the line reader, and local dates of the
 * CSV exports. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/xalloc.h"
#include "parser/csvread.h"
#include "parser/textutil.h"
#include "parser/winevent.h"

enum fstate {
	F_START,	/* at the start of a field */
	F_UNQ,		/* in an unquoted field */
	F_Q,		/* in a quoted field */
	F_QQ,		/* a quote in a quoted field: doubled, closing, or stray */
};

void
csv_init(struct csvread *cr, const struct ec_input *inp, const char *seps)
{
	const struct ec_options *o = inp->opt;
	size_t max_line = text_max_line(o);
	size_t max_rec = text_max_record(o);

	memset(cr, 0, sizeof(*cr));
	cr->inp = inp;
	cr->sink = inp->sink;
	cr->seps = seps;
	cr->sep = seps[0] && !seps[1] ? seps[0] : 0;
	lr_init(&cr->lr, inp->in, inp->enc.enc, inp->enc.bom, max_line);
	buf_init(&cr->rec, max_rec);
}

void
csv_release(struct csvread *cr)
{
	lr_release(&cr->lr);
	buf_release(&cr->rec);
	free(cr->span);
	free(cr->field);
	cr->span = NULL;
	cr->field = NULL;
}

int
csv_problemf(struct csvread *cr, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!text_problem_ok(&cr->problems))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_problemf(cr->sink, cr->line, cr->offset, 0, 0, "%s", msg);
}

/* ---- records ------------------------------------------------------------ */

static bool
is_sep(struct csvread *cr, char c)
{
	if (cr->sep)
		return c == cr->sep;
	if (c && strchr(cr->seps, c)) {
		cr->sep = c;
		return true;
	}
	return false;
}

static void
add(struct csvread *cr, const char *p, size_t n, bool has_nul)
{
	cr->cut_bytes += text_append_line(&cr->rec, sv_make(p, n), has_nul);
}

static void
begin_field(struct csvread *cr, bool quoted)
{
	if (cr->nfields < CSV_MAX_FIELDS) {
		if (cr->nfields == cr->cap) {
			cr->cap = cr->cap ? 2 * cr->cap : 16;
			cr->span = xrealloc(cr->span, cr->cap * sizeof(*cr->span));
			cr->field = xrealloc(cr->field, cr->cap * sizeof(*cr->field));
		}
		cr->span[cr->nfields].off = cr->rec.len;
		cr->span[cr->nfields].quoted = quoted;
	}
}

static void
end_field(struct csvread *cr, bool more)
{
	if (cr->nfields < CSV_MAX_FIELDS) {
		struct csv_span *s = &cr->span[cr->nfields];

		s->len = cr->rec.len - s->off;
		cr->nfields++;
	} else {
		cr->dropped_fields++;
	}
	if (more)
		cr->cut_bytes += text_append(&cr->rec, &cr->sep, 1);
}

/* Read one line's worth of the record; *st carries the field state from
 * line to line. Returns true when the record goes on on the next line. */
static bool
scan_line(struct csvread *cr, struct sv line, enum fstate *st, bool *stray, bool has_nul)
{
	const char *p = line.p, *end = line.p + line.n;

	while (p < end) {
		switch (*st) {
		case F_START:
			if (*p == '"') {
				begin_field(cr, true);
				*st = F_Q;
				p++;
			} else {
				begin_field(cr, false);
				*st = F_UNQ;
			}
			break;
		case F_UNQ: {
			const char *q = p;

			while (q < end && !is_sep(cr, *q))
				q++;
			add(cr, p, (size_t)(q - p), has_nul);
			if (q == end) {
				p = end;
				break;
			}
			end_field(cr, true);
			*st = F_START;
			p = q + 1;
			break;
		}
		case F_Q: {
			const char *q = memchr(p, '"', (size_t)(end - p));

			if (!q) {
				add(cr, p, (size_t)(end - p), has_nul);
				p = end;
				break;
			}
			add(cr, p, (size_t)(q - p), has_nul);
			*st = F_QQ;
			p = q + 1;
			break;
		}
		case F_QQ: {
			const char *q = p;

			if (*p == '"') {
				add(cr, "\"", 1, false);
				*st = F_Q;
				p++;
				break;
			}
			/* Spaces between the closing quote and the separator. */
			while (q < end && (*q == ' ' || *q == '\t') && !is_sep(cr, *q))
				q++;
			if (q == end) {
				end_field(cr, false);
				*st = F_START;
				return false;
			}
			if (is_sep(cr, *q)) {
				end_field(cr, true);
				*st = F_START;
				p = q + 1;
				break;
			}
			/* An unescaped quote inside the field: text. */
			*stray = true;
			add(cr, "\"", 1, false);
			*st = F_Q;
			break;
		}
		}
	}
	switch (*st) {
	case F_START:		/* the line ended with a separator */
		begin_field(cr, false);
		end_field(cr, false);
		return false;
	case F_UNQ:
	case F_QQ:
		end_field(cr, false);
		*st = F_START;
		return false;
	case F_Q:
		add(cr, "\n", 1, false);
		return true;
	}
	return false;
}

/* The record is complete: clip what a cut left, make the views, report. */
static int
close_record(struct csvread *cr, bool stray)
{
	int rc;

	if (cr->rec.truncated)
		text_drop_partial_utf8(&cr->rec);
	for (size_t i = 0; i < cr->nfields; i++) {
		struct csv_span *s = &cr->span[i];

		if (s->off > cr->rec.len)
			s->off = cr->rec.len;
		if (s->len > cr->rec.len - s->off)
			s->len = cr->rec.len - s->off;
		cr->field[i] = sv_make(cr->rec.data + s->off, s->len);
	}
	cr->records++;
	if (cr->cut_bytes &&
	    (rc = csv_problemf(cr, "record starting at line %" PRIu64 " too long, cut at %zu bytes "
			       "(%" PRIu64 " bytes dropped)", cr->line, cr->rec.max, cr->cut_bytes)) != 0)
		return rc;
	if (cr->unterminated &&
	    (rc = csv_problemf(cr, "the input ends inside a quoted field of the record starting at "
			       "line %" PRIu64 ": cut off?", cr->line)) != 0)
		return rc;
	if (stray &&
	    (rc = csv_problemf(cr, "quote not doubled inside a quoted field of the record starting "
			       "at line %" PRIu64 ": kept as text", cr->line)) != 0)
		return rc;
	if (cr->dropped_fields &&
	    (rc = csv_problemf(cr, "record starting at line %" PRIu64 " has more than %d fields: "
			       "%zu dropped", cr->line, CSV_MAX_FIELDS, cr->dropped_fields)) != 0)
		return rc;
	return 0;
}

int
csv_next(struct csvread *cr)
{
	enum fstate st = F_START;
	bool open = false, stray = false, has_nul;
	struct sv line;
	int r, rc;

	buf_reset(&cr->rec);
	cr->nfields = 0;
	cr->cut_bytes = 0;
	cr->dropped_fields = 0;
	cr->unterminated = false;
	for (;;) {
		r = lr_next(&cr->lr, &line);
		if (r <= 0) {
			if (!open)
				return r;
			/* The input ends inside a quoted field. */
			if (cr->rec.len && cr->rec.data[cr->rec.len - 1] == '\n')
				cr->rec.data[--cr->rec.len] = '\0';
			end_field(cr, false);
			cr->unterminated = true;
			break;
		}
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((cr->lr.nul_bytes || cr->lr.cut_bytes || cr->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&cr->lr, cr->sink, has_nul, &cr->problems)) != 0) {
			cr->stop = rc;
			return 2;
		}
		if (!open) {
			if (text_blank(line))
				continue;
			open = true;
			cr->line = cr->lr.lineno;
			cr->offset = cr->lr.offset;
		}
		cr->end_line = cr->lr.lineno;
		if (!scan_line(cr, line, &st, &stray, has_nul))
			break;
	}
	if ((rc = close_record(cr, stray)) != 0) {
		cr->stop = rc;
		return 2;
	}
	return 1;
}

struct sv
csv_rest(const struct csvread *cr, size_t k)
{
	const struct csv_span *last;

	if (k >= cr->nfields)
		return SV_NULL;
	last = &cr->span[cr->nfields - 1];
	return sv_make(cr->rec.data + cr->span[k].off, last->off + last->len - cr->span[k].off);
}

int
csv_finish(struct csvread *cr, int r)
{
	return text_finish(&cr->lr, cr->sink, cr->problems, r);
}

/* ---- numbers and names -------------------------------------------------- */

static struct sv
trim_spaces(struct sv v)
{
	while (v.n && (v.p[0] == ' ' || v.p[0] == '\t'))
		v = sv_make(v.p + 1, v.n - 1);
	while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	return v;
}

static bool
read_u64(struct sv v, uint64_t *out)
{
	uint64_t x = 0;

	if (!v.n)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		unsigned d = (unsigned)(v.p[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

bool
csv_int(struct sv v, int64_t *out)
{
	bool neg = false;
	uint64_t x;

	v = trim_spaces(v);
	if (v.n && (v.p[0] == '-' || v.p[0] == '+')) {
		neg = v.p[0] == '-';
		v = sv_make(v.p + 1, v.n - 1);
	}
	if (!read_u64(v, &x) || x > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x) : (int64_t)x;
	return true;
}

bool
csv_u64(struct sv v, uint64_t *out)
{
	int64_t s;

	v = trim_spaces(v);
	if (v.n && v.p[0] == '-') {
		if (!csv_int(v, &s))
			return false;
		*out = (uint64_t)s;
		return true;
	}
	if (v.n && v.p[0] == '+')
		v = sv_make(v.p + 1, v.n - 1);
	return read_u64(v, out);
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool
csv_name_eq(struct sv v, const char *lit)
{
	size_t n = strlen(lit);

	v = trim_spaces(v);
	if (v.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (lower(v.p[i]) != lower(lit[i]))
			return false;
	}
	return true;
}

enum ec_level
csv_entry_type(struct sv v)
{
	int64_t n;

	if (csv_int(v, &n)) {
		switch (n) {
		case 1:
			return LVL_ERROR;
		case 2:
		case 16:
			return LVL_WARN;
		case 0:
		case 4:
		case 8:
			return LVL_INFO;
		default:
			return LVL_NONE;
		}
	}
	if (csv_name_eq(v, "SuccessAudit"))
		return LVL_INFO;
	if (csv_name_eq(v, "FailureAudit"))
		return LVL_WARN;
	return winevent_level_name(v);
}

/* ---- local dates -------------------------------------------------------- */

#define TIME_MAX 64

/* Copy a date to out without the direction marks (U+200E, U+200F,
 * U+202A..U+202E) some Windows versions put around its parts, no-break
 * spaces (U+00A0, U+202F before AM/PM with ICU) made plain. Returns the
 * length, or 0 if it does not fit. */
static size_t
clean_date(struct sv in, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < in.n; i++) {
		const unsigned char *u = (const unsigned char *)in.p + i;
		size_t left = in.n - i;
		char c = in.p[i];

		if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
		    (u[2] == 0x8E || u[2] == 0x8F || (u[2] >= 0xAA && u[2] <= 0xAE))) {
			i += 2;
			continue;
		}
		if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xAF || u[2] == 0x89)) {
			i += 2;
			c = ' ';
		} else if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA0) {
			i += 1;
			c = ' ';
		}
		if (k + 1 >= TIME_MAX)
			return 0;
		out[k++] = c;
	}
	out[k] = '\0';
	return k;
}

static int
num_at(const char **p, int maxd, int *digits)
{
	int v = 0, d = 0;

	while (**p >= '0' && **p <= '9' && d < maxd) {
		v = v * 10 + (**p - '0');
		(*p)++;
		d++;
	}
	*digits = d;
	return v;
}

static void
skip_spaces(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static bool
word_ci(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	for (size_t i = 0; i < n; i++) {
		if (lower((*p)[i]) != lit[i])
			return false;
	}
	*p += n;
	return true;
}

struct rdate {
	int a, b, y;		/* the three date numbers as written */
	int da, dy;		/* digits of the first and the last */
	char sep;
	int hour, min, sec, msec;
	int ampm;		/* 0 none, 'a', 'p' */
	bool zone;		/* Z or an offset was written */
	int zone_min;
};

static bool
read_date(const char *s, struct rdate *d)
{
	const char *p = s;
	int db, dh, dm, ds, sign;

	memset(d, 0, sizeof(*d));
	skip_spaces(&p);
	d->a = num_at(&p, 4, &d->da);
	if (!d->da || (*p != '/' && *p != '.' && *p != '-'))
		return false;
	d->sep = *p++;
	skip_spaces(&p);
	d->b = num_at(&p, 2, &db);
	if (!db || *p != d->sep)
		return false;
	p++;
	skip_spaces(&p);
	d->y = num_at(&p, 4, &d->dy);
	if (!d->dy || (*p >= '0' && *p <= '9'))
		return false;
	if (*p == '.')
		p++;
	if (*p == 'T')
		p++;
	else if (*p != ' ')
		return false;
	skip_spaces(&p);
	d->hour = num_at(&p, 2, &dh);
	if (!dh || *p++ != ':')
		return false;
	d->min = num_at(&p, 2, &dm);
	if (dm != 2)
		return false;
	if (*p == ':') {
		p++;
		d->sec = num_at(&p, 2, &ds);
		if (ds != 2)
			return false;
		if (*p == '.' || *p == ',') {
			int scale = 100;

			p++;
			if (*p < '0' || *p > '9')
				return false;
			for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
				d->msec += (*p - '0') * scale;
		}
	}
	skip_spaces(&p);
	if (word_ci(&p, "am") || word_ci(&p, "a.m.") || word_ci(&p, "a. m."))
		d->ampm = 'a';
	else if (word_ci(&p, "pm") || word_ci(&p, "p.m.") || word_ci(&p, "p. m."))
		d->ampm = 'p';
	skip_spaces(&p);
	if (*p == 'Z') {
		d->zone = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		dh = read_digits(p, 2);
		if (dh < 0)
			return false;
		p += 2;
		if (*p == ':')
			p++;
		dm = read_digits(p, 2);
		if (dm < 0)
			return false;
		p += 2;
		d->zone = true;
		d->zone_min = sign * (dh * 60 + dm);
	}
	skip_spaces(&p);
	if (*p)
		return false;
	if (d->ampm) {
		if (d->hour < 1 || d->hour > 12)
			return false;
		if (d->ampm == 'a' && d->hour == 12)
			d->hour = 0;
		else if (d->ampm == 'p' && d->hour < 12)
			d->hour += 12;
	}
	return d->hour < 24 && d->min < 60 && d->sec < 60;
}

static int
full_year(int y, int digits)
{
	if (digits == 4)
		return y;
	if (digits == 2)
		return y < 70 ? 2000 + y : 1900 + y;
	return -1;
}

int
csv_time(struct csvread *cr, struct sv text, struct ec_time *t)
{
	const struct ec_options *o = cr->inp->opt;
	char s[TIME_MAX], iso[32];
	struct rdate d;
	struct civil c;
	char order, dflt;
	int rc = 0;

	t->ms = 0;
	t->tod_ms = -1;
	t->q = TQ_NONE;
	text = sv_trim(text);
	if (!text.n)
		return 0;
	if (!clean_date(text, s) || !read_date(s, &d))
		goto bad;
	memset(&c, 0, sizeof(c));
	c.hour = d.hour;
	c.min = d.min;
	c.sec = d.sec;
	c.msec = d.msec;
	if (d.da == 4) {
		/* 2023-05-12, 2023/5/12: year, month, day. */
		if (d.dy > 2)
			goto bad;
		c.year = d.a;
		c.month = d.b;
		c.day = d.y;
	} else {
		c.year = full_year(d.y, d.dy);
		if (c.year < 0 || d.da > 2)
			goto bad;
		/* en-US writes M/d/yyyy h:mm:ss tt; cultures with a 24-hour
		 * clock write the day first (dd/MM/yyyy, dd.MM.yyyy, d-M-yyyy). */
		dflt = d.ampm && d.sep != '.' ? 'm' : 'd';
		if (d.a > 12 || d.b > 12) {
			order = d.a > 12 ? 'd' : 'm';
			if (cr->assumed && cr->assumed != order && !cr->told_conflict) {
				cr->told_conflict = true;
				rc = csv_problemf(cr, "date '%.*s' can only be read %s first: dates "
						  "before it that could be read both ways were "
						  "read %s first", (int)text.n, text.p,
						  order == 'd' ? "day" : "month",
						  order == 'd' ? "month" : "day");
			}
			cr->order = order;
		} else if (d.a == d.b) {
			order = 'd';
		} else if (cr->order) {
			order = cr->order;
		} else {
			order = dflt;
			cr->assumed = order;
			if (!cr->told_ambiguous) {
				cr->told_ambiguous = true;
				if (order == 'd')
					snprintf(iso, sizeof(iso), "%04d-%02d-%02d", c.year, d.b, d.a);
				else
					snprintf(iso, sizeof(iso), "%04d-%02d-%02d", c.year, d.a, d.b);
				rc = csv_problemf(cr, "date '%.*s' could be month/day or day/month: "
						  "read as %s (%s), as are the other such dates "
						  "until one settles the order", (int)text.n, text.p,
						  iso, order == 'd' ? d.sep == '.' ?
						  "day first, as dotted dates are written" :
						  "day first, as 24-hour dates are mostly written" :
						  "month first, as with AM/PM");
			}
		}
		c.month = order == 'd' ? d.b : d.a;
		c.day = order == 'd' ? d.a : d.b;
	}
	if (!civil_valid(&c))
		goto bad;
	t->ms = civil_to_ms(&c);
	t->tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000 + c.msec;
	if (d.zone) {
		t->ms -= (int64_t)d.zone_min * 60000;
		t->q = TQ_EXACT;
	} else if (o && o->have_offset) {
		t->ms -= (int64_t)o->utc_offset_min * 60000;
		t->q = TQ_LOCAL_GIVEN;
	} else {
		t->q = TQ_LOCAL_ASSUMED;
	}
	return rc;
bad:
	return csv_problemf(cr, "date '%.*s' at line %" PRIu64 " not understood: the event has no "
			    "time", (int)(text.n > 80 ? 80 : text.n), text.p, cr->line);
}
