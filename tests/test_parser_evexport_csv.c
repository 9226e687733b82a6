/* SPDX-License-Identifier: MIT */
/* test_parser_evexport_csv.c - the Windows event exports that are not EVTX
 * or XML: the CSV record reader (parser/csvread.h), Event Viewer's "Save All
 * Events As" CSV and tab-separated text ("evcsv"), Get-WinEvent and
 * Get-EventLog | Export-Csv ("pscsv") and | ConvertTo-Json ("psjson"):
 * exact values, encodings, reading a byte at a time, bad rows, cut files,
 * bounded records and sniffing. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "common/stream.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "parser/csvread.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

#define RUNHISTORY "text/cmdlet-output/laparoscope_TestRunHistory_Get-ADSyncRunProfileResult_ConvertTo-Json.json"

/* ---- parsing into the capture sink -------------------------------------- */

/* Parse n bytes as format name (encoding sniffed as the walker does), at
 * most chunk bytes per read (0: any). */
static int
parse_chunked(struct cap *c, const char *name, const void *data, size_t n,
	      const struct ec_options *opt, size_t chunk)
{
	return cap_parse(c, cap_format(name), data, n, chunk, opt, NULL);
}

static int
parse_str(struct cap *c, const char *name, const char *text)
{
	return parse_chunked(c, name, text, strlen(text), NULL, 0);
}

static void
assert_time(const struct cev *e, enum ec_timeq q, const char *want)
{
	char got[32];

	cr_assert_eq(e->tq, q, "line %llu: time quality %d, want %d", (unsigned long long)e->line,
		     e->tq, q);
	ms_to_iso(e->time_ms, got);
	cr_assert_str_eq(got, want, "line %llu", (unsigned long long)e->line);
}

static void
assert_data(const struct cev *e, size_t i, const char *name, const char *value)
{
	cr_assert_lt(i, e->ndata, "line %llu: %zu data items", (unsigned long long)e->line,
		     e->ndata);
	cr_assert_str_eq(e->dname[i], name);
	cr_assert_str_eq(e->dvalue[i], value);
}

/* UTF-8 text to UTF-16LE, a BOM first if bom. */
static unsigned char *
to_utf16le(const char *s, bool bom, size_t *out_n)
{
	size_t n = strlen(s), k = 0;
	unsigned char *o = malloc(n * 4 + 2);
	const unsigned char *p = (const unsigned char *)s;

	cr_assert_not_null(o);
	if (bom) {
		o[k++] = 0xFF;
		o[k++] = 0xFE;
	}
	while (*p) {
		unsigned cp;

		if (*p < 0x80) {
			cp = *p++;
		} else if (*p < 0xE0) {
			cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
			p += 2;
		} else if (*p < 0xF0) {
			cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			p += 3;
		} else {
			cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
			     (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
			p += 4;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			o[k++] = (unsigned char)((0xD800 + (cp >> 10)) & 0xFF);
			o[k++] = (unsigned char)((0xD800 + (cp >> 10)) >> 8);
			cp = 0xDC00 + (cp & 0x3FF);
		}
		o[k++] = (unsigned char)(cp & 0xFF);
		o[k++] = (unsigned char)(cp >> 8);
	}
	*out_n = k;
	return o;
}

/* The same events and problems. */
static void
assert_same(const struct cap *a, const struct cap *b, bool offsets)
{
	cr_assert_eq(a->nev, b->nev, "%zu events, want %zu", b->nev, a->nev);
	cr_assert_eq(a->np, b->np, "%zu problems, want %zu", b->np, a->np);
	for (size_t i = 0; i < a->nev; i++) {
		const struct cev *x = &a->ev[i], *y = &b->ev[i];

		cr_assert_eq(x->line, y->line, "event %zu", i);
		if (offsets)
			cr_assert_eq(x->offset, y->offset, "event %zu", i);
		cr_assert_eq(x->time_ms, y->time_ms, "event %zu", i);
		cr_assert_eq(x->tq, y->tq, "event %zu", i);
		cr_assert_eq(x->level, y->level, "event %zu", i);
		cr_assert_eq(x->event_id, y->event_id, "event %zu", i);
		cr_assert_str_eq(x->provider, y->provider, "event %zu", i);
		cr_assert_str_eq(x->message, y->message, "event %zu", i);
		cr_assert_eq(x->ndata, y->ndata, "event %zu", i);
		for (size_t k = 0; k < x->ndata; k++)
			cr_assert_str_eq(x->dvalue[k], y->dvalue[k], "event %zu", i);
		cr_assert_eq(x->win.record_id, y->win.record_id, "event %zu", i);
		cr_assert_eq(x->win.keywords, y->win.keywords, "event %zu", i);
		cr_assert_str_eq(x->channel, y->channel, "event %zu", i);
		cr_assert_str_eq(x->user_sid, y->user_sid, "event %zu", i);
	}
	for (size_t i = 0; i < a->np; i++) {
		cr_assert_eq(a->p[i].line, b->p[i].line, "problem %zu", i);
		cr_assert_str_eq(a->p[i].message, b->p[i].message, "problem %zu", i);
	}
}

static int
sniff_text(const char *name, const char *text, size_t n, const struct ec_format **best)
{
	struct ec_sniff s = { 0 };

	s.raw = (const unsigned char *)text;
	s.raw_len = n;
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = n;
	if (best)
		*best = ec_format_sniff(&s);
	return cap_format(name)->sniff(&s);
}

static int
sniff_str(const char *name, const char *text, const struct ec_format **best)
{
	return sniff_text(name, text, strlen(text), best);
}

/* ---- the record reader -------------------------------------------------- */

struct csvfix {
	struct memstream m;
	struct ec_stream s;
	struct ec_input in;
	struct ec_options opt;
	struct ec_sink sink;
	struct csvread cr;
	struct cap c;
};

static void
csv_open(struct csvfix *f, const char *text, const char *seps, size_t max_record, size_t chunk)
{
	memset(f, 0, sizeof(*f));
	memstream_init(&f->m, &f->s, text, strlen(text));
	f->m.chunk = chunk;
	f->opt.max_record = max_record;
	f->sink = cap_sink(&f->c);
	f->in.in = &f->s;
	f->in.enc = enc_sniff((const unsigned char *)text, strlen(text));
	f->in.opt = &f->opt;
	f->in.sink = &f->sink;
	csv_init(&f->cr, &f->in, seps);
}

static void
csv_close(struct csvfix *f)
{
	csv_release(&f->cr);
	cap_free(&f->c);
}

#define assert_field(cr, i, lit)                                                            \
	do {                                                                                \
		struct sv got_ = (cr)->field[i];                                            \
		cr_assert(sv_eq(got_, (lit)), "field %d: got '%.*s', want '%s'", (int)(i),  \
			  (int)got_.n, got_.p ? got_.p : "", (lit));                         \
	} while (0)

Test(csvread, quoting_and_lines)
{
	static const char text[] =
		"a,\"b \"\"q\"\" c\",,d\r\n"
		"\r\n"
		"  \r\n"
		"\"multi\r\nline\nfield\",x,\"\"\r\n"
		"plain \"inner\" quote,\"end\"\n"
		"last,no,terminator";
	struct csvfix f;

	for (size_t chunk = 0; chunk < 4; chunk++) {
		csv_open(&f, text, ",", 0, chunk);
		cr_assert_eq(csv_next(&f.cr), 1);
		cr_assert_eq(f.cr.nfields, 4);
		assert_field(&f.cr, 0, "a");
		assert_field(&f.cr, 1, "b \"q\" c");
		assert_field(&f.cr, 2, "");
		assert_field(&f.cr, 3, "d");
		cr_assert(f.cr.span[1].quoted);
		cr_assert_not(f.cr.span[0].quoted);
		cr_assert_eq(f.cr.line, 1);
		cr_assert_eq(f.cr.offset, 0);
		{
			struct sv rest = csv_rest(&f.cr, 1);

			cr_assert(sv_eq(rest, "b \"q\" c,,d"), "rest '%.*s'", (int)rest.n, rest.p);
		}

		/* Blank lines are skipped; CRLF, LF inside quotes are one '\n'. */
		cr_assert_eq(csv_next(&f.cr), 1);
		cr_assert_eq(f.cr.line, 4);
		cr_assert_eq(f.cr.offset, 24);
		cr_assert_eq(f.cr.end_line, 6);
		cr_assert_eq(f.cr.nfields, 3);
		assert_field(&f.cr, 0, "multi\nline\nfield");
		assert_field(&f.cr, 1, "x");
		assert_field(&f.cr, 2, "");
		cr_assert(f.cr.span[2].quoted);

		cr_assert_eq(csv_next(&f.cr), 1);
		cr_assert_eq(f.cr.line, 7);
		cr_assert_eq(f.cr.nfields, 2);
		assert_field(&f.cr, 0, "plain \"inner\" quote");
		assert_field(&f.cr, 1, "end");

		cr_assert_eq(csv_next(&f.cr), 1);
		cr_assert_eq(f.cr.line, 8);
		cr_assert_eq(f.cr.nfields, 3);
		assert_field(&f.cr, 2, "terminator");
		cr_assert_eq(csv_next(&f.cr), 0);
		cr_assert_eq(csv_next(&f.cr), 0);
		cr_assert_eq(csv_finish(&f.cr, 0), 0);
		cr_assert_eq(f.c.np, 0);
		csv_close(&f);
	}
}

Test(csvread, separator_found_and_fixed)
{
	struct csvfix f;

	/* The first candidate outside quotes decides; a line without any is
	 * one field. */
	csv_open(&f, "#TYPE X.Y\n\"a;b\";c,d;e\n", ",;\t", 0, 0);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.nfields, 1);
	assert_field(&f.cr, 0, "#TYPE X.Y");
	cr_assert_eq(f.cr.sep, 0);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.sep, ';');
	cr_assert_eq(f.cr.nfields, 3);
	assert_field(&f.cr, 0, "a;b");
	assert_field(&f.cr, 1, "c,d");
	assert_field(&f.cr, 2, "e");
	csv_close(&f);

	csv_open(&f, "a\tb,c\t\"d\t\"\n", "\t", 0, 0);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.nfields, 3);
	assert_field(&f.cr, 1, "b,c");
	assert_field(&f.cr, 2, "d\t");
	csv_close(&f);
}

