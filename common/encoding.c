/* SPDX-License-Identifier: MIT */
/* encoding.c - sniffing and decoding of UTF-8, UTF-16 and Windows-1252. */
#include <string.h>

#include "common/encoding.h"

/* Windows-1252 0x80..0x9F; 0 marks the five undefined bytes (kept as C1). */
static const unsigned short cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

void
utf8_put(struct buf *out, unsigned cp)
{
	char s[4];

	if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, s, 3);
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, s, 4);
	}
}

size_t
utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp)
{
	size_t n;
	uint32_t v;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, v = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, v = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, v = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (i >= avail || (p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) || (n == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return n;
}

size_t
utf8_valid_len(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t need;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + need >= n)
			return i;	/* cut off at the end */
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += need + 1;
	}
	return n;
}

void
cp1252_to_utf8(struct buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];

		if (c < 0x80)
			buf_addc(out, (char)c);
		else if (c < 0xA0 && cp1252_hi[c - 0x80])
			utf8_put(out, cp1252_hi[c - 0x80]);
		else
			utf8_put(out, c);
	}
}

size_t
utf16_to_utf8(struct buf *out, const unsigned char *p, size_t n, bool be)
{
	size_t bad = 0;
	size_t i = 0;
	char *o0 = buf_reserve(out, n / 2 * 3 + 3), *o = o0;

	/* Fast path: room for the worst case (3 bytes per unit) is there. */
	while (o && i + 1 < n) {
		unsigned u = be ? (unsigned)(p[i] << 8 | p[i + 1]) : (unsigned)(p[i + 1] << 8 | p[i]);

		if (u < 0x80) {
			*o++ = (char)u;
			i += 2;
		} else if (u < 0x800) {
			*o++ = (char)(0xC0 | (u >> 6));
			*o++ = (char)(0x80 | (u & 0x3F));
			i += 2;
		} else if (u < 0xD800 || u > 0xDFFF) {
			*o++ = (char)(0xE0 | (u >> 12));
			*o++ = (char)(0x80 | ((u >> 6) & 0x3F));
			*o++ = (char)(0x80 | (u & 0x3F));
			i += 2;
		} else {
			break;	/* surrogates: the careful loop below */
		}
	}
	if (o)
		buf_commit(out, (size_t)(o - o0));

	while (i + 1 < n) {
		unsigned u = be ? (unsigned)(p[i] << 8 | p[i + 1]) : (unsigned)(p[i + 1] << 8 | p[i]);

		i += 2;
		if (u < 0x80) {
			buf_addc(out, (char)u);
		} else if (u >= 0xD800 && u <= 0xDBFF) {
			unsigned lo;

			if (i + 1 >= n) {
				utf8_put(out, 0xFFFD);
				bad++;
				continue;
			}
			lo = be ? (unsigned)(p[i] << 8 | p[i + 1]) : (unsigned)(p[i + 1] << 8 | p[i]);
			if (lo < 0xDC00 || lo > 0xDFFF) {
				utf8_put(out, 0xFFFD);
				bad++;
				continue;
			}
			i += 2;
			utf8_put(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			utf8_put(out, 0xFFFD);
			bad++;
		} else {
			utf8_put(out, u);
		}
	}
	if (i < n) {
		utf8_put(out, 0xFFFD);
		bad++;
	}
	return bad;
}

/* Bytes that plain text does not contain: NUL and C0 controls other than
 * TAB, LF, VT, FF, CR and ESC. */
static bool
is_binary_byte(unsigned c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' &&
	       c != '\r' && c != 0x1B;
}

/* Text with blocks of NUL bytes (a file whose writer crashed, a power
 * loss): the head is read as text if, with every run of NUL bytes (of zero
 * code units for UTF-16) taken out, at least NUL_MIN_TEXT bytes remain, they
 * pass the test for text (at most 1 in 100 bytes a control, UTF-16 by its
 * zero pattern), and there are few runs (at most one per NUL_RUN_TEXT bytes
 * of text, plus one): a string table "a\0b\0" is no log. Looks at up to
 * NUL_SPAN bytes, so that text after a block at the start still counts. */
#define NUL_SPAN ((size_t)64 * 1024)
#define NUL_MIN_TEXT 64
#define NUL_RUN_TEXT 256

static bool
few_runs(size_t runs, size_t text)
{
	return text >= NUL_MIN_TEXT && runs <= 1 + text / NUL_RUN_TEXT;
}

static bool
text_unit(unsigned u)
{
	return u >= 0x20 || !is_binary_byte(u);
}

static enum enc
nul_text16(const unsigned char *p, size_t n)
{
	size_t nz = 0, even0 = 0, odd0 = 0, ctl_le = 0, ctl_be = 0, runs = 0;
	bool in_run = false;

	for (size_t i = 0; i + 1 < n; i += 2) {
		if (!p[i] && !p[i + 1]) {
			runs += !in_run;
			in_run = true;
			continue;
		}
		in_run = false;
		nz++;
		even0 += p[i] == 0;
		odd0 += p[i + 1] == 0;
		ctl_le += !text_unit((unsigned)(p[i] | p[i + 1] << 8));
		ctl_be += !text_unit((unsigned)(p[i] << 8 | p[i + 1]));
	}
	if (!few_runs(runs, nz * 2))
		return ENC_BINARY;
	if (odd0 * 10 >= nz * 7 && even0 * 20 <= nz && ctl_le * 100 <= nz)
		return ENC_UTF16LE;
	if (even0 * 10 >= nz * 7 && odd0 * 20 <= nz && ctl_be * 100 <= nz)
		return ENC_UTF16BE;
	return ENC_BINARY;
}

static enum enc
nul_text(const unsigned char *p, size_t n)
{
	size_t text = 0, ctl = 0, runs = 0, checked = 0, i = 0;
	bool cp1252 = false;
	enum enc e = nul_text16(p, n);

	if (e != ENC_BINARY)
		return e;
	while (i < n) {
		size_t s = i, valid;

		if (!p[i]) {
			while (i < n && !p[i])
				i++;
			runs++;
			continue;
		}
		while (i < n && p[i])
			ctl += is_binary_byte(p[i++]);
		text += i - s;
		/* UTF-8 or not, from the first 4096 bytes of text as without
		 * NULs; a sequence cut by a run or the end is not a fault. */
		if (checked < 4096) {
			valid = utf8_valid_len(p + s, i - s);
			if (valid < i - s && (i - s - valid >= 4 || (i == n && n < NUL_SPAN)))
				cp1252 = true;
			checked += i - s;
		}
	}
	if (!few_runs(runs, text) || ctl * 100 > text)
		return ENC_BINARY;
	return cp1252 ? ENC_CP1252 : ENC_UTF8;
}

struct enc_guess
enc_sniff(const unsigned char *p, size_t n)
{
	struct enc_guess g = { ENC_UTF8, 0 };
	size_t even0 = 0, odd0 = 0, bin = 0, pairs, lim, valid;

	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		g.bom = 3;
		return g;
	}
	if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		g.enc = ENC_UTF16LE;
		g.bom = 2;
		return g;
	}
	if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		g.enc = ENC_UTF16BE;
		g.bom = 2;
		return g;
	}
	lim = n < 4096 ? n : 4096;
	pairs = lim / 2;
	for (size_t i = 0; i + 1 < lim; i += 2) {
		even0 += p[i] == 0;
		odd0 += p[i + 1] == 0;
	}
	/* Mostly-ASCII UTF-16 has a zero in one half of nearly every unit. */
	if (pairs >= 2 && odd0 * 10 >= pairs * 7 && even0 * 20 <= pairs) {
		g.enc = ENC_UTF16LE;
		return g;
	}
	if (pairs >= 2 && even0 * 10 >= pairs * 7 && odd0 * 20 <= pairs) {
		g.enc = ENC_UTF16BE;
		return g;
	}
	for (size_t i = 0; i < lim; i++)
		bin += is_binary_byte(p[i]);
	if (bin && memchr(p, 0, lim)) {
		g.enc = nul_text(p, n < NUL_SPAN ? n : NUL_SPAN);
		return g;
	}
	if (bin * 100 > lim) {
		g.enc = ENC_BINARY;
		return g;
	}
	valid = utf8_valid_len(p, lim);
	/* A sequence cut off by the end of the sample is not a fault. */
	if (valid < lim && lim - valid >= 4)
		g.enc = ENC_CP1252;
	else if (valid < lim && lim == n)
		g.enc = ENC_CP1252;
	return g;
}

const char *
enc_name(struct enc_guess g)
{
	switch (g.enc) {
	case ENC_UTF8:
		return g.bom ? "utf-8-bom" : "utf-8";
	case ENC_UTF16LE:
		return g.bom ? "utf-16le-bom" : "utf-16le";
	case ENC_UTF16BE:
		return g.bom ? "utf-16be-bom" : "utf-16be";
	case ENC_CP1252:
		return "windows-1252";
	case ENC_BINARY:
		return "binary";
	}
	return "unknown";
}
