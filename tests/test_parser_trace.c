/* SPDX-License-Identifier: MIT */
/* test_parser_trace.c - the wizard trace log parser: line grammar, sniffing,
 * records, dating, facts and damaged input. Corpus excerpts are read from
 * ECDIAG_CORPUS; the samples from ECDIAG_SRC (or the working directory). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/encoding.h"
#include "common/timeutil.h"
#include "parser/fmt_trace.h"
#include "parser/parser.h"
#include "support/capture.h"
#include "support/guardbuf.h"
#include "support/testutil.h"

extern const struct ec_format fmt_trace;

#define QA684879 "text/trace/qa684879_trace-2.0.89.0_WS2019_stale-product-code_" \
	"GetADSyncGlobalSettingsParameter-not-recognized.NORMALIZED-EXCERPT.txt"
#define QA26314 "text/trace/qa26314_trace-1.5.30.0_WS2016_ADAL_password-policy.NORMALIZED-EXCERPT.txt"
#define SYSOPS "text/trace/sysopslife_trace_sync-rule-import-failure_AddADSyncRule_" \
	"undefined-extension-attribute.NORMALIZED-EXCERPT.txt"

/* ---- parsing into the capture sink ------------------------------------- */

/* Parse n bytes as the input called name, chunk bytes per read (0: any). */
static int
parse_into(struct cap *t, const void *data, size_t n, const char *name,
	   const struct ec_options *opt, size_t chunk)
{
	return cap_parse(t, &fmt_trace, data, n, chunk, opt, name);
}

static int
parse_str(struct cap *t, const char *text, const char *name)
{
	return parse_into(t, text, strlen(text), name, NULL, 0);
}

static char *
load_corpus(const char *rel, size_t *n)
{
	char *p = corpus_excerpt(rel, n);

	if (!p)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", rel);
	return p;
}

static size_t
count_level(const struct cap *t, enum ec_level l)
{
	size_t k = 0;

	for (size_t i = 0; i < t->nev; i++)
		k += t->ev[i].level == l;
	return k;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && memcmp(s + n - k, tail, k) == 0;
}

static void
iso(int64_t ms, char out[32])
{
	ms_to_iso(ms, out);
}

static size_t
count_str(const char *hay, const char *needle)
{
	size_t k = 0, n = strlen(needle);

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += n)
		k++;
	return k;
}

/* UTF-8 (valid) to UTF-16LE, with a BOM if bom. */
static unsigned char *
to_utf16le(const char *s, size_t n, bool bom, size_t *out_n)
{
	unsigned char *o = malloc(n * 4 + 2);
	size_t k = 0;

	cr_assert_not_null(o);
	if (bom) {
		o[k++] = 0xFF;
		o[k++] = 0xFE;
	}
	for (size_t i = 0; i < n;) {
		unsigned c = (unsigned char)s[i], cp;
		size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

		cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
		for (size_t j = 1; j < len; j++)
			cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
		i += len;
		if (cp >= 0x10000) {
			unsigned hi = 0xD800 + ((cp - 0x10000) >> 10), lo = 0xDC00 + (cp & 0x3FF);

			o[k++] = (unsigned char)hi;
			o[k++] = (unsigned char)(hi >> 8);
			cp = lo;
		}
		o[k++] = (unsigned char)cp;
		o[k++] = (unsigned char)(cp >> 8);
	}
	*out_n = k;
	return o;
}

static void
assert_same(const struct cap *a, const struct cap *b)
{
	cr_assert_eq(a->nev, b->nev, "events %zu != %zu", a->nev, b->nev);
	for (size_t i = 0; i < a->nev; i++) {
		const struct cev *x = &a->ev[i], *y = &b->ev[i];

		cr_assert_eq(x->line, y->line, "event %zu line", i);
		cr_assert_eq(x->offset, y->offset, "event %zu offset", i);
		cr_assert_eq(x->time_ms, y->time_ms, "event %zu time", i);
		cr_assert_eq(x->tod, y->tod);
		cr_assert_eq(x->tq, y->tq);
		cr_assert_eq(x->level, y->level);
		cr_assert_str_eq(x->thread, y->thread);
		cr_assert_str_eq(x->provider, y->provider);
		cr_assert_eq(x->message_len, y->message_len, "event %zu message length", i);
		cr_assert(memcmp(x->message, y->message, x->message_len) == 0, "event %zu message", i);
	}
	cr_assert_eq(a->nf, b->nf, "facts %zu != %zu", a->nf, b->nf);
	for (size_t i = 0; i < a->nf; i++) {
		cr_assert_str_eq(a->f[i].name, b->f[i].name);
		cr_assert_str_eq(a->f[i].key, b->f[i].key);
		cr_assert_str_eq(a->f[i].value, b->f[i].value);
		cr_assert_eq(a->f[i].after, b->f[i].after);
	}
	cr_assert_eq(a->np, b->np, "problems %zu != %zu", a->np, b->np);
	for (size_t i = 0; i < a->np; i++) {
		cr_assert_str_eq(a->p[i].message, b->p[i].message);
		cr_assert_eq(a->p[i].line, b->p[i].line);
	}
}

/* CONSTRUCTED from the grammar in FORMATS-AND-SIGNATURES.md a.2-a.6: a 2.x
 * run header after MSAL logger lines, detection lines and a multi-line
 * exception record with a non-ASCII apostrophe. 14 records, 1 ERROR. */
static const char constructed[] =
	"[10:15:02.100] [  1] [INFO ] Setting default logger for MSAL provider..\n"
	"[10:15:02.110] [  1] [INFO ] Default logger set successfully.\n"
	"[10:15:02.200] [  1] [INFO ] \n"
	"[10:15:02.200] [  1] [INFO ] Application starting\n"
	"[10:15:02.200] [  1] [INFO ] Start Time (Local): Sun, 10 May 2026 10:15:02 GMT\n"
	"[10:15:02.200] [  1] [INFO ] Start Time (UTC): Sun, 10 May 2026 08:15:02 GMT\n"
	"[10:15:02.200] [  1] [INFO ] Application Version: 2.2.8.0\n"
	"[10:15:03.000] [  1] [INFO ] The current operating system version is 10.0.14393, "
	"the requirement is 6.1.7601.\n"
	"[10:15:03.010] [  1] [VERB ] Package=Microsoft Azure AD Connect synchronization services, Version=1.6.16.0, "
	"ProductCode=0ef6b4d5-9f68-4a5f-a3e0-2b10c3a5a6e1, UpgradeCode=545334d7-13cd-4bab-8da1-2775fa8cf7c2\n"
	"[10:15:03.020] [  1] [INFO ] AzureADSyncEngineComponent: Product Azure AD Sync Engine (version 1.6.16.0) "
	"is installed, needs to be upgraded to version 2.2.8.0.\n"
	"[10:15:03.030] [ 12] [ERROR] Caught an exception while creating the initial page set on the root page.\n"
	"Exception Data (Raw): System.InvalidOperationException: Service ADSync was not found on computer '.'.\n"
	"   --- End of inner exception stack trace ---\n"
	"   at System.ServiceProcess.ServiceController.GenerateNames()\n"
	"[10:15:03.040] [ 12] [WARN ] PerformConfigurationPageViewModel: We encountered a problem "
	"and couldn\xE2\x80\x99t complete the integration.\n"
	"[10:15:03.050] [  1] [INFO ] AzureConfigurationFromPrincipalName: Successfully resolved "
	"UPN (@contoso.com) to the Worldwide Azure instance. \n"
	"Resolution Method [Registry Configuration]: Worldwide.\n"
	"[10:15:03.060] [  1] [INFO ] Opened log file at path "
	"C:\\ProgramData\\AADConnect\\trace-20260510-101502.log\n";

#define CONSTRUCTED_RECORDS 14

/* ---- the line grammar -------------------------------------------------- */

struct line_case {
	const char *line;
	bool ok;
	int tod;
	const char *thread, *word;
	enum ec_level level;
	const char *message;
};

static const struct line_case line_cases[] = {
	{ "[15:57:29.988] [  1] [INFO ] Setting default logger for MSAL provider..", true,
	  57449988, "1", "INFO", LVL_INFO, "Setting default logger for MSAL provider.." },
	{ "[22:30:12.376] [ 1] [INFO ] ", true, 81012376, "1", "INFO", LVL_INFO, "" },
	{ "[22:30:12.376] [ 1] [INFO ]", true, 81012376, "1", "INFO", LVL_INFO, "" },
	{ "[19:54:05.912] [ 26] [ERROR] Out to AAD", true, 71645912, "26", "ERROR", LVL_ERROR,
	  "Out to AAD" },
	{ "[15:57:32.597] [  1] [VERB ] Scheduler", true, 57452597, "1", "VERB", LVL_VERBOSE,
	  "Scheduler" },
	{ "[15:57:34.019] [  1] [WARN ] CheckInstallationState: x", true, 57454019, "1", "WARN",
	  LVL_WARN, "CheckInstallationState: x" },
	{ "[00:00:00.000][1][I]", true, 0, "1", "I", LVL_NONE, "" },
	{ "[23:59:59.999] [123] [INFORMATIONAL] x", true, 86399999, "123", "INFORMATIONAL",
	  LVL_INFO, "x" },
	{ "[01:02:03.004] [ 7] [DEBUG] d", true, 3723004, "7", "DEBUG", LVL_VERBOSE, "d" },
	{ "[01:02:03.004] [ 7] [FATAL] d", true, 3723004, "7", "FATAL", LVL_CRITICAL, "d" },
	{ "[01:02:03.004] [ 7] [CRITICAL] d", true, 3723004, "7", "CRITICAL", LVL_CRITICAL, "d" },
	{ "[01:02:03.004] [ 7] [TRACE] d", true, 3723004, "7", "TRACE", LVL_NONE, "d" },
	{ "[01:02:03.004] [  7] [INFO ]  two", true, 3723004, "7", "INFO", LVL_INFO, " two" },
	{ "[01:02:03.004]   [  7]   [ INFO  ] x", true, 3723004, "7", "INFO", LVL_INFO, "x" },
	{ "[01:02:03.004] [1234567890] [INFO ] x", true, 3723004, "1234567890", "INFO", LVL_INFO,
	  "x" },
	{ "[01:02:03.004] [  7] [INFO ] [12:00:00.000] [1] [INFO ] nested", true, 3723004, "7",
	  "INFO", LVL_INFO, "[12:00:00.000] [1] [INFO ] nested" },
	{ "", false, 0, NULL, NULL, 0, NULL },
	{ "[", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988]", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [  1]", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [  1] [INFO ", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [  1] [INFO x", false, 0, NULL, NULL, 0, NULL },
	{ "[24:00:00.000] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[23:60:00.000] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[23:59:60.000] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.98] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29,988] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[1:57:29.988] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [ a] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [1 ] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [12345678901] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [1] [info ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [1] [] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988] [1] [   ] x", false, 0, NULL, NULL, 0, NULL },
	{ "[15:57:29.988]x[1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ " [15:57:29.988] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
	{ "MSI (s) (C0!08) [15:52:17:605]: Product: x", false, 0, NULL, NULL, 0, NULL },
	{ "   at System.ServiceProcess.ServiceController.GenerateNames()", false, 0, NULL, NULL, 0,
	  NULL },
	{ "Exception rethrown at [0]: ", false, 0, NULL, NULL, 0, NULL },
	{ "[ab:cd:ef.ghi] [1] [INFO ] x", false, 0, NULL, NULL, 0, NULL },
};

Test(parser_trace, line_grammar)
{
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		size_t n = strlen(c->line);
		const char *g = guard_copy(c->line, n);
		struct trace_line tl;
		bool ok = trace_line_parse(sv_make(g, n), &tl);

		cr_assert_eq(ok, c->ok, "case %zu \"%s\": got %d", i, c->line, ok);
		if (!ok)
			continue;
		cr_assert_eq(tl.tod_ms, c->tod, "case %zu tod %d", i, tl.tod_ms);
		cr_assert(sv_eq(tl.thread, c->thread), "case %zu thread", i);
		cr_assert(sv_eq(tl.level_word, c->word), "case %zu level word", i);
		cr_assert_eq(tl.level, c->level, "case %zu level", i);
		cr_assert(sv_eq(tl.message, c->message), "case %zu message \"%.*s\"", i,
			  (int)tl.message.n, tl.message.p);
	}
}

