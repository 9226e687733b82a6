/* SPDX-License-Identifier: MIT */
/* test_parser_paste.c - the "paste" format (evidence pasted into a ticket,
 * a forum post or an e-mail) and the "text" fallback: sniffing below every
 * other format, de-quoting, trace lines without their prefix, parts handed
 * to the Event Viewer, run list and trace readers with the pasted file's
 * line numbers, quoted-printable e-mail, plain lines. Inputs are written
 * here or under tests/data/paste (constructed, see its README). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "common/xalloc.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

static const struct ec_format *
sniff_best(const char *text, int *paste, int *plain)
{
	struct ec_sniff s = { 0 };
	size_t n = strlen(text);

	s.raw = (const unsigned char *)text;
	s.raw_len = n < 65536 ? n : 65536;
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = s.raw_len;
	*paste = cap_format("paste")->sniff(&s);
	*plain = cap_format("text")->sniff(&s);
	return ec_format_sniff(&s);
}

static const struct cev *
find_event(const struct cap *c, const char *part)
{
	for (size_t i = 0; i < c->nev; i++) {
		if (strstr(c->ev[i].message, part))
			return &c->ev[i];
	}
	return NULL;
}

static char *
data_file(const char *name, size_t *n)
{
	char *path, *text;
	const char *src = getenv("ECDIAG_SRC");

	cr_assert_not_null(src, "ECDIAG_SRC is not set");
	path = xasprintf("%s/tests/data/paste/%s", src, name);
	text = slurp(path, n);
	cr_assert_not_null(text, "cannot read %s", path);
	free(path);
	return text;
}

Test(paste, sniff_below_every_format)
{
	static const struct {
		const char *text;
		const char *winner;
	} cases[] = {
		/* a real trace keeps its format */
		{ "[10:00:00.000] [  1] [INFO ] Application starting\n", "trace" },
		/* an Event Viewer copy keeps its format */
		{ "Log Name:      Application\nSource:        ADSync\nEvent ID:      6050\n", "evtext" },
		/* lines without prefix */
		{ "[ERROR] Caught an exception while creating the initial page set.\n", "paste" },
		{ "> Unable to install the Synchronization Service. Retrying this operation may help.\n",
		  "paste" },
		/* notes, trace lines, then an event: two kinds, paste over evtext's 55 */
		{ "hello\n\n[ERROR] it failed\n\nLog Name: Application\nSource: ADSync\nEvent ID: 6050\n"
		  "Description:\nx\n", "paste" },
		/* notes then an event alone: evtext's notes rule (55) keeps it */
		{ "hello\n\nLog Name: Application\nSource: ADSync\nEvent ID: 6050\nDescription:\nx\n",
		  "evtext" },
		/* prose */
		{ "Meeting notes\nLunch at noon.\n", "text" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int p, t;
		const struct ec_format *best = sniff_best(cases[i].text, &p, &t);

		cr_assert_not_null(best, "case %zu", i);
		cr_expect_str_eq(best->name, cases[i].winner, "case %zu", i);
		cr_expect_eq(t, 1, "case %zu: text always answers 1", i);
		cr_expect_lt(p, 70, "case %zu", i);
	}
}

/* Blank lines (the Q&A renderer) never split a record; continuation lines
 * join the line before; levels from a kept tag or a guess; the line number
 * of the pasted file. */
Test(paste, trace_lines_without_prefix)
{
	struct cap c = { 0 };
	const struct cev *e;

	cr_assert_eq(cap_parse_str(&c, cap_format("paste"),
				   "Application Version: 2.2.8.0\n"
				   "\n"
				   "Detected .NET release 528049.\n"
				   "\n"
				   "Caught an exception while creating the initial page set on the root page.\n"
				   "\n"
				   "Exception Data (Raw): System.InvalidOperationException: Service ADSync was not found on computer '.'.\n"
				   "\n"
				   "   at System.ServiceProcess.ServiceController.GenerateNames()\n"
				   "\n"
				   "Exiting.\n"), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 4);
	cr_expect_eq(c.ev[0].line, 1);
	cr_expect_eq(c.ev[0].level, LVL_NONE);
	cr_expect_eq(c.ev[0].tq, TQ_NONE);
	e = &c.ev[2];
	cr_expect_eq(e->line, 5);
	cr_expect_eq(e->level, LVL_ERROR);
	cr_expect_str_eq(e->message,
			 "Caught an exception while creating the initial page set on the root page.\n"
			 "Exception Data (Raw): System.InvalidOperationException: Service ADSync was not found on computer '.'.\n"
			 "   at System.ServiceProcess.ServiceController.GenerateNames()");
	cr_expect_eq(c.ev[3].line, 11);
	cr_expect_not_null(find_fact(&c, "wizard.version", NULL));
	cr_expect_not_null(find_fact(&c, "dotnet.release", NULL));
	cap_free(&c);
}

