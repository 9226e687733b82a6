/* SPDX-License-Identifier: MIT */
/* test_parser_evtx.c - the EVTX reader: every corpus file against the
 * python-evtx reference dump beside it, the record counts of the best
 * reference reader on the damaged ones, and crafted damage (a small EVTX
 * built here: truncation, a header that claims 60 000 chunks, a template
 * outside its chunk, a template that instantiates itself, a length past
 * the end, nesting past the limit). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/encoding.h"
#include "common/timeutil.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

extern const struct ec_format fmt_evtx;

/* ---- parsing into the capture sink -------------------------------------- */

/* Parse n bytes as the input "test.evtx", chunk bytes per read (0: any). */
static int
parse_bytes(struct cap *c, const void *data, size_t n, size_t chunk)
{
	int rc = cap_parse(c, &fmt_evtx, data, n, chunk, NULL, "test.evtx");

	for (size_t i = 0; i < c->nev; i++)
		cr_assert(c->ev[i].has_win, "EVTX events carry Windows fields");
	return rc;
}

static const struct cev *
by_record(const struct cap *c, uint64_t id)
{
	for (size_t i = 0; i < c->nev; i++) {
		if (c->ev[i].win.record_id == id)
			return &c->ev[i];
	}
	return NULL;
}

static unsigned char *
load(const char *rel, size_t *n)
{
	const char *path = corpus_path(rel);
	unsigned char *p = path ? (unsigned char *)slurp(path, n) : NULL;

	if (!p)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", rel);
	return p;
}

/* ---- the corpus against python-evtx ------------------------------------- */

/* The most records any of the three reference readers recovered (the
 * corpus README: evtx-rs tests, python-evtx 0.6.1, libevtx 20181227). */
static const struct corpus_file {
	const char *name;
	size_t best;
} corpus_files[] = {
	{ "deepbluecli-many-events-application", 2216 },
	{ "evtx-to-mitre-mssql-18456", 6 },
	{ "evtxrs-application-no-crc32", 17 },
	{ "evtxrs-bad-chunk-magic", 270 },
	{ "evtxrs-incomplete-sid", 6 },
	{ "evtxrs-incomplete-template", 17 },
	{ "evtxrs-irregular-bool-values", 3028 },
	{ "evtxrs-multiple-xml-fragments", 1146 },
	{ "evtxrs-security", 2261 },
	{ "evtxrs-sysmon", 358 },
	{ "pyevtx-dns-log-malformed", 5 },
	{ "pyevtx-system", 1601 },
};

/* "2020-07-15 11:31:15.673796" (or without fraction) -> microseconds. */
static int64_t
ref_us(const char *s)
{
	struct civil c = { 0 };
	int64_t us = 0;

	if (strlen(s) < 19)
		return INT64_MIN;
	c.year = read_digits(s, 4);
	c.month = read_digits(s + 5, 2);
	c.day = read_digits(s + 8, 2);
	c.hour = read_digits(s + 11, 2);
	c.min = read_digits(s + 14, 2);
	c.sec = read_digits(s + 17, 2);
	if (s[19] == '.') {
		int k = 0;

		for (const char *p = s + 20; *p >= '0' && *p <= '9' && k < 6; p++, k++)
			us = us * 10 + (*p - '0');
		for (; k < 6; k++)
			us *= 10;
	}
	return civil_to_ms(&c) * 1000 + us;
}