Test(parser_trace, line_grammar_every_prefix)
{
	/* A record line is complete once its level's ']' is in. */
	static const char line[] = "[15:57:29.988] [  1] [INFO ] msg";
	size_t need = strlen("[15:57:29.988] [  1] [INFO ]");

	for (size_t k = 0; k <= sizeof(line) - 1; k++) {
		struct trace_line tl;
		bool ok = trace_line_parse(sv_make(guard_copy(line, k), k), &tl);

		cr_assert_eq(ok, k >= need, "prefix of %zu bytes", k);
	}
}

/* ---- sniffing ---------------------------------------------------------- */

struct sniff_case {
	const char *what;
	const char *text;	/* NULL: binary input */
	int score;
};

static const struct sniff_case sniff_cases[] = {
	{ "record first", "[15:57:29.988] [  1] [INFO ] x\nmore\n", 90 },
	{ "bom, then a record", "\xEF\xBB\xBF[15:57:29.988] [  1] [INFO ] x\r\n", 90 },
	{ "blank lines first", "\r\n\r\n   \n[15:57:29.988] [  1] [INFO ] x\r\n", 90 },
	{ "cut after the level", "[15:57:29.988] [  1] [INFO ]", 90 },
	{ "second line", "junk\n[15:57:29.988] [ 1] [WARN ] x\n", 60 },
	{ "20th line", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n"
		       "[15:57:29.988] [1] [ERROR] x\n", 60 },
	{ "21st line", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
		       "[15:57:29.988] [1] [ERROR] x\n", 0 },
	{ "msi log", "MSI (s) (C0:0C) [15:52:17:386]: PROPERTY CHANGE: Adding x\n", 0 },
	{ "prose", "hello world\nthe wizard failed\n", 0 },
	{ "empty", "", 0 },
	{ "binary", NULL, 0 },
};

Test(parser_trace, sniff)
{
	for (size_t i = 0; i < sizeof(sniff_cases) / sizeof(sniff_cases[0]); i++) {
		const struct sniff_case *c = &sniff_cases[i];
		struct ec_sniff s;
		size_t n = c->text ? strlen(c->text) : 0;
		const char *g = guard_copy(c->text ? c->text : "", n);

		memset(&s, 0, sizeof(s));
		s.raw = (const unsigned char *)g;
		s.raw_len = n;
		s.enc = enc_sniff(s.raw, n);
		s.text = c->text ? g : NULL;
		s.text_len = n;
		s.name = "x.log";
		cr_assert_eq(fmt_trace.sniff(&s), c->score, "%s", c->what);
	}
}

Test(parser_trace, binary_junk)
{
	unsigned char junk[4096];
	uint32_t x = 2463534242u;
	struct ec_sniff s;
	struct cap t = { 0 };

	for (size_t i = 0; i < sizeof(junk); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (unsigned char)x;
	}
	memset(&s, 0, sizeof(s));
	s.raw = junk;
	s.raw_len = sizeof(junk);
	s.enc = enc_sniff(junk, sizeof(junk));
	cr_assert_eq(s.enc.enc, ENC_BINARY);
	cr_assert_eq(fmt_trace.sniff(&s), 0);
	/* Even read as text it is not a trace. */
	s.text = (const char *)guard_copy(junk, sizeof(junk));
	s.text_len = sizeof(junk);
	cr_assert_eq(fmt_trace.sniff(&s), 0);
	cr_assert_eq(parse_into(&t, junk, sizeof(junk), "junk.bin", NULL, 0), 0);
	cr_assert_eq(t.nev, 0);
	cr_assert_eq(t.nf, 0);
	cr_assert_not_null(find_problem(&t, "no trace record found"));
	cap_free(&t);
}

/* ---- the real excerpts ------------------------------------------------- */

struct corpus_case {
	const char *rel;
	size_t records, errors, warns, infos, verbs;
};

/* Counted independently of the parser: the excerpt with its "# ", "#####"
 * and "#" lines removed, then
 *   grep -cE '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] *\[ *[0-9]+\] *\[ *[A-Z]+ *\]'
 * for records, and the bracketed level word of the same matches
 * (grep -oE ... | sort | uniq -c) for the levels. */
static const struct corpus_case corpus_cases[] = {
	{ QA684879, 128, 1, 4, 112, 11 },
	{ QA26314, 63, 1, 0, 57, 5 },
	{ SYSOPS, 8, 4, 0, 4, 0 },
};

Test(parser_trace, corpus_counts)
{
	for (size_t i = 0; i < sizeof(corpus_cases) / sizeof(corpus_cases[0]); i++) {
		const struct corpus_case *c = &corpus_cases[i];
		struct cap t = { 0 };
		size_t n;
		char *text = load_corpus(c->rel, &n);

		cr_assert_eq(parse_into(&t, text, n, NULL, NULL, 0), 0);
		cr_assert_eq(t.nev, c->records, "%s: %zu records", c->rel, t.nev);
		cr_assert_eq(count_level(&t, LVL_ERROR), c->errors, "%s errors", c->rel);
		cr_assert_eq(count_level(&t, LVL_WARN), c->warns, "%s warnings", c->rel);
		cr_assert_eq(count_level(&t, LVL_INFO), c->infos, "%s info", c->rel);
		cr_assert_eq(count_level(&t, LVL_VERBOSE), c->verbs, "%s verbose", c->rel);
		cr_assert_eq(t.np, 0, "%s: unexpected problem \"%s\"", c->rel,
			     t.np ? t.p[0].message : "");
		for (size_t k = 0; k < t.nev; k++) {
			const char *m = t.ev[k].message;
			size_t mn = t.ev[k].message_len;

			cr_assert_eq(t.ev[k].event_id, -1);
			cr_assert(mn == 0 || (m[mn - 1] != '\n' && m[mn - 1] != ' '),
				  "%s event %zu has trailing white space", c->rel, k);
			if (k)
				cr_assert_gt(t.ev[k].line, t.ev[k - 1].line);
		}
		cap_free(&t);
		free(text);
	}
}

Test(parser_trace, corpus_multiline_records)
{
	struct cap t = { 0 };
	const struct cev *e = NULL;
	size_t n;
	char *text = load_corpus(QA684879, &n);

	cr_assert_eq(parse_into(&t, text, n, NULL, NULL, 0), 0);
	for (size_t i = 0; i < t.nev; i++) {
		if (t.ev[i].level == LVL_ERROR)
			e = &t.ev[i];
	}
	cr_assert_not_null(e);
	cr_assert(strncmp(e->message, "Configuration policy could not be retrieved", 43) == 0);
	cr_assert_eq(count_str(e->message, "\n   at "), 12, "frames: %zu",
		     count_str(e->message, "\n   at "));
	cr_assert_eq(count_str(e->message, "\n"), 12);
	cr_assert(strstr(e->message, "SyncDataProvider.LoadSettings(IAadSyncContext"));
	/* MSAL request block and the Azure instance resolution line. */
	cr_assert_not_null(strstr(text, "=== Request Data ==="));
	for (size_t i = 0; i < t.nev; i++) {
		if (strstr(t.ev[i].message, "=== Request Data ===")) {
			cr_assert(strstr(t.ev[i].message, "\nAuthority Provided? - True\n"));
			cr_assert_str_eq(t.ev[i].provider, "MSAL");
		}
		if (strncmp(t.ev[i].message, "AzureConfigurationFromPrincipalName:", 36) == 0)
			cr_assert(strstr(t.ev[i].message,
					 "instance. \nResolution Method [Registry Configuration]: Worldwide."));
	}
	cap_free(&t);
	free(text);

	text = load_corpus(SYSOPS, &n);
	cr_assert_eq(parse_into(&t, text, n, NULL, NULL, 0), 0);
	e = &t.ev[0];
	cr_assert_eq(e->level, LVL_ERROR);
	cr_assert_eq(e->line, 1);
	cr_assert(strstr(e->message, "\nException Data (Raw): Microsoft.Online.Deployment."));
	cr_assert(strstr(e->message, "\nException rethrown at [0]: \n"));
	cr_assert(strstr(e->message, "AddADSyncRuleCmdlet\n\n\nException Data (Raw)"));
	cr_assert(strstr(e->message, "\nServer stack trace: \n"));
	cr_assert_str_eq(strrchr(e->message, '\n'),
			 "\n  at Microsoft.Online.Deployment.Framework.Workflow.WorkflowTask.ExecuteWrapper()");
	cr_assert_eq(t.ev[1].line, 28);
	/* The last record keeps its cmdlet line; U+2019 survives. */
	cr_assert(strstr(t.ev[7].message, "\nMicrosoft.IdentityManagement.PowerShell.Cmdlet.AddADSyncRuleCmdlet"));
	cr_assert(strstr(t.ev[6].message, "couldn\xE2\x80\x99t complete"));
	cr_assert_str_eq(t.ev[6].provider, "PerformConfigurationPageViewModel");
	cap_free(&t);
	free(text);
}

