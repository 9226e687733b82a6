/* SPDX-License-Identifier: MIT */
/* test_parser_msi.c - the Windows Installer verbose log parser: the line
 * grammar (msiline.h), brand names, header dates, and whole logs read through
 * the "msi" format (records, sessions, actions, facts, problems, dating,
 * encodings, sniffing). Corpus snippets are read from ECDIAG_CORPUS. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/encoding.h"
#include "common/strview.h"
#include "common/timeutil.h"
#include "parser/msiline.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/testutil.h"

#define KB3121701 "text/msi/msdocs_KB3121701_msi_Error25009_ConfigDB.VERBATIM-SNIPPET.txt"
#define KB4051210 "text/msi/msdocs_KB4051210_trace+msi_Error25019_stale-product-code.VERBATIM-SNIPPETS.txt"

#define ENGINE "Microsoft Azure AD Connect synchronization services"
#define HEADER "=== Verbose logging started: 5/25/2017  15:52:17  Build type: SHIP UNICODE " \
	"5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ==="
#define E25019 "The Microsoft Azure AD Connect synchronization services setup wizard cannot open " \
	"registry key SYSTEM\\CurrentControlSet\\Services\\ADSync\\Parameters."

/* ---- the line grammar ---------------------------------------------------- */

#define assert_sv(v, lit)                                                                     \
	do {                                                                                  \
		struct sv got_ = (v);                                                         \
		cr_assert(sv_eq(got_, (lit)), "%s: got '%.*s', want '%s'", #v, (int)got_.n,   \
			  got_.p ? got_.p : "", (lit));                                       \
	} while (0)

static struct msi_line
line(const char *s)
{
	struct msi_line o;

	msi_line_parse(sv_cstr(s), &o);
	return o;
}

/* A line that is not an engine line and has no known form. */
static void
assert_other(const char *s)
{
	struct msi_line o = line(s);

	cr_assert_eq(o.kind, MSI_OTHER, "'%s' read as kind %d", s, o.kind);
	cr_assert_not(o.engine, "'%s' read as an engine line", s);
	cr_assert_eq(o.ctx, 0, "%s", s);
	cr_assert_eq(o.number, -1, "%s", s);
	cr_assert_eq(o.name.n, 0, "%s", s);
	cr_assert_eq(o.value.n, 0, "%s", s);
	assert_sv(o.text, s);
	/* tod_ms is not checked: a rejected Action line keeps the time it read. */
	if (s[0] == 'M')
		cr_assert_eq(o.tod_ms, -1, "%s", s);
}

Test(parser_msi, line_engine_prefix)
{
	struct msi_line o = line("MSI (s) (C0:0C) [15:52:17:386]: Resetting cached policy values");

	cr_assert(o.engine);
	cr_assert_eq(o.kind, MSI_OTHER);
	cr_assert_eq(o.ctx, 's');
	cr_assert_not(o.ca_thread);
	assert_sv(o.thread, "C0:0C");
	cr_assert_eq(o.tod_ms, ((15 * 60 + 52) * 60 + 17) * 1000 + 386);
	assert_sv(o.text, "Resetting cached policy values");
	cr_assert_eq(o.number, -1);

	o = line("MSI (c) (2C!64) [09:05:01:007]: Note: 1: 2205 2:  3: Error");
	cr_assert(o.engine);
	cr_assert_eq(o.ctx, 'c');
	cr_assert(o.ca_thread);
	assert_sv(o.thread, "2C!64");
	cr_assert_eq(o.tod_ms, ((9 * 60 + 5) * 60 + 1) * 1000 + 7);
	cr_assert_eq(o.kind, MSI_NOTE);
	cr_assert_eq(o.number, 2205);

	o = line("MSI (N) (A8:D4) [00:00:00:000]: PROPERTY CHANGE: Adding A property. Its value is 'b'.");
	cr_assert(o.engine);
	cr_assert_eq(o.ctx, 'N');
	assert_sv(o.thread, "A8:D4");
	cr_assert_eq(o.tod_ms, 0);
	cr_assert_eq(o.kind, MSI_PROPERTY_CHANGE);
	assert_sv(o.name, "A");
	assert_sv(o.value, "b");
}

Test(parser_msi, line_header)
{
	struct msi_line o = line(HEADER);

	/* "=== Verbose logging started: " puts the date 29 bytes in (it was
	 * once rejected by a limit of 24 meant for "=== Logging started: "). */
	cr_assert_eq(o.kind, MSI_LOG_START);
	cr_assert_not(o.engine);
	assert_sv(o.date, "5/25/2017");
	assert_sv(o.time, "15:52:17");
	assert_sv(o.value, "C:\\Windows\\system32\\msiexec.exe");

	o = line("=== Verbose logging started: 5/25/2017  3:52:17 PM  Build type: SHIP UNICODE "
		 "5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ===");
	cr_assert_eq(o.kind, MSI_LOG_START);
	assert_sv(o.time, "3:52:17 PM");

	o = line("=== Logging started: 5/25/2017  15:52:17  Build type: SHIP UNICODE 5.00.10011.00  "
		 "Calling process: C:\\Windows\\system32\\msiexec.exe ===");
	cr_assert_eq(o.kind, MSI_LOG_START);
	assert_sv(o.date, "5/25/2017");
	assert_sv(o.time, "15:52:17");
	assert_sv(o.value, "C:\\Windows\\system32\\msiexec.exe");
}

Test(parser_msi, line_footer)
{
	struct msi_line o = line("=== Logging stopped: 5/25/2017  15:52:20 ===");

	cr_assert_eq(o.kind, MSI_LOG_STOP);
	assert_sv(o.date, "5/25/2017");
	assert_sv(o.time, "15:52:20");
	o = line("=== Verbose logging stopped: 5/26/2017  0:00:06 ===");
	cr_assert_eq(o.kind, MSI_LOG_STOP);
	assert_sv(o.date, "5/26/2017");
	assert_sv(o.time, "0:00:06");
}

Test(parser_msi, line_action_start)
{
	struct msi_line o = line("Action start 15:52:17: DetectStoreServer.");

	cr_assert_eq(o.kind, MSI_ACTION_START);
	assert_sv(o.name, "DetectStoreServer");
	cr_assert_eq(o.tod_ms, 57137000);
	cr_assert_eq(o.number, -1);
	cr_assert_not(o.engine);
}

Test(parser_msi, line_action_end_with_return_value)
{
	struct msi_line o = line("Action ended 15:48:23: InstallFinalize. Return value 3.");

	cr_assert_eq(o.kind, MSI_ACTION_END);
	assert_sv(o.name, "InstallFinalize");
	cr_assert_eq(o.number, 3);
	cr_assert_eq(o.tod_ms, ((15 * 60 + 48) * 60 + 23) * 1000);
}

Test(parser_msi, line_action_end_without_return_value)
{
	struct msi_line o = line("Action ended 15:52:17: DetectStoreServer.");

	cr_assert_eq(o.kind, MSI_ACTION_END);
	assert_sv(o.name, "DetectStoreServer");
	cr_assert_eq(o.number, -1);
	cr_assert_eq(o.tod_ms, 57137000);
}

Test(parser_msi, line_action_end_placeholder_time)
{
	struct msi_line o = line("Action endedTime: INSTALL. Return value 3.");

	cr_assert_eq(o.kind, MSI_ACTION_END);
	assert_sv(o.name, "INSTALL");
	cr_assert_eq(o.number, 3);
	cr_assert_eq(o.tod_ms, -1);
}

Test(parser_msi, line_action_info)
{
	struct msi_line o = line("Action 15:52:17: InstallFiles. Copying new files");

	cr_assert_eq(o.kind, MSI_ACTION_INFO);
	assert_sv(o.name, "InstallFiles");
	assert_sv(o.value, "Copying new files");
	cr_assert_eq(o.tod_ms, 57137000);
}

Test(parser_msi, line_doing_action)
{
	struct msi_line o = line("MSI (s) (C0:0C) [15:52:17:400]: Doing action: INSTALL");

	cr_assert_eq(o.kind, MSI_DOING_ACTION);
	assert_sv(o.name, "INSTALL");
	cr_assert(o.engine);
}

Test(parser_msi, line_custom_action_error)
{
	struct msi_line o = line("CustomAction DetectStoreServer returned actual error code 1603 (note this "
				 "may not be 100% accurate if translation happened inside sandbox)");

	cr_assert_eq(o.kind, MSI_CA_ERROR);
	assert_sv(o.name, "DetectStoreServer");
	cr_assert_eq(o.number, 1603);
	cr_assert_eq(o.tod_ms, -1);
}

Test(parser_msi, line_product_error)
{
	struct msi_line o = line("MSI (s) (C0!08) [15:52:17:605]: Product: " ENGINE " -- Error 25019." E25019);

	cr_assert_eq(o.kind, MSI_PRODUCT_ERROR);
	cr_assert(o.engine);
	cr_assert(o.ca_thread);
	assert_sv(o.name, ENGINE);
	cr_assert_eq(o.number, 25019);
	assert_sv(o.value, E25019);
}

Test(parser_msi, line_product_result)
{
	struct msi_line o = line("Product: " ENGINE " -- Installation failed.");

	cr_assert_eq(o.kind, MSI_PRODUCT_RESULT);
	assert_sv(o.name, ENGINE);
	assert_sv(o.value, "Installation failed.");
	cr_assert_eq(o.number, -1);
}

