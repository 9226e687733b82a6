/* SPDX-License-Identifier: MIT */
/* msiline.c - Windows Installer verbose log lines. Every form is found by a
 * literal prefix first (one switch on the first byte), then read by hand. */
#include <string.h>

#include "parser/msiline.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static struct sv
from(struct sv v, size_t at)
{
	return at >= v.n ? sv_make(v.p + v.n, 0) : sv_make(v.p + at, v.n - at);
}

static struct sv
upto(struct sv v, size_t n)
{
	return sv_make(v.p, n < v.n ? n : v.n);
}

/* Strip one trailing '.' (and the white space around it). */
static struct sv
strip_dot(struct sv v)
{
	v = sv_trim(v);
	if (v.n && v.p[v.n - 1] == '.')
		v.n--;
	return sv_trim(v);
}

/* Read up to 10 digits at v.p[*i]; -1 if there are none. */
static int64_t
number_at(struct sv v, size_t *i)
{
	int64_t n = 0;
	size_t k = 0;

	while (*i < v.n && is_digit(v.p[*i]) && k < 10) {
		n = n * 10 + (v.p[*i] - '0');
		(*i)++;
		k++;
	}
	return k ? n : -1;
}

/* A number, optionally negative, right at the start of v. */
static int64_t
leading_number(struct sv v)
{
	size_t i = 0;
	int64_t n;

	if (v.n && v.p[0] == '-') {
		i = 1;
		n = number_at(v, &i);
		return n < 0 ? -1 : -n;
	}
	return number_at(v, &i);
}

/* "HH:MM:SS" or "H:MM:SS" at the start of v; the ms of the day and the
 * length read, or -1. */
static int32_t
hms_at(struct sv v, size_t *len)
{
	size_t i = 0;
	int h = 0, m, s;

	while (i < v.n && i < 2 && is_digit(v.p[i]))
		h = h * 10 + (v.p[i++] - '0');
	if (i == 0 || i + 6 > v.n || v.p[i] != ':' || v.p[i + 3] != ':')
		return -1;
	if (!is_digit(v.p[i + 1]) || !is_digit(v.p[i + 2]) || !is_digit(v.p[i + 4]) ||
	    !is_digit(v.p[i + 5]))
		return -1;
	m = (v.p[i + 1] - '0') * 10 + (v.p[i + 2] - '0');
	s = (v.p[i + 4] - '0') * 10 + (v.p[i + 5] - '0');
	if (h > 23 || m > 59 || s > 59)
		return -1;
	*len = i + 6;
	return ((h * 60 + m) * 60 + s) * 1000;
}

/* "MSI (s) (C0:0C) [15:52:17:386]: " */
static bool
engine_prefix_parse(struct sv l, struct msi_line *o);

/* The prefix, all or nothing. */
static bool
engine_prefix(struct sv l, struct msi_line *o)
{
	struct msi_line t = *o;

	if (!engine_prefix_parse(l, &t))
		return false;
	*o = t;
	return true;
}