struct fact_case {
	const char *rel;
	const char *name, *key, *value;
};

static const struct fact_case fact_cases[] = {
	{ QA684879, "wizard.version", "", "2.0.89.0" },
	{ QA684879, "wizard.start_local", "", "2022-01-05T15:57:30" },
	{ QA684879, "wizard.start_utc", "", "2022-01-05T23:57:30Z" },
	{ QA684879, "wizard.utc_offset", "", "-08:00" },
	{ QA684879, "wizard.build_id", "",
	  "AD-IAM-HybridSync master (7c62acb9afcb810e9b9d233239f773e25116b859)" },
	{ QA684879, "os.version", "", "10.0.17763" },
	{ QA684879, "os.sku", "", "80" },
	{ QA684879, "dotnet.release", "", "461814" },
	{ QA684879, "tls12.status", "", "properly configured" },
	{ QA684879, "component.package", "Microsoft SQL Server 2019 LocalDB", "15.0.4138.2" },
	{ QA684879, "component.package", "Microsoft Azure AD Connect", "2.0.89.0" },
	{ QA684879, "component.installed", "Microsoft SQL Server 2019 LocalDB", "15.0.4138.2" },
	{ QA684879, "component.installed", "Azure AD Sync Engine", "not installed" },
	{ QA684879, "component.installed", "Microsoft Directory Sync Tool", "not installed" },
	{ QA684879, "component.installed", "Azure Active Directory Connect", "2.0.89.0" },
	{ QA684879, "msi.stale_product_code", "d61eb959-f2d1-4170-be64-4dc367f451ea",
	  "b6af168b-9c68-47ed-b75d-3335c5152d2a" },
	{ QA26314, "wizard.version", "", "1.5.30.0" },
	{ QA26314, "wizard.start_local", "", "2020-05-08T22:30:12" },
	{ QA26314, "wizard.start_utc", "", "2020-05-09T03:30:12Z" },
	{ QA26314, "wizard.utc_offset", "", "-05:00" },
	{ QA26314, "wizard.build_id", "", "AD-IAM-HybridSync master (5e597c78f)" },
	{ QA26314, "os.version", "", "10.0.14393" },
	{ QA26314, "os.sku", "", "7" },
	{ QA26314, "component.package", "Microsoft SQL Server 2012 Express LocalDB", "11.4.7469.6" },
	{ QA26314, "component.installed", "Microsoft SQL Server 2012 Express LocalDB",
	  "11.4.7469.6" },
};

/* Facts that must not appear (or appear once) in an excerpt. */
static const struct fact_count_case {
	const char *rel;
	const char *name;
	size_t count;
} fact_count_cases[] = {
	{ QA684879, "engine.installed_version", 0 },	/* only the wizard MSI is installed */
	{ QA684879, "os.version", 1 },			/* the line is written twice */
	{ QA684879, "wizard.version_raw", 0 },
	{ QA684879, "upgrade.to", 0 },
	{ QA684879, "msi.stale_product_code", 1 },
	{ QA26314, "engine.installed_version", 0 },
	{ QA26314, "dotnet.release", 0 },
	{ SYSOPS, "wizard.version", 0 },
	{ SYSOPS, "tls12.status", 0 },
};

Test(parser_trace, corpus_facts)
{
	const char *loaded = NULL;
	struct cap t = { 0 };
	char *text = NULL;
	size_t n;

	for (size_t i = 0; i < sizeof(fact_cases) / sizeof(fact_cases[0]); i++) {
		const struct fact_case *c = &fact_cases[i];
		const struct cfact *f;

		if (c->rel != loaded) {
			cap_free(&t);
			free(text);
			text = load_corpus(c->rel, &n);
			cr_assert_eq(parse_into(&t, text, n, NULL, NULL, 0), 0);
			loaded = c->rel;
		}
		f = find_fact(&t, c->name, c->key);
		cr_assert_not_null(f, "%s: no fact %s [%s]", c->rel, c->name, c->key);
		cr_assert_str_eq(f->value, c->value, "%s: %s [%s]", c->rel, c->name, c->key);
		cr_assert(f->on_event);
		cr_assert_gt(f->after, 0);
	}
	cap_free(&t);
	free(text);
	loaded = NULL;
	text = NULL;
	for (size_t i = 0; i < sizeof(fact_count_cases) / sizeof(fact_count_cases[0]); i++) {
		const struct fact_count_case *c = &fact_count_cases[i];

		if (c->rel != loaded) {
			cap_free(&t);
			free(text);
			text = load_corpus(c->rel, &n);
			cr_assert_eq(parse_into(&t, text, n, NULL, NULL, 0), 0);
			loaded = c->rel;
		}
		cr_assert_eq(count_facts(&t, c->name, NULL), c->count, "%s: %s", c->rel, c->name);
	}
	cap_free(&t);
	free(text);
}

Test(parser_trace, facts_follow_their_event)
{
	struct cap t = { 0 };
	size_t n;
	char *text = load_corpus(QA684879, &n);

	cr_assert_eq(parse_into(&t, text, n, NULL, NULL, 0), 0);
	for (size_t i = 0; i < t.nf; i++) {
		const struct cfact *f = &t.f[i];
		const char *m = t.ev[f->after - 1].message;

		if (strcmp(f->name, "wizard.version") == 0)
			cr_assert(strncmp(m, "Application Version: ", 21) == 0);
		if (strcmp(f->name, "component.package") == 0)
			cr_assert(strncmp(m, "Package=", 8) == 0);
		if (strcmp(f->name, "wizard.utc_offset") == 0)
			cr_assert(strncmp(m, "Start Time (UTC): ", 18) == 0);
	}
	cap_free(&t);
	free(text);
}

struct time_case {
	const char *rel;
	const char *name;	/* input name, or NULL */
	bool have_offset;
	int offset_min;
	size_t index;		/* which event */
	const char *iso;	/* NULL: no date */
	enum ec_timeq tq;
	int tod;
};

static const struct time_case time_cases[] = {
	{ QA684879, NULL, false, 0, 0, "2022-01-05T23:57:29.988Z", TQ_HEADER_OFFSET, 57449988 },
	{ QA684879, "trace-20990101-000000.log", true, 60, 0, "2022-01-05T23:57:29.988Z",
	  TQ_HEADER_OFFSET, 57449988 },	/* the header beats the name and --utc-offset */
	{ QA684879, NULL, false, 0, 127, "2022-01-05T23:57:49.803Z", TQ_HEADER_OFFSET, 57469803 },
	{ QA26314, NULL, false, 0, 0, "2020-05-09T03:30:12.376Z", TQ_HEADER_OFFSET, 81012376 },
	{ QA26314, NULL, false, 0, 62, "2020-05-09T03:31:55.139Z", TQ_HEADER_OFFSET, 81115139 },
	{ SYSOPS, NULL, false, 0, 0, NULL, TQ_TIME_OF_DAY, 71645912 },
	{ SYSOPS, "trace-20210602-195400.log", false, 0, 0, "2021-06-02T19:54:05.912Z",
	  TQ_LOCAL_ASSUMED, 71645912 },
	{ SYSOPS, "trace-20210602-195400.log", true, 120, 0, "2021-06-02T17:54:05.912Z",
	  TQ_LOCAL_GIVEN, 71645912 },
	{ SYSOPS, "trace-20210602-195400", false, 0, 7, "2021-06-02T19:54:05.968Z",
	  TQ_LOCAL_ASSUMED, 71645968 },
	{ SYSOPS, "trace-2021-06-02.log", false, 0, 0, NULL, TQ_TIME_OF_DAY, 71645912 },
};

Test(parser_trace, corpus_times)
{
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *c = &time_cases[i];
		struct ec_options o = { 0 };
		struct cap t = { 0 };
		char got[32];
		size_t n;
		char *text = load_corpus(c->rel, &n);

		o.have_offset = c->have_offset;
		o.utc_offset_min = c->offset_min;
		cr_assert_eq(parse_into(&t, text, n, c->name, &o, 0), 0);
		cr_assert_gt(t.nev, c->index);
		cr_assert_eq(t.ev[c->index].tq, c->tq, "case %zu: timeq %d", i, t.ev[c->index].tq);
		cr_assert_eq(t.ev[c->index].tod, c->tod, "case %zu", i);
		if (c->iso) {
			iso(t.ev[c->index].time_ms, got);
			cr_assert_str_eq(got, c->iso, "case %zu", i);
		} else {
			cr_assert_eq(t.ev[c->index].time_ms, 0);
		}
		/* Every event of a dated file is dated the same way. */
		for (size_t k = 1; k < t.nev; k++)
			cr_assert_eq(t.ev[k].tq, t.ev[0].tq);
		cap_free(&t);
		free(text);
	}
}

/* ---- constructed input ------------------------------------------------- */

