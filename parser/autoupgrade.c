/* SPDX-License-Identifier: MIT */
/* autoupgrade.c - auto-upgrade result codes, and the auto-upgrader's own log
 * (%ProgramData%\AADConnect\SyncEngine-AutoUpgrader-<date>-<time>.log).
 *
 * No public sample of that log's content exists (docs/FORMATS.md). A log in
 * the wizard's trace grammar is read by the trace parser, which reports the
 * result codes it finds. This format takes the rest: a text file whose name
 * starts "SyncEngine-AutoUpgrader" and that is not a trace. Each non-blank
 * line is an event; a leading "YYYY-MM-DD HH:MM:SS" or "M/D/YYYY H:MM:SS
 * [AM|PM]" is its time (local); result codes become facts. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/linereader.h"
#include "common/timeutil.h"
#include "parser/autoupgrade.h"
#include "parser/parser.h"
#include "parser/textutil.h"

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The word at p (letters, digits, '_', and '-' followed by a letter). */
static size_t
word_len(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (word_char(p[i]) || (p[i] == '-' && i + 1 < n && word_char(p[i + 1]))))
		i++;
	return i;
}

bool
upgrade_result_find(struct sv text, struct sv *code)
{
	static const char *const prefixes[] = {
		"upgradeaborted", "upgradenotsupported", "upgradefailed", "preupgradefailure",
		"aadhealthendpointnotdefined", "dirsyncinplaceupgradenonlocaldb",
	};

	for (size_t i = 0; i < text.n; i++) {
		const char *p = text.p + i;
		size_t n = text.n - i;
		char c = lower(p[0]);

		/* Only at the start of a word that can begin a code. */
		if ((c != 'u' && c != 'p' && c != 'a' && c != 'd') || (i > 0 && word_char(p[-1])))
			continue;
		if (sv_istarts(sv_make(p, n), "autoupgrade result = ")) {
			size_t w = word_len(p + 21, n - 21);

			if (w) {
				*code = sv_make(p + 21, w);
				return true;
			}
		}
		for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
			if (sv_istarts(sv_make(p, n), prefixes[k])) {
				*code = sv_make(p, word_len(p, n));
				return true;
			}
		}
	}
	return false;
}

/* ---- the auto-upgrader's log (when it is not in trace grammar) ---------- */

static bool
digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return true;
}

/* "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS" at the start of a line. */
static bool
iso_at(struct sv l, struct civil *c)
{
	if (l.n < 19 || l.p[4] != '-' || l.p[7] != '-' || (l.p[10] != ' ' && l.p[10] != 'T') ||
	    l.p[13] != ':' || l.p[16] != ':')
		return false;
	memset(c, 0, sizeof(*c));
	c->year = read_digits(l.p, 4);
	c->month = read_digits(l.p + 5, 2);
	c->day = read_digits(l.p + 8, 2);
	c->hour = read_digits(l.p + 11, 2);
	c->min = read_digits(l.p + 14, 2);
	c->sec = read_digits(l.p + 17, 2);
	return c->hour >= 0 && c->hour < 24 && c->min >= 0 && c->min < 60 && c->sec >= 0 &&
	       c->sec < 60 && civil_valid(c);
}

/* "M/D/YYYY H:MM:SS[ AM| PM]" at the start of a line (US order). */
static bool
us_at(struct sv l, struct civil *c)
{
	size_t i = 0;
	int f[3] = { 0, 0, 0 };

	memset(c, 0, sizeof(*c));
	for (int k = 0; k < 3; k++) {
		size_t s = i;

		while (i < l.n && i - s < 4 && l.p[i] >= '0' && l.p[i] <= '9')
			f[k] = f[k] * 10 + (l.p[i++] - '0');
		if (i == s || (k < 2 && (i >= l.n || l.p[i++] != '/')))
			return false;
	}
	if (i >= l.n || l.p[i++] != ' ')
		return false;
	c->month = f[0];
	c->day = f[1];
	c->year = f[2];
	{
		size_t s = i;
		int h = 0;

		while (i < l.n && i - s < 2 && l.p[i] >= '0' && l.p[i] <= '9')
			h = h * 10 + (l.p[i++] - '0');
		if (i == s || i + 6 > l.n || l.p[i] != ':' || l.p[i + 3] != ':' ||
		    !digits(l.p + i + 1, 2) || !digits(l.p + i + 4, 2))
			return false;
		c->min = read_digits(l.p + i + 1, 2);
		c->sec = read_digits(l.p + i + 4, 2);
		i += 6;
		if (i + 3 <= l.n && (memcmp(l.p + i, " PM", 3) == 0) && h < 12)
			h += 12;
		else if (i + 3 <= l.n && memcmp(l.p + i, " AM", 3) == 0 && h == 12)
			h = 0;
		c->hour = h;
	}
	return c->hour < 24 && c->min < 60 && c->sec < 60 && civil_valid(c);
}

