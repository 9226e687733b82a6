/* SPDX-License-Identifier: MIT */
/* fmt_trace.c - the wizard trace log, %ProgramData%\AADConnect\trace-*.log.
 *
 * A record is a line "[HH:MM:SS.fff] [tid] [LEVEL] message" plus every
 * following line that does not start a record (exception blocks, stack
 * frames, MSAL/ADAL blocks, blank lines). Times are local times of day; the
 * date and UTC offset come, best first, from the run header (Start Time
 * (Local) and (UTC)), the 1.0.x Runtime.Start= line, or the file name. The
 * header is a few records into the file, so the first records are held back
 * (at most HOLD_RECORDS records or HOLD_BYTES bytes) until it is seen.
 * Facts (docs/FACTS.md) follow the event they come from. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/timeutil.h"
#include "parser/autoupgrade.h"
#include "parser/fmt_trace.h"
#include "parser/msiline.h"
#include "parser/textutil.h"

#define HOLD_RECORDS 64
#define HOLD_BYTES ((size_t)4 << 20)
#define MAX_OFFSET_MIN (14 * 60)

/* Character classes of the line grammar and of provider names. */
enum { C_DIGIT = 1, C_UPPER = 2, C_IDENT = 4 };
#define D (C_DIGIT | C_IDENT)
#define U (C_UPPER | C_IDENT)
#define L C_IDENT
#define I C_IDENT
static const unsigned char cclass[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, I, I, 0,
	D, D, D, D, D, D, D, D, D, D, 0, 0, 0, 0, 0, 0,
	0, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, 0, 0, 0, 0, I,
	0, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, 0, 0, 0, 0, 0,
};
#undef D
#undef U
#undef L
#undef I

static inline bool
is_digit(unsigned char c)
{
	return cclass[c] & C_DIGIT;
}

static inline int
two_digits(const unsigned char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static enum ec_level
level_of(const char *w, size_t n)
{
	switch (n) {
	case 4:
		if (memcmp(w, "INFO", 4) == 0)
			return LVL_INFO;
		if (memcmp(w, "VERB", 4) == 0)
			return LVL_VERBOSE;
		if (memcmp(w, "WARN", 4) == 0)
			return LVL_WARN;
		break;
	case 5:
		if (memcmp(w, "ERROR", 5) == 0)
			return LVL_ERROR;
		if (memcmp(w, "DEBUG", 5) == 0)
			return LVL_VERBOSE;
		if (memcmp(w, "FATAL", 5) == 0)
			return LVL_CRITICAL;
		break;
	case 7:
		if (memcmp(w, "VERBOSE", 7) == 0)
			return LVL_VERBOSE;
		if (memcmp(w, "WARNING", 7) == 0)
			return LVL_WARN;
		break;
	case 8:
		if (memcmp(w, "CRITICAL", 8) == 0)
			return LVL_CRITICAL;
		break;
	case 13:
		if (memcmp(w, "INFORMATIONAL", 13) == 0)
			return LVL_INFO;
		break;
	}
	return LVL_NONE;
}

bool
trace_line_parse(struct sv line, struct trace_line *out)
{
	const unsigned char *p = (const unsigned char *)line.p;
	size_t n = line.n, i, t0, w0, w1;
	int h, m, s;

	/* Shortest record line: "[00:00:00.000][1][I]". */
	if (n < 20 || p[0] != '[' || p[3] != ':' || p[6] != ':' || p[9] != '.' || p[13] != ']')
		return false;
	if (!(is_digit(p[1]) && is_digit(p[2]) && is_digit(p[4]) && is_digit(p[5]) &&
	      is_digit(p[7]) && is_digit(p[8]) && is_digit(p[10]) && is_digit(p[11]) &&
	      is_digit(p[12])))
		return false;
	h = two_digits(p + 1);
	m = two_digits(p + 4);
	s = two_digits(p + 7);
	if (h > 23 || m > 59 || s > 59)
		return false;
	i = 14;
	while (i < n && p[i] == ' ')
		i++;
	if (i >= n || p[i] != '[')
		return false;
	i++;
	while (i < n && p[i] == ' ')
		i++;
	t0 = i;
	while (i < n && is_digit(p[i]))
		i++;
	if (i == t0 || i - t0 > TRACE_MAX_TID || i >= n || p[i] != ']')
		return false;
	out->thread = sv_make(line.p + t0, i - t0);
	i++;
	while (i < n && p[i] == ' ')
		i++;
	if (i >= n || p[i] != '[')
		return false;
	i++;
	while (i < n && p[i] == ' ')
		i++;
	w0 = i;
	while (i < n && (cclass[p[i]] & C_UPPER))
		i++;
	w1 = i;
	while (i < n && p[i] == ' ')
		i++;
	if (w0 == w1 || i >= n || p[i] != ']')
		return false;
	i++;
	if (i < n && p[i] == ' ')
		i++;
	out->tod_ms = ((h * 60 + m) * 60 + s) * 1000 +
		      (p[10] - '0') * 100 + (p[11] - '0') * 10 + (p[12] - '0');
	out->level_word = sv_make(line.p + w0, w1 - w0);
	out->level = level_of(line.p + w0, w1 - w0);
	out->message = sv_make(line.p + i, n - i);
	return true;
}

/* ---- small text helpers ------------------------------------------------ */

static struct sv
sv_from(struct sv v, size_t at)
{
	if (at >= v.n)
		return sv_make(v.n ? v.p + v.n : v.p, 0);
	return sv_make(v.p + at, v.n - at);
}

static struct sv
first_line(struct sv v)
{
	const char *nl = v.n ? memchr(v.p, '\n', v.n) : NULL;

	return nl ? sv_make(v.p, (size_t)(nl - v.p)) : v;
}

/* Up to (not including) the first byte in stop, trimmed. */
static struct sv
token_until(struct sv v, const char *stop)
{
	size_t i = 0;

	while (i < v.n && !strchr(stop, v.p[i]))
		i++;
	return sv_trim(sv_make(v.p, i));
}

static struct sv
rstrip_dots(struct sv v)
{
	while (v.n && v.p[v.n - 1] == '.')
		v.n--;
	return v;
}

static bool
sv_ends(struct sv v, const char *lit)
{
	size_t n = strlen(lit);

	return v.n >= n && memcmp(v.p + v.n - n, lit, n) == 0;
}

/* "a.b.c.d", each part 1 to 10 digits. */
static bool
is_version4(struct sv v)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t d0 = i;

		while (i < v.n && is_digit((unsigned char)v.p[i]))
			i++;
		if (i == d0 || i - d0 > 10)
			return false;
		if (part < 3) {
			if (i >= v.n || v.p[i] != '.')
				return false;
			i++;
		}
	}
	return i == v.n;
}

