/* SPDX-License-Identifier: MIT */
/* tout.h - text out for the terminal report: lines are built whole, then
 * written fitted to the width, long lines wrapped with a hanging indent.
 * Log text goes in through tout_esc(), which shows control characters and
 * escape sequences as \xHH, so the only escape sequences written are the
 * colours tout_sgr() adds, and only when colour is on. One line buffer,
 * reused: no allocation per line. */
#ifndef REPORTS_TOUT_H
#define REPORTS_TOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/buf.h"

struct tout {
	FILE *f;
	int width;		/* columns to fit */
	bool color;
	struct buf line;	/* the line being built */
	int hang;		/* column of continuation lines, -1: found from the line */
	bool err;
};

void tout_init(struct tout *t, FILE *f, int width, bool color);
/* Write the last line; returns 0, or -1 if writing failed. */
int tout_done(struct tout *t);

/* Our own text: '\n' ends the line. */
void tout_puts(struct tout *t, const char *s);
void tout_putc(struct tout *t, char c);
void tout_printf(struct tout *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tout_spaces(struct tout *t, int n);
/* Text from a log or the analysis: at most max bytes (then "..."), control
 * characters (C0, DEL, C1) shown as \xHH, line breaks included. */
void tout_esc(struct tout *t, const char *s, size_t max);
/* The same for the len bytes at s (which need no NUL). */
void tout_escn(struct tout *t, const char *s, size_t len, size_t max);
/* Append the len bytes at s to b as tout_esc() shows them (the Markdown
 * and HTML reports escape their own syntax on top). */
void report_clean(struct buf *b, const char *s, size_t len, size_t max);
/* Continuation lines of this line start at the current column. */
void tout_hang(struct tout *t);
/* Columns used so far on this line. */
int tout_col(const struct tout *t);
/* SGR colour ("1", "31", "1;31"); "0" or NULL resets. Nothing without colour. */
void tout_sgr(struct tout *t, const char *sgr);

#endif