Test(csvread, stray_quote_and_space_after_quote)
{
	struct csvfix f;

	csv_open(&f, "\"say \"hi\" now\",b\n\"x\"  ,y\n", ",", 0, 0);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.nfields, 2);
	assert_field(&f.cr, 0, "say \"hi\" now");
	assert_field(&f.cr, 1, "b");
	cr_assert_eq(f.c.np, 1);
	cr_assert(strstr(f.c.p[0].message, "quote not doubled"), "%s", f.c.p[0].message);
	cr_assert_eq(f.c.p[0].line, 1);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.nfields, 2);
	assert_field(&f.cr, 0, "x");
	assert_field(&f.cr, 1, "y");
	cr_assert_eq(f.c.np, 1);
	csv_close(&f);
}

Test(csvread, record_cut_at_max_and_unterminated_quote)
{
	struct buf text;
	struct csvfix f;

	buf_init(&text, 1 << 20);
	buf_adds(&text, "h1,h2\n1,\"");
	for (int i = 0; i < 200; i++)
		buf_adds(&text, "0123456789\n");
	buf_adds(&text, "end\"\n2,\"tail\n");
	csv_open(&f, text.data, ",", 100, 0);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.line, 2);
	cr_assert_eq(f.cr.end_line, 202);
	cr_assert_eq(f.cr.nfields, 2);
	assert_field(&f.cr, 0, "1");
	cr_assert_leq(f.cr.field[1].n, 100);
	cr_assert(sv_starts(f.cr.field[1], "0123456789\n0123"));
	cr_assert_eq(f.c.np, 1);
	cr_assert(strstr(f.c.p[0].message, "record starting at line 2 too long, cut at 100 bytes"),
		  "%s", f.c.p[0].message);
	cr_assert_eq(f.c.p[0].line, 2);
	/* The record after it is read whole; the input ends inside its
	 * quotes. */
	cr_assert_eq(csv_next(&f.cr), 1);
	cr_assert_eq(f.cr.line, 203);
	assert_field(&f.cr, 0, "2");
	assert_field(&f.cr, 1, "tail");
	cr_assert(f.cr.unterminated);
	cr_assert_eq(f.c.np, 2);
	cr_assert(strstr(f.c.p[1].message, "ends inside a quoted field"), "%s", f.c.p[1].message);
	cr_assert_eq(csv_next(&f.cr), 0);
	csv_close(&f);
	buf_release(&text);
}

Test(csvread, numbers)
{
	int64_t v;
	uint64_t u;

	cr_assert(csv_int(sv_cstr(" 42 "), &v));
	cr_assert_eq(v, 42);
	cr_assert(csv_int(sv_cstr("-9223372036854775808"), &v));
	cr_assert_eq(v, INT64_MIN);
	cr_assert_not(csv_int(sv_cstr("9223372036854775808"), &v));
	cr_assert_not(csv_int(sv_cstr(""), &v));
	cr_assert_not(csv_int(sv_cstr("4x"), &v));
	cr_assert(csv_u64(sv_cstr("-9214364837600034816"), &u));
	cr_assert_eq(u, UINT64_C(0x8020000000000000));
	cr_assert(csv_u64(sv_cstr("18446744073709551615"), &u));
	cr_assert_eq(u, UINT64_MAX);
	cr_assert_not(csv_u64(sv_cstr("18446744073709551616"), &u));
	cr_assert(csv_u64(sv_cstr("36028797018963968"), &u));
	cr_assert_eq(u, UINT64_C(0x80000000000000));
}

/* Each date read in a fresh reader: the time and quality. */
static void
check_date(const char *text, bool have_offset, int offset, enum ec_timeq q, const char *want)
{
	struct csvfix f;
	struct ec_time t;
	char got[32];

	csv_open(&f, "", ",", 0, 0);
	f.opt.have_offset = have_offset;
	f.opt.utc_offset_min = offset;
	cr_assert_eq(csv_time(&f.cr, sv_cstr(text), &t), 0);
	cr_assert_eq(t.q, q, "'%s': quality %d, want %d", text, t.q, q);
	if (q != TQ_NONE) {
		ms_to_iso(t.ms, got);
		cr_assert_str_eq(got, want, "'%s'", text);
	}
	csv_close(&f);
}