struct sv
trace_provider_of(struct sv m)
{
	size_t i = 0, lim = m.n < 128 ? m.n : 128;

	while (i < lim && (cclass[(unsigned char)m.p[i]] & C_IDENT))
		i++;
	if (i < 2 || i >= m.n || m.p[i] != ':')
		return SV_NULL;
	if (i + 1 < m.n && (m.p[i + 1] == '/' || m.p[i + 1] == '\\'))
		return SV_NULL;
	return sv_make(m.p, i);
}

/* The message after a short "Label: " or "Label stage: " prefix, else m. */
static struct sv
after_label(struct sv m)
{
	size_t i = 0, lim = m.n < 64 ? m.n : 64;

	while (i < lim && ((cclass[(unsigned char)m.p[i]] & C_IDENT) || m.p[i] == ' '))
		i++;
	if (i == 0 || i + 1 >= m.n || m.p[i] != ':' || m.p[i + 1] != ' ')
		return m;
	return sv_from(m, i + 2);
}

/* ---- dates ------------------------------------------------------------- */

/* "[Ddd, ]DD Mon YYYY HH:MM:SS" (the rest ignored). */
static bool
parse_rfc1123(struct sv v, struct civil *c)
{
	size_t i = 0;
	int day = 0, nd = 0;

	if (v.n >= 5 && v.p[3] == ',')
		i = 4;
	while (i < v.n && v.p[i] == ' ')
		i++;
	while (i < v.n && nd < 2 && is_digit((unsigned char)v.p[i])) {
		day = day * 10 + (v.p[i] - '0');
		i++;
		nd++;
	}
	if (nd == 0 || i + 1 + 3 + 1 + 4 + 1 + 8 > v.n || v.p[i] != ' ' || v.p[i + 4] != ' ' ||
	    v.p[i + 9] != ' ' || v.p[i + 12] != ':' || v.p[i + 15] != ':')
		return false;
	memset(c, 0, sizeof(*c));
	c->day = day;
	c->month = month_from_abbr(sv_make(v.p + i + 1, 3));
	c->year = read_digits(v.p + i + 5, 4);
	c->hour = read_digits(v.p + i + 10, 2);
	c->min = read_digits(v.p + i + 13, 2);
	c->sec = read_digits(v.p + i + 16, 2);
	return c->sec < 60 && civil_valid(c);
}

