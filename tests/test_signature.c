/* SPDX-License-Identifier: MIT */
/* test_signature.c - the signature engine: validation with exact errors,
 * the literal prefilter, and matching with case conditions. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/sig_int.h"
#include "analyzer/signature.h"

/* A signature file around one clause, with the given samples. */
static char *
sig_json(const char *id, const char *clause, const char *match, const char *no_match, const char *more)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	fprintf(f,
		"{\"id\":\"%s\",\"title\":\"t ${v}\",\"severity\":\"error\",\"confidence\":\"high\","
		"\"sources\":[\"trace\",\"event\"],\"when\":[%s],\"remediation\":\"r\",\"references\":[\"x\"],"
		"\"samples\":{\"match\":[%s],\"no_match\":[%s]}%s}",
		id, clause, match, no_match, more ? more : "");
	fclose(f);
	return s;
}

static int
add(struct sig_set *ss, const char *json, char **err)
{
	return sigset_add(ss, "test.json", json, strlen(json), err);
}

static char *
load_err(const char *clause, const char *match, const char *no_match)
{
	struct sig_set *ss = sigset_new();
	char *j = sig_json("t", clause, match, no_match, NULL), *err = NULL;

	cr_assert_eq(add(ss, j, &err), -1, "loaded: %s", j);
	free(j);
	sigset_free(ss);
	return err;
}

Test(signature, bad_regex_has_file_id_field_and_caret)
{
	char *err = load_err("{\"pattern\":\"Detected release (?<v>\\\\d+\"}", "\"a\"", "\"b\"");

	cr_assert(strstr(err, "test.json: t: when[0].pattern: missing closing parenthesis at offset 25"), "%s", err);
	cr_assert(strstr(err, "\n  Detected release (?<v>\\d+\n                           ^"), "%s", err);
	free(err);
}

Test(signature, a_sample_the_pattern_misses_is_an_error)
{
	char *err = load_err("{\"pattern\":\"Detected release \\\\d+\"}", "\"Detected release x\"", "\"b\"");

	cr_assert(strstr(err, "samples.match: \"Detected release x\" is matched by no clause"), "%s", err);
	free(err);
	err = load_err("{\"pattern\":\"Detected release \\\\d+\"}", "\"Detected release 1\"", "\"Detected release 2\"");
	cr_assert(strstr(err, "samples.no_match: \"Detected release 2\" is matched by when[] but must not be"), "%s",
		  err);
	free(err);
}

Test(signature, every_alternative_needs_a_literal)
{
	char *err = load_err("{\"pattern\":\"stale code|\\\\d+x\"}", "\"stale code\"", "\"b\"");

	cr_assert(strstr(err, "alternative 2 has no run of 3 plain characters"), "%s", err);
	free(err);
	/* quantified atoms are not required, so "ab?c" gives no 3-run */
	err = load_err("{\"pattern\":\"ab?c[0-9]\"}", "\"ac1\"", "\"b\"");
	cr_assert(strstr(err, "alternative 1 has no run"), "%s", err);
	free(err);
}

Test(signature, a_literal_missing_from_a_matching_sample_is_an_error)
{
	char *err = load_err("{\"pattern\":\"release \\\\d+\",\"literal\":[\"detected\"]}", "\"release 5\"", "\"b\"");

	cr_assert(strstr(err, "the prefilter would skip such records"), "%s", err);
	free(err);
}

Test(signature, an_event_id_needs_a_provider)
{
	char *err = load_err("{\"pattern\":\"abc\",\"event_id\":[6050]}", "\"abc\"", "\"b\"");

	cr_assert(strstr(err, "when[0].event_id: an event id needs a provider"), "%s", err);
	free(err);
}

Test(signature, unknown_keys_and_bad_fields_are_named)
{
	struct sig_set *ss = sigset_new();
	char *err = NULL;
	const char *j = "{\"id\":\"Bad_Id\"}";

	cr_assert_eq(add(ss, j, &err), -1);
	cr_assert(strstr(err, "id: must be [a-z0-9]"), "%s", err);
	free(err);
	err = load_err("{\"pattern\":\"abc\",\"patern\":\"x\"}", "\"abc\"", "\"b\"");
	cr_assert(strstr(err, "when[0]: unknown key \"patern\""), "%s", err);
	free(err);
	err = NULL;
	cr_assert_eq(sigset_add(ss, "x.json", "{\"id\": ", 7, &err), -1);
	cr_assert(strstr(err, "x.json: line 1"), "%s", err);
	free(err);
	sigset_free(ss);
}