Test(csvread, local_dates)
{
	check_date("5/13/2023 7:34:38 AM", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	check_date("5/13/2023 7:34:38 PM", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T19:34:38.000Z");
	check_date("5/13/2023 12:04:38 AM", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T00:04:38.000Z");
	check_date("5/13/2023 12:04:38 PM", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T12:04:38.000Z");
	check_date("13.05.2023 07:34:38", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	check_date("13/05/2023 07:34", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T07:34:00.000Z");
	check_date("2023-05-12 07:34:38", false, 0, TQ_LOCAL_ASSUMED, "2023-05-12T07:34:38.000Z");
	check_date("2023/5/12 7:34:38", false, 0, TQ_LOCAL_ASSUMED, "2023-05-12T07:34:38.000Z");
	check_date("2023-05-12T07:34:38.1234567", false, 0, TQ_LOCAL_ASSUMED,
		   "2023-05-12T07:34:38.123Z");
	check_date("2023-05-12T07:34:38.5+02:00", false, 0, TQ_EXACT, "2023-05-12T05:34:38.500Z");
	check_date("2023-05-12 07:34:38Z", true, 60, TQ_EXACT, "2023-05-12T07:34:38.000Z");
	/* Direction marks (Event Viewer) and a narrow no-break space (ICU). */
	check_date("\xE2\x80\x8E" "5/\xE2\x80\x8E" "13/\xE2\x80\x8E" "2023 7:34:38\xE2\x80\xAF" "PM",
		   false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T19:34:38.000Z");
	check_date("13.5.23 7:34:38", false, 0, TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	/* --utc-offset +02:00: local 07:34 is 05:34 UTC. */
	check_date("5/13/2023 7:34:38 AM", true, 120, TQ_LOCAL_GIVEN, "2023-05-13T05:34:38.000Z");
	check_date("5/13/2023 7:34:38 AM", true, -300, TQ_LOCAL_GIVEN, "2023-05-13T12:34:38.000Z");
	check_date("13/13/2023 7:34:38", false, 0, TQ_NONE, NULL);
	check_date("2/30/2023 7:34:38 AM", false, 0, TQ_NONE, NULL);
	check_date("5/13/2023 13:34:38 PM", false, 0, TQ_NONE, NULL);
	check_date("5/13/2023", false, 0, TQ_NONE, NULL);
	check_date("garbage", false, 0, TQ_NONE, NULL);
	check_date("5/13/2023 7:34:38 AM trailing", false, 0, TQ_NONE, NULL);
}

Test(csvread, ambiguous_dates_one_problem)
{
	struct csvfix f;
	struct ec_time t;
	char got[32];

	csv_open(&f, "", ",", 0, 0);
	cr_assert_eq(csv_time(&f.cr, sv_cstr("5/6/2023 1:00:00 PM"), &t), 0);
	ms_to_iso(t.ms, got);
	cr_assert_str_eq(got, "2023-05-06T13:00:00.000Z");
	cr_assert_eq(csv_time(&f.cr, sv_cstr("7/8/2023 1:00:00 PM"), &t), 0);
	ms_to_iso(t.ms, got);
	cr_assert_str_eq(got, "2023-07-08T13:00:00.000Z");
	cr_assert_eq(f.c.np, 1);
	cr_assert_str_eq(f.c.p[0].message,
			 "date '5/6/2023 1:00:00 PM' could be month/day or day/month: read as "
			 "2023-05-06 (month first, as with AM/PM), as are the other such dates "
			 "until one settles the order");
	/* A date that can only be day first settles it the other way: said
	 * once, and later dates follow it. */
	cr_assert_eq(csv_time(&f.cr, sv_cstr("25/6/2023 1:00:00 PM"), &t), 0);
	ms_to_iso(t.ms, got);
	cr_assert_str_eq(got, "2023-06-25T13:00:00.000Z");
	cr_assert_eq(f.c.np, 2);
	cr_assert(strstr(f.c.p[1].message, "can only be read day first"), "%s", f.c.p[1].message);
	cr_assert_eq(csv_time(&f.cr, sv_cstr("7/8/2023 1:00:00 PM"), &t), 0);
	ms_to_iso(t.ms, got);
	cr_assert_str_eq(got, "2023-08-07T13:00:00.000Z");
	cr_assert_eq(f.c.np, 2);
	csv_close(&f);

	/* Settled before any ambiguous date: no problem at all. */
	csv_open(&f, "", ",", 0, 0);
	cr_assert_eq(csv_time(&f.cr, sv_cstr("13.05.2023 07:00:00"), &t), 0);
	cr_assert_eq(csv_time(&f.cr, sv_cstr("12.05.2023 07:00:00"), &t), 0);
	ms_to_iso(t.ms, got);
	cr_assert_str_eq(got, "2023-05-12T07:00:00.000Z");
	cr_assert_eq(f.c.np, 0);
	csv_close(&f);
}

/* ---- evcsv -------------------------------------------------------------- */

#define EV_HEADER "Level,Date and Time,Source,Event ID,Task Category\r\n"

static const char evcsv_text[] =
	EV_HEADER
	"Information,5/13/2023 7:34:38 AM,ADSync,904,None,Scheduler started.\r\n"
	"Error,5/12/2023 11:00:39 PM,Directory Synchronization,611,None,\"Password hash "
	"synchronization failed for domain: contoso.com, domain controller hostname: dc1\r\n"
	"Details: said \"\"access denied\"\"\r\n"
	"\r\n"
	"Azure AD Sync 1.4.18.0\"\r\n"
	"Warning,5/12/2023 6:00:00 PM,Azure AD Connect Upgrade,302,Upgrade,\"Automatic upgrade "
	"failed: UpgradeAbortedSyncExeInUse.\"\r\n";

Test(evcsv, quoted_multiline_message)
{
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "evcsv", evcsv_text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 3);

	cr_assert_eq(c.ev[0].line, 2);
	cr_assert_eq(c.ev[0].offset, strlen(EV_HEADER));
	cr_assert_eq(c.ev[0].level, LVL_INFO);
	assert_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	cr_assert_eq(c.ev[0].tod, (7 * 3600 + 34 * 60 + 38) * 1000);
	cr_assert_str_eq(c.ev[0].provider, "ADSync");
	cr_assert_eq(c.ev[0].event_id, 904);
	assert_data(&c.ev[0], 0, "TaskCategory", "None");
	cr_assert_str_eq(c.ev[0].message, "Scheduler started.");
	cr_assert(c.ev[0].has_win);
	cr_assert_eq(c.ev[0].win.record_id, 0);
	cr_assert_eq(c.ev[0].win.qualifiers, -1);
	cr_assert_eq(c.ev[0].win.win_level, -1);

	cr_assert_eq(c.ev[1].line, 3);
	cr_assert_eq(c.ev[1].level, LVL_ERROR);
	assert_time(&c.ev[1], TQ_LOCAL_ASSUMED, "2023-05-12T23:00:39.000Z");
	cr_assert_str_eq(c.ev[1].provider, "Directory Synchronization");
	cr_assert_eq(c.ev[1].event_id, 611);
	cr_assert_str_eq(c.ev[1].message,
			 "Password hash synchronization failed for domain: contoso.com, domain "
			 "controller hostname: dc1\nDetails: said \"access denied\"\n\n"
			 "Azure AD Sync 1.4.18.0");

	cr_assert_eq(c.ev[2].line, 7);
	cr_assert_eq(c.ev[2].level, LVL_WARN);
	cr_assert_eq(c.ev[2].event_id, 302);
	assert_data(&c.ev[2], 0, "TaskCategory", "Upgrade");
	cr_assert_str_eq(c.ev[2].message, "Automatic upgrade failed: UpgradeAbortedSyncExeInUse.");
	/* winevent_emit() reports the auto-upgrade result. */
	cr_assert_eq(c.nf, 1);
	cr_assert_str_eq(c.f[0].name, "autoupgrade.result");
	cr_assert_str_eq(c.f[0].value, "UpgradeAbortedSyncExeInUse");

	/* 5/13 settled month first before 5/12 came: nothing ambiguous. */
	cr_assert_eq(c.np, 0);
	cap_free(&c);
}

Test(evcsv, byte_at_a_time_and_utf16)
{
	struct cap ref = { 0 }, c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(evcsv_text, true, &n);

	cr_assert_eq(parse_str(&ref, "evcsv", evcsv_text), 0);
	cr_assert_eq(parse_chunked(&c, "evcsv", evcsv_text, strlen(evcsv_text), NULL, 1), 0);
	assert_same(&ref, &c, true);
	cap_free(&c);
	cr_assert_eq(parse_chunked(&c, "evcsv", u, n, NULL, 3), 0);
	assert_same(&ref, &c, false);
	cr_assert_eq(c.ev[0].offset, 2 + 2 * strlen(EV_HEADER));
	cap_free(&c);
	cap_free(&ref);
	free(u);
}

Test(evcsv, tab_variant_dotted_dates_and_unquoted_lines)
{
	static const char text[] =
		"Level\tDate and Time\tSource\tEvent ID\tTask Category\n"
		"Error\t12.05.2023 07:34:38\tADSync\t6900\tServer\tThe server encountered an "
		"unexpected error:\n"
		"BAIL: MMS(4216): sql.cpp(8490): 0x80004005\n"
		"Azure AD Sync 2.1.20.0\n"
		"Information\t12.05.2023 07:35:00\tADSync\t2001\tNone\t\"Quoted,\tmessage\"\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "evcsv", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[0].line, 2);
	cr_assert_eq(c.ev[0].level, LVL_ERROR);
	assert_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2023-05-12T07:34:38.000Z");
	cr_assert_eq(c.ev[0].event_id, 6900);
	assert_data(&c.ev[0], 0, "TaskCategory", "Server");
	cr_assert_str_eq(c.ev[0].message, "The server encountered an unexpected error:\n"
			 "BAIL: MMS(4216): sql.cpp(8490): 0x80004005\nAzure AD Sync 2.1.20.0");
	cr_assert_eq(c.ev[1].line, 5);
	cr_assert_str_eq(c.ev[1].message, "Quoted,\tmessage");
	assert_time(&c.ev[1], TQ_LOCAL_ASSUMED, "2023-05-12T07:35:00.000Z");
	/* One problem for the file: 12.05 could be read both ways. */
	cr_assert_eq(count_problems(&c, "could be month/day or day/month"), 1);
	cr_assert_eq(c.np, 1);
	cr_assert_str_eq(c.p[0].message,
			 "date '12.05.2023 07:34:38' could be month/day or day/month: read as "
			 "2023-05-12 (day first, as dotted dates are written), as are the other "
			 "such dates until one settles the order");
	cr_assert_eq(c.p[0].line, 2);
	cap_free(&c);
}

Test(evcsv, utc_offset_given)
{
	struct ec_options opt = { 0 };
	struct cap c = { 0 };

	opt.have_offset = true;
	opt.utc_offset_min = 120;
	cr_assert_eq(parse_chunked(&c, "evcsv", evcsv_text, strlen(evcsv_text), &opt, 0), 0);
	cr_assert_eq(c.nev, 3);
	assert_time(&c.ev[0], TQ_LOCAL_GIVEN, "2023-05-13T05:34:38.000Z");
	cr_assert_eq(c.ev[0].tod, (7 * 3600 + 34 * 60 + 38) * 1000);
	assert_time(&c.ev[1], TQ_LOCAL_GIVEN, "2023-05-12T21:00:39.000Z");
	cap_free(&c);
}

Test(evcsv, bad_rows_reported_rest_read)
{
	static const char text[] =
		EV_HEADER
		"Information,5/13/2023 7:34:38 AM,ADSync,904,None,first\n"
		"Error,5/13/2023 7:35:00 AM,ADSync\n"
		"Error,5/13/2023 7:36:00 AM,ADSync,notanumber,None,x\n"
		"Warning,5/13/2023 7:37:00 AM,ADSync,6127,None,last\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "evcsv", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 2);
	cr_assert_str_eq(c.ev[0].message, "first");
	cr_assert_eq(c.ev[1].line, 5);
	cr_assert_eq(c.ev[1].event_id, 6127);
	cr_assert_str_eq(c.ev[1].message, "last");
	cr_assert_eq(c.np, 2);
	cr_assert_str_eq(c.p[0].message, "row at line 3 has 3 columns, an event has 6: skipped");
	cr_assert_eq(c.p[0].line, 3);
	cr_assert_eq(c.p[1].line, 4);
	cr_assert(strstr(c.p[1].message, "row at line 4 is not an event (event id 'notanumber'"),
		  "%s", c.p[1].message);
	cap_free(&c);
}

Test(evcsv, huge_quoted_field_cut)
{
	struct ec_options opt = { 0 };
	struct cap c = { 0 };
	struct buf text;

	buf_init(&text, 1 << 20);
	buf_adds(&text, EV_HEADER "Error,5/13/2023 7:34:38 AM,ADSync,6900,Server,\"");
	for (int i = 0; i < 100; i++)
		buf_adds(&text, "a long line of the message that goes on\r\n");
	buf_adds(&text, "\"\r\nInformation,5/13/2023 7:35:00 AM,ADSync,904,None,after\r\n");
	opt.max_record = 1000;
	cr_assert_eq(parse_chunked(&c, "evcsv", text.data, text.len, &opt, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 2);
	cr_assert(strncmp(c.ev[0].message, "a long line of the message", 26) == 0);
	cr_assert_lt(strlen(c.ev[0].message), 1000);
	cr_assert_eq(c.ev[1].line, 103);
	cr_assert_str_eq(c.ev[1].message, "after");
	cr_assert_not_null(find_problem(&c, "record starting at line 2 too long, cut at 1000 bytes"));
	cr_assert_eq(find_problem(&c, "record starting at line 2")->line, 2);
	buf_release(&text);
	cap_free(&c);
}

Test(evcsv, cut_off_inside_quotes_and_localised_header)
{
	static const char text[] =
		"Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\n"
		"Fehler,13.05.2023 07:34:38,ADSync,6900,Server,\"Der Server\nhat";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "evcsv", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].level, LVL_NONE);
	cr_assert_str_eq(c.ev[0].message, "Der Server\nhat");
	assert_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	cr_assert_not_null(find_problem(&c, "is not Event Viewer's English one"));
	cr_assert_not_null(find_problem(&c, "level 'Fehler' at line 2 is not an English level"));
	cr_assert_not_null(find_problem(&c, "the input ends inside a quoted field of the record "
					"starting at line 2"));
	cap_free(&c);
}

Test(evcsv, joined_exports_repeat_the_header)
{
	struct buf text;
	struct cap c = { 0 };

	buf_init(&text, 1 << 20);
	buf_adds(&text, evcsv_text);
	buf_adds(&text, evcsv_text);
	cr_assert_eq(parse_chunked(&c, "evcsv", text.data, text.len, NULL, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 6);
	cr_assert_str_eq(c.ev[2].message, "Automatic upgrade failed: UpgradeAbortedSyncExeInUse.");
	cr_assert_eq(c.ev[3].line, 9);
	cr_assert_str_eq(c.ev[3].message, "Scheduler started.");
	cr_assert_eq(c.np, 0);
	buf_release(&text);
	cap_free(&c);
}

Test(evcsv, sniff)
{
	const struct ec_format *best;

	cr_assert_eq(sniff_str("evcsv", evcsv_text, &best), 90);
	cr_assert_eq(best, cap_format("evcsv"));
	cr_assert_eq(sniff_str("evcsv", "\xEF\xBB\xBF" "Level\tDate and Time\tSource\tEvent ID\t"
			       "Task Category\r\n", &best), 90);
	cr_assert_eq(best, cap_format("evcsv"));
	cr_assert_eq(sniff_str("evcsv", "\"Level\",\"Date and Time\",\"Source\",\"Event ID\","
			       "\"Task Category\"\n", NULL), 90);
	cr_assert_eq(sniff_str("evcsv", "Level,Date and Time,Source\n", NULL), 0);
	cr_assert_eq(sniff_str("evcsv", "Level,Date and Time\tSource,Event ID,Task Category\n",
			       NULL), 0);
	cr_assert_eq(sniff_str("evcsv", "\"Message\",\"Id\"\n", NULL), 0);
	cr_assert_eq(sniff_str("evcsv", "", NULL), 0);
	cr_assert_eq(sniff_str("pscsv", evcsv_text, NULL), 0);
	cr_assert_eq(sniff_str("psjson", evcsv_text, NULL), 0);
}

/* ---- pscsv -------------------------------------------------------------- */

#define PS51_HEADER                                                                          \
	"\"Message\",\"Id\",\"Version\",\"Qualifiers\",\"Level\",\"Task\",\"Opcode\","        \
	"\"Keywords\",\"RecordId\",\"ProviderName\",\"ProviderId\",\"LogName\",\"ProcessId\","  \
	"\"ThreadId\",\"MachineName\",\"UserId\",\"TimeCreated\",\"ActivityId\","             \
	"\"RelatedActivityId\",\"ContainerLog\",\"MatchedQueryIds\",\"Bookmark\","            \
	"\"LevelDisplayName\",\"OpcodeDisplayName\",\"TaskDisplayName\","                     \
	"\"KeywordsDisplayNames\",\"Properties\"\r\n"

#define PS51_ROW1                                                                            \
	"\"The management agent \"\"contoso.com\"\" failed on run profile \"\"Delta Import\"\"" \
	"\r\nbecause of connectivity issues.\r\n\r\n Additional Information\r\n Discovery "      \
	"Errors : \"\"0\"\"\",\"6050\",,\"0\",\"2\",\"3\",\"0\",\"36028797018963968\","        \
	"\"123456\",\"ADSync\",,\"Application\",\"0\",\"0\",\"AADC01.contoso.com\",,"           \
	"\"5/13/2023 7:34:38 AM\",,,\"Application\",\"System.UInt32[]\","                      \
	"\"System.Diagnostics.Eventing.Reader.EventBookmark\",\"Error\",\"Info\","             \
	"\"Management Agent Run Profile\","                                                    \
	"\"System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]\","              \
	"\"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]\"\r\n"

#define PS51_ROW2                                                                            \
	"\"An account failed to log on.\",\"4625\",\"0\",,\"0\",\"12544\",\"0\","              \
	"\"-9214364837600034816\",\"99\",\"Microsoft-Windows-Security-Auditing\","            \
	"\"54849625-5478-4994-a5ba-3e3b0328c30d\",\"Security\",\"712\",\"4432\","              \
	"\"AADC01.contoso.com\",\"S-1-5-18\",\"5/13/2023 7:35:00 PM\",,,\"Security\","          \
	"\"System.UInt32[]\",\"System.Diagnostics.Eventing.Reader.EventBookmark\","            \
	"\"Information\",\"Info\",\"Logon\",\"x\",\"y\"\r\n"

static const char ps51_text[] =
	"#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n" PS51_HEADER PS51_ROW1
	PS51_ROW2;

static void
assert_ps51(const struct cap *c, uint64_t first_line)
{
	const struct cev *e;

	cr_assert_eq(c->nev, 2);
	e = &c->ev[0];
	cr_assert_eq(e->line, first_line);
	cr_assert_eq(e->level, LVL_ERROR);
	assert_time(e, TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	cr_assert_str_eq(e->provider, "ADSync");
	cr_assert_eq(e->event_id, 6050);
	cr_assert_str_eq(e->message, "The management agent \"contoso.com\" failed on run profile "
			 "\"Delta Import\"\nbecause of connectivity issues.\n\n Additional "
			 "Information\n Discovery Errors : \"0\"");
	cr_assert(e->has_win);
	cr_assert_eq(e->win.record_id, 123456);
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->computer, "AADC01.contoso.com");
	cr_assert_str_eq(e->user_sid, "");
	cr_assert_eq(e->win.qualifiers, 0);
	cr_assert_eq(e->win.win_level, 2);
	cr_assert_eq(e->win.task, 3);
	cr_assert_eq(e->win.opcode, 0);
	cr_assert(e->win.has_keywords);
	cr_assert_eq(e->win.keywords, UINT64_C(0x80000000000000));
	cr_assert_eq(e->win.process_id, 0);
	cr_assert_eq(e->win.thread_id, 0);
	cr_assert_eq(e->ndata, 1);
	assert_data(e, 0, "TaskCategory", "Management Agent Run Profile");

	e = &c->ev[1];
	cr_assert_eq(e->level, LVL_INFO);
	cr_assert_eq(e->win.win_level, 0);
	assert_time(e, TQ_LOCAL_ASSUMED, "2023-05-13T19:35:00.000Z");
	cr_assert_str_eq(e->provider, "Microsoft-Windows-Security-Auditing");
	cr_assert_eq(e->event_id, 4625);
	cr_assert_eq(e->win.qualifiers, -1);
	cr_assert_eq(e->win.keywords, UINT64_C(0x8020000000000000));
	cr_assert_eq(e->win.record_id, 99);
	cr_assert_str_eq(e->channel, "Security");
	cr_assert_str_eq(e->user_sid, "S-1-5-18");
	cr_assert_eq(e->win.process_id, 712);
	cr_assert_eq(e->win.thread_id, 4432);
	cr_assert_eq(e->win.task, 12544);
	assert_data(e, 0, "TaskCategory", "Logon");
	cr_assert_str_eq(e->message, "An account failed to log on.");
}

Test(pscsv, ps51_with_type_line)
{
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "pscsv", ps51_text), 0);
	dump_problems(&c);
	assert_ps51(&c, 3);
	cr_assert_eq(c.np, 0);
	cap_free(&c);
}

Test(pscsv, no_type_line_and_utf16le_bom)
{
	static const char text[] = PS51_HEADER PS51_ROW1 PS51_ROW2;
	struct cap c = { 0 }, ref = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(text, true, &n);

	cr_assert_eq(parse_str(&ref, "pscsv", text), 0);
	assert_ps51(&ref, 2);
	cr_assert_eq(ref.ev[0].offset, strlen(PS51_HEADER));
	cr_assert_eq(parse_chunked(&c, "pscsv", u, n, NULL, 1), 0);
	assert_ps51(&c, 2);
	assert_same(&ref, &c, false);
	cr_assert_eq(c.ev[0].offset, 2 + 2 * strlen(PS51_HEADER));
	cr_assert_eq(c.np, 0);
	cap_free(&c);
	cap_free(&ref);
	free(u);
}

Test(pscsv, columns_in_another_order_unquoted_semicolons)
{
	/* PowerShell 7, -UseCulture in de-DE, -UseQuotes AsNeeded. */
	static const char text[] =
		"TimeCreated;ProviderName;Id;LevelDisplayName;Message;RecordId;LogName;Keywords\n"
		"13.05.2023 07:34:38;ADSync;6100;Warning;\"Run; with \"\"errors\"\"\";77;Application;"
		"-9223372036854775807\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "pscsv", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].line, 2);
	cr_assert_eq(c.ev[0].level, LVL_WARN);
	cr_assert_eq(c.ev[0].win.win_level, -1);
	assert_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	cr_assert_str_eq(c.ev[0].provider, "ADSync");
	cr_assert_eq(c.ev[0].event_id, 6100);
	cr_assert_str_eq(c.ev[0].message, "Run; with \"errors\"");
	cr_assert_eq(c.ev[0].win.record_id, 77);
	cr_assert_str_eq(c.ev[0].channel, "Application");
	cr_assert_eq(c.ev[0].win.keywords, UINT64_C(0x8000000000000001));
	cr_assert_eq(c.ev[0].win.task, -1);
	cr_assert_eq(c.ev[0].win.process_id, -1);
	cr_assert_eq(c.np, 0);
	cap_free(&c);
}

Test(pscsv, get_eventlog)
{
	static const char text[] =
		"#TYPE System.Diagnostics.EventLogEntry#Application/ADSync/1073747900\r\n"
		"\"EventID\",\"MachineName\",\"Data\",\"Index\",\"Category\",\"CategoryNumber\","
		"\"EntryType\",\"Message\",\"Source\",\"ReplacementStrings\",\"InstanceId\","
		"\"TimeGenerated\",\"TimeWritten\",\"UserName\",\"Site\",\"Container\"\r\n"
		"\"6076\",\"AADC01\",\"System.Byte[]\",\"4711\",\"Server\",\"3\",\"Error\","
		"\"Sync failed\",\"ADSync\",\"System.String[]\",\"1073747900\","
		"\"5/13/2023 7:34:38 AM\",\"5/13/2023 7:34:39 AM\",,,\r\n"
		"\"904\",\"AADC01\",\"System.Byte[]\",\"4712\",\"(0)\",\"0\",\"Information\","
		"\"Scheduler\",\"Directory Synchronization\",\"System.String[]\",\"904\","
		"\"5/13/2023 7:40:00 AM\",\"5/13/2023 7:40:00 AM\",\"NT AUTHORITY\\SYSTEM\",,\r\n";
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("pscsv", text, NULL), 90);
	cr_assert_eq(parse_str(&c, "pscsv", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[0].level, LVL_ERROR);
	cr_assert_eq(c.ev[0].event_id, 6076);
	cr_assert_eq(c.ev[0].win.qualifiers, 16384);
	cr_assert_eq(c.ev[0].win.record_id, 4711);
	cr_assert_str_eq(c.ev[0].provider, "ADSync");
	cr_assert_str_eq(c.ev[0].channel, "Application");
	cr_assert_str_eq(c.ev[0].computer, "AADC01");
	cr_assert_str_eq(c.ev[0].message, "Sync failed");
	assert_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2023-05-13T07:34:38.000Z");
	assert_data(&c.ev[0], 0, "TaskCategory", "Server");
	cr_assert_eq(c.ev[0].ndata, 1);
	cr_assert_eq(c.ev[1].level, LVL_INFO);
	cr_assert_eq(c.ev[1].event_id, 904);
	cr_assert_eq(c.ev[1].win.qualifiers, 0);
	cr_assert_str_eq(c.ev[1].provider, "Directory Synchronization");
	assert_data(&c.ev[1], 1, "UserName", "NT AUTHORITY\\SYSTEM");
	cr_assert_eq(c.np, 0);
	cap_free(&c);
}

Test(pscsv, bad_rows_reported_rest_read)
{
	static const char text[] =
		"\"Id\",\"ProviderName\",\"TimeCreated\",\"Message\"\n"
		"\"1\",\"A\",\"5/13/2023 7:34:38 AM\",\"one\"\n"
		"\"2\",\"A\",\"5/13/2023 7:34:39 AM\"\n"
		"\"3\",\"A\",\"5/13/2023 7:34:40 AM\",\"three\",\"extra\"\n"
		"\"4\",\"A\",\"not a date\",\"four\"\n"
		"\"5\",\"A\",\"5/13/2023 7:34:41 AM\",\"five\"\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "pscsv", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 3);
	cr_assert_eq(c.ev[0].event_id, 1);
	cr_assert_eq(c.ev[1].event_id, 4);
	cr_assert_eq(c.ev[1].tq, TQ_NONE);
	cr_assert_eq(c.ev[1].line, 5);
	cr_assert_eq(c.ev[2].event_id, 5);
	cr_assert_eq(c.ev[2].line, 6);
	cr_assert_eq(c.np, 3);
	cr_assert_str_eq(c.p[0].message, "row at line 3 has 3 columns, the header 4: skipped");
	cr_assert_eq(c.p[0].line, 3);
	cr_assert_str_eq(c.p[1].message, "row at line 4 has 5 columns, the header 4: skipped");
	cr_assert_eq(c.p[1].line, 4);
	cr_assert_eq(c.p[2].line, 5);
	cr_assert(strstr(c.p[2].message, "date 'not a date' at line 5 not understood"), "%s",
		  c.p[2].message);
	cap_free(&c);
}

Test(pscsv, joined_exports_repeat_type_and_header)
{
	struct buf text;
	struct cap c = { 0 };

	buf_init(&text, 1 << 20);
	buf_adds(&text, ps51_text);
	buf_adds(&text, ps51_text);
	cr_assert_eq(parse_chunked(&c, "pscsv", text.data, text.len, NULL, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 4);
	cr_assert_eq(c.ev[2].event_id, 6050);
	cr_assert_eq(c.ev[2].line, 11);
	cr_assert_eq(c.np, 0);
	buf_release(&text);
	cap_free(&c);
}

Test(pscsv, header_without_event_columns)
{
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "pscsv", "\"Name\",\"Value\"\n\"a\",\"b\"\n\"c\",\"d\"\n"), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "nothing read"), "%s", c.p[0].message);
	cap_free(&c);
}

Test(pscsv, sniff)
{
	const struct ec_format *best;

	cr_assert_eq(sniff_str("pscsv", ps51_text, &best), 90);
	cr_assert_eq(best, cap_format("pscsv"));
	cr_assert_eq(sniff_str("pscsv", PS51_HEADER, &best), 90);
	cr_assert_eq(best, cap_format("pscsv"));
	cr_assert_eq(sniff_str("pscsv", "#TYPE Selected.System.Diagnostics.Eventing.Reader."
			       "EventLogRecord\n\"Id\",\"Message\"\n", NULL), 90);
	cr_assert_eq(sniff_str("pscsv", "TimeCreated;ProviderName;Id\n", NULL), 90);
	cr_assert_eq(sniff_str("pscsv", "\"Index\",\"Source\",\"InstanceId\",\"TimeGenerated\"\n",
			       NULL), 90);
	cr_assert_eq(sniff_str("pscsv", "#TYPE System.Management.Automation.PSCustomObject\n"
			       "\"Name\",\"Id\"\n", NULL), 0);
	cr_assert_eq(sniff_str("pscsv", "\"Id\",\"ProviderName\"\n", NULL), 0);
	cr_assert_eq(sniff_str("pscsv", "Identity,ProviderNames,TimeCreatedX\n", NULL), 0);
	cr_assert_eq(sniff_str("psjson", ps51_text, NULL), 0);
	cr_assert_eq(sniff_str("evcsv", ps51_text, NULL), 0);
}

/* ---- psjson ------------------------------------------------------------- */

#define PSJ_OBJ1                                                                             \
	"    {\r\n"                                                                         \
	"        \"Id\":  6100,\r\n"                                                         \
	"        \"Version\":  null,\r\n"                                                    \
	"        \"Qualifiers\":  0,\r\n"                                                    \
	"        \"Level\":  2,\r\n"                                                         \
	"        \"Task\":  3,\r\n"                                                          \
	"        \"Opcode\":  null,\r\n"                                                     \
	"        \"Keywords\":  -9223372036854775807,\r\n"                                   \
	"        \"RecordId\":  123456,\r\n"                                                 \
	"        \"ProviderName\":  \"ADSync\",\r\n"                                         \
	"        \"ProviderId\":  null,\r\n"                                                 \
	"        \"LogName\":  \"Application\",\r\n"                                        \
	"        \"ProcessId\":  null,\r\n"                                                  \
	"        \"ThreadId\":  null,\r\n"                                                   \
	"        \"MachineName\":  \"AADC01.contoso.com\",\r\n"                              \
	"        \"UserId\":  null,\r\n"                                                     \
	"        \"TimeCreated\":  \"\\/Date(1683876878123)\\/\",\r\n"                       \
	"        \"ContainerLog\":  \"Application\",\r\n"                                    \
	"        \"MatchedQueryIds\":  [\r\n\r\n                            ],\r\n"          \
	"        \"Bookmark\":  \"System.Diagnostics.Eventing.Reader.EventBookmark\",\r\n"   \
	"        \"LevelDisplayName\":  \"Error\",\r\n"                                      \
	"        \"OpcodeDisplayName\":  \"Info\",\r\n"                                      \
	"        \"TaskDisplayName\":  \"Management Agent Run Profile\",\r\n"                \
	"        \"KeywordsDisplayNames\":  [\r\n                                     \"Classic\"\r\n" \
	"                                 ],\r\n"                                           \
	"        \"Properties\":  [\r\n"                                                     \
	"                           {\r\n"                                                   \
	"                               \"Value\":  \"contoso.com\"\r\n"                     \
	"                           },\r\n"                                                  \
	"                           {\r\n"                                                   \
	"                               \"Value\":  \"Delta Import\"\r\n"                    \
	"                           },\r\n"                                                  \
	"                           {\r\n"                                                   \
	"                               \"Value\":  [1, 2]\r\n"                              \
	"                           },\r\n"                                                  \
	"                           {\r\n"                                                   \
	"                               \"Value\":  42\r\n"                                  \
	"                           }\r\n"                                                   \
	"                       ],\r\n"                                                      \
	"        \"Message\":  \"The run profile \\\"Delta Import\\\" failed.\\r\\n"           \
	"Braces { [ in text\\\\ \\u00e9\"\r\n"                                                \
	"    }"

#define PSJ_OBJ2                                                                             \
	"    {\r\n"                                                                         \
	"        \"Id\":  1073748928,\r\n"                                                   \
	"        \"Level\":  4,\r\n"                                                         \
	"        \"Keywords\":  36028797018963968,\r\n"                                      \
	"        \"RecordId\":  123457,\r\n"                                                 \
	"        \"ProviderName\":  \"Azure AD Connect Upgrade\",\r\n"                       \
	"        \"LogName\":  \"Application\",\r\n"                                         \
	"        \"ProcessId\":  4242,\r\n"                                                  \
	"        \"ThreadId\":  17,\r\n"                                                     \
	"        \"UserId\":  {\r\n"                                                         \
	"                       \"BinaryLength\":  12,\r\n"                                  \
	"                       \"AccountDomainSid\":  null,\r\n"                            \
	"                       \"Value\":  \"S-1-5-18\"\r\n"                                \
	"                   },\r\n"                                                          \
	"        \"TimeCreated\":  \"\\/Date(1649391053843+0200)\\/\",\r\n"                  \
	"        \"Properties\":  [\r\n"                                                     \
	"                           \"System.Diagnostics.Eventing.Reader.EventProperty\"\r\n" \
	"                       ],\r\n"                                                      \
	"        \"Message\":  \"AutoUpgrade result = UpgradeFailedRollbackSuccess\"\r\n"    \
	"    }"

static const char psj_array[] = "[\r\n" PSJ_OBJ1 ",\r\n" PSJ_OBJ2 "\r\n]\r\n";

static void
assert_psj(const struct cap *c)
{
	const struct cev *e;

	cr_assert_eq(c->nev, 2);
	e = &c->ev[0];
	cr_assert_eq(e->line, 2);
	cr_assert_eq(e->offset, 7);
	cr_assert_eq(e->level, LVL_ERROR);
	assert_time(e, TQ_EXACT, "2023-05-12T07:34:38.123Z");
	cr_assert_eq(e->tod, (7 * 3600 + 34 * 60 + 38) * 1000 + 123);
	cr_assert_str_eq(e->provider, "ADSync");
	cr_assert_eq(e->event_id, 6100);
	cr_assert_str_eq(e->message, "The run profile \"Delta Import\" failed.\r\nBraces { [ in "
			 "text\\ \xC3\xA9");
	cr_assert_eq(e->win.record_id, 123456);
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->computer, "AADC01.contoso.com");
	cr_assert_str_eq(e->user_sid, "");
	cr_assert_eq(e->win.qualifiers, 0);
	cr_assert_eq(e->win.win_level, 2);
	cr_assert_eq(e->win.task, 3);
	cr_assert_eq(e->win.opcode, -1);
	cr_assert(e->win.has_keywords);
	cr_assert_eq(e->win.keywords, UINT64_C(0x8000000000000001));
	cr_assert_eq(e->win.process_id, -1);
	cr_assert_eq(e->win.thread_id, -1);
	/* Data[3] is an array: not a scalar, left out. */
	cr_assert_eq(e->ndata, 4);
	assert_data(e, 0, "Data[1]", "contoso.com");
	assert_data(e, 1, "Data[2]", "Delta Import");
	assert_data(e, 2, "Data[4]", "42");
	assert_data(e, 3, "TaskCategory", "Management Agent Run Profile");

	e = &c->ev[1];
	cr_assert_eq(e->line, 46);
	cr_assert_eq(e->level, LVL_INFO);
	assert_time(e, TQ_EXACT, "2022-04-08T04:10:53.843Z");
	cr_assert_eq(e->event_id, 1073748928 & 0xFFFF);
	cr_assert_str_eq(e->user_sid, "S-1-5-18");
	cr_assert_eq(e->win.keywords, UINT64_C(0x80000000000000));
	cr_assert_eq(e->win.process_id, 4242);
	cr_assert_eq(e->win.thread_id, 17);
	cr_assert_eq(e->win.qualifiers, -1);
	/* The depth-cut EventProperty is no data. */
	cr_assert_eq(e->ndata, 0);
	cr_assert_str_eq(e->message, "AutoUpgrade result = UpgradeFailedRollbackSuccess");
}

Test(psjson, array_ps51)
{
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "psjson", psj_array), 0);
	dump_problems(&c);
	assert_psj(&c);
	cr_assert_eq(c.ev[1].offset, strlen("[\r\n" PSJ_OBJ1 ",\r\n    "));
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nf, 1);
	cr_assert_str_eq(c.f[0].name, "autoupgrade.result");
	cr_assert_str_eq(c.f[0].value, "UpgradeFailedRollbackSuccess");
	cap_free(&c);
}

