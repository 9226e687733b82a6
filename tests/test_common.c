/* SPDX-License-Identifier: MIT */
/* test_common.c - the leaf utilities: encoding sniffing and decoding, the
 * line reader over every encoding and line ending, calendar arithmetic and
 * the bounded buffer. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/linereader.h"
#include "common/stream.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "support/guardbuf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define S(lit) (const unsigned char *)(lit), sizeof(lit) - 1

/* ---- enc_sniff ----------------------------------------------------------- */

struct sniff_case {
	const char *what;
	const unsigned char *p;
	size_t n;
	enum enc enc;
	size_t bom;
	const char *name;
};

Test(common, enc_sniff_table)
{
	static const struct sniff_case cases[] = {
		{ "empty", S(""), ENC_UTF8, 0, "utf-8" },
		{ "ascii", S("plain ascii\r\n"), ENC_UTF8, 0, "utf-8" },
		{ "utf-8 bom", S("\xEF\xBB\xBFhello"), ENC_UTF8, 3, "utf-8-bom" },
		{ "utf-8 bom alone", S("\xEF\xBB\xBF"), ENC_UTF8, 3, "utf-8-bom" },
		{ "utf-16le bom", S("\xFF\xFEh\0i\0"), ENC_UTF16LE, 2, "utf-16le-bom" },
		{ "utf-16be bom", S("\xFE\xFF\0h\0i"), ENC_UTF16BE, 2, "utf-16be-bom" },
		{ "utf-16le no bom", S("h\0e\0l\0l\0o\0\r\0\n\0"), ENC_UTF16LE, 0, "utf-16le" },
		{ "utf-16be no bom", S("\0h\0e\0l\0l\0o\0\r\0\n"), ENC_UTF16BE, 0, "utf-16be" },
		{ "utf-8 multibyte", S("caf\xC3\xA9 cr\xC3\xA8me \xE2\x82\xAC"), ENC_UTF8, 0, "utf-8" },
		{ "windows-1252 letters", S("caf\xE9 cr\xE8me"), ENC_CP1252, 0, "windows-1252" },
		{ "windows-1252 quotes", S("\x93quoted\x94 \x80 5"), ENC_CP1252, 0, "windows-1252" },
		{ "cut utf-8 at file end", S("abc\xE2\x82"), ENC_CP1252, 0, "windows-1252" },
		{ "escape sequences are text", S("\x1B[0mcolour\x1B[1m\n"), ENC_UTF8, 0, "utf-8" },
		{ "elf", S("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"), ENC_BINARY, 0, "binary" },
		{ "nul in text", S("abc\0def"), ENC_BINARY, 0, "binary" },
		{ "many controls", S("\x01\x02\x03\x04 abc"), ENC_BINARY, 0, "binary" },
		{ "gzip", S("\x1F\x8B\x08\0\0\0\0\0\0\x03"), ENC_BINARY, 0, "binary" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct sniff_case *c = &cases[i];
		struct enc_guess g = enc_sniff((const unsigned char *)guard_copy(c->p, c->n), c->n);

		cr_expect_eq(g.enc, c->enc, "%s: enc %d, want %d", c->what, g.enc, c->enc);
		cr_expect_eq(g.bom, c->bom, "%s: bom %zu, want %zu", c->what, g.bom, c->bom);
		cr_expect_str_eq(enc_name(g), c->name, "%s", c->what);
	}
}

/* Decisions made from the first 4096 bytes only. */
Test(common, enc_sniff_sample_edges)
{
	static unsigned char big[8192];
	struct enc_guess g;

	/* A UTF-8 sequence cut by the end of the sample is not a fault. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 4094, "\xE2\x82\xAC", 3);
	g = enc_sniff(big, sizeof(big));
	cr_expect_eq(g.enc, ENC_UTF8);
	/* A single stray control byte among 1000 text bytes stays text. */
	memset(big, 'a', 1000);
	big[500] = 0x01;
	g = enc_sniff(big, 1000);
	cr_expect_eq(g.enc, ENC_UTF8);
	/* Windows-1252 byte well inside the sample. */
	memset(big, 'a', sizeof(big));
	big[100] = 0xE9;
	g = enc_sniff(big, sizeof(big));
	cr_expect_eq(g.enc, ENC_CP1252);
	/* Past the sample nothing is looked at. */
	memset(big, 'a', sizeof(big));
	big[5000] = 0;
	g = enc_sniff(big, sizeof(big));
	cr_expect_eq(g.enc, ENC_UTF8);
}

/* Text with blocks of NUL bytes (a crash, a power loss) is text; heads of
 * real binaries, and files that are (nearly) all zeros, stay binary. */
static size_t
fill_lines(unsigned char *p, int nlines, bool utf16, bool be)
{
	size_t n = 0;

	for (int i = 1; i <= nlines; i++) {
		char line[80];
		int k = snprintf(line, sizeof(line), "[10:00:%02d.000] [  1] [INFO ] line %d of the trace\r\n",
				 i % 60, i);

		for (int j = 0; j < k; j++) {
			if (!utf16) {
				p[n++] = (unsigned char)line[j];
			} else {
				p[n++] = be ? 0 : (unsigned char)line[j];
				p[n++] = be ? (unsigned char)line[j] : 0;
			}
		}
	}
	return n;
}

/* Deterministic bytes that look like compressed data. */
static void
fill_random(unsigned char *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

Test(common, enc_sniff_nul_blocks)
{
	static unsigned char b[65536];
	size_t n;

	/* 4 KiB of zeros after line 40, text after them. */
	memset(b, 0, sizeof(b));
	n = fill_lines(b, 40, false, false);
	fill_lines(b + n + 4096, 40, false, false);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_UTF8, "utf-8 with a block");
	/* A Windows-1252 letter before the block. */
	b[20] = 0xE9;
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_CP1252, "windows-1252 with a block");
	/* A tail of zeros to the end of the sample: a short text is enough. */
	memset(b, 0, sizeof(b));
	n = fill_lines(b, 2, false, false);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_UTF8, "zero-filled tail");
	cr_expect_eq(enc_sniff(b, n + 100).enc, ENC_UTF8, "zero-filled tail, whole file");
	/* A block right after the first line: the text after it counts. */
	memset(b, 0, sizeof(b));
	n = fill_lines(b, 1, false, false);
	fill_lines(b + n + 8192, 100, false, false);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_UTF8, "block after line 1");
	/* UTF-16 without BOM, blocks of zero units. */
	memset(b, 0, sizeof(b));
	n = fill_lines(b, 40, true, false);
	fill_lines(b + n + 4096, 40, true, false);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_UTF16LE, "utf-16le with a block");
	memset(b, 0, sizeof(b));
	n = fill_lines(b, 40, true, true);
	fill_lines(b + n + 4096, 40, true, true);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_UTF16BE, "utf-16be with a block");
	memset(b, 0, sizeof(b));
	fill_lines(b, 3, true, false);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_UTF16LE, "utf-16le, zero-filled tail");

	/* All zeros, or nearly: binary. */
	memset(b, 0, sizeof(b));
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "all zeros");
	cr_expect_eq(enc_sniff(b, 100).enc, ENC_BINARY, "100 zeros");
	memcpy(b + 30000, "a few words\r\n", 13);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "zeros and a few words");
	/* Random bytes, with and without zeros among them. */
	fill_random(b, sizeof(b), 1);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "random");
	memset(b + 1000, 0, 8192);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "random with a block of zeros");
	/* Short strings between NULs (a string table) are no log. */
	for (size_t i = 0; i + 8 <= sizeof(b); i += 8)
		memcpy(b + i, "string\r\0", 8);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "string table");
}

