/* SPDX-License-Identifier: MIT */
/* fmt_aboutversion.c - a short note the user wrote with the version the
 * Help > About box of the Synchronization Service Manager (or the wizard)
 * shows, e.g.
 *
 *   Version 2.2.8.0
 *   Version: 2.2.8.0
 *   Synchronization Service Manager - Help > About: Version 2.2.8.0
 *   Microsoft Azure AD Connect synchronization services 2.2.8.0
 *
 * A version line ends with a four-part version (a "(...)" remark and a full
 * stop after it are allowed) and starts with "Version" (or "Product
 * version", "File version"), or with the product's name ("Microsoft ...",
 * "Azure AD Connect", "Entra Connect", "Synchronization Service ..."),
 * possibly after "Help > About" or "About". Each gives an event and the
 * fact gui.version. Sniffed conservatively (40, below every other format):
 * the whole file under 4 KiB, at most 20 non-blank lines, no log lines, and
 * a version line; a note that only mentions a version in a sentence ("Ran
 * the Entra Connect 2.2.8.0 installer") is not a version line. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/linereader.h"
#include "parser/parser.h"
#include "parser/textutil.h"

#define MAX_BYTES 4096		/* largest file sniffed */
#define MAX_LINES 20		/* most non-blank lines */
#define PROVIDER "Help > About"

static struct sv
rtrim_chars(struct sv v, const char *set)
{
	while (v.n && strchr(set, v.p[v.n - 1]))
		v.n--;
	return v;
}

static struct sv
ltrim_chars(struct sv v, const char *set)
{
	while (v.n && strchr(set, v.p[0])) {
		v.p++;
		v.n--;
	}
	return v;
}

/* Four numbers of 1..5 digits separated by dots. */
static bool
four_part(struct sv v)
{
	int parts = 0;
	size_t i = 0;

	while (i < v.n) {
		size_t d = 0;

		while (i < v.n && isdigit((unsigned char)v.p[i])) {
			i++;
			d++;
		}
		if (d == 0 || d > 5)
			return false;
		parts++;
		if (i < v.n && v.p[i] != '.')
			return false;
		if (i < v.n)
			i++;
		if (i == v.n && v.p[v.n - 1] == '.')
			return false;
	}
	return parts == 4;
}

static bool
product_start(struct sv p)
{
	static const char *const starts[] = { "Microsoft ", "Azure AD", "Azure Active Directory",
					      "Entra Connect", "AAD Connect", "AADConnect",
					      "Synchronization Service", "Sync Service", "miisclient",
					      NULL };
	static const char *const names[] = { "azure ad connect", "azure active directory connect",
					     "entra connect", "synchronization service", "sync service",
					     "azure ad sync", "aad connect", "aadconnect", "miisclient",
					     NULL };
	bool start = false;

	for (size_t i = 0; starts[i]; i++)
		if (sv_istarts(p, starts[i]))
			start = true;
	if (!start)
		return false;
	for (size_t i = 0; names[i]; i++)
		if (sv_ifind(p, names[i]) >= 0)
			return true;
	return false;
}

/* Is line a version line? Sets *version. */
static bool
about_line(struct sv line, struct sv *version)
{
	struct sv t = sv_trim(line), p;
	size_t e, s;
	bool word = false;

	if (t.n > 200)
		return false;
	/* a trailing "(...)" remark and full stop */
	t = rtrim_chars(t, " \t.");
	if (t.n && t.p[t.n - 1] == ')') {
		const char *open = NULL;

		for (size_t i = t.n; i > 0; i--)
			if (t.p[i - 1] == '(') {
				open = t.p + i - 1;
				break;
			}
		if (!open)
			return false;
		t = rtrim_chars(sv_make(t.p, (size_t)(open - t.p)), " \t.");
	}
	e = t.n;
	s = e;
	while (s > 0 && (isdigit((unsigned char)t.p[s - 1]) || t.p[s - 1] == '.'))
		s--;
	if (!four_part(sv_make(t.p + s, e - s)))
		return false;
	*version = sv_make(t.p + s, e - s);
	if (s > 0 && (t.p[s - 1] == 'v' || t.p[s - 1] == 'V'))
		s--;
	if (s > 0 && isalnum((unsigned char)t.p[s - 1]))
		return false;
	p = rtrim_chars(sv_make(t.p, s), " \t:=,-");
	/* "Help > About", "About" before the rest */
	if (sv_istarts(p, "Help"))
		p = ltrim_chars(sv_make(p.p + 4, p.n - 4), " \t>-:|");
	if (sv_istarts(p, "About"))
		p = ltrim_chars(sv_make(p.p + 5, p.n - 5), " \t>-:|");
	if (sv_iends(p, "version")) {
		word = true;
		p = rtrim_chars(sv_make(p.p, p.n - 7), " \t:=,-");
	}
	if (!p.n)
		return word;
	if (word && (sv_ieq(p, "Product") || sv_ieq(p, "File") || sv_ieq(p, "Assembly")))
		return true;
	/* the product's name, then the version */
	for (size_t i = 0; i + 2 < p.n; i++)
		if (isdigit((unsigned char)p.p[i]) && p.p[i + 1] == '.' &&
		    isdigit((unsigned char)p.p[i + 2]))
			return false;
	return p.n <= 120 && product_start(p);
}