Test(psjson, byte_at_a_time_utf16_compressed)
{
	struct cap ref = { 0 }, c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(psj_array, true, &n);
	char *one;

	cr_assert_eq(parse_str(&ref, "psjson", psj_array), 0);
	for (size_t chunk = 1; chunk < 8; chunk += 3) {
		cr_assert_eq(parse_chunked(&c, "psjson", psj_array, strlen(psj_array), NULL, chunk),
			     0);
		assert_same(&ref, &c, true);
		cap_free(&c);
		cr_assert_eq(parse_chunked(&c, "psjson", u, n, NULL, chunk), 0);
		assert_same(&ref, &c, false);
		/* Offsets count UTF-16 bytes, after the BOM. */
		cr_assert_eq(c.ev[0].offset, 2 + 2 * 7);
		cr_assert_eq(c.ev[1].offset, 2 + 2 * strlen("[\r\n" PSJ_OBJ1 ",\r\n    "));
		cap_free(&c);
	}
	/* -Compress: one line; line numbers are all 1. */
	one = strdup(psj_array);
	cr_assert_not_null(one);
	for (char *p = one; *p; p++) {
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	}
	cr_assert_eq(parse_chunked(&c, "psjson", one, strlen(one), NULL, 5), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[1].line, 1);
	cr_assert_eq(c.ev[1].win.record_id, 123457);
	cap_free(&c);
	free(one);
	cap_free(&ref);
	free(u);
}

