/* SPDX-License-Identifier: MIT */
/* timeutil.c - civil-from-days and days-from-civil (H. Hinnant's algorithms). */
#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"

int64_t
days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int64_t
civil_to_ms(const struct civil *c)
{
	return days_from_civil(c->year, c->month, c->day) * MS_PER_DAY +
	       ((int64_t)c->hour * 3600 + c->min * 60 + c->sec) * 1000 + c->msec;
}

void
ms_to_civil(int64_t ms, struct civil *c)
{
	int64_t days = ms / MS_PER_DAY;
	int64_t rem = ms % MS_PER_DAY;
	int64_t z, era, doe, yoe, doy, mp;

	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(yoe + era * 400 + (c->month <= 2));
	c->hour = (int)(rem / 3600000);
	c->min = (int)(rem / 60000 % 60);
	c->sec = (int)(rem / 1000 % 60);
	c->msec = (int)(rem % 1000);
}

/* Write v as n digits, zero-padded, at p. */
static char *
put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

void
ms_to_iso(int64_t ms, char out[32])
{
	struct civil c;
	char *p = out;

	/* By hand: this runs once per stored event. */
	ms_to_civil(ms, &c);
	if (c.year < 0 || c.year > 9999) {
		snprintf(out, 32, "%d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day, c.hour,
			 c.min, c.sec, c.msec);
		return;
	}
	p = put_digits(p, c.year, 4);
	*p++ = '-';
	p = put_digits(p, c.month, 2);
	*p++ = '-';
	p = put_digits(p, c.day, 2);
	*p++ = 'T';
	p = put_digits(p, c.hour, 2);
	*p++ = ':';
	p = put_digits(p, c.min, 2);
	*p++ = ':';
	p = put_digits(p, c.sec, 2);
	*p++ = '.';
	p = put_digits(p, c.msec, 3);
	*p++ = 'Z';
	*p = '\0';
}

bool
civil_valid(const struct civil *c)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (c->year % 4 == 0 && c->year % 100 != 0) || c->year % 400 == 0;

	if (c->year < 1601 || c->year > 9999 || c->month < 1 || c->month > 12)
		return false;
	if (c->day < 1 || c->day > mdays[c->month - 1] || (c->month == 2 && c->day == 29 && !leap))
		return false;
	return c->hour >= 0 && c->hour < 24 && c->min >= 0 && c->min < 60 && c->sec >= 0 &&
	       c->sec < 61 && c->msec >= 0 && c->msec < 1000;
}

int
month_from_abbr(struct sv s)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char a[3];

	if (s.n < 3)
		return 0;
	for (int i = 0; i < 3; i++)
		a[i] = (char)(s.p[i] | 0x20);
	for (int m = 0; m < 12; m++) {
		if (a[0] == names[m * 3] && a[1] == names[m * 3 + 1] && a[2] == names[m * 3 + 2])
			return m + 1;
	}
	return 0;
}

int
read_digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

bool
name_stamp(const char *name, struct civil *c)
{
	bool found = false;
	struct civil t;

	for (const char *p = name; p && *p; p++) {
		if (*p < '0' || *p > '9' || (p > name && p[-1] >= '0' && p[-1] <= '9'))
			continue;
		if (strlen(p) < 15 || p[8] != '-' || (p[15] >= '0' && p[15] <= '9'))
			continue;
		memset(&t, 0, sizeof(t));
		t.year = read_digits(p, 4);
		t.month = read_digits(p + 4, 2);
		t.day = read_digits(p + 6, 2);
		t.hour = read_digits(p + 9, 2);
		t.min = read_digits(p + 11, 2);
		t.sec = read_digits(p + 13, 2);
		if (t.year < 1990 || t.hour < 0 || t.hour > 23 || t.min < 0 || t.min > 59 ||
		    t.sec < 0 || t.sec > 59 || !civil_valid(&t))
			continue;
		*c = t;
		found = true;
	}
	return found;
}

#define HALF_DAY (MS_PER_DAY / 2)
#define STRAGGLE_MS 60000	/* a record this far before midnight, after one past it */

void
daytrack_anchor(struct daytrack *d, int64_t day, int32_t tod_ms)
{
	d->anchor_day = day;
	d->anchor_tod = tod_ms;
	d->started = false;
}

int64_t
daytrack_day(struct daytrack *d, int32_t tod)
{
	if (!d->started) {
		d->day = d->anchor_day;
		if (tod - d->anchor_tod > HALF_DAY)
			d->day--;
		else if (d->anchor_tod - tod > HALF_DAY)
			d->day++;
		d->prev_tod = tod;
		d->started = true;
		return d->day;
	}
	if (d->prev_tod - tod > HALF_DAY) {
		/* Midnight went by. */
		d->day++;
		d->prev_tod = tod;
		return d->day;
	}
	if (tod - d->prev_tod > MS_PER_DAY - STRAGGLE_MS)
		return d->day - 1;	/* written just before midnight, after a record from just past it */
	d->prev_tod = tod;
	return d->day;
}

int64_t
iso_to_ms(const char *s)
{
	struct civil c = { 0 };

	if (!s || strlen(s) < 19)
		return INT64_MIN;
	c.year = read_digits(s, 4);
	c.month = read_digits(s + 5, 2);
	c.day = read_digits(s + 8, 2);
	c.hour = read_digits(s + 11, 2);
	c.min = read_digits(s + 14, 2);
	c.sec = read_digits(s + 17, 2);
	if (s[19] == '.' && strlen(s) >= 23)
		c.msec = read_digits(s + 20, 3);
	if (c.hour < 0 || c.min < 0 || c.sec < 0 || c.msec < 0 || !civil_valid(&c))
		return INT64_MIN;
	return civil_to_ms(&c);
}
