/* SPDX-License-Identifier: MIT */
/* linereader.c - encoding-aware line splitting over a stream. */
#include <stdlib.h>
#include <string.h>

#include "common/linereader.h"
#include "common/xalloc.h"

void
lr_init(struct linereader *lr, struct ec_stream *in, enum enc enc, size_t bom, size_t max)
{
	memset(lr, 0, sizeof(*lr));
	lr->in = in;
	lr->enc = enc;
	lr->max = max;
	lr->raw = xmalloc(LR_READ_SIZE);
	buf_init(&lr->pend, max + 4);
	buf_init(&lr->line, max + 4 * 3);
	lr->rbase = 0;
	lr->rpos = bom;	/* refill() below keeps rpos when it is past rlen */
	lr->rlen = 0;
}

void
lr_release(struct linereader *lr)
{
	free(lr->raw);
	lr->raw = NULL;
	buf_release(&lr->pend);
	buf_release(&lr->line);
}

/* Read the next block. keep bytes at raw[rpos..rlen) are moved to the front.
 * Returns false at the end of input or on error. */
static bool
refill(struct linereader *lr)
{
	size_t keep = lr->rpos < lr->rlen ? lr->rlen - lr->rpos : 0;
	size_t skip = lr->rpos > lr->rlen ? lr->rpos - lr->rlen : 0;
	long got;

	if (lr->eof || lr->failed)
		return false;
	if (keep)
		memmove(lr->raw, lr->raw + lr->rpos, keep);
	lr->rbase += lr->rlen - keep;
	lr->rpos = 0;
	lr->rlen = keep;
	while (lr->rlen < LR_READ_SIZE) {
		got = lr->in->read(lr->in->ctx, lr->raw + lr->rlen, LR_READ_SIZE - lr->rlen);
		if (got < 0) {
			lr->failed = true;
			break;
		}
		if (got == 0) {
			lr->eof = true;
			break;
		}
		lr->rlen += (size_t)got;
		/* Byte-order mark bytes given at init are dropped once. */
		while (skip && lr->rlen > keep) {
			memmove(lr->raw + keep, lr->raw + keep + 1, lr->rlen - keep - 1);
			lr->rlen--;
			lr->rbase++;
			skip--;
		}
		if (lr->rlen - keep >= 4096)
			break;
	}
	return lr->rlen > keep;
}

/* Keep raw bytes of a line that continues past the buffer. */
static void
stash(struct linereader *lr, const unsigned char *p, size_t n)
{
	size_t room = lr->max > lr->pend.len ? lr->max - lr->pend.len : 0;

	if (n > room) {
		lr->cut_bytes += n - room;
		n = room;
	}
	buf_add(&lr->pend, p, n);
}

/* A line cut at max can end inside a character: drop that part of it
 * (counted in cut_bytes) so the rest decodes as what it is. */
static size_t
trim_cut(struct linereader *lr, const unsigned char *p, size_t n)
{
	size_t k = 0;

	if (!lr->cut_bytes || !n)
		return n;
	if (lr->enc == ENC_UTF16LE || lr->enc == ENC_UTF16BE) {
		k = n & 1;
		if (n - k >= 2) {
			const unsigned char *u = p + n - k - 2;
			unsigned unit = lr->enc == ENC_UTF16LE ? (unsigned)(u[0] | u[1] << 8) :
				       (unsigned)(u[0] << 8 | u[1]);

			if (unit >= 0xD800 && unit <= 0xDBFF)
				k += 2;
		}
	} else if (lr->enc == ENC_UTF8) {
		size_t cont = 0, need;

		while (cont < 3 && cont < n && (p[n - 1 - cont] & 0xC0) == 0x80)
			cont++;
		if (cont < n && p[n - 1 - cont] >= 0xC0) {
			need = p[n - 1 - cont] >= 0xF0 ? 3 : p[n - 1 - cont] >= 0xE0 ? 2 : 1;
			if (cont < need)
				k = cont + 1;
		}
	}
	lr->cut_bytes += k;
	return n - k;
}

static void
decode(struct linereader *lr, const unsigned char *p, size_t n, struct sv *out)
{
	size_t valid;

	n = trim_cut(lr, p, n);
	switch (lr->enc) {
	case ENC_UTF16LE:
	case ENC_UTF16BE:
		buf_reset(&lr->line);
		lr->bad_units = utf16_to_utf8(&lr->line, p, n, lr->enc == ENC_UTF16BE);
		*out = buf_sv(&lr->line);
		return;
	case ENC_CP1252:
		buf_reset(&lr->line);
		cp1252_to_utf8(&lr->line, p, n);
		*out = buf_sv(&lr->line);
		return;
	default:
		valid = utf8_valid_len(p, n);
		if (valid == n) {
			*out = sv_make((const char *)p, n);
			return;
		}
		/* Not UTF-8: read this line as Windows-1252 (a.2's advice). */
		lr->cp1252 = true;
		buf_reset(&lr->line);
		cp1252_to_utf8(&lr->line, p, n);
		*out = buf_sv(&lr->line);
		return;
	}
}

static inline unsigned
unit_at(const struct linereader *lr, size_t i)
{
	if (lr->enc == ENC_UTF16LE)
		return (unsigned)(lr->raw[i] | lr->raw[i + 1] << 8);
	if (lr->enc == ENC_UTF16BE)
		return (unsigned)(lr->raw[i] << 8 | lr->raw[i + 1]);
	return lr->raw[i];
}

/* The first line end or NUL unit at or after i, its unit in *u; or, when
 * there is none, the end of the whole units in raw. */