static bool
engine_prefix_parse(struct sv l, struct msi_line *o)
{
	size_t i = 8, t0;
	int32_t tod;
	size_t len;

	if (l.n < 8 || memcmp(l.p, "MSI (", 5) != 0 || l.p[6] != ')' || l.p[7] != ' ')
		return false;
	if (l.p[5] != 's' && l.p[5] != 'c' && l.p[5] != 'N')
		return false;
	if (i >= l.n || l.p[i] != '(')
		return false;
	t0 = ++i;
	while (i < l.n && is_hex(l.p[i]) && i - t0 < 8)
		i++;
	if (i == t0 || i >= l.n || (l.p[i] != ':' && l.p[i] != '!'))
		return false;
	o->ca_thread = l.p[i] == '!';
	i++;
	len = i;
	while (i < l.n && is_hex(l.p[i]) && i - len < 8)
		i++;
	if (i == len || i + 2 >= l.n || l.p[i] != ')' || l.p[i + 1] != ' ' || l.p[i + 2] != '[')
		return false;
	o->thread = sv_make(l.p + t0, i - t0);
	i += 3;
	tod = hms_at(from(l, i), &len);
	if (tod < 0)
		return false;
	i += len;
	/* Milliseconds after a colon (a dot in some copies). */
	if (i + 4 >= l.n || (l.p[i] != ':' && l.p[i] != '.') || !is_digit(l.p[i + 1]) ||
	    !is_digit(l.p[i + 2]) || !is_digit(l.p[i + 3]) || l.p[i + 4] != ']')
		return false;
	tod += (l.p[i + 1] - '0') * 100 + (l.p[i + 2] - '0') * 10 + (l.p[i + 3] - '0');
	i += 5;
	if (i < l.n && l.p[i] == ':')
		i++;
	if (i < l.n && l.p[i] == ' ')
		i++;
	o->engine = true;
	o->ctx = l.p[5];
	o->tod_ms = tod;
	o->text = from(l, i);
	return true;
}

/* "Action start HH:MM:SS: NAME." and its friends; v starts after "Action". */
static void
action_line(struct sv v, struct msi_line *o)
{
	size_t len = 0;
	long at;
	int32_t tod;
	struct sv rest;
	enum msi_kind kind = MSI_ACTION_INFO;

	if (sv_starts(v, " start")) {
		kind = MSI_ACTION_START;
		v = from(v, 6);
	} else if (sv_starts(v, " ended")) {
		kind = MSI_ACTION_END;
		v = from(v, 6);
	}
	if (v.n && v.p[0] == ' ')
		v = from(v, 1);
	tod = hms_at(v, &len);
	if (tod < 0) {
		/* Copies in Microsoft's articles put a word where the time was
		 * ("Action endedTime: INSTALL."): accept a short word. */
		at = sv_find(upto(v, 24), ": ");
		if (at < 0 || kind == MSI_ACTION_INFO)
			return;
		len = (size_t)at;
		for (size_t k = 0; k < len; k++) {
			if (v.p[k] == ' ')
				return;
		}
	}
	rest = from(v, len);
	if (!sv_starts(rest, ": "))
		return;
	rest = from(rest, 2);
	o->kind = kind;
	if (tod >= 0)
		o->tod_ms = tod;
	if (kind == MSI_ACTION_END && (at = sv_find(rest, ". Return value ")) >= 0) {
		o->name = sv_trim(upto(rest, (size_t)at));
		o->number = leading_number(from(rest, (size_t)at + 15));
		return;
	}
	if (kind == MSI_ACTION_INFO) {
		at = sv_find(rest, ". ");
		o->name = at >= 0 ? upto(rest, (size_t)at) : strip_dot(rest);
		o->value = at >= 0 ? sv_trim(from(rest, (size_t)at + 2)) : SV_NULL;
		return;
	}
	o->name = strip_dot(rest);
}

/* "Error NNNNN.MESSAGE", "Info NNNN.MESSAGE", "Warning NNNN.MESSAGE" after
 * the word; v starts at the number. */
static bool
numbered(struct sv v, struct msi_line *o, enum msi_kind kind)
{
	size_t i = 0;
	int64_t n = number_at(v, &i);

	if (n < 0 || i >= v.n || v.p[i] != '.')
		return false;
	o->kind = kind;
	o->number = n;
	o->value = sv_trim(from(v, i + 1));
	return true;
}

/* "Product: NAME -- Error NNNNN.MESSAGE" or "Product: NAME -- RESULT". */
static void
product_line(struct sv v, struct msi_line *o)
{
	long at = sv_find(v, " -- ");
	struct sv rest;

	if (at <= 0)
		return;
	o->name = sv_trim(upto(v, (size_t)at));
	rest = from(v, (size_t)at + 4);
	if (sv_starts(rest, "Error ") && numbered(from(rest, 6), o, MSI_PRODUCT_ERROR))
		return;
	o->kind = MSI_PRODUCT_RESULT;
	o->value = sv_trim(rest);
}

