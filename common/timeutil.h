/* SPDX-License-Identifier: MIT */
/* timeutil.h - calendar arithmetic without the C library's time zone state:
 * civil dates to milliseconds since 1970-01-01 and back, ISO-8601 output,
 * and the hand-written readers for the timestamp layouts our inputs use. */
#ifndef COMMON_TIMEUTIL_H
#define COMMON_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strview.h"

#define MS_PER_DAY INT64_C(86400000)

struct civil {
	int year, month, day;		/* calendar date; month 1-12 */
	int hour, min, sec, msec;	/* time of day */
};

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int y, int m, int d);
/* Milliseconds since 1970-01-01 00:00 of a civil time read as UTC. */
int64_t civil_to_ms(const struct civil *c);
void ms_to_civil(int64_t ms, struct civil *c);
/* Write "YYYY-MM-DDTHH:MM:SS.mmmZ" (25 bytes with the NUL). */
void ms_to_iso(int64_t ms, char out[32]);
/* Read what ms_to_iso writes (the milliseconds may be missing); INT64_MIN
 * if s is not such a time. */
int64_t iso_to_ms(const char *s);
/* True if the date exists (Feb 29 only in leap years). */
bool civil_valid(const struct civil *c);
/* "Jan".."Dec" (any case) to 1..12, else 0. */
int month_from_abbr(struct sv s);
/* Read exactly n decimal digits at p; -1 if any is not a digit. */
int read_digits(const char *p, int n);

/* A "YYYYMMDD-HHMMSS" stamp anywhere in a file name (the wizard names its
 * logs trace-20260510-101502.log, Synchronization Service_Install-
 * 20260510-101733.log ...); the last one wins. True if found and valid. */
bool name_stamp(const char *name, struct civil *c);

/* Dates for times of day read in file order (logs that write only the time
 * of day): anchored at a known local day and time, a time of day more than
 * half a day before the previous one starts the next day; a record written
 * just before midnight after one from just past it keeps the day before. */
struct daytrack {
	int64_t anchor_day;	/* days since 1970 of the anchor */
	int32_t anchor_tod;	/* its time of day, ms */
	bool started;
	int64_t day;
	int32_t prev_tod;
};

void daytrack_anchor(struct daytrack *d, int64_t day, int32_t tod_ms);
/* Local day (days since 1970) of the next time of day in file order. */
int64_t daytrack_day(struct daytrack *d, int32_t tod_ms);

#endif