/* "YYYY-MM-DDTHH:MM:SS[.f*](Z|+HH:MM|-HH:MM|+HHMM)". */
static bool
parse_iso_offset(struct sv v, struct civil *c, int *offset_min)
{
	size_t i = 19;
	int sign, oh, om;

	if (v.n < 20 || v.p[4] != '-' || v.p[7] != '-' || (v.p[10] != 'T' && v.p[10] != ' ') ||
	    v.p[13] != ':' || v.p[16] != ':')
		return false;
	memset(c, 0, sizeof(*c));
	c->year = read_digits(v.p, 4);
	c->month = read_digits(v.p + 5, 2);
	c->day = read_digits(v.p + 8, 2);
	c->hour = read_digits(v.p + 11, 2);
	c->min = read_digits(v.p + 14, 2);
	c->sec = read_digits(v.p + 17, 2);
	if (c->sec > 59 || !civil_valid(c))
		return false;
	if (v.p[i] == '.') {
		i++;
		while (i < v.n && is_digit((unsigned char)v.p[i]))
			i++;
	}
	if (i < v.n && v.p[i] == 'Z') {
		*offset_min = 0;
		return true;
	}
	if (i + 5 > v.n || (v.p[i] != '+' && v.p[i] != '-'))
		return false;
	sign = v.p[i] == '-' ? -1 : 1;
	oh = read_digits(v.p + i + 1, 2);
	if (v.p[i + 3] == ':') {
		if (i + 6 > v.n)
			return false;
		om = read_digits(v.p + i + 4, 2);
	} else {
		om = read_digits(v.p + i + 3, 2);
	}
	if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > MAX_OFFSET_MIN)
		return false;
	*offset_min = sign * (oh * 60 + om);
	return true;
}

static void
fmt_local(const struct civil *c, char out[32])
{
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d", c->year, c->month, c->day, c->hour,
		 c->min, c->sec);
}

static void
fmt_utc(int64_t ms, char out[32])
{
	struct civil c;

	ms_to_civil(ms, &c);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.min,
		 c.sec);
}

static void
fmt_offset(int off, char out[16])
{
	int a = off < 0 ? -off : off;

	snprintf(out, 16, "%c%02d:%02d", off < 0 ? '-' : '+', a / 60 % 100, a % 60);
}

/* ---- parser state ------------------------------------------------------ */

/* Where the date of the records comes from, weakest first. */
enum date_src {
	SRC_NONE,
	SRC_NAME,	/* trace-YYYYMMDD-HHMMSS in the file name */
	SRC_LOCAL,	/* Start Time (Local) without its UTC line */
	SRC_RUNTIME,	/* 1.0.x Runtime.Start= */
	SRC_HEADER,	/* Start Time (Local) and (UTC) */
};

enum {
	F_START_LOCAL = 1,	/* the record is "Start Time (Local): ..." */
	F_START_UTC = 2,	/* "Start Time (UTC): ..." and hdr_off is its offset */
	F_RUNTIME = 4,		/* a line of the record is "Runtime.Start=..." */
};

/* What an event needs besides its text; held records are stored as this
 * struct followed by msg_len bytes of message. */
struct meta {
	uint64_t line;
	uint64_t offset;
	size_t msg_len;
	int32_t tod;
	int16_t hdr_off;
	uint8_t level;
	uint8_t flags;
	uint8_t tid_len;
	char tid[TRACE_MAX_TID];
};

struct trace_state {
	const struct ec_input *inp;
	const struct ec_sink *sink;
	struct linereader lr;
	struct buf text;	/* the open record's message */
	struct meta cur;	/* the open record */
	bool open;
	uint64_t dropped;	/* bytes of the open record cut at max_record */
	struct buf hold;	/* records waiting for their date */
	size_t nheld;
	bool holding;

	enum date_src src;
	struct daytrack dt;	/* anchored at the source's local start time */
	int offset_min;		/* local minus UTC */
	enum ec_timeq tq;
	bool have_local;	/* a Start Time (Local) line was read */
	int64_t local_ms;	/* its time, read as UTC */

	uint64_t records;
	uint64_t pre_lines;	/* non-blank lines before the first record */
	uint64_t pre_offset;	/* offset of the first of them */
	bool nul_gap;		/* a block of NUL bytes was read and no record has started since */
	uint64_t orphans;	/* non-blank lines since then: their record began in the block */
	uint64_t orphan_line, orphan_offset;	/* the first of them */
	uint64_t problems;	/* per-line problems so far */
	struct trace_facts tf;	/* facts of the messages */
};

static int
fact(struct trace_state *st, const char *name, struct sv key, struct sv value)
{
	return ec_fact_report(st->sink, name, key, value, true);
}

static int
tfact(struct trace_facts *tf, const char *name, struct sv key, struct sv value)
{
	return ec_fact_report(tf->sink, name, key, value, true);
}