Test(psjson, single_object_ps7_iso_and_inserts_as_message)
{
	static const char text[] =
		"\xEF\xBB\xBF{\n"
		"  \"Id\": 611,\n"
		"  \"ProviderName\": \"Directory Synchronization\",\n"
		"  \"LogName\": \"Application\",\n"
		"  \"TimeCreated\": \"2023-05-12T07:34:38.1234567+02:00\",\n"
		"  \"LevelDisplayName\": \"Error\",\n"
		"  \"Message\": null,\n"
		"  \"Properties\": [ { \"Value\": \"contoso.com\" }, { \"Value\": true }, "
		"{ \"Value\": null } ]\n"
		"}\n";
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("psjson", text, NULL), 90);
	cr_assert_eq(parse_str(&c, "psjson", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].line, 1);
	cr_assert_eq(c.ev[0].offset, 3);
	assert_time(&c.ev[0], TQ_EXACT, "2023-05-12T05:34:38.123Z");
	cr_assert_eq(c.ev[0].level, LVL_ERROR);
	cr_assert_eq(c.ev[0].win.win_level, -1);
	cr_assert_eq(c.ev[0].event_id, 611);
	cr_assert_eq(c.ev[0].ndata, 3);
	assert_data(&c.ev[0], 1, "Data[2]", "True");
	assert_data(&c.ev[0], 2, "Data[3]", "");
	/* No message where it was exported: the inserts make the line. */
	cr_assert_str_eq(c.ev[0].message, "contoso.com; True; ");
	cr_assert_eq(c.np, 0);
	cap_free(&c);
}