Test(parser_msi, line_bare_error)
{
	struct msi_line o = line("Error 25009.The Forefront Identity Manager Synchronization Service setup "
				 "wizard cannot configure the specified database.");

	cr_assert_eq(o.kind, MSI_ERROR);
	cr_assert_eq(o.number, 25009);
	assert_sv(o.value, "The Forefront Identity Manager Synchronization Service setup wizard "
			   "cannot configure the specified database.");
	cr_assert_eq(o.name.n, 0);
}

Test(parser_msi, line_info)
{
	struct msi_line o = line("Info 2898.For WixUI_Font_Normal textstyle, the system created a "
				 "'Tahoma' font, in 0 character set, of 13 pixels height.");

	cr_assert_eq(o.kind, MSI_INFO);
	cr_assert_eq(o.number, 2898);
	assert_sv(o.value, "For WixUI_Font_Normal textstyle, the system created a 'Tahoma' font, "
			   "in 0 character set, of 13 pixels height.");
}

Test(parser_msi, line_warning)
{
	struct msi_line o = line("Warning 1946.Property 'System.AppUserModel.ID' for shortcut "
				 "'Synchronization Service.lnk' could not be set.");

	cr_assert_eq(o.kind, MSI_WARNING);
	cr_assert_eq(o.number, 1946);
	assert_sv(o.value, "Property 'System.AppUserModel.ID' for shortcut "
			   "'Synchronization Service.lnk' could not be set.");
}

Test(parser_msi, line_note)
{
	struct msi_line o = line("Note: 1: 2205 2:  3: Error");

	cr_assert_eq(o.kind, MSI_NOTE);
	cr_assert_eq(o.number, 2205);
	cr_assert_not(o.engine);
}

Test(parser_msi, line_summary)
{
	struct msi_line o = line("Windows Installer installed the product. Product Name: X. Product "
				 "Version: 1.1.614.0. Product Language: 1033. Manufacturer: Microsoft "
				 "Corporation. Installation success or error status: 1603.");

	cr_assert_eq(o.kind, MSI_SUMMARY);
	assert_sv(o.name, "X");
	assert_sv(o.version, "1.1.614.0");
	assert_sv(o.verb, "installed");
	cr_assert_eq(o.number, 1603);

	o = line("Windows Installer removed the product. Product Name: Microsoft SQL Server 2019 "
		 "LocalDB. Product Version: 15.0.2000.5. Product Language: 1033. Manufacturer: "
		 "Microsoft Corporation. Removal success or error status: 0.");
	cr_assert_eq(o.kind, MSI_SUMMARY);
	assert_sv(o.name, "Microsoft SQL Server 2019 LocalDB");
	assert_sv(o.version, "15.0.2000.5");
	assert_sv(o.verb, "removed");
	cr_assert_eq(o.number, 0);
}

Test(parser_msi, line_engine_return)
{
	struct msi_line o = line("MSI (s) (C0:0C) [15:52:19:600]: MainEngineThread is returning 1603");

	cr_assert_eq(o.kind, MSI_ENGINE_RETURN);
	cr_assert_eq(o.number, 1603);
	cr_assert_eq(o.ctx, 's');
	o = line("MainEngineThread is returning 0");
	cr_assert_eq(o.kind, MSI_ENGINE_RETURN);
	cr_assert_eq(o.number, 0);
}

Test(parser_msi, line_property)
{
	struct msi_line o = line("Property(S): ProductVersion = 2.2.8.0");

	cr_assert_eq(o.kind, MSI_PROPERTY);
	cr_assert_eq(o.scope, 'S');
	assert_sv(o.name, "ProductVersion");
	assert_sv(o.value, "2.2.8.0");

	o = line("Property(C): EMPTY = ");
	cr_assert_eq(o.kind, MSI_PROPERTY);
	cr_assert_eq(o.scope, 'C');
	assert_sv(o.name, "EMPTY");
	cr_assert_eq(o.value.n, 0);

	o = line("Property(N): A = x = y");
	cr_assert_eq(o.kind, MSI_PROPERTY);
	cr_assert_eq(o.scope, 'N');
	assert_sv(o.name, "A");
	assert_sv(o.value, "x = y");
}

Test(parser_msi, line_property_change)
{
	struct msi_line o = line("MSI (s) (C0:0C) [15:52:17:386]: PROPERTY CHANGE: Adding "
				 "WIX_UPGRADE_DETECTED property. Its value is "
				 "'{7C4397B7-9008-4C23-8CDA-3B3B8FAF4312}'.");

	cr_assert_eq(o.kind, MSI_PROPERTY_CHANGE);
	assert_sv(o.verb, "Adding");
	assert_sv(o.name, "WIX_UPGRADE_DETECTED");
	assert_sv(o.value, "{7C4397B7-9008-4C23-8CDA-3B3B8FAF4312}");

	o = line("PROPERTY CHANGE: Modifying INSTALLLEVEL property. Its current value is '1'. "
		 "Its new value: '200'.");
	cr_assert_eq(o.kind, MSI_PROPERTY_CHANGE);
	assert_sv(o.verb, "Modifying");
	assert_sv(o.name, "INSTALLLEVEL");
	assert_sv(o.value, "200");

	o = line("PROPERTY CHANGE: Deleting SECONDSEQUENCE property. Its current value is '1'.");
	cr_assert_eq(o.kind, MSI_PROPERTY_CHANGE);
	assert_sv(o.verb, "Deleting");
	assert_sv(o.name, "SECONDSEQUENCE");
	assert_sv(o.value, "1");

	/* A value holding quotes keeps them: up to the last quote. */
	o = line("PROPERTY CHANGE: Adding P property. Its value is 'it's'.");
	assert_sv(o.value, "it's");
}

Test(parser_msi, line_package)
{
	struct msi_line o = line("******* Product: C:\\x\\Synchronization Service.msi");

	cr_assert_eq(o.kind, MSI_PACKAGE);
	assert_sv(o.value, "C:\\x\\Synchronization Service.msi");
}

Test(parser_msi, line_command_line)
{
	struct msi_line o = line("MSI (s) (C0:0C) [15:52:17:120]: Command Line: CURRENTDIRECTORY=C:\\x "
				 "CLIENTUILEVEL=3 ");

	cr_assert_eq(o.kind, MSI_COMMAND_LINE);
	assert_sv(o.value, "CURRENTDIRECTORY=C:\\x CLIENTUILEVEL=3");
	cr_assert_eq(o.ctx, 's');
}

Test(parser_msi, line_not_msi)
{
	assert_other("MSI (x) (C0:0C) [15:52:17:386]: foo");
	assert_other("MSI (s) (C0:0C) [25:00:00:000]: foo");
	assert_other("MSI (s) (C0:0C) [15:52:17]: foo");
	assert_other("MSI (s) (C0-0C) [15:52:17:386]: foo");
	assert_other("Errors 5.");
	assert_other("Error 25009 without a dot");
	assert_other("Product: no separator");
	assert_other("=== Build log ===");
	assert_other("=== Verbose logging started: garbage");
	assert_other("Action start 15:52:17 DetectStoreServer.");
	assert_other("CustomAction X failed");
	assert_other("Note: 1: x");
	assert_other("[10:44:23.095] [ 1] [INFO ] x");
	assert_other("");
	assert_other("abc");
}

Test(parser_msi, line_starts)
{
	cr_assert(msi_line_starts(sv_cstr("MSI (s) (C0:0C) [15:52:17:386]: foo")));
	cr_assert(msi_line_starts(sv_cstr("Action start 15:52:17: DetectStoreServer.")));
	cr_assert(msi_line_starts(sv_cstr("CustomAction X returned actual error code 1603")));
	cr_assert(msi_line_starts(sv_cstr("MainEngineThread is returning 1603")));
	cr_assert(msi_line_starts(sv_cstr("Note: 1: 1708")));
	cr_assert(msi_line_starts(sv_cstr("=== Logging stopped: 5/25/2017  15:52:20 ===")));
	cr_assert_not(msi_line_starts(sv_cstr("database.")));
	cr_assert_not(msi_line_starts(sv_cstr("happened inside sandbox)")));
	cr_assert_not(msi_line_starts(sv_cstr("   at Foo.Bar()")));
	cr_assert(msi_line_starts(sv_cstr(HEADER)));
}

/* ---- brand names and header dates --------------------------------------- */

Test(parser_msi, sync_engine_names)
{
	cr_assert(msi_is_sync_engine(sv_cstr("Microsoft Azure AD Connect synchronization services")));
	cr_assert(msi_is_sync_engine(sv_cstr("Microsoft Entra Connect synchronization services")));
	cr_assert(msi_is_sync_engine(sv_cstr("Forefront Identity Manager Synchronization Service")));
	cr_assert(msi_is_sync_engine(sv_cstr("Azure AD Sync Engine")));
	cr_assert(msi_is_sync_engine(sv_cstr("MICROSOFT ENTRA CONNECT SYNCHRONIZATION SERVICES")));
	cr_assert_not(msi_is_sync_engine(sv_cstr("Microsoft Azure AD Connect")));
	cr_assert_not(msi_is_sync_engine(sv_cstr("Microsoft SQL Server 2019 LocalDB")));
	cr_assert_not(msi_is_sync_engine(SV_NULL));
}