/* Report name=value unless the same value was reported before. */
static int
fact_once(struct trace_facts *tf, struct trace_once *o, const char *name, struct sv value)
{
	if (o->set && o->n == value.n && memcmp(o->v, value.p, value.n) == 0)
		return 0;
	o->set = value.n <= sizeof(o->v);
	if (o->set) {
		memcpy(o->v, value.p, value.n);
		o->n = value.n;
	}
	return tfact(tf, name, SV_NULL, value);
}

/* ---- dating ------------------------------------------------------------ */

static void
set_source(struct trace_state *st, enum date_src src, const struct civil *local, int offset_min,
	   enum ec_timeq tq)
{
	if (src < st->src)
		return;
	st->src = src;
	daytrack_anchor(&st->dt, days_from_civil(local->year, local->month, local->day),
			((local->hour * 60 + local->min) * 60 + local->sec) * 1000 + local->msec);
	st->offset_min = offset_min;
	st->tq = tq;
}

/* A source that gives a local date but no offset. */
static void
set_local_source(struct trace_state *st, enum date_src src, const struct civil *local)
{
	const struct ec_options *o = st->inp->opt;

	if (o && o->have_offset)
		set_source(st, src, local, o->utc_offset_min, TQ_LOCAL_GIVEN);
	else
		set_source(st, src, local, 0, TQ_LOCAL_ASSUMED);
}

/* Date the next record in file order. */
static void
date_record(struct trace_state *st, int32_t tod, int64_t *ms, enum ec_timeq *tq)
{
	if (st->src == SRC_NONE) {
		*ms = 0;
		*tq = TQ_TIME_OF_DAY;
		return;
	}
	*ms = daytrack_day(&st->dt, tod) * MS_PER_DAY + tod - (int64_t)st->offset_min * 60000;
	*tq = st->tq;
}

/* Look at a record's first line for the run header. */
static void
scan_header(struct trace_state *st)
{
	struct sv m = buf_sv(&st->text);
	struct civil c;
	int64_t diff;
	int off;

	if (m.n < 20 || m.p[0] != 'S' || !sv_starts(m, "Start Time ("))
		return;
	if (sv_starts(m, "Start Time (Local): ")) {
		if (!parse_rfc1123(sv_from(m, 20), &c))
			return;
		st->cur.flags |= F_START_LOCAL;
		st->have_local = true;
		st->local_ms = civil_to_ms(&c);
		set_local_source(st, SRC_LOCAL, &c);
	} else if (sv_starts(m, "Start Time (UTC): ")) {
		if (!st->have_local || !parse_rfc1123(sv_from(m, 18), &c))
			return;
		diff = st->local_ms - civil_to_ms(&c);
		/* Round to the nearest quarter of an hour. */
		off = (int)((diff + (diff < 0 ? -450000 : 450000)) / 900000 * 15);
		if (off > MAX_OFFSET_MIN || off < -MAX_OFFSET_MIN)
			return;
		st->cur.flags |= F_START_UTC;
		st->cur.hdr_off = (int16_t)off;
		ms_to_civil(st->local_ms, &c);
		set_source(st, SRC_HEADER, &c, off, TQ_HEADER_OFFSET);
	}
}

/* Look at a continuation line for the 1.0.x "Runtime.Start=" item. */
static void
scan_runtime(struct trace_state *st, struct sv line)
{
	struct civil c;
	int off;

	while (line.n && (line.p[0] == ' ' || line.p[0] == '\t')) {
		line.p++;
		line.n--;
	}
	if (line.n < 14 || line.p[0] != 'R' || !sv_starts(line, "Runtime.Start="))
		return;
	if (!parse_iso_offset(sv_from(line, 14), &c, &off))
		return;
	st->cur.flags |= F_RUNTIME;
	set_source(st, SRC_RUNTIME, &c, off, TQ_HEADER_OFFSET);
}

/* ---- facts ------------------------------------------------------------- */

static int
facts_start(struct trace_state *st, const struct meta *r, struct sv m)
{
	char a[32], b[32], o[16];
	struct civil c;
	int rc, off;
	long at;

	if ((r->flags & F_START_LOCAL) && parse_rfc1123(sv_from(m, 20), &c)) {
		fmt_local(&c, a);
		return fact(st, "wizard.start_local", SV_NULL, sv_cstr(a));
	}
	if ((r->flags & F_START_UTC) && parse_rfc1123(sv_from(m, 18), &c)) {
		fmt_utc(civil_to_ms(&c), a);
		fmt_offset(r->hdr_off, o);
		rc = fact(st, "wizard.start_utc", SV_NULL, sv_cstr(a));
		return rc ? rc : fact(st, "wizard.utc_offset", SV_NULL, sv_cstr(o));
	}
	if (r->flags & F_RUNTIME) {
		at = sv_find(m, "Runtime.Start=");
		if (at < 0 || !parse_iso_offset(sv_from(m, (size_t)at + 14), &c, &off))
			return 0;
		fmt_local(&c, a);
		fmt_utc(civil_to_ms(&c) - (int64_t)off * 60000, b);
		fmt_offset(off, o);
		if ((rc = fact(st, "wizard.start_local", SV_NULL, sv_cstr(a))) != 0 ||
		    (rc = fact(st, "wizard.start_utc", SV_NULL, sv_cstr(b))) != 0)
			return rc;
		return fact(st, "wizard.utc_offset", SV_NULL, sv_cstr(o));
	}
	return 0;
}

