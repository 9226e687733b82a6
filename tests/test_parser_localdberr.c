/* SPDX-License-Identifier: MIT */
/* test_parser_localdberr.c - the "localdb-errorlog" format (a SQL Server /
 * LocalDB instance's error.log): sniffing by content, the header record
 * with its indented lines, "Error:" lines joined with their message line,
 * sources and times, UTF-16LE as SQL Server writes it.
 *
 * The log below is constructed. Verbatim from Microsoft's article
 * resolve-model-database-corruption-sqllocaldb.md: the messages of the
 * spid lines (resource database, Starting up database, Error: 9003, the
 * log scan number line, SQL Trace was stopped) and their source column; the
 * article gives the time only as "<yyyy-MM-dd HH:mm:ss.##>", so the times
 * are reconstructed. The "Server" header lines are reconstructed after the
 * shape of SQL Server ERRORLOG headers (date, "Server", padded column,
 * tab-indented continuation lines). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "parser/parser.h"
#include "support/capture.h"

static const char LOG[] =
	"2022-07-21 10:11:12.30 Server      Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64) \n"
	"\tSep 24 2019 13:48:23 \n"
	"\tCopyright (C) 2019 Microsoft Corporation\n"
	"\n"
	"2022-07-21 10:11:12.31 Server      UTC adjustment: 0:00\n"
	"2022-07-21 10:11:12.34 spid14s     The resource database build version is 15.00.4138. This is an "
	"informational message only. No user action is required.\n"
	"2022-07-21 10:11:12.40 spid8s      Starting up database 'msdb'.\n"
	"2022-07-21 10:11:12.41 spid14s     Starting up database 'model'.\n"
	"2022-07-21 10:11:12.52 spid14s     Error: 9003, Severity: 20, State: 1.\n"
	"2022-07-21 10:11:12.52 spid14s     The log scan number (41:488:1) passed to log scan in database "
	"'model' is not valid. This error may indicate data corruption or that the log file (.ldf) does "
	"not match the data file (.mdf). If this error occurred during replication, re-create the "
	"publication. Otherwise, restore from backup if the problem results in a failure during startup.\n"
	"2022-07-21 10:11:12.60 spid14s     SQL Trace was stopped due to server shutdown. Trace ID = '1'. "
	"This is an informational message only; no user action is required.\n";

static int
sniff_text(const char *text, const char *name)
{
	struct ec_sniff s = { 0 };
	size_t n = strlen(text);

	s.raw = (const unsigned char *)text;
	s.raw_len = n;
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = n;
	s.name = name;
	return cap_format("localdb-errorlog")->sniff(&s);
}

static const char *
winner(const char *text, const char *name)
{
	struct ec_sniff s = { 0 };
	const struct ec_format *f;
	size_t n = strlen(text);

	s.raw = (const unsigned char *)text;
	s.raw_len = n;
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = n;
	s.name = name;
	f = ec_format_sniff(&s);
	return f ? f->name : "(none)";
}

static unsigned char *
to_utf16le(const char *s, bool bom, size_t *out_n)
{
	size_t n = strlen(s), k = 0;
	unsigned char *o = malloc(n * 4 + 2);

	cr_assert_not_null(o);
	if (bom) {
		o[k++] = 0xFF;
		o[k++] = 0xFE;
	}
	for (; *s; s++) {
		if (*s == '\n') {
			o[k++] = '\r';
			o[k++] = 0;
		}
		o[k++] = (unsigned char)*s;
		o[k++] = 0;
	}
	*out_n = k;
	return o;
}

static void
assert_log(const struct cap *c)
{
	const struct cev *e;

	dump_problems(c);
	cr_assert_eq(c->np, 0);
	cr_assert_eq(c->nev, 7, "%zu events", c->nev);
	/* the header with its indented lines */
	e = &c->ev[0];
	cr_expect_str_eq(e->provider, "Server");
	cr_expect_eq(e->line, 1);
	cr_expect_str_eq(e->message, "Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)\n"
				     "Sep 24 2019 13:48:23\nCopyright (C) 2019 Microsoft Corporation");
	cr_expect_eq(e->level, LVL_INFO);
	cr_expect_eq(e->tq, TQ_LOCAL_ASSUMED);
	/* 2022-07-21 10:11:12.30 read as UTC (no offset given) */
	cr_expect_eq(e->time_ms, INT64_C(1658398272300));
	cr_expect_eq(e->tod, ((10 * 60 + 11) * 60 + 12) * 1000 + 300);
	cr_expect_eq(e->event_id, -1);
	cr_expect_str_eq(c->ev[2].provider, "spid14s");
	cr_expect_str_eq(c->ev[3].provider, "spid8s");
	cr_expect_str_eq(c->ev[3].message, "Starting up database 'msdb'.");
	/* the error and its message line: one record */
	e = &c->ev[5];
	cr_expect_eq(e->level, LVL_ERROR);
	cr_expect_str_eq(e->provider, "spid14s");
	cr_expect_eq(e->line, 9);
	cr_expect(strncmp(e->message,
			  "Error: 9003, Severity: 20, State: 1.\nThe log scan number (41:488:1) passed "
			  "to log scan in database 'model' is not valid.", 114) == 0, "%s", e->message);
	cr_assert_eq(e->ndata, 3);
	cr_expect_str_eq(e->dname[0], "Error");
	cr_expect_str_eq(e->dvalue[0], "9003");
	cr_expect_str_eq(e->dname[1], "Severity");
	cr_expect_str_eq(e->dvalue[1], "20");
	cr_expect_str_eq(e->dname[2], "State");
	cr_expect_str_eq(e->dvalue[2], "1");
	cr_expect_eq(c->ev[6].level, LVL_INFO);
	cr_expect_eq(c->ev[6].line, 11);
}