/* ---- matching ------------------------------------------------------------- */

struct facts {
	const char *target;
};

static const char *
fact(void *ctx, const char *name)
{
	struct facts *f = ctx;

	return !strcmp(name, "case.target_version") ? f->target : NULL;
}

static struct sig_record
rec(int64_t source, int64_t line, const char *msg, const char *time)
{
	return (struct sig_record){
		.kind = SK_TRACE, .message = msg, .len = strlen(msg), .event_id = -1, .time = time,
		.source_id = source, .row_id = line, .line = line, .record = -1,
	};
}

static struct sig_set *
one(const char *clause, const char *match, const char *no_match, const char *more)
{
	struct sig_set *ss = sigset_new();
	char *j = sig_json("t", clause, match, no_match, more), *err = NULL;

	cr_assert_eq(add(ss, j, &err), 0, "%s", err ? err : "");
	free(j);
	sigset_finish(ss);
	return ss;
}

Test(signature, compare_and_fact_conditions)
{
	struct sig_set *ss = one("{\"pattern\":\"Detected \\\\.NET release (?<v>\\\\d+)\","
				 "\"compare\":[{\"capture\":\"v\",\"op\":\"<\",\"value\":461808}],"
				 "\"fact\":[{\"name\":\"case.target_version\",\"op\":\">=\",\"version\":\"2.4.18.0\"}]}",
				 "{\"message\":\"Detected .NET release 461308\",\"facts\":{\"case.target_version\":\"2.4.18.0\"}}",
				 "\"Detected .NET release 461308\"", NULL);
	struct facts f = { "2.6.91.0" };
	struct sig_matcher *m = sigmatch_new(ss, fact, &f, NULL);
	struct sig_record r1 = rec(1, 10, "Detected .NET release 528049", NULL);
	struct sig_record r2 = rec(1, 11, "detected .net RELEASE 461308", NULL);
	struct sig_result res;
	char *title;

	cr_assert_eq(sigmatch_record(m, &r1), 0);
	cr_assert_eq(sigmatch_record(m, &r2), 1);
	sigmatch_source_end(m);
	sigmatch_result(m, 0, &res);
	cr_assert(res.fired);
	cr_assert_eq(res.hits, 1);
	cr_assert_eq(res.kept[0].line, 11);
	cr_assert_str_eq(res.kept[0].cap_value[0], "461308");
	title = sigmatch_expand(m, 0, "${v} < ${target}");
	cr_assert_str_eq(title, "461308 < 2.6.91.0");
	free(title);
	sigmatch_free(m);
	/* An older target: the clause is off for the whole case. */
	f.target = "2.2.8.0";
	m = sigmatch_new(ss, fact, &f, NULL);
	cr_assert_eq(sigmatch_record(m, &r2), 0);
	sigmatch_free(m);
	sigset_free(ss);
}

Test(signature, not_followed_by_within_minutes)
{
	struct sig_set *ss = one("{\"pattern\":\"acquiring token using interactive\","
				 "\"not_followed_by\":{\"pattern\":\"successfully acquired\",\"within_minutes\":10}}",
				 "\"Authenticate-MSAL: acquiring token using interactive authentication.\"", "\"x\"", NULL);
	struct sig_matcher *m = sigmatch_new(ss, NULL, NULL, NULL);
	struct sig_result res;
	struct sig_record a = rec(1, 1, "acquiring token using interactive authentication.", "2026-10-01T10:00:00.000Z");
	struct sig_record ok = rec(1, 2, "successfully acquired an access token", "2026-10-01T10:03:00.000Z");
	struct sig_record late = rec(2, 2, "other", "2026-10-01T10:11:00.000Z");
	struct sig_record b = rec(2, 1, "acquiring token using interactive authentication.", "2026-10-01T10:00:00.000Z");
	struct sig_record c = rec(3, 1, "acquiring token using interactive authentication.", "2026-10-01T10:00:00.000Z");

	/* source 1: followed within 3 minutes, no hit */
	sigmatch_record(m, &a);
	sigmatch_record(m, &ok);
	/* source 2: 11 minutes of silence, a hit */
	sigmatch_record(m, &b);
	sigmatch_record(m, &late);
	sigmatch_result(m, 0, &res);
	cr_assert_eq(res.hits, 1);
	cr_assert_eq(res.kept[0].source_id, 2);
	/* source 3: the file ends, a hit */
	sigmatch_record(m, &c);
	sigmatch_source_end(m);
	sigmatch_result(m, 0, &res);
	cr_assert_eq(res.hits, 2);
	cr_assert_eq(res.kept[1].source_id, 3);
	sigmatch_free(m);
	sigset_free(ss);
}