/* Package=<name> , Version=<v>, ProductCode=<pc>, UpgradeCode=<uc> */
static int
facts_package(struct trace_facts *tf, struct sv m)
{
	struct sv rest = sv_from(m, 8), name, ver, uc = SV_NULL;
	long at = sv_find(rest, ", Version=");
	int rc;

	if (at < 0)
		return 0;
	name = sv_trim(sv_make(rest.p, (size_t)at));
	rest = sv_from(rest, (size_t)at + 10);
	ver = token_until(rest, ",");
	if (!name.n || !ver.n)
		return 0;
	if ((rc = tfact(tf, "component.package", name, ver)) != 0)
		return rc;
	at = sv_find(rest, "UpgradeCode=");
	if (at >= 0) {
		uc = token_until(sv_from(rest, (size_t)at + 12), ",");
		if (uc.n >= 2 && uc.p[0] == '{' && uc.p[uc.n - 1] == '}')
			uc = sv_make(uc.p + 1, uc.n - 2);
	}
	if (sv_ieq(uc, "545334d7-13cd-4bab-8da1-2775fa8cf7c2") ||
	    sv_iends(name, "synchronization services"))
		return tfact(tf, "engine.installed_version", SV_NULL, ver);
	return 0;
}

/* Product <label> (version <v>) is installed[, needs to be upgraded to version <w>].
 * Product <label> is not installed. */
static int
facts_product(struct trace_facts *tf, struct sv body)
{
	struct sv rest = sv_from(body, 8), label, ver, tail, to;
	long at = sv_find(rest, " (version ");
	int rc;

	if (at > 0) {
		label = sv_make(rest.p, (size_t)at);
		tail = sv_from(rest, (size_t)at + 10);
		at = sv_find(tail, ")");
		if (at <= 0)
			return 0;
		ver = sv_trim(sv_make(tail.p, (size_t)at));
		tail = sv_from(tail, (size_t)at + 1);
		if (!sv_starts(tail, " is installed"))
			return 0;
		if ((rc = tfact(tf, "component.installed", label, ver)) != 0)
			return rc;
		if (!sv_skip_past(&tail, ", needs to be upgraded to version "))
			return 0;
		to = rstrip_dots(token_until(tail, " ,;"));
		if (!to.n)
			return 0;
		if ((rc = tfact(tf, "upgrade.component", SV_NULL, label)) != 0 ||
		    (rc = tfact(tf, "upgrade.from", label, ver)) != 0)
			return rc;
		return tfact(tf, "upgrade.to", label, to);
	}
	rest = rstrip_dots(sv_trim(rest));
	if (sv_ends(rest, " is not installed")) {
		label = sv_make(rest.p, rest.n - strlen(" is not installed"));
		if (label.n)
			return tfact(tf, "component.installed", label, SV_LIT("not installed"));
	}
	return 0;
}

/* GetInstalledPackagesByUpgradeCode {<uc>}: stale product code {<pc>}. */
static int
facts_stale(struct trace_facts *tf, struct sv m)
{
	struct sv rest = sv_from(m, 35), uc, pc;
	long at = sv_find(rest, "}: stale product code {");

	if (at <= 0)
		return 0;
	uc = sv_make(rest.p, (size_t)at);
	rest = sv_from(rest, (size_t)at + 23);
	pc = token_until(rest, "}");
	if (!pc.n || pc.n == rest.n)
		return 0;
	return tfact(tf, "msi.stale_product_code", uc, pc);
}

static int
facts_tls(struct trace_facts *tf, struct sv first, struct sv body)
{
	if (sv_starts(body, "TLS 1.2 is properly configured"))
		return fact_once(tf, &tf->tls, "tls12.status", SV_LIT("properly configured"));
	return fact_once(tf, &tf->tls, "tls12.status", sv_trim(first));
}

