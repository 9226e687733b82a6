/* SPDX-License-Identifier: MIT */
/* guardbuf.h - place test input so that it ends exactly where an unreadable
 * page begins (picohttpparser's test.c): a parser that reads one byte past
 * the end of its input crashes its own test process. */
#ifndef TESTS_GUARDBUF_H
#define TESTS_GUARDBUF_H

#include <stddef.h>

/* Copy n bytes of s so that they end at a PROT_NONE page; returns the copy.
 * Valid until the next call. n must be at most 64 KiB. */
const char *guard_copy(const void *s, size_t n);

#endif