Test(parser_evtx, corpus_matches_python_evtx)
{
	size_t checked = 0;

	for (size_t f = 0; f < sizeof(corpus_files) / sizeof(corpus_files[0]); f++) {
		char rel[256], *tsv, *line, *save = NULL;
		size_t n, nt, ref = 0;
		unsigned char *data;
		struct cap c = { 0 };

		snprintf(rel, sizeof(rel), "evtx/%s.evtx", corpus_files[f].name);
		data = load(rel, &n);
		snprintf(rel, sizeof(rel), "evtx/%s.pyevtx.tsv", corpus_files[f].name);
		tsv = corpus_path(rel) ? slurp(corpus_path(rel), &nt) : NULL;
		cr_assert_not_null(tsv, "%s", rel);
		cr_assert_eq(parse_bytes(&c, data, n, 0), 0, "%s", corpus_files[f].name);
		cr_assert_geq(c.nev, corpus_files[f].best, "%s: %zu records, the best reference read %zu",
			      corpus_files[f].name, c.nev, corpus_files[f].best);
		for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *col[7];
			const struct cev *e;
			int k = 0;

			if (line[0] == '#' || strncmp(line, "record_id", 9) == 0)
				continue;
			for (char *p = line; k < 7; k++) {
				col[k] = p;
				p = strchr(p, '\t');
				if (!p)
					break;
				*p++ = '\0';
			}
			cr_assert_eq(k, 6, "%s: a reference line with 7 columns", corpus_files[f].name);
			ref++;
			e = by_record(&c, strtoull(col[0], NULL, 10));
			cr_assert_not_null(e, "%s: record %s missing", corpus_files[f].name, col[0]);
			if (col[1][0]) {
				/* python-evtx goes through a float: a few microseconds off;
				 * ecdiag keeps milliseconds. */
				int64_t us = ref_us(col[1]), ours = e->time_ms * 1000;

				cr_assert(us >= ours - 10 && us < ours + 1000 + 10, "%s: record %s time %s vs %lld ms",
					  corpus_files[f].name, col[0], col[1], (long long)e->time_ms);
			}
			cr_assert_str_eq(e->provider, col[2], "%s: record %s", corpus_files[f].name, col[0]);
			cr_assert_eq(e->event_id, strtoll(col[3], NULL, 10), "%s: record %s", corpus_files[f].name,
				     col[0]);
			cr_assert_str_eq(e->channel, col[4], "%s: record %s", corpus_files[f].name, col[0]);
			cr_assert_str_eq(e->computer, col[5], "%s: record %s", corpus_files[f].name, col[0]);
			cr_assert_eq(e->tq, TQ_EXACT);
			checked++;
		}
		cr_assert_geq(c.nev, ref, "%s", corpus_files[f].name);
		free(tsv);
		free(data);
		cap_free(&c);
	}
	cr_assert_gt(checked, 10000);
}

/* A classic event: unnamed inserts are Data[1..n], Binary kept, Qualifiers
 * apart from the event id. */
Test(parser_evtx, classic_inserts_by_position)
{
	size_t n;
	unsigned char *data = load("evtx/evtx-to-mitre-mssql-18456.evtx", &n);
	struct cap c = { 0 };
	const struct cev *e;

	cr_assert_eq(parse_bytes(&c, data, n, 0), 0);
	e = by_record(&c, 1);
	cr_assert_not_null(e);
	cr_assert_str_eq(e->provider, "MSSQL$RADAR");
	cr_assert_eq(e->event_id, 18456);
	cr_assert_eq(e->ndata, 4);
	cr_assert_str_eq(e->dname[0], "Data[1]");
	cr_assert_str_eq(e->dvalue[0], "unexisting-user");
	cr_assert_str_eq(e->dname[2], "Data[3]");
	cr_assert_str_eq(e->dvalue[2], " [CLIENT: 10.23.23.9]");
	cr_assert_str_eq(e->dname[3], "Binary");
	cr_assert(strncmp(e->dvalue[3], "18480000", 8) == 0, "%s", e->dvalue[3]);
	cr_assert_eq(c.np, 0);
	cap_free(&c);
	free(data);
}

/* A manifest event: named Data, and the documented message of the
 * MsiInstaller and Service Control Manager providers. */
Test(parser_evtx, named_data_and_known_messages)
{
	size_t n;
	unsigned char *data = load("evtx/pyevtx-system.evtx", &n);
	struct cap c = { 0 };
	size_t scm = 0;

	cr_assert_eq(parse_bytes(&c, data, n, 0), 0);
	for (size_t i = 0; i < c.nev; i++) {
		const struct cev *e = &c.ev[i];

		if (strcmp(e->provider, "Service Control Manager") == 0 && e->event_id == 7036) {
			cr_assert(strncmp(e->message, "The ", 4) == 0 && strstr(e->message, " service entered the "),
				  "%s", e->message);
			cr_assert_str_eq(e->dname[0], "param1");
			scm++;
		}
	}
	cr_assert_gt(scm, 10);
	cap_free(&c);
	free(data);
	data = load("evtx/deepbluecli-many-events-application.evtx", &n);
	cr_assert_eq(parse_bytes(&c, data, n, 0), 0);
	{
		size_t msi = 0;

		for (size_t i = 0; i < c.nev; i++) {
			if (strcmp(c.ev[i].provider, "MsiInstaller") == 0 && c.ev[i].event_id == 1033) {
				cr_assert(strncmp(c.ev[i].message, "Windows Installer installed the product. Product Name: ",
						  55) == 0, "%s", c.ev[i].message);
				msi++;
			}
		}
		cr_assert_gt(msi, 0);
	}
	cap_free(&c);
	free(data);
}