Test(common, enc_sniff_binary_heads)
{
	static unsigned char b[65536];
	static const unsigned char pe[] =
		"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0\xB8\0\0\0\0\0\0\0@\0\0\0\0\0\0\0"
		"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x80\0\0\0"
		"\x0E\x1F\xBA\x0E\0\xB4\x09\xCD!\xB8\x01L\xCD!This program cannot be run in DOS mode.\r\r\n$\0\0\0\0\0\0\0"
		"PE\0\0d\x86\x06\0\x12\x34\x56\x78\0\0\0\0\0\0\0\0\xF0\0\"\0\x0B\x02\x0E\x1D\0\x10\x01\0"
		"\0\x04\0\0\0\0\0\0\x10\0\0\0\x10\0\0\0\0\0@\x01\0\0\0\0\x10\0\0\0\x02\0\0\x06\0\0\0"
		"\0\0\0\0\x06\0\0\0\0\0\0\0\0\x50\x01\0\0\x04\0\0\0\0\0\0\x03\0\x60\x81\0\0\x10\0\0\0"
		".text\0\0\0\x10\x0F\x01\0\0\x10\0\0\0\x10\x01\0\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0 \0\0`"
		".rdata\0\0\x9C\x2A\0\0\0\x20\x01\0\0\x2C\0\0\0\x14\x01\0\0\0\0\0\0\0\0\0\0\0\0\0@\0\0@";
	static const unsigned char evtx[] =
		"ElfFile\0\0\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0\x2A\x01\0\0\0\0\0\0"
		"\x80\0\0\0\x01\0\x03\0\0\x10\x04\0";

	/* A PE file: header, stub, zeros, code. */
	memset(b, 0, sizeof(b));
	memcpy(b, pe, sizeof(pe) - 1);
	cr_expect_eq(enc_sniff(b, 4096).enc, ENC_BINARY, "pe header");
	fill_random(b + 1024, sizeof(b) - 1024, 7);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "pe");
	/* EVTX: file header, zeros to 4 KiB, then chunks. */
	memset(b, 0, sizeof(b));
	memcpy(b, evtx, sizeof(evtx) - 1);
	cr_expect_eq(enc_sniff(b, 4096).enc, ENC_BINARY, "evtx file header");
	memcpy(b + 4096, "ElfChnk\0", 8);
	fill_random(b + 4096 + 512, 8192, 3);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "evtx with a chunk");
	/* A zip: local header, deflated data. */
	memset(b, 0, sizeof(b));
	memcpy(b, "PK\x03\x04\x14\0\0\0\x08\0\x21\x5C\x4B\x5A\x11\x22\x33\x44\0\x10\0\0\0\x40\0\0\x09\0\0\0trace.log", 39);
	fill_random(b + 39, 4096, 11);
	cr_expect_eq(enc_sniff(b, sizeof(b)).enc, ENC_BINARY, "zip");
}

/* ---- decoders ------------------------------------------------------------ */

struct u16_case {
	const char *what;
	const unsigned char *le;	/* little-endian input; big endian is derived */
	size_t n;
	const char *want;		/* UTF-8 */
	size_t want_n;
	size_t bad;
};

#define FFFD "\xEF\xBF\xBD"