Test(paste, kept_tags_and_times)
{
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("paste"),
				   "> [10:15:02.123] [WARN ] TLS 1.2 is not configured\n"
				   "> [ERROR] first\n"
				   "> untagged goes with it\n"
				   "> [INFO ] third\n"), 0);
	cr_assert_eq(c.nev, 3);
	cr_expect_eq(c.ev[0].tq, TQ_TIME_OF_DAY);
	cr_expect_eq(c.ev[0].tod, ((10 * 60 + 15) * 60 + 2) * 1000 + 123);
	cr_expect_eq(c.ev[0].level, LVL_WARN);
	cr_expect_str_eq(c.ev[0].message, "TLS 1.2 is not configured");
	cr_expect_eq(c.ev[1].level, LVL_ERROR);
	cr_expect_str_eq(c.ev[1].message, "first\nuntagged goes with it");
	cr_expect_eq(c.ev[2].level, LVL_INFO);
	cr_expect_eq(c.ev[2].tq, TQ_NONE);
	cr_expect_not_null(find_fact(&c, "tls12.status", NULL));
	cap_free(&c);
}

/* Quote marks, bullets, quotes around the line, fences: none stays in the
 * record; a full-prefix trace inside a fence goes to the trace reader with
 * the lines of the pasted file. */
Test(paste, dequoting_and_fences)
{
	struct cap c = { 0 };
	const struct cev *e;

	cr_assert_eq(cap_parse_str(&c, cap_format("paste"),
				   "The log:\n"
				   "\n"
				   "```text\n"
				   "[10:00:00.000] [  1] [INFO ] Application starting\n"
				   "[10:00:01.000] [  1] [ERROR] Service ADSync was not found on computer '.'.\n"
				   "   at X.Y()\n"
				   "```\n"
				   ">> - \"quoted twice in a bullet\"\n"
				   "1. numbered\n"), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 5);
	cr_expect_str_eq(c.ev[0].message, "The log:");
	e = find_event(&c, "ADSync was not found");
	cr_assert_not_null(e);
	cr_expect_eq(e->line, 5);
	cr_expect_eq(e->level, LVL_ERROR);
	cr_expect_eq(e->tq, TQ_TIME_OF_DAY);
	cr_expect_str_eq(e->thread, "1");
	cr_expect_str_eq(e->message, "Service ADSync was not found on computer '.'.\n   at X.Y()");
	cr_expect_str_eq(c.ev[3].message, "quoted twice in a bullet");
	cr_expect_eq(c.ev[3].line, 8);
	cr_expect_str_eq(c.ev[4].message, "numbered");
	cap_free(&c);
}

/* The constructed mixed ticket: trace lines, an Event Viewer copy (read by
 * fmt_evtext), a quoted Format-List run (read by fmt_runlist; runs are
 * checked in tests/cli/paste.sh); lines of the pasted file. */
Test(paste, mixed_ticket)
{
	struct cap c = { 0 };
	size_t n;
	char *text = data_file("mixed.txt", &n);
	const struct cev *e;

	cr_assert_eq(cap_parse(&c, cap_format("paste"), text, n, 0, NULL, "mixed.txt"), 0);
	dump_problems(&c);
	e = find_event(&c, "WaitForMultipleObjects");
	cr_assert_not_null(e);
	cr_expect_str_eq(e->provider, "SQLLocalDB 15.0");
	cr_expect_eq(e->event_id, 528);
	cr_expect_eq(e->level, LVL_ERROR);
	cr_expect_eq(e->line, 17);
	cr_expect(e->has_win);
	cr_expect_str_eq(e->computer, "SYNC01.contoso.com");
	e = find_event(&c, "Service ADSync was not found");
	cr_assert_not_null(e);
	cr_expect_eq(e->line, 7);
	cr_expect_eq(e->level, LVL_ERROR);
	e = find_event(&c, "Thanks");
	cr_assert_not_null(e);
	cr_expect_eq(e->line, 46);
	cr_expect_eq(count_problems(&c, "before the first event header"), 0);
	cr_expect_not_null(find_fact(&c, "os.version", NULL));
	free(text);
	cap_free(&c);
}