static enum msi_date_order
hdate(const char *d, const char *t, const struct civil *hint, struct civil *c)
{
	return msi_header_date(sv_cstr(d), sv_cstr(t), hint, c);
}

static void
assert_civil(const struct civil *c, int y, int mo, int d, int h, int mi, int s)
{
	cr_assert(c->year == y && c->month == mo && c->day == d && c->hour == h && c->min == mi &&
		  c->sec == s,
		  "got %04d-%02d-%02d %02d:%02d:%02d, want %04d-%02d-%02d %02d:%02d:%02d", c->year,
		  c->month, c->day, c->hour, c->min, c->sec, y, mo, d, h, mi, s);
}

Test(parser_msi, header_dates)
{
	struct civil c, hint = { .year = 2017, .month = 6, .day = 5 };

	cr_assert_eq(hdate("5/25/2017", "15:52:17", NULL, &c), MSI_DATE_MDY);
	assert_civil(&c, 2017, 5, 25, 15, 52, 17);
	cr_assert_eq(hdate("25/5/2017", "15:52:17", NULL, &c), MSI_DATE_DMY);
	assert_civil(&c, 2017, 5, 25, 15, 52, 17);
	cr_assert_eq(hdate("25.05.2017", "15:52:17", NULL, &c), MSI_DATE_DMY);
	assert_civil(&c, 2017, 5, 25, 15, 52, 17);
	cr_assert_eq(hdate("2017-05-25", "15:52:17", NULL, &c), MSI_DATE_YMD);
	assert_civil(&c, 2017, 5, 25, 15, 52, 17);
	cr_assert_eq(hdate("5/6/2017", "15:52:17", NULL, &c), MSI_DATE_MDY_ASSUMED);
	assert_civil(&c, 2017, 5, 6, 15, 52, 17);
	cr_assert_eq(hdate("5/6/2017", "15:52:17", &hint, &c), MSI_DATE_DMY_HINT);
	assert_civil(&c, 2017, 6, 5, 15, 52, 17);
	hint.month = 5;
	hint.day = 6;
	cr_assert_eq(hdate("5/6/2017", "15:52:17", &hint, &c), MSI_DATE_MDY_HINT);
	assert_civil(&c, 2017, 5, 6, 15, 52, 17);
	cr_assert_eq(hdate("5/25/2017", "3:52:17 PM", NULL, &c), MSI_DATE_MDY);
	assert_civil(&c, 2017, 5, 25, 15, 52, 17);
	cr_assert_eq(hdate("5/25/2017", "12:05:00 AM", NULL, &c), MSI_DATE_MDY);
	assert_civil(&c, 2017, 5, 25, 0, 5, 0);
	cr_assert_eq(hdate("5/25/2017", "12:05:00 PM", NULL, &c), MSI_DATE_MDY);
	assert_civil(&c, 2017, 5, 25, 12, 5, 0);
	cr_assert_eq(hdate("13/13/2017", "15:52:17", NULL, &c), MSI_DATE_BAD);
	cr_assert_eq(hdate("2/30/2017", "15:52:17", NULL, &c), MSI_DATE_BAD);
	cr_assert_eq(hdate("5/25/2017", "25:00:00", NULL, &c), MSI_DATE_BAD);
	cr_assert_eq(hdate("5/25/2017", "3:52:17 XM", NULL, &c), MSI_DATE_BAD);
	cr_assert_eq(hdate("garbage", "15:52:17", NULL, &c), MSI_DATE_BAD);
	cr_assert_eq(hdate("5/25/2017x", "15:52:17", NULL, &c), MSI_DATE_BAD);
	cr_assert_eq(hdate("", "", NULL, &c), MSI_DATE_BAD);
}

/* ---- parsing into the capture sink -------------------------------------- */

/* Parse n bytes (encoding sniffed as the walker does) as the input name. */
static int
parse_bytes(struct cap *c, const void *data, size_t n, const char *name,
	    const struct ec_options *opt)
{
	return cap_parse(c, cap_format("msi"), data, n, 0, opt, name);
}

static int
parse_str(struct cap *c, const char *text)
{
	return parse_bytes(c, text, strlen(text), NULL, NULL);
}

/* The name and value of an event's first data item ("" without one). */
static const char *
dname0(const struct cev *e)
{
	return e->ndata ? e->dname[0] : "";
}

static const char *
dvalue0(const struct cev *e)
{
	return e->ndata ? e->dvalue[0] : "";
}

static char *
load_corpus(const char *rel, size_t *n)
{
	char *p = corpus_excerpt(rel, n);

	if (!p)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", rel);
	return p;
}

/* The lines between the "## --- Block N" line and the next "## --- Block"
 * line of a raw corpus file. */
static char *
load_block(const char *rel, int block, size_t *n)
{
	const char *path = corpus_path(rel);
	char mark[32], *all, *start, *end, *out;
	size_t len;

	if (!path)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", rel);
	all = slurp(path, &len);
	cr_assert_not_null(all, "cannot read %s", path);
	snprintf(mark, sizeof(mark), "## --- Block %d", block);
	start = strstr(all, mark);
	cr_assert_not_null(start, "no '%s' in %s", mark, rel);
	start = strchr(start, '\n');
	cr_assert_not_null(start);
	start++;
	end = strstr(start, "## --- Block ");
	*n = end ? (size_t)(end - start) : strlen(start);
	out = malloc(*n + 1);
	cr_assert_not_null(out);
	memcpy(out, start, *n);
	out[*n] = '\0';
	free(all);
	return out;
}

static char *
iso(int64_t ms, char out[32])
{
	ms_to_iso(ms, out);
	return out;
}

static void
assert_time(struct ec_time t, enum ec_timeq q, const char *want)
{
	char got[32];

	cr_assert_eq(t.q, q, "time quality %d, want %d", t.q, q);
	cr_assert_str_eq(iso(t.ms, got), want);
}

static void
assert_event_time(const struct cev *e, enum ec_timeq q, const char *want)
{
	char got[32];

	cr_assert_eq(e->tq, q, "line %llu: time quality %d, want %d", (unsigned long long)e->line,
		     e->tq, q);
	cr_assert_str_eq(iso(e->time_ms, got), want, "line %llu", (unsigned long long)e->line);
}

static const struct cact *
find_action(const struct cap *c, const char *name)
{
	for (size_t i = 0; i < c->na; i++) {
		if (strcmp(c->a[i].name, name) == 0)
			return &c->a[i];
	}
	return NULL;
}

/* The first action that failed: the smallest end line with return value 3. */
static const struct cact *
first_failure(const struct cap *c)
{
	const struct cact *best = NULL;

	for (size_t i = 0; i < c->na; i++) {
		if (c->a[i].return_value == 3 && c->a[i].end_line &&
		    (!best || c->a[i].end_line < best->end_line))
			best = &c->a[i];
	}
	return best;
}

static bool
starts_with(const char *s, const char *head)
{
	return strncmp(s, head, strlen(head)) == 0;
}

static size_t
count_char(const char *s, char ch)
{
	size_t k = 0;

	for (; *s; s++)
		k += *s == ch;
	return k;
}

/* ASCII text to UTF-16LE, "\n" written as CR LF when crlf, BOM first if bom. */
static unsigned char *
to_utf16le(const char *s, bool bom, bool crlf, size_t *out_n)
{
	size_t n = strlen(s), k = 0;
	unsigned char *o = malloc(n * 4 + 2);

	cr_assert_not_null(o);
	if (bom) {
		o[k++] = 0xFF;
		o[k++] = 0xFE;
	}
	for (; *s; s++) {
		cr_assert((unsigned char)*s < 0x80);
		if (*s == '\n' && crlf) {
			o[k++] = '\r';
			o[k++] = 0;
		}
		o[k++] = (unsigned char)*s;
		o[k++] = 0;
	}
	*out_n = k;
	return o;
}

/* ---- the corpus --------------------------------------------------------- */