Test(common, utf16_to_utf8_table)
{
	static const struct u16_case cases[] = {
		{ "empty", S(""), "", 0, 0 },
		{ "ascii", S("A\0b\0"), "Ab", 2, 0 },
		{ "nul unit", S("\0\0"), "\0", 1, 0 },
		{ "latin", S("\xE9\0"), "\xC3\xA9", 2, 0 },
		{ "euro", S("\xAC\x20"), "\xE2\x82\xAC", 3, 0 },
		{ "last bmp", S("\xFF\xFF"), "\xEF\xBF\xBF", 3, 0 },
		{ "pair", S("\x3D\xD8\x00\xDE"), "\xF0\x9F\x98\x80", 4, 0 },
		{ "pair max", S("\xFF\xDB\xFF\xDF"), "\xF4\x8F\xBF\xBF", 4, 0 },
		{ "lone high at end", S("A\0\x3D\xD8"), "A" FFFD, 4, 1 },
		{ "high then ascii", S("\x3D\xD8" "A\0"), FFFD "A", 4, 1 },
		{ "high then high then low", S("\x3D\xD8\x3D\xD8\x00\xDE"), FFFD "\xF0\x9F\x98\x80", 7, 1 },
		{ "lone low", S("\x00\xDE" "B\0"), FFFD "B", 4, 1 },
		{ "odd trailing byte", S("A\0B"), "A" FFFD, 4, 1 },
		{ "high then odd byte", S("\x3D\xD8" "B"), FFFD FFFD, 6, 2 },
		{ "single byte", S("x"), FFFD, 3, 1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct u16_case *c = &cases[i];
		unsigned char be[16];
		struct buf out;
		size_t bad;

		for (size_t k = 0; k + 1 < c->n; k += 2) {
			be[k] = c->le[k + 1];
			be[k + 1] = c->le[k];
		}
		if (c->n & 1)
			be[c->n - 1] = c->le[c->n - 1];
		for (int pass = 0; pass < 2; pass++) {
			buf_init(&out, 1024);
			bad = utf16_to_utf8(&out, pass ? be : c->le, c->n, pass == 1);
			cr_expect_eq(bad, c->bad, "%s (%s): bad %zu, want %zu", c->what,
				     pass ? "be" : "le", bad, c->bad);
			cr_expect_eq(out.len, c->want_n, "%s (%s): len %zu, want %zu", c->what,
				     pass ? "be" : "le", out.len, c->want_n);
			cr_expect(out.len == c->want_n && memcmp(out.data, c->want, c->want_n) == 0,
				  "%s (%s): wrong bytes", c->what, pass ? "be" : "le");
			buf_release(&out);
		}
	}
}

Test(common, cp1252_high_range)
{
	/* Unicode for 0x80..0x9F; the five undefined bytes stay C1 controls. */
	static const unsigned want[32] = {
		0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
		0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
	};
	struct buf out, exp;

	for (unsigned c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		unsigned cp = c >= 0x80 && c < 0xA0 ? want[c - 0x80] : c;

		buf_init(&out, 16);
		buf_init(&exp, 16);
		cp1252_to_utf8(&out, &b, 1);
		utf8_put(&exp, cp);
		cr_expect(out.len == exp.len && memcmp(out.data, exp.data, out.len) == 0,
			  "byte 0x%02X: got %zu bytes", c, out.len);
		cr_expect_eq(utf8_valid_len((const unsigned char *)out.data, out.len), out.len,
			     "byte 0x%02X: result is not UTF-8", c);
		buf_release(&out);
		buf_release(&exp);
	}
	buf_init(&out, 64);
	cp1252_to_utf8(&out, S("\x93" "caf\xE9\x94 \x80"));
	cr_expect_str_eq(out.data, "\xE2\x80\x9C" "caf\xC3\xA9\xE2\x80\x9D \xE2\x82\xAC");
	buf_release(&out);
}

struct u8_case {
	const char *what;
	const unsigned char *p;
	size_t n;
	size_t want;
};

Test(common, utf8_valid_len_boundaries)
{
	static const struct u8_case cases[] = {
		{ "empty", S(""), 0 },
		{ "ascii", S("abc"), 3 },
		{ "nul is ascii", S("a\0b"), 3 },
		{ "two bytes min", S("\xC2\x80"), 2 },
		{ "two bytes max", S("\xDF\xBF"), 2 },
		{ "overlong lead c0", S("\xC0\x80"), 0 },
		{ "overlong lead c1", S("x\xC1\xBF"), 1 },
		{ "two bytes cut", S("a\xC2"), 1 },
		{ "three bytes min", S("\xE0\xA0\x80"), 3 },
		{ "three bytes overlong", S("\xE0\x9F\xBF"), 0 },
		{ "before surrogates", S("\xED\x9F\xBF"), 3 },
		{ "surrogate", S("\xED\xA0\x80"), 0 },
		{ "last surrogate", S("\xED\xBF\xBF"), 0 },
		{ "after surrogates", S("\xEE\x80\x80"), 3 },
		{ "three bytes max", S("\xEF\xBF\xBF"), 3 },
		{ "three bytes cut", S("ab\xE2\x82"), 2 },
		{ "bad continuation", S("\xE2\x28\xA1"), 0 },
		{ "four bytes min", S("\xF0\x90\x80\x80"), 4 },
		{ "four bytes overlong", S("\xF0\x8F\xBF\xBF"), 0 },
		{ "four bytes max", S("\xF4\x8F\xBF\xBF"), 4 },
		{ "past U+10FFFF", S("\xF4\x90\x80\x80"), 0 },
		{ "lead f5", S("\xF5\x80\x80\x80"), 0 },
		{ "lead ff", S("\xFF"), 0 },
		{ "stray continuation", S("ok\x80"), 2 },
		{ "four bytes cut", S("\xF0\x9F\x98"), 0 },
		{ "emoji after text", S("ab\xF0\x9F\x98\x80"), 6 },
		{ "mix", S("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"), 10 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct u8_case *c = &cases[i];
		size_t got = utf8_valid_len((const unsigned char *)guard_copy(c->p, c->n), c->n);

		cr_expect_eq(got, c->want, "%s: %zu, want %zu", c->what, got, c->want);
	}
}

Test(common, utf8_put_ranges)
{
	static const struct {
		unsigned cp;
		const char *want;
	} cases[] = {
		{ 0x41, "A" }, { 0x7F, "\x7F" }, { 0x80, "\xC2\x80" }, { 0x7FF, "\xDF\xBF" },
		{ 0x800, "\xE0\xA0\x80" }, { 0xFFFD, FFFD }, { 0x10000, "\xF0\x90\x80\x80" },
		{ 0x10FFFF, "\xF4\x8F\xBF\xBF" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf out;

		buf_init(&out, 8);
		utf8_put(&out, cases[i].cp);
		cr_expect_str_eq(out.data, cases[i].want, "U+%04X", cases[i].cp);
		buf_release(&out);
	}
}

/* ---- line reader ------------------------------------------------------------ */

/* How the test input is written out. */
enum tenc { T_UTF8, T_UTF8_BOM, T_UTF16LE, T_UTF16LE_BOM, T_UTF16BE, T_UTF16BE_BOM, T_CP1252 };

static const char *const tenc_name[] = {
	"utf-8", "utf-8-bom", "utf-16le", "utf-16le-bom", "utf-16be", "utf-16be-bom", "windows-1252",
};

static enum enc
tenc_enc(enum tenc t)
{
	switch (t) {
	case T_UTF16LE:
	case T_UTF16LE_BOM:
		return ENC_UTF16LE;
	case T_UTF16BE:
	case T_UTF16BE_BOM:
		return ENC_UTF16BE;
	case T_CP1252:
		return ENC_CP1252;
	default:
		return ENC_UTF8;
	}
}

static size_t
tenc_bom(enum tenc t)
{
	return t == T_UTF8_BOM ? 3 : (t == T_UTF16LE_BOM || t == T_UTF16BE_BOM) ? 2 : 0;
}

static size_t
tenc_width(enum tenc t)
{
	return tenc_enc(t) == ENC_UTF16LE || tenc_enc(t) == ENC_UTF16BE ? 2 : 1;
}

/* Next code point of UTF-8 text s (the test's own inputs, all valid). */
static unsigned
next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned c = p[0];

	if (c < 0x80) {
		*s += 1;
		return c;
	}
	if (c < 0xE0) {
		*s += 2;
		return (c & 0x1F) << 6 | (p[1] & 0x3F);
	}
	if (c < 0xF0) {
		*s += 3;
		return (c & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
	}
	*s += 4;
	return (c & 0x07) << 18 | (p[1] & 0x3F) << 12 | (p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

static void
put_unit(struct buf *out, unsigned u, bool be)
{
	unsigned char b[2] = { (unsigned char)(be ? u >> 8 : u), (unsigned char)(be ? u : u >> 8) };

	buf_add(out, b, 2);
}

/* Append UTF-8 text s (n bytes) to out in encoding t. */
static void
encode(struct buf *out, enum tenc t, const char *s, size_t n)
{
	const char *end = s + n;

	if (tenc_enc(t) == ENC_UTF8) {
		buf_add(out, s, n);
		return;
	}
	while (s < end) {
		unsigned cp = next_cp(&s);

		if (t == T_CP1252) {
			cr_assert(cp < 0x100 || cp == 0x20AC, "test text not in windows-1252");
			buf_addc(out, (char)(cp == 0x20AC ? 0x80 : cp));
		} else if (cp >= 0x10000) {
			put_unit(out, 0xD800 + ((cp - 0x10000) >> 10), tenc_enc(t) == ENC_UTF16BE);
			put_unit(out, 0xDC00 + ((cp - 0x10000) & 0x3FF), tenc_enc(t) == ENC_UTF16BE);
		} else {
			put_unit(out, cp, tenc_enc(t) == ENC_UTF16BE);
		}
	}
}

static void
add_bom(struct buf *out, enum tenc t)
{
	if (t == T_UTF8_BOM)
		buf_add(out, "\xEF\xBB\xBF", 3);
	else if (t == T_UTF16LE_BOM)
		buf_add(out, "\xFF\xFE", 2);
	else if (t == T_UTF16BE_BOM)
		buf_add(out, "\xFE\xFF", 2);
}

/* One input: lines and the terminator after each ("" for none). */
struct lr_case {
	const char *what;
	const char *lines[8];
	const char *ends[8];
	int n;
	bool cp1252_ok;		/* its text fits in Windows-1252 */
};

static const struct lr_case lr_cases[] = {
	{ "lf", { "alpha", "beta", "gamma" }, { "\n", "\n", "\n" }, 3, true },
	{ "crlf", { "alpha", "beta", "gamma" }, { "\r\n", "\r\n", "\r\n" }, 3, true },
	{ "cr", { "alpha", "beta", "gamma" }, { "\r", "\r", "\r" }, 3, true },
	{ "mixed", { "a", "bb", "ccc", "dddd" }, { "\r\n", "\n", "\r", "\r\n" }, 4, true },
	{ "no final newline", { "one", "two" }, { "\n", "" }, 2, true },
	{ "crlf no final newline", { "one", "two" }, { "\r\n", "" }, 2, true },
	{ "empty lines", { "", "", "x", "" }, { "\n", "\r\n", "\r", "\r" }, 4, true },
	{ "cr cr lf is two lines", { "a", "", "b" }, { "\r", "\r\n", "\n" }, 3, true },
	{ "lf cr is two lines", { "a", "b" }, { "\n", "\r" }, 2, true },
	{ "single line", { "only" }, { "" }, 1, true },
	{ "single empty line", { "" }, { "\n" }, 1, true },
	{ "empty input", { NULL }, { NULL }, 0, true },
	{ "latin and euro", { "h\xC3\xA9llo w\xC3\xB6rld", "\xE2\x82\xACuro", "plain" },
	  { "\r\n", "\n", "" }, 3, true },
	{ "astral", { "smile \xF0\x9F\x98\x80 ok", "\xE4\xB8\xAD\xE6\x96\x87" }, { "\n", "\n" }, 2, false },
};

static const enum tenc all_tencs[] = {
	T_UTF8, T_UTF8_BOM, T_UTF16LE, T_UTF16LE_BOM, T_UTF16BE, T_UTF16BE_BOM, T_CP1252,
};

struct want_line {
	const char *text;
	size_t len;
	uint64_t offset;
};

/* Read raw with a line reader (chunked reads of chunk bytes, 0 = whole) and
 * check every line, its number and its offset. */
static void
check_lines(const char *what, const unsigned char *raw, size_t rawlen, enum tenc t,
	    size_t chunk, const struct want_line *want, int nwant, size_t max)
{
	struct memstream ms;
	struct ec_stream in;
	struct linereader lr;
	struct sv line;
	int r, i = 0;

	memstream_init(&ms, &in, raw, rawlen);
	ms.chunk = chunk;
	lr_init(&lr, &in, tenc_enc(t), tenc_bom(t), max);
	while ((r = lr_next(&lr, &line)) == 1) {
		cr_assert_lt(i, nwant, "%s [%s, chunk %zu]: extra line %d '%.*s'", what,
			     tenc_name[t], chunk, i + 1, (int)(line.n > 40 ? 40 : line.n), line.p);
		cr_expect(line.n == want[i].len &&
			  (line.n == 0 || memcmp(line.p, want[i].text, line.n) == 0),
			  "%s [%s, chunk %zu]: line %d is '%.*s' (%zu bytes), want '%.*s' (%zu)",
			  what, tenc_name[t], chunk, i + 1, (int)(line.n > 40 ? 40 : line.n),
			  line.p, line.n, (int)(want[i].len > 40 ? 40 : want[i].len),
			  want[i].text, want[i].len);
		cr_expect_eq(lr.lineno, (uint64_t)i + 1, "%s [%s, chunk %zu]: lineno %llu, want %d",
			     what, tenc_name[t], chunk, (unsigned long long)lr.lineno, i + 1);
		cr_expect_eq(lr.offset, want[i].offset,
			     "%s [%s, chunk %zu]: line %d offset %llu, want %llu", what,
			     tenc_name[t], chunk, i + 1, (unsigned long long)lr.offset,
			     (unsigned long long)want[i].offset);
		cr_expect_eq(lr.bad_units, 0, "%s [%s]: line %d bad units", what, tenc_name[t], i + 1);
		cr_expect_eq(lr.cut_bytes, 0, "%s [%s]: line %d cut", what, tenc_name[t], i + 1);
		i++;
	}
	cr_expect_eq(r, 0, "%s [%s, chunk %zu]: end %d", what, tenc_name[t], chunk, r);
	cr_expect_eq(i, nwant, "%s [%s, chunk %zu]: %d lines, want %d", what, tenc_name[t],
		     chunk, i, nwant);
	/* After the end it stays at the end. */
	cr_expect_eq(lr_next(&lr, &line), 0);
	lr_release(&lr);
}

Test(common, linereader_table)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7 };

	for (size_t ci = 0; ci < ARRAY_LEN(lr_cases); ci++) {
		const struct lr_case *c = &lr_cases[ci];

		for (size_t ti = 0; ti < ARRAY_LEN(all_tencs); ti++) {
			enum tenc t = all_tencs[ti];
			struct want_line want[8];
			struct buf raw;

			if (t == T_CP1252 && !c->cp1252_ok)
				continue;
			buf_init(&raw, 1 << 20);
			add_bom(&raw, t);
			for (int k = 0; k < c->n; k++) {
				want[k].text = c->lines[k];
				want[k].len = strlen(c->lines[k]);
				want[k].offset = raw.len;
				encode(&raw, t, c->lines[k], strlen(c->lines[k]));
				encode(&raw, t, c->ends[k], strlen(c->ends[k]));
			}
			for (size_t k = 0; k < ARRAY_LEN(chunks); k++)
				check_lines(c->what, (const unsigned char *)raw.data, raw.len, t,
					    chunks[k], want, c->n, 4096);
			buf_release(&raw);
		}
	}
}

/* Lines whose terminator (or the line itself) straddles the 64 KiB read
 * boundary: the CR as the last unit of the first block and its LF first in
 * the next, a line that spans blocks, and a UTF-16 unit split by an odd
 * chunk size. */
Test(common, linereader_block_boundaries)
{
	static const size_t chunks[] = { 0, 1, 3 };
	static const int shifts[] = { -2, -1, 0, 1, 2 };

	for (size_t ti = 0; ti < ARRAY_LEN(all_tencs); ti++) {
		enum tenc t = all_tencs[ti];
		size_t w = tenc_width(t), bom = tenc_bom(t);

		for (size_t si = 0; si < ARRAY_LEN(shifts); si++) {
			/* The CR ends exactly at byte LR_READ_SIZE - 1 when shift is 0. */
			size_t first = (LR_READ_SIZE - w - bom) / w + (size_t)(long)shifts[si];
			char *text = xmalloc(first + 1);
			struct want_line want[3];
			struct buf raw;
			char what[64];

			memset(text, 'a', first);
			text[first] = '\0';
			buf_init(&raw, 1 << 20);
			add_bom(&raw, t);
			want[0] = (struct want_line){ text, first, raw.len };
			encode(&raw, t, text, first);
			encode(&raw, t, "\r\n", 2);
			want[1] = (struct want_line){ "second", 6, raw.len };
			encode(&raw, t, "second\r\n", 8);
			want[2] = (struct want_line){ "third", 5, raw.len };
			encode(&raw, t, "third", 5);
			snprintf(what, sizeof(what), "crlf at block end %+d", shifts[si]);
			for (size_t k = 0; k < ARRAY_LEN(chunks); k++)
				check_lines(what, (const unsigned char *)raw.data, raw.len, t,
					    chunks[k], want, 3, 1 << 20);
			buf_release(&raw);
			free(text);
		}
	}
}

/* ---- blocks of NUL bytes ------------------------------------------------- */

struct want_nul {
	const char *text;
	size_t len;
	uint64_t lineno;
	uint64_t offset;
	uint64_t nul_bytes;	/* the block before this line, 0 if none */
	uint64_t nul_offset;
	bool mid;
};

/* Read raw in every chunk size and check lines, numbers, offsets and the
 * blocks they carry. */
static void
check_nul_lines(const char *what, const struct buf *raw, enum tenc t, const struct want_nul *want,
		int nwant)
{
	static const size_t chunks[] = { 0, 1, 3, 4099 };

	for (size_t k = 0; k < ARRAY_LEN(chunks); k++) {
		struct memstream ms;
		struct ec_stream in;
		struct linereader lr;
		struct sv line;
		int r, i = 0;

		memstream_init(&ms, &in, raw->data, raw->len);
		ms.chunk = chunks[k];
		lr_init(&lr, &in, tenc_enc(t), tenc_bom(t), 1 << 20);
		while ((r = lr_next(&lr, &line)) == 1) {
			const struct want_nul *x = &want[i];

			cr_assert_lt(i, nwant, "%s [%s, chunk %zu]: extra line '%.*s'", what, tenc_name[t],
				     chunks[k], (int)(line.n > 40 ? 40 : line.n), line.p);
			cr_expect(line.n == x->len && (!line.n || memcmp(line.p, x->text, line.n) == 0),
				  "%s [%s, chunk %zu]: line %d is '%.*s' (%zu bytes), want '%.*s'", what,
				  tenc_name[t], chunks[k], i + 1, (int)(line.n > 40 ? 40 : line.n), line.p,
				  line.n, (int)(x->len > 40 ? 40 : x->len), x->text);
			cr_expect(lr.lineno == x->lineno && lr.offset == x->offset,
				  "%s [%s, chunk %zu]: line %d: number %llu offset %llu, want %llu %llu",
				  what, tenc_name[t], chunks[k], i + 1, (unsigned long long)lr.lineno,
				  (unsigned long long)lr.offset, (unsigned long long)x->lineno,
				  (unsigned long long)x->offset);
			cr_expect(lr.nul_bytes == x->nul_bytes &&
				  (!x->nul_bytes || (lr.nul_offset == x->nul_offset && lr.nul_mid == x->mid)),
				  "%s [%s, chunk %zu]: line %d: block %llu at %llu mid %d, want %llu at %llu mid %d",
				  what, tenc_name[t], chunks[k], i + 1, (unsigned long long)lr.nul_bytes,
				  (unsigned long long)lr.nul_offset, lr.nul_mid,
				  (unsigned long long)x->nul_bytes, (unsigned long long)x->nul_offset, x->mid);
			cr_expect(!lr.unterminated || !x->nul_bytes || x->len,
				  "%s: the empty line after a final block is not a cut line", what);
			i++;
		}
		cr_expect_eq(r, 0, "%s [%s, chunk %zu]: end %d", what, tenc_name[t], chunks[k], r);
		cr_expect_eq(i, nwant, "%s [%s, chunk %zu]: %d lines, want %d", what, tenc_name[t],
			     chunks[k], i, nwant);
		lr_release(&lr);
	}
}

static void
add_nuls(struct buf *raw, size_t bytes)
{
	static const char zeros[4096];

	while (bytes) {
		size_t k = bytes < sizeof(zeros) ? bytes : sizeof(zeros);

		buf_add(raw, zeros, k);
		bytes -= k;
	}
}

static void
enc_s(struct buf *raw, enum tenc t, const char *s)
{
	encode(raw, t, s, strlen(s));
}

Test(common, linereader_nul_blocks)
{
	for (size_t ti = 0; ti < ARRAY_LEN(all_tencs); ti++) {
		enum tenc t = all_tencs[ti];
		size_t w = tenc_width(t);
		struct want_nul want[48];
		struct buf raw;
		uint64_t at;
		char lines[40][16];

		buf_init(&raw, 1 << 20);

		/* 4 KiB of zeros after line 40 of 42. */
		add_bom(&raw, t);
		for (int i = 0; i < 40; i++) {
			snprintf(lines[i], sizeof(lines[i]), "line %d", i + 1);
			want[i] = (struct want_nul){ lines[i], strlen(lines[i]), (uint64_t)i + 1, raw.len, 0, 0, false };
			enc_s(&raw, t, lines[i]);
			enc_s(&raw, t, "\r\n");
		}
		at = raw.len;
		add_nuls(&raw, 4096);
		want[40] = (struct want_nul){ "line 41", 7, 41, raw.len, 4096, at, false };
		enc_s(&raw, t, "line 41\r\n");
		want[41] = (struct want_nul){ "line 42", 7, 42, raw.len, 0, 0, false };
		enc_s(&raw, t, "line 42");
		check_nul_lines("4 KiB after line 40", &raw, t, want, 42);

		/* In the middle of a line: the line ends at the block, the rest
		 * keeps its number. */
		buf_reset(&raw);
		add_bom(&raw, t);
		want[0] = (struct want_nul){ "abc", 3, 1, raw.len, 0, 0, false };
		enc_s(&raw, t, "abc");
		at = raw.len;
		add_nuls(&raw, 20 * w);
		want[1] = (struct want_nul){ "def", 3, 1, raw.len, 20 * w, at, true };
		enc_s(&raw, t, "def\n");
		want[2] = (struct want_nul){ "next", 4, 2, raw.len, 0, 0, false };
		enc_s(&raw, t, "next\n");
		check_nul_lines("block in a line", &raw, t, want, 3);

		/* A zero-filled tail: an empty line carries the block. */
		buf_reset(&raw);
		add_bom(&raw, t);
		want[0] = (struct want_nul){ "x", 1, 1, raw.len, 0, 0, false };
		enc_s(&raw, t, "x\n");
		at = raw.len;
		add_nuls(&raw, 100000 * w);
		want[1] = (struct want_nul){ "", 0, 2, raw.len, 100000 * w, at, false };
		check_nul_lines("zero-filled tail", &raw, t, want, 2);

		/* A tail of zeros after an unterminated line. */
		buf_reset(&raw);
		add_bom(&raw, t);
		want[0] = (struct want_nul){ "cut", 3, 1, raw.len, 0, 0, false };
		enc_s(&raw, t, "cut");
		at = raw.len;
		add_nuls(&raw, 16 * w);
		want[1] = (struct want_nul){ "", 0, 1, raw.len, 16 * w, at, true };
		check_nul_lines("unterminated line, zero tail", &raw, t, want, 2);

		/* At the start of the file; a line of zeros alone. */
		buf_reset(&raw);
		add_bom(&raw, t);
		at = raw.len;
		add_nuls(&raw, 64);
		want[0] = (struct want_nul){ "first", 5, 1, raw.len, 64, at, false };
		enc_s(&raw, t, "first\n");
		at = raw.len;
		add_nuls(&raw, 32);
		want[1] = (struct want_nul){ "", 0, 2, raw.len, 32, at, false };
		enc_s(&raw, t, "\r\n");
		at = raw.len;
		add_nuls(&raw, 32);
		want[2] = (struct want_nul){ "third", 5, 3, raw.len, 32, at, false };
		enc_s(&raw, t, "third");
		check_nul_lines("blocks at line starts", &raw, t, want, 3);

		/* Fewer than LR_NUL_BLOCK bytes stay in the line. */
		buf_reset(&raw);
		add_bom(&raw, t);
		want[0] = (struct want_nul){ "a\0\0\0\0\0\0\0b", 9, 1, raw.len, 0, 0, false };
		encode(&raw, t, "a\0\0\0\0\0\0\0b\n", 10);
		want[1] = (struct want_nul){ "\0\0\0\0\0\0\0", 7, 2, raw.len, 0, 0, false };
		encode(&raw, t, "\0\0\0\0\0\0\0", 7);
		check_nul_lines("short runs", &raw, t, want, 2);
		buf_release(&raw);
	}
}

/* Blocks and short runs across the 64 KiB read boundary: counted once, and
 * a short run cut by the boundary is not taken for a block. */
Test(common, linereader_nul_boundaries)
{
	static const int shifts[] = { -20, -16, -15, -8, -1, 0, 1, 8 };

	for (size_t ti = 0; ti < ARRAY_LEN(all_tencs); ti++) {
		enum tenc t = all_tencs[ti];
		size_t w = tenc_width(t), bom = tenc_bom(t);

		for (size_t si = 0; si < ARRAY_LEN(shifts); si++) {
			/* The run starts shift bytes from the end of the first read. */
			size_t first = (LR_READ_SIZE + (size_t)(long)shifts[si] - bom) / w - 1;
			char *text = xmalloc(first + 16);
			struct want_nul want[3];
			struct buf raw;
			char what[64];
			uint64_t at;

			memset(text, 'a', first);
			buf_init(&raw, 1 << 20);
			add_bom(&raw, t);
			want[0] = (struct want_nul){ text, first, 1, raw.len, 0, 0, false };
			encode(&raw, t, text, first);
			enc_s(&raw, t, "\n");
			at = raw.len;
			add_nuls(&raw, 5000 * w);
			want[1] = (struct want_nul){ "after", 5, 2, raw.len, 5000 * w, at, false };
			enc_s(&raw, t, "after\n");
			snprintf(what, sizeof(what), "block at read end %+d", shifts[si]);
			check_nul_lines(what, &raw, t, want, 2);

			/* A short run there stays in its line. */
			buf_reset(&raw);
			add_bom(&raw, t);
			memcpy(text + first, "\0\0\0\0\0\0\0b", 8);
			want[0] = (struct want_nul){ text, first + 8, 1, raw.len, 0, 0, false };
			encode(&raw, t, text, first + 8);
			enc_s(&raw, t, "\n");
			want[1] = (struct want_nul){ "end", 3, 2, raw.len, 0, 0, false };
			enc_s(&raw, t, "end");
			snprintf(what, sizeof(what), "short run at read end %+d", shifts[si]);
			check_nul_lines(what, &raw, t, want, 2);
			buf_release(&raw);
			free(text);
		}
	}
}

Test(common, linereader_long_lines)
{
	static const size_t lens[] = { 4095, 4096, 65535, 65536, 65537, 200000 };

	for (size_t ti = 0; ti < ARRAY_LEN(all_tencs); ti++) {
		enum tenc t = all_tencs[ti];

		for (size_t li = 0; li < ARRAY_LEN(lens); li++) {
			size_t n = lens[li];
			char *text = xmalloc(n + 1);
			struct want_line want[3];
			struct buf raw;

			for (size_t k = 0; k < n; k++)
				text[k] = (char)('a' + k % 26);
			text[n] = '\0';
			buf_init(&raw, 4u << 20);
			add_bom(&raw, t);
			want[0] = (struct want_line){ "head", 4, raw.len };
			encode(&raw, t, "head\n", 5);
			want[1] = (struct want_line){ text, n, raw.len };
			encode(&raw, t, text, n);
			encode(&raw, t, "\r\n", 2);
			want[2] = (struct want_line){ "tail", 4, raw.len };
			encode(&raw, t, "tail", 4);
			check_lines("long line", (const unsigned char *)raw.data, raw.len, t, 0,
				    want, 3, 1 << 20);
			if (n <= 65537)
				check_lines("long line", (const unsigned char *)raw.data, raw.len, t,
					    1, want, 3, 1 << 20);
			buf_release(&raw);
			free(text);
		}
	}
}

static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Random inputs (seeded, so failures repeat): lines of random length that
 * cross the 4 KiB and 64 KiB read steps, random endings, every encoding,
 * random chunk sizes. */
Test(common, linereader_random)
{
	static const char *const pieces[] = { "a", "Z", " ", "\t", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };
	static const char *const ends[] = { "\n", "\r\n", "\r" };
	static const size_t chunks[] = { 0, 1, 2, 3, 5, 4095, 4097 };
	uint32_t seed = 12345;

	for (int iter = 0; iter < 160; iter++) {
		enum tenc t = all_tencs[lcg(&seed) % ARRAY_LEN(all_tencs)];
		int nlines = (int)(lcg(&seed) % 12);
		struct want_line *want = xcalloc((size_t)nlines + 1, sizeof(*want));
		struct buf raw, *text = xcalloc((size_t)nlines + 1, sizeof(*text));
		char what[64];

		buf_init(&raw, 1 << 24);
		add_bom(&raw, t);
		for (int k = 0; k < nlines; k++) {
			size_t len = lcg(&seed) % 4 == 0 ? lcg(&seed) % 70000 : lcg(&seed) % 40;
			const char *end = ends[lcg(&seed) % 3];

			buf_init(&text[k], 1 << 20);
			while (text[k].len < len) {
				size_t np = ARRAY_LEN(pieces) - (t == T_CP1252 ? 1 : 0);

				buf_adds(&text[k], pieces[lcg(&seed) % np]);
			}
			/* An empty last line without a terminator has no bytes,
			 * so it is no line: keep the last line non-empty. */
			if (k == nlines - 1 && text[k].len == 0)
				buf_adds(&text[k], "z");
			want[k].text = text[k].data;
			want[k].len = text[k].len;
			want[k].offset = raw.len;
			encode(&raw, t, text[k].data, text[k].len);
			if (k < nlines - 1 || lcg(&seed) % 2)
				encode(&raw, t, end, strlen(end));
		}
		snprintf(what, sizeof(what), "random %d", iter);
		check_lines(what, (const unsigned char *)raw.data, raw.len, t,
			    chunks[lcg(&seed) % ARRAY_LEN(chunks)], want, nlines, 1 << 20);
		for (int k = 0; k < nlines; k++)
			buf_release(&text[k]);
		free(text);
		free(want);
		buf_release(&raw);
	}
}

struct cut_case {
	const char *what;
	enum tenc t;
	const char *line;	/* UTF-8 */
	size_t max;		/* bytes of the input encoding */
	const char *want;	/* UTF-8 */
	uint64_t cut;		/* input bytes dropped */
};

/* Lines longer than max are cut at max (at a character boundary) and the
 * rest counted; the next line is read normally. */
Test(common, linereader_max_cut)
{
	static const struct cut_case cases[] = {
		{ "ascii", T_UTF8, "0123456789ABCDEF", 10, "0123456789", 6 },
		{ "exactly max", T_UTF8, "0123456789", 10, "0123456789", 0 },
		{ "utf-8 at boundary", T_UTF8, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4, "\xC3\xA9\xC3\xA9", 4 },
		{ "utf-8 mid character", T_UTF8, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 5,
		  "\xC3\xA9\xC3\xA9", 4 },
		{ "utf-8 mid euro", T_UTF8, "ab\xE2\x82\xAC\xE2\x82\xAC", 6, "ab\xE2\x82\xAC", 3 },
		{ "utf-16le", T_UTF16LE, "0123456789", 8, "0123", 12 },
		{ "utf-16le odd max", T_UTF16LE, "0123456789", 9, "0123", 12 },
		{ "utf-16be pair cut", T_UTF16BE, "abc\xF0\x9F\x98\x80z", 8, "abc", 6 },
		{ "windows-1252", T_CP1252, "caf\xC3\xA9 cr\xC3\xA8me", 4, "caf\xC3\xA9", 6 },
	};
	static const size_t chunks[] = { 0, 1 };

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct cut_case *c = &cases[i];

		for (size_t k = 0; k < ARRAY_LEN(chunks); k++) {
			struct memstream ms;
			struct ec_stream in;
			struct linereader lr;
			struct sv line;
			struct buf raw;

			buf_init(&raw, 1 << 16);
			encode(&raw, c->t, c->line, strlen(c->line));
			encode(&raw, c->t, "\nnext\n", 6);
			memstream_init(&ms, &in, raw.data, raw.len);
			ms.chunk = chunks[k];
			lr_init(&lr, &in, tenc_enc(c->t), 0, c->max);
			cr_assert_eq(lr_next(&lr, &line), 1);
			cr_expect(line.n == strlen(c->want) && memcmp(line.p, c->want, line.n) == 0,
				  "%s (chunk %zu): got '%.*s'", c->what, chunks[k], (int)line.n, line.p);
			cr_expect_eq(lr.cut_bytes, c->cut, "%s (chunk %zu): cut %llu, want %llu",
				     c->what, chunks[k], (unsigned long long)lr.cut_bytes,
				     (unsigned long long)c->cut);
			cr_expect_eq(lr.bad_units, 0, "%s: bad units", c->what);
			cr_expect(!lr.cp1252 || c->t == T_CP1252, "%s: read as windows-1252", c->what);
			cr_assert_eq(lr_next(&lr, &line), 1);
			cr_expect(sv_eq(line, "next"), "%s: next line '%.*s'", c->what, (int)line.n, line.p);
			cr_expect_eq(lr.cut_bytes, 0);
			cr_expect_eq(lr_next(&lr, &line), 0);
			lr_release(&lr);
			buf_release(&raw);
		}
	}
}

/* A very long line spanning several reads is cut the same way. */
Test(common, linereader_max_cut_spanning)
{
	size_t n = 300000;
	char *text = xmalloc(n + 8);
	struct memstream ms;
	struct ec_stream in;
	struct linereader lr;
	struct sv line;

	memset(text, 'x', n);
	memcpy(text + n, "\r\nnext", 6);
	memstream_init(&ms, &in, text, n + 6);
	lr_init(&lr, &in, ENC_UTF8, 0, 1000);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect_eq(line.n, 1000);
	cr_expect_eq(lr.cut_bytes, n - 1000);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "next"));
	cr_expect_eq(lr.offset, n + 2);
	cr_expect_eq(lr.lineno, 2);
	cr_expect_eq(lr_next(&lr, &line), 0);
	lr_release(&lr);
	free(text);
}