/* Facts of a message's first line; each check starts with a literal prefix. */
static int
first_line_facts(struct trace_facts *tf, enum ec_level level, struct sv msg)
{
	struct sv m = first_line(msg), body, v;

	if (m.n < 8)
		return 0;
	switch (m.p[0]) {
	case 'A':
		if (sv_starts(m, "Application Version: ")) {
			v = sv_trim(sv_from(m, 21));
			return tfact(tf, is_version4(v) ? "wizard.version" : "wizard.version_raw",
				    SV_NULL, v);
		}
		if (sv_starts(m, "Application Build Identifier: "))
			return tfact(tf, "wizard.build_id", SV_NULL, sv_trim(sv_from(m, 30)));
		break;
	case 'D':
		if (sv_starts(m, "Detected .NET release "))
			return fact_once(tf, &tf->dotnet, "dotnet.release",
					 rstrip_dots(token_until(sv_from(m, 22), " ,")));
		break;
	case 'G':
		if (sv_starts(m, "GetInstalledPackagesByUpgradeCode {"))
			return facts_stale(tf, m);
		break;
	case 'O':
		if (sv_starts(m, "Opened log file at path "))
			return tfact(tf, "wizard.log_path", SV_NULL, sv_trim(sv_from(m, 24)));
		break;
	case 'P':
		if (sv_starts(m, "Package="))
			return facts_package(tf, m);
		break;
	case 'T':
		if (sv_starts(m, "The current operating system version is "))
			return fact_once(tf, &tf->os_version, "os.version",
					 rstrip_dots(token_until(sv_from(m, 40), " ,")));
		break;
	}
	body = after_label(m);
	switch (body.n >= 8 ? body.p[0] : 0) {
	case 'P':
		if (sv_starts(body, "Product "))
			return facts_product(tf, body);
		break;
	case 'T':
		if (sv_starts(body, "The installed OS SKU is "))
			return fact_once(tf, &tf->os_sku, "os.sku",
					 rstrip_dots(token_until(sv_from(body, 24), " ,")));
		if (sv_starts(body, "TLS 1.2 "))
			return facts_tls(tf, m, body);
		break;
	}
	if (level >= LVL_WARN && sv_find(m, "TLS 1.2") >= 0)
		return facts_tls(tf, m, body);
	return 0;
}

/* "msi package 'NAME'. Log file: 'PATH'" and "... Full log is available at
 * 'PATH'", anywhere in the record (the exception text is on its second line). */
static int
facts_msi_log(struct trace_facts *tf, struct sv m)
{
	struct sv rest = m, pkg, path;
	long at;

	if (!sv_skip_past(&rest, "msi package '"))
		return 0;
	at = sv_find(rest, "'");
	if (at <= 0)
		return 0;
	pkg = sv_make(rest.p, (size_t)at);
	if (!sv_skip_past(&rest, "Log file: '") && !sv_skip_past(&rest, "Full log is available at '"))
		return 0;
	at = sv_find(rest, "'");
	if (at <= 0)
		return 0;
	path = sv_make(rest.p, (size_t)at);
	return tfact(tf, "msi.log_path", pkg, path);
}

/* Windows Installer lines the wizard copies into an exception record
 * (KB4051210): the same facts as the MSI log parser gives for them. */
static int
facts_msi_lines(struct trace_facts *tf, struct sv msg)
{
	struct msi_line o;
	const char *p = memchr(msg.p, '\n', msg.n), *end = msg.p + msg.n;
	char num[24];
	int rc = 0;

	while (p && !rc && ++p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		struct sv line = sv_make(p, (size_t)((e ? e : end) - p));

		p = e;
		if (line.n < 8 || !strchr("MACEPW", line.p[0]))
			continue;
		msi_line_parse(line, &o);
		switch (o.kind) {
		case MSI_PRODUCT_ERROR:
			if ((rc = tfact(tf, "msi.product", SV_NULL, o.name)) != 0)
				break;
			/* fall through */
		case MSI_ERROR:
			snprintf(num, sizeof(num), "%" PRId64, o.number);
			rc = tfact(tf, "msi.error", sv_cstr(num), sv_trim(o.value));
			break;
		case MSI_CA_ERROR:
			snprintf(num, sizeof(num), "%" PRId64, o.number);
			rc = tfact(tf, "msi.custom_action_error", o.name, sv_cstr(num));
			break;
		case MSI_ACTION_END:
			if (o.number == 3)
				rc = tfact(tf, "msi.action_failed", o.name, SV_LIT("3"));
			break;
		case MSI_PRODUCT_RESULT:
			rc = tfact(tf, "msi.result", o.name, o.value);
			break;
		case MSI_SUMMARY:
			if (o.number >= 0) {
				snprintf(num, sizeof(num), "%" PRId64, o.number);
				rc = tfact(tf, "msi.status", o.name, sv_cstr(num));
			}
			break;
		default:
			break;
		}
	}
	return rc;
}

