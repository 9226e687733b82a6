/* SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS */
/* guardbuf.c - input against a guard page. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "support/guardbuf.h"

#define GUARD_DATA (64u * 1024u)

const char *
guard_copy(const void *s, size_t n)
{
	static unsigned char *base;
	static size_t page;

	if (!base) {
		page = (size_t)sysconf(_SC_PAGESIZE);
		base = mmap(NULL, GUARD_DATA + page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			abort();
		if (mprotect(base + GUARD_DATA, page, PROT_NONE) != 0)
			abort();
	}
	if (n > GUARD_DATA)
		abort();
	memcpy(base + GUARD_DATA - n, s, n);
	return (const char *)base + GUARD_DATA - n;
}
