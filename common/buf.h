/* SPDX-License-Identifier: MIT */
/* buf.h - growable byte buffer with a hard maximum (git strbuf, curl dynbuf).
 * The contents are always NUL-terminated, so buf.data can be used as a C
 * string. Appends past max are cut at max and set buf.truncated: memory stays
 * bounded whatever the input. Allocation failure aborts (see xalloc.h). */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strview.h"

struct buf {
	char *data;		/* NUL-terminated contents, or "" before the first append */
	size_t len;		/* bytes used, not counting the NUL */
	size_t cap;		/* bytes allocated */
	size_t max;		/* hard limit on len */
	bool truncated;		/* an append was cut at max since the last buf_reset() */
};

/* Prepare an empty buffer that will never hold more than max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free the contents; the buffer can be buf_init()ed again. */
void buf_release(struct buf *b);
/* Empty the buffer, keeping its allocation. */
void buf_reset(struct buf *b);
/* Append n bytes; returns false if they were cut at max. */
bool buf_add(struct buf *b, const void *p, size_t n);
bool buf_addc(struct buf *b, char c);
bool buf_adds(struct buf *b, const char *s);
bool buf_addsv(struct buf *b, struct sv v);
/* printf-style append; returns false if cut at max. */
bool buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Room for n more bytes (the buffer grows if needed): where to write them,
 * or NULL if they would pass max. buf_commit() then adds what was written
 * (at most n). For writers that produce bytes in a loop (decoders). */
char *buf_reserve(struct buf *b, size_t n);
void buf_commit(struct buf *b, size_t n);
/* Append a number in decimal, or in lower-case hex without "0x". */
bool buf_add_u64(struct buf *b, uint64_t v);
bool buf_add_i64(struct buf *b, int64_t v);
bool buf_add_hex(struct buf *b, uint64_t v);

/* Remove trailing bytes in set from the end. */
void buf_rtrim(struct buf *b, const char *set);

static inline struct sv
buf_sv(const struct buf *b)
{
	return sv_make(b->data, b->len);
}

/* Hand the contents over to the caller (free with free()), leave b empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