/* Windows Installer installed the product. Product Name: N. Product Version: V.
 * Product Language: L. Manufacturer: M. Installation success or error status: S. */
static void
summary_line(struct sv v, struct msi_line *o)
{
	struct sv rest = v;
	long at, end;
	size_t i;

	at = sv_find(rest, " the product.");
	end = sv_find(rest, ". Product Name: ");
	if (at >= 0 && (end < 0 || at < end))
		o->verb = upto(rest, (size_t)at);
	else if (end >= 0)
		o->verb = upto(rest, (size_t)end);
	if (!sv_skip_past(&rest, "Product Name: "))
		return;
	o->kind = MSI_SUMMARY;
	at = sv_find(rest, ". Product Version: ");
	if (at >= 0) {
		o->name = upto(rest, (size_t)at);
		rest = from(rest, (size_t)at + 19);
		end = sv_find(rest, ". ");
		o->version = end >= 0 ? upto(rest, (size_t)end) : strip_dot(rest);
	} else {
		end = sv_find(rest, ". ");
		o->name = end >= 0 ? upto(rest, (size_t)end) : strip_dot(rest);
	}
	if (sv_skip_past(&rest, "success or error status: ")) {
		i = 0;
		o->number = number_at(rest, &i);
	}
}

/* PROPERTY CHANGE: Adding NAME property. Its value is 'V'.
 * PROPERTY CHANGE: Modifying NAME property. Its current value is 'A'. Its new value: 'B'.
 * PROPERTY CHANGE: Deleting NAME property. Its current value is 'A'. */
static void
property_change(struct sv v, struct msi_line *o)
{
	long at = sv_find(v, " ");
	struct sv rest;
	size_t q;

	if (at <= 0)
		return;
	o->verb = upto(v, (size_t)at);
	rest = from(v, (size_t)at + 1);
	at = sv_find(rest, " property.");
	if (at <= 0)
		return;
	o->kind = MSI_PROPERTY_CHANGE;
	o->name = upto(rest, (size_t)at);
	rest = from(rest, (size_t)at + 10);
	if (!sv_skip_past(&rest, "Its new value: '") && !sv_skip_past(&rest, "value is '"))
		return;
	/* Up to the last quote of the line (values may hold quotes). */
	q = rest.n;
	while (q > 0 && rest.p[q - 1] != '\'')
		q--;
	o->value = q ? upto(rest, q - 1) : rest;
}

/* Property(S): NAME = VALUE */
static void
property_line(struct sv v, struct msi_line *o)
{
	long at;
	char scope;

	if (v.n < 12 || v.p[10] != ')' || v.p[11] != ':' ||
	    (v.p[9] != 'S' && v.p[9] != 'C' && v.p[9] != 'N'))
		return;
	scope = v.p[9];
	v = from(v, 12);
	if (v.n && v.p[0] == ' ')
		v = from(v, 1);
	at = sv_find(v, " = ");
	if (at <= 0) {
		/* "NAME =" with an empty value at the end of the line. */
		if (v.n >= 2 && v.p[v.n - 1] == '=' && v.p[v.n - 2] == ' ') {
			o->name = upto(v, v.n - 2);
			o->value = SV_NULL;
		} else {
			return;
		}
	} else {
		o->name = upto(v, (size_t)at);
		o->value = from(v, (size_t)at + 3);
	}
	o->kind = MSI_PROPERTY;
	o->scope = scope;
}