Test(signature, after_upgrade_start_min_count_and_provider)
{
	struct sig_set *ss = one("{\"pattern\":\"failed on run profile\",\"provider\":[\"ADSync\"],"
				 "\"event_id\":[6050],\"after_upgrade_start\":true}",
				 "{\"message\":\"x failed on run profile y\",\"provider\":\"adsync\",\"event_id\":6050}",
				 "{\"message\":\"x failed on run profile y\",\"provider\":\"ADSync\",\"event_id\":6100}",
				 ",\"min_count\":2");
	struct sig_matcher *m = sigmatch_new(ss, NULL, NULL, "2026-10-01T10:00:00.000Z");
	struct sig_record r = rec(1, 1, "The management agent \"a\" failed on run profile \"Delta Import\"",
				  "2026-10-01T09:00:00.000Z");
	struct sig_result res;

	r.kind = SK_EVENT;
	r.provider = "ADSync";
	r.event_id = 6050;
	cr_assert_eq(sigmatch_record(m, &r), 0, "before the upgrade started");
	r.time = "2026-10-01T10:05:00.000Z";
	cr_assert_eq(sigmatch_record(m, &r), 1);
	sigmatch_result(m, 0, &res);
	cr_assert(!res.fired, "min_count 2");
	r.provider = "Directory Synchronization";
	cr_assert_eq(sigmatch_record(m, &r), 0, "another provider");
	r.provider = "ADSync";
	r.kind = SK_MSI;
	cr_assert_eq(sigmatch_record(m, &r), 0, "a source kind the signature does not read");
	r.kind = SK_EVENT;
	cr_assert_eq(sigmatch_record(m, &r), 1);
	sigmatch_result(m, 0, &res);
	cr_assert(res.fired);
	sigmatch_free(m);
	/* Without an upgrade start the clause never hits. */
	m = sigmatch_new(ss, NULL, NULL, NULL);
	cr_assert_eq(sigmatch_record(m, &r), 0);
	sigmatch_free(m);
	sigset_free(ss);
}

/* Many signatures with overlapping literals: each record hits exactly the
 * signatures whose literal it holds, whatever their number. */
Test(signature, the_automaton_finds_every_literal_and_only_those)
{
	struct sig_set *ss = sigset_new();
	enum { N = 300 };
	char *err = NULL;

	for (int i = 0; i < N; i++) {
		char id[16], clause[96], match[64];
		char *j;

		snprintf(id, sizeof(id), "s%d", i);
		snprintf(clause, sizeof(clause), "{\"pattern\":\"code%dx\"}", i);
		snprintf(match, sizeof(match), "\"code%dx\"", i);
		j = sig_json(id, clause, match, "\"nothing\"", NULL);
		cr_assert_eq(add(ss, j, &err), 0, "%s", err ? err : "");
		free(j);
	}
	/* a literal that is a suffix of others */
	{
		char *j = sig_json("suffix", "{\"pattern\":\"de1x\"}", "\"de1x\"", "\"nothing\"", NULL);

		cr_assert_eq(add(ss, j, &err), 0, "%s", err ? err : "");
		free(j);
	}
	sigset_finish(ss);
	cr_assert_eq(sigset_count(ss), N + 1);
	{
		struct sig_matcher *m = sigmatch_new(ss, NULL, NULL, NULL);
		struct sig_record r = rec(1, 1, "xx CODE1X and code250x, code7 but not code99", NULL);
		struct sig_result res;

		cr_assert_eq(sigmatch_record(m, &r), 3, "code1x, code250x and its suffix de1x");
		for (size_t i = 0; i < sigset_count(ss); i++) {
			const char *id = sigset_info(ss, i)->id;
			bool want = !strcmp(id, "s1") || !strcmp(id, "s250") || !strcmp(id, "suffix");

			sigmatch_result(m, i, &res);
			cr_assert_eq(res.fired, want, "%s", id);
		}
		sigmatch_free(m);
	}
	sigset_free(ss);
}

