/* SPDX-License-Identifier: MIT */
/* strview.c - helpers on {pointer, length} views. */
#include "common/strview.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct sv
sv_trim(struct sv v)
{
	while (v.n && is_space(v.p[0])) {
		v.p++;
		v.n--;
	}
	while (v.n && is_space(v.p[v.n - 1]))
		v.n--;
	return v;
}

long
sv_find(struct sv v, const char *lit)
{
	size_t n = strlen(lit);
	size_t i;

	if (n == 0)
		return 0;
	if (n > v.n)
		return -1;
	/* memchr finds the candidates: it is vectorised, a byte loop is not. */
	for (i = 0; i + n <= v.n;) {
		const char *c = memchr(v.p + i, lit[0], v.n - n + 1 - i);

		if (!c)
			return -1;
		i = (size_t)(c - v.p);
		if (memcmp(c, lit, n) == 0)
			return (long)i;
		i++;
	}
	return -1;
}

bool
sv_skip_past(struct sv *v, const char *lit)
{
	long at = sv_find(*v, lit);
	size_t skip;

	if (at < 0)
		return false;
	skip = (size_t)at + strlen(lit);
	v->p += skip;
	v->n -= skip;
	return true;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* n bytes at p equal lit's first n, case ignored. */
static bool
eq_n(const char *p, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lower(p[i]) != lower(lit[i]))
			return false;
	}
	return true;
}

bool
sv_ieq(struct sv v, const char *lit)
{
	return v.n == strlen(lit) && eq_n(v.p, lit, v.n);
}

bool
sv_istarts(struct sv v, const char *lit)
{
	size_t n = strlen(lit);

	return v.n >= n && eq_n(v.p, lit, n);
}

bool
sv_iends(struct sv v, const char *lit)
{
	size_t n = strlen(lit);

	return v.n >= n && eq_n(v.p + v.n - n, lit, n);
}

long
sv_ifind(struct sv v, const char *lit)
{
	size_t n = strlen(lit);

	for (size_t i = 0; i + n <= v.n; i++) {
		if (eq_n(v.p + i, lit, n))
			return (long)i;
	}
	return -1;
}

const char *
path_base(const char *path)
{
	const char *b = path;

	for (const char *p = path; p && *p; p++) {
		if ((*p == '/' || *p == '\\') && p[1])
			b = p + 1;
	}
	return b;
}

bool
first_line_has(const char *msg, const char *needle)
{
	const char *p = msg ? strstr(msg, needle) : NULL, *nl;

	if (!p)
		return false;
	nl = strchr(msg, '\n');
	return !nl || p < nl;
}