Test(parser_msi, corpus_kb3121701_error25009_configdb)
{
	struct cap c = { 0 };
	size_t n;
	char *text = load_corpus(KB3121701, &n);
	const struct cact *a;
	const struct cfact *f;

	cr_assert_eq(parse_bytes(&c, text, n, NULL, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.na, 1);
	a = &c.a[0];
	cr_assert_str_eq(a->name, "InstallFinalize");
	cr_assert_eq(a->return_value, 3);
	cr_assert_eq(a->session, 1);
	cr_assert_eq(a->seq, 1);
	cr_assert_eq(a->depth, 0);
	cr_assert_eq(a->start_line, 0);
	cr_assert_eq(a->end_line, 9);
	cr_assert_str_eq(a->ca_name, "ConfigDB");
	cr_assert_eq(a->ca_error, 1603);
	cr_assert_eq(a->ca_line, 7);
	cr_assert_eq(a->error_number, 25009);
	cr_assert_eq(a->error_line, 1);
	cr_assert(starts_with(a->error_text, "The Forefront Identity Manager Synchronization "
					      "Service setup wizard cannot configure the specified "
					      "database."), "%s", a->error_text);
	cr_assert_not_null(strstr(a->error_text, "Invalid object name 'mms_management_agent'"));
	cr_assert_str_eq(a->error_text,
			 "The Forefront Identity Manager Synchronization Service setup wizard cannot "
			 "configure the specified database.\nInvalid object name "
			 "'mms_management_agent'. A required privilege is not held by the client.");
	cr_assert_eq(a->end.tod_ms, ((15 * 60 + 48) * 60 + 23) * 1000);
	cr_assert_eq(a->end.q, TQ_TIME_OF_DAY);
	/* Records: the product error (3 lines), the bare repeat (3 lines), the
	 * custom action, its wrapped tail, the action end. */
	cr_assert_eq(c.nev, 5);
	cr_assert_eq(c.ev[0].event_id, 25009);
	cr_assert_eq(c.ev[0].level, LVL_ERROR);
	cr_assert_str_eq(c.ev[0].thread, "2C!64");
	cr_assert_eq(c.ev[0].tod, 56903562);
	cr_assert_eq(c.ev[0].tq, TQ_TIME_OF_DAY);
	cr_assert_eq(count_char(c.ev[0].message, '\n'), 2);
	cr_assert_eq(c.ev[1].line, 4);
	cr_assert_eq(c.ev[1].event_id, 25009);
	cr_assert_eq(c.ev[1].tod, 56903562, "a line without time takes the one before");
	cr_assert_eq(c.ev[4].line, 9);
	cr_assert_eq(c.ev[4].level, LVL_ERROR);
	cr_assert_str_eq(c.ev[4].provider, "InstallFinalize");
	/* The bare repeat of the product error is not a second error. */
	cr_assert_eq(count_facts(&c, "msi.error", NULL), 1);
	f = find_fact(&c, "msi.error", "25009");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->value, "The Forefront Identity Manager Synchronization Service setup "
				   "wizard cannot configure the specified database.");
	f = find_fact(&c, "msi.custom_action_error", "ConfigDB");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->value, "1603");
	f = find_fact(&c, "msi.action_failed", "InstallFinalize");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->value, "3");
	f = find_fact(&c, "msi.product", NULL);
	cr_assert_not_null(f);
	cr_assert_str_eq(f->value, "Forefront Identity Manager Synchronization Service");
	cr_assert_eq(c.ns, 1);
	cr_assert_eq(c.s[0].session, 1);
	cr_assert_eq(c.s[0].start_line, 1);
	cr_assert_eq(c.s[0].end_line, 9);
	cr_assert_eq(c.s[0].actions, 1);
	cr_assert_eq(c.s[0].failed_actions, 1);
	cr_assert_not(c.s[0].footer);
	cr_assert_str_eq(c.s[0].product, "Forefront Identity Manager Synchronization Service");
	cr_assert_str_eq(c.s[0].started, "");
	a = first_failure(&c);
	cr_assert_not_null(a);
	cr_assert_str_eq(a->name, "InstallFinalize");
	cap_free(&c);
	free(text);
}