Test(signature, a_later_file_with_the_same_id_replaces_the_first)
{
	struct sig_set *ss = sigset_new();
	char *a = sig_json("same", "{\"pattern\":\"first one\"}", "\"first one\"", "\"x\"", NULL);
	char *b = sig_json("same", "{\"pattern\":\"second one\"}", "\"second one\"", "\"first one\"", NULL);
	char *err = NULL;
	struct sig_matcher *m;
	struct sig_record r = rec(1, 1, "the first one", NULL);

	cr_assert_eq(add(ss, a, &err), 0);
	cr_assert_eq(add(ss, b, &err), 0);
	sigset_finish(ss);
	cr_assert_eq(sigset_count(ss), 1);
	m = sigmatch_new(ss, NULL, NULL, NULL);
	cr_assert_eq(sigmatch_record(m, &r), 0);
	sigmatch_free(m);
	sigset_free(ss);
	free(a);
	free(b);
}

Test(signature, version_cmp_is_numeric)
{
	cr_assert_lt(version_cmp("2.2.8.0", "2.10.1.0"), 0);
	cr_assert_eq(version_cmp("2.4.18", "2.4.18.0"), 0);
	cr_assert_gt(version_cmp("1.0.0.0-1446499270", "0.9"), 0);
	cr_assert_lt(version_cmp("1.6.16.0", "2.0.3.0"), 0);
}

/* The catalogue that ships: every built-in signature loads, and the ids
 * the interface promises are there. */
Test(signature, the_builtin_catalogue_loads)
{
	static const char *const ids[] = {
		"partial-uninstall", "localdb-unsupported-os", "localdb-failure", "dotnet-too-old",
		"tls12-not-enabled", "mfa-prompt-hang", "half-migrated-database", "sync-rules-incompatible",
		"not-elevated", "dcom-keys-missing", "health-agent-disabled", "auto-upgrade-blocked",
		"connector-connectivity", "export-errors", "phs-failure",
	};
	struct sig_set *ss = sigset_new();
	char *err = NULL;

	cr_assert_eq(sigset_add_builtin(ss, &err), 0, "%s", err ? err : "");
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		bool found = false;

		for (size_t i = 0; i < sigset_count(ss); i++)
			found = found || !strcmp(sigset_info(ss, i)->id, ids[k]);
		cr_assert(found, "%s is not built in", ids[k]);
	}
	sigset_free(ss);
}

/* A space in a pattern or a literal stands for any run of white space: the
 * line may arrive wrapped, double-spaced or with a tab between two words. */
Test(signature, white_space_in_a_pattern_is_any_white_space)
{
	struct sig_set *ss = one("{\"pattern\":\"Could not load file or assembly '(?<v>[^',]+)\"}",
				 "\"Could not load file or assembly\\n   'System.Foo, Version=1.0'\"",
				 "\"Could not load fileor assembly 'System.Foo'\"", NULL);
	struct facts f = { "2.6.91.0" };
	struct sig_matcher *m = sigmatch_new(ss, fact, &f, NULL);
	struct sig_record r1 = rec(1, 10, "Could not  load file or\tassembly\r\n 'System.Bar, Version=2.0'", NULL);
	struct sig_record r2 = rec(1, 11, "Could not load file or assembly [System.Baz]", NULL);
	struct sig_result res;
	char *err = NULL;

	cr_assert_eq(sigmatch_record(m, &r1), 1);
	cr_assert_eq(sigmatch_record(m, &r2), 0);
	sigmatch_source_end(m);
	sigmatch_result(m, 0, &res);
	cr_assert_str_eq(res.kept[0].cap_value[0], "System.Bar");
	sigmatch_free(m);
	sigset_free(ss);
	/* a space inside a class stays a space; a quantified space one \s */
	err = sig_ws_pattern("a [ b] c ?d\\ \\ e");
	cr_assert_str_eq(err, "a\\s+[ b]\\s+c\\s?d\\s+e");
	free(err);
}