/* Auto-upgrade result codes anywhere in a record (UpgradeAborted*, ...). */
static int
facts_autoupgrade(struct trace_facts *tf, struct sv msg)
{
	struct sv code, rest = msg;
	int rc = 0;

	while (!rc && upgrade_result_find(rest, &code)) {
		rc = tfact(tf, "autoupgrade.result", SV_NULL, code);
		rest = sv_make(code.p + code.n, (size_t)(msg.p + msg.n - (code.p + code.n)));
	}
	return rc;
}

int
trace_message_facts(struct trace_facts *tf, enum ec_level level, struct sv msg)
{
	int rc;

	if ((rc = first_line_facts(tf, level, msg)) != 0)
		return rc;
	if (sv_find(msg, "msi package '") >= 0 && (rc = facts_msi_log(tf, msg)) != 0)
		return rc;
	if (msg.n && memchr(msg.p, '\n', msg.n) && (rc = facts_msi_lines(tf, msg)) != 0)
		return rc;
	if (sv_find(msg, "pgrade") >= 0)
		return facts_autoupgrade(tf, msg);
	return 0;
}

/* ---- records ----------------------------------------------------------- */

static int
emit(struct trace_state *st, const struct meta *r, struct sv msg)
{
	struct ec_event ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.line = r->line;
	ev.offset = r->offset;
	ev.tod_ms = r->tod;
	date_record(st, r->tod, &ev.time_ms, &ev.timeq);
	ev.level = (enum ec_level)r->level;
	ev.provider = trace_provider_of(msg);
	ev.event_id = -1;
	ev.thread = sv_make(r->tid, r->tid_len);
	ev.message = msg;
	if (st->sink->event && (rc = st->sink->event(st->sink->ctx, &ev)) != 0)
		return rc;
	if (r->flags && (rc = facts_start(st, r, msg)) != 0)
		return rc;
	return trace_message_facts(&st->tf, (enum ec_level)r->level, msg);
}

/* Emit the held records in order, with the date known now. */
static int
release(struct trace_state *st)
{
	size_t pos = 0;
	struct meta r;
	int rc;

	st->holding = false;
	while (pos < st->hold.len) {
		memcpy(&r, st->hold.data + pos, sizeof(r));
		pos += sizeof(r);
		rc = emit(st, &r, sv_make(st->hold.data + pos, r.msg_len));
		pos += r.msg_len;
		if (rc)
			return rc;
	}
	buf_release(&st->hold);
	return 0;
}

