/* SPDX-License-Identifier: MIT */
/* rutil.h - small helpers every report renderer shares, so the formats
 * say the same thing: what counts as unknown, which inputs could not be
 * read. */
#ifndef REPORTS_RUTIL_H
#define REPORTS_RUTIL_H

#include <stdbool.h>
#include <string.h>

#include "analyzer/analyzer.h"

static inline bool
has(const char *s)
{
	return s && *s;
}

static inline const char *
or_unknown(const char *s)
{
	return has(s) ? s : "unknown";
}

/* An input the reports list under "could not be read": it failed, was
 * skipped (no parser reads it) or was read with problems. */
static inline bool
report_unread(const struct an_source *s)
{
	return s->status && (strcmp(s->status, "failed") == 0 || strcmp(s->status, "skipped") == 0 ||
			     (strcmp(s->status, "parsed") == 0 && s->problems > 0));
}

#endif