static bool
name_is_upgrader(const char *name)
{
	return name && sv_istarts(sv_cstr(name), "syncengine-autoupgrader");
}

static int
au_parse(const struct ec_input *inp)
{
	const struct ec_sink *sink = inp->sink;
	const struct ec_options *o = inp->opt;
	struct linereader lr;
	struct civil c, stamp;
	struct sv line, code;
	char iso[32];
	int r = 0, rc = 0;
	uint64_t problems = 0;
	int offset = o && o->have_offset ? o->utc_offset_min : 0;
	enum ec_timeq tq = o && o->have_offset ? TQ_LOCAL_GIVEN : TQ_LOCAL_ASSUMED;

	if (name_stamp(inp->name, &stamp)) {
		snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d", stamp.year, stamp.month,
			 stamp.day, stamp.hour, stamp.min, stamp.sec);
		if ((rc = ec_fact_report(sink, "autoupgrade.log_started", SV_NULL, sv_cstr(iso), false)) != 0)
			return rc;
	}
	lr_init(&lr, inp->in, inp->enc.enc, inp->enc.bom, o && o->max_line ? o->max_line : EC_MAX_LINE);
	while (!rc && (r = lr_next(&lr, &line)) > 0) {
		struct ec_event ev;
		struct sv rest;
		bool has_nul = line.n && memchr(line.p, 0, line.n);

		if ((lr.nul_bytes || lr.cut_bytes || lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&lr, sink, has_nul, &problems)) != 0)
			break;
		if (has_nul)
			continue;	/* a line with NUL bytes is not text of this log */
		line = sv_trim(line);
		if (!line.n)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.line = lr.lineno;
		ev.offset = lr.offset;
		ev.tod_ms = -1;
		ev.event_id = -1;
		ev.message = line;
		ev.level = LVL_INFO;
		if (iso_at(line, &c) || us_at(line, &c)) {
			ev.time_ms = civil_to_ms(&c) - (int64_t)offset * 60000;
			ev.timeq = tq;
			ev.tod_ms = ((c.hour * 60 + c.min) * 60 + c.sec) * 1000;
		}
		if (upgrade_result_find(line, &code) && !sv_eq(code, "Success"))
			ev.level = LVL_ERROR;
		if (sink->event && (rc = sink->event(sink->ctx, &ev)) != 0)
			break;
		rest = line;
		while (!rc && upgrade_result_find(rest, &code)) {
			rc = ec_fact_report(sink, "autoupgrade.result", SV_NULL, code, true);
			rest = sv_make(code.p + code.n, (size_t)(line.p + line.n - (code.p + code.n)));
		}
	}
	if (!rc)
		rc = text_finish(&lr, sink, problems, r);
	lr_release(&lr);
	return rc;
}

/* Text named SyncEngine-AutoUpgrader-*: 30, below a trace's 60 or 90. */
static int
au_sniff(const struct ec_sniff *s)
{
	return s->text && name_is_upgrader(s->name) ? 30 : 0;
}

const struct ec_format fmt_autoupgrade = {
	.name = "autoupgrade",
	.title = "Entra Connect auto-upgrader log (not in trace grammar)",
	.identifies = "text named SyncEngine-AutoUpgrader-*.log that no other format claims",
	.binary = false,
	.sniff = au_sniff,
	.parse = au_parse,
};