/* Remove trailing white space and blank lines. */
static void
rtrim(struct buf *b)
{
	size_t n = b->len;
	char c;

	while (n && ((c = b->data[n - 1]) == ' ' || c == '\t' || c == '\r' || c == '\n'))
		n--;
	if (n != b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}

/* Close the open record: trim it, read the header from it, emit or hold it. */
static int
flush(struct trace_state *st)
{
	int rc;

	if (!st->open)
		return 0;
	st->open = false;
	st->records++;
	if (st->text.truncated) {
		text_drop_partial_utf8(&st->text);
		if (text_problem_ok(&st->problems) &&
		    (rc = ec_problemf(st->sink, st->cur.line, st->cur.offset, 0, st->dropped,
				      "record starting at line %" PRIu64
				      " too long, cut at %zu bytes", st->cur.line, st->text.max)) != 0)
			return rc;
	}
	rtrim(&st->text);
	scan_header(st);
	st->cur.msg_len = st->text.len;
	if (!st->holding)
		return emit(st, &st->cur, buf_sv(&st->text));
	buf_add(&st->hold, &st->cur, sizeof(st->cur));
	buf_add(&st->hold, st->text.data, st->text.len);
	st->nheld++;
	if (st->src >= SRC_RUNTIME || st->nheld >= HOLD_RECORDS || st->hold.len >= HOLD_BYTES)
		return release(st);
	return 0;
}

static int
open_record(struct trace_state *st, const struct trace_line *tl, bool has_nul)
{
	int rc;

	if (st->records == 0 && !st->open && st->pre_lines) {
		rc = ec_problemf(st->sink, 1, st->pre_offset, st->pre_lines,
				 st->lr.offset - st->pre_offset,
				 "%" PRIu64 " lines before the first record", st->pre_lines);
		if (rc)
			return rc;
	}
	memset(&st->cur, 0, sizeof(st->cur));
	st->cur.line = st->lr.lineno;
	st->cur.offset = st->lr.offset;
	st->cur.tod = tl->tod_ms;
	st->cur.level = (uint8_t)tl->level;
	st->cur.tid_len = (uint8_t)tl->thread.n;
	memcpy(st->cur.tid, tl->thread.p, tl->thread.n);
	st->open = true;
	st->dropped = 0;
	buf_reset(&st->text);
	st->dropped += text_append_line(&st->text, tl->message, has_nul);
	return 0;
}

/* The lines after a block of NUL bytes that start no record: their record
 * began in the lost part. Reported once, up to end (the offset of what
 * follows them). */
static int
report_orphans(struct trace_state *st, uint64_t end)
{
	uint64_t n = st->orphans;

	st->nul_gap = false;
	st->orphans = 0;
	if (!n)
		return 0;
	return ec_problemf(st->sink, st->orphan_line, st->orphan_offset, n, end - st->orphan_offset,
			   "%" PRIu64 " line%s after the nul bytes skipped: the record they belong to "
			   "began in the lost part", n, n == 1 ? "" : "s");
}

static int
run(struct trace_state *st)
{
	struct trace_line tl;
	struct sv line;
	bool has_nul;
	int r, rc;

	while ((r = lr_next(&st->lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		/* A block of NUL bytes ends the record before it. */
		if (st->lr.nul_bytes && ((rc = flush(st)) != 0 ||
					 (rc = report_orphans(st, st->lr.nul_offset)) != 0))
			return rc;
		if ((st->lr.nul_bytes || st->lr.cut_bytes || st->lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&st->lr, st->sink, has_nul, &st->problems)) != 0)
			return rc;
		if (st->lr.nul_bytes)
			st->nul_gap = true;
		if (trace_line_parse(line, &tl)) {
			if ((rc = flush(st)) != 0 || (st->nul_gap && (rc = report_orphans(st, st->lr.offset)) != 0) ||
			    (rc = open_record(st, &tl, has_nul)) != 0)
				return rc;
		} else if (st->nul_gap) {
			if (!text_blank(line) && st->orphans++ == 0) {
				st->orphan_line = st->lr.lineno;
				st->orphan_offset = st->lr.offset;
			}
		} else if (st->open) {
			st->dropped += text_append(&st->text, "\n", 1);
			st->dropped += text_append_line(&st->text, line, has_nul);
			if (line.n >= 14 && !(st->cur.flags & F_RUNTIME))
				scan_runtime(st, line);
		} else if (!text_blank(line)) {
			if (st->pre_lines++ == 0)
				st->pre_offset = st->lr.offset;
		}
	}
	if ((rc = flush(st)) != 0)
		return rc;
	if (st->nul_gap && (rc = report_orphans(st, st->lr.rbase + st->lr.rpos)) != 0)
		return rc;
	if (st->holding && (rc = release(st)) != 0)
		return rc;
	if (st->records == 0 &&
	    (rc = ec_problemf(st->sink, 0, UINT64_MAX, st->pre_lines, 0,
			      "no trace record found in %" PRIu64 " lines", st->lr.lineno)) != 0)
		return rc;
	return text_finish(&st->lr, st->sink, st->problems, r);
}

static int
trace_parse(const struct ec_input *inp)
{
	const struct ec_options *o = inp->opt;
	size_t max_line = text_max_line(o);
	size_t max_rec = text_max_record(o);
	struct trace_state st;
	struct civil c;
	int rc;

	memset(&st, 0, sizeof(st));
	st.inp = inp;
	st.sink = inp->sink;
	st.holding = true;
	st.tf.sink = inp->sink;
	lr_init(&st.lr, inp->in, inp->enc.enc, inp->enc.bom, max_line);
	buf_init(&st.text, max_rec);
	buf_init(&st.hold, HOLD_BYTES + max_rec + sizeof(struct meta));
	if (name_stamp(inp->name, &c))
		set_local_source(&st, SRC_NAME, &c);
	rc = run(&st);
	buf_release(&st.hold);
	buf_release(&st.text);
	lr_release(&st.lr);
	return rc;
}

static int
trace_judge(void *ctx, struct sv line, int seen)
{
	struct trace_line tl;

	(void)ctx;
	return trace_line_parse(line, &tl) ? (seen == 1 ? 90 : 60) : 0;
}

/* 90 if the first non-blank line starts a record, 60 if one of the first 20 does. */
static int
trace_sniff(const struct ec_sniff *s)
{
	return text_sniff_lines(s, 20, trace_judge, NULL);
}

const struct ec_format fmt_trace = {
	.name = "trace",
	.title = "Entra Connect wizard trace log",
	.identifies = "lines starting [HH:MM:SS.fff] [thread] [LEVEL]",
	.binary = false,
	.sniff = trace_sniff,
	.parse = trace_parse,
};
