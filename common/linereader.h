/* SPDX-License-Identifier: MIT */
/* linereader.h - one reused buffer that turns a stream in any supported
 * encoding into UTF-8 lines, with line numbers and byte offsets into the
 * original bytes (csv.c's CsvReader, git's strbuf_getline).
 *
 * Lines end at LF, CRLF or a lone CR, found in the input's own encoding. A
 * line's view is valid only until the next lr_next(). No allocation happens
 * per line: the buffers grow to the longest line seen and are reused, and a
 * line longer than max bytes is cut at max (the rest is skipped and counted
 * in lr.cut_bytes).
 *
 * A block of NUL bytes (at least LR_NUL_BLOCK bytes in a row, whole zero
 * code units in UTF-16: what a crash or power loss leaves in a file being
 * written) is dropped, never handed out: the line it follows, or the text
 * before it on its line, ends at it, and the next line carries it in
 * lr.nul_offset and lr.nul_bytes (an empty line when the file ends with the
 * block). The text after a block in the middle of a line keeps that line's
 * number (lr.nul_mid), so that later line numbers are those an editor shows.
 * Shorter runs of NUL bytes stay in the line as they are. */
#ifndef COMMON_LINEREADER_H
#define COMMON_LINEREADER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/stream.h"
#include "common/strview.h"

struct linereader {
	struct ec_stream *in;	/* where the bytes come from */
	enum enc enc;		/* how to decode them */
	unsigned char *raw;	/* read buffer */
	size_t rlen;		/* bytes in raw */
	size_t rpos;		/* next unread byte in raw */
	uint64_t rbase;		/* input offset of raw[0] */
	bool eof;		/* the stream said end of input */
	bool failed;		/* the stream returned an error */
	struct buf pend;	/* raw bytes of a line that spans two reads */
	struct buf line;	/* decoded line when it cannot be a view into raw */
	size_t max;		/* longest line kept, in bytes */
	uint64_t lineno;	/* number of the current line, from 1 */
	uint64_t offset;	/* input offset of the current line's first byte */
	uint64_t cut_bytes;	/* bytes of the current line dropped past max */
	size_t bad_units;	/* invalid UTF-16 units replaced in the current line */
	bool cp1252;		/* current line was not UTF-8 and was read as Windows-1252 */
	bool unterminated;	/* current line is the last and has no line end (cut off?) */
	uint64_t nul_bytes;	/* NUL bytes of the block dropped just before the current line, or 0 */
	uint64_t nul_offset;	/* input offset of that block's first byte */
	bool nul_mid;		/* the block was in the middle of a line: this is the rest of it */
	bool nul_next;		/* the current line ended at a block (the next line carries it) */
};

#define LR_READ_SIZE (64u * 1024u)
#define LR_NUL_BLOCK 16u	/* NUL bytes in a row that make a block */

/* Start reading in; skip bytes of byte-order mark already known. */
void lr_init(struct linereader *lr, struct ec_stream *in, enum enc enc, size_t bom, size_t max);
void lr_release(struct linereader *lr);

/* Read the next line into *line (without its terminator). Returns 1 for a
 * line, 0 at the end of the input, -1 if the stream failed (lr.in->error()
 * says why; lines before the failure were all returned). */
int lr_next(struct linereader *lr, struct sv *line);

#endif