Test(parser_trace, constructed_records_and_facts)
{
	struct cap t = { 0 };
	char got[32];

	cr_assert_eq(parse_str(&t, constructed, NULL), 0);
	cr_assert_eq(t.nev, CONSTRUCTED_RECORDS);
	cr_assert_eq(t.np, 0);
	iso(t.ev[0].time_ms, got);
	cr_assert_str_eq(got, "2026-05-10T08:15:02.100Z");
	cr_assert_eq(t.ev[0].tq, TQ_HEADER_OFFSET);
	cr_assert_str_eq(find_fact(&t, "wizard.utc_offset", NULL)->value, "+02:00");
	cr_assert_str_eq(find_fact(&t, "engine.installed_version", NULL)->value, "1.6.16.0");
	cr_assert_str_eq(find_fact(&t, "upgrade.from", "Azure AD Sync Engine")->value, "1.6.16.0");
	cr_assert_str_eq(find_fact(&t, "upgrade.to", "Azure AD Sync Engine")->value, "2.2.8.0");
	cr_assert_str_eq(find_fact(&t, "upgrade.component", NULL)->value, "Azure AD Sync Engine");
	cr_assert_str_eq(find_fact(&t, "component.installed", "Azure AD Sync Engine")->value,
			 "1.6.16.0");
	cr_assert_str_eq(find_fact(&t, "wizard.log_path", NULL)->value,
			 "C:\\ProgramData\\AADConnect\\trace-20260510-101502.log");
	cr_assert_str_eq(t.ev[9].provider, "AzureADSyncEngineComponent");
	cr_assert_str_eq(t.ev[10].thread, "12");
	cr_assert_str_eq(t.ev[10].message,
			 "Caught an exception while creating the initial page set on the root page.\n"
			 "Exception Data (Raw): System.InvalidOperationException: "
			 "Service ADSync was not found on computer '.'.\n"
			 "   --- End of inner exception stack trace ---\n"
			 "   at System.ServiceProcess.ServiceController.GenerateNames()");
	cr_assert_str_eq(t.ev[2].message, "");
	cr_assert_str_eq(t.ev[2].provider, "");
	cap_free(&t);
}

struct provider_case {
	const char *message;
	const char *provider;
};

static const struct provider_case provider_cases[] = {
	{ "ServiceControllerProvider: verifying EventLog is in state (Running)", "ServiceControllerProvider" },
	{ "PerformConfigurationPageViewModel: We encountered a problem", "PerformConfigurationPageViewModel" },
	{ "MSAL: (False) MSAL 4.5.1.0", "MSAL" },
	{ "ADAL: 2020-05-09T03:31:48.9516422Z: 0000", "ADAL" },
	{ "AzureTenantPage: DirectorySynchronizationEnabled=False", "AzureTenantPage" },
	{ "DetectInstalledComponents::CheckBinaryRegistryValueContainsData : Registry value",
	  "DetectInstalledComponents" },
	{ "SyncDataProvider:LoadSettings - loading context", "SyncDataProvider" },
	{ "MicrosoftOnlinePersistedStateProvider.Save: saving", "MicrosoftOnlinePersistedStateProvider.Save" },
	{ "Authenticate-MSAL: successfully acquired an access token.", "Authenticate-MSAL" },
	{ "Authenticate-MSAL [Acquiring token]: STS endpoint", "" },
	{ "Application Version: 2.0.89.0", "" },
	{ "Package=Microsoft Azure AD Connect, Version=2.0.89.0", "" },
	{ "DetectInstalledComponents stage: The installed OS SKU is 80", "" },
	{ "C:\\ProgramData\\AADConnect", "" },
	{ "https://login.microsoftonline.com: x", "" },
	{ "", "" },
};

Test(parser_trace, provider)
{
	for (size_t i = 0; i < sizeof(provider_cases) / sizeof(provider_cases[0]); i++) {
		const struct provider_case *c = &provider_cases[i];
		char line[256];
		struct cap t = { 0 };

		snprintf(line, sizeof(line), "[10:00:00.000] [  1] [INFO ] %s\n", c->message);
		cr_assert_eq(parse_str(&t, line, NULL), 0);
		cr_assert_eq(t.nev, 1);
		cr_assert_str_eq(t.ev[0].provider, c->provider, "case %zu", i);
		cap_free(&t);
	}
}

struct single_fact_case {
	const char *message;
	const char *name, *key, *value;	/* name NULL: no fact at all */
};

/* Single-line facts; messages built from the patterns in a.3-a.5. */
static const struct single_fact_case single_fact_cases[] = {
	{ "Application Version: 1.0.0.0-1446499270", "wizard.version_raw", "", "1.0.0.0-1446499270" },
	{ "Application Version: 2.6.84.0", "wizard.version", "", "2.6.84.0" },
	{ "Application Version: 2.6", "wizard.version_raw", "", "2.6" },
	{ "Detected .NET release 528049", "dotnet.release", "", "528049" },
	{ "DetectInstalledComponents stage: The installed OS SKU is 7", "os.sku", "", "7" },
	{ "TLS 1.2 is properly configured.", "tls12.status", "", "properly configured" },
	{ "TLS 1.2 is not enabled on this server.", "tls12.status", "",
	  "TLS 1.2 is not enabled on this server." },
	{ "Checking TLS 1.2 settings", NULL, NULL, NULL },
	{ "Package=Microsoft Entra Connect synchronization services, Version=2.3.20.0, ProductCode=a, UpgradeCode=b",
	  "engine.installed_version", "", "2.3.20.0" },
	{ "Package=Microsoft Azure AD Connect, Version=2.2.8.0, ProductCode=x, "
	  "UpgradeCode=d61eb959-f2d1-4170-be64-4dc367f451ea",
	  "component.package", "Microsoft Azure AD Connect", "2.2.8.0" },
	{ "Package=Whatever , Version=1.2.3.4, ProductCode=x, UpgradeCode={545334D7-13CD-4BAB-8DA1-2775FA8CF7C2}",
	  "engine.installed_version", "", "1.2.3.4" },
	{ "Package=broken", NULL, NULL, NULL },
	{ "Product Microsoft Azure AD Connection Tool is not installed.", "component.installed",
	  "Microsoft Azure AD Connection Tool", "not installed" },
	{ "DirectorySyncComponent: Product Microsoft Directory Sync Tool is not installed.",
	  "component.installed", "Microsoft Directory Sync Tool", "not installed" },
	{ "Product Microsoft Visual C++ 2019 Redistributable Package (version 14.29.30036) is installed.",
	  "component.installed", "Microsoft Visual C++ 2019 Redistributable Package", "14.29.30036" },
	{ "Product (version", NULL, NULL, NULL },
	{ "GetInstalledPackagesByUpgradeCode {d61eb959-f2d1-4170-be64-4dc367f451ea}: "
	  "stale product code {b6af168b-9c68-47ed-b75d-3335c5152d2a}.",
	  "msi.stale_product_code", "d61eb959-f2d1-4170-be64-4dc367f451ea", "b6af168b-9c68-47ed-b75d-3335c5152d2a" },
	{ "GetInstalledPackagesByUpgradeCode {d61eb959-f2d1-4170-be64-4dc367f451ea}: "
	  "stale product code {b6af", NULL, NULL, NULL },
	{ "GetInstalledPackagesByUpgradeCode {545334d7-13cd-4bab-8da1-2775fa8cf7c2}: no registered products found.",
	  NULL, NULL, NULL },
	{ "Opened log file at path C:\\ProgramData\\AADConnect\\trace-20231116-120902.log", "wizard.log_path", "",
	  "C:\\ProgramData\\AADConnect\\trace-20231116-120902.log" },
	{ "Start Time (UTC): Wed, 05 Jan 2022 23:57:30 GMT", NULL, NULL, NULL },	/* no local line */
	{ "The current operating system version is 10.0.20348, the requirement is 6.1.7601.",
	  "os.version", "", "10.0.20348" },
};

Test(parser_trace, single_line_facts)
{
	for (size_t i = 0; i < sizeof(single_fact_cases) / sizeof(single_fact_cases[0]); i++) {
		const struct single_fact_case *c = &single_fact_cases[i];
		char line[512];
		struct cap t = { 0 };
		const struct cfact *f;

		snprintf(line, sizeof(line), "[10:00:00.000] [  1] [INFO ] %s\r\n", c->message);
		cr_assert_eq(parse_str(&t, line, NULL), 0);
		cr_assert_eq(t.nev, 1);
		if (!c->name) {
			cr_assert_eq(t.nf, 0, "case %zu: fact %s", i, t.nf ? t.f[0].name : "");
		} else {
			f = find_fact(&t, c->name, c->key);
			cr_assert_not_null(f, "case %zu: no %s", i, c->name);
			cr_assert_str_eq(f->value, c->value, "case %zu", i);
		}
		cap_free(&t);
	}
}

Test(parser_trace, tls_warning_mentions)
{
	struct cap t = { 0 };

	cr_assert_eq(parse_str(&t, "[10:00:00.000] [  1] [WARN ] PrerequisiteCheck: TLS 1.2 "
				   "registry settings are missing.\n"
				   "[10:00:00.100] [  1] [INFO ] Enabling TLS 1.2 for this process\n",
			       NULL), 0);
	cr_assert_eq(count_facts(&t, "tls12.status", NULL), 1);
	cr_assert_str_eq(t.f[0].value, "PrerequisiteCheck: TLS 1.2 registry settings are missing.");
	cap_free(&t);
}

/* ---- dating ------------------------------------------------------------ */

/* CONSTRUCTED after a.3: the 1.0.x header, dated by its Runtime.Start item. */
static const char runtime_text[] =
	"[06:45:30.100] [  1] [INFO ] Application Version: 1.0.0.0-1446499270\n"
	"App Properties/Metrics:\n"
	"    Runtime.Start=2015-11-12T06:45:30-08:00\n"
	"    Environment.OperatingSystem.VersionString=Microsoft Windows NT 6.0.6002 Service Pack 2\n"
	"[06:45:31.000] [  1] [INFO ] Package=Microsoft Azure AD Connect synchronization services, "
	"Version=1.0.9125.0, ProductCode=x, UpgradeCode=545334d7-13cd-4bab-8da1-2775fa8cf7c2\n";

struct roll_case {
	const char *what;
	const char *text;
	const char *name;
	const char *const iso[6];
};