/* The file header's NO_CRC32 flag: no checksum problem is reported. */
Test(parser_evtx, no_crc32_flag)
{
	size_t n;
	unsigned char *data = load("evtx/evtxrs-application-no-crc32.evtx", &n);
	struct cap c = { 0 };

	cr_assert_eq(parse_bytes(&c, data, n, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 17);
	cap_free(&c);
	free(data);
}

/* A byte of record data changed: the checksum mismatch is reported and the
 * records are still read. Read one byte at a time, too. */
Test(parser_evtx, data_checksum_mismatch_reported)
{
	size_t n;
	unsigned char *data = load("evtx/evtxrs-security.evtx", &n);
	struct cap c = { 0 }, one = { 0 };

	cr_assert_eq(parse_bytes(&one, data, n, 1), 0);
	data[4096 + 512 + 30] ^= 0x01;	/* inside the first record's written time */
	cr_assert_eq(parse_bytes(&c, data, n, 0), 0);
	cr_assert_not_null(find_problem(&c, "record data checksum mismatch"));
	cr_assert_eq(c.nev, one.nev, "every record still read");
	cr_assert_eq(one.np, 0);
	cap_free(&c);
	cap_free(&one);
	free(data);
}

Test(parser_evtx, truncated_files)
{
	size_t n;
	unsigned char *data = load("evtx/evtxrs-security.evtx", &n);
	static const size_t cuts[] = { 0, 7, 100, 4095, 4096, 4096 + 300, 4096 + 40000, 4096 + 65536 + 1 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct cap c = { 0 };

		cr_assert_eq(parse_bytes(&c, data, cuts[i], 0), 0);
		if (cuts[i] > 4096 + 512)
			cr_assert_gt(c.nev, 0, "cut at %zu: the whole records before it", cuts[i]);
		if (cuts[i] > 0)
			cr_assert_gt(c.np, 0, "cut at %zu: reported", cuts[i]);
		cap_free(&c);
	}
	free(data);
}

Test(parser_evtx, header_claims_60000_chunks)
{
	size_t n;
	unsigned char *data = load("evtx/evtxrs-security.evtx", &n);
	struct cap c = { 0 }, ok = { 0 };
	uint32_t crc;

	cr_assert_eq(parse_bytes(&ok, data, n, 0), 0);
	data[42] = 60000 & 0xFF;
	data[43] = 60000 >> 8;
	crc = (uint32_t)crc32(0, data, 120);
	memcpy(data + 124, &crc, 4);
	cr_assert_eq(parse_bytes(&c, data, n, 0), 0);
	cr_assert_not_null(find_problem(&c, "the header counts 60000 chunks; the file holds 33"));
	cr_assert_eq(c.nev, ok.nev);
	cap_free(&c);
	cap_free(&ok);
	free(data);
}

/* ---- a tiny EVTX, built here -------------------------------------------- */

struct b {
	unsigned char *chunk;	/* CHUNK bytes */
	size_t pos;
};

#define CHUNK 65536

static void
u8(struct b *b, unsigned v)
{
	b->chunk[b->pos++] = (unsigned char)v;
}

static void
u16(struct b *b, unsigned v)
{
	u8(b, v & 0xFF);
	u8(b, v >> 8);
}

static void
u32(struct b *b, uint32_t v)
{
	u16(b, v & 0xFFFF);
	u16(b, v >> 16);
}

static void
u64(struct b *b, uint64_t v)
{
	u32(b, (uint32_t)v);
	u32(b, (uint32_t)(v >> 32));
}

/* An inline name: the offset is where it starts. */
static void
name(struct b *b, const char *s)
{
	u32(b, (uint32_t)b->pos + 4);
	u32(b, 0);	/* next */
	u16(b, 0);	/* hash */
	u16(b, (unsigned)strlen(s));
	for (const char *p = s; *p; p++)
		u16(b, (unsigned char)*p);
	u16(b, 0);
}

static void
open_elem(struct b *b, const char *s, bool attrs)
{
	u8(b, attrs ? 0x41 : 0x01);
	u16(b, 0xFFFF);	/* dependency id */
	u32(b, 0);	/* data size (not used) */
	name(b, s);
	if (attrs)
		u32(b, 0);
}

static void
attr(struct b *b, const char *s)
{
	u8(b, 0x06);
	name(b, s);
}

static void
text(struct b *b, const char *s)
{
	u8(b, 0x05);
	u8(b, 0x01);
	u16(b, (unsigned)strlen(s));
	for (const char *p = s; *p; p++)
		u16(b, (unsigned char)*p);
}

static void
subst(struct b *b, unsigned idx, unsigned type)
{
	u8(b, 0x0d);
	u16(b, idx);
	u8(b, type);
}

static void
close_start(struct b *b)
{
	u8(b, 0x02);
}

static void
end_elem(struct b *b)
{
	u8(b, 0x04);
}

enum damage {
	D_NONE,
	D_TEMPLATE_OUTSIDE,	/* the instance points past the chunk */
	D_SELF_TEMPLATE,	/* the template's body instantiates itself */
	D_NAME_TOO_LONG,	/* a name's length runs past the chunk */
	D_VALUE_TOO_LONG,	/* a substitution size past the record */
	D_DEEP,			/* 200 nested elements */
};

/* One record: <Event><System><Provider Name='Prov'/><EventID>%0</EventID>
 * <Level>%1</Level><TimeCreated SystemTime=%2/><EventRecordID>%3</...>
 * <Channel>Application</Channel><Computer>HOST</Computer></System>
 * <EventData><Data Name='a'>%4</Data><Data>%5</Data></EventData></Event> */
static size_t
record(struct b *b, uint64_t id, enum damage d)
{
	size_t start = b->pos, size_at, def_at, body_size_at, body_start, vals_at;
	uint64_t ft = (UINT64_C(11644473600) + UINT64_C(1778400000)) * 10000000 + 1234567;

	u32(b, 0x00002a2a);
	size_at = b->pos;
	u32(b, 0);
	u64(b, id);
	u64(b, ft);
	u8(b, 0x0f), u8(b, 1), u8(b, 1), u8(b, 0);	/* fragment header */
	u8(b, 0x0c), u8(b, 0x01);			/* template instance */
	u32(b, 1);					/* template id */
	def_at = b->pos;
	u32(b, d == D_TEMPLATE_OUTSIDE ? 0xFFF0 : (uint32_t)b->pos + 4);
	u32(b, 0);					/* next template */
	for (int i = 0; i < 16; i++)
		u8(b, 0x11);				/* GUID */
	body_size_at = b->pos;
	u32(b, 0);
	body_start = b->pos;
	u8(b, 0x0f), u8(b, 1), u8(b, 1), u8(b, 0);
	open_elem(b, "Event", false);
	close_start(b);
	if (d == D_SELF_TEMPLATE) {
		/* An instance of this same template inside its own body. */
		u8(b, 0x0c), u8(b, 0x01);
		u32(b, 1);
		u32(b, (uint32_t)(def_at + 4));
		u32(b, 0);	/* no values */
	}
	if (d == D_DEEP) {
		for (int i = 0; i < 200; i++) {
			open_elem(b, "x", false);
			close_start(b);
		}
		for (int i = 0; i < 200; i++)
			end_elem(b);
	}
	open_elem(b, "System", false);
	close_start(b);
	open_elem(b, "Provider", true);
	attr(b, "Name");
	text(b, "Prov");
	u8(b, 0x03);	/* close empty element */
	open_elem(b, "EventID", false);
	close_start(b);
	subst(b, 0, 0x06);
	end_elem(b);
	open_elem(b, "Level", false);
	close_start(b);
	subst(b, 1, 0x04);
	end_elem(b);
	open_elem(b, "TimeCreated", true);
	attr(b, "SystemTime");
	subst(b, 2, 0x11);
	u8(b, 0x03);
	open_elem(b, "EventRecordID", false);
	close_start(b);
	subst(b, 3, 0x0a);
	end_elem(b);
	open_elem(b, "Channel", false);
	close_start(b);
	text(b, "Application");
	end_elem(b);
	if (d == D_NAME_TOO_LONG) {
		u8(b, 0x01);
		u16(b, 0xFFFF);
		u32(b, 0);
		u32(b, (uint32_t)b->pos + 4);
		u32(b, 0), u16(b, 0), u16(b, 0xFFF0);	/* 65520 characters */
	}
	open_elem(b, "Computer", false);
	close_start(b);
	text(b, "HOST");
	end_elem(b);
	end_elem(b);	/* System */
	open_elem(b, "EventData", false);
	close_start(b);
	open_elem(b, "Data", true);
	attr(b, "Name");
	text(b, "a");
	close_start(b);
	subst(b, 4, 0x01);
	end_elem(b);
	open_elem(b, "Data", false);
	close_start(b);
	subst(b, 5, 0x01);
	end_elem(b);
	end_elem(b);	/* EventData */
	end_elem(b);	/* Event */
	u8(b, 0x00);
	{
		uint32_t bs = (uint32_t)(b->pos - body_start);

		memcpy(b->chunk + body_size_at, &bs, 4);
	}
	/* Values: 6 descriptors, then the values. */
	u32(b, 6);
	vals_at = b->pos;
	u16(b, 2), u8(b, 0x06), u8(b, 0);
	u16(b, 1), u8(b, 0x04), u8(b, 0);
	u16(b, 8), u8(b, 0x11), u8(b, 0);
	u16(b, 8), u8(b, 0x0a), u8(b, 0);
	u16(b, d == D_VALUE_TOO_LONG ? 0xFF00 : 10), u8(b, 0x01), u8(b, 0);
	u16(b, 6), u8(b, 0x01), u8(b, 0);
	(void)vals_at;
	u16(b, 1001);
	u8(b, 2);
	u64(b, ft);
	u64(b, id);
	for (const char *p = "first"; *p; p++)
		u16(b, (unsigned char)*p);
	for (const char *p = "two"; *p; p++)
		u16(b, (unsigned char)*p);
	u32(b, 0);	/* size copy, set below */
	{
		uint32_t size = (uint32_t)(b->pos - start);

		memcpy(b->chunk + size_at, &size, 4);
		memcpy(b->chunk + b->pos - 4, &size, 4);
	}
	return b->pos - start;
}

/* File header + one chunk with the given records; returns the bytes. */
static unsigned char *
build(enum damage d, int nrec, size_t *n)
{
	unsigned char *f = calloc(1, 4096 + CHUNK);
	struct b b = { f + 4096, 512 };
	uint32_t crc;

	cr_assert_not_null(f);
	memcpy(f, "ElfFile", 8);
	f[32] = 128;
	f[36] = 1, f[38] = 3;
	f[40] = 0x00, f[41] = 0x10;	/* 4096 */
	f[42] = 1;			/* one chunk */
	crc = (uint32_t)crc32(0, f, 120);
	memcpy(f + 124, &crc, 4);
	memcpy(b.chunk, "ElfChnk", 8);
	for (int i = 0; i < nrec; i++)
		record(&b, (uint64_t)i + 1, i == 1 ? d : D_NONE);
	{
		uint32_t free_off = (uint32_t)b.pos, dcrc;

		memcpy(b.chunk + 48, &free_off, 4);
		dcrc = (uint32_t)crc32(0, b.chunk + 512, free_off - 512);
		memcpy(b.chunk + 52, &dcrc, 4);
		b.chunk[40] = 128;
		crc = (uint32_t)crc32(0, b.chunk, 120);
		crc = (uint32_t)crc32(crc, b.chunk + 128, 384);
		memcpy(b.chunk + 124, &crc, 4);
	}
	*n = 4096 + CHUNK;
	return f;
}

Test(parser_evtx, built_file_reads_back)
{
	size_t n;
	unsigned char *f = build(D_NONE, 3, &n);
	struct cap c = { 0 };
	const struct cev *e;

	cr_assert_eq(parse_bytes(&c, f, n, 0), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, 3);
	e = &c.ev[1];
	cr_assert_eq(e->win.record_id, 2);
	cr_assert_str_eq(e->provider, "Prov");
	cr_assert_eq(e->event_id, 1001);
	cr_assert_eq(e->win.win_level, 2);
	cr_assert_eq(e->level, LVL_ERROR);
	cr_assert_str_eq(e->channel, "Application");
	cr_assert_str_eq(e->computer, "HOST");
	cr_assert_eq(e->time_ms, INT64_C(1778400000123), "%lld", (long long)e->time_ms);
	cr_assert_eq(e->ndata, 2);
	cr_assert_str_eq(e->dname[0], "a");
	cr_assert_str_eq(e->dvalue[0], "first");
	cr_assert_str_eq(e->dname[1], "Data[1]");
	cr_assert_str_eq(e->dvalue[1], "two");
	cr_assert_str_eq(e->message, "first; two");
	cap_free(&c);
	free(f);
}

/* Each damage: the damaged record is skipped with its offset and reason,
 * the records around it are read. */
static void
damaged(enum damage d, const char *reason)
{
	size_t n;
	unsigned char *f = build(d, 3, &n);
	struct cap c = { 0 };
	const struct cprob *p;

	cr_assert_eq(parse_bytes(&c, f, n, 0), 0);
	dump_problems(&c);
	p = find_problem(&c, reason);
	cr_assert_not_null(p, "no problem saying '%s'", reason);
	cr_assert_not_null(strstr(p->message, "record 2 at offset "), "%s", p->message);
	cr_assert_not_null(by_record(&c, 1));
	cr_assert_not_null(by_record(&c, 3));
	cr_assert_null(by_record(&c, 2));
	cap_free(&c);
	free(f);
}

Test(parser_evtx, template_outside_its_chunk)
{
	damaged(D_TEMPLATE_OUTSIDE, "outside the chunk");
}

Test(parser_evtx, template_that_instantiates_itself)
{
	damaged(D_SELF_TEMPLATE, "nested deeper than");
}

Test(parser_evtx, name_length_past_the_chunk)
{
	damaged(D_NAME_TOO_LONG, "runs past the chunk");
}

Test(parser_evtx, value_length_past_the_record)
{
	damaged(D_VALUE_TOO_LONG, "runs past the end of the record");
}

Test(parser_evtx, elements_nested_too_deep)
{
	damaged(D_DEEP, "elements nested deeper than 64");
}

/* A record whose bytes were overwritten: skipped, the next one found. */
Test(parser_evtx, garbage_between_records)
{
	size_t n;
	unsigned char *f = build(D_NONE, 3, &n);
	struct cap c = { 0 };
	unsigned char *rec2;

	/* The second record starts right after the first; wipe its signature. */
	rec2 = f + 4096 + 512;
	rec2 += rec2[4] | rec2[5] << 8;
	memset(rec2, 0xAB, 8);
	cr_assert_eq(parse_bytes(&c, f, n, 0), 0);
	cr_assert_not_null(find_problem(&c, "are not a record (skipped)"));
	cr_assert_not_null(by_record(&c, 1));
	cr_assert_not_null(by_record(&c, 3));
	cap_free(&c);
	free(f);
}

Test(parser_evtx, sniff)
{
	unsigned char head[8200] = { 0 };
	struct ec_sniff s = { head, sizeof(head), { ENC_BINARY, 0 }, NULL, 0, "x.evtx" };

	memcpy(head, "ElfFile", 8);
	cr_assert_eq(fmt_evtx.sniff(&s), 100);
	memset(head, 0, 8);
	memcpy(head + 4096, "ElfChnk", 8);
	cr_assert_eq(fmt_evtx.sniff(&s), 60, "a damaged header, a chunk where it belongs");
	memset(head + 4096, 0, 8);
	cr_assert_eq(fmt_evtx.sniff(&s), 0);
}