/* A line that is not UTF-8 in a UTF-8 input is read as Windows-1252, alone. */
Test(common, linereader_utf8_fallback)
{
	static const char in_bytes[] = "ok \xC3\xA9\ncaf\xE9\nok again\n";
	struct memstream ms;
	struct ec_stream in;
	struct linereader lr;
	struct sv line;

	memstream_init(&ms, &in, in_bytes, sizeof(in_bytes) - 1);
	lr_init(&lr, &in, ENC_UTF8, 0, 4096);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "ok \xC3\xA9") && !lr.cp1252);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "caf\xC3\xA9") && lr.cp1252);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "ok again") && !lr.cp1252);
	cr_expect_eq(lr_next(&lr, &line), 0);
	lr_release(&lr);
}

/* Bad UTF-16 units are replaced and counted per line. */
Test(common, linereader_utf16_bad_units)
{
	static const unsigned char le[] = "a\0\x00\xDC" "b\0\n\0" "c\0\x3D\xD8";
	struct memstream ms;
	struct ec_stream in;
	struct linereader lr;
	struct sv line;

	memstream_init(&ms, &in, le, sizeof(le) - 1);
	lr_init(&lr, &in, ENC_UTF16LE, 0, 4096);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "a" FFFD "b"));
	cr_expect_eq(lr.bad_units, 1);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "c" FFFD));
	cr_expect_eq(lr.bad_units, 1);
	cr_expect_eq(lr_next(&lr, &line), 0);
	lr_release(&lr);
}