Test(parser_msi, corpus_kb4051210_block6_error25019)
{
	struct cap c = { 0 };
	size_t n;
	char *text = load_block(KB4051210, 6, &n);
	const struct cact *a;
	const struct cfact *f;

	/* Named as the wizard names the log: the stamp dates the lines. */
	cr_assert_eq(parse_bytes(&c, text, n, "Synchronization Service_Install-20170525-155217.log",
				 NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	f = find_fact(&c, "msi.error", "25019");
	cr_assert_not_null(f, "no msi.error fact for 25019");
	cr_assert(starts_with(f->value, "The Microsoft Azure AD Connect synchronization services "
					"setup wizard cannot open registry key "
					"SYSTEM\\CurrentControlSet\\Services\\ADSync\\Parameters"),
		  "%s", f->value);
	f = find_fact(&c, "msi.product", NULL);
	cr_assert_not_null(f);
	cr_assert_str_eq(f->value, ENGINE);
	cr_assert_null(find_fact(&c, "engine.msi_version", NULL), "no version in the excerpt");

	/* Started, never ended in the excerpt. */
	cr_assert_eq(c.na, 1);
	a = find_action(&c, "DetectStoreServer");
	cr_assert_not_null(a);
	cr_assert_eq(a->return_value, -1);
	cr_assert_eq(a->start_line, 5);
	cr_assert_eq(a->end_line, 0);
	cr_assert_eq(a->end.q, TQ_NONE);
	cr_assert_eq(a->error_number, 25019);
	cr_assert_eq(a->error_line, 6);
	cr_assert(starts_with(a->error_text, E25019), "%s", a->error_text);
	cr_assert_eq(a->ca_error, -1);
	cr_assert_eq(a->depth, 0);
	cr_assert_str_eq(a->parent, "");
	assert_time(a->start, TQ_LOCAL_ASSUMED, "2017-05-25T15:52:17.000Z");

	cr_assert_eq(c.nev, 6);
	cr_assert_eq(c.ev[0].ndata, 1);
	cr_assert_str_eq(dname0(&c.ev[0]), "WIX_UPGRADE_DETECTED");
	cr_assert_str_eq(dvalue0(&c.ev[0]), "{7C4397B7-9008-4C23-8CDA-3B3B8FAF4312}");
	cr_assert_eq(c.ev[1].ndata, 1);
	cr_assert_str_eq(dname0(&c.ev[1]), "MIGRATE");
	cr_assert_str_eq(dvalue0(&c.ev[1]), "{7C4397B7-9008-4C23-8CDA-3B3B8FAF4312}");
	cr_assert_eq(c.ev[2].ndata, 0);
	cr_assert_str_eq(c.ev[2].message, "...");
	cr_assert_eq(c.ev[0].level, LVL_VERBOSE);
	assert_event_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2017-05-25T15:52:17.386Z");
	cr_assert_eq(c.ev[5].line, 6);
	cr_assert_eq(c.ev[5].event_id, 25019);
	cr_assert_eq(c.ev[5].level, LVL_ERROR);
	cr_assert_str_eq(c.ev[5].provider, "DetectStoreServer");
	cr_assert_str_eq(c.ev[5].thread, "C0!08");
	assert_event_time(&c.ev[5], TQ_LOCAL_ASSUMED, "2017-05-25T15:52:17.605Z");
	cr_assert_eq(c.ns, 1);
	cr_assert_eq(c.s[0].actions, 1);
	cr_assert_eq(c.s[0].failed_actions, 0);
	cr_assert_str_eq(c.s[0].product, ENGINE);
	cap_free(&c);
	free(text);
}

Test(parser_msi, corpus_sniffs_as_msi)
{
	size_t n;
	char *text = load_corpus(KB3121701, &n);
	struct ec_sniff s = { 0 };

	s.raw = (const unsigned char *)text;
	s.raw_len = n;
	s.enc = enc_sniff(s.raw, n);
	s.text = text;
	s.text_len = n;
	cr_assert_eq(cap_format("msi")->sniff(&s), 95);
	cr_assert_eq(ec_format_sniff(&s), cap_format("msi"));
	free(text);
}

/* ---- a constructed log ---------------------------------------------------- */

static const char base_log[] =
	HEADER "\n"							/* 1 */
	"MSI (c) (A8:2C) [15:52:17:100]: ******* Product: C:\\x\\Synchronization Service.msi\n"
	"MSI (c) (A8:2C) [15:52:17:101]: Command Line: CLIENT=1\n"
	"MSI (s) (C0:0C) [15:52:17:120]: Command Line: SERVER=1\n"
	"Action start 15:52:17: INSTALL.\n"					/* 5 */
	"MSI (s) (C0:0C) [15:52:17:386]: PROPERTY CHANGE: Adding WIX_UPGRADE_DETECTED property. "
	"Its value is '{7C4397B7-9008-4C23-8CDA-3B3B8FAF4312}'.\n"
	"Action start 15:52:18: DetectStoreServer.\n"
	"MSI (s) (C0!08) [15:52:18:605]: Product: " ENGINE " -- Error 25019." E25019 "\n"
	"CustomAction DetectStoreServer returned actual error code 1603 (note this may not be "
	"100% accurate if translation happened inside sandbox)\n"
	"Action ended 15:52:18: DetectStoreServer. Return value 3.\n"		/* 10 */
	"Action ended 15:52:19: INSTALL. Return value 3.\n"
	"Property(S): ProductCode = {11111111-2222-3333-4444-555555555555}\n"
	"Property(S): UpgradeCode = {545334D7-13CD-4BAB-8DA1-2775FA8CF7C2}\n"
	"Property(S): ProductVersion = 1.1.614.0\n"
	"MSI (s) (C0:0C) [15:52:19:500]: Product: " ENGINE " -- Installation failed.\n"	/* 15 */
	"MSI (s) (C0:0C) [15:52:19:501]: Windows Installer installed the product. Product Name: "
	ENGINE ". Product Version: 1.1.614.0. Product Language: 1033. Manufacturer: Microsoft "
	"Corporation. Installation success or error status: 1603.\n"
	"MSI (s) (C0:0C) [15:52:19:600]: MainEngineThread is returning 1603\n"
	"=== Verbose logging stopped: 5/25/2017  15:52:19 ===\n";		/* 18 */

#define BASE_EVENTS 18

static void
assert_base_actions(const struct cap *c)
{
	const struct cact *a;

	cr_assert_eq(c->na, 2);
	a = &c->a[0];
	cr_assert_str_eq(a->name, "DetectStoreServer");
	cr_assert_eq(a->session, 1);
	cr_assert_eq(a->seq, 2);
	cr_assert_eq(a->depth, 1);
	cr_assert_str_eq(a->parent, "INSTALL");
	cr_assert_eq(a->start_line, 7);
	cr_assert_eq(a->end_line, 10);
	cr_assert_eq(a->return_value, 3);
	cr_assert_str_eq(a->ca_name, "DetectStoreServer");
	cr_assert_eq(a->ca_error, 1603);
	cr_assert_eq(a->ca_line, 9);
	cr_assert_eq(a->error_number, 25019);
	cr_assert_eq(a->error_line, 8);
	cr_assert_str_eq(a->error_text, E25019);
	a = &c->a[1];
	cr_assert_str_eq(a->name, "INSTALL");
	cr_assert_eq(a->seq, 1);
	cr_assert_eq(a->depth, 0);
	cr_assert_str_eq(a->parent, "");
	cr_assert_eq(a->start_line, 5);
	cr_assert_eq(a->end_line, 11);
	cr_assert_eq(a->return_value, 3);
	cr_assert_eq(a->error_number, 25019, "the error inside a child is inside the parent too");
	cr_assert_str_eq(a->ca_name, "DetectStoreServer");
	cr_assert_eq(first_failure(c), &c->a[0]);
}

Test(parser_msi, constructed_records)
{
	struct cap c = { 0 };
	static const enum ec_level levels[BASE_EVENTS] = {
		LVL_INFO, LVL_INFO, LVL_INFO, LVL_INFO, LVL_INFO, LVL_VERBOSE, LVL_INFO, LVL_ERROR,
		LVL_ERROR, LVL_ERROR, LVL_ERROR, LVL_VERBOSE, LVL_VERBOSE, LVL_VERBOSE, LVL_ERROR,
		LVL_ERROR, LVL_ERROR, LVL_INFO,
	};

	cr_assert_eq(parse_str(&c, base_log), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.nev, BASE_EVENTS);
	for (size_t i = 0; i < c.nev; i++) {
		cr_assert_eq(c.ev[i].line, i + 1);
		cr_assert_eq(c.ev[i].level, levels[i], "line %zu: level %d", i + 1, c.ev[i].level);
	}
	cr_assert_eq(c.ev[7].event_id, 25019);
	cr_assert_eq(c.ev[0].event_id, -1);
	cr_assert_str_eq(c.ev[7].provider, "DetectStoreServer");
	cr_assert_str_eq(c.ev[8].provider, "DetectStoreServer");
	cr_assert_str_eq(c.ev[5].provider, "INSTALL");
	cr_assert_str_eq(c.ev[11].provider, "");
	cr_assert_str_eq(c.ev[5].thread, "C0:0C");
	cr_assert_str_eq(dname0(&c.ev[5]), "WIX_UPGRADE_DETECTED");
	cr_assert_str_eq(dvalue0(&c.ev[5]), "{7C4397B7-9008-4C23-8CDA-3B3B8FAF4312}");
	cr_assert_str_eq(dname0(&c.ev[13]), "ProductVersion");
	cr_assert_str_eq(dvalue0(&c.ev[13]), "1.1.614.0");
	assert_base_actions(&c);
	cap_free(&c);
}

Test(parser_msi, constructed_session)
{
	struct cap c = { 0 };
	const struct csess *s;

	cr_assert_eq(parse_str(&c, base_log), 0);
	cr_assert_eq(c.ns, 1);
	s = &c.s[0];
	cr_assert_eq(s->session, 1);
	cr_assert_eq(s->start_line, 1);
	cr_assert_eq(s->end_line, 18);
	cr_assert_str_eq(s->package, "C:\\x\\Synchronization Service.msi");
	cr_assert_str_eq(s->command_line, "SERVER=1", "the server's command line wins");
	cr_assert_str_eq(s->product, ENGINE);
	cr_assert_str_eq(s->version, "1.1.614.0");
	cr_assert_str_eq(s->product_code, "{11111111-2222-3333-4444-555555555555}");
	cr_assert_str_eq(s->upgrade_code, "{545334D7-13CD-4BAB-8DA1-2775FA8CF7C2}");
	cr_assert_str_eq(s->result, "Installation failed.");
	cr_assert_eq(s->status, 1603);
	cr_assert_eq(s->engine_return, 1603);
	cr_assert_eq(s->actions, 2);
	cr_assert_eq(s->failed_actions, 2);
	cr_assert_str_eq(s->started, "5/25/2017 15:52:17");
	cr_assert_str_eq(s->calling_process, "C:\\Windows\\system32\\msiexec.exe");
	cr_assert(s->footer);
	assert_time(s->start, TQ_LOCAL_ASSUMED, "2017-05-25T15:52:17.000Z");
	assert_time(s->end, TQ_LOCAL_ASSUMED, "2017-05-25T15:52:19.600Z");
	cap_free(&c);
}

Test(parser_msi, constructed_facts)
{
	static const char *const want[][3] = {
		{ "msi.logging_started", "", "2017-05-25T15:52:17" },
		{ "msi.package", "", "C:\\x\\Synchronization Service.msi" },
		{ "msi.product", "", ENGINE },
		{ "msi.error", "25019", E25019 },
		{ "msi.custom_action_error", "DetectStoreServer", "1603" },
		{ "msi.action_failed", "DetectStoreServer", "3" },
		{ "msi.action_failed", "INSTALL", "3" },
		{ "msi.product_version", ENGINE, "1.1.614.0" },
		{ "engine.msi_version", "", "1.1.614.0" },
		{ "msi.result", ENGINE, "Installation failed." },
		{ "msi.status", ENGINE, "1603" },
		{ "msi.engine_return", "s", "1603" },
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, base_log), 0);
	for (size_t i = 0; i < c.nf; i++)
		cr_log_info("fact %zu: %s [%s] = %s", i, c.f[i].name, c.f[i].key, c.f[i].value);
	cr_assert_eq(c.nf, nwant);
	for (size_t i = 0; i < nwant; i++) {
		cr_assert_str_eq(c.f[i].name, want[i][0], "fact %zu", i);
		cr_assert_str_eq(c.f[i].key, want[i][1], "fact %zu", i);
		cr_assert_str_eq(c.f[i].value, want[i][2], "fact %zu", i);
	}
	cap_free(&c);
}

/* Compare two parses of the same text: records and actions. */
static void
assert_same(const struct cap *a, const struct cap *b)
{
	cr_assert_eq(a->nev, b->nev);
	for (size_t i = 0; i < a->nev; i++) {
		cr_assert_str_eq(a->ev[i].message, b->ev[i].message, "event %zu", i);
		cr_assert_eq(a->ev[i].line, b->ev[i].line);
		cr_assert_eq(a->ev[i].level, b->ev[i].level);
		cr_assert_eq(a->ev[i].tq, b->ev[i].tq);
		cr_assert_eq(a->ev[i].time_ms, b->ev[i].time_ms);
		cr_assert_eq(a->ev[i].tod, b->ev[i].tod);
		cr_assert_str_eq(a->ev[i].thread, b->ev[i].thread);
		cr_assert_str_eq(a->ev[i].provider, b->ev[i].provider);
		cr_assert_str_eq(dvalue0(&a->ev[i]), dvalue0(&b->ev[i]));
	}
	cr_assert_eq(a->na, b->na);
	for (size_t i = 0; i < a->na; i++) {
		cr_assert_str_eq(a->a[i].name, b->a[i].name);
		cr_assert_str_eq(a->a[i].parent, b->a[i].parent);
		cr_assert_str_eq(a->a[i].error_text, b->a[i].error_text);
		cr_assert_str_eq(a->a[i].ca_name, b->a[i].ca_name);
		cr_assert_eq(a->a[i].return_value, b->a[i].return_value);
		cr_assert_eq(a->a[i].start_line, b->a[i].start_line);
		cr_assert_eq(a->a[i].end_line, b->a[i].end_line);
		cr_assert_eq(a->a[i].error_number, b->a[i].error_number);
		cr_assert_eq(a->a[i].ca_error, b->a[i].ca_error);
	}
	cr_assert_eq(a->nf, b->nf);
	cr_assert_eq(a->np, b->np);
}

Test(parser_msi, utf16le_with_and_without_bom)
{
	struct cap ref = { 0 };

	cr_assert_eq(parse_str(&ref, base_log), 0);
	for (int bom = 0; bom <= 1; bom++) {
		struct cap c = { 0 };
		size_t n;
		unsigned char *u = to_utf16le(base_log, bom, true, &n);
		struct enc_guess g = enc_sniff(u, n);

		cr_assert_eq(g.enc, ENC_UTF16LE);
		cr_assert_eq(g.bom, bom ? 2u : 0u);
		cr_assert_eq(parse_bytes(&c, u, n, NULL, NULL), 0);
		dump_problems(&c);
		cr_assert_eq(c.nev, BASE_EVENTS);
		cr_assert_eq(c.np, 0);
		assert_same(&ref, &c);
		assert_base_actions(&c);
		cr_assert_null(strchr(c.ev[0].message, '\r'));
		cap_free(&c);
		free(u);
	}
	cap_free(&ref);
}

/* A block of zero units (a crash while msiexec wrote its log) in a UTF-16LE
 * log after line 10, and a zero-filled tail: every record before and after
 * is kept with its line number, the block is one problem. */
Test(parser_msi, utf16le_nul_block)
{
	struct cap ref = { 0 };

	cr_assert_eq(parse_str(&ref, base_log), 0);
	for (int bom = 0; bom <= 1; bom++) {
		size_t n, at = 0, lines = 0;
		unsigned char *u = to_utf16le(base_log, bom, true, &n);
		unsigned char *z;
		struct cap c = { 0 };
		char want[128];

		/* After the LF of line 10. */
		for (size_t i = bom ? 2 : 0; i + 1 < n && lines < 10; i += 2)
			if (u[i] == '\n' && u[i + 1] == 0 && ++lines == 10)
				at = i + 2;
		cr_assert_eq(lines, 10);
		z = calloc(1, n + 4096 + 8192);
		cr_assert_not_null(z);
		memcpy(z, u, at);
		memcpy(z + at + 4096, u + at, n - at);
		cr_assert_eq(enc_sniff(z, n + 4096).enc, ENC_UTF16LE);
		cr_assert_eq(parse_bytes(&c, z, n + 4096, NULL, NULL), 0);
		cr_assert_eq(c.nev, BASE_EVENTS);
		assert_base_actions(&c);
		/* The same as without the block, but for the one problem. */
		assert_same(&ref, &(struct cap){ .ev = c.ev, .nev = c.nev, .a = c.a, .na = c.na,
						 .f = c.f, .nf = c.nf, .np = 0 });
		cr_assert_eq(c.np, 1);
		cr_assert_eq(c.p[0].offset, at);
		cr_assert_eq(c.p[0].bytes, 4096);
		cr_assert_eq(c.p[0].line, 10);
		snprintf(want, sizeof(want), "nul bytes (4096) at offset %zu after line 10: "
			 "the file was not completely written", at);
		cr_assert_str_eq(c.p[0].message, want);
		cap_free(&c);

		/* The tail of the file zero-filled: no cut line, one problem. */
		memcpy(z, u, n);
		memset(z + n, 0, 4096 + 8192);
		cr_assert_eq(parse_bytes(&c, z, n + 8192, NULL, NULL), 0);
		cr_assert_eq(c.nev, BASE_EVENTS);
		cr_assert_eq(c.np, 1);
		cr_assert_eq(c.p[0].offset, n);
		cr_assert_eq(c.p[0].bytes, 8192);
		cr_assert(strstr(c.p[0].message, "after line 18"), "%s", c.p[0].message);
		cap_free(&c);
		free(z);
		free(u);
	}
	cap_free(&ref);
}

/* A block in the middle of a record's line: the record ends at it, the
 * rest of the line is a record of its own. */
Test(parser_msi, nul_block_in_a_line)
{
	static const char head[] = HEADER "\nMSI (s) (C0:0C) [15:52:17:120]: Command Line: SERV";
	static const char tail[] = "ER=1\nAction start 15:52:17: INSTALL.\n";
	char buf[sizeof(head) + sizeof(tail) + 64];
	struct cap c = { 0 };

	memset(buf, 0, sizeof(buf));
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1 + 64, tail, sizeof(tail) - 1);
	cr_assert_eq(parse_bytes(&c, buf, sizeof(head) - 1 + 64 + sizeof(tail) - 1, NULL, NULL), 0);
	cr_assert_eq(c.nev, 4);
	cr_assert(strstr(c.ev[1].message, "Command Line: SERV"));
	cr_assert_str_eq(c.ev[2].message, "ER=1");
	cr_assert_eq(c.ev[2].line, 2);
	cr_assert_eq(c.ev[3].line, 3);
	cr_assert_not_null(find_problem(&c, "nul bytes (64) at offset"));
	cr_assert(strstr(find_problem(&c, "nul bytes")->message, "in line 2"));
	cap_free(&c);
}