Test(psjson, local_iso_with_utc_offset)
{
	static const char text[] =
		"{\"Id\": 1, \"ProviderName\": \"A\", \"TimeCreated\": \"2023-05-12T07:34:38\"}";
	struct ec_options opt = { 0 };
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "psjson", text), 0);
	assert_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2023-05-12T07:34:38.000Z");
	cap_free(&c);
	opt.have_offset = true;
	opt.utc_offset_min = -240;
	cr_assert_eq(parse_chunked(&c, "psjson", text, strlen(text), &opt, 0), 0);
	assert_time(&c.ev[0], TQ_LOCAL_GIVEN, "2023-05-12T11:34:38.000Z");
	cap_free(&c);
}

Test(psjson, truncated_file_keeps_earlier_objects)
{
	char *text = malloc(sizeof(psj_array));
	size_t cut = strlen("[\r\n" PSJ_OBJ1 ",\r\n") + 200;
	struct cap c = { 0 };

	cr_assert_not_null(text);
	memcpy(text, psj_array, cut);
	cr_assert_eq(parse_chunked(&c, "psjson", text, cut, NULL, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].event_id, 6100);
	cr_assert_eq(c.np, 1);
	cr_assert_eq(c.p[0].line, 46);
	cr_assert(strstr(c.p[0].message, "the input ends inside the object starting at line 46"),
		  "%s", c.p[0].message);
	cap_free(&c);

	/* Cut after the last object: the array is not closed. */
	cut = strlen("[\r\n" PSJ_OBJ1 ",\r\n" PSJ_OBJ2);
	memcpy(text, psj_array, cut);
	cr_assert_eq(parse_chunked(&c, "psjson", text, cut, NULL, 0), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.np, 1);
	cr_assert(strstr(c.p[0].message, "before the array is closed"), "%s", c.p[0].message);
	cap_free(&c);
	free(text);
}