/* "=== Verbose logging started: 5/25/2017  15:52:17  Build type: ...  Calling process: P ===" */
static void
header_line(struct sv v, struct msi_line *o)
{
	struct sv rest = v;
	enum msi_kind kind;
	size_t i = 0, t;
	long at;

	if (sv_skip_past(&rest, "ogging started: "))
		kind = MSI_LOG_START;
	else if (sv_skip_past(&rest, "ogging stopped: "))
		kind = MSI_LOG_STOP;
	else
		return;
	/* Only "=== Verbose logging" or "=== Logging" before it. */
	if (rest.p - v.p > 30)
		return;
	while (i < rest.n && rest.p[i] != ' ')
		i++;
	o->date = upto(rest, i);
	while (i < rest.n && rest.p[i] == ' ')
		i++;
	t = i;
	while (i < rest.n && rest.p[i] != ' ')
		i++;
	/* "3:52:17 PM" */
	if (i + 3 <= rest.n && (sv_starts(from(rest, i), " AM") || sv_starts(from(rest, i), " PM")))
		i += 3;
	o->time = sv_make(rest.p + t, i - t);
	if (!o->date.n || !o->time.n || !is_digit(o->date.p[0]) || !is_digit(o->time.p[0]))
		return;
	o->kind = kind;
	o->verbose = sv_starts(v, "=== Verbose logging ");
	at = sv_find(rest, "Calling process: ");
	if (at >= 0) {
		struct sv p = from(rest, (size_t)at + 17);
		long end = sv_find(p, " ===");

		o->value = sv_trim(end >= 0 ? upto(p, (size_t)end) : p);
	}
}

static void
classify(struct sv t, struct msi_line *o)
{
	size_t i;

	if (t.n < 4)
		return;
	switch (t.p[0]) {
	case '=':
		if (sv_starts(t, "=== "))
			header_line(t, o);
		break;
	case '*':
		if (sv_starts(t, "******* Product: ")) {
			o->kind = MSI_PACKAGE;
			o->value = sv_trim(from(t, 17));
		}
		break;
	case 'A':
		if (sv_starts(t, "Action"))
			action_line(from(t, 6), o);
		break;
	case 'C':
		if (sv_starts(t, "CustomAction ")) {
			struct sv rest = from(t, 13);
			long at = sv_find(rest, " returned actual error code ");

			if (at > 0) {
				o->kind = MSI_CA_ERROR;
				o->name = upto(rest, (size_t)at);
				i = (size_t)at + 28;
				o->number = number_at(rest, &i);
			}
		} else if (sv_starts(t, "Command Line: ")) {
			o->kind = MSI_COMMAND_LINE;
			o->value = sv_trim(from(t, 14));
		}
		break;
	case 'D':
		if (sv_starts(t, "Doing action: ")) {
			o->kind = MSI_DOING_ACTION;
			o->name = sv_trim(from(t, 14));
		}
		break;
	case 'E':
		if (sv_starts(t, "Error "))
			numbered(from(t, 6), o, MSI_ERROR);
		break;
	case 'I':
		if (sv_starts(t, "Info "))
			numbered(from(t, 5), o, MSI_INFO);
		break;
	case 'M':
		if (sv_starts(t, "MainEngineThread is returning ")) {
			o->kind = MSI_ENGINE_RETURN;
			o->number = leading_number(from(t, 30));
		}
		break;
	case 'N':
		if (sv_starts(t, "Note: 1: ")) {
			i = 9;
			o->number = number_at(t, &i);
			if (o->number >= 0)
				o->kind = MSI_NOTE;
		}
		break;
	case 'P':
		if (sv_starts(t, "Product: "))
			product_line(from(t, 9), o);
		else if (sv_starts(t, "Property("))
			property_line(t, o);
		else if (sv_starts(t, "PROPERTY CHANGE: "))
			property_change(from(t, 17), o);
		break;
	case 'W':
		if (sv_starts(t, "Windows Installer "))
			summary_line(from(t, 18), o);
		else if (sv_starts(t, "Warning "))
			numbered(from(t, 8), o, MSI_WARNING);
		break;
	}
}

void
msi_line_parse(struct sv line, struct msi_line *o)
{
	memset(o, 0, sizeof(*o));
	o->tod_ms = -1;
	o->number = -1;
	o->text = line;
	engine_prefix(line, o);
	classify(o->text, o);
}