Test(parser_msi, header_dates_the_events)
{
	struct ec_options opt = { .have_offset = true, .utc_offset_min = 120 };
	struct cap c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(base_log, true, true, &n);

	cr_assert_eq(parse_bytes(&c, u, n, NULL, NULL), 0);
	cr_assert_eq(c.nev, BASE_EVENTS);
	cr_assert_str_eq(c.ev[4].message, "Action start 15:52:17: INSTALL.");
	cr_assert_eq(c.ev[4].tod, 57137000);
	assert_event_time(&c.ev[4], TQ_LOCAL_ASSUMED, "2017-05-25T15:52:17.000Z");
	assert_event_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2017-05-25T15:52:17.000Z");
	assert_event_time(&c.ev[12], TQ_LOCAL_ASSUMED, "2017-05-25T15:52:19.000Z");
	assert_time(c.a[0].start, TQ_LOCAL_ASSUMED, "2017-05-25T15:52:18.000Z");
	cap_free(&c);

	cr_assert_eq(parse_bytes(&c, u, n, NULL, &opt), 0);
	cr_assert_eq(c.nev, BASE_EVENTS);
	assert_event_time(&c.ev[4], TQ_LOCAL_GIVEN, "2017-05-25T13:52:17.000Z");
	assert_event_time(&c.ev[16], TQ_LOCAL_GIVEN, "2017-05-25T13:52:19.600Z");
	cap_free(&c);
	free(u);
}

Test(parser_msi, file_name_stamp_dates_the_events)
{
	static const char text[] = "MSI (s) (C0:0C) [23:59:59:000]: before midnight\n"
				   "MSI (s) (C0:0C) [00:00:05:000]: after midnight\n";
	struct ec_options opt = { .have_offset = true, .utc_offset_min = -300 };
	struct cap c = { 0 };

	cr_assert_eq(parse_bytes(&c, text, strlen(text),
				 "Synchronization Service_Install-20170525-235950.log", NULL), 0);
	cr_assert_eq(c.nev, 2);
	assert_event_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2017-05-25T23:59:59.000Z");
	assert_event_time(&c.ev[1], TQ_LOCAL_ASSUMED, "2017-05-26T00:00:05.000Z");
	cap_free(&c);
	cr_assert_eq(parse_bytes(&c, text, strlen(text),
				 "Synchronization Service_Install-20170525-235950.log", &opt), 0);
	assert_event_time(&c.ev[0], TQ_LOCAL_GIVEN, "2017-05-26T04:59:59.000Z");
	cap_free(&c);
	/* No header, no stamp: times of day only. */
	cr_assert_eq(parse_str(&c, text), 0);
	cr_assert_eq(c.ev[1].tq, TQ_TIME_OF_DAY);
	cr_assert_eq(c.ev[1].tod, 5000);
	cap_free(&c);
}

Test(parser_msi, multi_line_error_message)
{
	static const char text[] =
		"MSI (s) (2C!64) [15:48:23:562]: Product: P -- Error 25009.\n"
		"The first line of the message.\n"
		"The second line of the message.\n"
		"CustomAction X returned actual error code 1603\n"
		"Action ended 15:48:23: X. Return value 3.\n";
	struct cap c = { 0 };

	for (int crlf = 0; crlf <= 1; crlf++) {
		char buf[sizeof(text) * 2], *o = buf;

		for (const char *p = text; *p; p++) {
			if (*p == '\n' && crlf)
				*o++ = '\r';
			*o++ = *p;
		}
		cr_assert_eq(parse_bytes(&c, buf, (size_t)(o - buf), NULL, NULL), 0);
		cr_assert_eq(c.np, 0);
		cr_assert_eq(c.nev, 3);
		cr_assert_str_eq(c.ev[0].message,
				 "MSI (s) (2C!64) [15:48:23:562]: Product: P -- Error 25009.\n"
				 "The first line of the message.\nThe second line of the message.");
		cr_assert_eq(c.ev[0].event_id, 25009);
		cr_assert_eq(c.ev[0].level, LVL_ERROR);
		cr_assert_eq(c.ev[1].line, 4);
		cr_assert_eq(c.ev[2].line, 5);
		cr_assert_eq(c.na, 1);
		cr_assert_str_eq(c.a[0].name, "X");
		cr_assert_eq(c.a[0].return_value, 3);
		cr_assert_eq(c.a[0].error_number, 25009);
		cr_assert_eq(c.a[0].error_line, 1);
		cr_assert_str_eq(c.a[0].error_text,
				 "The first line of the message.\nThe second line of the message.");
		cr_assert_str_eq(c.a[0].ca_name, "X");
		cr_assert_eq(c.a[0].ca_error, 1603);
		cr_assert_eq(c.a[0].ca_line, 4);
		cr_assert_str_eq(find_fact(&c, "msi.error", "25009")->value,
				 "The first line of the message.");
		cr_assert_str_eq(c.s[0].product, "P");
		cap_free(&c);
	}
}