/* A stream that fails after some bytes: lines before it, then -1. */
struct failing {
	struct memstream m;
	size_t fail_at;
};

static long
failing_read(void *ctx, void *p, size_t n)
{
	struct failing *f = ctx;

	if (f->m.pos >= f->fail_at)
		return -1;
	if (n > f->fail_at - f->m.pos)
		n = f->fail_at - f->m.pos;
	memcpy(p, f->m.p + f->m.pos, n);
	f->m.pos += n;
	return (long)n;
}

static const char *
failing_error(void *ctx)
{
	(void)ctx;
	return "cannot read 'x': Input/output error";
}

Test(common, linereader_stream_error)
{
	static const char text[] = "one\ntwo\nthr";
	struct failing f = { { (const unsigned char *)text, sizeof(text) - 1, 0, 0 }, 8 };
	struct ec_stream in = { failing_read, failing_error, &f };
	struct linereader lr;
	struct sv line;

	lr_init(&lr, &in, ENC_UTF8, 0, 4096);
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "one"));
	cr_assert_eq(lr_next(&lr, &line), 1);
	cr_expect(sv_eq(line, "two"));
	cr_expect_eq(lr_next(&lr, &line), -1);
	cr_expect_eq(lr_next(&lr, &line), -1);
	lr_release(&lr);
}