static const struct roll_case roll_cases[] = {
	{ "midnight roll-over", "[23:59:59.900] [  1] [INFO ] a\n[00:00:00.100] [  1] [INFO ] b\n",
	  "trace-20220105-235900.log",
	  { "2022-01-05T23:59:59.900Z", "2022-01-06T00:00:00.100Z" } },
	{ "threads interleaving across midnight",
	  "[23:59:59.900] [  1] [INFO ] a\n[00:00:00.100] [  1] [INFO ] b\n"
	  "[23:59:59.950] [ 12] [INFO ] c\n[00:00:00.200] [  1] [INFO ] d\n",
	  "trace-20220105-235900.log",
	  { "2022-01-05T23:59:59.900Z", "2022-01-06T00:00:00.100Z", "2022-01-05T23:59:59.950Z",
	    "2022-01-06T00:00:00.200Z" } },
	{ "small backward jumps",
	  "[10:00:00.500] [  1] [INFO ] a\n[10:00:00.400] [ 12] [INFO ] b\n"
	  "[09:59:59.000] [ 13] [INFO ] c\n[10:00:01.000] [  1] [INFO ] d\n",
	  "trace-20220105-100000.log",
	  { "2022-01-05T10:00:00.500Z", "2022-01-05T10:00:00.400Z", "2022-01-05T09:59:59.000Z",
	    "2022-01-05T10:00:01.000Z" } },
	{ "two midnights",
	  "[22:00:00.000] [  1] [INFO ] a\n[03:00:00.000] [  1] [INFO ] b\n"
	  "[14:00:00.000] [  1] [INFO ] c\n[01:00:00.000] [  1] [INFO ] d\n",
	  "trace-20211231-220000.log",
	  { "2021-12-31T22:00:00.000Z", "2022-01-01T03:00:00.000Z", "2022-01-01T14:00:00.000Z",
	    "2022-01-02T01:00:00.000Z" } },
	{ "records before the header on the day before",
	  "[23:59:58.000] [  1] [INFO ] Setting default logger for MSAL provider..\n"
	  "[00:00:01.000] [  1] [INFO ] Start Time (Local): Thu, 06 Jan 2022 00:00:01 GMT\n"
	  "[00:00:01.000] [  1] [INFO ] Start Time (UTC): Thu, 06 Jan 2022 08:00:01 GMT\n"
	  "[00:00:02.000] [  1] [INFO ] x\n",
	  NULL,
	  { "2022-01-06T07:59:58.000Z", "2022-01-06T08:00:01.000Z", "2022-01-06T08:00:01.000Z",
	    "2022-01-06T08:00:02.000Z" } },
	{ "file name starts just before midnight", "[00:00:00.300] [  1] [INFO ] a\n",
	  "trace-20220105-235959.log", { "2022-01-06T00:00:00.300Z" } },
	{ "local start time without its UTC line",
	  "[10:00:00.000] [  1] [INFO ] Start Time (Local): Mon, 02 Mar 2026 10:00:00 GMT\n"
	  "[10:00:01.000] [  1] [INFO ] Application Version: 2.2.8.0\n",
	  "trace-20990101-000000.log", { "2026-03-02T10:00:00.000Z", "2026-03-02T10:00:01.000Z" } },
	{ "half-hour offset",
	  "[10:00:00.000] [  1] [INFO ] Start Time (Local): Mon, 02 Mar 2026 10:00:00 GMT\n"
	  "[10:00:00.000] [  1] [INFO ] Start Time (UTC): Mon, 02 Mar 2026 04:30:00 GMT\n",
	  NULL, { "2026-03-02T04:30:00.000Z", "2026-03-02T04:30:00.000Z" } },
	{ "1.0.x Runtime.Start", runtime_text, NULL, { "2015-11-12T14:45:30.100Z", "2015-11-12T14:45:31.000Z" } },
};

Test(parser_trace, dating)
{
	for (size_t i = 0; i < sizeof(roll_cases) / sizeof(roll_cases[0]); i++) {
		const struct roll_case *c = &roll_cases[i];
		struct cap t = { 0 };
		size_t k = 0;
		char got[32];

		cr_assert_eq(parse_str(&t, c->text, c->name), 0);
		while (k < 6 && c->iso[k])
			k++;
		cr_assert_eq(t.nev, k, "%s: %zu events", c->what, t.nev);
		for (size_t j = 0; j < k; j++) {
			iso(t.ev[j].time_ms, got);
			cr_assert_str_eq(got, c->iso[j], "%s: event %zu", c->what, j);
		}
		cap_free(&t);
	}
}

Test(parser_trace, runtime_start_facts)
{
	struct cap t = { 0 };

	cr_assert_eq(parse_str(&t, runtime_text, NULL), 0);
	cr_assert_str_eq(find_fact(&t, "wizard.version_raw", NULL)->value, "1.0.0.0-1446499270");
	cr_assert_eq(count_facts(&t, "wizard.version", NULL), 0);
	cr_assert_str_eq(find_fact(&t, "wizard.start_local", NULL)->value, "2015-11-12T06:45:30");
	cr_assert_str_eq(find_fact(&t, "wizard.start_utc", NULL)->value, "2015-11-12T14:45:30Z");
	cr_assert_str_eq(find_fact(&t, "wizard.utc_offset", NULL)->value, "-08:00");
	cr_assert_str_eq(find_fact(&t, "engine.installed_version", NULL)->value, "1.0.9125.0");
	cr_assert_eq(t.ev[0].tq, TQ_HEADER_OFFSET);
	cap_free(&t);
}

Test(parser_trace, header_past_the_look_ahead)
{
	/* 70 records, then the header: the first 64 are dated from the name. */
	struct buf b;
	struct cap t = { 0 };
	char got[32];

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 70; i++)
		buf_addf(&b, "[08:00:%02d.000] [  1] [INFO ] record %d\n", i % 60, i);
	buf_adds(&b, "[08:01:00.000] [  1] [INFO ] Start Time (Local): Tue, 12 May 2026 08:01:00 GMT\n"
		     "[08:01:00.000] [  1] [INFO ] Start Time (UTC): Tue, 12 May 2026 06:01:00 GMT\n"
		     "[08:01:01.000] [  1] [INFO ] after\n");
	cr_assert_eq(parse_str(&t, b.data, "trace-20260512-080000.log"), 0);
	cr_assert_eq(t.nev, 73);
	for (size_t i = 0; i < 64; i++)
		cr_assert_eq(t.ev[i].tq, TQ_LOCAL_ASSUMED, "event %zu", i);
	iso(t.ev[0].time_ms, got);
	cr_assert_str_eq(got, "2026-05-12T08:00:00.000Z");
	cr_assert_eq(t.ev[72].tq, TQ_HEADER_OFFSET);
	iso(t.ev[72].time_ms, got);
	cr_assert_str_eq(got, "2026-05-12T06:01:01.000Z");
	cap_free(&t);
	buf_release(&b);
}

/* ---- encodings, line ends, damage -------------------------------------- */

Test(parser_trace, utf16le_with_and_without_bom)
{
	struct cap ref = { 0 };

	cr_assert_eq(parse_str(&ref, constructed, NULL), 0);
	for (int bom = 0; bom <= 1; bom++) {
		struct cap t = { 0 };
		size_t n;
		unsigned char *u = to_utf16le(constructed, strlen(constructed), bom, &n);
		struct enc_guess g = enc_sniff(u, n);

		cr_assert_eq(g.enc, ENC_UTF16LE);
		cr_assert_eq(g.bom, bom ? 2u : 0u);
		cr_assert_eq(parse_into(&t, u, n, NULL, NULL, 0), 0);
		cr_assert_eq(t.nev, CONSTRUCTED_RECORDS);
		cr_assert_eq(t.np, 0);
		for (size_t i = 0; i < t.nev; i++) {
			cr_assert_str_eq(t.ev[i].message, ref.ev[i].message);
			cr_assert_eq(t.ev[i].line, ref.ev[i].line);
			cr_assert_eq(t.ev[i].time_ms, ref.ev[i].time_ms);
		}
		cr_assert_eq(t.ev[1].offset,
			     (uint64_t)(bom ? 2 : 0) + 2 * (strchr(constructed, '\n') - constructed + 1));
		cr_assert_eq(t.nf, ref.nf);
		cap_free(&t);
		free(u);
	}
	cap_free(&ref);
}

Test(parser_trace, utf8_bom)
{
	struct cap t = { 0 };
	size_t n = strlen(constructed);
	char *s = malloc(n + 3);

	memcpy(s, "\xEF\xBB\xBF", 3);
	memcpy(s + 3, constructed, n);
	cr_assert_eq(parse_into(&t, s, n + 3, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, CONSTRUCTED_RECORDS);
	cr_assert_eq(t.np, 0);
	cr_assert_eq(t.ev[0].offset, 3);
	cr_assert_eq(t.ev[0].tod, 36902100);
	cap_free(&t);
	free(s);
}

static const char *const line_ends[] = { "\r\n", "\n", "\r" };

Test(parser_trace, line_endings)
{
	struct cap ref = { 0 };

	cr_assert_eq(parse_str(&ref, constructed, NULL), 0);
	for (size_t e = 0; e < sizeof(line_ends) / sizeof(line_ends[0]); e++) {
		struct buf b;
		struct cap t = { 0 };

		buf_init(&b, 1 << 20);
		for (const char *p = constructed; *p; p++) {
			if (*p == '\n')
				buf_adds(&b, line_ends[e]);
			else
				buf_addc(&b, *p);
		}
		cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, 0), 0);
		cr_assert_eq(t.nev, CONSTRUCTED_RECORDS, "ending %zu", e);
		for (size_t i = 0; i < t.nev; i++) {
			cr_assert_str_eq(t.ev[i].message, ref.ev[i].message, "ending %zu", e);
			cr_assert_eq(t.ev[i].line, ref.ev[i].line);
		}
		cap_free(&t);
		buf_release(&b);
	}
	cap_free(&ref);
}

