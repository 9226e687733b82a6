/* SPDX-License-Identifier: MIT */
/* memstream.c - an ec_stream over bytes in memory. */
#include <string.h>

#include "common/stream.h"

static long
mem_read(void *ctx, void *p, size_t n)
{
	struct memstream *m = ctx;
	size_t left = m->n - m->pos;

	if (n > left)
		n = left;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n)
		memcpy(p, m->p + m->pos, n);
	m->pos += n;
	return (long)n;
}

static const char *
mem_error(void *ctx)
{
	(void)ctx;
	return NULL;
}

void
memstream_init(struct memstream *m, struct ec_stream *s, const void *p, size_t n)
{
	m->p = p;
	m->n = n;
	m->pos = 0;
	m->chunk = 0;
	s->read = mem_read;
	s->error = mem_error;
	s->ctx = m;
}
