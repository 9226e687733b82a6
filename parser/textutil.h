/* SPDX-License-Identifier: MIT */
/* textutil.h - what the line-based text parsers share: record text kept
 * under a hard maximum, the line reader's problems reported alike, the end
 * of a parse (problems past the cap, a read error), and sniffing the first
 * lines of an input. Parser-internal. */
#ifndef PARSER_TEXTUTIL_H
#define PARSER_TEXTUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/strview.h"
#include "parser/parser.h"

/* The longest line and record a parse keeps, from the options (defaults
 * EC_MAX_LINE and EC_MAX_RECORD; a record never more than EC_MAX_RECORD). */
size_t text_max_line(const struct ec_options *o);
size_t text_max_record(const struct ec_options *o);

/* Per-line problems reported per input; the rest are counted. */
#define TEXT_PROBLEM_CAP 100

/* Append to record text; returns the bytes cut at the buffer's maximum. */
size_t text_append(struct buf *b, const char *p, size_t n);
/* Append a line whose NUL bytes (has_nul) become U+FFFD; returns bytes cut. */
size_t text_append_line(struct buf *b, struct sv v, bool has_nul);
/* Drop a UTF-8 sequence left incomplete at the end of b by a cut. */
void text_drop_partial_utf8(struct buf *b);

/* Only spaces and tabs. */
bool text_blank(struct sv v);

/* True if one more per-line problem may be reported (counts it). */
bool text_problem_ok(uint64_t *problems);
/* Report what the line reader found in its current line: the block of NUL
 * bytes dropped before it (offset, length, the line it follows), a cut,
 * invalid UTF-16 (saying so when the file ends mid-character), NUL bytes.
 * Call it when lr.nul_bytes, lr.cut_bytes, lr.bad_units or has_nul. */
int text_line_problems(const struct linereader *lr, const struct ec_sink *sink, bool has_nul,
		       uint64_t *problems);
/* The end of a parse: how many problems went past the cap, then the read
 * error if lr_next() returned r < 0. Returns a sink's non-zero value, -1
 * after a read error, else 0. */
int text_finish(const struct linereader *lr, const struct ec_sink *sink, uint64_t problems, int r);

/* Call judge on each of the first max non-blank lines of s->text (byte-order
 * mark skipped) with its number among them, from 1, until judge returns
 * non-zero; returns that value, or 0. A NUL ends a line here too (NUL
 * blocks are dropped by the line reader), and NUL-only lines are blank. */
int text_sniff_lines(const struct ec_sniff *s, int max,
		     int (*judge)(void *ctx, struct sv line, int seen), void *ctx);

#endif