Test(parser_trace, cut_mid_line)
{
	struct cap t = { 0 };
	size_t n = strlen(constructed) - 20;	/* inside the last record's path */

	cr_assert_eq(parse_into(&t, constructed, n, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, CONSTRUCTED_RECORDS);
	cr_assert_str_eq(t.ev[CONSTRUCTED_RECORDS - 1].message,
			 "Opened log file at path C:\\ProgramData\\AADConnect\\trace-");
	cap_free(&t);
	/* Cut inside the time stamp: the torn line continues the record before. */
	n = (size_t)(strstr(constructed, "[10:15:03.060]") - constructed) + 7;
	cr_assert_eq(parse_into(&t, constructed, n, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, CONSTRUCTED_RECORDS - 1);
	cr_assert(ends_with((t.ev[t.nev - 1].message), "Worldwide.\n[10:15:"));
	cap_free(&t);
}

Test(parser_trace, cut_mid_utf16_character)
{
	struct cap t = { 0 };
	size_t n;
	unsigned char *u = to_utf16le(constructed, strlen(constructed), true, &n);

	cr_assert_eq(parse_into(&t, u, n - 3, NULL, NULL, 0), 0);	/* odd: half a unit */
	cr_assert_eq(t.nev, CONSTRUCTED_RECORDS);
	cr_assert_not_null(find_problem(&t, "invalid utf-16"));
	cr_assert(ends_with((t.ev[t.nev - 1].message), "trace-20260510-101502.lo\xEF\xBF\xBD"));
	cap_free(&t);
	/* A surrogate pair torn in half. */
	{
		static const char s[] = "[10:00:00.000] [  1] [INFO ] emoji \xF0\x9F\x98\x80";
		size_t m;
		unsigned char *v = to_utf16le(s, strlen(s), true, &m);

		cr_assert_eq(parse_into(&t, v, m - 2, NULL, NULL, 0), 0);
		cr_assert_eq(t.nev, 1);
		cr_assert_str_eq(t.ev[0].message, "emoji \xEF\xBF\xBD");
		cr_assert_not_null(find_problem(&t, "invalid utf-16"));
		free(v);
		cap_free(&t);
	}
	free(u);
}

Test(parser_trace, empty_input)
{
	struct cap t = { 0 };

	cr_assert_eq(parse_into(&t, "", 0, "trace-20220105-155729.log", NULL, 0), 0);
	cr_assert_eq(t.nev, 0);
	cr_assert_eq(t.nf, 0);
	cr_assert_eq(t.np, 1);
	cr_assert_not_null(find_problem(&t, "no trace record found"));
	cap_free(&t);
}

Test(parser_trace, three_mib_line)
{
	size_t big = (size_t)3 << 20;
	struct buf b;
	struct cap t = { 0 };
	const struct cprob *p;

	buf_init(&b, (size_t)8 << 20);
	buf_adds(&b, "[10:00:00.000] [  1] [INFO ] first\n[10:00:00.001] [  1] [ERROR] ");
	for (size_t i = 0; i < big; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\r\n   at continuation\n");
	for (size_t i = 0; i < big; i++)
		buf_addc(&b, 'y');
	buf_adds(&b, "\n[10:00:00.002] [  1] [INFO ] last\n");
	cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, 3);
	cr_assert_eq(t.np, 2);
	p = find_problem(&t, "line too long");
	cr_assert_not_null(p);
	cr_assert_eq(p->line, 2);
	cr_assert_eq(p->offset, 35);
	cr_assert_eq(p->bytes, 29 + big - EC_MAX_LINE);
	cr_assert_eq(t.p[1].line, 4);
	cr_assert_eq(t.ev[1].level, LVL_ERROR);
	cr_assert_eq(t.ev[1].message_len, (EC_MAX_LINE - 29) + 1 + 18 + 1 + EC_MAX_LINE);
	cr_assert_str_eq(t.ev[2].message, "last");
	cr_assert_eq(t.ev[2].line, 5);
	cap_free(&t);
	buf_release(&b);
}

Test(parser_trace, record_cut_at_max_record)
{
	struct ec_options o = { 0 };
	struct cap t = { 0 };
	const struct cprob *p;

	o.max_record = 64;
	cr_assert_eq(parse_into(&t, constructed, strlen(constructed), NULL, &o, 0), 0);
	cr_assert_eq(t.nev, CONSTRUCTED_RECORDS);
	cr_assert_eq(t.ev[10].message_len, 64);
	p = find_problem(&t, "record starting at line 11 too long");
	cr_assert_not_null(p, "%s", t.np ? t.p[0].message : "none");
	cr_assert_eq(p->line, 11);
	cr_assert_gt(p->bytes, 100);
	/* Trailing white space left by the cut is trimmed as usual. */
	cr_assert_str_eq(t.ev[11].message, "PerformConfigurationPageViewModel: We encountered a problem and");
	cap_free(&t);
	/* A cut never ends inside a UTF-8 sequence: U+2019 is bytes 70..72. */
	o.max_record = 72;
	cr_assert_eq(parse_into(&t, constructed, strlen(constructed), NULL, &o, 0), 0);
	cr_assert_eq(t.ev[11].message_len, 70);
	cap_free(&t);
}

Test(parser_trace, lines_before_the_first_record)
{
	struct cap t = { 0 };
	const struct cprob *p;

	cr_assert_eq(parse_str(&t, "\nsaved by notepad\n   \nsecond junk line\n"
				   "[10:00:00.000] [  1] [INFO ] a\n[10:00:00.100] [  1] [INFO ] b\n", NULL), 0);
	cr_assert_eq(t.nev, 2);
	cr_assert_eq(t.np, 1);
	p = find_problem(&t, "2 lines before the first record");
	cr_assert_not_null(p);
	cr_assert_eq(p->records, 2);
	cr_assert_eq(p->offset, 1);
	cr_assert_eq(p->bytes, 38);
	cr_assert_eq(t.ev[0].line, 5);
	cap_free(&t);
	/* Only blank lines before: nothing to report. */
	cr_assert_eq(parse_str(&t, "\r\n\r\n[10:00:00.000] [  1] [INFO ] a\r\n", NULL), 0);
	cr_assert_eq(t.nev, 1);
	cr_assert_eq(t.np, 0);
	cap_free(&t);
	/* No record at all: one problem, no events. */
	cr_assert_eq(parse_str(&t, "just\nsome\ntext\n", NULL), 0);
	cr_assert_eq(t.nev, 0);
	cr_assert_eq(t.np, 1);
	cr_assert_eq(t.p[0].records, 3);
	cr_assert_not_null(find_problem(&t, "no trace record found in 3 lines"));
	cap_free(&t);
}

Test(parser_trace, qa_style_blank_lines)
{
	struct cap ref = { 0 };
	struct cap t = { 0 };
	static const char recs[] =
		"[10:15:02.100] [  1] [INFO ] Setting default logger for MSAL provider..\n"
		"[10:15:02.110] [  1] [INFO ] Default logger set successfully.\n"
		"[10:15:02.200] [  1] [INFO ] \n"
		"[10:15:02.200] [  1] [WARN ] x  \n"
		"[10:15:03.030] [ 12] [ERROR] Caught an exception\n";
	struct buf b;

	buf_init(&b, 1 << 20);
	for (const char *p = recs; *p; p++) {
		buf_addc(&b, *p);
		if (*p == '\n')
			buf_adds(&b, "  \r\n\n");
	}
	cr_assert_eq(parse_str(&ref, recs, NULL), 0);
	cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, 5);
	cr_assert_eq(ref.nev, 5);
	for (size_t i = 0; i < t.nev; i++)
		cr_assert_str_eq(t.ev[i].message, ref.ev[i].message);
	cr_assert_str_eq(t.ev[3].message, "x");
	cr_assert_str_eq(t.ev[2].message, "");
	cr_assert_eq(t.np, 0);
	cap_free(&ref);
	cap_free(&t);
	buf_release(&b);
}

Test(parser_trace, nul_bytes)
{
	static const char s[] = "[10:00:00.000] [  1] [INFO ] a\0b\n\0\0\n[10:00:00.100] [  1] [INFO ] c\n";
	struct cap t = { 0 };

	cr_assert_eq(parse_into(&t, s, sizeof(s) - 1, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, 2);
	cr_assert_str_eq(t.ev[0].message, "a\xEF\xBF\xBD" "b\n\xEF\xBF\xBD\xEF\xBF\xBD");
	cr_assert_eq(t.np, 2);
	cr_assert_eq(t.p[0].line, 1);
	cr_assert_eq(t.p[1].line, 2);
	cr_assert_not_null(find_problem(&t, "nul bytes"));
	cap_free(&t);
}

/* ---- blocks of NUL bytes (a crash while the trace was written) ----------- */

/* Records 1..upto as lines "[10:00:SS.mmm] [  1] [INFO ] record N", with
 * "[ERROR] Error during sync engine upgrade" as record err. */
static void
add_records(struct buf *b, int from, int upto, int err)
{
	for (int i = from; i <= upto; i++)
		buf_addf(b, "[10:%02d:%02d.%03d] [  1] [%s] %s %d\r\n", i / 60 % 60, i % 60, i % 1000,
			 i == err ? "ERROR" : "INFO ", i == err ? "Error during sync engine upgrade, record" :
			 "record", i);
}

static void
add_zeros(struct buf *b, size_t n)
{
	while (n--)
		buf_addc(b, '\0');
}

Test(parser_trace, nul_block_after_line_40)
{
	static const size_t chunks[] = { 0, 1, 7, 4096 };
	struct buf b;
	size_t at;
	char want[128];

	buf_init(&b, 1 << 20);
	add_records(&b, 1, 40, 0);
	at = b.len;
	add_zeros(&b, 4096);
	add_records(&b, 41, 45, 43);
	snprintf(want, sizeof(want), "nul bytes (4096) at offset %zu after line 40: "
		 "the file was not completely written", at);
	cr_assert_eq(enc_sniff((const unsigned char *)b.data, b.len).enc, ENC_UTF8);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct cap t = { 0 };
		const struct cprob *p;

		cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, chunks[k]), 0);
		cr_assert_eq(t.nev, 45, "chunk %zu: %zu events", chunks[k], t.nev);
		cr_assert_str_eq(t.ev[39].message, "record 40");
		cr_assert_eq(t.ev[39].line, 40);
		cr_assert_str_eq(t.ev[40].message, "record 41");
		cr_assert_eq(t.ev[40].line, 41);
		cr_assert_eq(t.ev[40].offset, at + 4096);
		cr_assert_eq(t.ev[42].level, LVL_ERROR);
		cr_assert_eq(t.ev[42].line, 43);
		cr_assert_eq(t.np, 1, "chunk %zu: %zu problems", chunks[k], t.np);
		p = &t.p[0];
		cr_assert_eq(p->offset, at);
		cr_assert_eq(p->bytes, 4096);
		cr_assert_eq(p->line, 40);
		cr_assert_str_eq(p->message, want);
		cap_free(&t);
	}
	buf_release(&b);
}

