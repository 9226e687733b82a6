/* SPDX-License-Identifier: MIT */
/* buf.c - bounded growable buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"

static char empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->data = empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->truncated = false;
}

void
buf_release(struct buf *b)
{
	if (b->cap)
		free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->truncated = false;
	if (b->cap)
		b->data[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;

	while (cap < need + 1)
		cap *= 2;
	if (b->cap)
		b->data = xrealloc(b->data, cap);
	else
		b->data = xmalloc(cap);
	b->cap = cap;
}

bool
buf_add(struct buf *b, const void *p, size_t n)
{
	bool whole = true;

	if (n > b->max - b->len) {
		n = b->max - b->len;
		b->truncated = true;
		whole = false;
	}
	if (b->len + n + 1 > b->cap)
		buf_grow(b, b->len + n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	if (b->cap)
		b->data[b->len] = '\0';
	return whole;
}

bool
buf_addc(struct buf *b, char c)
{
	if (b->len + 2 <= b->cap && b->len < b->max) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return true;
	}
	return buf_add(b, &c, 1);
}

bool
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

bool
buf_addsv(struct buf *b, struct sv v)
{
	return buf_add(b, v.p, v.n);
}

bool
buf_addf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;
	bool ok;
	char *big;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ok = buf_add(b, big, (size_t)n);
	free(big);
	return ok;
}

void
buf_rtrim(struct buf *b, const char *set)
{
	while (b->len && strchr(set, b->data[b->len - 1]))
		b->len--;
	if (b->cap)
		b->data[b->len] = '\0';
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p = b->cap ? b->data : xstrdup("");

	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}

char *
buf_reserve(struct buf *b, size_t n)
{
	if (n > b->max - b->len)
		return NULL;
	if (b->len + n + 1 > b->cap)
		buf_grow(b, b->len + n);
	return b->data + b->len;
}

void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

bool
buf_add_u64(struct buf *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_add(b, tmp + i, sizeof(tmp) - i);
}

bool
buf_add_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_addc(b, '-');
		return buf_add_u64(b, (uint64_t)0 - (uint64_t)v);
	}
	return buf_add_u64(b, (uint64_t)v);
}

bool
buf_add_hex(struct buf *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = hex[v & 15];
		v >>= 4;
	} while (v);
	return buf_add(b, tmp + i, sizeof(tmp) - i);
}