Test(psjson, huge_and_bad_elements_skipped)
{
	struct ec_options opt = { 0 };
	struct cap c = { 0 };
	struct buf text;

	buf_init(&text, 1 << 20);
	buf_adds(&text, "[\n{\"Id\": 1, \"ProviderName\": \"A\", \"Message\": \"");
	for (int i = 0; i < 500; i++)
		buf_adds(&text, "0123456789");
	buf_adds(&text, "\"},\n{\"Id\": 2, \"ProviderName\": \"B\"},\n\"a string\",\n"
		 "{\"Id\": 3, \"ProviderName\": tru},\n{\"Id\": 4, \"ProviderName\": \"D\"}\n]\n"
		 "[{\"Id\": 5, \"ProviderName\": \"E\"}]\n");
	opt.max_record = 1024;
	cr_assert_eq(parse_chunked(&c, "psjson", text.data, text.len, &opt, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 3);
	cr_assert_eq(c.ev[0].event_id, 2);
	cr_assert_eq(c.ev[0].line, 3);
	cr_assert_eq(c.ev[0].tq, TQ_NONE);
	cr_assert_eq(c.ev[1].event_id, 4);
	cr_assert_eq(c.ev[1].line, 6);
	/* `>>` appended a second array. */
	cr_assert_eq(c.ev[2].event_id, 5);
	cr_assert_eq(c.ev[2].line, 8);
	cr_assert_eq(c.np, 3);
	cr_assert_str_eq(c.p[0].message, "object at line 2 larger than 1024 bytes: skipped");
	cr_assert_eq(c.p[0].line, 2);
	cr_assert_str_eq(c.p[1].message, "element at line 4 is not an object: skipped");
	cr_assert(strstr(c.p[2].message, "object at line 5 is not valid JSON"), "%s",
		  c.p[2].message);
	buf_release(&text);
	cap_free(&c);
}

Test(psjson, get_eventlog_json)
{
	static const char text[] =
		"[{\"EventID\": 6076, \"MachineName\": \"AADC01\", \"Index\": 4711, "
		"\"Category\": \"Server\", \"EntryType\": 1, \"Message\": \"Sync failed\", "
		"\"Source\": \"ADSync\", \"ReplacementStrings\": [\"a\", \"b\"], "
		"\"InstanceId\": 1073747900, \"TimeGenerated\": \"\\/Date(1683876878000)\\/\", "
		"\"UserName\": null}]";
	struct cap c = { 0 };

	cr_assert_eq(sniff_str("psjson", text, NULL), 90);
	cr_assert_eq(parse_str(&c, "psjson", text), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 1);
	cr_assert_eq(c.ev[0].level, LVL_ERROR);
	cr_assert_eq(c.ev[0].event_id, 6076);
	cr_assert_eq(c.ev[0].win.qualifiers, 16384);
	cr_assert_eq(c.ev[0].win.record_id, 4711);
	cr_assert_str_eq(c.ev[0].provider, "ADSync");
	cr_assert_str_eq(c.ev[0].computer, "AADC01");
	assert_time(&c.ev[0], TQ_EXACT, "2023-05-12T07:34:38.000Z");
	cr_assert_eq(c.ev[0].ndata, 3);
	assert_data(&c.ev[0], 0, "Data[1]", "a");
	assert_data(&c.ev[0], 1, "Data[2]", "b");
	assert_data(&c.ev[0], 2, "TaskCategory", "Server");
	cr_assert_str_eq(c.ev[0].message, "Sync failed");
	cap_free(&c);
}

Test(psjson, utf16_non_ascii_and_surrogates)
{
	static const char text[] =
		"[{\"Id\": 1, \"ProviderName\": \"Caf\xC3\xA9\", \"Message\": \"smile \xF0\x9F\x98\x80 "
		"ok\"},\n{\"Id\": 2, \"ProviderName\": \"B\"}]";
	struct cap c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(text, true, &n);

	cr_assert_eq(parse_chunked(&c, "psjson", u, n, NULL, 3), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 2);
	cr_assert_str_eq(c.ev[0].provider, "Caf\xC3\xA9");
	cr_assert_str_eq(c.ev[0].message, "smile \xF0\x9F\x98\x80 ok");
	cr_assert_eq(c.ev[0].offset, 4);
	/* 61 characters before the second object, one of them two units. */
	cr_assert_eq(c.ev[1].line, 2);
	cr_assert_eq(c.ev[1].offset, 2 + 2 * 62);
	cr_assert_eq(c.np, 0);
	cap_free(&c);
	free(u);
}

Test(psjson, windows_1252_bytes)
{
	static const char text[] = "[{\"Id\": 1, \"ProviderName\": \"Caf\xE9\"}]";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, "psjson", text), 0);
	cr_assert_eq(c.nev, 1);
	cr_assert_str_eq(c.ev[0].provider, "Caf\xC3\xA9");
	cap_free(&c);
}