Test(parser_msi, nested_actions)
{
	static const char text[] =
		"Action start 10:00:00: INSTALL.\n"
		"Action start 10:00:01: InstallExecute.\n"
		"Action start 10:00:02: ConfigDB.\n"
		"CustomAction ConfigDB returned actual error code 1603 (note this may not be 100% "
		"accurate if translation happened inside sandbox)\n"
		"Action ended 10:00:03: ConfigDB. Return value 3.\n"
		"Action ended 10:00:04: InstallExecute. Return value 3.\n"
		"Action ended 10:00:05: INSTALL. Return value 3.\n";
	struct cap c = { 0 };
	const struct cact *a;

	cr_assert_eq(parse_str(&c, text), 0);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.na, 3);
	cr_assert_str_eq(c.a[0].name, "ConfigDB");
	cr_assert_str_eq(c.a[1].name, "InstallExecute");
	cr_assert_str_eq(c.a[2].name, "INSTALL");
	for (size_t i = 0; i < 3; i++) {
		a = &c.a[i];
		cr_assert_eq(a->depth, 2 - i, "%s", a->name);
		cr_assert_eq(a->seq, 3 - i, "%s", a->name);
		cr_assert_eq(a->start_line, 3 - i, "%s", a->name);
		cr_assert_eq(a->end_line, 5 + i, "%s", a->name);
		cr_assert_eq(a->return_value, 3);
		cr_assert_eq(a->start.tod_ms, 36000000 + (2 - (int32_t)i) * 1000);
		cr_assert_eq(a->end.tod_ms, 36003000 + (int32_t)i * 1000);
		cr_assert_eq(a->start.q, TQ_TIME_OF_DAY);
		cr_assert_eq(a->ca_error, 1603);
	}
	cr_assert_str_eq(c.a[0].parent, "InstallExecute");
	cr_assert_str_eq(c.a[1].parent, "INSTALL");
	cr_assert_str_eq(c.a[2].parent, "");
	cr_assert_str_eq(c.ev[3].provider, "ConfigDB");
	a = first_failure(&c);
	cr_assert_not_null(a);
	cr_assert_str_eq(a->name, "ConfigDB");
	cr_assert_eq(count_facts(&c, "msi.action_failed", NULL), 3);
	cr_assert_eq(c.s[0].actions, 3);
	cr_assert_eq(c.s[0].failed_actions, 3);
	cap_free(&c);
}

Test(parser_msi, inner_action_left_open)
{
	static const char text[] =
		"Action start 10:00:00: INSTALL.\n"
		"Action start 10:00:01: A.\n"
		"Action start 10:00:02: B.\n"
		"Action ended 10:00:03: A. Return value 1.\n"
		"Action ended 10:00:04: INSTALL. Return value 1.\n"
		"Action ended 10:00:05: Orphan. Return value 2.\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, text), 0);
	cr_assert_eq(c.na, 4);
	cr_assert_str_eq(c.a[0].name, "B");
	cr_assert_eq(c.a[0].return_value, -1);
	cr_assert_eq(c.a[0].end_line, 0);
	cr_assert_eq(c.a[0].depth, 2);
	cr_assert_str_eq(c.a[0].parent, "A");
	cr_assert_str_eq(c.a[1].name, "A");
	cr_assert_eq(c.a[1].return_value, 1);
	cr_assert_eq(c.a[1].depth, 1);
	cr_assert_str_eq(c.a[1].parent, "INSTALL");
	cr_assert_str_eq(c.a[2].name, "INSTALL");
	cr_assert_eq(c.a[2].depth, 0);
	cr_assert_str_eq(c.a[3].name, "Orphan");
	cr_assert_eq(c.a[3].return_value, 2);
	cr_assert_eq(c.a[3].start_line, 0);
	cr_assert_eq(c.a[3].seq, 4);
	cr_assert_eq(c.a[3].ca_error, -1);
	cr_assert_eq(c.a[3].error_number, -1);
	cr_assert_null(first_failure(&c));
	cr_assert_eq(c.s[0].actions, 4);
	cr_assert_eq(c.s[0].failed_actions, 0);
	cap_free(&c);
}

static const char localdb_log[] =
	"=== Verbose logging started: 5/25/2017  15:50:00  Build type: SHIP UNICODE 5.00.10011.00  "
	"Calling process: C:\\Windows\\system32\\msiexec.exe ===\n"
	"Action start 15:50:01: INSTALL.\n"
	"Action ended 15:50:05: INSTALL. Return value 1.\n"
	"Property(S): ProductName = Microsoft SQL Server 2019 LocalDB\n"
	"Property(S): ProductVersion = 15.0.2000.5\n"
	"MSI (s) (10:20) [15:50:06:000]: Product: Microsoft SQL Server 2019 LocalDB -- "
	"Installation completed successfully.\n"
	"MSI (s) (10:20) [15:50:06:001]: Windows Installer installed the product. Product Name: "
	"Microsoft SQL Server 2019 LocalDB. Product Version: 15.0.2000.5. Product Language: 1033. "
	"Manufacturer: Microsoft Corporation. Installation success or error status: 0.\n"
	"MSI (s) (10:20) [15:50:06:100]: MainEngineThread is returning 0\n"
	"=== Verbose logging stopped: 5/25/2017  15:50:06 ===\n";

Test(parser_msi, two_sessions)
{
	struct cap c = { 0 };
	size_t n1 = strlen(localdb_log), n2 = strlen(base_log);
	char *text = malloc(n1 + n2 + 1);
	const struct csess *s;

	cr_assert_not_null(text);
	memcpy(text, localdb_log, n1);
	memcpy(text + n1, base_log, n2 + 1);
	cr_assert_eq(parse_str(&c, text), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 0);
	cr_assert_eq(c.ns, 2);
	s = &c.s[0];
	cr_assert_eq(s->session, 1);
	cr_assert_eq(s->start_line, 1);
	cr_assert_eq(s->end_line, 9);
	cr_assert_str_eq(s->product, "Microsoft SQL Server 2019 LocalDB");
	cr_assert_str_eq(s->version, "15.0.2000.5");
	cr_assert_str_eq(s->result, "Installation completed successfully.");
	cr_assert_eq(s->status, 0);
	cr_assert_eq(s->engine_return, 0);
	cr_assert_eq(s->actions, 1);
	cr_assert_eq(s->failed_actions, 0);
	cr_assert(s->footer);
	s = &c.s[1];
	cr_assert_eq(s->session, 2);
	cr_assert_eq(s->start_line, 10);
	cr_assert_eq(s->end_line, 27);
	cr_assert_str_eq(s->product, ENGINE);
	cr_assert_str_eq(s->version, "1.1.614.0");
	cr_assert_str_eq(s->result, "Installation failed.");
	cr_assert_eq(s->status, 1603);
	cr_assert_eq(s->engine_return, 1603);
	cr_assert_eq(s->actions, 2);
	cr_assert_eq(s->failed_actions, 2);
	cr_assert_eq(c.na, 3);
	cr_assert_eq(c.a[0].session, 1);
	cr_assert_eq(c.a[1].session, 2);
	cr_assert_eq(c.a[2].session, 2);
	cr_assert_eq(c.a[1].seq, 3, "seq counts through the file");
	cr_assert_eq(c.a[2].seq, 2);
	cr_assert_eq(count_facts(&c, "engine.msi_version", NULL), 1);
	cr_assert_str_eq(find_fact(&c, "msi.status", "Microsoft SQL Server 2019 LocalDB")->value, "0");
	cr_assert_str_eq(find_fact(&c, "msi.status", ENGINE)->value, "1603");
	cr_assert_str_eq(c.s[0].started, "5/25/2017 15:50:00");
	cr_assert_str_eq(c.s[1].started, "5/25/2017 15:52:17");
	cr_assert(c.s[1].footer);
	cap_free(&c);
	free(text);
}

Test(parser_msi, midnight_rollover)
{
	static const char text[] =
		"=== Verbose logging started: 5/25/2017  23:59:50  Build type: SHIP UNICODE "
		"5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ===\n"
		"MSI (s) (C0:0C) [23:59:59:000]: before midnight\n"
		"MSI (s) (C0:0C) [00:00:05:000]: after midnight\n"
		"=== Verbose logging stopped: 5/26/2017  0:00:06 ===\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, text), 0);
	cr_assert_eq(c.nev, 4);
	assert_event_time(&c.ev[0], TQ_LOCAL_ASSUMED, "2017-05-25T23:59:50.000Z");
	assert_event_time(&c.ev[1], TQ_LOCAL_ASSUMED, "2017-05-25T23:59:59.000Z");
	assert_event_time(&c.ev[2], TQ_LOCAL_ASSUMED, "2017-05-26T00:00:05.000Z");
	assert_event_time(&c.ev[3], TQ_LOCAL_ASSUMED, "2017-05-26T00:00:06.000Z");
	cap_free(&c);
}

/* ---- damaged and odd input ---------------------------------------------- */

/* A file cut mid-line: the part of the line is an event, and the cut is
 * reported on that line (lr_next() clears lr.unterminated on the call that
 * returns 0: the parser must remember it from the last line). */
Test(parser_msi, cut_mid_line)
{
	struct cap c = { 0 };
	size_t n = (size_t)(strstr(base_log, "MainEngineThread") - base_log) + 10;
	const struct cprob *p;
	uint64_t line = 0;

	cr_assert_eq(parse_bytes(&c, base_log, n, NULL, NULL), 0);
	dump_problems(&c);
	cr_assert_eq(c.nev, 17);
	cr_assert_str_eq(c.ev[16].message, "MSI (s) (C0:0C) [15:52:19:600]: MainEngine");
	cr_assert_eq(c.ns, 1);
	cr_assert_eq(c.s[0].engine_return, -1);
	cr_assert_not(c.s[0].footer);
	cr_assert_not_null(find_problem(&c, "logging stopped"));
	p = find_problem(&c, "no line end");
	if (p)
		line = p->line;
	cap_free(&c);
	cr_assert_not_null(p, "no 'no line end' problem for a file cut mid-line");
	cr_assert_eq(line, 17);
}