static int
aboutversion_parse(const struct ec_input *inp)
{
	const struct ec_sink *sink = inp->sink;
	struct linereader lr;
	struct sv line, version;
	uint64_t problems = 0, found = 0;
	bool has_nul;
	int r, rc = 0;

	lr_init(&lr, inp->in, inp->enc.enc, inp->enc.bom, text_max_line(inp->opt));
	while ((r = lr_next(&lr, &line)) > 0) {
		has_nul = line.n && memchr(line.p, 0, line.n);
		if ((lr.nul_bytes || lr.cut_bytes || lr.bad_units || has_nul) &&
		    (rc = text_line_problems(&lr, sink, has_nul, &problems)) != 0)
			break;
		if (text_blank(line) || !about_line(line, &version))
			continue;
		found++;
		if (sink->event) {
			struct ec_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.line = lr.lineno;
			ev.offset = lr.offset;
			ev.tod_ms = -1;
			ev.timeq = TQ_NONE;
			ev.level = LVL_INFO;
			ev.provider = sv_cstr(PROVIDER);
			ev.event_id = -1;
			ev.message = sv_trim(line);
			if ((rc = sink->event(sink->ctx, &ev)) != 0)
				break;
		}
		if ((rc = ec_fact_report(sink, "gui.version", SV_NULL, version, true)) != 0)
			break;
	}
	if (!rc && found == 0)
		rc = ec_problemf(sink, 0, UINT64_MAX, 0, 0,
				 "no version line (\"Version X.Y.Z.W\") found in %" PRIu64 " lines",
				 lr.lineno);
	if (!rc)
		rc = text_finish(&lr, sink, problems, r);
	lr_release(&lr);
	return rc;
}

static int
aboutversion_sniff(const struct ec_sniff *s)
{
	const char *p = s->text, *end;
	int lines = 0;
	bool found = false;

	if (!p || s->raw_len > MAX_BYTES)
		return 0;
	end = p + s->text_len;
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *e = p;
		struct sv l, t, v;

		while (e < end && *e != '\n' && *e != '\r')
			e++;
		l = sv_make(p, (size_t)(e - p));
		p = e + 1;
		t = sv_trim(l);
		if (!t.n)
			continue;
		if (++lines > MAX_LINES)
			return 0;
		/* log lines, JSON, XML: another format's */
		if ((t.p[0] == '[' && t.n > 1 && isdigit((unsigned char)t.p[1])) ||
		    sv_starts(t, "MSI (") || sv_starts(t, "===") || t.p[0] == '{' || t.p[0] == '<')
			return 0;
		if (about_line(l, &v))
			found = true;
	}
	return found ? 40 : 0;
}

const struct ec_format fmt_aboutversion = {
	.name = "aboutversion",
	.title = "Help > About version note (Synchronization Service Manager, wizard)",
	.identifies = "a text under 4 KiB, at most 20 lines, with a line like 'Version 2.2.8.0' "
		      "or 'Microsoft Azure AD Connect synchronization services 2.2.8.0'",
	.binary = false,
	.sniff = aboutversion_sniff,
	.parse = aboutversion_parse,
};
