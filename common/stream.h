/* SPDX-License-Identifier: MIT */
/* stream.h - struct ec_stream, the one way bytes come in: a read callback
 * over a file, an archive member or memory. Parsers read through it and never
 * know where the bytes come from. */
#ifndef COMMON_STREAM_H
#define COMMON_STREAM_H

#include <stddef.h>

struct ec_stream {
	/* Read up to n bytes into p. Returns the number read (> 0), 0 at the
	 * end of the input, or -1 on a read error (then error() says why). */
	long (*read)(void *ctx, void *p, size_t n);
	/* Why the last read failed; NULL if it did not. */
	const char *(*error)(void *ctx);
	void *ctx;
};

/* A stream over memory that the caller keeps alive. */
struct memstream {
	const unsigned char *p;	/* the bytes */
	size_t n;		/* their number */
	size_t pos;		/* next byte to hand out */
	size_t chunk;		/* at most this many bytes per read (0: no limit); tests use 1 */
};

void memstream_init(struct memstream *m, struct ec_stream *s, const void *p, size_t n);

#endif