/* ---- timeutil ------------------------------------------------------------- */

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

Test(common, days_from_civil_known)
{
	static const struct {
		int y, m, d;
		int64_t days;
	} cases[] = {
		{ 1970, 1, 1, 0 }, { 1969, 12, 31, -1 }, { 1970, 1, 2, 1 },
		{ 1601, 1, 1, -134774 }, { 2000, 3, 1, 11017 }, { 2000, 2, 29, 11016 },
		{ 1900, 3, 1, -25508 }, { 2038, 1, 19, 24855 }, { 9999, 12, 31, 2932896 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		cr_expect_eq(days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days,
			     "%04d-%02d-%02d", cases[i].y, cases[i].m, cases[i].d);
}

/* Every day from 1601 to 9999 is one more than the one before, and
 * converts back to itself (with a time of day that moves along). */
Test(common, civil_round_trip_1601_9999)
{
	int64_t prev = days_from_civil(1600, 12, 31);
	unsigned step = 0;

	for (int y = 1601; y <= 9999; y++) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= month_days(y, m); d++) {
				int64_t days = days_from_civil(y, m, d);
				struct civil c = { y, m, d, 0, 0, 0, 0 }, back;
				int64_t ms;

				cr_assert_eq(days, prev + 1, "%04d-%02d-%02d", y, m, d);
				prev = days;
				/* Sample times of day on some of the days. */
				if (++step % 37 != 0)
					continue;
				c.hour = (int)(step % 24);
				c.min = (int)(step % 60);
				c.sec = (int)(step * 7 % 60);
				c.msec = (int)(step % 1000);
				cr_assert(civil_valid(&c));
				ms = civil_to_ms(&c);
				cr_assert_eq(ms, days * MS_PER_DAY + ((int64_t)c.hour * 3600 +
					     c.min * 60 + c.sec) * 1000 + c.msec);
				ms_to_civil(ms, &back);
				cr_assert(back.year == y && back.month == m && back.day == d &&
					  back.hour == c.hour && back.min == c.min &&
					  back.sec == c.sec && back.msec == c.msec,
					  "%04d-%02d-%02d round trip", y, m, d);
			}
		}
	}
}