Test(psjson, run_history_not_sniffed)
{
	static const char inline_rh[] =
		"[\r\n  {\r\n    \"RunHistoryId\": \"81d206e6-392a-4485-9834-4c241723332d\",\r\n"
		"    \"ConnectorName\": \"garage.mcardletech.com\",\r\n"
		"    \"RunProfileName\": \"Export\",\r\n    \"RunNumber\": 26147,\r\n"
		"    \"Result\": \"no-start-connection\",\r\n"
		"    \"StartDate\": \"\\/Date(1649391053843)\\/\"\r\n  }\r\n]\r\n";
	const struct ec_format *best;
	const char *path = corpus_path(RUNHISTORY);
	size_t n;
	char *all;

	cr_assert_eq(sniff_str("psjson", inline_rh, &best), 0);
	cr_assert_neq(best, cap_format("psjson"));
	cr_assert_eq(sniff_str("psjson", psj_array, &best), 90);
	cr_assert_eq(best, cap_format("psjson"));
	cr_assert_eq(sniff_str("psjson", "[]", NULL), 0);
	cr_assert_eq(sniff_str("psjson", "{\"Name\": \"x\", \"Id\": 3}", NULL), 0);
	cr_assert_eq(sniff_str("psjson", "not json \"ProviderName\": 1, \"Id\": 2", NULL), 0);
	cr_assert_eq(sniff_str("pscsv", psj_array, NULL), 0);
	cr_assert_eq(sniff_str("evcsv", psj_array, NULL), 0);
	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", RUNHISTORY);
	all = slurp(path, &n);
	cr_assert_not_null(all);
	cr_assert_eq(sniff_text("psjson", all, n < 65536 ? n : 65536, &best), 0);
	cr_assert_neq(best, cap_format("psjson"));
	free(all);
}