Test(parser_msi, cut_mid_utf16_character)
{
	struct cap c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(base_log, true, true, &n);
	bool no_line_end;

	cr_assert_eq(parse_bytes(&c, u, n - 3, NULL, NULL), 0);	/* odd: half a unit */
	free(u);
	dump_problems(&c);
	cr_assert_eq(c.nev, BASE_EVENTS);
	cr_assert_not_null(find_problem(&c, "invalid utf-16"));
	cr_assert_str_eq(c.ev[BASE_EVENTS - 1].message,
			 "=== Verbose logging stopped: 5/25/2017  15:52:19 ===\xEF\xBF\xBD");
	cr_assert_eq(c.ns, 1);
	cr_assert(c.s[0].footer);
	no_line_end = find_problem(&c, "no line end") != NULL;
	cap_free(&c);
	cr_assert(no_line_end, "no 'no line end' problem for a file cut mid-character");
}

Test(parser_msi, header_without_footer)
{
	struct cap c = { 0 };
	size_t n = (size_t)(strstr(base_log, "=== Verbose logging stopped") - base_log);
	const struct cprob *p;

	cr_assert_eq(parse_bytes(&c, base_log, n, NULL, NULL), 0);
	cr_assert_eq(c.nev, BASE_EVENTS - 1);
	cr_assert_eq(c.ns, 1);
	cr_assert_not(c.s[0].footer);
	cr_assert_null(find_problem(&c, "no line end"));
	p = find_problem(&c, "logging stopped");
	cr_assert_not_null(p);
	cr_assert_eq(p->line, 1);
	cap_free(&c);
}

Test(parser_msi, no_msi_line)
{
	struct cap c = { 0 };
	const struct cprob *p;

	cr_assert_eq(parse_str(&c, "hello\nworld\n"), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.np, 1);
	p = find_problem(&c, "no Windows Installer line found");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->message, "no Windows Installer line found in 2 lines");
	cap_free(&c);
	/* Empty input: no records, no session, the same problem. */
	cr_assert_eq(parse_bytes(&c, "", 0, NULL, NULL), 0);
	cr_assert_eq(c.nev, 0);
	cr_assert_eq(c.ns, 0);
	cr_assert_eq(c.na, 0);
	cr_assert_not_null(find_problem(&c, "no Windows Installer line found in 0 lines"));
	cap_free(&c);
}

static const char ambiguous_log[] =
	"=== Verbose logging started: 5/6/2017  10:00:00  Build type: SHIP UNICODE 5.00.10011.00  "
	"Calling process: C:\\Windows\\system32\\msiexec.exe ===\n"
	"MSI (s) (C0:0C) [10:00:01:000]: x\n"
	"=== Verbose logging stopped: 5/6/2017  10:00:02 ===\n";

Test(parser_msi, ambiguous_header_date)
{
	struct cap c = { 0 };
	const struct cprob *p;

	cr_assert_eq(parse_str(&c, ambiguous_log), 0);
	p = find_problem(&c, "read as 2017-05-06");
	cr_assert_not_null(p);
	cr_assert_eq(p->line, 1);
	cr_assert_eq(c.np, 1);
	assert_event_time(&c.ev[1], TQ_LOCAL_ASSUMED, "2017-05-06T10:00:01.000Z");
	cap_free(&c);
}

Test(parser_msi, ambiguous_header_date_settled_by_name)
{
	struct cap c = { 0 };

	cr_assert_eq(parse_bytes(&c, ambiguous_log, strlen(ambiguous_log),
				 "Synchronization Service_Install-20170605-100000.log", NULL), 0);
	cr_assert_eq(c.np, 0);
	/* The header's date, day first as the name says (the stamp alone
	 * would give the same day: the header's own text must be read too). */
	cr_assert_str_eq(c.s[0].started, "5/6/2017 10:00:00");
	assert_event_time(&c.ev[1], TQ_LOCAL_ASSUMED, "2017-06-05T10:00:01.000Z");
	cap_free(&c);
}

Test(parser_msi, bad_header_date)
{
	static const char text[] =
		"=== Verbose logging started: 13/13/2017  10:00:00  Build type: SHIP UNICODE "
		"5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ===\n"
		"MSI (s) (C0:0C) [10:00:01:000]: x\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, text), 0);
	cr_assert_eq(c.nev, 2);
	cr_assert_eq(c.ev[1].tq, TQ_TIME_OF_DAY);
	cr_assert_eq(c.ev[1].tod, 36001000);
	cr_assert_not_null(find_problem(&c, "header date '13/13/2017 10:00:00' not understood"));
	cap_free(&c);
}

Test(parser_msi, byte_at_a_time)
{
	struct cap ref = { 0 }, c = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(base_log, true, true, &n);

	cr_assert_eq(parse_str(&ref, base_log), 0);
	cr_assert_eq(cap_parse(&c, cap_format("msi"), u, n, 1, NULL, NULL), 0);
	assert_same(&ref, &c);
	cap_free(&c);
	cap_free(&ref);
	free(u);
}

/* ---- sniffing ----------------------------------------------------------- */

static int
sniff_text(const char *text, const struct ec_format **best)
{
	struct ec_sniff s = { 0 };

	s.raw = (const unsigned char *)text;
	s.raw_len = strlen(text);
	s.enc = enc_sniff(s.raw, s.raw_len);
	s.text = text;
	s.text_len = s.raw_len;
	*best = ec_format_sniff(&s);
	return cap_format("msi")->sniff(&s);
}

Test(parser_msi, sniff)
{
	const struct ec_format *best;

	cr_assert_str_eq(cap_format("msi")->name, "msi");
	cr_assert_not(cap_format("msi")->binary);
	cr_assert_eq(sniff_text("MSI (s) (C0:0C) [15:52:17:386]: x\r\n", &best), 95);
	cr_assert_eq(best, cap_format("msi"));
	cr_assert_eq(sniff_text("Action start 15:52:17: INSTALL.\n", &best), 75);
	cr_assert_eq(sniff_text("some text\nMSI (s) (C0:0C) [15:52:17:386]: x\n", &best), 55);
	cr_assert_eq(sniff_text("=== Build log ===\nsome text\n", &best), 0);
	/* no format of its own: read as plain text (issue 13) */
	cr_assert_not_null(best);
	cr_assert_str_eq(best->name, "text");
	cr_assert_eq(sniff_text("[10:44:23.095] [ 1] [INFO ] x\n", &best), 0);
	cr_assert_not_null(best);
	cr_assert_str_eq(best->name, "trace");
	cr_assert_eq(sniff_text("", &best), 0);
	/* A header first line: 95 (not 55 from the engine line after it). */
	cr_assert_eq(sniff_text(HEADER "\r\nMSI (c) (A8:2C) [15:52:17:100]: x\r\n", &best), 95);
	cr_assert_eq(best, cap_format("msi"));
	cr_assert_eq(sniff_text(HEADER "\r\n", &best), 95);
}

/* Real verbose logs hold "=== Logging started/stopped" lines around their UI
 * part, and a major upgrade logs the removal of the old version before the
 * new one's summary: one session, the new version, the final status. */
Test(parser_msi, verbose_session_with_inner_markers_and_removal)
{
	static const char log[] =
		"=== Verbose logging started: 5/12/2026  08:01:02  Build type: SHIP UNICODE 5.00.10011.00  "
		"Calling process: C:\\Windows\\system32\\msiexec.exe ===\r\n"
		"MSI (c) (2C:74) [08:01:02:100]: Resetting cached policy values\r\n"
		"=== Logging started: 5/12/2026  08:01:03 ===\r\n"
		"Action start 08:01:03: INSTALL.\r\n"
		"MSI (s) (E4:10) [08:01:22:962]: Windows Installer removed the product. Product Name: "
		ENGINE ". Product Version: 2.1.20.0. Product Language: 1033. Manufacturer: Microsoft "
		"Corporation. Removal success or error status: 0.\r\n"
		"Action ended 08:02:38: INSTALL. Return value 1.\r\n"
		"Property(S): ProductVersion = 2.2.8.0\r\n"
		"=== Logging stopped: 5/12/2026  08:02:38 ===\r\n"
		"MSI (c) (2C:74) [08:02:39:303]: Windows Installer installed the product. Product Name: "
		ENGINE ". Product Version: 2.2.8.0. Product Language: 1033. Manufacturer: Microsoft "
		"Corporation. Installation success or error status: 0.\r\n"
		"MSI (c) (2C:74) [08:02:39:310]: MainEngineThread is returning 0\r\n"
		"=== Verbose logging stopped: 5/12/2026  08:02:39 ===\r\n";
	struct cap c = { 0 };

	cr_assert_eq(parse_str(&c, log), 0);
	dump_problems(&c);
	cr_assert_eq(c.np, 1, "only the ambiguous 5/12/2026");
	cr_assert_eq(c.ns, 1, "inner Logging started/stopped lines do not split the session");
	cr_assert_eq(c.s[0].start_line, 1);
	cr_assert_eq(c.s[0].end_line, 11);
	cr_assert_str_eq(c.s[0].version, "2.2.8.0");
	cr_assert_eq(c.s[0].status, 0);
	cr_assert(c.s[0].footer);
	cr_assert_str_eq(find_fact(&c, "msi.removed_version", ENGINE)->value, "2.1.20.0");
	cr_assert_str_eq(find_fact(&c, "engine.msi_version", NULL)->value, "2.2.8.0");
	cap_free(&c);
}