Test(common, ms_to_iso_table)
{
	static const struct {
		int64_t ms;
		const char *iso;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ INT64_C(-11644473600000), "1601-01-01T00:00:00.000Z" },
		{ INT64_C(951782400000), "2000-02-29T00:00:00.000Z" },
		{ INT64_C(1700000000123), "2023-11-14T22:13:20.123Z" },
		{ INT64_C(253402300799999), "9999-12-31T23:59:59.999Z" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[32];

		ms_to_iso(cases[i].ms, out);
		cr_expect_str_eq(out, cases[i].iso);
	}
}

Test(common, civil_valid_table)
{
	static const struct {
		struct civil c;
		bool ok;
	} cases[] = {
		{ { 2024, 2, 29, 0, 0, 0, 0 }, true },
		{ { 2023, 2, 29, 0, 0, 0, 0 }, false },
		{ { 1900, 2, 29, 0, 0, 0, 0 }, false },
		{ { 2000, 2, 29, 23, 59, 60, 999 }, true },
		{ { 1600, 12, 31, 0, 0, 0, 0 }, false },
		{ { 10000, 1, 1, 0, 0, 0, 0 }, false },
		{ { 2024, 4, 31, 0, 0, 0, 0 }, false },
		{ { 2024, 13, 1, 0, 0, 0, 0 }, false },
		{ { 2024, 1, 1, 24, 0, 0, 0 }, false },
		{ { 2024, 1, 1, 0, 0, 0, 1000 }, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		cr_expect_eq(civil_valid(&cases[i].c), cases[i].ok, "case %zu", i);
	cr_expect_eq(month_from_abbr(sv_cstr("Jan")), 1);
	cr_expect_eq(month_from_abbr(sv_cstr("dEcember")), 12);
	cr_expect_eq(month_from_abbr(sv_cstr("Ja")), 0);
	cr_expect_eq(month_from_abbr(sv_cstr("Jun")), 6);
	cr_expect_eq(month_from_abbr(sv_cstr("xyz")), 0);
	cr_expect_eq(read_digits("2024", 4), 2024);
	cr_expect_eq(read_digits("20a4", 4), -1);
	cr_expect_eq(read_digits("07", 2), 7);
}

/* ---- buf -------------------------------------------------------------------- */

Test(common, buf_max_truncation)
{
	struct buf b;
	char *p;
	size_t n;

	buf_init(&b, 5);
	cr_expect_str_eq(b.data, "");
	cr_expect(buf_adds(&b, "abc"));
	cr_expect(!b.truncated);
	cr_expect(!buf_adds(&b, "def"));
	cr_expect_str_eq(b.data, "abcde");
	cr_expect_eq(b.len, 5);
	cr_expect(b.truncated);
	cr_expect(!buf_addc(&b, 'x'));
	cr_expect(!buf_addf(&b, "%d", 1));
	cr_expect_str_eq(b.data, "abcde");
	buf_reset(&b);
	cr_expect(!b.truncated);
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(b.data, "");
	cr_expect(buf_addc(&b, 'x'));
	cr_expect(buf_addsv(&b, sv_cstr("yz")));
	cr_expect(buf_add(&b, "", 0));
	cr_expect_str_eq(b.data, "xyz");
	buf_release(&b);

	/* A long printf (past its 256-byte fast path), cut at max. */
	buf_init(&b, 300);
	cr_expect(!buf_addf(&b, "%0400d", 7));
	cr_expect_eq(b.len, 300);
	cr_expect_eq(strlen(b.data), 300);
	cr_expect(b.truncated);
	buf_release(&b);

	buf_init(&b, 1000);
	cr_expect(buf_addf(&b, "%s-%0300d", "n", 5));
	cr_expect_eq(b.len, 302);
	buf_rtrim(&b, "5");
	cr_expect_eq(b.len, 301);
	buf_rtrim(&b, "0-n");
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(b.data, "");
	buf_adds(&b, "kept");
	p = buf_detach(&b, &n);
	cr_expect_str_eq(p, "kept");
	cr_expect_eq(n, 4);
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(b.data, "");
	free(p);
	p = buf_detach(&b, &n);
	cr_expect_str_eq(p, "");
	cr_expect_eq(n, 0);
	free(p);
	buf_release(&b);

	/* max 0 holds nothing but stays a valid empty string. */
	buf_init(&b, 0);
	cr_expect(!buf_adds(&b, "a"));
	cr_expect(buf_adds(&b, ""));
	cr_expect_str_eq(b.data, "");
	cr_expect_eq(b.len, 0);
	buf_release(&b);
}

Test(common, buf_growth)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 100000; i++)
		cr_assert(buf_addc(&b, (char)('a' + i % 26)));
	cr_expect_eq(b.len, 100000);
	cr_expect_eq(strlen(b.data), 100000);
	cr_expect_eq(b.data[99999], 'a' + 99999 % 26);
	cr_expect(!b.truncated);
	buf_release(&b);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(b.max, (size_t)1 << 20);
}