/* Quoted-printable soft breaks joined, =XX decoded, headers skipped but the
 * subject, a base64 part reported. */
Test(paste, email_quoted_printable)
{
	struct cap c = { 0 };
	size_t n;
	char *text = data_file("mail.eml", &n);
	const struct cev *e;

	cr_assert_eq(cap_parse(&c, cap_format("paste"), text, n, 0, NULL, "mail.eml"), 0);
	dump_problems(&c);
	cr_assert_not_null(find_event(&c, "Entra Connect upgrade failed"));
	cr_expect_null(find_event(&c, "From:"));
	cr_expect_null(find_event(&c, "multi-part"));
	cr_expect_null(find_event(&c, "UEsDB"));
	e = find_event(&c, "GetGlobalConfigurationParameters");
	cr_assert_not_null(e);
	cr_expect_eq(e->line, 15);
	cr_expect_eq(e->level, LVL_ERROR);
	cr_expect(strstr(e->message, "\xE2\x80\x98x\xE2\x80\x99 and the term 'Get-ADSyncGlobalSettingsParameter' is not recognized as") != NULL,
		  "%s", e->message);
	cr_expect(strstr(e->message, "\n   at System.Management") != NULL, "%s", e->message);
	cr_expect_eq(count_problems(&c, "not read"), 1);
	free(text);
	cap_free(&c);
}

Test(paste, bad_input_is_problems_not_a_crash)
{
	static const char *const inputs[] = {
		"", "\n\n\n", "```\n", "> > > >\n", "=\n", "From: x\n", "From: x\nContent-Type: multipart/mixed; boundary=\n\n--\n",
		"From: a\nContent-Transfer-Encoding: base64\n\nAAAA\n", "RunHistoryId :\n\n\nRunHistoryId :\n",
		"Log Name:\n", "Name : Microsoft.Synchronize.X\n\nValue : 1\n", "[ERROR]\n[\n]\n[]\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct cap c = { 0 };

		cr_expect_geq(cap_parse(&c, cap_format("paste"), inputs[i], strlen(inputs[i]), 1, NULL, NULL), 0,
			      "input %zu", i);
		cap_free(&c);
	}
}

/* A Format-List block of parameter objects with Q&A blank lines between
 * every two lines: the blanks are dropped inside an object. */
Test(paste, settings_with_blank_lines)
{
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("paste"),
				   "Name : Microsoft.Synchronize.ServerConfigurationVersion\n\n"
				   "Value : 2.0.25.1\n\n"
				   "Name : Microsoft.Synchronize.StagingMode\n\n"
				   "Value : False\n"), 0);
	dump_problems(&c);
	cr_expect_eq(c.nev, 2);
	cr_assert_not_null(find_fact(&c, "settings.server_configuration_version", NULL));
	cr_expect_str_eq(find_fact(&c, "settings.server_configuration_version", NULL)->value, "2.0.25.1");
	cr_expect_eq(c.ev[1].line, 5);
	cap_free(&c);
}

Test(text, one_record_per_non_empty_line)
{
	struct cap c = { 0 };
	size_t n;
	char *text = data_file("prose.txt", &n);

	cr_assert_eq(cap_parse(&c, cap_format("text"), text, n, 3, NULL, "prose.txt"), 0);
	cr_assert_eq(c.nev, 4);
	cr_expect_eq(c.ev[0].line, 1);
	cr_expect_eq(c.ev[1].line, 3);
	cr_expect_str_eq(c.ev[2].message, "  The new desks arrive on Friday.");
	cr_expect_eq(c.ev[3].line, 6);
	cr_expect_eq(c.ev[3].offset, 92);
	for (size_t i = 0; i < c.nev; i++) {
		cr_expect_eq(c.ev[i].level, LVL_NONE);
		cr_expect_eq(c.ev[i].tq, TQ_NONE);
	}
	free(text);
	cap_free(&c);
}