/* The block ends the record before it; what follows it up to the next
 * record began in the lost part: skipped and said so, not glued to the
 * record before. A block in the middle of a line ends it there. */
Test(parser_trace, nul_block_mid_record)
{
	struct buf b;
	struct cap t = { 0 };
	size_t at, frag;

	buf_init(&b, 1 << 20);
	add_records(&b, 1, 3, 0);
	buf_adds(&b, "[10:00:04.004] [  1] [ERROR] Exception in step\r\n   at Frame.One()\r\n   at Fr");
	at = b.len;
	add_zeros(&b, 8192);
	frag = b.len;
	buf_adds(&b, "ame.Three()\r\n   at Frame.Four()\r\n");
	add_records(&b, 7, 8, 0);
	cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, 0), 0);
	dump_problems(&t);
	cr_assert_eq(t.nev, 6);
	cr_assert_str_eq(t.ev[3].message, "Exception in step\n   at Frame.One()\n   at Fr");
	cr_assert_str_eq(t.ev[4].message, "record 7");
	cr_assert_eq(t.ev[4].line, 8, "the lines keep the numbers an editor shows");
	cr_assert_eq(t.np, 2);
	cr_assert_eq(t.p[0].line, 6);
	cr_assert_eq(t.p[0].offset, at);
	cr_assert_eq(t.p[0].bytes, 8192);
	cr_assert(strstr(t.p[0].message, "in line 6"), "%s", t.p[0].message);
	cr_assert_eq(t.p[1].line, 6);
	cr_assert_eq(t.p[1].offset, frag);
	cr_assert_eq(t.p[1].records, 2);
	cr_assert_str_eq(t.p[1].message, "2 lines after the nul bytes skipped: the record they "
			 "belong to began in the lost part");
	cap_free(&t);
	buf_release(&b);
}

Test(parser_trace, nul_filled_tail)
{
	struct buf b;
	struct cap t = { 0 };
	struct ec_sniff s;
	size_t at;

	buf_init(&b, 1 << 20);
	add_records(&b, 1, 10, 10);
	at = b.len;
	add_zeros(&b, 65536);
	memset(&s, 0, sizeof(s));
	s.raw = (const unsigned char *)b.data;
	s.raw_len = 65536;
	s.enc = enc_sniff(s.raw, s.raw_len);
	cr_assert_eq(s.enc.enc, ENC_UTF8);
	s.text = b.data;
	s.text_len = 65536;
	cr_assert_eq(fmt_trace.sniff(&s), 90);
	cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, 10);
	cr_assert_eq(t.ev[9].level, LVL_ERROR);
	cr_assert_eq(t.np, 1);
	cr_assert_eq(t.p[0].offset, at);
	cr_assert_eq(t.p[0].bytes, 65536);
	cr_assert(strstr(t.p[0].message, "after line 10"), "%s", t.p[0].message);
	cap_free(&t);
	buf_release(&b);
}

/* A file of zeros, or an EVTX or zip head, stays binary: no text format
 * claims it (and no format at all claims the zeros). */
Test(parser_trace, zeros_and_binaries_stay_binary)
{
	static unsigned char z[65536];
	static const unsigned char evtx[] = "ElfFile\0\0\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0\x80\0\0\0\x01\0\x03\0";
	static const unsigned char zip[] = "PK\x03\x04\x14\0\0\0\x08\0\x21\x5C\x4B\x5A\x11\x22\x33\x44\0\x10\0\0";
	const unsigned char *heads[] = { z, evtx, zip };
	const size_t lens[] = { sizeof(z), sizeof(evtx) - 1, sizeof(zip) - 1 };
	struct ec_sniff s;

	for (size_t i = 0; i < 3; i++) {
		memset(&s, 0, sizeof(s));
		s.raw = heads[i];
		s.raw_len = lens[i];
		s.enc = enc_sniff(s.raw, s.raw_len);
		s.name = "trace-20260101-100000.log";
		cr_assert_eq(s.enc.enc, ENC_BINARY, "head %zu", i);
		cr_assert_eq(fmt_trace.sniff(&s), 0);
		if (i == 0)
			cr_assert_null(ec_format_sniff(&s));
	}
}

Test(parser_trace, problems_are_capped)
{
	struct buf b;
	struct cap t = { 0 };

	buf_init(&b, 1 << 20);
	buf_adds(&b, "[10:00:00.000] [  1] [INFO ] a\n");
	for (int i = 0; i < 150; i++)
		buf_add(&b, "x\0y\n", 4);
	cr_assert_eq(parse_into(&t, b.data, b.len, NULL, NULL, 0), 0);
	cr_assert_eq(t.nev, 1);
	cr_assert_eq(t.np, 101);
	cr_assert_str_eq(t.p[100].message, "50 more problems like this");
	cap_free(&t);
	buf_release(&b);
}

Test(parser_trace, sink_stops_the_parse)
{
	struct cap t = { 0 };

	t.stop_at = 3;
	cr_assert_eq(parse_str(&t, constructed, NULL), 7);
	cr_assert_eq(t.nev, 3);
	cap_free(&t);
	/* Also once the look-ahead is over. */
	t.stop_at = 12;
	cr_assert_eq(parse_str(&t, constructed, NULL), 7);
	cr_assert_eq(t.nev, 12);
	cap_free(&t);
}

/* ---- reading in pieces ------------------------------------------------- */

static void
same_in_pieces(const void *data, size_t n, const char *name)
{
	struct cap a = { 0 }, b = { 0 };

	cr_assert_eq(parse_into(&a, data, n, name, NULL, 0), 0);
	cr_assert_eq(parse_into(&b, data, n, name, NULL, 1), 0);
	assert_same(&a, &b);
	cap_free(&a);
	cap_free(&b);
}

Test(parser_trace, byte_at_a_time)
{
	size_t n;
	unsigned char *u = to_utf16le(constructed, strlen(constructed), true, &n);
	struct buf b;

	same_in_pieces(constructed, strlen(constructed), NULL);
	same_in_pieces(u, n, NULL);
	same_in_pieces(u, n - 1, NULL);
	free(u);
	buf_init(&b, 1 << 20);
	for (const char *p = constructed; *p; p++) {
		if (*p == '\n')
			buf_adds(&b, "\r\n");
		else
			buf_addc(&b, *p);
	}
	same_in_pieces(b.data, b.len, "trace-20260510-101502.log");
	buf_release(&b);
}

Test(parser_trace, byte_at_a_time_corpus)
{
	static const char *const rels[] = { QA684879, QA26314, SYSOPS };

	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		size_t n;
		char *text = load_corpus(rels[i], &n);

		same_in_pieces(text, n, "trace-20220105-155729.log");
		free(text);
	}
}

/* ---- the constructed samples in samples/ ------------------------------- */

static char *
load_sample(const char *rel, size_t *n)
{
	static const char *const roots[] = { "", ".", "..", "../.." };
	char path[4096];
	char *p;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		const char *root = i == 0 ? getenv("ECDIAG_SRC") : roots[i];

		if (!root)
			continue;
		snprintf(path, sizeof(path), "%s/samples/%s", root, rel);
		if ((p = slurp(path, n)) != NULL)
			return p;
	}
	cr_skip_test("sample not found: samples/%s (set ECDIAG_SRC)", rel);
	return NULL;
}

struct sample_case {
	const char *rel;
	bool bom;
	size_t records;		/* lines starting "[" after the BOM: grep -c "^\(\xEF\xBB\xBF\)\?\[" */
	size_t errors;
	const char *os, *localdb, *localdb_version;
	const char *engine;	/* engine.installed_version, also upgrade.from */
	const char *first_utc;	/* first event */
};

static const struct sample_case sample_cases[] = {
	{ "upgrade-failed/trace-20260510-101502.log", true, 134, 4, "10.0.14393",
	  "Microsoft SQL Server 2012 Express LocalDB", "11.4.7469.6", "1.6.16.0",
	  "2026-05-10T08:15:02.103Z" },
	{ "upgrade-failed/trace-20260503-091200.log", false, 96, 0, "10.0.14393",
	  "Microsoft SQL Server 2012 Express LocalDB", "11.4.7469.6", "1.6.16.0",
	  "2026-05-03T07:12:00.211Z" },
	{ "upgrade-ok/trace-20260512-080000.log", false, 117, 0, "10.0.17763",
	  "Microsoft SQL Server 2019 LocalDB", "15.0.4138.2", "2.1.20.0",
	  "2026-05-12T06:00:00.117Z" },
};

