/* SPDX-License-Identifier: MIT */
/* report_md.c - the diagnosis as Markdown, for a ticket. */
#include "reports/report.h"

int
report_md(FILE *out, const struct analysis *a, const struct report_opts *o)
{
	(void)a, (void)o;
	return fputs("", out) < 0 ? -1 : 0;
}