Test(parser_localdberr, utf8)
{
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("localdb-errorlog"), LOG), 0);
	assert_log(&c);
	cap_free(&c);
}

Test(parser_localdberr, utf16le_as_sql_server_writes_it)
{
	for (int bom = 0; bom <= 1; bom++) {
		struct cap c = { 0 };
		size_t n;
		unsigned char *u = to_utf16le(LOG, bom, &n);

		cr_assert_eq(cap_parse(&c, cap_format("localdb-errorlog"), u, n, 7, NULL, NULL), 0);
		assert_log(&c);
		cr_assert_null(strchr(c.ev[5].message, '\r'));
		cap_free(&c);
		free(u);
	}
}

Test(parser_localdberr, offset_given)
{
	struct cap c = { 0 };
	struct ec_options o = { 0 };

	o.have_offset = true;
	o.utc_offset_min = 120;
	cr_assert_eq(cap_parse(&c, cap_format("localdb-errorlog"), LOG, strlen(LOG), 0, &o, NULL), 0);
	cr_assert_eq(c.nev, 7);
	cr_expect_eq(c.ev[0].tq, TQ_LOCAL_GIVEN);
	cr_expect_eq(c.ev[0].time_ms, INT64_C(1658398272300) - 120 * 60000);
	cap_free(&c);
}

Test(parser_localdberr, error_without_its_message_line)
{
	struct cap c = { 0 };
	static const char t[] =
		"2022-07-21 10:11:12.52 spid14s     Error: 9003, Severity: 20, State: 1.\n"
		"2022-07-21 10:11:12.53 spid8s      Starting up database 'msdb'.\n"
		"2022-07-21 10:11:12.54 spid14s     Error: 9003, Severity: 20, State: 1.\n"
		"2022-07-21 10:11:12.54 spid14s     Error: 17207, Severity: 16, State: 1.\n"
		"2022-07-21 10:11:12.55 spid14s     FileMgr::StartLogFiles: Operating system error 2.\n"
		"2022-07-21 10:11:12.56 spid14s     Recovery is complete.\n";

	cr_assert_eq(cap_parse_str(&c, cap_format("localdb-errorlog"), t), 0);
	cr_assert_eq(c.nev, 5, "%zu events", c.nev);
	/* another source comes between: the error stands alone */
	cr_expect_str_eq(c.ev[0].message, "Error: 9003, Severity: 20, State: 1.");
	cr_expect_eq(c.ev[0].level, LVL_ERROR);
	cr_expect_eq(c.ev[1].level, LVL_INFO);
	/* an error right after an error is not its message */
	cr_expect_str_eq(c.ev[2].message, "Error: 9003, Severity: 20, State: 1.");
	cr_expect_str_eq(c.ev[3].message, "Error: 17207, Severity: 16, State: 1.\n"
					  "FileMgr::StartLogFiles: Operating system error 2.");
	/* only one message line is joined */
	cr_expect_str_eq(c.ev[4].message, "Recovery is complete.");
	cr_expect_eq(c.ev[4].level, LVL_INFO);
	cap_free(&c);
}

Test(parser_localdberr, sniff_by_content_only)
{
	static const char one[] = "2022-07-21 10:11:12.52 spid14s     Error: 9003, Severity: 20, State: 1.\n";

	cr_expect_eq(sniff_text(LOG, NULL), 70);
	cr_expect_str_eq(winner(LOG, NULL), "localdb-errorlog");
	cr_expect_str_eq(winner(LOG, "notes.txt"), "localdb-errorlog");
	cr_expect_eq(sniff_text(one, NULL), 40);
	/* the name alone decides nothing */
	cr_expect_eq(sniff_text("Starting up database 'model'.\nhello\n", "error.log"), 0);
	/* no hundredths: not this layout (an auto-upgrader or other log) */
	cr_expect_eq(sniff_text("2022-07-21 10:11:12 spid14s     x\n2022-07-21 10:11:13 spid14s     y\n",
				"error.log"), 0);
	/* a wizard trace keeps its format */
	cr_expect_str_eq(winner("[10:00:00.000] [  1] [INFO ] Application starting\n", "error.log"),
			 "trace");
	/* prose before the log: not claimed (the paste reader takes it) */
	cr_expect_eq(sniff_text("Here is the log:\n2022-07-21 10:11:12.52 spid14s     Error: 9003, "
				"Severity: 20, State: 1.\n", NULL), 0);
}

Test(parser_localdberr, text_before_the_first_dated_line_is_dropped)
{
	struct cap c = { 0 };

	cr_assert_eq(cap_parse_str(&c, cap_format("localdb-errorlog"),
				   "junk\n2022-07-21 10:11:12.40 spid8s      Starting up database 'msdb'.\n"),
		     0);
	cr_assert_eq(c.nev, 1);
	cr_expect_eq(c.ev[0].line, 2);
	cap_free(&c);
}