/* utf8_seq: the one UTF-8 decoder the reports and the export share. */
Test(common, utf8_seq_table)
{
	static const struct {
		const char *p;
		size_t avail, len;
		uint32_t cp;
	} cases[] = {
		{ "A", 1, 1, 0x41 },
		{ "\xc3\xa9", 2, 2, 0xe9 },		/* é */
		{ "\xe2\x80\xae", 3, 3, 0x202e },	/* RIGHT-TO-LEFT OVERRIDE */
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
		{ "\xc3\xa9", 1, 0, 0 },		/* cut off by avail */
		{ "\xc0\xaf", 2, 0, 0 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0, 0 },		/* overlong, 3 bytes */
		{ "\xed\xa0\x80", 3, 0, 0 },		/* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },	/* past U+10FFFF */
		{ "\x80", 1, 0, 0 },			/* lone continuation */
		{ "\xe2\x80", 4, 0, 0 },		/* cut off by the NUL */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;
		size_t got = utf8_seq((const unsigned char *)cases[i].p, cases[i].avail, &cp);

		cr_expect_eq(got, cases[i].len, "case %zu: length %zu, expected %zu", i, got, cases[i].len);
		if (cases[i].len)
			cr_expect_eq(cp, cases[i].cp, "case %zu: U+%04X, expected U+%04X", i, (unsigned)cp,
				     (unsigned)cases[i].cp);
	}
}

Test(common, path_base_takes_the_last_component)
{
	cr_assert_str_eq(path_base("samples/upgrade-failed/trace-20260510-101502.log"), "trace-20260510-101502.log");
	cr_assert_str_eq(path_base("C:\\ProgramData\\AADConnect\\trace.log"), "trace.log");
	cr_assert_str_eq(path_base("case.zip!dir/b.log"), "b.log");
	cr_assert_str_eq(path_base("dir/"), "dir/");
	cr_assert_str_eq(path_base("plain"), "plain");
	cr_assert_null(path_base(NULL));
}
