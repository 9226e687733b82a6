/* SPDX-License-Identifier: MIT */
/* sigbuiltin.h - the signatures of signatures/, embedded at build time by
 * tools/sigcheck.c after it checked them. */
#ifndef ANALYZER_SIGBUILTIN_H
#define ANALYZER_SIGBUILTIN_H

#include <stddef.h>

struct sig_builtin {
	const char *name;	/* file name in signatures/ */
	const char *text;
	size_t len;
};
extern const struct sig_builtin sig_builtin[];
extern const size_t sig_nbuiltin;

#endif
