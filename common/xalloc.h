/* SPDX-License-Identifier: MIT */
/* xalloc.h - allocation wrappers that never return NULL (tmux xmalloc).
 * On failure they call the handler installed with xalloc_set_oom(), which
 * the command line uses to print a message; then they abort(). */
#ifndef COMMON_XALLOC_H
#define COMMON_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* xstrdup, and NULL for NULL. */
char *xstrdup0(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void xalloc_set_oom(void (*fn)(size_t n));

#endif
