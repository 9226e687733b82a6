/* SPDX-License-Identifier: MIT */
/* report.h - renders a struct analysis. Reports decide nothing: every
 * verdict, version and finding comes from the analyzer. They write to the
 * FILE the command line chose and return 0, or -1 if writing failed. */
#ifndef REPORTS_REPORT_H
#define REPORTS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyzer/analyzer.h"
#include "analyzer/configdiff.h"

struct report_opts {
	const char *db_path;	/* case database shown in the header, or NULL */
	bool show_sources;	/* list every source, not only those with problems */
	int width;		/* text: columns to fit (0: 80) */
	bool color;		/* text: SGR colour (the command line decides: a terminal, no NO_COLOR) */
};

int report_text(FILE *out, const struct analysis *a, const struct report_opts *o);
int report_json(FILE *out, const struct analysis *a, const struct report_opts *o);
/* Markdown for a ticket: the text report's content and order. */
int report_md(FILE *out, const struct analysis *a, const struct report_opts *o);
/* One self-contained HTML file: no script, no fetch of any kind. */
int report_html(FILE *out, const struct analysis *a, const struct report_opts *o);

/* 'ecdiag config-diff': the differences between two configuration exports
 * (analyzer/configdiff.h), as text or as JSON; the paths are shown as given. */
int report_configdiff_text(FILE *out, const struct cx_export *before, const struct cx_export *after,
			   const struct cd_result *r, const char *before_path, const char *after_path);
int report_configdiff_json(FILE *out, const struct cx_export *before, const struct cx_export *after,
			   const struct cd_result *r, const char *before_path, const char *after_path);

/* Write s to out with control characters and escape sequences shown as
 * \xHH (so log text cannot drive the terminal). */
void report_put_escaped(FILE *out, const char *s, size_t max);

#endif
