/* SPDX-License-Identifier: MIT */
/* rutil.h - small helpers every report renderer shares, so the formats
 * say the same thing: what counts as unknown, which inputs could not be
 * read, how times, durations and hidden characters are shown. */
#ifndef REPORTS_RUTIL_H
#define REPORTS_RUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* A UTC ISO time for reading: "2026-05-10 08:15:02", or "08:15:02" when
 * same_day (an ISO time) has the same date; with minutes "2026-05-10
 * 08:15" or "08:15". "?" when iso is NULL or too short. */
static inline const char *
report_time(char out[32], const char *iso, const char *same_day, bool minutes)
{
	int n = minutes ? 5 : 8;

	if (!iso || strlen(iso) < (minutes ? 16u : 19u))
		return "?";
	if (same_day && strncmp(iso, same_day, 10) == 0)
		snprintf(out, 32, "%.*s", n, iso + 11);
	else
		snprintf(out, 32, "%.10s %.*s", iso, n, iso + 11);
	return out;
}

/* "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
static inline const char *
report_duration(char out[32], long long sec)
{
	if (sec < 60)
		snprintf(out, 32, "%lld s", sec);
	else if (sec < 3600)
		snprintf(out, 32, "%lld min %lld s", sec / 60, sec % 60);
	else if (sec < 86400)
		snprintf(out, 32, "%lld h %lld min", sec / 3600, sec % 3600 / 60);
	else
		snprintf(out, 32, "%lld d %lld h", sec / 86400, sec % 86400 / 3600);
	return out;
}

/* A code point the reports show as an escape, never as itself: C0
 * controls, DEL, C1 controls, and the bidirectional embeddings, overrides
 * and isolates (they would reorder the text around them). */
static inline bool
report_hidden_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The verdict on the case as a whole, in words. */
static inline const char *
report_judgement_text(const char *j)
{
	if (!j || !strcmp(j, "findings"))
		return "problems found";
	if (!strcmp(j, "healthy"))
		return "healthy";
	return "not enough evidence to judge";
}

/* Evidence read from pasted text or notes rather than a log file: the
 * words the reports put next to it, NULL for a log. */
static inline const char *
report_pasted(const char *format)
{
	if (format && !strcmp(format, "paste"))
		return "pasted text";
	if (format && !strcmp(format, "text"))
		return "notes";
	return NULL;
}

/* A finding's basis when it is not the logs. */
static inline const char *
report_basis_text(const char *basis)
{
	if (basis && !strcmp(basis, "pasted"))
		return "rests on pasted text only (weaker than the log files; confidence lowered)";
	if (basis && !strcmp(basis, "notes"))
		return "rests only on notes written about the case, not on a log (weakest evidence; "
		       "confidence lowered)";
	return "the logs";
}

#endif