static size_t
scan(const struct linereader *lr, size_t i, size_t w, unsigned *u)
{
	if (w == 1) {
		const unsigned char *r = lr->raw;
		size_t end = lr->rlen;

		while (i < end && (r[i] > '\r' || (r[i] != '\n' && r[i] != '\r' && r[i] != 0)))
			i++;
		if (i < end)
			*u = r[i];
		return i;
	}
	while (i + 1 < lr->rlen) {
		*u = unit_at(lr, i);
		if (*u == '\n' || *u == '\r' || *u == 0)
			return i;
		i += 2;
	}
	return lr->rlen - ((lr->rlen - i) & 1);
}

/* Drop the block of NUL units at rpos, reading on as long as it lasts. */
/* The bytes of the line from start to i: the carried part and this one,
 * or a view into the read buffer cut at the longest line kept. */
static void
line_bytes(struct linereader *lr, size_t start, size_t i, bool spanning, const unsigned char **p, size_t *n)
{
	if (spanning || lr->pend.len) {
		stash(lr, lr->raw + start, i - start);
		*p = (const unsigned char *)lr->pend.data;
		*n = lr->pend.len;
		return;
	}
	*n = i - start;
	if (*n > lr->max) {
		lr->cut_bytes += *n - lr->max;
		*n = lr->max;
	}
	*p = lr->raw + start;
}

static void
skip_block(struct linereader *lr, size_t w)
{
	lr->nul_offset = lr->rbase + lr->rpos;
	lr->nul_bytes = 0;
	for (;;) {
		while (lr->rpos + w <= lr->rlen && unit_at(lr, lr->rpos) == 0) {
			lr->rpos += w;
			lr->nul_bytes += w;
		}
		if (lr->rpos + w <= lr->rlen || !refill(lr))
			return;
	}
}

int
lr_next(struct linereader *lr, struct sv *line)
{
	size_t w = (lr->enc == ENC_UTF16LE || lr->enc == ENC_UTF16BE) ? 2 : 1;
	size_t start, i, j;
	bool spanning = false, mid = lr->nul_next;
	unsigned u = 0;

	lr->cut_bytes = 0;
	lr->bad_units = 0;
	lr->cp1252 = false;
	lr->unterminated = false;
	lr->nul_bytes = 0;
	lr->nul_mid = false;
	lr->nul_next = false;
	buf_reset(&lr->pend);
	if (lr->rpos + w > lr->rlen && !refill(lr)) {
		/* A lone trailing byte of UTF-16 is a line of its own. */
		if (lr->rpos < lr->rlen) {
			lr->offset = lr->rbase + lr->rpos;
			lr->lineno += !mid;
			decode(lr, lr->raw + lr->rpos, lr->rlen - lr->rpos, line);
			lr->rpos = lr->rlen;
			lr->unterminated = true;
			return 1;
		}
		return lr->failed ? -1 : 0;
	}
	/* After a line that ended at a block, the rest of it keeps its number. */
	lr->offset = lr->rbase + lr->rpos;
	lr->lineno += !mid;
	for (;;) {
		bool block = false, more = false;

		start = lr->rpos;
		i = start;
		for (;;) {
			i = scan(lr, i, w, &u);
			if (i + w > lr->rlen || u != 0)
				break;
			/* NUL units at i: a block, or a few that stay in the line. */
			for (j = i; j + w <= lr->rlen && j - i < LR_NUL_BLOCK && unit_at(lr, j) == 0; j += w)
				;
			if (j - i >= LR_NUL_BLOCK) {
				block = true;
				break;
			}
			if (j + w > lr->rlen && !lr->eof && !lr->failed) {
				more = true;	/* the buffer ends inside them: read on, then decide */
				break;
			}
			i = j;
		}
		if (block && (i > start || lr->pend.len || lr->cut_bytes)) {
			/* A block ends the line here; the next call drops it. */
			const unsigned char *p;
			size_t n;

			line_bytes(lr, start, i, spanning, &p, &n);
			lr->rpos = i;
			lr->nul_next = true;
			decode(lr, p, n, line);
			return 1;
		}
		if (block) {
			/* A block at the start of the line: drop it and read on. */
			lr->rpos = i;
			skip_block(lr, w);
			lr->nul_mid = mid;
			lr->offset = lr->rbase + lr->rpos;
			spanning = false;
			if (lr->rpos < lr->rlen)
				continue;
			/* The file ends with it: an empty line carries it. */
			*line = sv_make("", 0);
			return 1;
		}
		if (!more && i + w <= lr->rlen) {
			/* Terminator found at i. */
			const unsigned char *p;
			size_t n;

			line_bytes(lr, start, i, spanning, &p, &n);
			lr->rpos = i + w;
			if (u == '\r') {
				/* CRLF: the LF may be in the next block. */
				if (lr->rpos + w > lr->rlen) {
					/* Keep the decoded line safe across the refill. */
					if (p != (const unsigned char *)lr->pend.data) {
						buf_reset(&lr->pend);
						buf_add(&lr->pend, p, n);
						p = (const unsigned char *)lr->pend.data;
					}
					refill(lr);
				}
				if (lr->rpos + w <= lr->rlen && unit_at(lr, lr->rpos) == '\n')
					lr->rpos += w;
			}
			decode(lr, p, n, line);
			return 1;
		}
		/* No terminator in this block: keep what we have and read on. */
		stash(lr, lr->raw + start, i - start);
		lr->rpos = i;
		spanning = true;
		if (!refill(lr)) {
			/* Last line without terminator (and maybe an odd byte). */
			if (lr->rpos < lr->rlen)
				stash(lr, lr->raw + lr->rpos, lr->rlen - lr->rpos);
			lr->rpos = lr->rlen;
			decode(lr, (const unsigned char *)lr->pend.data, lr->pend.len, line);
			lr->unterminated = true;
			return 1;
		}
	}
}