Test(parser_trace, samples)
{
	for (size_t i = 0; i < sizeof(sample_cases) / sizeof(sample_cases[0]); i++) {
		const struct sample_case *c = &sample_cases[i];
		struct cap t = { 0 };
		struct ec_sniff s;
		char got[32];
		size_t n;
		char *text = load_sample(c->rel, &n);
		struct enc_guess g = enc_sniff((const unsigned char *)text, n);

		cr_assert_eq(g.bom, c->bom ? 3u : 0u, "%s", c->rel);
		cr_assert_not_null(strstr(text, "\r\n"), "%s has CRLF line ends", c->rel);
		memset(&s, 0, sizeof(s));
		s.raw = (const unsigned char *)text;
		s.raw_len = n;
		s.enc = g;
		s.text = text + g.bom;
		s.text_len = n - g.bom;
		cr_assert_eq(fmt_trace.sniff(&s), 90, "%s", c->rel);
		cr_assert_eq(parse_into(&t, text, n, strrchr(c->rel, '/') + 1, NULL, 0), 0);
		cr_assert_eq(t.nev, c->records, "%s: %zu records", c->rel, t.nev);
		cr_assert_eq(t.np, 0, "%s: problem %s", c->rel, t.np ? t.p[0].message : "");
		cr_assert_eq(count_level(&t, LVL_ERROR), c->errors, "%s: errors", c->rel);
		cr_assert_str_eq(find_fact(&t, "wizard.version", NULL)->value, "2.2.8.0");
		cr_assert_str_eq(find_fact(&t, "wizard.utc_offset", NULL)->value, "+02:00");
		cr_assert_str_eq(find_fact(&t, "os.version", NULL)->value, c->os);
		cr_assert_str_eq(find_fact(&t, "dotnet.release", NULL)->value, "528049");
		cr_assert_str_eq(find_fact(&t, "tls12.status", NULL)->value, "properly configured");
		cr_assert_str_eq(find_fact(&t, "engine.installed_version", NULL)->value, c->engine);
		cr_assert_str_eq(find_fact(&t, "upgrade.from", "Azure AD Sync Engine")->value, c->engine);
		cr_assert_str_eq(find_fact(&t, "upgrade.to", "Azure AD Sync Engine")->value, "2.2.8.0");
		cr_assert_str_eq(find_fact(&t, "component.package", c->localdb)->value, c->localdb_version);
		cr_assert_eq(count_facts(&t, "engine.installed_version", NULL), 1);
		iso(t.ev[0].time_ms, got);
		cr_assert_str_eq(got, c->first_utc, "%s", c->rel);
		for (size_t k = 0; k < t.nev; k++)
			cr_assert_eq(t.ev[k].tq, TQ_HEADER_OFFSET);
		if (c->errors) {
			const struct cev *e = NULL;

			for (size_t k = 0; k < t.nev && !e; k++) {
				if (strstr(t.ev[k].message, "Error during sync engine upgrade."))
					e = &t.ev[k];
			}
			cr_assert_not_null(e);
			cr_assert_eq(e->level, LVL_ERROR);
			cr_assert(strstr(e->message, "\nMSI (s) (C0!08) [10:17:41:605]: Product: Microsoft Azure AD Connect "
						       "synchronization services -- Error 25019."));
			cr_assert_geq(count_str(e->message, "\n   at "), 5);
		}
		same_in_pieces(text, n, strrchr(c->rel, '/') + 1);
		cap_free(&t);
		free(text);
	}
}

Test(parser_trace, sample_note_is_not_a_trace)
{
	struct ec_sniff s;
	size_t n;
	char *text = load_sample("upgrade-failed/notes.txt", &n);

	memset(&s, 0, sizeof(s));
	s.raw = (const unsigned char *)text;
	s.raw_len = n;
	s.enc = enc_sniff(s.raw, n);
	s.text = text;
	s.text_len = n;
	s.name = "notes.txt";
	cr_assert_eq(fmt_trace.sniff(&s), 0);
	free(text);
}

Test(parser_trace, local_start_without_utc)
{
	static const char text[] =
		"[10:00:00.000] [  1] [INFO ] Start Time (Local): Mon, 02 Mar 2026 10:00:00 GMT\n"
		"[10:00:01.000] [  1] [INFO ] Application Version: 2.2.8.0\n";
	struct ec_options o = { 0 };
	struct cap t = { 0 };

	cr_assert_eq(parse_str(&t, text, NULL), 0);
	cr_assert_eq(t.ev[0].tq, TQ_LOCAL_ASSUMED);
	cr_assert_str_eq(find_fact(&t, "wizard.start_local", NULL)->value, "2026-03-02T10:00:00");
	cr_assert_eq(count_facts(&t, "wizard.utc_offset", NULL), 0);
	cap_free(&t);
	o.have_offset = true;
	o.utc_offset_min = -300;
	cr_assert_eq(parse_into(&t, text, strlen(text), NULL, &o, 0), 0);
	cr_assert_eq(t.ev[1].tq, TQ_LOCAL_GIVEN);
	cr_assert_eq(t.ev[1].time_ms, days_from_civil(2026, 3, 2) * MS_PER_DAY + 15 * 3600000 + 1000);
	cap_free(&t);
}

/* ---- Windows Installer lines and auto-upgrade results in traces --------- */

#define KB4051210 "text/msi/msdocs_KB4051210_trace+msi_Error25019_stale-product-code.VERBATIM-SNIPPETS.txt"

/* The lines of one "## --- Block N" of the raw corpus file, comments dropped. */
static char *
corpus_block(const char *rel, int block, size_t *n)
{
	const char *path = corpus_path(rel);
	char *raw, *out, *p, head[32];
	size_t len = 0, k = 0;
	bool in = false;

	raw = path ? slurp(path, &len) : NULL;
	if (!raw)
		cr_skip_test("corpus not found: %s (set ECDIAG_CORPUS)", rel);
	out = calloc(1, len + 1);
	cr_assert_not_null(out);
	snprintf(head, sizeof(head), "## --- Block %d:", block);
	for (p = raw; p && *p;) {
		char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (strncmp(p, "## --- Block ", 13) == 0)
			in = strncmp(p, head, strlen(head)) == 0;
		else if (in && p[0] != '#') {
			memcpy(out + k, p, l);
			k += l;
			out[k++] = '\n';
		}
		p = e ? e + 1 : NULL;
	}
	free(raw);
	*n = k;
	return out;
}

/* KB4051210 block 5: the wizard copies the tail of the MSI log into its
 * exception; the same facts as the MSI log gives come out of it. */
Test(parser_trace, corpus_msi_lines_inside_an_exception)
{
	struct cap t = { 0 };
	size_t n;
	char *text = corpus_block(KB4051210, 5, &n);
	const struct cfact *f;

	cr_assert_eq(parse_into(&t, text, n, "trace-20170525-155217.log", NULL, 0), 0);
	cr_assert_eq(t.nev, 1);
	cr_assert_eq(t.ev[0].level, LVL_ERROR);
	f = find_fact(&t, "msi.error", "25019");
	cr_assert_not_null(f);
	cr_assert(strncmp(f->value, "The Microsoft Azure AD Connect synchronization services setup wizard "
			  "cannot open registry key SYSTEM\\CurrentControlSet\\Services\\ADSync\\Parameters.",
			  110) == 0, "%s", f->value);
	cr_assert_str_eq(find_fact(&t, "msi.product", NULL)->value,
			 "Microsoft Azure AD Connect synchronization services");
	cr_assert_str_eq(find_fact(&t, "msi.custom_action_error", "DetectStoreServer")->value, "1603");
	f = find_fact(&t, "msi.log_path", "Synchronization Service.msi");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->value, "C:\\ProgramData\\AADConnect\\Synchronization Service_Install-20170525-155217.log");
	cr_assert_null(find_fact(&t, "msi.action_failed", NULL), "the copy has no return value");
	cap_free(&t);
	free(text);
}

static const struct single_fact_case msi_fact_cases[] = {
	{ "Installing msi package 'Synchronization Service.msi'. Log file: "
	  "'C:\\ProgramData\\AADConnect\\Synchronization Service_Install-20260510-101733.log'.",
	  "msi.log_path", "Synchronization Service.msi",
	  "C:\\ProgramData\\AADConnect\\Synchronization Service_Install-20260510-101733.log" },
	{ "Installing msi package 'SqlLocalDB.msi'. Log file: 'C:\\ProgramData\\AADConnect\\SqlLocalDB_Install.log'.",
	  "msi.log_path", "SqlLocalDB.msi", "C:\\ProgramData\\AADConnect\\SqlLocalDB_Install.log" },
	{ "Installing msi package 'x.msi' without a log", NULL, NULL, NULL },
	{ "Azure AD Connect AutoUpgrade result = PreUpgradeFailure", "autoupgrade.result", "", "PreUpgradeFailure" },
	{ "Auto upgrade stopped: UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed.",
	  "autoupgrade.result", "", "UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed" },
	{ "state: upgradenotsupportednonlocaldbinstall", "autoupgrade.result", "",
	  "upgradenotsupportednonlocaldbinstall" },
	{ "Product Azure AD Sync Engine is installed, needs to be upgraded", NULL, NULL, NULL },
	{ "MyUpgradeAbortedThing is not a code", NULL, NULL, NULL },
};

Test(parser_trace, msi_and_autoupgrade_facts)
{
	for (size_t i = 0; i < sizeof(msi_fact_cases) / sizeof(msi_fact_cases[0]); i++) {
		const struct single_fact_case *c = &msi_fact_cases[i];
		char line[512];
		struct cap t = { 0 };
		const struct cfact *f;

		snprintf(line, sizeof(line), "[10:00:00.000] [  1] [INFO ] %s\r\n", c->message);
		cr_assert_eq(parse_str(&t, line, NULL), 0);
		if (!c->name) {
			cr_assert_eq(t.nf, 0, "case %zu: fact %s", i, t.nf ? t.f[0].name : "");
		} else {
			f = find_fact(&t, c->name, c->key);
			cr_assert_not_null(f, "case %zu: no %s", i, c->name);
			cr_assert_str_eq(f->value, c->value, "case %zu", i);
			cr_assert(f->on_event);
		}
		cap_free(&t);
	}
}

/* An MSI tail with a return value and a summary line, in an ERROR record. */
Test(parser_trace, msi_tail_with_return_value_and_status)
{
	static const char text[] =
		"[10:17:42.018] [ 12] [ERROR] Error during sync engine upgrade.\r\n"
		"Error 25009.The setup wizard cannot configure the specified database.\r\n"
		"Action ended 10:17:41: InstallFinalize. Return value 3.\r\n"
		"MSI (s) (C0:0C) [10:17:41:700]: Windows Installer installed the product. Product Name: X. "
		"Product Version: 1.1.614.0. Product Language: 1033. Manufacturer: Microsoft Corporation. "
		"Installation success or error status: 1603.\r\n"
		"[10:17:43.000] [ 12] [INFO ] Action ended 10:17:41: NotInATail. Return value 3.\r\n";
	struct cap t = { 0 };

	cr_assert_eq(parse_str(&t, text, NULL), 0);
	cr_assert_eq(t.nev, 2);
	cr_assert_str_eq(find_fact(&t, "msi.error", "25009")->value,
			 "The setup wizard cannot configure the specified database.");
	cr_assert_str_eq(find_fact(&t, "msi.action_failed", "InstallFinalize")->value, "3");
	cr_assert_str_eq(find_fact(&t, "msi.status", "X")->value, "1603");
	cr_assert_eq(count_facts(&t, "msi.action_failed", NULL), 1, "first lines of records are not MSI copies");
	cap_free(&t);
}