bool
msi_line_starts(struct sv l)
{
	struct msi_line o;

	if (l.n < 4)
		return false;
	switch (l.p[0]) {
	case 'M':
		if (sv_starts(l, "MSI ("))
			break;
		return sv_starts(l, "MainEngineThread is returning ");
	case '=': case '*': case 'A': case 'C': case 'E': case 'I': case 'P': case 'W':
		break;
	case 'D':
		return sv_starts(l, "DEBUG: ") || sv_starts(l, "Doing action: ");
	case 'N':
		return sv_starts(l, "Note: 1: ");
	case 'S':
		return sv_starts(l, "SFXCA: ");
	default:
		return false;
	}
	msi_line_parse(l, &o);
	return o.engine || o.kind != MSI_OTHER;
}

bool
msi_is_sync_engine(struct sv product)
{
	return sv_ifind(product, "synchronization service") >= 0 ||
	       sv_ifind(product, "azure ad sync engine") >= 0;
}

/* Up to 4 digits at *i. */
static int
field(struct sv v, size_t *i, int *digits)
{
	int n = 0;

	*digits = 0;
	while (*i < v.n && is_digit(v.p[*i]) && *digits < 4) {
		n = n * 10 + (v.p[*i] - '0');
		(*i)++;
		(*digits)++;
	}
	return n;
}

static bool
set_date(struct civil *c, int y, int m, int d)
{
	c->year = y < 100 ? 2000 + y : y;
	c->month = m;
	c->day = d;
	return civil_valid(c);
}

enum msi_date_order
msi_header_date(struct sv date, struct sv time, const struct civil *hint, struct civil *c)
{
	size_t i = 0, len = 0;
	int a, b, y, da, db, dy;
	char sep;
	int32_t tod;
	enum msi_date_order order;

	memset(c, 0, sizeof(*c));
	a = field(date, &i, &da);
	if (!da || i >= date.n)
		return MSI_DATE_BAD;
	sep = date.p[i++];
	if (sep != '/' && sep != '.' && sep != '-')
		return MSI_DATE_BAD;
	b = field(date, &i, &db);
	if (!db || i >= date.n || date.p[i++] != sep)
		return MSI_DATE_BAD;
	y = field(date, &i, &dy);
	if (!dy || i != date.n)
		return MSI_DATE_BAD;
	tod = hms_at(time, &len);
	if (tod < 0)
		return MSI_DATE_BAD;
	if (len < time.n) {
		struct sv ampm = sv_trim(from(time, len));
		int h = tod / 3600000;

		if (sv_eq(ampm, "PM") && h < 12)
			tod += 12 * 3600000;
		else if (sv_eq(ampm, "AM") && h == 12)
			tod -= 12 * 3600000;
		else if (!sv_eq(ampm, "AM") && !sv_eq(ampm, "PM"))
			return MSI_DATE_BAD;
	}
	c->hour = tod / 3600000;
	c->min = tod / 60000 % 60;
	c->sec = tod / 1000 % 60;
	if (da == 4) {
		/* 2017-05-25: the year first, then month and day. */
		return set_date(c, a, b, y) ? MSI_DATE_YMD : MSI_DATE_BAD;
	}
	if (sep == '.')
		order = MSI_DATE_DMY;
	else if (a > 12)
		order = MSI_DATE_DMY;
	else if (b > 12)
		order = MSI_DATE_MDY;
	else if (a == b)
		order = MSI_DATE_MDY;
	else if (hint && hint->month == b && hint->day == a)
		order = MSI_DATE_DMY_HINT;
	else if (hint && hint->month == a && hint->day == b)
		order = MSI_DATE_MDY_HINT;
	else
		order = MSI_DATE_MDY_ASSUMED;
	if (order == MSI_DATE_DMY || order == MSI_DATE_DMY_HINT)
		return set_date(c, y, b, a) ? order : MSI_DATE_BAD;
	return set_date(c, y, a, b) ? order : MSI_DATE_BAD;
}
