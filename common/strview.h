/* SPDX-License-Identifier: MIT */
/* strview.h - struct sv, a {pointer, length} view into bytes someone else
 * owns (curl's Curl_str). A view never owns memory and is valid only as long
 * as the buffer it points into. */
#ifndef COMMON_STRVIEW_H
#define COMMON_STRVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct sv {
	const char *p;	/* first byte, or NULL for the empty view */
	size_t n;	/* number of bytes */
};

#define SV_NULL ((struct sv){ NULL, 0 })
#define SV_LIT(s) ((struct sv){ (s), sizeof(s) - 1 })

static inline struct sv
sv_make(const char *p, size_t n)
{
	struct sv v = { p, n };
	return v;
}

static inline struct sv
sv_cstr(const char *s)
{
	return sv_make(s, s ? strlen(s) : 0);
}

static inline bool
sv_eq(struct sv v, const char *lit)
{
	size_t n = strlen(lit);
	return v.n == n && (n == 0 || memcmp(v.p, lit, n) == 0);
}

static inline bool
sv_starts(struct sv v, const char *lit)
{
	size_t n = strlen(lit);
	return v.n >= n && memcmp(v.p, lit, n) == 0;
}

/* Remove leading and trailing spaces, tabs, CR and LF. */
struct sv sv_trim(struct sv v);

/* Position of the first occurrence of lit in v, or -1. */
long sv_find(struct sv v, const char *lit);

/* Advance v past the first occurrence of lit; return true if found. */
bool sv_skip_past(struct sv *v, const char *lit);

/* The same, ignoring the case of ASCII letters. */
bool sv_ieq(struct sv v, const char *lit);
bool sv_istarts(struct sv v, const char *lit);
bool sv_iends(struct sv v, const char *lit);
long sv_ifind(struct sv v, const char *lit);

/* Is needle on the first line of msg (up to its first '\n')? False for a
 * NULL msg. */
bool first_line_has(const char *msg, const char *needle);

/* The last component of a path or archive member name ('/' or '\\'; a
 * trailing separator is not a component); path itself when it has none.
 * NULL stays NULL. */
const char *path_base(const char *path);

#endif
